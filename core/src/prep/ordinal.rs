//! Ordinal encoding: a category's index among the sorted training categories, as
//! scikit-learn's `OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)`.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

/// Fitted state of the ordinal encoder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrdinalParams {
    /// Known categories, sorted.
    pub categories: Vec<String>,
    /// Code for a category not seen in training.
    pub unknown: f64,
    /// Category used for a missing value (none: missing reads as `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<String>,
}

impl OrdinalParams {
    /// Apply: the category's index, or `unknown`.
    pub fn transform(&self, value: &str) -> f64 {
        self.categories
            .binary_search_by(|c| c.as_str().cmp(value))
            .map_or(self.unknown, |i| i as f64)
    }

    /// Check state read from a file: sorted unique categories, a finite unknown code.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::sorted_unique("categories", &self.categories)?;
        super::checks::finite("unknown", self.unknown)
    }

    /// Fit on present values.
    #[cfg(feature = "fit")]
    pub fn fit(values: &[&str]) -> OrdinalParams {
        Self::from_categories(values.iter().copied())
    }

    /// Fit on the distinct values (in any order, repeats allowed).
    #[cfg(feature = "fit")]
    pub fn from_categories<'a>(values: impl Iterator<Item = &'a str>) -> OrdinalParams {
        let set: std::collections::BTreeSet<&str> = values.collect();
        OrdinalParams {
            categories: set.into_iter().map(str::to_string).collect(),
            unknown: -1.0,
            fill: None,
        }
    }
}

impl FromJson for OrdinalParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(OrdinalParams {
            categories: o.req("categories")?,
            unknown: o.req("unknown")?,
            fill: o.opt("fill")?,
        })
    }
}
