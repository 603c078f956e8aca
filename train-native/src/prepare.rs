//! Plan → rows ready to fit: read the data and its schema, apply the training-only row nodes
//! (missing labels, filters, deduplication), resolve winsorized fields, compile the shared
//! feature nodes, and split.

use std::collections::BTreeMap;
use std::path::Path;

use tandem_core::prep::{ColumnConfig, EncodeConfig};
use tandem_core::schema::{InferConfig, infer_dates, infer_schema};
use tandem_core::{FieldType, Schema};

use crate::error::{Error, Result};
use crate::nodes::{self, Condition};
use crate::observer::Observer;
use crate::pipeline::{Context, Labeled, Quarantined};
use crate::plan::Plan;
use crate::spec::features;
use crate::split::{Split, stratified_split};
use crate::stream::{STREAM_ABOVE, Streamed};
use crate::table::Table;

/// Rows the training-only row nodes removed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dropped {
    /// Rows without a label.
    pub missing_label: usize,
    /// Rows a filter rejected.
    pub by_filter: usize,
    /// Exact duplicates.
    pub duplicates: usize,
}

/// A plan with its data read, checked and split: what fitting starts from.
pub struct Prepared {
    /// The plan.
    pub plan: Plan,
    /// SHA-256 of the data file's bytes.
    pub data_sha256: String,
    /// The input schema (given or inferred).
    pub schema: Schema,
    /// Labelled rows after the training-only row nodes.
    pub rows: Labeled,
    /// What those nodes dropped.
    pub dropped: Dropped,
    /// Winsorized fields: (field index, low quantile, high quantile).
    pub winsorize: Vec<(usize, f64, f64)>,
    /// The shared nodes to fit, one per feature.
    pub columns: Vec<ColumnConfig>,
    /// Train, validation and test rows (indices into `rows`).
    pub split: Split,
    /// What the user should know about how the data was read (a dropped pandas index).
    pub notes: Vec<String>,
    /// Rows set aside because they break the schema, with their reasons.
    pub quarantined: Vec<Quarantined>,
    /// What reading the source found (rows, window, label join), recorded with the run.
    pub source: tandem_sources::Report,
    /// Trained as a stream: `rows` holds uniform samples of each part of the split, and
    /// this the preprocessing fitted on every training row and their features on disk.
    pub streamed: Option<Streamed>,
}

impl Prepared {
    /// What fitting needs, borrowed from here.
    pub fn context(&self) -> Context<'_> {
        Context {
            schema: &self.schema,
            rows: &self.rows,
            columns: &self.columns,
            winsorize: &self.winsorize,
            rebalance: self.plan.rebalance,
            model: &self.plan.model,
            seed: self.plan.seed,
            data: &self.plan.data,
            streamed: self.streamed.as_ref(),
        }
    }

    /// Rows in the train, validation and test parts (all of them, not the samples a
    /// streamed run keeps).
    pub fn part_rows(&self) -> [usize; 3] {
        match &self.streamed {
            Some(s) => s.parts,
            None => [
                self.split.train.len(),
                self.split.validation.len(),
                self.split.test.len(),
            ],
        }
    }
}

/// Read, check and split what `plan` names.
pub fn prepare(plan: Plan) -> Result<Prepared> {
    prepare_observed(plan, &mut crate::observer::Silent)
}

/// As [`prepare`], telling `observer` how reading goes (a streamed run's passes).
pub fn prepare_observed(plan: Plan, observer: &mut dyn Observer) -> Result<Prepared> {
    plan.check()?;
    let data = plan
        .dataset()?
        .materialize(&tandem_sources::url::FetchOptions::from_env())?;
    let size = std::fs::metadata(data.path()).map_or(0, |m| m.len());
    if plan.stream.unwrap_or(size > STREAM_ABOVE) {
        return crate::stream::prepare(plan, data.path(), &data.report, observer);
    }
    let table = Table::read_as(data.path(), &plan.data, &plan.read)?;
    let schema = read_schema(&plan, &table)?;
    let (mut rows, missing_label, quarantined) =
        Labeled::read(&table, &schema, &plan.data, &plan.read)?;
    check_quarantine(&plan, table.rows_read(), &quarantined)?;
    let mut dropped = Dropped {
        missing_label,
        ..Dropped::default()
    };
    for (src, span) in &plan.filters {
        let cond = Condition::parse(src, &schema)
            .map_err(|e| plan.error(span.clone(), &format!("filter {src:?}: {e}")))?;
        let keep: Vec<usize> = (0..rows.len())
            .filter(|&i| cond.holds(&rows.instances[i]))
            .collect();
        dropped.by_filter += rows.len() - keep.len();
        rows.retain(&keep);
    }
    if plan.dedupe {
        let keep = nodes::dedupe(&rows.instances, &rows.labels);
        dropped.duplicates = rows.len() - keep.len();
        rows.retain(&keep);
    }
    let winsorize = winsorized_fields(&plan, &schema)?;
    let mut columns = match &plan.spec {
        Some(spec) => features::compile(spec, &schema)?,
        None => features::defaults(&schema, plan.text_min_df, plan.text_max_features),
    };
    if plan
        .spec
        .as_ref()
        .is_none_or(|s| s.file.features.is_empty())
    {
        let dates = infer_dates(&table.header_strings(), &table.row_strings(), &plan.read);
        encode_dates(&mut columns, &schema, &dates);
    }
    let split = stratified_split(&rows.groups(), plan.validation, plan.test, plan.seed);
    if split.train.is_empty() || split.validation.is_empty() {
        return Err(Error::Plan(crate::split::too_small(
            &rows.groups(),
            schema.classes(),
            plan.validation,
        )));
    }
    Ok(Prepared {
        notes: data
            .report
            .lines()
            .into_iter()
            .chain(table.note())
            .collect(),
        source: data.report.clone(),
        data_sha256: table.sha256,
        plan,
        schema,
        rows,
        dropped,
        winsorize,
        columns,
        split,
        quarantined,
        streamed: None,
    })
}

/// Fail the run when more than `max_invalid_fraction` of the rows break the schema, naming
/// the first few.
pub(crate) fn check_quarantine(
    plan: &Plan,
    rows: usize,
    quarantined: &[Quarantined],
) -> Result<()> {
    let share = quarantined.len() as f64 / rows.max(1) as f64;
    if quarantined.is_empty() || share <= plan.max_invalid_fraction {
        return Ok(());
    }
    let first: Vec<String> = quarantined
        .iter()
        .take(5)
        .map(|q| format!("[{}] {}", q.code, q.reason))
        .collect();
    Err(Error::Data {
        path: plan.data.clone(),
        row: None,
        reason: format!(
            "{} of {rows} rows ({:.1}%) break the schema, more than the {:.1}% allowed \
             (--max-invalid-fraction, spec [data] max_invalid_fraction): {}",
            quarantined.len(),
            share * 100.0,
            plan.max_invalid_fraction * 100.0,
            first.join("; ")
        ),
    })
}

/// The schema file the plan names, or else the schema inferred from the data.
fn read_schema(plan: &Plan, table: &Table) -> Result<Schema> {
    let Some(path) = &plan.schema else {
        if table.column(&plan.label).is_none() {
            return Err(Error::Data {
                path: plan.data.clone(),
                row: None,
                reason: format!("label column `{}` is not in the file", plan.label),
            });
        }
        let config = InferConfig {
            read: plan.read.clone(),
            task: plan.task,
            ..InferConfig::default()
        };
        return infer_schema(
            &table.header_strings(),
            &table.row_strings(),
            &plan.label,
            &config,
        )
        .map_err(Error::from);
    };
    read_schema_file(plan, path)
}

/// The schema file `path`, whose label must be the plan's.
pub(crate) fn read_schema_file(plan: &Plan, path: &Path) -> Result<Schema> {
    let s = schema_file(path)?;
    if s.label.name != plan.label {
        return Err(Error::Schema {
            path: path.to_path_buf(),
            reason: format!("it has label `{}`, not `{}`", s.label.name, plan.label),
        });
    }
    Ok(s)
}

/// The default pipeline reads a text field written as ISO dates (`dates`: name → format)
/// with `encode = "datetime"` (its default parts) instead of as words.
pub(crate) fn encode_dates(
    columns: &mut [ColumnConfig],
    schema: &Schema,
    dates: &BTreeMap<String, &'static str>,
) {
    for c in columns.iter_mut() {
        let is_text = schema
            .field(&c.name)
            .is_some_and(|f| f.kind == FieldType::Text);
        if let (true, Some(format)) = (is_text, dates.get(&c.name)) {
            c.encode = EncodeConfig::Datetime {
                format: (*format).to_string(),
                parts: crate::spec::defaults::DATETIME_PARTS.to_vec(),
            };
        }
    }
}

fn schema_file(path: &Path) -> Result<Schema> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |reason: String| Error::Schema {
        path: path.to_path_buf(),
        reason,
    };
    let s: Schema = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    s.validate()
        .map_err(|e| invalid(format!("[{}] {e}", e.code())))?;
    Ok(s)
}

/// Resolve each winsorized field to its index; it must be a numeric input field.
fn winsorized_fields(plan: &Plan, schema: &Schema) -> Result<Vec<(usize, f64, f64)>> {
    plan.winsorize
        .iter()
        .map(|(w, span)| {
            let i = schema
                .fields
                .iter()
                .position(|f| {
                    f.name == w.field && matches!(f.kind, FieldType::Number | FieldType::Integer)
                })
                .ok_or_else(|| {
                    plan.error(
                        span.clone(),
                        &format!("winsorize: `{}` is not a numeric input field", w.field),
                    )
                })?;
            Ok((i, w.low, w.high))
        })
        .collect()
}
