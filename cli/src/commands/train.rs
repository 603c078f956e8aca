//! `tandem train`: CSV → schema → training-only nodes → split → fit the shared nodes →
//! Burn MLP → ONNX + NNEF → bundle, verified by running the bundle through the same runtime
//! users get. Driven by a `tandem.toml` spec (`--spec`) or by flags for the default pipeline.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use serde_json::{Value as Json, json};
use tandem_core::bundle::{Metadata, ModelInfo, TargetScaling};
use tandem_core::prep::TransformOptions;
use tandem_core::schema::{InferConfig, infer_schema};
use tandem_core::{Bundle, Instance, Model, Prediction, Schema, Task, Value, tolerance};

use super::StoreArgs;
use tandem_tracking::Metric;
use tandem_tracking::ids::now_rfc3339;
use tandem_tracking::local::write_atomic;
use tandem_tracking::mlmodel::MlModel;
use tandem_tracking::recorder::Recorder;
use tandem_train::nodes::{self, Condition};
use tandem_train::pipeline::{Context, Labeled};
use tandem_train::plots;
use tandem_train::spec::features::{self, TEXT_MAX_FEATURES, TEXT_MIN_DF};
use tandem_train::spec::{LoadedSpec, ModelSpec, Rebalance, Winsorize};
use tandem_train::split::stratified_split;
use tandem_train::table::Table;
use tandem_train::trainer::{Dataset, forward};
use tandem_train::{export, metrics};

/// Arguments of `tandem train`.
#[derive(Args)]
pub struct TrainArgs {
    /// A pipeline spec (`tandem.toml`, see `tandem init`): data, label, split, training-only
    /// nodes, model and features. Replaces every flag below up to `--text-max-features`.
    #[arg(long, conflicts_with_all = ["data", "label", "schema", "hidden", "learning_rate",
        "batch_size", "max_epochs", "patience", "seed", "validation_fraction",
        "text_min_df", "text_max_features"])]
    spec: Option<PathBuf>,
    /// Training data (CSV with a header row).
    #[arg(long, required_unless_present = "spec")]
    data: Option<PathBuf>,
    /// The label column.
    #[arg(long, required_unless_present = "spec")]
    label: Option<String>,
    /// A schema JSON file overriding the inferred one.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Hidden layer widths, comma separated; `none` for logistic/linear regression.
    #[arg(long, default_value = "32")]
    hidden: String,
    /// Adam learning rate.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
    /// Rows per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 300)]
    max_epochs: usize,
    /// Early stopping: epochs without validation-loss improvement before stopping.
    #[arg(long, default_value_t = 20)]
    patience: usize,
    /// Seed for the split, initialisation and batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fraction of rows held out for validation.
    #[arg(long, default_value_t = 0.2)]
    validation_fraction: f64,
    /// Text fields: a term must appear in at least this many training rows.
    #[arg(long, default_value_t = TEXT_MIN_DF)]
    text_min_df: usize,
    /// Text fields: keep at most this many terms per field (0: no limit).
    #[arg(long, default_value_t = TEXT_MAX_FEATURES)]
    text_max_features: usize,
    /// Where the run is recorded: the local store, and MLflow with `--tracking-uri`.
    #[command(flatten)]
    store: StoreArgs,
    /// Experiment to record the run in (created if needed).
    #[arg(long, env = "MLFLOW_EXPERIMENT_NAME", default_value = "Default")]
    experiment: String,
    /// A name for the run (default: the spec or data file's name and the time).
    #[arg(long)]
    run_name: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the run summary as JSON on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the held-out raw instances and every engine's outputs on them (parity tests).
    #[arg(long, hide = true)]
    emit_parity: Option<PathBuf>,
}

fn parse_hidden(s: &str) -> Result<Vec<usize>> {
    let s = s.trim();
    if s.is_empty() || s == "none" || s == "0" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|p| {
            let w: usize = p
                .trim()
                .parse()
                .with_context(|| format!("--hidden: `{p}` is not a width"))?;
            if w == 0 {
                bail!("--hidden: a layer width must be at least 1");
            }
            Ok(w)
        })
        .collect()
}

fn instance_json(schema: &Schema, inst: &Instance) -> Json {
    let mut map = serde_json::Map::new();
    for (f, v) in schema.fields.iter().zip(&inst.values) {
        let j = match v {
            Value::Missing => Json::Null,
            Value::Number(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
        };
        map.insert(f.name.clone(), j);
    }
    Json::Object(map)
}

/// Everything a training run needs, from a spec or from flags.
struct Plan {
    data: PathBuf,
    label: String,
    schema: Option<PathBuf>,
    validation: f64,
    test: f64,
    seed: u64,
    folds: Option<usize>,
    dedupe: bool,
    filters: Vec<(String, Range<usize>)>,
    winsorize: Vec<(Winsorize, Range<usize>)>,
    rebalance: Rebalance,
    model: ModelSpec,
    text_min_df: usize,
    text_max_features: Option<usize>,
    spec: Option<LoadedSpec>,
}

impl Plan {
    fn from_args(args: &TrainArgs) -> Result<Plan> {
        if let Some(path) = &args.spec {
            let spec = LoadedSpec::load(path)?;
            let f = &spec.file;
            return Ok(Plan {
                data: spec.relative(f.data.path.get_ref()),
                label: f.data.label.get_ref().clone(),
                schema: f.data.schema.as_ref().map(|s| spec.relative(s.get_ref())),
                validation: *f.split.validation.get_ref(),
                test: *f.split.test.get_ref(),
                seed: f.split.seed,
                folds: f.split.folds.as_ref().map(|k| *k.get_ref()),
                dedupe: f.training.dedupe,
                filters: f
                    .training
                    .filter
                    .iter()
                    .map(|c| (c.get_ref().clone(), c.span()))
                    .collect(),
                winsorize: f
                    .training
                    .winsorize
                    .iter()
                    .map(|w| (w.get_ref().clone(), w.span()))
                    .collect(),
                rebalance: f
                    .training
                    .rebalance
                    .as_ref()
                    .map_or(Rebalance::None, |r| *r.get_ref()),
                model: ModelSpec {
                    hidden: f.model.hidden.clone(),
                    ..f.model
                },
                text_min_df: TEXT_MIN_DF,
                text_max_features: Some(TEXT_MAX_FEATURES),
                spec: Some(spec),
            });
        }
        if !(0.0 < args.validation_fraction && args.validation_fraction < 1.0) {
            bail!("--validation-fraction must be between 0 and 1");
        }
        Ok(Plan {
            data: args
                .data
                .clone()
                .ok_or_else(|| anyhow!("--data is required"))?,
            label: args
                .label
                .clone()
                .ok_or_else(|| anyhow!("--label is required"))?,
            schema: args.schema.clone(),
            validation: args.validation_fraction,
            test: 0.0,
            seed: args.seed,
            folds: None,
            dedupe: false,
            filters: Vec::new(),
            winsorize: Vec::new(),
            rebalance: Rebalance::None,
            model: ModelSpec {
                hidden: parse_hidden(&args.hidden)?,
                learning_rate: args.learning_rate,
                batch_size: args.batch_size.max(1),
                max_epochs: args.max_epochs.max(1),
                patience: args.patience,
                weight_decay: 0.0,
            },
            text_min_df: args.text_min_df,
            text_max_features: (args.text_max_features > 0).then_some(args.text_max_features),
            spec: None,
        })
    }

    /// An error located in the spec when there is one.
    fn error(&self, span: Range<usize>, msg: &str) -> anyhow::Error {
        match &self.spec {
            Some(s) => s.error(span, msg),
            None => anyhow!("{msg}"),
        }
    }
}

fn read_schema(plan: &Plan, table: &Table) -> Result<Schema> {
    Ok(match &plan.schema {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let s: Schema = serde_json::from_str(&text)
                .with_context(|| format!("invalid schema {}", path.display()))?;
            s.validate().map_err(|e| super::core_error(&e))?;
            if s.label.name != plan.label {
                bail!(
                    "schema {} has label `{}`, not `{}`",
                    path.display(),
                    s.label.name,
                    plan.label
                );
            }
            s
        }
        None => {
            if table.column(&plan.label).is_none() {
                bail!(
                    "label column `{}` is not in {}",
                    plan.label,
                    plan.data.display()
                );
            }
            infer_schema(
                &table.header_strings(),
                &table.row_strings(),
                &plan.label,
                &InferConfig::default(),
            )
            .map_err(|e| super::core_error(&e))?
        }
    })
}

/// Metrics of a network's raw outputs on rows `idx`.
fn metrics_of_outputs(
    ctx: &Context,
    outputs: &[f32],
    scaling: Option<&TargetScaling>,
    idx: &[usize],
) -> BTreeMap<String, f64> {
    let n_out = ctx.n_outputs();
    match (&ctx.schema.label.task, scaling) {
        (Task::Regression, Some(s)) => {
            let pred: Vec<f64> = outputs
                .iter()
                .map(|&o| o as f64 * s.scale + s.mean)
                .collect();
            let truth: Vec<f64> = idx.iter().map(|&i| ctx.rows.values[i]).collect();
            metrics::regression(&pred, &truth)
        }
        _ => {
            let probs: Vec<Vec<f64>> = outputs
                .chunks(n_out)
                .map(tandem_core::prediction::softmax)
                .collect();
            let truth: Vec<usize> = idx.iter().map(|&i| ctx.rows.classes[i]).collect();
            metrics::classification(&probs, &truth, n_out)
        }
    }
}

/// k-fold cross-validation on `rows`: mean and standard deviation of each held-out metric.
fn cross_validate(
    ctx: &Context,
    rows: &[usize],
    k: usize,
    quiet: bool,
) -> Result<BTreeMap<String, f64>> {
    let groups: Vec<usize> = {
        let g = ctx.rows.groups();
        rows.iter().map(|&i| g[i]).collect()
    };
    let mut per_metric: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (fold, (fit, held)) in nodes::kfold(&groups, k, ctx.seed).into_iter().enumerate() {
        let fit: Vec<usize> = fit.iter().map(|&i| rows[i]).collect();
        let held: Vec<usize> = held.iter().map(|&i| rows[i]).collect();
        if fit.is_empty() || held.is_empty() {
            bail!("not enough rows for {k} folds");
        }
        let fitted = ctx
            .fit(&fit, &held, quiet, &mut |_| Ok(()))
            .with_context(|| format!("cross-validation fold {}", fold + 1))?;
        let out = forward(
            &fitted.trained.model,
            &fitted.valid.features,
            fitted.valid.width,
        )?;
        for (name, v) in metrics_of_outputs(ctx, &out, fitted.target_scaling.as_ref(), &held) {
            per_metric.entry(name).or_default().push(v);
        }
    }
    let mut out = BTreeMap::new();
    for (name, vals) in per_metric {
        let n = vals.len() as f64;
        let mean = vals.iter().sum::<f64>() / n;
        let std = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        out.insert(format!("cv_{name}_mean"), mean);
        out.insert(format!("cv_{name}_std"), std);
    }
    Ok(out)
}

/// Run `tandem train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let plan = Plan::from_args(&args)?;
    let quiet = args.quiet || args.json;
    let table = Table::read(&plan.data)?;
    let schema = read_schema(&plan, &table)?;
    let (mut rows, dropped_no_label) = Labeled::read(&table, &schema, &plan.data)?;
    if dropped_no_label > 0 && !args.json {
        eprintln!("dropped {dropped_no_label} rows with a missing label");
    }

    // Training-only nodes on rows: filters, then deduplication.
    let mut dropped_by_filter = 0usize;
    for (src, span) in &plan.filters {
        let cond = Condition::parse(src, &schema)
            .map_err(|e| plan.error(span.clone(), &format!("filter {src:?}: {e}")))?;
        let keep: Vec<usize> = (0..rows.len())
            .filter(|&i| cond.holds(&rows.instances[i]))
            .collect();
        dropped_by_filter += rows.len() - keep.len();
        rows.retain(&keep);
    }
    let mut dropped_duplicates = 0usize;
    if plan.dedupe {
        let keep = nodes::dedupe(&rows.instances, &rows.labels);
        dropped_duplicates = rows.len() - keep.len();
        rows.retain(&keep);
    }
    if (dropped_by_filter > 0 || dropped_duplicates > 0) && !args.json {
        eprintln!(
            "training-only nodes dropped {dropped_by_filter} filtered and {dropped_duplicates} duplicate rows"
        );
    }
    let winsorize = plan
        .winsorize
        .iter()
        .map(|(w, span)| {
            let i = schema
                .fields
                .iter()
                .position(|f| {
                    f.name == w.field
                        && matches!(
                            f.kind,
                            tandem_core::FieldType::Number | tandem_core::FieldType::Integer
                        )
                })
                .ok_or_else(|| {
                    plan.error(
                        span.clone(),
                        &format!("winsorize: `{}` is not a numeric input field", w.field),
                    )
                })?;
            Ok((i, w.low, w.high))
        })
        .collect::<Result<Vec<_>>>()?;
    let columns = match &plan.spec {
        Some(spec) => features::compile(spec, &schema)?,
        None => features::defaults(&schema, plan.text_min_df, plan.text_max_features),
    };

    let split = stratified_split(&rows.groups(), plan.validation, plan.test, plan.seed);
    if split.train.is_empty() || split.validation.is_empty() {
        bail!("not enough rows to split ({} rows)", rows.len());
    }
    let ctx = Context {
        schema: &schema,
        rows: &rows,
        columns: &columns,
        winsorize: &winsorize,
        rebalance: plan.rebalance,
        model: &plan.model,
        seed: plan.seed,
        data: &plan.data,
    };
    let tags = run_tags(&plan, &table, &schema);
    let run_name = args
        .run_name
        .clone()
        .unwrap_or_else(|| default_run_name(&plan));
    let mut rec = Recorder::start(&args.store.config(), &args.experiment, &run_name, &tags)?;
    if !args.json {
        eprintln!(
            "run {} in experiment `{}` ({})",
            rec.run_id,
            rec.experiment.name,
            rec.location()
        );
    }
    let run_id = rec.run_id.clone();
    let outcome = (|| -> Result<(Json, String)> {
        let cv_metrics = match plan.folds {
            Some(k) => {
                let mut pool: Vec<usize> = split
                    .train
                    .iter()
                    .chain(&split.validation)
                    .copied()
                    .collect();
                pool.sort_unstable();
                if !args.json {
                    eprintln!("cross-validating on {} rows in {k} folds", pool.len());
                }
                cross_validate(&ctx, &pool, k, quiet)?
            }
            None => BTreeMap::new(),
        };
        let started = std::time::Instant::now();
        let fitted = ctx.fit(&split.train, &split.validation, quiet, &mut |e| {
            let t = tandem_tracking::now_ms();
            let m = |key: &str, value: f64| Metric {
                key: key.into(),
                value,
                step: e.epoch as i64,
                timestamp: t,
            };
            let finite: Vec<Metric> = [
                m("train_loss", e.train_loss),
                m("validation_loss", e.validation_loss),
            ]
            .into_iter()
            .filter(|m| m.value.is_finite())
            .collect();
            Ok(rec.epoch(&finite)?)
        })?;
        let train_seconds = started.elapsed().as_secs_f64();
        let (preprocessing, train_ds, valid_ds, trained) = (
            &fitted.preprocessing,
            &fitted.train,
            &fitted.valid,
            &fitted.trained,
        );
        let width = train_ds.width;
        let n_out = ctx.n_outputs();
        let target_scaling = fitted.target_scaling;
        let hidden = plan.model.hidden.clone();
        let valid_inst: Vec<Instance> = split
            .validation
            .iter()
            .map(|&i| rows.instances[i].clone())
            .collect();
        let test_inst: Vec<Instance> = split
            .test
            .iter()
            .map(|&i| rows.instances[i].clone())
            .collect();
        let test_x = ctx.featurize(&fitted.bound, &split.test, &test_inst)?;

        // Export and assemble the bundle.
        let output_name = if target_scaling.is_some() {
            "value"
        } else {
            "logits"
        };
        let onnx = export::to_onnx(&trained.model, width, output_name)?;
        let nnef = export::onnx_to_nnef(&onnx)?;
        let dense = export::to_dense(&trained.model)?;
        let m = &plan.model;
        let mut params: BTreeMap<String, String> = [
            ("data", plan.data.display().to_string()),
            ("data_sha256", table.sha256.clone()),
            ("label", plan.label.clone()),
            (
                "hidden",
                if hidden.is_empty() {
                    "none".into()
                } else {
                    hidden
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                },
            ),
            ("learning_rate", m.learning_rate.to_string()),
            ("batch_size", m.batch_size.to_string()),
            ("max_epochs", m.max_epochs.to_string()),
            ("patience", m.patience.to_string()),
            ("weight_decay", m.weight_decay.to_string()),
            ("seed", plan.seed.to_string()),
            ("validation_fraction", plan.validation.to_string()),
            ("test_fraction", plan.test.to_string()),
            ("rebalance", format!("{:?}", plan.rebalance).to_lowercase()),
            ("optimizer", "adam".into()),
            ("backend", "burn-flex".into()),
            ("epochs_run", trained.history.len().to_string()),
            ("best_epoch", trained.best_epoch.to_string()),
            ("train_rows", split.train.len().to_string()),
            ("validation_rows", split.validation.len().to_string()),
            ("test_rows", split.test.len().to_string()),
            ("dropped_missing_label", dropped_no_label.to_string()),
            ("dropped_by_filter", dropped_by_filter.to_string()),
            ("dropped_duplicates", dropped_duplicates.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if plan.spec.is_none() {
            params.insert("text_min_df".into(), plan.text_min_df.to_string());
            params.insert(
                "text_max_features".into(),
                plan.text_max_features.unwrap_or(0).to_string(),
            );
        }
        if let Some(spec) = &plan.spec {
            params.insert("spec".into(), spec.path.display().to_string());
        }
        if let Some(k) = plan.folds {
            params.insert("folds".into(), k.to_string());
        }
        let mut bundle = Bundle {
            schema: schema.clone(),
            preprocessing: preprocessing.clone(),
            metadata: Metadata {
                run_id: run_id.clone(),
                created: now_rfc3339(),
                tandem_version: tandem_core::VERSION.into(),
                metrics: BTreeMap::new(),
                params,
                feature_names: preprocessing.feature_names(),
                model: ModelInfo {
                    input: export::INPUT.into(),
                    output: output_name.into(),
                    n_features: width,
                    n_outputs: n_out,
                    hidden_layers: hidden.clone(),
                    activation: "relu".into(),
                },
                target: target_scaling,
                evaluation: None,
            },
            onnx,
            nnef,
            dense: Some(dense),
        };
        // Evaluate through the runtime users get (tract on the NNEF graph), and check it agrees
        // with Burn's own forward pass before anything is written.
        // The runtime is loaded from the encoded bytes, exactly as a user app will load it, and
        // must reproduce the training features bit for bit (no train/serve skew).
        let encoded = bundle
            .to_bytes()
            .map_err(|e| super::core_error(&e.into()))?;
        let runtime = Model::load(&encoded).map_err(|e| super::core_error(&e))?;
        for (i, inst) in valid_inst.iter().enumerate() {
            let f = runtime
                .features(inst, TransformOptions::default())
                .map_err(|e| super::core_error(&e))?;
            let expected = &valid_ds.features[i * width..(i + 1) * width];
            if f.iter()
                .map(|x| x.to_bits())
                .ne(expected.iter().map(|x| x.to_bits()))
            {
                bail!(
                    "export check failed: the bundle's preprocessing differs from training's on validation row {i}"
                );
            }
        }
        // Both engines must reproduce Burn's outputs on every validation row: the dense kernel
        // users get by default, and tract on the NNEF graph (the general engine).
        let burn_valid = forward(&trained.model, &valid_ds.features, width)?;
        let tract = Model::load_with(&encoded, tandem_core::runtime::EngineChoice::Tract)
            .map_err(|e| super::core_error(&e))?;
        let outputs = |m: &Model| {
            m.raw_outputs(&valid_ds.features)
                .map_err(|e| super::core_error(&e))
        };
        let (dense_valid, tract_valid) = (outputs(&runtime)?, outputs(&tract)?);
        if runtime.engine() != "dense" {
            bail!("export check failed: the bundle does not load on the dense kernel");
        }
        let max_abs = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs() as f64)
                .fold(0.0, f64::max)
        };
        if burn_valid
            .iter()
            .chain(&tract_valid)
            .chain(&dense_valid)
            .any(|x| !x.is_finite())
        {
            bail!(
                "training diverged: the network outputs non-finite values (try a smaller --learning-rate)"
            );
        }
        let max_diff = max_abs(&burn_valid, &tract_valid);
        let dense_diff = max_abs(&burn_valid, &dense_valid);
        let engines_diff = max_abs(&dense_valid, &tract_valid);
        for (what, d) in [
            ("tract and Burn", max_diff),
            ("the dense kernel and Burn", dense_diff),
            ("the dense kernel and tract", engines_diff),
        ] {
            if d > tolerance::LOGIT_ABS {
                bail!("export check failed: {what} outputs differ by {d:e}");
            }
        }
        let evaluate = |ds: &Dataset, idx: &[usize]| -> Result<BTreeMap<String, f64>> {
            let preds = runtime
                .predict_features(&ds.features)
                .map_err(|e| super::core_error(&e))?;
            Ok(match &schema.label.task {
                Task::Classification { classes } => {
                    let probs: Vec<Vec<f64>> = preds
                        .iter()
                        .map(|p| match p {
                            Prediction::Class { probabilities, .. } => {
                                classes.iter().map(|c| probabilities[c]).collect()
                            }
                            Prediction::Value { .. } => Vec::new(),
                        })
                        .collect();
                    let truth: Vec<usize> = idx.iter().map(|&i| rows.classes[i]).collect();
                    metrics::classification(&probs, &truth, classes.len())
                }
                Task::Regression => {
                    let pred: Vec<f64> = preds
                        .iter()
                        .map(|p| match p {
                            Prediction::Value { value } => *value,
                            Prediction::Class { .. } => f64::NAN,
                        })
                        .collect();
                    let truth: Vec<f64> = idx.iter().map(|&i| rows.values[i]).collect();
                    metrics::regression(&pred, &truth)
                }
            })
        };
        bundle.metadata.evaluation = Some(evaluation_of(
            &runtime,
            valid_ds,
            &split.validation,
            &rows,
            &trained.history,
        )?);
        let train_metrics = evaluate(train_ds, &split.train)?;
        let valid_metrics = evaluate(valid_ds, &split.validation)?;
        let test_metrics = if split.test.is_empty() {
            BTreeMap::new()
        } else {
            let test_ds = Dataset {
                features: test_x,
                width,
                targets: tandem_train::trainer::Targets::Values(Vec::new()),
            };
            evaluate(&test_ds, &split.test)?
        };
        for (k, v) in &test_metrics {
            bundle.metadata.metrics.insert(format!("test_{k}"), *v);
        }
        for (k, v) in &cv_metrics {
            bundle.metadata.metrics.insert(k.clone(), *v);
        }
        for (k, v) in &train_metrics {
            bundle.metadata.metrics.insert(format!("train_{k}"), *v);
        }
        for (k, v) in &valid_metrics {
            bundle
                .metadata
                .metrics
                .insert(format!("validation_{k}"), *v);
        }
        if let Some((k, v)) = bundle.metadata.metrics.iter().find(|(_, v)| !v.is_finite()) {
            bail!("metric {k} is {v}: refusing to write a bundle with a non-finite metric");
        }
        let bytes = bundle
            .to_bytes()
            .map_err(|e| super::core_error(&e.into()))?;

        // Record the run: params and final metrics, then the artifacts, each atomically in place;
        // the bundle last. The run is FINISHED only once all of them are.
        let history_csv: String = std::iter::once("epoch,train_loss,validation_loss\n".to_string())
            .chain(
                trained
                    .history
                    .iter()
                    .map(|h| format!("{},{},{}\n", h.epoch, h.train_loss, h.validation_loss)),
            )
            .collect();
        let metrics_json = json!({
            "train": train_metrics,
            "validation": valid_metrics,
            "test": test_metrics,
            "cross_validation": cv_metrics,
            "best_epoch": trained.best_epoch,
            "epochs_run": trained.history.len(),
            "train_seconds": train_seconds,
            "export_max_abs_diff_burn_vs_tract": max_diff,
            "export_max_abs_diff_burn_vs_dense": dense_diff,
            "export_max_abs_diff_dense_vs_tract": engines_diff,
        });
        let split_json = json!({
            "rows": "1-based data rows of the training file",
            "train": split.train.iter().map(|&i| rows.source_rows[i]).collect::<Vec<_>>(),
            "validation": split.validation.iter().map(|&i| rows.source_rows[i]).collect::<Vec<_>>(),
            "test": split.test.iter().map(|&i| rows.source_rows[i]).collect::<Vec<_>>(),
            "dropped_missing_label": dropped_no_label,
            "dropped_by_filter": dropped_by_filter,
            "dropped_duplicates": dropped_duplicates,
        });
        let now = tandem_tracking::now_ms();
        let final_metrics: Vec<Metric> = bundle
            .metadata
            .metrics
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .chain([
                ("train_seconds", train_seconds),
                ("best_epoch", trained.best_epoch as f64),
                (
                    "export_max_abs_diff",
                    max_diff.max(dense_diff).max(engines_diff),
                ),
            ])
            .filter(|(_, value)| value.is_finite())
            .map(|(key, value)| Metric {
                key: key.into(),
                value,
                step: 0,
                timestamp: now,
            })
            .collect();
        let params: Vec<(String, String)> = bundle
            .metadata
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        rec.log(&final_metrics, &params, &[])?;
        let mlmodel = MlModel {
            schema: &schema,
            run_id: &run_id,
            bundle_format: tandem_core::bundle::FORMAT_VERSION,
            bundle_size: bytes.len(),
            n_features: width,
            onnx_io: (export::INPUT, output_name),
            created: &bundle.metadata.created.replace('T', " ").replace('Z', ""),
        };
        rec.artifact("model/model.onnx", &bundle.onnx)?;
        rec.artifact("model/schema.json", &serde_json::to_vec_pretty(&schema)?)?;
        rec.artifact("model/MLmodel", mlmodel.to_yaml().as_bytes())?;
        rec.artifact("metrics.json", &serde_json::to_vec_pretty(&metrics_json)?)?;
        rec.artifact("history.csv", history_csv.as_bytes())?;
        rec.artifact("split.json", &serde_json::to_vec(&split_json)?)?;
        if let Some(spec) = &plan.spec {
            rec.artifact("spec.toml", spec.source.as_bytes())?;
        }
        for (name, svg) in plots::all(bundle.metadata.evaluation.as_ref(), &schema) {
            rec.artifact(&format!("plots/{name}"), svg.as_bytes())?;
        }
        rec.artifact("model/model.tandem", &bytes)?;
        rec.log(
            &[],
            &[],
            &[("mlflow.log-model.history".into(), mlmodel.history_tag())],
        )?;

        if let Some(dir) = &args.emit_parity {
            emit_parity(
                dir,
                &schema,
                &valid_inst,
                valid_ds,
                [&burn_valid, &dense_valid, &tract_valid],
                &runtime,
                n_out,
            )?;
        }

        let run_dir = rec.local().run_dir(&run_id);
        let model_path = rec.local().artifact_file(&run_id, "model/model.tandem")?;
        let summary = json!({
            "run_id": run_id,
            "experiment_id": rec.experiment.experiment_id,
            "tracking_uri": rec.location(),
            "run_dir": run_dir,
            "model": model_path,
            "metrics": bundle.metadata.metrics,
            "best_epoch": trained.best_epoch,
            "epochs_run": trained.history.len(),
        });
        let text = summary_text(
            &run_id,
            &model_path,
            [&train_metrics, &valid_metrics, &test_metrics],
            &cv_metrics,
            trained,
            train_seconds,
        );
        Ok((summary, text))
    })();
    let (summary, text) = match outcome {
        Ok(done) => done,
        Err(e) => {
            let id = rec.fail(&e);
            return Err(e.context(format!("run {id} marked FAILED")));
        }
    };
    let finished = rec.finish();
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print!("{text}");
    }
    finished?;
    Ok(ExitCode::SUCCESS)
}

/// Tags every run carries: where the code and data came from.
fn run_tags(plan: &Plan, table: &Table, schema: &Schema) -> Vec<(String, String)> {
    let mut tags = vec![
        (
            "tandem.version".to_string(),
            tandem_core::VERSION.to_string(),
        ),
        ("tandem.data_sha256".into(), table.sha256.clone()),
        (
            "tandem.schema_sha256".into(),
            tandem_tracking::ids::sha256_hex(&serde_json::to_vec(schema).unwrap_or_default()),
        ),
        ("mlflow.source.name".into(), "tandem train".into()),
        ("mlflow.source.type".into(), "LOCAL".into()),
    ];
    if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        tags.push(("mlflow.user".into(), user));
    }
    let dir = plan
        .spec
        .as_ref()
        .map_or(plan.data.as_path(), |s| s.path.as_path())
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Some(commit) = tandem_tracking::ids::git_commit(dir) {
        tags.push(("tandem.git_commit".into(), commit.clone()));
        tags.push(("mlflow.source.git.commit".into(), commit));
    }
    tags
}

fn default_run_name(plan: &Plan) -> String {
    let stem = plan
        .spec
        .as_ref()
        .map_or(plan.data.as_path(), |s| s.path.as_path())
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".into());
    let stem = if stem == "tandem" {
        plan.spec
            .as_ref()
            .and_then(|s| s.path.parent()?.file_name())
            .map_or(stem.clone(), |d| d.to_string_lossy().to_string())
    } else {
        stem
    };
    format!(
        "{stem}-{}",
        now_rfc3339().replace([':', '-'], "").trim_end_matches('Z')
    )
}

/// Training curves and validation errors for the bundle's model card.
fn evaluation_of(
    runtime: &Model,
    valid: &Dataset,
    idx: &[usize],
    rows: &Labeled,
    history: &[tandem_train::trainer::EpochLog],
) -> Result<tandem_core::bundle::Evaluation> {
    let preds = runtime
        .predict_features(&valid.features)
        .map_err(|e| super::core_error(&e))?;
    let mut out = tandem_core::bundle::Evaluation {
        history: history
            .iter()
            .map(|h| [h.epoch as f64, h.train_loss, h.validation_loss])
            .filter(|r| r.iter().all(|x| x.is_finite()))
            .collect(),
        ..Default::default()
    };
    match &runtime.schema().label.task {
        Task::Classification { classes } => {
            out.confusion = vec![vec![0; classes.len()]; classes.len()];
            for (p, &i) in preds.iter().zip(idx) {
                if let Prediction::Class { label, .. } = p
                    && let Some(k) = classes.iter().position(|c| c == label)
                    && let Some(row) = out.confusion.get_mut(rows.classes[i])
                {
                    row[k] += 1;
                }
            }
        }
        Task::Regression => {
            out.residuals = preds
                .iter()
                .zip(idx)
                .filter_map(|(p, &i)| match p {
                    Prediction::Value { value } => Some([rows.values[i], *value]),
                    Prediction::Class { .. } => None,
                })
                .take(500)
                .collect();
        }
    }
    Ok(out)
}

fn summary_text(
    run_id: &str,
    bundle: &Path,
    [train, valid, test]: [&BTreeMap<String, f64>; 3],
    cv: &BTreeMap<String, f64>,
    trained: &tandem_train::trainer::Trained,
    seconds: f64,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "run {run_id}");
    let _ = writeln!(
        out,
        "  {} epochs in {seconds:.2}s, kept epoch {} (lowest validation loss)",
        trained.history.len(),
        trained.best_epoch
    );
    let cell = |m: &BTreeMap<String, f64>, k: &str| {
        m.get(k).map_or("-".to_string(), |v| format!("{v:.4}"))
    };
    let _ = writeln!(
        out,
        "  {:<12} {:>10} {:>12} {:>10} {:>16}",
        "metric", "train", "validation", "test", "cross-validation"
    );
    for k in valid.keys() {
        let cv_cell = match (
            cv.get(&format!("cv_{k}_mean")),
            cv.get(&format!("cv_{k}_std")),
        ) {
            (Some(m), Some(s)) => format!("{m:.4} ± {s:.4}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "  {k:<12} {:>10} {:>12} {:>10} {cv_cell:>16}",
            cell(train, k),
            cell(valid, k),
            cell(test, k)
        );
    }
    let _ = writeln!(out, "  bundle: {}", bundle.display());
    out
}

fn emit_parity(
    dir: &Path,
    schema: &Schema,
    instances: &[Instance],
    ds: &Dataset,
    [burn_outputs, dense_outputs, tract_outputs]: [&[f32]; 3],
    runtime: &Model,
    n_out: usize,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut jsonl = String::new();
    for inst in instances {
        jsonl.push_str(&serde_json::to_string(&instance_json(schema, inst))?);
        jsonl.push('\n');
    }
    let width = ds.width;
    let rows: Vec<Json> = instances
        .iter()
        .enumerate()
        .map(|(i, inst)| {
            let features = &ds.features[i * width..(i + 1) * width];
            let burn = &burn_outputs[i * n_out..(i + 1) * n_out];
            let dense = &dense_outputs[i * n_out..(i + 1) * n_out];
            let tract = &tract_outputs[i * n_out..(i + 1) * n_out];
            let prediction = runtime
                .predict(inst, TransformOptions::default())
                .map(|p| serde_json::to_value(p).unwrap_or(Json::Null))
                .unwrap_or(Json::Null);
            json!({
                "feature_bits": features.iter().map(|f| f.to_bits()).collect::<Vec<_>>(),
                "features": features,
                "burn_outputs": burn,
                "dense_outputs": dense,
                "tract_outputs": tract,
                "burn_probabilities": tandem_core::prediction::softmax(burn),
                "native_prediction": prediction,
            })
        })
        .collect();
    write_atomic(&dir.join("instances.jsonl"), jsonl.as_bytes())?;
    write_atomic(
        &dir.join("reference.json"),
        &serde_json::to_vec(&json!({ "task": schema.label.task, "rows": rows }))?,
    )?;
    Ok(())
}
