//! Batches: the row limit every batch obeys, and column-oriented batches
//! (`{ field: [values...] }`), read by one parser whether they come as JSON (`inputs` in a
//! scoring request) or from JavaScript (`predictColumns`).
//!
//! Only the schema's fields are read (other keys are ignored, as in a record); every column
//! given must be an array, all of one length; each row is then checked exactly as a record.

use super::RequestError;
use crate::Error;
use crate::constants::MAX_BATCH_ROWS;
use crate::instance::{Instance, Raw};
use crate::schema::Schema;

/// Refuse a batch longer than [`MAX_BATCH_ROWS`].
pub fn check_batch_rows(rows: usize) -> Result<(), RequestError> {
    if rows > MAX_BATCH_ROWS {
        return Err(RequestError::BatchTooLarge {
            rows,
            limit: MAX_BATCH_ROWS,
        });
    }
    Ok(())
}

/// Refuse a column batch (`dataframe_split`, `inputs` as columns, a CSV header) that lacks
/// some of the schema's fields: `MISSING_FIELD` naming every absent one, in schema order. A
/// value missing from one row is a null cell, not an absent column.
pub fn check_columns_present(
    schema: &Schema,
    mut present: impl FnMut(&str) -> bool,
) -> Result<(), RequestError> {
    let missing: Vec<String> = schema
        .fields
        .iter()
        .filter(|f| !present(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(RequestError::MissingColumns { missing })
}

/// One schema field's column, as the caller found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Column<C> {
    /// No such key: every row's value is missing.
    Absent,
    /// The key holds something that is not an array.
    NotAnArray,
    /// An array of `len` values.
    Values {
        /// Number of values.
        len: usize,
        /// The caller's handle on them.
        cells: C,
    },
}

/// Check `columns` (one per schema field, in schema order) and read their rows; `cell` reads
/// the value at a row of a column.
pub fn read_columns<C>(
    schema: &Schema,
    columns: &[Column<C>],
    cell: impl FnMut(&C, usize) -> Raw,
) -> Result<Vec<Result<Instance, Error>>, RequestError> {
    let n = check_columns(schema, columns)?;
    Ok(read_checked_columns(schema, columns, n, cell))
}

/// Check that every column given is an array, all of one length within the batch limit;
/// the number of rows.
pub fn check_columns<C>(schema: &Schema, columns: &[Column<C>]) -> Result<usize, RequestError> {
    let mut rows: Option<usize> = None;
    for (field, column) in schema.fields.iter().zip(columns) {
        match column {
            Column::Absent => {}
            Column::NotAnArray => {
                return Err(RequestError::NotAnArray {
                    what: format!("column `{}`", field.name),
                });
            }
            Column::Values { len, .. } => {
                if let Some(earlier) = rows
                    && earlier != *len
                {
                    return Err(RequestError::ColumnLength {
                        field: field.name.clone(),
                        len: *len,
                        earlier,
                    });
                }
                check_batch_rows(*len)?;
                rows = Some(*len);
            }
        }
    }
    Ok(rows.unwrap_or(0))
}

/// Read the `n` rows of columns [`check_columns`] accepted.
pub fn read_checked_columns<C>(
    schema: &Schema,
    columns: &[Column<C>],
    n: usize,
    mut cell: impl FnMut(&C, usize) -> Raw,
) -> Vec<Result<Instance, Error>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut it = columns.iter();
        out.push(Instance::from_raw(schema, |_| match it.next() {
            Some(Column::Values { cells, .. }) => cell(cells, i),
            _ => Raw::Null,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::schema::{Field, FieldType, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("a", FieldType::Number, true),
                Field::new("b", FieldType::Number, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    fn col(v: &[f64]) -> Column<Vec<f64>> {
        Column::Values {
            len: v.len(),
            cells: v.to_vec(),
        }
    }

    fn read(columns: &[Column<Vec<f64>>]) -> Result<Vec<Result<Instance, Error>>, RequestError> {
        read_columns(&schema(), columns, |c, i| Raw::Number(c[i]))
    }

    #[test]
    fn rows_are_read_across_columns_and_an_absent_column_is_missing() {
        let rows = read(&[col(&[1.0, 2.0]), Column::Absent]).unwrap();
        let values: Vec<Vec<Value>> = rows.into_iter().map(|r| r.unwrap().values).collect();
        assert_eq!(
            values,
            vec![
                vec![Value::Number(1.0), Value::Missing],
                vec![Value::Number(2.0), Value::Missing]
            ]
        );
        assert!(read(&[Column::Absent, Column::Absent]).unwrap().is_empty());
    }

    #[test]
    fn a_batch_lacking_columns_is_refused_naming_every_absent_one() {
        let e = check_columns_present(&schema(), |_| false).unwrap_err();
        assert_eq!((e.code(), e.field()), ("MISSING_FIELD", Some("a")));
        assert_eq!(
            e.to_string(),
            "2 columns are missing: `a`, `b`; every field of the model needs a column (null cells for missing values)"
        );
        let e = check_columns_present(&schema(), |c| c == "a").unwrap_err();
        assert!(e.to_string().starts_with("1 column is missing: `b`;"));
        assert!(check_columns_present(&schema(), |_| true).is_ok());
    }

    #[test]
    fn columns_of_other_lengths_and_non_arrays_are_refused_by_name() {
        let e = read(&[col(&[1.0, 2.0]), col(&[1.0])]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("COLUMN_LENGTH", Some("b")));
        assert_eq!(
            e.to_string(),
            "column `b` has 1 values, an earlier column has 2"
        );
        let e = read(&[Column::NotAnArray, col(&[1.0])]).unwrap_err();
        assert_eq!(e.code(), "NOT_AN_ARRAY");
        assert_eq!(e.to_string(), "column `a` is not an array");
    }

    #[test]
    fn a_column_longer_than_the_batch_limit_is_refused_before_any_row_is_read() {
        let e = read_columns(
            &schema(),
            &[Column::Values {
                len: MAX_BATCH_ROWS + 1,
                cells: (),
            }],
            |_, _| unreachable!("no row is read"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "BATCH_TOO_LARGE");
        assert!(check_batch_rows(MAX_BATCH_ROWS).is_ok());
    }
}
