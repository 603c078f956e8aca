//! Schema inference from a table of raw string cells (native only, feature `fit`).
//!
//! Cells are read with the same [`ReadOptions`] as the instances later are: a missing
//! marker (`?` with `na_values`, pandas' `NaN`, `n/a`, `#N/A`, ...) leaves a number column a
//! number, and so does a thousands separator or a decimal comma the options declare.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Field, Label, Schema, Task};
use crate::Error;
use crate::prep::DateTime;
use crate::read::ReadOptions;

/// The task a user asks for (`--task`, `task` in a spec's `[data]`), instead of inferring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Pick one of the label's values.
    Classification,
    /// Predict the label's number.
    Regression,
}

impl std::str::FromStr for TaskKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "classification" => Ok(TaskKind::Classification),
            "regression" => Ok(TaskKind::Regression),
            other => Err(format!(
                "unknown task `{other}` (classification or regression)"
            )),
        }
    }
}

/// Knobs for schema inference.
#[derive(Debug, Clone)]
pub struct InferConfig {
    /// A string column with at most this many distinct values is categorical, else text.
    pub max_categories: usize,
    /// A string column whose distinct values exceed this fraction of its rows is text.
    pub max_category_ratio: f64,
    /// A whole-number label is a classification only with at most this many distinct values.
    pub max_label_classes: usize,
    /// ... and at least this many rows per distinct value on average.
    pub min_rows_per_class: usize,
    /// How the cells are written.
    pub read: ReadOptions,
    /// The task, when the user gives it.
    pub task: Option<TaskKind>,
}

impl Default for InferConfig {
    fn default() -> Self {
        InferConfig {
            max_categories: 50,
            max_category_ratio: 0.5,
            max_label_classes: 20,
            min_rows_per_class: 5,
            read: ReadOptions::default(),
            task: None,
        }
    }
}

/// The ISO 8601 shapes a text column is recognised as a date in, most specific first.
pub(crate) const ISO_FORMATS: [&str; 9] = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M",
];

/// The ISO format every present cell is written in (`%Y-%m-%d`, with a time, with a zone),
/// if there is one: such a column is a date (a `text` field the default pipeline encodes
/// with `encode = "datetime"`).
pub fn iso_date_format(present: &[&str]) -> Option<&'static str> {
    if present.is_empty() {
        return None;
    }
    ISO_FORMATS
        .into_iter()
        .find(|f| present.iter().all(|c| DateTime::parse(c, f).is_some()))
}

/// A summary of `cells`, keeping up to `cap` distinct values.
fn summarize(cells: &[&str], cap: usize, read: &ReadOptions) -> ColumnSummary {
    let mut summary = ColumnSummary::new(cap);
    for c in cells {
        summary.push(c, read);
    }
    summary
}

/// Infer a schema from a header and rows of raw cells.
///
/// Numeric columns (every present cell parses as a finite number) become `integer` or
/// `number`; columns of boolean words become `boolean`; ISO dates become `text`; other
/// string columns with few distinct values become `category`, the rest `text`. The label's
/// task is `config.task` when given, else see [`infer_task`].
pub fn infer_schema(
    header: &[String],
    rows: &[Vec<String>],
    label: &str,
    config: &InferConfig,
) -> Result<Schema, Error> {
    let Some(label_idx) = header.iter().position(|h| h == label) else {
        return Err(Error::Schema(format!(
            "label column `{label}` not in header ({})",
            header.join(", ")
        )));
    };
    let mut fields = Vec::new();
    for (col, name) in header.iter().enumerate() {
        if col != label_idx {
            fields.push(infer_field(name, &column(rows, col), config));
        }
    }
    let schema = Schema {
        fields,
        label: Label {
            name: label.to_string(),
            task: infer_task(label, &column(rows, label_idx), config)?,
        },
    };
    schema.validate()?;
    Ok(schema)
}

/// Infer every column's field (no label): what `tandem schema infer` shows.
pub fn infer_fields(
    header: &[String],
    rows: &[Vec<String>],
    config: &InferConfig,
) -> Result<Vec<Field>, Error> {
    Ok(header
        .iter()
        .enumerate()
        .map(|(col, name)| infer_field(name, &column(rows, col), config))
        .collect())
}

/// The name → format of every column [`iso_date_format`] recognises.
pub fn infer_dates(
    header: &[String],
    rows: &[Vec<String>],
    read: &ReadOptions,
) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    for (col, name) in header.iter().enumerate() {
        if let Some(f) = summarize(&column(rows, col), 0, read).date_format() {
            out.insert(name.clone(), f);
        }
    }
    out
}

fn column(rows: &[Vec<String>], col: usize) -> Vec<&str> {
    rows.iter()
        .map(|r| r.get(col).map(String::as_str).unwrap_or(""))
        .collect()
}

/// The label's task: the one asked for, else a classification for strings and for a few
/// whole numbers (at most `max_label_classes` distinct values and `min_rows_per_class` rows
/// each on average), else a regression (a number with a fraction, or many distinct values).
pub fn infer_task(label: &str, cells: &[&str], config: &InferConfig) -> Result<Task, Error> {
    summarize(cells, usize::MAX, &config.read).to_task(label, config)
}

fn infer_field(name: &str, cells: &[&str], config: &InferConfig) -> Field {
    let mut summary = ColumnSummary::field(config);
    for c in cells {
        summary.push(c, &config.read);
    }
    summary.to_field(name, config)
}

#[cfg(test)]
mod tests;

mod summary;
pub use summary::ColumnSummary;
