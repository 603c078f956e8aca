//! Training-only nodes: they shape the rows a model learns from and never exist in the
//! inference pipeline (row filters, deduplication, winsorizing, class rebalancing, k-fold).

use std::collections::HashSet;

use tandem_core::prep::expr::Expr;
use tandem_core::prep::stats;
use tandem_core::schema::{FieldType, Schema};
use tandem_core::{Instance, Value};

use crate::split::SplitMix64;

/// A row filter: `age >= 18`, `fare / 2 < 100`, `sex == "female"`, `cabin is not missing`.
///
/// A numeric comparison that reads a missing value is false (the row is dropped), as in SQL.
#[derive(Debug, Clone)]
pub struct Condition {
    kind: CondKind,
}

#[derive(Debug, Clone)]
enum CondKind {
    Numeric(Expr, Vec<usize>, Cmp, Expr, Vec<usize>),
    Text(usize, bool, String),
    Missing(usize, bool),
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

fn field_index(schema: &Schema, name: &str) -> Result<usize, String> {
    let name = name.trim();
    let name = name
        .strip_prefix('`')
        .and_then(|n| n.strip_suffix('`'))
        .unwrap_or(name);
    schema
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| format!("`{name}` is not an input field"))
}

fn bind_expr(src: &str, schema: &Schema) -> Result<(Expr, Vec<usize>), String> {
    let e = Expr::parse(src).map_err(|e| e.to_string())?;
    let idx = e
        .fields()
        .iter()
        .map(|f| field_index(schema, f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((e, idx))
}

impl Condition {
    /// Parse and resolve against `schema`.
    pub fn parse(source: &str, schema: &Schema) -> Result<Condition, String> {
        let s = source.trim();
        let kind = if let Some(field) = s.strip_suffix(" is not missing") {
            CondKind::Missing(field_index(schema, field)?, false)
        } else if let Some(field) = s.strip_suffix(" is missing") {
            CondKind::Missing(field_index(schema, field)?, true)
        } else {
            let ops = [
                (">=", Cmp::Ge),
                ("<=", Cmp::Le),
                ("==", Cmp::Eq),
                ("!=", Cmp::Ne),
                (">", Cmp::Gt),
                ("<", Cmp::Lt),
            ];
            let (at, len, cmp) = ops
                .iter()
                .filter_map(|(t, c)| s.find(t).map(|i| (i, t.len(), *c)))
                .min_by_key(|(i, len, _)| (*i, std::cmp::Reverse(*len)))
                .ok_or("expected `<a> <op> <b>` with op one of < <= > >= == !=, or `<field> is [not] missing`")?;
            let (lhs, rhs) = (s[..at].trim(), s[at + len..].trim());
            if let Some(text) = rhs.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                let i = field_index(schema, lhs)?;
                if !matches!(schema.fields[i].kind, FieldType::Category | FieldType::Text) {
                    return Err(format!("`{lhs}` is not a text or category field"));
                }
                let eq = match cmp {
                    Cmp::Eq => true,
                    Cmp::Ne => false,
                    _ => return Err("text compares only with == or !=".into()),
                };
                CondKind::Text(i, eq, text.to_string())
            } else {
                let (a, ai) = bind_expr(lhs, schema)?;
                let (b, bi) = bind_expr(rhs, schema)?;
                CondKind::Numeric(a, ai, cmp, b, bi)
            }
        };
        Ok(Condition { kind })
    }

    /// Whether the row is kept.
    pub fn holds(&self, inst: &Instance) -> bool {
        let get = |i: &usize| inst.values.get(*i).unwrap_or(&Value::Missing);
        match &self.kind {
            CondKind::Missing(i, want) => matches!(get(i), Value::Missing) == *want,
            CondKind::Text(i, eq, text) => match get(i) {
                Value::Text(s) => (s == text) == *eq,
                _ => false,
            },
            CondKind::Numeric(a, ai, cmp, b, bi) => {
                let av: Vec<&Value> = ai.iter().map(get).collect();
                let bv: Vec<&Value> = bi.iter().map(get).collect();
                match (a.eval(&av), b.eval(&bv)) {
                    (Some(x), Some(y)) => match cmp {
                        Cmp::Lt => x < y,
                        Cmp::Le => x <= y,
                        Cmp::Gt => x > y,
                        Cmp::Ge => x >= y,
                        Cmp::Eq => x == y,
                        Cmp::Ne => x != y,
                    },
                    _ => false,
                }
            }
        }
    }
}

/// Indices of rows to keep: the first of each group of identical (instance, label) rows.
pub fn dedupe(instances: &[Instance], labels: &[String]) -> Vec<usize> {
    let mut seen = HashSet::new();
    (0..instances.len())
        .filter(|&i| seen.insert(format!("{:?}\u{1f}{}", instances[i].values, labels[i])))
        .collect()
}

/// Clamp field `idx` of `rows` to the `[low, high]` quantiles of its present values there.
/// Returns the fitted bounds (`None` when the column has no values).
pub fn winsorize(rows: &mut [Instance], idx: usize, low: f64, high: f64) -> Option<(f64, f64)> {
    let present: Vec<f64> = rows
        .iter()
        .filter_map(|r| match r.values.get(idx) {
            Some(Value::Number(x)) => Some(*x),
            _ => None,
        })
        .collect();
    if present.is_empty() {
        return None;
    }
    let s = stats::sorted(&present);
    let (lo, hi) = (
        stats::percentile_sorted(&s, low * 100.0),
        stats::percentile_sorted(&s, high * 100.0),
    );
    for r in rows {
        if let Some(Value::Number(x)) = r.values.get_mut(idx) {
            *x = x.clamp(lo, hi);
        }
    }
    Some((lo, hi))
}

/// Training row order with minority classes repeated (seeded) up to the largest class size.
pub fn oversample(classes: &[usize], n_classes: usize, seed: u64) -> Vec<usize> {
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in classes.iter().enumerate() {
        by_class[c].push(i);
    }
    let target = by_class.iter().map(Vec::len).max().unwrap_or(0);
    let mut rng = SplitMix64::new(seed ^ 0x0BE5_A3B1);
    let mut out: Vec<usize> = (0..classes.len()).collect();
    for rows in by_class.iter().filter(|r| !r.is_empty()) {
        for _ in rows.len()..target {
            out.push(rows[(rng.next_u64() % rows.len() as u64) as usize]);
        }
    }
    out
}

/// scikit-learn's `class_weight="balanced"`: `n / (k * count(class))` (1 for classes absent
/// from training, which then never weigh anything).
pub fn class_weights(classes: &[usize], n_classes: usize) -> Vec<f32> {
    let mut count = vec![0usize; n_classes];
    for &c in classes {
        count[c] += 1;
    }
    class_weights_of_counts(&count)
}

/// [`class_weights`] from the rows per class.
pub fn class_weights_of_counts(count: &[usize]) -> Vec<f32> {
    let n_classes = count.len();
    let n = count.iter().sum::<usize>() as f64;
    count
        .iter()
        .map(|&c| {
            if c == 0 {
                1.0
            } else {
                (n / (n_classes as f64 * c as f64)) as f32
            }
        })
        .collect()
}

/// Stratified k folds of `0..groups.len()`: `(fit rows, held-out rows)` per fold.
pub fn kfold(groups: &[usize], k: usize, seed: u64) -> Vec<(Vec<usize>, Vec<usize>)> {
    let n_groups = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = SplitMix64::new(seed ^ 0xF01D);
    let mut fold_of = vec![0usize; groups.len()];
    let mut next = 0usize;
    for g in 0..n_groups {
        let mut rows: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == g).collect();
        rng.shuffle(&mut rows);
        for r in rows {
            fold_of[r] = next % k;
            next += 1;
        }
    }
    (0..k)
        .map(|f| {
            let (held, fit): (Vec<usize>, Vec<usize>) =
                (0..groups.len()).partition(|&i| fold_of[i] == f);
            (fit, held)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use tandem_core::schema::{Field, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("age", FieldType::Number, true),
                Field::new("sex", FieldType::Category, true),
                Field::new("Total Bill", FieldType::Number, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    fn row(age: Option<f64>, sex: &str) -> Instance {
        Instance {
            values: vec![
                age.map_or(Value::Missing, Value::Number),
                Value::Text(sex.into()),
                Value::Number(10.0),
            ],
        }
    }

    #[test]
    fn conditions() {
        let s = schema();
        let c = |src: &str| Condition::parse(src, &s).unwrap();
        assert!(c("age >= 18").holds(&row(Some(18.0), "m")));
        assert!(!c("age >= 18").holds(&row(Some(17.0), "m")));
        assert!(!c("age >= 18").holds(&row(None, "m")));
        assert!(c("age * 2 < `Total Bill` + 1").holds(&row(Some(5.0), "m")));
        assert!(c("sex == \"f\"").holds(&row(None, "f")));
        assert!(c("sex != \"f\"").holds(&row(None, "m")));
        assert!(c("age is missing").holds(&row(None, "m")));
        assert!(c("age is not missing").holds(&row(Some(1.0), "m")));
        assert!(c("age == 3").holds(&row(Some(3.0), "m")));
        for bad in [
            "age",
            "nope > 1",
            "sex > \"a\"",
            "age == \"x\"",
            "age >= ",
            "x is missing",
        ] {
            assert!(Condition::parse(bad, &s).is_err(), "{bad}");
        }
    }

    #[test]
    fn dedupe_keeps_first() {
        let rows = vec![
            row(Some(1.0), "a"),
            row(Some(1.0), "a"),
            row(Some(1.0), "a"),
        ];
        let labels = vec!["x".to_string(), "x".into(), "y".into()];
        assert_eq!(dedupe(&rows, &labels), vec![0, 2]);
    }

    #[test]
    fn winsorize_clamps_to_fitted_quantiles() {
        let mut rows: Vec<Instance> = (0..=100).map(|i| row(Some(i as f64), "a")).collect();
        rows.push(row(None, "a"));
        let (lo, hi) = winsorize(&mut rows, 0, 0.1, 0.9).unwrap();
        assert_eq!((lo, hi), (10.0, 90.0));
        assert_eq!(rows[0].values[0], Value::Number(10.0));
        assert_eq!(rows[100].values[0], Value::Number(90.0));
        assert_eq!(rows[101].values[0], Value::Missing);
    }

    #[test]
    fn rebalancing() {
        let classes = [0, 0, 0, 0, 1];
        let order = oversample(&classes, 2, 0);
        assert_eq!(order.iter().filter(|&&i| classes[i] == 1).count(), 4);
        assert_eq!(order.len(), 8);
        let w = class_weights(&classes, 2);
        assert_eq!(w, vec![5.0 / 8.0, 2.5]);
    }

    #[test]
    fn kfold_partitions_and_stratifies() {
        let groups: Vec<usize> = (0..50).map(|i| usize::from(i % 5 == 0)).collect();
        let folds = kfold(&groups, 5, 0);
        let mut held: Vec<usize> = folds.iter().flat_map(|(_, h)| h.clone()).collect();
        held.sort_unstable();
        assert_eq!(held, (0..50).collect::<Vec<_>>());
        for (fit, h) in &folds {
            assert_eq!(fit.len() + h.len(), 50);
            assert_eq!(h.iter().filter(|&&i| groups[i] == 1).count(), 2);
        }
    }
}
