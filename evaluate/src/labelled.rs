//! A labelled file read against a model's schema: each data row's instance and its true
//! label, or why either cannot be read. Nothing is dropped: a row with a missing or unknown
//! label, or a bad field, stays in the list with its reason, so an evaluation can count and
//! list the rows it could not score.

use tandem_core::read::{
    Format, ReadError, ReadOptions, csv_columns, instance_from_record, is_missing, parse_number,
};
use tandem_core::{Error, Instance, Schema, Task};

/// A true label: a class index or a target value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Label {
    /// The index of the class in the schema's classes.
    Class(usize),
    /// A regression target.
    Value(f64),
}

/// One data row of a labelled file.
#[derive(Debug)]
pub struct LabelledRow {
    /// Its 1-based data row.
    pub row: usize,
    /// The instance, or why its fields do not read.
    pub instance: Result<Instance, Error>,
    /// The label, or why it does not read.
    pub label: Result<Label, LabelError>,
}

/// Why a row's label does not read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LabelError {
    /// The cell is empty or a missing marker.
    #[error("the label is missing")]
    Missing,
    /// Not one of the model's classes.
    #[error("label {found:?} is not a class the model knows ({classes})")]
    UnknownClass {
        /// The cell, trimmed.
        found: String,
        /// The model's classes, comma separated.
        classes: String,
    },
    /// Not a finite number (regression).
    #[error("label {found:?} is not a finite number")]
    NotANumber {
        /// The cell, trimmed.
        found: String,
    },
}

impl LabelError {
    /// The stable code: `MISSING_LABEL`, `UNKNOWN_LABEL` or `BAD_LABEL`.
    pub fn code(&self) -> &'static str {
        match self {
            LabelError::Missing => "MISSING_LABEL",
            LabelError::UnknownClass { .. } => "UNKNOWN_LABEL",
            LabelError::NotANumber { .. } => "BAD_LABEL",
        }
    }
}

/// Why a labelled file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LabelledError {
    /// The file does not read as a table (CSV or JSON Lines).
    #[error(transparent)]
    Read(#[from] Error),
    /// It has no column of this name.
    #[error("the file has no label column `{label}` (columns: {columns})")]
    NoLabel {
        /// The label column sought.
        label: String,
        /// The file's columns, comma separated.
        columns: String,
    },
}

impl LabelledError {
    /// The stable code: the read error's (`MISSING_FIELD`, `CSV`, ...), or `MISSING_LABEL` for
    /// a file without the label column.
    pub fn code(&self) -> &'static str {
        match self {
            LabelledError::Read(e) => e.code(),
            LabelledError::NoLabel { .. } => "MISSING_LABEL",
        }
    }
}

/// Read `bytes` (CSV or JSON Lines) against `schema`, the label in column `label`.
pub fn read_labelled(
    schema: &Schema,
    bytes: &[u8],
    options: &ReadOptions,
    label: &str,
) -> Result<Vec<LabelledRow>, LabelledError> {
    let table = tandem_core::read::read_table(bytes, options)?;
    let label_col = table
        .header
        .iter()
        .position(|h| h == label)
        .ok_or_else(|| LabelledError::NoLabel {
            label: label.to_string(),
            columns: table.header.iter().collect::<Vec<_>>().join(", "),
        })?;
    let columns = csv_columns(schema, &table.header);
    // As tandem predict reads a CSV file: a field without a column would be missing in every
    // row and scored from imputed values, so the file is refused (MISSING_FIELD). A JSON
    // Lines record may leave a key out: that value is missing, as in predict.
    let absent = columns.absent(schema);
    if matches!(table.format, Format::Csv { .. }) && !absent.is_empty() {
        return Err(Error::from(ReadError::MissingColumns {
            missing: absent.into_iter().map(str::to_string).collect(),
        })
        .into());
    }
    let mut rows: Vec<LabelledRow> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let row = table.row_number(i);
            let instance = instance_from_record(schema, &columns.index, record, options)
                .map_err(|e| e.at_row(row));
            let label = read_label(schema, record.get(label_col).unwrap_or(""), options);
            LabelledRow {
                row,
                instance,
                label,
            }
        })
        .collect();
    // A ragged CSV record or a JSON line that is not an object is that row's error, listed
    // with the others, never dropped.
    for (row, reason) in &table.malformed {
        let (row, reason) = (*row, reason.clone());
        rows.push(LabelledRow {
            row,
            instance: Err(match table.format {
                tandem_core::read::Format::JsonLines => Error::Json { row, reason },
                tandem_core::read::Format::Csv { .. } => Error::Csv { row, reason },
            }),
            label: Err(LabelError::Missing),
        });
    }
    rows.sort_by_key(|r| r.row);
    Ok(rows)
}

/// The label in `cell`, as training read it: trimmed, a class by exact name, a number by
/// the file's number format.
fn read_label(schema: &Schema, cell: &str, options: &ReadOptions) -> Result<Label, LabelError> {
    if is_missing(cell, options) {
        return Err(LabelError::Missing);
    }
    let cell = cell.trim();
    match &schema.label.task {
        Task::Classification { classes } => classes
            .iter()
            .position(|c| c == cell)
            .map(Label::Class)
            .ok_or_else(|| LabelError::UnknownClass {
                found: cell.to_string(),
                classes: classes.join(", "),
            }),
        Task::Regression => parse_number(cell, options)
            .filter(|v| v.is_finite())
            .map(Label::Value)
            .ok_or_else(|| LabelError::NotANumber {
                found: cell.to_string(),
            }),
    }
}
