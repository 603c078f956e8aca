//! Robust scaling: `(x - median) / IQR`, as scikit-learn's `RobustScaler()`.

use serde::{Deserialize, Serialize};

/// Fitted state of the robust scaler.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
        use super::stats;
        let s = stats::sorted(values);
        let iqr = stats::percentile_sorted(&s, 75.0) - stats::percentile_sorted(&s, 25.0);
        RobustParams {
            center: stats::median_sorted(&s),
            scale: stats::guard_scale(iqr),
        }
    }
}
