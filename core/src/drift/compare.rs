//! New rows against the training profile: per field, the same bins, then the distances.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measures::{bin, js_distance, psi, quantile, wasserstein_from_percentiles};
use super::{FieldReference, PERCENTILES, Profile, Reference, Status};
use crate::instance::{Instance, Value};
use crate::prep::tokenize;
use crate::schema::Schema;
use crate::short::number;

/// Unseen categories named per field, most frequent first.
const UNSEEN_LISTED: usize = 5;

/// One bin of a field's distribution: its share of the training rows and of the new rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// `≤ 22`, `(22, 28]`, `> 60`, a category, `other`, `missing`.
    pub label: String,
    /// Share of the training rows.
    pub reference: f64,
    /// Share of the new rows.
    pub new: f64,
}

/// How one field moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDrift {
    /// The field.
    pub field: String,
    /// `number`, `category`, `boolean` or `text`.
    pub kind: &'static str,
    /// By the PSI.
    pub status: Status,
    /// Population stability index over the bins (missing values are a bin).
    pub psi: f64,
    /// Jensen-Shannon distance (base 2) over the same bins.
    pub js: f64,
    /// Numbers: the Wasserstein-1 distance between the training and new distributions (from
    /// their percentiles), in training standard deviations; `None` without values or spread.
    pub wasserstein: Option<f64>,
    /// Share of training rows missing the field.
    pub missing_reference: f64,
    /// Share of new rows missing it.
    pub missing_new: f64,
    /// Categories: share of new rows with a category the profile does not hold.
    pub unseen: Option<f64>,
    /// Categories: the most frequent unseen ones.
    pub unseen_examples: Vec<String>,
    /// Text: share of the training tokens in the training vocabulary.
    pub hit_rate_reference: Option<f64>,
    /// Text: share of the new tokens in the training vocabulary.
    pub hit_rate_new: Option<f64>,
    /// The distributions compared.
    pub bins: Vec<Bin>,
}

/// New rows against a [`Reference`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    /// Training rows profiled.
    pub reference_rows: u64,
    /// New rows compared.
    pub rows: usize,
    /// Per field, in schema order.
    pub fields: Vec<FieldDrift>,
    /// Fields drifted.
    pub drifted: usize,
    /// Fields with a moderate shift.
    pub moderate: usize,
    /// `drifted / fields`.
    pub drifted_share: f64,
}

fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

fn edge_labels(edges: &[f64]) -> Vec<String> {
    let mut labels = Vec::with_capacity(edges.len() + 1);
    for (i, e) in edges.iter().enumerate() {
        labels.push(match i {
            0 => format!("≤ {}", number(*e)),
            _ => format!("({}, {}]", number(edges[i - 1]), number(*e)),
        });
    }
    labels.push(match edges.last() {
        Some(e) => format!("> {}", number(*e)),
        None => "all".into(),
    });
    labels
}

/// Counts of the new values in the profile's bins (the last bin: missing), and what else the
/// field needs (numbers' values, unseen categories, token hits).
struct Binned {
    counts: Vec<u64>,
    values: Vec<f64>,
    unseen: BTreeMap<String, u64>,
    tokens: (u64, u64),
}

fn bin_new(reference: &FieldReference, column: &[&Value]) -> Binned {
    let mut b = Binned {
        counts: Vec::new(),
        values: Vec::new(),
        unseen: BTreeMap::new(),
        tokens: (0, 0),
    };
    let slots = match &reference.profile {
        Profile::Number { counts, .. } | Profile::Text { counts, .. } => counts.len(),
        Profile::Category { categories, .. } => categories.len() + 1,
        Profile::Boolean { .. } => 2,
    };
    b.counts = vec![0; slots + 1];
    for v in column {
        let slot = match (&reference.profile, v) {
            (_, Value::Missing) => slots,
            (Profile::Number { edges, .. }, Value::Number(x)) => {
                b.values.push(*x);
                bin(edges, *x)
            }
            (Profile::Boolean { .. }, Value::Bool(x)) => usize::from(*x),
            (Profile::Category { categories, .. }, Value::Text(s)) => {
                match categories.iter().position(|c| c == s) {
                    Some(i) => i,
                    None => {
                        *b.unseen.entry(s.clone()).or_insert(0) += 1;
                        slots - 1
                    }
                }
            }
            (
                Profile::Text {
                    edges, vocabulary, ..
                },
                Value::Text(s),
            ) => {
                for t in tokenize(s) {
                    b.tokens.1 += 1;
                    if vocabulary.binary_search(&t).is_ok() {
                        b.tokens.0 += 1;
                    }
                }
                bin(edges, s.chars().count() as f64)
            }
            // A value of another type than the profile's cannot come from an instance parsed
            // against the same schema; count it as missing rather than guess.
            _ => slots,
        };
        b.counts[slot] += 1;
    }
    b
}

fn compare_field(reference: &FieldReference, rows: u64, column: &[&Value]) -> FieldDrift {
    let binned = bin_new(reference, column);
    let (kind, mut ref_counts, labels) = match &reference.profile {
        Profile::Number { counts, edges, .. } => ("number", counts.clone(), edge_labels(edges)),
        Profile::Text { counts, edges, .. } => {
            let labels = edge_labels(edges)
                .into_iter()
                .map(|l| format!("length {l}"));
            ("text", counts.clone(), labels.collect())
        }
        Profile::Category {
            categories,
            counts,
            other,
        } => {
            let mut c = counts.clone();
            c.push(*other);
            let mut l = categories.clone();
            l.push("other".into());
            ("category", c, l)
        }
        Profile::Boolean { counts } => (
            "boolean",
            counts.to_vec(),
            vec!["false".into(), "true".into()],
        ),
    };
    ref_counts.push(reference.missing);
    let psi = psi(&ref_counts, &binned.counts);
    let new_total = column.len() as u64;
    let ref_total: u64 = ref_counts.iter().sum();
    let bins = labels
        .into_iter()
        .chain(std::iter::once("missing".to_string()))
        .zip(ref_counts.iter().zip(&binned.counts))
        .map(|(label, (r, n))| Bin {
            label,
            reference: share(*r, ref_total),
            new: share(*n, new_total),
        })
        .collect();
    let wasserstein = match &reference.profile {
        Profile::Number {
            percentiles, std, ..
        } if *std > 0.0 && !binned.values.is_empty() && percentiles.len() == PERCENTILES => {
            let mut sorted = binned.values.clone();
            sorted.sort_by(f64::total_cmp);
            let new: Vec<f64> = (0..PERCENTILES)
                .filter_map(|p| quantile(&sorted, p as f64 / (PERCENTILES - 1) as f64))
                .collect();
            Some(wasserstein_from_percentiles(percentiles, &new) / std)
        }
        _ => None,
    };
    let (unseen, unseen_examples) = match &reference.profile {
        Profile::Category { .. } => {
            let mut seen: Vec<(String, u64)> = binned.unseen.into_iter().collect();
            seen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let count: u64 = seen.iter().map(|(_, c)| c).sum();
            let examples = seen.into_iter().take(UNSEEN_LISTED).map(|(s, _)| s);
            (Some(share(count, new_total)), examples.collect())
        }
        _ => (None, Vec::new()),
    };
    let (hit_rate_reference, hit_rate_new) = match &reference.profile {
        Profile::Text { hit_rate, .. } => (
            Some(*hit_rate),
            (binned.tokens.1 > 0).then(|| share(binned.tokens.0, binned.tokens.1)),
        ),
        _ => (None, None),
    };
    FieldDrift {
        field: reference.field.clone(),
        kind,
        status: Status::of(psi),
        psi,
        js: js_distance(&ref_counts, &binned.counts),
        wasserstein,
        missing_reference: share(reference.missing, rows),
        missing_new: share(*binned.counts.last().unwrap_or(&0), new_total),
        unseen,
        unseen_examples,
        hit_rate_reference,
        hit_rate_new,
        bins,
    }
}

impl Reference {
    /// Compare `rows` (parsed against `schema`) with this profile, field by field. A profiled
    /// field the schema no longer has is left out.
    pub fn compare(&self, schema: &Schema, rows: &[Instance]) -> DriftReport {
        let fields: Vec<FieldDrift> = self
            .fields
            .iter()
            .filter_map(|r| {
                let i = schema.fields.iter().position(|f| f.name == r.field)?;
                let column: Vec<&Value> = rows
                    .iter()
                    .map(|x| x.values.get(i).unwrap_or(&Value::Missing))
                    .collect();
                Some(compare_field(r, self.rows, &column))
            })
            .collect();
        let count = |s: Status| fields.iter().filter(|f| f.status == s).count();
        let (drifted, moderate) = (count(Status::Drifted), count(Status::Moderate));
        DriftReport {
            reference_rows: self.rows,
            rows: rows.len(),
            drifted_share: share(drifted as u64, fields.len() as u64),
            drifted,
            moderate,
            fields,
        }
    }
}

#[cfg(all(test, feature = "fit"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::{Field, FieldType, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("x", FieldType::Number, true),
                Field::new("c", FieldType::Category, true),
                Field::new("b", FieldType::Boolean, true),
                Field::new("t", FieldType::Text, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    fn rows(shift: f64, category: &str) -> Vec<Instance> {
        (0..400)
            .map(|i| Instance {
                values: vec![
                    if i % 10 == 0 {
                        Value::Missing
                    } else {
                        Value::Number(f64::from(i % 97) + shift)
                    },
                    Value::Text(if i % 3 == 0 { category } else { "a" }.into()),
                    Value::Bool(i % 2 == 0),
                    Value::Text(format!("word{} common", i % 7)),
                ],
            })
            .collect()
    }

    #[test]
    fn the_training_rows_are_stable_and_a_shift_drifts_only_its_fields() {
        let reference = Reference::fit(&schema(), &rows(0.0, "b"));
        let same = reference.compare(&schema(), &rows(0.0, "b"));
        for f in &same.fields {
            assert_eq!(f.psi, 0.0, "{}", f.field);
            assert_eq!(f.status, Status::Stable);
        }
        assert_eq!(same.fields[0].wasserstein, Some(0.0));
        assert!((same.fields[0].missing_new - 0.1).abs() < 1e-12);
        let moved = reference.compare(&schema(), &rows(50.0, "new"));
        let status: Vec<Status> = moved.fields.iter().map(|f| f.status).collect();
        assert_eq!(
            status,
            [
                Status::Drifted,
                Status::Drifted,
                Status::Stable,
                Status::Stable
            ]
        );
        assert_eq!(moved.fields[1].unseen_examples, ["new"]);
        assert_eq!((moved.drifted, moved.drifted_share), (2, 0.5));
        let w = moved.fields[0].wasserstein.unwrap();
        assert!(w > 1.0, "{w}");
    }
}
