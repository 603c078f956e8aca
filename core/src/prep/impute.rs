//! Numeric imputation: replace a missing value with a fitted constant.
//!
//! Matches scikit-learn's `SimpleImputer` with `strategy="mean"`, `"median"` or `"constant"`.

use serde::{Deserialize, Serialize};

/// How the fill value is learned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "strategy", content = "value", rename_all = "snake_case")]
pub enum ImputeStrategy {
    /// The mean of the present training values.
    Mean,
    /// The median of the present training values.
    Median,
    /// A fixed value.
    Constant(f64),
}

/// Fitted state: the value missing entries become.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImputeParams {
    /// The fill value.
    pub fill: f64,
}

impl ImputeParams {
    /// Apply: the value, or the fill when missing.
    pub fn transform(&self, value: Option<f64>) -> f64 {
        value.unwrap_or(self.fill)
    }

    /// Fit on a training column (`None` = missing). An all-missing column fills with 0
    /// (scikit-learn drops such a column; Tandem keeps the feature width stable).
    #[cfg(feature = "fit")]
    pub fn fit(strategy: ImputeStrategy, values: &[Option<f64>]) -> ImputeParams {
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        Self::from_distribution(strategy, &super::summary::Exact::new(&present))
    }

    /// Fit on the present values or their summary.
    #[cfg(feature = "fit")]
    pub fn from_distribution(
        strategy: ImputeStrategy,
        present: &dyn super::summary::Distribution,
    ) -> ImputeParams {
        let fill = match strategy {
            ImputeStrategy::Constant(c) => c,
            _ if present.count() == 0 => 0.0,
            ImputeStrategy::Mean => present.mean(),
            ImputeStrategy::Median => present.median(),
        };
        ImputeParams { fill }
    }
}
