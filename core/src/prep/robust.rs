//! Robust scaling: `(x - median) / IQR`, as scikit-learn's `RobustScaler()`.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

/// Fitted state of the robust scaler.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RobustParams {
    /// Training median.
    pub center: f64,
    /// Interquartile range (75th - 25th percentile, linear interpolation); 1 if zero.
    pub scale: f64,
}

impl RobustParams {
    /// Apply.
    pub fn transform(&self, x: f64) -> f64 {
        (x - self.center) / self.scale
    }

    /// Check state read from a file: a finite center, a finite non-zero scale.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::finite("center", self.center)?;
        super::checks::scale(self.scale)
    }

    /// Fit on present values.
    #[cfg(feature = "fit")]
    pub fn fit(values: &[f64]) -> RobustParams {
        Self::from_distribution(&super::summary::Exact::new(values))
    }

    /// Fit on a column's values or their summary.
    #[cfg(feature = "fit")]
    pub fn from_distribution(d: &dyn super::summary::Distribution) -> RobustParams {
        let iqr = d.percentile(75.0) - d.percentile(25.0);
        RobustParams {
            center: d.median(),
            scale: super::stats::guard_scale(iqr),
        }
    }
}

impl FromJson for RobustParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(RobustParams {
            center: o.req("center")?,
            scale: o.req("scale")?,
        })
    }
}
