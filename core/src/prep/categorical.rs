//! Categorical node: impute missing values with the most frequent training category, then
//! one-hot encode with an explicit trailing "unknown" slot.
//!
//! Matches scikit-learn's `SimpleImputer(strategy="most_frequent")` (ties broken by the
//! smallest value) followed by `OneHotEncoder(handle_unknown="ignore")`, plus one column that
//! is 1 exactly when the category was not seen in training (sklearn writes all zeros there).

use serde::{Deserialize, Serialize};

use super::TransformOptions;
use crate::{InstanceError, Value};

/// Fitted state of the one-hot node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHotParams {
    /// The input field.
    pub field: String,
    /// Known categories, sorted; feature `i` is 1 for `categories[i]`.
    pub categories: Vec<String>,
    /// Category used when the field is missing (the most frequent in training).
    pub fill: String,
}

impl OneHotParams {
    /// Number of features written: one per category plus the unknown slot.
    pub fn width(&self) -> usize {
        self.categories.len() + 1
    }

    /// Append this node's features for `value` to `out`.
    pub fn transform_into(
        &self,
        value: &Value,
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let text = match value {
            Value::Text(s) => s.as_str(),
            _ => self.fill.as_str(),
        };
        let hit = self
            .categories
            .binary_search_by(|c| c.as_str().cmp(text))
            .ok();
        if hit.is_none() && options.strict_categories {
            let mut known = self
                .categories
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if self.categories.len() > 20 {
                known.push_str(", ...");
            }
            let shown: String = text.chars().take(100).collect();
            return Err(InstanceError::UnknownCategory {
                field: self.field.clone(),
                value: shown,
                known,
            });
        }
        let slot = hit.unwrap_or(self.categories.len());
        out.extend((0..self.width()).map(|i| if i == slot { 1.0 } else { 0.0 }));
        Ok(())
    }

    /// Fit on a training column (`None` = missing).
    #[cfg(feature = "fit")]
    pub fn fit(field: &str, values: &[Option<&str>]) -> OneHotParams {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for v in values.iter().flatten() {
            *counts.entry(v).or_default() += 1;
        }
        // Most frequent; BTreeMap order + strict `>` keeps the smallest value on ties.
        let mut fill = "";
        let mut best = 0;
        for (c, n) in &counts {
            if *n > best {
                best = *n;
                fill = c;
            }
        }
        OneHotParams {
            field: field.into(),
            categories: counts.keys().map(|c| c.to_string()).collect(),
            fill: fill.to_string(),
        }
    }
}

#[cfg(all(test, feature = "fit"))]
mod tests {
    use super::*;

    fn t(p: &OneHotParams, v: Value, strict: bool) -> Result<Vec<f32>, InstanceError> {
        let mut out = Vec::new();
        p.transform_into(
            &v,
            TransformOptions {
                strict_categories: strict,
            },
            &mut out,
        )?;
        Ok(out)
    }

    #[test]
    fn one_hot_with_fill_and_unknown_slot() {
        let p = OneHotParams::fit("c", &[Some("b"), Some("a"), Some("b"), None, Some("a")]);
        assert_eq!(p.categories, vec!["a", "b"]);
        assert_eq!(p.fill, "a"); // tie 2-2: smallest wins, as sklearn
        assert_eq!(
            t(&p, Value::Text("b".into()), false).unwrap(),
            vec![0.0, 1.0, 0.0]
        );
        assert_eq!(t(&p, Value::Missing, false).unwrap(), vec![1.0, 0.0, 0.0]);
        assert_eq!(
            t(&p, Value::Text("z".into()), false).unwrap(),
            vec![0.0, 0.0, 1.0]
        );
        let e = t(&p, Value::Text("z".into()), true).unwrap_err();
        assert_eq!((e.code(), e.field()), ("UNKNOWN_CATEGORY", Some("c")));
    }

    #[test]
    fn empty_column_fits() {
        let p = OneHotParams::fit("c", &[None, None]);
        assert_eq!(p.width(), 1);
        assert_eq!(t(&p, Value::Text("x".into()), false).unwrap(), vec![1.0]);
    }
}
