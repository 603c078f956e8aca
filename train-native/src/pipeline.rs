//! The training pipeline's data side: raw rows → typed instances and targets → training-only
//! nodes → fitted shared nodes → feature matrices → a trained network.
//!
//! Only the shared nodes' fitted state ([`Preprocessor`]) leaves this module for the bundle;
//! everything else here (filters, deduplication, winsorizing, rebalancing, folds) is
//! training-only by construction.

use std::path::Path;

use tandem_core::bundle::TargetScaling;
use tandem_core::prep::{BoundPreprocessor, ColumnConfig, ColumnFitError, Step, TransformOptions};
use tandem_core::read::{ReadOptions, csv_columns, instance_from_record, is_missing, parse_number};
use tandem_core::{Instance, Preprocessor, Schema, Task};

use crate::error::{BoxError, Error, Result};
use crate::nodes;
use crate::spec::{ModelSpec, Rebalance};
use crate::table::Table;
use crate::trainer::{self, Dataset, Targets, TrainConfig, Trained};
use tandem_evaluate::Truth;

/// Labelled training rows, aligned by index.
pub struct Labeled {
    /// Typed instances.
    pub instances: Vec<Instance>,
    /// Label cells as written (trimmed).
    pub labels: Vec<String>,
    /// Class index per row (classification).
    pub classes: Vec<usize>,
    /// Target per row (regression).
    pub values: Vec<f64>,
    /// 1-based data row of the file for each row.
    pub source_rows: Vec<usize>,
}

/// A training row set aside because it breaks the schema: its 1-based data row and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Quarantined {
    /// The data row (header excluded).
    pub row: usize,
    /// The stable code (`WRONG_TYPE`, `UNKNOWN_LABEL`, ...).
    pub code: &'static str,
    /// The field concerned (the label for a label that does not read).
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl Quarantined {
    /// Row `row`, a record that could not be read at all (ragged, not a JSON object): code
    /// `CSV` or `JSON`, no field.
    pub fn unreadable(row: usize, e: &tandem_core::Error) -> Quarantined {
        let reason = match e {
            tandem_core::Error::Csv { reason, .. } | tandem_core::Error::Json { reason, .. } => {
                reason.clone()
            }
            other => other.to_string(),
        };
        Quarantined {
            row,
            code: e.code(),
            field: None,
            reason: format!("row {row}: {reason}"),
        }
    }

    /// Row `row` rejected by `e`.
    pub fn of(row: usize, e: &tandem_core::Error) -> Quarantined {
        Quarantined {
            row,
            code: e.code(),
            field: e.field().map(str::to_string),
            reason: e.to_string(),
        }
    }

    fn label(row: usize, label: &str, reason: String) -> Quarantined {
        Quarantined {
            row,
            code: "BAD_LABEL",
            field: Some(label.to_string()),
            reason: format!("row {row}: {reason}"),
        }
    }
}

/// A label as the network learns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelValue {
    /// The index of its class.
    Class(usize),
    /// Its number (regression).
    Value(f64),
}

/// The trimmed, present label `cell` of data row `row` read against the schema's task, or
/// the row's quarantine record (a class the schema does not list, a value that is not a
/// finite number).
pub fn read_label(
    schema: &Schema,
    cell: &str,
    row: usize,
    options: &ReadOptions,
) -> std::result::Result<LabelValue, Quarantined> {
    let label = &schema.label.name;
    match &schema.label.task {
        Task::Classification { classes } => match classes.iter().position(|c| c == cell) {
            Some(k) => Ok(LabelValue::Class(k)),
            None => Err(Quarantined::label(
                row,
                label,
                format!("label {cell:?} is not one of the schema's classes"),
            )),
        },
        Task::Regression => match parse_number(cell, options).filter(|v: &f64| v.is_finite()) {
            Some(v) => Ok(LabelValue::Value(v)),
            None => Err(Quarantined::label(
                row,
                label,
                format!("label {cell:?} is not a finite number"),
            )),
        },
    }
}

impl Labeled {
    /// Parse every row with a label; rows without one are dropped (training-only node) and
    /// counted in the second return value; rows that break the schema (a field or the label
    /// that does not read) are quarantined with their reasons, in the third.
    pub fn read(
        table: &Table,
        schema: &Schema,
        data: &Path,
        options: &ReadOptions,
    ) -> Result<(Labeled, usize, Vec<Quarantined>)> {
        let at = |row: Option<usize>, reason: String| Error::Data {
            path: data.to_path_buf(),
            row,
            reason,
        };
        let label_col = table.column(&schema.label.name).ok_or_else(|| {
            let reason = format!("label column `{}` is not in the file", schema.label.name);
            at(None, reason)
        })?;
        let columns = csv_columns(schema, &table.header).index;
        let mut out = Labeled {
            instances: Vec::with_capacity(table.rows.len()),
            labels: Vec::new(),
            classes: Vec::new(),
            values: Vec::new(),
            source_rows: Vec::new(),
        };
        let mut dropped = 0usize;
        let mut quarantined = Vec::new();
        for (row, reason) in &table.malformed {
            let (row, reason) = (*row, reason.clone());
            let error = match table.format {
                tandem_core::read::Format::JsonLines => tandem_core::Error::Json { row, reason },
                tandem_core::read::Format::Csv { .. } => tandem_core::Error::Csv { row, reason },
            };
            quarantined.push(Quarantined::unreadable(row, &error));
        }
        for (i, rec) in table.rows.iter().enumerate() {
            let row = table.row_number(i);
            let cell = rec.get(label_col).unwrap_or("");
            if is_missing(cell, options) {
                dropped += 1;
                continue;
            }
            let cell = cell.trim();
            let inst = match instance_from_record(schema, &columns, rec, options) {
                Ok(inst) => inst,
                Err(e) => {
                    quarantined.push(Quarantined::of(row, &e.at_row(row)));
                    continue;
                }
            };
            match read_label(schema, cell, row, options) {
                Ok(LabelValue::Class(k)) => out.classes.push(k),
                Ok(LabelValue::Value(v)) => out.values.push(v),
                Err(q) => {
                    quarantined.push(q);
                    continue;
                }
            }
            out.labels.push(cell.to_string());
            out.source_rows.push(row);
            out.instances.push(inst);
        }
        quarantined.sort_by_key(|q| q.row);
        Ok((out, dropped, quarantined))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Whether no row is left.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Keep only rows `keep` (sorted ascending).
    pub fn retain(&mut self, keep: &[usize]) {
        fn pick<T: Clone>(v: &[T], keep: &[usize]) -> Vec<T> {
            if v.is_empty() {
                return Vec::new();
            }
            keep.iter().map(|&i| v[i].clone()).collect()
        }
        self.instances = pick(&self.instances, keep);
        self.labels = pick(&self.labels, keep);
        self.classes = pick(&self.classes, keep);
        self.values = pick(&self.values, keep);
        self.source_rows = pick(&self.source_rows, keep);
    }

    /// The instances of rows `idx`, cloned.
    pub fn pick(&self, idx: &[usize]) -> Vec<Instance> {
        idx.iter().map(|&i| self.instances[i].clone()).collect()
    }

    /// The true labels of rows `idx`.
    pub fn truth(&self, idx: &[usize]) -> Truth {
        if self.classes.is_empty() {
            Truth::Values(idx.iter().map(|&i| self.values[i]).collect())
        } else {
            Truth::Classes(idx.iter().map(|&i| self.classes[i]).collect())
        }
    }

    /// Stratification groups: the class, or 0 for regression.
    pub fn groups(&self) -> Vec<usize> {
        if self.classes.is_empty() {
            vec![0; self.len()]
        } else {
            self.classes.clone()
        }
    }
}

/// What training needs besides the rows.
pub struct Context<'a> {
    /// The input schema.
    pub schema: &'a Schema,
    /// The rows.
    pub rows: &'a Labeled,
    /// Declared shared nodes.
    pub columns: &'a [ColumnConfig],
    /// Winsorized fields: (field index, low, high).
    pub winsorize: &'a [(usize, f64, f64)],
    /// Class rebalancing.
    pub rebalance: Rebalance,
    /// Network and optimiser.
    pub model: &'a ModelSpec,
    /// Seed.
    pub seed: u64,
    /// The data file (for error messages).
    pub data: &'a Path,
    /// A streamed run's preprocessing and spilled training rows.
    pub streamed: Option<&'a crate::stream::Streamed>,
}

/// A fitted preprocessing + network on one train/validation partition.
pub struct Fitted {
    /// Shared nodes' fitted state.
    pub preprocessing: Preprocessor,
    /// The same, bound to the schema.
    pub bound: BoundPreprocessor,
    /// Training features and targets (after training-only nodes).
    pub train: Dataset,
    /// Validation features and targets.
    pub valid: Dataset,
    /// Regression target scaling.
    pub target_scaling: Option<TargetScaling>,
    /// The network.
    pub trained: Trained,
    /// An ensemble's out-of-fold network outputs (each row scored by the member that did not
    /// learn from it), which its validation metrics and `tandem tune`'s scores come from;
    /// `None` for one network, whose validation rows are out of sample already.
    pub out_of_fold: Option<OutOfFold>,
}

/// An ensemble's out-of-fold outputs over its training and validation rows.
pub struct OutOfFold {
    /// The rows, as indices into [`Labeled`]: the training rows, then the validation rows.
    pub rows: Vec<usize>,
    /// Network outputs, `n_outputs` per row of `rows`.
    pub outputs: Vec<f32>,
    /// Each member's held-out fold, as positions in `rows`.
    pub folds: Vec<Vec<usize>>,
}

impl Fitted {
    /// The validation rows' out-of-fold outputs, for an ensemble.
    pub fn validation_outputs(&self) -> Option<&[f32]> {
        let oof = self.out_of_fold.as_ref()?;
        let n_out = oof.outputs.len() / oof.rows.len().max(1);
        let n_train = oof.rows.len() - self.valid.targets.len();
        Some(&oof.outputs[n_train * n_out..])
    }
}

impl Context<'_> {
    /// Number of network outputs.
    pub fn n_outputs(&self) -> usize {
        match &self.schema.label.task {
            Task::Classification { classes } => classes.len(),
            Task::Regression => 1,
        }
    }

    /// Fit the shared nodes on `train` rows (after winsorizing them), return them bound.
    fn fit_nodes(&self, train_rows: &[Instance], train_idx: &[usize]) -> Result<Preprocessor> {
        let mut steps = Vec::with_capacity(self.columns.len());
        for c in self.columns {
            let fitted = c.fit(self.schema, train_rows).map_err(|e| match e {
                ColumnFitError::Invalid(why) => Error::Feature {
                    feature: c.name.clone(),
                    reason: why.to_string(),
                },
                ColumnFitError::Row(i, e) => Error::Data {
                    path: self.data.to_path_buf(),
                    row: Some(self.rows.source_rows[train_idx[i]]),
                    reason: format!("feature `{}`: [{}] {e}", c.name, e.code()),
                },
            })?;
            // A text feature whose vocabulary came out empty writes nothing: leave it out.
            if fitted.width() > 0 {
                steps.push(Step::Column(fitted));
            }
        }
        if steps.is_empty() {
            return Err(Error::Plan(
                "no feature writes any column: nothing to learn from".into(),
            ));
        }
        Ok(Preprocessor { steps })
    }

    /// Features of `rows` (row-major).
    pub fn featurize(
        &self,
        bound: &BoundPreprocessor,
        idx: &[usize],
        rows: &[Instance],
    ) -> Result<Vec<f32>> {
        let mut out = Vec::with_capacity(rows.len() * bound.width());
        for (k, r) in rows.iter().enumerate() {
            bound
                .transform_into(r, TransformOptions::default(), &mut out)
                .map_err(|e| Error::Data {
                    path: self.data.to_path_buf(),
                    row: Some(self.rows.source_rows[idx[k]]),
                    reason: format!("[{}] {e}", e.code()),
                })?;
        }
        Ok(out)
    }

    fn targets(&self, idx: &[usize], scaling: Option<&TargetScaling>) -> Targets {
        match scaling {
            Some(s) => Targets::Values(
                idx.iter()
                    .map(|&i| ((self.rows.values[i] - s.mean) / s.scale) as f32)
                    .collect(),
            ),
            None => Targets::Classes(idx.iter().map(|&i| self.rows.classes[i]).collect()),
        }
    }

    /// The training settings for a network learning from `train_rows` rows.
    fn train_config(
        &self,
        train_rows: usize,
        class_weights: Option<Vec<f32>>,
        sample: Vec<usize>,
    ) -> TrainConfig {
        let m = self.model;
        TrainConfig {
            hidden: m.hidden.clone(),
            learning_rate: m.learning_rate,
            batch_size: m.batch_size.rows(train_rows),
            max_epochs: m.max_epochs,
            patience: m.patience,
            seed: self.seed,
            weight_decay: m.weight_decay,
            class_weights,
            sample,
            plateau: m.lr_schedule == crate::spec::LrSchedule::Plateau,
        }
    }

    /// A streamed run's fit: the preprocessing was fitted while reading, the network
    /// learns from the spilled training rows; `train_idx` and `valid_idx` are the samples
    /// (training metrics, early stopping).
    fn fit_streamed(
        &self,
        streamed: &crate::stream::Streamed,
        train_idx: &[usize],
        valid_idx: &[usize],
        on_epoch: &mut dyn FnMut(&trainer::EpochLog) -> std::result::Result<(), BoxError>,
    ) -> Result<Fitted> {
        let preprocessing = streamed.preprocessing.clone();
        let bound = preprocessing.bind(self.schema).map_err(Error::from)?;
        let scaling = streamed.target_scaling;
        let dataset = |idx: &[usize]| -> Result<Dataset> {
            Ok(Dataset {
                features: self.featurize(&bound, idx, &self.rows.pick(idx))?,
                width: bound.width(),
                targets: self.targets(idx, scaling.as_ref()),
            })
        };
        let train = dataset(train_idx)?;
        let valid = dataset(valid_idx)?;
        let class_weights = (self.rebalance == Rebalance::ClassWeights
            && !streamed.class_counts.is_empty())
        .then(|| nodes::class_weights_of_counts(&streamed.class_counts));
        let config = self.train_config(
            crate::spill::Rows::len(&streamed.train),
            class_weights,
            Vec::new(),
        );
        let trained = trainer::train(&streamed.train, &valid, self.n_outputs(), &config, on_epoch)?;
        Ok(Fitted {
            preprocessing,
            bound,
            train,
            valid,
            target_scaling: scaling,
            trained,
            out_of_fold: None,
        })
    }

    /// Fit the shared nodes on `train_idx`, train the network with early stopping on
    /// `valid_idx`; `on_epoch` sees every epoch's losses.
    pub fn fit(
        &self,
        train_idx: &[usize],
        valid_idx: &[usize],
        on_epoch: &mut dyn FnMut(&trainer::EpochLog) -> std::result::Result<(), BoxError>,
    ) -> Result<Fitted> {
        if let Some(streamed) = self.streamed {
            return self.fit_streamed(streamed, train_idx, valid_idx, on_epoch);
        }
        if self.model.ensemble > 1 {
            return self.fit_ensemble(train_idx, valid_idx, false, on_epoch);
        }
        let mut train_rows = self.rows.pick(train_idx);
        let valid_rows = self.rows.pick(valid_idx);
        // Training-only: winsorize the fitting rows (validation rows stay as users send them).
        for &(field, low, high) in self.winsorize {
            nodes::winsorize(&mut train_rows, field, low, high);
        }
        let preprocessing = self.fit_nodes(&train_rows, train_idx)?;
        let bound = preprocessing.bind(self.schema).map_err(Error::from)?;
        let width = bound.width();
        let target_scaling = self.target_scaling(train_idx);
        let train = Dataset {
            features: self.featurize(&bound, train_idx, &train_rows)?,
            width,
            targets: self.targets(train_idx, target_scaling.as_ref()),
        };
        let valid = Dataset {
            features: self.featurize(&bound, valid_idx, &valid_rows)?,
            width,
            targets: self.targets(valid_idx, target_scaling.as_ref()),
        };
        let n_out = self.n_outputs();
        let config = self.config_for(&train.targets, self.seed);
        let trained = trainer::train(&train, &valid, n_out, &config, on_epoch)?;
        Ok(Fitted {
            preprocessing,
            bound,
            train,
            valid,
            target_scaling,
            trained,
            out_of_fold: None,
        })
    }

    /// The settings for a network learning `targets` with `seed`: the training-only
    /// rebalancing (class weights or oversampled rows) computed from its own classes.
    fn config_for(&self, targets: &Targets, seed: u64) -> TrainConfig {
        let n_out = self.n_outputs();
        let (class_weights, sample) = match (self.rebalance, targets) {
            (Rebalance::ClassWeights, Targets::Classes(c)) if !c.is_empty() => {
                (Some(nodes::class_weights(c, n_out)), Vec::new())
            }
            (Rebalance::Oversample, Targets::Classes(c)) if !c.is_empty() => {
                (None, nodes::oversample(c, n_out, seed))
            }
            _ => (None, Vec::new()),
        };
        let mut config = self.train_config(targets.len(), class_weights, sample);
        config.seed = seed;
        config
    }

    /// The regression target's scaling over `idx` (`None` for classification).
    fn target_scaling(&self, idx: &[usize]) -> Option<TargetScaling> {
        match &self.schema.label.task {
            Task::Regression => {
                let t: Vec<f64> = idx.iter().map(|&i| self.rows.values[i]).collect();
                let mean = t.iter().sum::<f64>() / t.len().max(1) as f64;
                let std = (t.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                    / t.len().max(1) as f64)
                    .sqrt();
                Some(TargetScaling {
                    mean,
                    scale: if std > 0.0 { std } else { 1.0 },
                })
            }
            Task::Classification { .. } => None,
        }
    }

    /// [`Context::fit`] for an ensemble (`[model] ensemble` > 1): the shared nodes are fitted
    /// on the training and validation rows together; those rows are cut into `ensemble`
    /// folds (stratified by class), and one network per fold learns from the others and
    /// early-stops on its own ([`crate::ensemble`]); the networks are averaged into one. The
    /// validation rows' metrics come from out-of-fold outputs ([`Fitted::out_of_fold`]):
    /// each row is scored by the member that held it out.
    ///
    /// With `stop_apart`, member m early-stops on the next fold (m + 1) instead and learns
    /// from the other k − 2, so its out-of-fold scores on fold m were not used to choose its
    /// epoch: an unbiased cross-validation of the settings (`tandem tune`), at the price of
    /// members that saw fewer rows (the averaged network is not the one `train` would make).
    /// A linear model ([`crate::linear`]) chooses nothing on its held-out rows, so it ignores
    /// `stop_apart`.
    pub fn fit_ensemble(
        &self,
        train_idx: &[usize],
        valid_idx: &[usize],
        stop_apart: bool,
        on_epoch: &mut dyn FnMut(&trainer::EpochLog) -> std::result::Result<(), BoxError>,
    ) -> Result<Fitted> {
        // A linear model is fitted exactly and stops on nothing: fold m + 1 would only be
        // taken from what it learns.
        let stop_apart = stop_apart && !self.model.hidden.is_empty();
        let all: Vec<usize> = train_idx.iter().chain(valid_idx).copied().collect();
        let k = self.model.ensemble.min(all.len());
        let raw_rows = self.rows.pick(&all);
        // Training-only: winsorized rows fit the nodes and teach the members; every
        // member's held-out fold is read as users send it.
        let mut fit_rows = raw_rows.clone();
        for &(field, low, high) in self.winsorize {
            nodes::winsorize(&mut fit_rows, field, low, high);
        }
        let preprocessing = self.fit_nodes(&fit_rows, &all)?;
        let bound = preprocessing.bind(self.schema).map_err(Error::from)?;
        let width = bound.width();
        let target_scaling = self.target_scaling(&all);
        let taught = self.featurize(&bound, &all, &fit_rows)?;
        let as_sent = if self.winsorize.is_empty() {
            taught.clone()
        } else {
            self.featurize(&bound, &all, &raw_rows)?
        };
        let targets = self.targets(&all, target_scaling.as_ref());
        let pick = |features: &[f32], at: &[usize]| Dataset {
            features: at
                .iter()
                .flat_map(|&p| features[p * width..(p + 1) * width].iter().copied())
                .collect(),
            width,
            targets: match &targets {
                Targets::Classes(c) => Targets::Classes(at.iter().map(|&p| c[p]).collect()),
                Targets::Values(v) => Targets::Values(at.iter().map(|&p| v[p]).collect()),
            },
        };
        let groups = {
            let g = self.rows.groups();
            all.iter().map(|&i| g[i]).collect::<Vec<_>>()
        };
        let n_out = self.n_outputs();
        let folds = nodes::kfold(&groups, k, self.seed);
        let mut members = Vec::with_capacity(k);
        for (m, (learn, stop)) in crate::ensemble::member_rows(&folds, stop_apart)?
            .iter()
            .enumerate()
        {
            let train = pick(&taught, learn);
            let config = self.config_for(&train.targets, self.seed.wrapping_add(m as u64));
            members.push(crate::ensemble::Member {
                train,
                held: pick(&as_sent, stop),
                config,
            });
        }
        let trained =
            crate::ensemble::train(&members, n_out, crate::ensemble::threads(), on_epoch)?;
        // Out-of-fold outputs, in `all` order.
        let mut oof = vec![0.0f32; all.len() * n_out];
        for ((member, t), (_, held)) in members.iter().zip(&trained).zip(&folds) {
            let scored = if stop_apart {
                &pick(&as_sent, held).features
            } else {
                &member.held.features
            };
            let out = trainer::forward(&t.model, scored, width)?;
            for (j, &p) in held.iter().enumerate() {
                oof[p * n_out..(p + 1) * n_out].copy_from_slice(&out[j * n_out..(j + 1) * n_out]);
            }
        }
        let models: Vec<crate::net::Mlp> = trained.iter().map(|t| t.model.clone()).collect();
        let model = crate::net::Mlp::average(&models)?;
        let member_best_epochs: Vec<usize> = trained.iter().map(|t| t.best_epoch).collect();
        let first = trained
            .into_iter()
            .next()
            .ok_or_else(|| Error::Training("an ensemble needs a member".into()))?;
        let n_train = train_idx.len();
        let positions = |range: std::ops::Range<usize>| range.collect::<Vec<_>>();
        Ok(Fitted {
            preprocessing,
            bound,
            train: pick(&taught, &positions(0..n_train)),
            valid: pick(&as_sent, &positions(n_train..all.len())),
            target_scaling,
            trained: Trained {
                model,
                history: first.history,
                best_epoch: first.best_epoch,
                member_best_epochs,
            },
            out_of_fold: Some(OutOfFold {
                rows: all,
                outputs: oof,
                folds: folds.into_iter().map(|(_, held)| held).collect(),
            }),
        })
    }
}
