//! Min-max scaling to [0, 1], as scikit-learn's `MinMaxScaler()`: `x * scale + offset`.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

/// Fitted state of the min-max scaler (scikit-learn's `scale_` and `min_`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MinMaxParams {
    /// Multiplier: `1 / (max - min)`, or 1 for a constant column.
    pub scale: f64,
    /// Offset: `-min * scale`.
    pub offset: f64,
}

impl MinMaxParams {
    /// Apply. Values outside the training range map outside [0, 1] (no clipping, as sklearn).
    pub fn transform(&self, x: f64) -> f64 {
        x * self.scale + self.offset
    }

    /// Check state read from a file: a finite scale and offset.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::finite("scale", self.scale)?;
        super::checks::finite("offset", self.offset)
    }

    /// Fit on present values.
    #[cfg(feature = "fit")]
    pub fn fit(values: &[f64]) -> MinMaxParams {
        Self::from_distribution(&super::summary::Exact::new(values))
    }

    /// Fit on a column's values or their summary.
    #[cfg(feature = "fit")]
    pub fn from_distribution(d: &dyn super::summary::Distribution) -> MinMaxParams {
        let (min, max) = d.range().unwrap_or((0.0, 0.0));
        let scale = 1.0 / super::stats::guard_scale(max - min);
        MinMaxParams {
            scale,
            offset: -min * scale,
        }
    }
}

impl FromJson for MinMaxParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(MinMaxParams {
            scale: o.req("scale")?,
            offset: o.req("offset")?,
        })
    }
}
