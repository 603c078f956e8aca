//! One column's inference as a running summary: every rule of [`super::infer_schema`] applied
//! a cell at a time, so a file read as a stream (training on data larger than memory) infers
//! exactly what the whole file in memory does. The in-memory functions are built on it.

use std::collections::BTreeSet;

use super::{ISO_FORMATS, InferConfig, TaskKind};
use crate::Error;
use crate::instance::parse_bool_cell;
use crate::prep::DateTime;
use crate::read::{ReadOptions, is_missing, parse_number};
use crate::schema::{Field, FieldType, Task};

/// What inference needs to know of a column, gathered cell by cell in bounded memory (the
/// distinct values are kept up to a cap: a few more than a category may have).
#[derive(Debug, Clone)]
pub struct ColumnSummary {
    rows: u64,
    present: u64,
    /// Every present cell a finite number.
    numeric: bool,
    /// ... and a whole number (`all_int`: also under 9e15, as an `integer` field).
    whole: bool,
    all_int: bool,
    min: f64,
    max: f64,
    /// The first present cell that is not a number (a regression label's error names it).
    not_a_number: Option<String>,
    /// Every present cell a boolean word.
    boolean: bool,
    /// The ISO date formats every present cell parses in (bit `k`: [`ISO_FORMATS`]`[k]`).
    dates: u16,
    /// Distinct trimmed present values, up to `cap`; `overflow` once there were more.
    distinct: BTreeSet<String>,
    cap: usize,
    overflow: bool,
}

impl ColumnSummary {
    /// A summary keeping up to `cap` distinct values.
    pub fn new(cap: usize) -> Self {
        ColumnSummary {
            rows: 0,
            present: 0,
            numeric: true,
            whole: true,
            all_int: true,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            not_a_number: None,
            boolean: true,
            dates: (1 << ISO_FORMATS.len()) - 1,
            distinct: BTreeSet::new(),
            cap,
            overflow: false,
        }
    }

    /// A summary of a field: its distinct values are kept up to one more than a category may
    /// have.
    pub fn field(config: &InferConfig) -> Self {
        Self::new(config.max_categories + 1)
    }

    /// Rows seen before this column appeared (a JSON Lines key first written late): missing.
    pub fn skip(&mut self, rows: u64) {
        self.rows += rows;
    }

    /// The next row's cell.
    pub fn push(&mut self, cell: &str, read: &ReadOptions) {
        self.rows += 1;
        if is_missing(cell, read) {
            return;
        }
        self.present += 1;
        if self.numeric {
            match parse_number(cell, read).filter(|v| v.is_finite()) {
                Some(v) => {
                    self.whole &= v.fract() == 0.0;
                    self.all_int &= v.fract() == 0.0 && v.abs() < 9.0e15;
                    self.min = self.min.min(v);
                    self.max = self.max.max(v);
                }
                None => {
                    self.numeric = false;
                    self.not_a_number = Some(cell.to_string());
                }
            }
        }
        if self.boolean && parse_bool_cell(cell).is_none() {
            self.boolean = false;
        }
        if self.dates != 0 {
            for (k, format) in ISO_FORMATS.iter().enumerate() {
                if self.dates & (1 << k) != 0 && DateTime::parse(cell, format).is_none() {
                    self.dates &= !(1 << k);
                }
            }
        }
        if !self.overflow {
            let t = cell.trim();
            if !self.distinct.contains(t) {
                if self.distinct.len() >= self.cap {
                    self.overflow = true;
                } else {
                    self.distinct.insert(t.to_string());
                }
            }
        }
    }

    /// The ISO format every present cell is written in, if there is one (see
    /// [`super::iso_date_format`]).
    pub fn date_format(&self) -> Option<&'static str> {
        if self.present == 0 {
            return None;
        }
        ISO_FORMATS
            .iter()
            .enumerate()
            .find(|(k, _)| self.dates & (1 << k) != 0)
            .map(|(_, f)| *f)
    }

    /// The field this column infers (see [`super::infer_schema`]).
    pub fn to_field(&self, name: &str, config: &InferConfig) -> Field {
        let nullable = self.present < self.rows;
        let present = self.present > 0;
        if present && self.numeric {
            let kind = if self.all_int {
                FieldType::Integer
            } else {
                FieldType::Number
            };
            let mut field = Field::new(name, kind, nullable);
            field.min = Some(self.min);
            field.max = Some(self.max);
            return field;
        }
        if present && self.boolean {
            return Field::new(name, FieldType::Boolean, nullable);
        }
        if self.date_format().is_some() {
            return Field::new(name, FieldType::Text, nullable);
        }
        let k = self.distinct.len();
        let few = !self.overflow
            && k <= config.max_categories
            && (k as f64) <= config.max_category_ratio * self.present.max(1) as f64;
        if few || !present {
            let mut field = Field::new(name, FieldType::Category, nullable || !present);
            field.categories = Some(self.distinct.iter().cloned().collect());
            return field;
        }
        Field::new(name, FieldType::Text, nullable)
    }

    /// The label's task (see [`super::infer_task`]).
    pub fn to_task(&self, label: &str, config: &InferConfig) -> Result<Task, Error> {
        // Rows with a missing label are dropped by training; they say nothing here.
        if self.present == 0 {
            return Err(Error::Schema(format!(
                "label column `{label}` has no values"
            )));
        }
        let regression = match (config.task, self.numeric) {
            (Some(TaskKind::Classification), _) => false,
            (Some(TaskKind::Regression), true) => true,
            (Some(TaskKind::Regression), false) => {
                let cell = self.not_a_number.as_deref().unwrap_or_default();
                return Err(Error::Schema(format!(
                    "label `{label}` cannot be a regression: {cell:?} is not a number"
                )));
            }
            (None, false) => false,
            (None, true) => {
                let k = self.distinct.len() as u64;
                !(self.whole
                    && !self.overflow
                    && k <= config.max_label_classes as u64
                    && self.present >= k * config.min_rows_per_class as u64)
            }
        };
        if regression {
            return Ok(Task::Regression);
        }
        if self.overflow {
            return Err(Error::Schema(format!(
                "label `{label}` has more than {} distinct values: too many classes (train a \
                 regression with --task regression, or group the values)",
                self.cap
            )));
        }
        Ok(Task::Classification {
            classes: self.distinct.iter().cloned().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(cells: &[String], cap: usize) -> ColumnSummary {
        let mut s = ColumnSummary::new(cap);
        for c in cells {
            s.push(c, &ReadOptions::default());
        }
        s
    }

    #[test]
    fn a_category_has_at_most_max_categories_values() {
        let config = InferConfig::default();
        for (k, kind) in [
            (50, FieldType::Category),
            (51, FieldType::Text),
            (52, FieldType::Text),
        ] {
            // Each value three times: the ratio rule holds, only the count decides.
            let cells: Vec<String> = (0..k * 3).map(|i| format!("v{}", i % k)).collect();
            let field = summary(&cells, config.max_categories + 1).to_field("f", &config);
            assert_eq!(field.kind, kind, "{k} values");
        }
    }

    #[test]
    fn a_label_keeps_its_exact_classes_up_to_the_cap() {
        let config = InferConfig::default();
        let cells: Vec<String> = (0..100).map(|i| format!("c{}", i % 10)).collect();
        match summary(&cells, 10).to_task("y", &config).unwrap() {
            Task::Classification { classes } => assert_eq!(classes.len(), 10),
            other => panic!("{other:?}"),
        }
        let cells: Vec<String> = (0..110).map(|i| format!("c{}", i % 11)).collect();
        let e = summary(&cells, 10).to_task("y", &config).unwrap_err();
        assert!(
            e.to_string().contains("more than 10 distinct values"),
            "{e}"
        );
        // Numbers past the cap are a regression, as many distinct numbers are in memory.
        let cells: Vec<String> = (0..110).map(|i| i.to_string()).collect();
        assert_eq!(
            summary(&cells, 10).to_task("y", &config).unwrap(),
            Task::Regression
        );
    }
}
