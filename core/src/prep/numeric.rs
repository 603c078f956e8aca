//! Numeric node: impute missing values with the training mean, then standardize.
//!
//! Matches scikit-learn's `SimpleImputer(strategy="mean")` followed by `StandardScaler()`:
//! the scale is the population standard deviation (ddof = 0) of the *imputed* column, and a
//! zero scale becomes 1 so that constant columns map to 0.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

use crate::Value;

/// Fitted state of the numeric node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericParams {
    /// The input field.
    pub field: String,
    /// Value used when the field is missing (the training mean).
    pub fill: f64,
    /// Mean subtracted after imputation.
    pub mean: f64,
    /// Scale divided by after centering (never 0).
    pub scale: f64,
}

/// Read a value as a number: numbers as is, booleans as 0/1, anything else missing.
pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(x) => Some(*x),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

impl NumericParams {
    /// Apply the node: impute, center, scale; computed in f64, rounded once to f32.
    ///
    /// The result is clamped to the finite f32 range, so an extreme input (1e300 in a column
    /// trained on ages) saturates instead of becoming infinity and poisoning the network.
    pub fn transform(&self, value: &Value) -> f32 {
        let x = as_f64(value).unwrap_or(self.fill);
        let z = (x - self.mean) / self.scale;
        z.clamp(f32::MIN as f64, f32::MAX as f64) as f32
    }

    /// Check state read from a file: the same rules as an imputer followed by a
    /// [`super::StandardParams`].
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::finite("fill", self.fill)?;
        super::StandardParams {
            mean: self.mean,
            scale: self.scale,
        }
        .check()
    }

    /// Fit on a training column (`None` = missing): the mean imputer, then the standard
    /// scaler on the imputed column, exactly as the scikit-learn pipeline does.
    #[cfg(feature = "fit")]
    pub fn fit(field: &str, values: &[Option<f64>]) -> NumericParams {
        use super::{ImputeParams, ImputeStrategy, StandardParams};
        let impute = ImputeParams::fit(ImputeStrategy::Mean, values);
        let imputed: Vec<f64> = values.iter().map(|v| impute.transform(*v)).collect();
        let standard = StandardParams::fit(&imputed);
        NumericParams {
            field: field.into(),
            fill: impute.fill,
            mean: standard.mean,
            scale: standard.scale,
        }
    }
}

impl FromJson for NumericParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(NumericParams {
            field: o.req("field")?,
            fill: o.req("fill")?,
            mean: o.req("mean")?,
            scale: o.req("scale")?,
        })
    }
}

#[cfg(all(test, feature = "fit"))]
mod tests {
    use super::*;

    #[test]
    fn fit_matches_sklearn_mean_impute_then_standardize() {
        // sklearn: SimpleImputer(mean) -> [1, 2, 3, 2]; StandardScaler: mean 2, std sqrt(0.5).
        let p = NumericParams::fit("x", &[Some(1.0), Some(2.0), Some(3.0), None]);
        assert_eq!(p.fill, 2.0);
        assert_eq!(p.mean, 2.0);
        assert!((p.scale - 0.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(p.transform(&Value::Missing), 0.0);
        assert_eq!(
            p.transform(&Value::Number(3.0)),
            (1.0 / 0.5f64.sqrt()) as f32
        );
    }

    #[test]
    fn degenerate_columns_do_not_divide_by_zero() {
        let p = NumericParams::fit("x", &[Some(5.0), Some(5.0)]);
        assert_eq!(p.scale, 1.0);
        let p = NumericParams::fit("x", &[None, None]);
        assert_eq!((p.fill, p.mean, p.scale), (0.0, 0.0, 1.0));
        let p = NumericParams::fit("x", &[]);
        assert_eq!(p.transform(&Value::Number(1.0)), 1.0);
    }
}
