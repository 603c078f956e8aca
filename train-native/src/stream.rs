//! Training on data larger than memory (`--stream`, `[data] stream = true`, or a file above
//! [`STREAM_ABOVE`] bytes): the rows are read as a stream, three times, and never held whole.
//!
//! 1. *infer*: every column summarized ([`ColumnSummary`]: the rules of schema inference
//!    applied a cell at a time, so the schema and the date columns are exactly those the whole
//!    file in memory gives), unless a schema is given and the features declared;
//! 2. *fit*: each row checked (a row that breaks the schema is quarantined), the training-only
//!    row nodes applied (missing labels, filters, deduplication by a 64-bit hash of the row),
//!    its part of the split drawn from a seeded hash of its row number, the training rows
//!    pushed into the shared nodes' fitters ([`tandem_core::prep::ColumnFitter`]: exact up to
//!    200,000 rows, one-pass summaries past that) and the label's moments, and a uniform
//!    sample of each part kept (`stream_sample` rows) for early stopping, metrics, warnings, the
//!    drift reference and the explanations' background;
//! 3. *spill*: the same rows and the same decisions, each training row's features written to
//!    a [`SpillWriter`] the training loop reads a block at a time.
//!
//! What stays in memory: the samples, the fitted summaries, one target per training row and,
//! with `dedupe`, one hash per kept row. Cross-validation, winsorizing and oversampling need
//! every row at once and are refused here.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};
use tandem_core::bundle::TargetScaling;
use tandem_core::prep::{ColumnConfig, ColumnFitError, ColumnFitter, Step, TransformOptions};
use tandem_core::read::header::{is_pandas_index, is_unnamed};
use tandem_core::read::table::is_encoding_error;
use tandem_core::read::{
    RawRow, ReadOptions, RowStream, csv_columns, instance_from_record, is_missing, jsonl,
};
use tandem_core::schema::{ColumnSummary, FieldSet, InferConfig};
use tandem_core::{Field, Instance, Preprocessor, Schema, Task};

use crate::error::{Error, Result};
use crate::nodes::Condition;
use crate::observer::{Observer, Pass};
use crate::pipeline::{LabelValue, Labeled, Quarantined, read_label};
use crate::plan::Plan;
use crate::prepare::{Dropped, Prepared};
use crate::spec::features;
use crate::spill::{SpillFile, SpillWriter, Target};
use crate::split::{Split, SplitMix64};

/// Data files larger than this train as a stream unless the plan says otherwise.
pub const STREAM_ABOVE: u64 = 256 << 20;
/// Rows of the first column a pandas index is recognised on.
const INDEX_ROWS: usize = 100_000;
/// Distinct label values counted exactly; past that the label is no classification.
const MAX_LABEL_VALUES: usize = 10_000;
/// Rows between two progress reports.
const PROGRESS_EVERY: usize = 1 << 16;

/// What streaming training keeps of the training rows besides their sample.
pub struct Streamed {
    /// The shared nodes, fitted on every training row.
    pub preprocessing: Preprocessor,
    /// Regression: the mean and standard deviation of every training row's label.
    pub target_scaling: Option<TargetScaling>,
    /// Every training row's features and target.
    pub train: SpillFile,
    /// Training rows per class (classification).
    pub class_counts: Vec<usize>,
    /// Rows in each part: train, validation, test.
    pub parts: [usize; 3],
}

/// The part of the split a row falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Train = 0,
    Validation = 1,
    Test = 2,
}

impl Part {
    /// Drawn from a seeded hash of the row number: the same row, the same part, every pass.
    fn of(row: usize, plan: &Plan) -> Part {
        let mut rng = SplitMix64::new(plan.seed ^ (row as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        if u < plan.test {
            Part::Test
        } else if u < plan.test + plan.validation {
            Part::Validation
        } else {
            Part::Train
        }
    }
}

/// A row the training-only nodes kept.
struct Kept {
    row: usize,
    part: Part,
    instance: Instance,
    label: String,
    target: LabelValue,
}

/// A uniform sample of at most `cap` items (Vitter's algorithm R, seeded).
struct Reservoir<T> {
    cap: usize,
    seen: usize,
    items: Vec<T>,
    rng: SplitMix64,
}

impl<T> Reservoir<T> {
    fn new(cap: usize, seed: u64) -> Self {
        Reservoir {
            cap,
            seen: 0,
            items: Vec::new(),
            rng: SplitMix64::new(seed),
        }
    }

    fn offer(&mut self, item: T) {
        self.seen += 1;
        if self.items.len() < self.cap {
            self.items.push(item);
        } else {
            let j = (self.rng.next_u64() % self.seen as u64) as usize;
            if j < self.cap {
                self.items[j] = item;
            }
        }
    }
}

/// A reader hashing what passes through it (the data's SHA-256, recorded with the run).
struct Hashing<R> {
    inner: R,
    hash: Rc<RefCell<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

/// No fields: a stream read for its text cells only.
struct NoFields;

impl FieldSet for NoFields {
    fn fields(&self) -> &[Field] {
        &[]
    }
}

/// The local file, the name errors give it, and how its cells are written.
pub struct Input<'a> {
    /// The file read.
    pub local: &'a Path,
    /// The data as the user named it (a URL, a converted source).
    pub shown: &'a Path,
    /// How the cells are written.
    pub read: &'a ReadOptions,
}

impl Input<'_> {
    fn error(&self, row: Option<usize>, reason: String) -> Error {
        Error::Data {
            path: self.shown.to_path_buf(),
            row,
            reason,
        }
    }

    /// The file as a stream of rows against `fields`, hashed into `hash`.
    fn open<'s, S: FieldSet + ?Sized>(
        &self,
        fields: &'s S,
        hash: &Rc<RefCell<Sha256>>,
    ) -> Result<RowStream<'s, S, BufReader<Hashing<File>>>> {
        let file = File::open(self.local).map_err(|source| Error::Read {
            path: self.shown.to_path_buf(),
            source,
        })?;
        let reader = BufReader::with_capacity(
            1 << 20,
            Hashing {
                inner: file,
                hash: Rc::clone(hash),
            },
        );
        RowStream::with_format(fields, reader, self.read, None).map_err(|e| match e {
            tandem_core::Error::Csv { row, reason } => {
                self.error(None, format!("data row {row}: {reason}"))
            }
            e => self.error(None, format!("[{}] {e}", e.code())),
        })
    }
}

/// Pass 1: every column summarized for inference, exactly as the whole file in memory would
/// infer it (the summaries keep a capped set of distinct values, nothing per row).
#[derive(Default)]
pub struct Inferred {
    /// The column names (trimmed; a pandas index left out).
    pub header: Vec<String>,
    /// Each column's summary.
    pub columns: Vec<ColumnSummary>,
    /// Whether a pandas index column was left out.
    pub dropped_index: bool,
    /// Records that could not be read (ragged, not a JSON object): how many, and the first.
    pub unreadable: (usize, Option<(usize, String)>),
}

impl Inferred {
    /// Every column's field (no label): what `tandem schema infer` shows without `--label`.
    pub fn fields(&self, config: &InferConfig) -> Vec<tandem_core::Field> {
        self.header
            .iter()
            .zip(&self.columns)
            .map(|(name, c)| c.to_field(name, config))
            .collect()
    }

    /// The schema with `label`'s task, as [`tandem_core::schema::infer_schema`] gives it.
    pub fn schema(&self, label: &str, config: &InferConfig) -> Result<Schema> {
        let Some(at) = self.header.iter().position(|h| h == label) else {
            return Err(tandem_core::Error::Schema(format!(
                "label column `{label}` not in header ({})",
                self.header.join(", ")
            ))
            .into());
        };
        let fields = self
            .header
            .iter()
            .zip(&self.columns)
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, (name, c))| c.to_field(name, config))
            .collect();
        let schema = Schema {
            fields,
            label: tandem_core::schema::Label {
                name: label.to_string(),
                task: self.columns[at].to_task(label, config)?,
            },
        };
        schema.validate()?;
        Ok(schema)
    }

    /// The name → format of every column whose present cells are all ISO dates.
    fn dates(&self) -> BTreeMap<String, &'static str> {
        self.header
            .iter()
            .zip(&self.columns)
            .filter_map(|(name, c)| Some((name.clone(), c.date_format()?)))
            .collect()
    }
}

/// Pass 1 over the file: each column's [`ColumnSummary`] (the label's keeps up to
/// [`MAX_LABEL_VALUES`] distinct values), in memory bounded whatever the file's size: what
/// streamed training and `tandem schema infer` read.
pub fn infer(
    input: &Input,
    label: Option<&str>,
    config: &InferConfig,
    observer: &mut dyn Observer,
) -> Result<Inferred> {
    let hash = Rc::new(RefCell::new(Sha256::new()));
    let mut stream = input.open(&NoFields, &hash)?;
    let summary = |name: &str, rows: u64| {
        let mut s = if Some(name.trim()) == label {
            ColumnSummary::new(MAX_LABEL_VALUES)
        } else {
            ColumnSummary::field(config)
        };
        s.skip(rows);
        s
    };
    let mut unreadable = (0, None);
    let mut header: Vec<String> = stream
        .header()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let mut columns: Vec<ColumnSummary> = header.iter().map(|h| summary(h, 0)).collect();
    let mut known: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    let mut first_column: Vec<String> = Vec::new();
    let mut rows = 0u64;
    let mut cells: Vec<String> = Vec::new();
    while let Some(raw) = stream.next_raw() {
        cells.clear();
        match raw {
            RawRow::Csv { record, .. } => cells.extend(record.iter().map(str::to_string)),
            RawRow::Json { text, .. } => {
                let Ok(serde_json::Value::Object(obj)) = serde_json::from_str(&text) else {
                    unreadable.0 += 1;
                    continue;
                };
                for k in jsonl::keys_in_order(&text).unwrap_or_default() {
                    if !known.contains_key(&k) {
                        known.insert(k.clone(), header.len());
                        columns.push(summary(&k, rows));
                        header.push(k);
                    }
                }
                cells.extend(header.iter().map(|k| jsonl::cell(obj.get(k))));
            }
            RawRow::Failed { row, error } if is_encoding_error(&error) => {
                return Err(input.error(Some(row), error.to_string()));
            }
            // Quarantined by the next pass; nothing to infer from.
            RawRow::Failed { row, error } => {
                unreadable.0 += 1;
                if unreadable.1.is_none() {
                    let reason = match error {
                        tandem_core::Error::Csv { reason, .. } => reason,
                        e => e.to_string(),
                    };
                    unreadable.1 = Some((row, reason));
                }
                continue;
            }
        }
        rows += 1;
        for (summary, cell) in columns.iter_mut().zip(&cells) {
            summary.push(cell, input.read);
        }
        if first_column.len() < INDEX_ROWS {
            first_column.push(cells.first().cloned().unwrap_or_default());
        }
        if (rows as usize).is_multiple_of(PROGRESS_EVERY) {
            observer.rows_read(Pass::Infer, rows as usize);
        }
    }
    observer.pass_finished(Pass::Infer, rows as usize);
    if rows == 0 {
        let reason = match &unreadable.1 {
            Some((row, why)) => format!(
                "no data rows: all {} rows are ragged (data row {row}: {why})",
                unreadable.0
            ),
            None => "no data rows".into(),
        };
        return Err(input.error(None, reason));
    }
    let first = header.first().cloned().unwrap_or_default();
    let dropped_index = header.len() > 1
        && is_unnamed(&first)
        && is_pandas_index(&first, first_column.iter().map(String::as_str));
    if dropped_index {
        header.remove(0);
        columns.remove(0);
    }
    // The names as the in-memory reader checks them (an `Unnamed: 3`, an empty or a
    // duplicate name).
    tandem_core::read::header::check_names(header.iter().map(String::as_str)).map_err(|e| {
        let e = tandem_core::Error::from(e);
        input.error(None, format!("[{}] {e}", e.code()))
    })?;
    Ok(Inferred {
        header: header.iter().map(|h| h.trim().to_string()).collect(),
        columns,
        dropped_index,
        unreadable,
    })
}

fn infer_config(plan: &Plan) -> InferConfig {
    InferConfig {
        read: plan.read.clone(),
        task: plan.task,
        ..InferConfig::default()
    }
}

/// The schema: the plan's file, or inferred from the summaries.
fn schema_of(input: &Input, plan: &Plan, inferred: &Inferred) -> Result<Schema> {
    if let Some(path) = &plan.schema {
        return crate::prepare::read_schema_file(plan, path);
    }
    if !inferred.header.contains(&plan.label) {
        return Err(input.error(
            None,
            format!("label column `{}` is not in the file", plan.label),
        ));
    }
    inferred.schema(&plan.label, &infer_config(plan))
}

/// Reads the rows against the schema and applies the training-only row nodes: the same
/// decisions on every pass.
struct Scanner<'a> {
    input: Input<'a>,
    plan: &'a Plan,
    schema: &'a Schema,
    filters: Vec<Condition>,
}

/// What a pass over the rows found.
#[derive(Default)]
struct Tally {
    rows: usize,
    dropped: Dropped,
    quarantined: Vec<Quarantined>,
    /// Whether this pass keeps the quarantined rows' records.
    keep: bool,
    parts: [usize; 3],
    sha256: String,
}

impl Tally {
    /// A quarantined row, its record kept on the pass that reports them.
    fn set_aside(&mut self, q: Quarantined) {
        if self.keep {
            self.quarantined.push(q);
        }
    }
}

impl Scanner<'_> {
    fn scan(
        &self,
        pass: Pass,
        observer: &mut dyn Observer,
        visit: &mut dyn FnMut(Kept) -> Result<()>,
    ) -> Result<Tally> {
        let plan = self.plan;
        let options = &plan.read;
        let hash = Rc::new(RefCell::new(Sha256::new()));
        let mut stream = self.input.open(self.schema, &hash)?;
        let label = &self.schema.label.name;
        let (columns, label_col) = match stream.header() {
            Some(h) => {
                let Some(at) = h.iter().position(|c| c == label) else {
                    let reason = format!("label column `{label}` is not in the file");
                    return Err(self.input.error(None, reason));
                };
                (csv_columns(self.schema, h).index, at)
            }
            None => (Vec::new(), 0),
        };
        let mut seen: HashSet<u64> = HashSet::new();
        // The fit pass reports the quarantine; the spill pass makes the same decisions.
        let mut tally = Tally {
            keep: pass == Pass::Fit,
            ..Tally::default()
        };
        while let Some(raw) = stream.next_raw() {
            tally.rows += 1;
            if tally.rows.is_multiple_of(PROGRESS_EVERY) {
                observer.rows_read(pass, tally.rows);
            }
            // A file in another encoding stops at its first such row, as in memory.
            if let RawRow::Failed { error, .. } = &raw
                && is_encoding_error(error)
            {
                return Err(self.input.error(Some(tally.rows), error.to_string()));
            }
            let Some((row, cell, instance)) =
                self.read(raw, tally.rows, &columns, label_col, &mut tally)
            else {
                continue;
            };
            let instance = match instance {
                Ok(i) => i,
                Err(e) => {
                    tally.set_aside(Quarantined::of(row, &e));
                    continue;
                }
            };
            let cell = cell.trim();
            let target = match read_label(self.schema, cell, row, options) {
                Ok(t) => t,
                Err(q) => {
                    tally.set_aside(q);
                    continue;
                }
            };
            if !self.filters.iter().all(|c| c.holds(&instance)) {
                tally.dropped.by_filter += 1;
                continue;
            }
            if plan.dedupe {
                let mut h = std::hash::DefaultHasher::new();
                format!("{:?}", instance.values).hash(&mut h);
                cell.hash(&mut h);
                if !seen.insert(h.finish()) {
                    tally.dropped.duplicates += 1;
                    continue;
                }
            }
            let part = Part::of(row, plan);
            tally.parts[part as usize] += 1;
            visit(Kept {
                row,
                part,
                instance,
                label: cell.to_string(),
                target,
            })?;
        }
        observer.pass_finished(pass, tally.rows);
        let digest = hash.borrow_mut().finalize_reset();
        tally.sha256 = tandem_core::bundle::hex(&digest);
        Ok(tally)
    }

    /// A row read: its number, label cell and instance; `None` when it was set aside
    /// (unreadable: quarantined; no label: dropped), counted in `tally`. `row`: the data row,
    /// counted over the records (CSV) or the non-blank lines (JSON Lines) as the in-memory
    /// reader counts them.
    fn read(
        &self,
        raw: RawRow,
        row: usize,
        columns: &[Option<usize>],
        label_col: usize,
        tally: &mut Tally,
    ) -> Option<(
        usize,
        String,
        std::result::Result<Instance, tandem_core::Error>,
    )> {
        let options = &self.plan.read;
        let label = &self.schema.label.name;
        let (row, cell, instance) = match raw {
            RawRow::Failed { error, .. } => {
                tally.set_aside(Quarantined::unreadable(row, &error));
                return None;
            }
            RawRow::Csv { record, .. } => {
                let cell = record.get(label_col).unwrap_or("").to_string();
                if is_missing(&cell, options) {
                    tally.dropped.missing_label += 1;
                    return None;
                }
                let inst = instance_from_record(self.schema, columns, &record, options)
                    .map_err(|e| e.at_row(row));
                (row, cell, inst)
            }
            RawRow::Json { text, .. } => {
                let parsed = serde_json::from_str(&text)
                    .map_err(|e| tandem_core::Error::Json {
                        row,
                        reason: e.to_string(),
                    })
                    .and_then(|v| jsonl::object(row, v));
                let obj = match parsed {
                    Ok(map) => map,
                    Err(error) => {
                        tally.set_aside(Quarantined::unreadable(row, &error));
                        return None;
                    }
                };
                // Keys are names as the header trims them.
                let get = |name: &str| {
                    obj.get(name)
                        .or_else(|| obj.iter().find(|(k, _)| k.trim() == name).map(|(_, v)| v))
                };
                let cell = jsonl::cell(get(label));
                if is_missing(&cell, options) {
                    tally.dropped.missing_label += 1;
                    return None;
                }
                // As text cells, as the in-memory reader reads a JSON Lines file.
                let record: csv::StringRecord = self
                    .schema
                    .fields
                    .iter()
                    .map(|f| jsonl::cell(get(&f.name)))
                    .collect();
                let in_order: Vec<Option<usize>> = (0..record.len()).map(Some).collect();
                let inst = instance_from_record(self.schema, &in_order, &record, options)
                    .map_err(|e| e.at_row(row));
                (row, cell, inst)
            }
        };
        Some((row, cell, instance))
    }
}

/// The shared nodes being fitted and the label's moments, fed the training rows.
struct Fitting {
    fitters: Vec<ColumnFitter>,
    count: usize,
    mean: f64,
    m2: f64,
    class_counts: Vec<usize>,
    samples: [Reservoir<Kept>; 3],
}

impl Fitting {
    fn new(plan: &Plan, schema: &Schema, columns: &[ColumnConfig]) -> Result<Fitting> {
        Ok(Fitting {
            fitters: columns
                .iter()
                .map(|c| c.fitter(schema).map_err(|e| fit_error(plan, c, None, e)))
                .collect::<Result<_>>()?,
            count: 0,
            mean: 0.0,
            m2: 0.0,
            class_counts: vec![0; schema.classes().map_or(0, <[String]>::len)],
            samples: [1, 2, 3].map(|k| Reservoir::new(plan.stream_sample, plan.seed ^ k)),
        })
    }

    /// A kept row: a training row feeds the fitters and the label's moments; every row is
    /// offered to its part's sample.
    fn push(&mut self, plan: &Plan, columns: &[ColumnConfig], kept: Kept) -> Result<()> {
        if kept.part == Part::Train {
            for (c, fitter) in columns.iter().zip(&mut self.fitters) {
                fitter
                    .push(&kept.instance.values)
                    .map_err(|e| fit_error(plan, c, Some(kept.row), e))?;
            }
            match kept.target {
                LabelValue::Class(k) => self.class_counts[k] += 1,
                LabelValue::Value(v) => {
                    self.count += 1;
                    let d = v - self.mean;
                    self.mean += d / self.count as f64;
                    self.m2 += d * (v - self.mean);
                }
            }
        }
        self.samples[kept.part as usize].offer(kept);
        Ok(())
    }

    /// The fitted shared nodes (a column that writes nothing left out) and, for a
    /// regression, the label's scaling; the fitters are spent.
    fn finish(
        &mut self,
        plan: &Plan,
        schema: &Schema,
        columns: &[ColumnConfig],
    ) -> Result<(Preprocessor, Option<TargetScaling>)> {
        let mut steps = Vec::new();
        for (c, fitter) in columns.iter().zip(std::mem::take(&mut self.fitters)) {
            let fitted = fitter.finish().map_err(|e| fit_error(plan, c, None, e))?;
            if fitted.width() > 0 {
                steps.push(Step::Column(fitted));
            }
        }
        if steps.is_empty() {
            return Err(Error::Plan(
                "no feature writes any column: nothing to learn from".into(),
            ));
        }
        let scaling = matches!(schema.label.task, Task::Regression).then(|| {
            let std = (self.m2 / self.count.max(1) as f64).sqrt();
            TargetScaling {
                mean: self.mean,
                scale: if std > 0.0 { std } else { 1.0 },
            }
        });
        Ok((Preprocessor { steps }, scaling))
    }
}

/// Pass 3: every training row's features and target, into a spill file.
fn spill(
    scanner: &Scanner,
    preprocessing: &Preprocessor,
    scaling: Option<&TargetScaling>,
    observer: &mut dyn Observer,
) -> Result<SpillFile> {
    let bound = preprocessing.bind(scanner.schema).map_err(Error::from)?;
    let mut spill = SpillWriter::new(bound.width())?;
    let mut features = Vec::with_capacity(bound.width());
    scanner.scan(Pass::Spill, observer, &mut |kept| {
        if kept.part != Part::Train {
            return Ok(());
        }
        features.clear();
        bound
            .transform_into(&kept.instance, TransformOptions::default(), &mut features)
            .map_err(|e| {
                scanner
                    .input
                    .error(Some(kept.row), format!("[{}] {e}", e.code()))
            })?;
        let target = match (kept.target, scaling) {
            (LabelValue::Value(v), Some(s)) => Target::Value(((v - s.mean) / s.scale) as f32),
            (LabelValue::Value(v), None) => Target::Value(v as f32),
            (LabelValue::Class(k), _) => Target::Class(k),
        };
        spill.push(&features, target)
    })?;
    spill.finish()
}

/// Read, check, split, fit and spill what `plan` names, as a stream.
pub fn prepare(
    plan: Plan,
    local: &Path,
    report: &tandem_sources::Report,
    observer: &mut dyn Observer,
) -> Result<Prepared> {
    refuse_whole_data_nodes(&plan)?;
    let input = Input {
        local,
        shown: &plan.data,
        read: &plan.read,
    };
    let declared = plan
        .spec
        .as_ref()
        .is_some_and(|s| !s.file.features.is_empty());
    // A given schema and declared features leave nothing to infer.
    let inferred = if plan.schema.is_some() && declared {
        None
    } else {
        let config = infer_config(&plan);
        Some(infer(&input, Some(&plan.label), &config, observer)?)
    };
    let schema = match &inferred {
        Some(inferred) => schema_of(&input, &plan, inferred)?,
        None => schema_of(&input, &plan, &Inferred::default())?,
    };
    let columns = columns_of(&plan, &schema, inferred.as_ref())?;
    let filters = plan
        .filters
        .iter()
        .map(|(src, span)| {
            Condition::parse(src, &schema)
                .map_err(|e| plan.error(span.clone(), &format!("filter {src:?}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let scanner = Scanner {
        input: Input {
            local,
            shown: &plan.data,
            read: &plan.read,
        },
        plan: &plan,
        schema: &schema,
        filters,
    };

    // Pass 2: fit.
    let mut fitting = Fitting::new(&plan, &schema, &columns)?;
    let tally = scanner.scan(Pass::Fit, observer, &mut |kept| {
        fitting.push(&plan, &columns, kept)
    })?;
    crate::prepare::check_quarantine(&plan, tally.rows, &tally.quarantined)?;
    if tally.parts[Part::Train as usize] == 0 || tally.parts[Part::Validation as usize] == 0 {
        return Err(Error::Plan(format!(
            "too few rows to split: {} training and {} validation rows of {} read",
            tally.parts[0], tally.parts[1], tally.rows
        )));
    }
    let (preprocessing, target_scaling) = fitting.finish(&plan, &schema, &columns)?;

    // Pass 3: spill the training rows' features.
    let train = spill(&scanner, &preprocessing, target_scaling.as_ref(), observer)?;
    let (rows, split) = sampled_rows(fitting.samples);
    let notes = report
        .lines()
        .into_iter()
        .chain(inferred.as_ref().is_some_and(|i| i.dropped_index).then(|| {
            "the first column is a pandas index (no name, distinct whole numbers): it was left \
             out"
            .to_string()
        }))
        .chain(std::iter::once(format!(
            "trained as a stream: {} rows read three times, never held whole; {} training \
             rows spilled to disk; metrics, warnings and the drift reference on uniform samples \
             of at most {} rows per split",
            tally.rows, tally.parts[0], plan.stream_sample
        )))
        .collect();
    Ok(Prepared {
        data_sha256: tally.sha256,
        schema,
        rows,
        dropped: tally.dropped,
        winsorize: Vec::new(),
        columns,
        split,
        notes,
        quarantined: tally.quarantined,
        source: report.clone(),
        streamed: Some(Streamed {
            preprocessing,
            target_scaling,
            train,
            class_counts: fitting.class_counts,
            parts: tally.parts,
        }),
        plan,
    })
}

/// The shared nodes: the spec's features or the default pipeline (dates as pass 1 found
/// them).
fn columns_of(
    plan: &Plan,
    schema: &Schema,
    inferred: Option<&Inferred>,
) -> Result<Vec<ColumnConfig>> {
    let mut columns = match &plan.spec {
        Some(spec) => features::compile(spec, schema)?,
        None => features::defaults(schema, plan.text_min_df, plan.text_max_features),
    };
    if let Some(inferred) = inferred
        && plan
            .spec
            .as_ref()
            .is_none_or(|s| s.file.features.is_empty())
    {
        crate::prepare::encode_dates(&mut columns, schema, &inferred.dates());
    }
    Ok(columns)
}

/// Cross-validation, winsorizing and oversampling need every row at once.
fn refuse_whole_data_nodes(plan: &Plan) -> Result<()> {
    let refuse = |what: &str| {
        Err(Error::Plan(format!(
            "{what} needs every row in memory, and this data trains as a stream (--stream on, \
             [data] stream = true, or a file over {} MiB): train in memory with --stream off \
             ([data] stream = false) if it fits, on a sample, or leave {what} out",
            STREAM_ABOVE >> 20
        )))
    };
    if plan.folds.is_some() {
        return refuse("cross-validation ([split] folds)");
    }
    if !plan.winsorize.is_empty() {
        return refuse("winsorize");
    }
    if plan.rebalance == crate::spec::Rebalance::Oversample {
        return refuse("rebalance = \"oversample\"");
    }
    Ok(())
}

fn fit_error(plan: &Plan, c: &ColumnConfig, row: Option<usize>, e: ColumnFitError) -> Error {
    match e {
        ColumnFitError::Invalid(why) => Error::Feature {
            feature: c.name.clone(),
            reason: why.to_string(),
        },
        ColumnFitError::Row(_, e) => Error::Data {
            path: plan.data.clone(),
            row,
            reason: format!("feature `{}`: [{}] {e}", c.name, e.code()),
        },
    }
}

/// The samples as labelled rows (each part in row order) and the split into them.
fn sampled_rows(samples: [Reservoir<Kept>; 3]) -> (Labeled, Split) {
    let mut rows = Labeled {
        instances: Vec::new(),
        labels: Vec::new(),
        classes: Vec::new(),
        values: Vec::new(),
        source_rows: Vec::new(),
    };
    let mut parts: [Vec<usize>; 3] = Default::default();
    for (p, sample) in samples.into_iter().enumerate() {
        let mut items = sample.items;
        items.sort_by_key(|k| k.row);
        for k in items {
            parts[p].push(rows.len());
            match k.target {
                LabelValue::Class(c) => rows.classes.push(c),
                LabelValue::Value(v) => rows.values.push(v),
            }
            rows.labels.push(k.label);
            rows.source_rows.push(k.row);
            rows.instances.push(k.instance);
        }
    }
    let [train, validation, test] = parts;
    (
        rows,
        Split {
            train,
            validation,
            test,
        },
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::spill::Rows;
    use crate::trainer::Targets;

    /// 3,000 rows with every kind of field, missing cells, exact duplicates, a ragged row,
    /// rows that break the schema, rows without a label and rows a filter removes; and their
    /// schema.
    fn data(dir: &Path) -> std::path::PathBuf {
        let mut rng = SplitMix64::new(7);
        let mut csv = String::from("name,amount,colour,day,kind\n");
        let words = [
            "red fox",
            "blue whale",
            "green frog",
            "grey wolf",
            "tiny ant",
        ];
        let colours = ["red", "blue", "green", ""];
        for i in 0..3000u64 {
            let r = rng.next_u64();
            if i == 500 {
                csv.push_str("ragged,1\n");
                continue;
            }
            if i == 900 {
                csv.push_str("x,not a number,red,2024-01-01,a\n");
                continue;
            }
            if i == 1200 {
                csv.push_str("x,1.5,red,2024-01-01,zebra\n");
                continue;
            }
            if i % 250 == 7 {
                // The previous row again: dedupe drops it.
                let last = csv.lines().last().unwrap().to_string();
                csv.push_str(&last);
                csv.push('\n');
                continue;
            }
            let amount = if r.is_multiple_of(17) {
                String::new()
            } else {
                format!("{:.2}", (r % 10_000) as f64 / 37.0 - 40.0)
            };
            let kind = match (r >> 8) % 7 {
                0 if i % 3 == 0 => "",
                0..=2 => "a",
                3..=4 => "b",
                _ => "c",
            };
            csv.push_str(&format!(
                "{} {},{amount},{},2024-{:02}-{:02},{kind}\n",
                words[(r >> 16) as usize % 5],
                (r >> 20) % 50,
                colours[(r >> 24) as usize % 4],
                1 + (r >> 28) % 12,
                1 + (r >> 32) % 28,
            ));
        }
        let path = dir.join("rows.csv");
        std::fs::write(&path, csv).unwrap();
        let schema = r#"{"fields": [
            {"name": "name", "type": "text", "nullable": false},
            {"name": "amount", "type": "number", "nullable": true},
            {"name": "colour", "type": "category", "nullable": true,
             "categories": ["blue", "green", "red"]},
            {"name": "day", "type": "text", "nullable": false}],
            "label": {"name": "kind",
                      "task": {"kind": "classification", "classes": ["a", "b", "c"]}}}"#;
        std::fs::write(dir.join("schema.json"), schema).unwrap();
        let spec = format!(
            "version = 1\n[data]\npath = {:?}\nlabel = \"kind\"\nschema = \"schema.json\"\n[split]\nvalidation = 0.2\n\
             test = 0.1\nseed = 3\n[training]\ndedupe = true\nfilter = [\"amount > 0\"]\n",
            path.to_str().unwrap()
        );
        let spec_path = dir.join("tandem.toml");
        std::fs::write(&spec_path, spec).unwrap();
        spec_path
    }

    /// The in-memory run's shared nodes fitted on `rows`.
    fn fit_in_memory(memory: &Prepared, rows: &[Instance]) -> Preprocessor {
        let steps = memory
            .columns
            .iter()
            .map(|c| c.fit(&memory.schema, rows).unwrap())
            .filter(|p| p.width() > 0)
            .map(Step::Column)
            .collect();
        Preprocessor { steps }
    }

    #[test]
    fn a_streamed_fit_equals_the_in_memory_fit_on_the_same_training_rows() {
        let dir = tempfile::tempdir().unwrap();
        let spec = data(dir.path());
        let mut plan = Plan::from_spec(&spec).unwrap();
        plan.stream = Some(true);
        let streamed = crate::prepare(plan).unwrap();
        let mut plan = Plan::from_spec(&spec).unwrap();
        plan.stream = Some(false);
        let memory = crate::prepare(plan).unwrap();

        // The same schema, features, quarantine and drops.
        assert_eq!(streamed.schema, memory.schema);
        assert_eq!(streamed.columns, memory.columns);
        assert!(
            matches!(
                streamed
                    .columns
                    .iter()
                    .find(|c| c.name == "day")
                    .unwrap()
                    .encode,
                tandem_core::prep::EncodeConfig::Datetime { .. }
            ),
            "the date column is read as a date"
        );
        let q = |p: &Prepared| {
            p.quarantined
                .iter()
                .map(|q| (q.row, q.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            q(&streamed),
            vec![(501, "CSV"), (901, "WRONG_TYPE"), (1201, "BAD_LABEL")]
        );
        assert_eq!(q(&streamed), q(&memory));
        let d = |p: &Prepared| {
            let d = p.dropped;
            (d.missing_label, d.by_filter, d.duplicates)
        };
        assert_eq!(d(&streamed), d(&memory));
        assert!(d(&memory).0 > 0 && d(&memory).1 > 0 && d(&memory).2 > 0);
        assert_eq!(streamed.data_sha256, memory.data_sha256);

        // The training part: the rows whose hashed part is Train, fitted in memory.
        let plan = &streamed.plan;
        let train: Vec<usize> = (0..memory.rows.len())
            .filter(|&i| Part::of(memory.rows.source_rows[i], plan) == Part::Train)
            .collect();
        let s = streamed.streamed.as_ref().unwrap();
        let parts: usize = s.parts.iter().sum();
        assert_eq!(parts, memory.rows.len());
        assert_eq!(s.parts[0], train.len());
        assert!(s.parts[1] > 400 && s.parts[2] > 150, "{:?}", s.parts);
        let rows = memory.rows.pick(&train);
        let fitted = fit_in_memory(&memory, &rows);
        assert_eq!(
            serde_json::to_value(&s.preprocessing).unwrap(),
            serde_json::to_value(&fitted).unwrap()
        );

        // The spill file holds those rows' features and classes, in row order.
        let bound = fitted.bind(&memory.schema).unwrap();
        let mut want = Vec::new();
        for r in &rows {
            bound
                .transform_into(r, TransformOptions::default(), &mut want)
                .unwrap();
        }
        let all: Vec<usize> = (0..s.train.len()).collect();
        let (got, targets) = s.train.gather(&all).unwrap();
        assert_eq!(got, want);
        let Targets::Classes(classes) = targets else {
            panic!("classes")
        };
        let want: Vec<usize> = train.iter().map(|&i| memory.rows.classes[i]).collect();
        assert_eq!(classes, want);

        // Below the sample size the samples are the parts themselves.
        assert_eq!(streamed.split.train.len(), s.parts[0]);
        assert_eq!(streamed.split.validation.len(), s.parts[1]);
        assert_eq!(streamed.split.test.len(), s.parts[2]);
    }

    #[test]
    fn a_streamed_schema_is_inferred_as_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let spec = data(dir.path());
        let prepared = |stream: bool| {
            let mut plan = Plan::from_spec(&spec).unwrap();
            plan.stream = Some(stream);
            plan.schema = None;
            plan.filters.clear();
            crate::prepare(plan).unwrap()
        };
        let (streamed, memory) = (prepared(true), prepared(false));
        assert_eq!(streamed.schema, memory.schema);
        assert_eq!(streamed.columns, memory.columns);
        assert_eq!(
            streamed.schema.classes().unwrap(),
            ["a", "b", "c", "zebra"].map(String::from)
        );
    }

    /// JSON Lines with blank lines and typed values (numbers, a number in a category): the
    /// same rows, numbers, quarantine and fit streamed as in memory.
    #[test]
    fn json_lines_stream_as_they_read_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let spec = data(dir.path());
        let csv_text = std::fs::read_to_string(dir.path().join("rows.csv")).unwrap();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(csv_text.as_bytes());
        let header = rdr.headers().unwrap().clone();
        let mut lines = Vec::new();
        for (i, r) in rdr.records().enumerate() {
            let r = r.unwrap();
            if r.len() != header.len() {
                lines.push("[\"not an object\"]".to_string());
                continue;
            }
            let mut o = serde_json::Map::new();
            for (k, v) in header.iter().zip(r.iter()) {
                let value = match (k, v.parse::<f64>()) {
                    ("amount", Ok(x)) => serde_json::json!(x),
                    _ if v.is_empty() => serde_json::Value::Null,
                    _ => serde_json::json!(v),
                };
                o.insert(k.to_string(), value);
            }
            if i % 97 == 5 {
                o.insert("colour".into(), serde_json::json!(1.0));
            }
            lines.push(serde_json::Value::Object(o).to_string());
            if i % 400 == 3 {
                lines.push(String::new());
            }
        }
        std::fs::write(dir.path().join("rows.jsonl"), lines.join("\n") + "\n").unwrap();
        let prepared = |stream: bool| {
            let mut plan = Plan::from_spec(&spec).unwrap();
            plan.data = dir.path().join("rows.jsonl");
            plan.source = None;
            plan.stream = Some(stream);
            // `amount` reads as text here (one row writes "not a number"): no filter on it.
            plan.filters.clear();
            crate::prepare(plan).unwrap()
        };
        let (streamed, memory) = (prepared(true), prepared(false));
        assert_eq!(streamed.schema, memory.schema);
        let q = |p: &Prepared| {
            p.quarantined
                .iter()
                .map(|q| (q.row, q.code, q.reason.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(q(&streamed), q(&memory));
        assert!(!q(&memory).is_empty());
        let s = streamed.streamed.as_ref().unwrap();
        let train: Vec<usize> = (0..memory.rows.len())
            .filter(|&i| Part::of(memory.rows.source_rows[i], &streamed.plan) == Part::Train)
            .collect();
        assert_eq!(s.parts[0], train.len());
        let fitted = fit_in_memory(&memory, &memory.rows.pick(&train));
        assert_eq!(
            serde_json::to_value(&s.preprocessing).unwrap(),
            serde_json::to_value(fitted).unwrap()
        );
    }

    /// JSON keys with spaces read as the trimmed names the header gives them, and header
    /// names are checked as in memory.
    #[test]
    fn keys_and_names_read_as_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = (0..200)
            .map(|i| {
                let kind = if i % 3 == 0 { "a" } else { "b" };
                format!("{{\" size \": {}, \" kind\": \"{kind}\"}}", i % 17)
            })
            .collect();
        let jsonl = dir.path().join("spaced.jsonl");
        std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
        let unnamed = dir.path().join("unnamed.csv");
        std::fs::write(&unnamed, "size,Unnamed: 1,kind\n1,2,a\n3,4,b\n").unwrap();
        let run = |data: &Path, stream: bool| {
            let spec = dir.path().join("tandem.toml");
            let text = format!(
                "version = 1\n[data]\npath = {:?}\nlabel = \"kind\"\n",
                data.to_str().unwrap()
            );
            std::fs::write(&spec, text).unwrap();
            let mut plan = Plan::from_spec(&spec).unwrap();
            plan.stream = Some(stream);
            crate::prepare(plan)
        };
        let (streamed, memory) = (run(&jsonl, true).unwrap(), run(&jsonl, false).unwrap());
        assert_eq!(streamed.schema, memory.schema);
        assert!(streamed.quarantined.is_empty());
        assert_eq!(
            streamed
                .streamed
                .as_ref()
                .unwrap()
                .parts
                .iter()
                .sum::<usize>(),
            200
        );
        let code = |r: Result<Prepared>| match r {
            Ok(_) => panic!("an unnamed column is an error"),
            Err(e) => e.to_string(),
        };
        let (a, b) = (code(run(&unnamed, true)), code(run(&unnamed, false)));
        assert!(
            a.contains("EMPTY_HEADER") && b.contains("EMPTY_HEADER"),
            "{a} / {b}"
        );
    }

    #[test]
    fn nodes_that_need_every_row_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let spec = data(dir.path());
        let mut plan = Plan::from_spec(&spec).unwrap();
        plan.stream = Some(true);
        plan.folds = Some(3);
        let Err(e) = crate::prepare(plan) else {
            panic!("folds refused")
        };
        assert!(e.to_string().contains("cross-validation"), "{e}");
    }

    #[test]
    fn a_reservoir_is_a_uniform_sample() {
        let mut counts = [0usize; 10];
        for seed in 0..2000 {
            let mut r = Reservoir::new(3, seed);
            for i in 0..10 {
                r.offer(i);
            }
            assert_eq!(r.items.len(), 3);
            for i in r.items {
                counts[i] += 1;
            }
        }
        // Each item is kept 3/10 of the time: 600 of 2000, within a few standard deviations.
        for c in counts {
            assert!((520..=680).contains(&c), "{counts:?}");
        }
    }
}
