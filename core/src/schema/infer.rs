//! Schema inference from a table of raw string cells (native only, feature `fit`).

use std::collections::{BTreeMap, BTreeSet};

use super::{Field, FieldType, Label, Schema, Task};
use crate::Error;
use crate::instance::{is_missing_cell, parse_bool_cell};

/// Knobs for schema inference.
#[derive(Debug, Clone)]
pub struct InferConfig {
    /// A string column with at most this many distinct values is categorical, else text.
    pub max_categories: usize,
    /// A string column whose distinct values exceed this fraction of its rows is text.
    pub max_category_ratio: f64,
    /// Treat a numeric label as regression only if it has more than this many distinct values.
    pub max_label_classes: usize,
}

impl Default for InferConfig {
    fn default() -> Self {
        InferConfig {
            max_categories: 50,
            max_category_ratio: 0.5,
            max_label_classes: 20,
        }
    }
}

/// Infer a schema from a header and rows of raw cells.
///
/// Numeric columns (every present cell parses as a finite number) become `integer` or
/// `number`; columns of boolean words become `boolean`; string columns with few distinct
/// values become `category`, the rest `text`. The label column is a classification if it is
/// non-numeric or has few distinct values, else a regression.
pub fn infer_schema(
    header: &[String],
    rows: &[Vec<String>],
    label: &str,
    config: &InferConfig,
) -> Result<Schema, Error> {
    if !header.iter().any(|h| h == label) {
        return Err(Error::Schema(format!(
            "label column `{label}` not in header ({})",
            header.join(", ")
        )));
    }
    let (fields, task) = infer_columns(header, rows, Some(label), config)?;
    let schema = Schema {
        fields,
        label: Label {
            name: label.to_string(),
            task: task.unwrap_or(Task::Regression),
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
    Ok(infer_columns(header, rows, None, config)?.0)
}

fn infer_columns(
    header: &[String],
    rows: &[Vec<String>],
    label: Option<&str>,
    config: &InferConfig,
) -> Result<(Vec<Field>, Option<Task>), Error> {
    let label_idx = label.and_then(|l| header.iter().position(|h| h == l));
    let label = label.unwrap_or_default();
    let mut fields = Vec::new();
    let mut task = None;
    for (col, name) in header.iter().enumerate() {
        let cells: Vec<&str> = rows
            .iter()
            .map(|r| r.get(col).map(String::as_str).unwrap_or(""))
            .collect();
        let present: Vec<&str> = cells
            .iter()
            .copied()
            .filter(|c| !is_missing_cell(c))
            .collect();
        let nullable = present.len() < cells.len();
        let numbers: Option<Vec<f64>> = present
            .iter()
            .map(|c| c.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        let distinct: BTreeSet<&str> = present.iter().map(|c| c.trim()).collect();
        if Some(col) == label_idx {
            // Rows with a missing label are dropped by training; they say nothing here.
            if present.is_empty() {
                return Err(Error::Schema(format!(
                    "label column `{label}` has no values"
                )));
            }
            let is_regression = numbers.is_some() && distinct.len() > config.max_label_classes;
            task = Some(if is_regression {
                Task::Regression
            } else {
                Task::Classification {
                    classes: distinct.iter().map(|s| s.to_string()).collect(),
                }
            });
            continue;
        }
        let mut field;
        if let (Some(values), false) = (&numbers, present.is_empty()) {
            let all_int = values.iter().all(|v| v.fract() == 0.0 && v.abs() < 9.0e15);
            let kind = if all_int {
                FieldType::Integer
            } else {
                FieldType::Number
            };
            field = Field::new(name.clone(), kind, nullable);
            field.min = values.iter().copied().reduce(f64::min);
            field.max = values.iter().copied().reduce(f64::max);
        } else if !present.is_empty() && present.iter().all(|c| parse_bool_cell(c).is_some()) {
            field = Field::new(name.clone(), FieldType::Boolean, nullable);
        } else {
            let few = distinct.len() <= config.max_categories
                && (distinct.len() as f64)
                    <= config.max_category_ratio * present.len().max(1) as f64;
            if few || present.is_empty() {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for c in &present {
                    *counts.entry(c.trim()).or_default() += 1;
                }
                field = Field::new(
                    name.clone(),
                    FieldType::Category,
                    nullable || present.is_empty(),
                );
                field.categories = Some(counts.keys().map(|s| s.to_string()).collect());
            } else {
                field = Field::new(name.clone(), FieldType::Text, nullable);
            }
        }
        fields.push(field);
    }
    Ok((fields, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn infers_types_and_task() {
        let header = s(&["age", "sex", "name", "alive", "y"]);
        let mut rows = Vec::new();
        for i in 0..20 {
            rows.push(s(&[
                if i == 3 { "" } else { "29.5" },
                if i % 2 == 0 { "male" } else { "female" },
                &format!("Person {i}"),
                if i % 3 == 0 { "yes" } else { "no" },
                if i % 2 == 0 { "a" } else { "b" },
            ]));
        }
        let schema = infer_schema(&header, &rows, "y", &InferConfig::default()).unwrap();
        assert_eq!(schema.fields[0].kind, FieldType::Number);
        assert!(schema.fields[0].nullable);
        assert_eq!(schema.fields[1].kind, FieldType::Category);
        assert!(!schema.fields[1].nullable);
        assert_eq!(schema.fields[2].kind, FieldType::Text);
        assert_eq!(schema.fields[3].kind, FieldType::Boolean);
        assert_eq!(
            schema.label.task,
            Task::Classification {
                classes: s(&["a", "b"])
            }
        );
    }

    #[test]
    fn missing_label_column_is_an_error() {
        let err = infer_schema(&s(&["a"]), &[], "y", &InferConfig::default()).unwrap_err();
        assert_eq!(err.code(), "SCHEMA");
    }
}
