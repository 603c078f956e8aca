//! Standard scaling: `(x - mean) / std`, as scikit-learn's `StandardScaler`.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

/// Fitted state of the standard scaler.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StandardParams {
    /// Training mean.
    pub mean: f64,
    /// Training population standard deviation; 1 for a constant column.
    pub scale: f64,
}

impl StandardParams {
    /// Apply.
    pub fn transform(&self, x: f64) -> f64 {
        (x - self.mean) / self.scale
    }

    /// Check state read from a file: a finite mean, a finite non-zero scale.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::finite("mean", self.mean)?;
        super::checks::scale(self.scale)
    }

    /// Fit on present values. A column is constant, and gets scale 1, by scikit-learn's rule
    /// `var <= n·eps·var + (n·mean·eps)²`.
    #[cfg(feature = "fit")]
    pub fn fit(values: &[f64]) -> StandardParams {
        Self::from_distribution(&super::summary::Exact::new(values))
    }

    /// Fit on a column's values or their summary.
    #[cfg(feature = "fit")]
    pub fn from_distribution(d: &dyn super::summary::Distribution) -> StandardParams {
        let mean = d.mean();
        let var = d.variance();
        let n = d.count() as f64;
        let eps = f64::EPSILON;
        let constant = var <= n * eps * var + (n * mean * eps).powi(2);
        let std = var.sqrt();
        let scale = if constant || !std.is_finite() {
            1.0
        } else {
            std
        };
        StandardParams { mean, scale }
    }
}

impl FromJson for StandardParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(StandardParams {
            mean: o.req("mean")?,
            scale: o.req("scale")?,
        })
    }
}
