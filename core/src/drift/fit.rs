//! Profiling the training split's fields (native only: the wasm package never fits).

use std::collections::BTreeMap;

use super::measures::{bin, quantile};
use super::{FieldReference, MAX_CATEGORIES, MAX_VOCABULARY, PERCENTILES, Profile, Reference};
use crate::instance::{Instance, Value};
use crate::prep::tokenize;
use crate::schema::{FieldType, Schema};

/// The training deciles of sorted values, without repeats: the interior bin edges.
fn decile_edges(sorted: &[f64]) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..10)
        .filter_map(|d| quantile(sorted, f64::from(d) / 10.0))
        .collect();
    edges.dedup();
    edges
}

fn counts_in(edges: &[f64], values: &[f64]) -> Vec<u64> {
    let mut counts = vec![0; edges.len() + 1];
    for &x in values {
        counts[bin(edges, x)] += 1;
    }
    counts
}

fn number(values: &[f64]) -> Profile {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let edges = decile_edges(&sorted);
    let n = sorted.len().max(1) as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let std = (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    Profile::Number {
        counts: counts_in(&edges, &sorted),
        edges,
        percentiles: (0..PERCENTILES)
            .filter_map(|p| quantile(&sorted, p as f64 / (PERCENTILES - 1) as f64))
            .collect(),
        mean,
        std,
    }
}

/// Values by count, most frequent first (ties by value), the first `max` and the rest's total.
fn most_frequent(counts: BTreeMap<String, u64>, max: usize) -> (Vec<(String, u64)>, u64) {
    let mut all: Vec<(String, u64)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rest = all.iter().skip(max).map(|(_, c)| c).sum();
    all.truncate(max);
    (all, rest)
}

fn category<'a>(values: impl Iterator<Item = &'a str>) -> Profile {
    let mut counts = BTreeMap::new();
    for v in values {
        *counts.entry(v.to_string()).or_insert(0) += 1;
    }
    let (top, other) = most_frequent(counts, MAX_CATEGORIES);
    let (categories, counts) = top.into_iter().unzip();
    Profile::Category {
        categories,
        counts,
        other,
    }
}

fn text<'a>(docs: impl Iterator<Item = &'a str>) -> Profile {
    let mut lengths = Vec::new();
    let mut tokens = BTreeMap::new();
    let mut total = 0u64;
    for d in docs {
        lengths.push(d.chars().count() as f64);
        for t in tokenize(d) {
            *tokens.entry(t).or_insert(0u64) += 1;
            total += 1;
        }
    }
    lengths.sort_by(f64::total_cmp);
    let edges = decile_edges(&lengths);
    let (top, _) = most_frequent(tokens, MAX_VOCABULARY);
    let covered: u64 = top.iter().map(|(_, c)| c).sum();
    let mut vocabulary: Vec<String> = top.into_iter().map(|(t, _)| t).collect();
    vocabulary.sort();
    Profile::Text {
        counts: counts_in(&edges, &lengths),
        edges,
        vocabulary,
        hit_rate: if total == 0 {
            0.0
        } else {
            covered as f64 / total as f64
        },
    }
}

impl Reference {
    /// Profile every field of `schema` over the training rows.
    pub fn fit(schema: &Schema, train: &[Instance]) -> Reference {
        let fields = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let column = || train.iter().map(move |r| r.values.get(i));
                let missing = column()
                    .filter(|v| matches!(v, None | Some(Value::Missing)))
                    .count() as u64;
                let texts = || {
                    column().filter_map(|v| match v {
                        Some(Value::Text(s)) => Some(s.as_str()),
                        _ => None,
                    })
                };
                let profile = match field.kind {
                    FieldType::Number | FieldType::Integer => {
                        let values: Vec<f64> = column()
                            .filter_map(|v| match v {
                                Some(Value::Number(x)) => Some(*x),
                                _ => None,
                            })
                            .collect();
                        number(&values)
                    }
                    FieldType::Boolean => {
                        let mut counts = [0u64; 2];
                        for v in column() {
                            if let Some(Value::Bool(b)) = v {
                                counts[usize::from(*b)] += 1;
                            }
                        }
                        Profile::Boolean { counts }
                    }
                    FieldType::Category => category(texts()),
                    FieldType::Text => text(texts()),
                };
                FieldReference {
                    field: field.name.clone(),
                    missing,
                    profile,
                }
            })
            .collect();
        Reference {
            rows: train.len() as u64,
            fields,
        }
    }
}
