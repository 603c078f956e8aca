//! Categorical node: impute missing values with the most frequent training category, then
//! one-hot encode with an explicit trailing "unknown" slot.
//!
//! Matches scikit-learn's `SimpleImputer(strategy="most_frequent")` (ties broken by the
//! smallest value) followed by `OneHotEncoder(handle_unknown="ignore")`, plus one column that
//! is 1 exactly when the category was not seen in training (sklearn writes all zeros there).
//!
//! With `min_frequency` / `max_categories` ([`OneHotConfig`]) rare categories share one
//! "infrequent" column placed before the unknown slot, chosen exactly as scikit-learn's
//! `OneHotEncoder(min_frequency=..., max_categories=...)` chooses them.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::{Deserialize, Serialize};

use super::TransformOptions;
use crate::{InstanceError, Value};

/// Fitted state of the one-hot node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneHotParams {
    /// The input field.
    pub field: String,
    /// Known categories, sorted; feature `i` is 1 for `categories[i]`.
    pub categories: Vec<String>,
    /// Category used when the field is missing (the most frequent in training).
    pub fill: String,
    /// Training categories grouped into one "infrequent" column, sorted (empty: no column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infrequent: Vec<String>,
}

/// Limits on how many one-hot columns a field gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OneHotConfig {
    /// Categories seen fewer times than this are infrequent.
    pub min_frequency: Option<usize>,
    /// At most this many columns for training categories, the infrequent column included.
    pub max_categories: Option<usize>,
}

impl OneHotParams {
    /// Number of features written: one per frequent category, one for the infrequent ones
    /// if any, plus the unknown slot.
    pub fn width(&self) -> usize {
        self.categories.len() + usize::from(!self.infrequent.is_empty()) + 1
    }

    /// Check state read from a file: sorted unique categories (they are binary-searched).
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::sorted_unique("categories", &self.categories)?;
        super::checks::sorted_unique("infrequent categories", &self.infrequent)
    }

    /// Feature names under `name`: `name=<category>`, `name=<infrequent>`, `name=<unknown>`.
    pub fn feature_names(&self, name: &str, out: &mut Vec<String>) {
        out.extend(self.categories.iter().map(|c| format!("{name}={c}")));
        if !self.infrequent.is_empty() {
            out.push(format!("{name}=<infrequent>"));
        }
        out.push(format!("{name}=<unknown>"));
    }

    /// Append this node's features for `value` to `out`.
    pub fn transform_into(
        &self,
        value: &Value,
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        self.transform_str(
            match value {
                Value::Text(s) => Some(s.as_str()),
                _ => None,
            },
            options,
            out,
        )
    }

    /// [`OneHotParams::transform_into`] on a string (`None`: missing, the fill category).
    pub fn transform_str(
        &self,
        value: Option<&str>,
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let text = value.unwrap_or(self.fill.as_str());
        let hit = self
            .categories
            .binary_search_by(|c| c.as_str().cmp(text))
            .ok();
        let known_infrequent = hit.is_none()
            && self
                .infrequent
                .binary_search_by(|c| c.as_str().cmp(text))
                .is_ok();
        if hit.is_none() && !known_infrequent && options.strict_categories {
            let unknown = super::unknown::UnknownCategory {
                field: self.field.clone(),
                feature: self.field.clone(),
                value: text.to_string(),
                known: self.known(),
            };
            return Err(unknown.into_error());
        }
        let slot = match hit {
            Some(i) => i,
            None if known_infrequent => self.categories.len(),
            None => self.width() - 1,
        };
        out.extend((0..self.width()).map(|i| if i == slot { 1.0 } else { 0.0 }));
        Ok(())
    }

    /// Fit on a training column (`None` = missing).
    #[cfg(feature = "fit")]
    pub fn fit(field: &str, values: &[Option<&str>]) -> OneHotParams {
        Self::fit_with(field, values, &OneHotConfig::default())
    }

    /// Fit with limits on the number of columns (see [`OneHotConfig`]).
    #[cfg(feature = "fit")]
    pub fn fit_with(field: &str, values: &[Option<&str>], config: &OneHotConfig) -> OneHotParams {
        let mut counts = super::summary::Counts::default();
        for v in values.iter().flatten() {
            counts.push(v);
        }
        Self::from_counts(field, &counts, config)
    }

    /// Fit on the counts of a column's present values.
    #[cfg(feature = "fit")]
    pub fn from_counts(
        field: &str,
        counts: &super::summary::Counts,
        config: &OneHotConfig,
    ) -> OneHotParams {
        // Most frequent; value order + strict `>` keeps the smallest value on ties.
        let fill = counts.most_frequent().unwrap_or("");
        // scikit-learn's _identify_infrequent: below min_frequency, then, if still more
        // than max_categories columns (the infrequent one included), the least frequent
        // (stable order: sorted category order among equal counts) until it fits.
        let count: Vec<u64> = counts.iter().map(|(_, n)| n).collect();
        let mut infrequent: Vec<bool> = count
            .iter()
            .map(|&n| config.min_frequency.is_some_and(|m| n < m as u64))
            .collect();
        let n_infrequent = infrequent.iter().filter(|&&b| b).count();
        let n_columns = count.len() - n_infrequent + 1;
        if let Some(max) = config.max_categories
            && max < n_columns
        {
            let keep = max.saturating_sub(1);
            let mut order: Vec<usize> = (0..count.len()).collect();
            order.sort_by_key(|&i| count[i]); // stable
            for &i in order.iter().take(count.len().saturating_sub(keep)) {
                infrequent[i] = true;
            }
        }
        let (mut categories, mut rare) = (Vec::new(), Vec::new());
        for ((c, _), is_rare) in counts.iter().zip(&infrequent) {
            if *is_rare {
                rare.push(c.to_string());
            } else {
                categories.push(c.to_string());
            }
        }
        OneHotParams {
            field: field.into(),
            categories,
            fill: fill.to_string(),
            infrequent: rare,
        }
    }
}

impl FromJson for OneHotParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(OneHotParams {
            field: o.req("field")?,
            categories: o.req("categories")?,
            fill: o.req("fill")?,
            infrequent: o.or_default("infrequent")?,
        })
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
                ..TransformOptions::default()
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
