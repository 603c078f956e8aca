//! Warnings about the training data, found before fitting: a feature whose field is empty
//! or constant in the training rows (it cannot help), and a feature that alone predicts the
//! label almost perfectly (a leak: a column written after the outcome, a copy of the label).
//!
//! Each is structured (`code`, `field`, `message`) with a code of core's `training` scope;
//! `tandem train` prints them and records them with the run. A leak is judged as a data
//! scientist would check it: a one-feature rule fitted on the training rows (majority label
//! per value, or per interval for a numeric field; Pearson correlation for regression) that
//! scores at least [`LEAK_SCORE`] on the training rows and on the validation rows.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use tandem_core::constants::training::{CONSTANT_COLUMN, EMPTY_COLUMN, LABEL_LEAK};
use tandem_core::prep::ColumnInput;
use tandem_core::{FieldType, Value};

use crate::prepare::Prepared;
use tandem_evaluate::Truth;

/// Accuracy (classification) or |correlation| (regression) of a one-feature rule from which
/// the feature is reported as a leak.
pub const LEAK_SCORE: f64 = 0.99;
/// A numeric field with at most this many distinct training values is ruled value by value;
/// with more, by intervals.
pub const DISCRETE_VALUES: usize = 20;
/// Fewest rows a correlation is judged on.
const MIN_PAIRS: usize = 10;

/// One warning about the training data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Stable code (`CONSTANT_COLUMN`, `EMPTY_COLUMN`, `LABEL_LEAK`).
    pub code: &'static str,
    /// The input field concerned.
    pub field: String,
    /// What was found and what to do.
    pub message: String,
}

/// Every warning about the fields the features read, in feature order.
pub fn of_prepared(prepared: &Prepared) -> Vec<Warning> {
    let schema = &prepared.schema;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in &prepared.columns {
        let ColumnInput::Field(name) = &c.input else {
            continue;
        };
        let Some(i) = schema.fields.iter().position(|f| &f.name == name) else {
            continue;
        };
        if !seen.insert(i) {
            continue;
        }
        let column = Column::of(prepared, i);
        if let Some(w) = column.emptiness() {
            out.push(w);
        } else if let Some(w) = column.leak(prepared) {
            out.push(w);
        }
    }
    out
}

/// One field's values on the training and validation rows.
struct Column<'a> {
    name: &'a str,
    kind: FieldType,
    train: Vec<&'a Value>,
    valid: Vec<&'a Value>,
    /// "training rows", or "sampled training rows" for a streamed run.
    rows: &'static str,
}

impl<'a> Column<'a> {
    fn of(prepared: &'a Prepared, i: usize) -> Self {
        let pick = |idx: &[usize]| -> Vec<&'a Value> {
            idx.iter()
                .map(|&r| &prepared.rows.instances[r].values[i])
                .collect()
        };
        let field = &prepared.schema.fields[i];
        Column {
            name: &field.name,
            kind: field.kind,
            train: pick(&prepared.split.train),
            valid: pick(&prepared.split.validation),
            rows: if prepared.streamed.is_some() {
                "sampled training rows"
            } else {
                "training rows"
            },
        }
    }

    fn warning(&self, code: &'static str, message: String) -> Warning {
        Warning {
            code,
            field: self.name.to_string(),
            message,
        }
    }

    /// Empty (all missing) or constant (one value, never missing) in the training rows.
    fn emptiness(&self) -> Option<Warning> {
        let n = self.train.len();
        let first = self.train.first()?;
        if self.train.iter().all(|v| matches!(v, Value::Missing)) {
            return Some(self.warning(
                EMPTY_COLUMN,
                format!(
                    "`{}` is missing in all {n} {}: its feature carries nothing (remove the \
                     feature, or check how the column is read)",
                    self.name, self.rows
                ),
            ));
        }
        if self.train.iter().all(|v| v == first) {
            return Some(self.warning(
                CONSTANT_COLUMN,
                format!(
                    "`{}` is {} in all {n} {}: its feature cannot help (remove it, or check \
                     how the column is read)",
                    self.name,
                    shown(first),
                    self.rows
                ),
            ));
        }
        None
    }

    /// A one-feature rule that predicts the label almost perfectly on both splits.
    fn leak(&self, prepared: &Prepared) -> Option<Warning> {
        let rows = &prepared.rows;
        let (train_idx, valid_idx) = (&prepared.split.train, &prepared.split.validation);
        let label = &prepared.schema.label.name;
        match (rows.truth(train_idx), rows.truth(valid_idx)) {
            (Truth::Classes(t), Truth::Classes(v)) => {
                let (train, valid) = self.rule_accuracy(&t, &v)?;
                let baseline = majority_share(&v);
                (train >= LEAK_SCORE && valid >= LEAK_SCORE && baseline < LEAK_SCORE).then(|| {
                    self.warning(
                        LABEL_LEAK,
                        format!(
                            "`{}` alone predicts the label `{label}` for {:.1}% of the validation \
                             rows (a one-feature rule fitted on the training rows; {:.1}% \
                             there): if it is known only after the outcome, or derived from \
                             it, it leaks the label and the model will fail on new data. \
                             Remove the feature, or check how the column is collected",
                            self.name,
                            valid * 100.0,
                            train * 100.0
                        ),
                    )
                })
            }
            (Truth::Values(t), _) => {
                let r = self.correlation(&t)?;
                (r.abs() >= LEAK_SCORE).then(|| {
                    self.warning(
                        LABEL_LEAK,
                        format!(
                            "`{}` has a correlation of {r:.4} with the label `{label}` on the \
                             training rows: if it is known only after the outcome, or derived \
                             from it, it leaks the label and the model will fail on new data. \
                             Remove the feature, or check how the column is collected",
                            self.name
                        ),
                    )
                })
            }
            _ => None,
        }
    }

    /// Accuracy of the one-feature rule on the training and validation rows.
    fn rule_accuracy(&self, t: &[usize], v: &[usize]) -> Option<(f64, f64)> {
        let numeric = matches!(self.kind, FieldType::Number | FieldType::Integer);
        let distinct: BTreeSet<String> = self.train.iter().map(|x| key(x)).collect();
        let rule = if numeric && distinct.len() > DISCRETE_VALUES {
            Rule::intervals(&self.train, t)?
        } else {
            Rule::values(&self.train, t)
        };
        Some((rule.accuracy(&self.train, t), rule.accuracy(&self.valid, v)))
    }

    /// Pearson correlation of a numeric field with the target on the training rows.
    fn correlation(&self, t: &[f64]) -> Option<f64> {
        let pairs: Vec<(f64, f64)> = self
            .train
            .iter()
            .zip(t)
            .filter_map(|(x, y)| match x {
                Value::Number(x) => Some((*x, *y)),
                _ => None,
            })
            .collect();
        if pairs.len() < MIN_PAIRS {
            return None;
        }
        let n = pairs.len() as f64;
        let (mx, my) = pairs
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (x, y) in &pairs {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx).powi(2);
            syy += (y - my).powi(2);
        }
        (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
    }
}

/// A one-feature classification rule fitted on training rows.
enum Rule {
    /// The majority class of each value (missing is a value).
    Values(HashMap<String, usize>),
    /// Sorted upper bounds with the class below each; the last class above them all; and
    /// the majority class of missing values.
    Intervals {
        bounds: Vec<(f64, usize)>,
        last: usize,
        missing: Option<usize>,
    },
}

impl Rule {
    fn values(x: &[&Value], t: &[usize]) -> Rule {
        let mut counts: HashMap<String, HashMap<usize, usize>> = HashMap::new();
        for (v, &c) in x.iter().zip(t) {
            *counts.entry(key(v)).or_default().entry(c).or_default() += 1;
        }
        Rule::Values(counts.into_iter().map(|(k, c)| (k, majority(&c))).collect())
    }

    /// Runs of sorted values sharing a majority class; `None` when there are more than two
    /// per class (a rule that memorises rather than separates).
    fn intervals(x: &[&Value], t: &[usize]) -> Option<Rule> {
        let mut present: Vec<(f64, usize)> = Vec::new();
        let mut missing: HashMap<usize, usize> = HashMap::new();
        for (v, &c) in x.iter().zip(t) {
            match v {
                Value::Number(n) => present.push((*n, c)),
                _ => *missing.entry(c).or_default() += 1,
            }
        }
        present.sort_by(|a, b| a.0.total_cmp(&b.0));
        let classes = t.iter().collect::<BTreeSet<_>>().len();
        let mut runs: Vec<(f64, f64, usize)> = Vec::new();
        let mut i = 0;
        while i < present.len() {
            let value = present[i].0;
            let mut counts = HashMap::new();
            while i < present.len() && present[i].0 == value {
                *counts.entry(present[i].1).or_default() += 1;
                i += 1;
            }
            let c = majority(&counts);
            match runs.last_mut() {
                Some(run) if run.2 == c => run.1 = value,
                _ => runs.push((value, value, c)),
            }
        }
        if runs.is_empty() || runs.len() > 2 * classes {
            return None;
        }
        let bounds = runs
            .windows(2)
            .map(|w| ((w[0].1 + w[1].0) / 2.0, w[0].2))
            .collect();
        let last = runs.last().map_or(0, |r| r.2);
        let missing = (!missing.is_empty()).then(|| majority(&missing));
        Some(Rule::Intervals {
            bounds,
            last,
            missing,
        })
    }

    fn predict(&self, v: &Value) -> Option<usize> {
        match (self, v) {
            (Rule::Values(map), v) => map.get(&key(v)).copied(),
            (Rule::Intervals { bounds, last, .. }, Value::Number(n)) => Some(
                bounds
                    .iter()
                    .find(|(b, _)| n < b)
                    .map_or(*last, |(_, c)| *c),
            ),
            (Rule::Intervals { missing, .. }, _) => *missing,
        }
    }

    fn accuracy(&self, x: &[&Value], t: &[usize]) -> f64 {
        let right = x
            .iter()
            .zip(t)
            .filter(|(v, c)| self.predict(v) == Some(**c))
            .count();
        right as f64 / t.len().max(1) as f64
    }
}

/// The most frequent class (the smallest index on ties).
fn majority(counts: &HashMap<usize, usize>) -> usize {
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or(0, |(c, _)| *c)
}

/// The share of the most frequent class.
fn majority_share(t: &[usize]) -> f64 {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for &c in t {
        *counts.entry(c).or_default() += 1;
    }
    counts.values().max().copied().unwrap_or(0) as f64 / t.len().max(1) as f64
}

/// A value as a map key (numbers by their bits, so 1 and 1.0 agree and NaN cannot occur).
fn key(v: &Value) -> String {
    match v {
        Value::Missing => "\u{0}missing".into(),
        Value::Number(n) => format!("n{}", n.to_bits()),
        Value::Text(s) => format!("t{s}"),
        Value::Bool(b) => format!("b{b}"),
    }
}

/// A value as a message shows it.
fn shown(v: &Value) -> String {
    match v {
        Value::Missing => "missing".into(),
        Value::Number(n) => n.to_string(),
        Value::Text(s) => format!("{s:?}"),
        Value::Bool(b) => b.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn numbers(x: &[f64]) -> Vec<Value> {
        x.iter().map(|&n| Value::Number(n)).collect()
    }

    #[test]
    fn an_interval_rule_separates_a_threshold_and_refuses_to_memorise() {
        let x = numbers(&[1.0, 2.0, 3.0, 10.0, 11.0, 12.0]);
        let refs: Vec<&Value> = x.iter().collect();
        let rule = Rule::intervals(&refs, &[0, 0, 0, 1, 1, 1]).unwrap();
        assert_eq!(rule.predict(&Value::Number(6.0)), Some(0));
        assert_eq!(rule.predict(&Value::Number(7.0)), Some(1));
        assert_eq!(rule.accuracy(&refs, &[0, 0, 0, 1, 1, 1]), 1.0);
        // Alternating labels need one interval per row: no rule.
        assert!(Rule::intervals(&refs, &[0, 1, 0, 1, 0, 1]).is_none());
    }

    #[test]
    fn a_value_rule_gets_unseen_values_wrong() {
        let x = [Value::Text("a".into()), Value::Text("b".into())];
        let refs: Vec<&Value> = x.iter().collect();
        let rule = Rule::values(&refs, &[0, 1]);
        let unseen = Value::Text("c".into());
        assert_eq!(rule.accuracy(&[&unseen], &[0]), 0.0);
        assert_eq!(rule.accuracy(&refs, &[0, 1]), 1.0);
    }
}
