//! The numeric chain of a declared column: impute → clip → log1p → scale or bucketize, plus
//! an optional missing-indicator column.
//!
//! Equivalent to scikit-learn's `Pipeline([SimpleImputer, FunctionTransformer(clip),
//! FunctionTransformer(np.log1p), StandardScaler | MinMaxScaler | RobustScaler |
//! KBinsDiscretizer])` with `SimpleImputer(add_indicator=True)` for the indicator; each stage
//! is fitted on the output of the stage before it.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

use super::{BindError, BucketizeParams, MinMaxParams, RobustParams, StandardParams, checks};
use crate::InstanceError;

/// Fitted scaler of a numeric column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scale {
    /// Leave the value as is.
    #[default]
    None,
    /// `(x - mean) / scale`.
    Standard(StandardParams),
    /// `x * scale + offset`, mapping the training range to [0, 1].
    MinMax(MinMaxParams),
    /// `(x - median) / IQR`.
    Robust(RobustParams),
}

/// Fitted bucketizer of a numeric column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bins {
    /// Bin edges.
    #[serde(flatten)]
    pub bucketize: BucketizeParams,
    /// One column per bin (else one column holding the bin index).
    pub one_hot: bool,
}

/// Fitted state of the numeric chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberParams {
    /// Value used when the input is missing.
    pub fill: f64,
    /// Append a column that is 1 when the input was missing.
    #[serde(default)]
    pub indicator: bool,
    /// Clamp into `[low, high]` after imputing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<[f64; 2]>,
    /// Apply `ln(1 + x)` after clipping (values at or below -1 are `INVALID_VALUE`).
    #[serde(default)]
    pub log1p: bool,
    /// Scaler applied last (unless bucketized).
    #[serde(default)]
    pub scale: Scale,
    /// Bucketize instead of scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bins: Option<Bins>,
}

impl NumberParams {
    /// Number of features written.
    pub fn width(&self) -> usize {
        let main = match &self.bins {
            Some(b) if b.one_hot => b.bucketize.bins(),
            _ => 1,
        };
        main + usize::from(self.indicator)
    }

    /// Check state read from a file: a finite fill, a usable scaler, an ordered clip range,
    /// sorted finite bin edges.
    pub fn check(&self) -> Result<(), BindError> {
        checks::finite("fill", self.fill)?;
        match self.scale {
            Scale::None => {}
            Scale::Standard(s) => s.check()?,
            Scale::MinMax(s) => s.check()?,
            Scale::Robust(s) => s.check()?,
        }
        if let Some(c) = self.clip {
            checks::clip(c)?;
        }
        if let Some(b) = &self.bins {
            checks::bin_edges(&b.bucketize.edges, false)?;
        }
        Ok(())
    }

    /// The value after impute, clip and log1p (what the scaler or bucketizer sees).
    pub(super) fn pre(&self, value: Option<f64>, name: &str) -> Result<f64, InstanceError> {
        let mut x = value.unwrap_or(self.fill);
        if let Some([lo, hi]) = self.clip {
            x = x.clamp(lo, hi);
        }
        if self.log1p {
            if x <= -1.0 {
                return Err(InstanceError::InvalidValue {
                    field: name.into(),
                    value: x.to_string(),
                    reason: "is at or below -1, where log1p is undefined".into(),
                });
            }
            // libm's, as everywhere a transcendental function meets native/wasm parity.
            x = libm::log1p(x);
        }
        Ok(x)
    }

    /// Append the features of `value` (`None`: missing).
    pub fn transform_into(
        &self,
        value: Option<f64>,
        name: &str,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let x = self.pre(value, name)?;
        match &self.bins {
            Some(b) => {
                let bin = b.bucketize.transform(x);
                if b.one_hot {
                    out.extend((0..b.bucketize.bins()).map(|i| if i == bin { 1.0 } else { 0.0 }));
                } else {
                    out.push(bin as f32);
                }
            }
            None => {
                let y = match self.scale {
                    Scale::None => x,
                    Scale::Standard(s) => s.transform(x),
                    Scale::MinMax(s) => s.transform(x),
                    Scale::Robust(s) => s.transform(x),
                };
                out.push(y.clamp(f32::MIN as f64, f32::MAX as f64) as f32);
            }
        }
        if self.indicator {
            out.push(if value.is_none() { 1.0 } else { 0.0 });
        }
        Ok(())
    }

    /// Feature names: `name` (or one per bin), then `name=<missing>`.
    pub fn feature_names(&self, name: &str, out: &mut Vec<String>) {
        match &self.bins {
            Some(b) if b.one_hot => {
                out.extend((0..b.bucketize.bins()).map(|i| format!("{name}=bin{i}")))
            }
            _ => out.push(name.to_string()),
        }
        if self.indicator {
            out.push(format!("{name}=<missing>"));
        }
    }
}

/// How to scale a numeric column (unfitted).
#[cfg(feature = "fit")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScaleKind {
    /// No scaling.
    None,
    /// Standardize (the default).
    #[default]
    Standard,
    /// Min-max to [0, 1].
    MinMax,
    /// Median / IQR.
    Robust,
}

/// How to bucketize a numeric column (unfitted).
#[cfg(feature = "fit")]
#[derive(Debug, Clone, PartialEq)]
pub struct BinsConfig {
    /// Fixed inner edges; when empty, `n_bins` are fitted with `strategy`.
    pub edges: Vec<f64>,
    /// Number of bins to fit.
    pub n_bins: usize,
    /// Quantile or uniform.
    pub strategy: super::BinStrategy,
    /// One column per bin.
    pub one_hot: bool,
}

/// Declared numeric chain (unfitted).
#[cfg(feature = "fit")]
#[derive(Debug, Clone, PartialEq)]
pub struct NumberConfig {
    /// Imputation strategy.
    pub impute: super::ImputeStrategy,
    /// Add a missing-indicator column.
    pub indicator: bool,
    /// Fixed clip range.
    pub clip: Option<[f64; 2]>,
    /// `ln(1 + x)`.
    pub log1p: bool,
    /// Scaler.
    pub scale: ScaleKind,
    /// Bucketizer (instead of the scaler).
    pub bins: Option<BinsConfig>,
}

#[cfg(feature = "fit")]
impl Default for NumberConfig {
    fn default() -> Self {
        NumberConfig {
            impute: super::ImputeStrategy::Mean,
            indicator: false,
            clip: None,
            log1p: false,
            scale: ScaleKind::Standard,
            bins: None,
        }
    }
}

#[cfg(feature = "fit")]
impl NumberConfig {
    /// Check a declaration before fitting: an ordered clip range, a number of bins within
    /// [`super::limits::MIN_FIT_BINS`]..=[`super::limits::MAX_FIT_BINS`] or strictly
    /// increasing finite edges (room left for the two outer ones).
    pub fn check(&self) -> Result<(), BindError> {
        use super::limits::{MAX_BIN_EDGES, MAX_FIT_BINS, MIN_FIT_BINS};
        if let Some(c) = self.clip {
            checks::clip(c)?;
        }
        match &self.bins {
            None => Ok(()),
            Some(b) if b.edges.is_empty() => {
                if (MIN_FIT_BINS..=MAX_FIT_BINS).contains(&b.n_bins) {
                    Ok(())
                } else {
                    Err(BindError::BadBinCount {
                        n: b.n_bins,
                        min: MIN_FIT_BINS,
                        max: MAX_FIT_BINS,
                    })
                }
            }
            Some(b) if b.edges.len() > MAX_BIN_EDGES - 2 => Err(BindError::BadBinEdges {
                n: b.edges.len(),
                max: MAX_BIN_EDGES - 2,
            }),
            Some(b) => checks::bin_edges(&b.edges, true),
        }
    }
}

#[cfg(feature = "fit")]
impl NumberParams {
    /// Fit each stage on the output of the previous one; the error names the first row
    /// (0-based) a stage cannot use.
    pub fn fit(
        config: &NumberConfig,
        name: &str,
        values: &[Option<f64>],
    ) -> Result<NumberParams, (usize, InstanceError)> {
        let impute = super::ImputeParams::fit(config.impute, values);
        let mut params = NumberParams {
            fill: impute.fill,
            indicator: config.indicator,
            clip: config.clip,
            log1p: config.log1p,
            scale: Scale::None,
            bins: None,
        };
        let mut pre = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            pre.push(params.pre(*v, name).map_err(|e| (i, e))?);
        }
        params.fit_scale(config, &super::summary::Exact::new(&pre));
        Ok(params)
    }

    /// Fit the scaler or the bins on the values after imputing, clipping and `log1p`.
    pub(super) fn fit_scale(
        &mut self,
        config: &NumberConfig,
        pre: &dyn super::summary::Distribution,
    ) {
        if let Some(b) = &config.bins {
            let bucketize = if b.edges.is_empty() {
                BucketizeParams::from_distribution(&b.strategy, b.n_bins, pre)
            } else {
                let mut edges = vec![f64::MIN];
                edges.extend(&b.edges);
                edges.push(f64::MAX);
                BucketizeParams { edges }
            };
            self.bins = Some(Bins {
                bucketize,
                one_hot: b.one_hot,
            });
        } else {
            self.scale = match config.scale {
                ScaleKind::None => Scale::None,
                ScaleKind::Standard => Scale::Standard(StandardParams::from_distribution(pre)),
                ScaleKind::MinMax => Scale::MinMax(MinMaxParams::from_distribution(pre)),
                ScaleKind::Robust => Scale::Robust(RobustParams::from_distribution(pre)),
            };
        }
    }
}

impl FromJson for Scale {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(
            match o.tag("kind", &["none", "standard", "min_max", "robust"])? {
                "none" => Scale::None,
                "standard" => Scale::Standard(StandardParams::from_json(value)?),
                "min_max" => Scale::MinMax(MinMaxParams::from_json(value)?),
                _ => Scale::Robust(RobustParams::from_json(value)?),
            },
        )
    }
}

impl FromJson for Bins {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        Ok(Bins {
            bucketize: BucketizeParams::from_json(value)?,
            one_hot: Obj::of(value)?.req("one_hot")?,
        })
    }
}

impl FromJson for NumberParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(NumberParams {
            fill: o.req("fill")?,
            indicator: o.or_default("indicator")?,
            clip: o.opt("clip")?,
            log1p: o.or_default("log1p")?,
            scale: o.or_default("scale")?,
            bins: o.opt("bins")?,
        })
    }
}

#[cfg(all(test, feature = "fit"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::prep::{BinStrategy, ImputeStrategy};

    fn run(p: &NumberParams, v: Option<f64>) -> Vec<f32> {
        let mut out = Vec::new();
        p.transform_into(v, "x", &mut out).unwrap();
        out
    }

    #[test]
    fn impute_clip_log1p_scale_and_indicator() {
        let config = NumberConfig {
            impute: ImputeStrategy::Median,
            indicator: true,
            clip: Some([0.0, 100.0]),
            log1p: true,
            scale: ScaleKind::MinMax,
            bins: None,
        };
        let values = [Some(0.0), Some(1000.0), None, Some(9.0)];
        let p = NumberParams::fit(&config, "x", &values).unwrap();
        assert_eq!(p.fill, 9.0);
        assert_eq!(p.width(), 2);
        assert_eq!(run(&p, Some(0.0)), vec![0.0, 0.0]);
        assert_eq!(run(&p, Some(5e9)), vec![1.0, 0.0]);
        assert_eq!(run(&p, None)[1], 1.0);
        assert!(p.check().is_ok());
    }

    #[test]
    fn log1p_domain_is_an_error_with_the_row() {
        let config = NumberConfig {
            log1p: true,
            ..NumberConfig::default()
        };
        let (row, e) = NumberParams::fit(&config, "x", &[Some(1.0), Some(-2.0)]).unwrap_err();
        assert_eq!((row, e.code(), e.field()), (1, "INVALID_VALUE", Some("x")));
    }

    #[test]
    fn fixed_and_fitted_bins() {
        let fixed = NumberConfig {
            bins: Some(BinsConfig {
                edges: vec![10.0, 20.0],
                n_bins: 0,
                strategy: BinStrategy::Quantile,
                one_hot: true,
            }),
            ..NumberConfig::default()
        };
        let p = NumberParams::fit(&fixed, "x", &[Some(1.0)]).unwrap();
        assert_eq!(run(&p, Some(15.0)), vec![0.0, 1.0, 0.0]);
        assert_eq!(run(&p, Some(20.0)), vec![0.0, 0.0, 1.0]);
        let fitted = NumberConfig {
            bins: Some(BinsConfig {
                edges: vec![],
                n_bins: 2,
                strategy: BinStrategy::Uniform,
                one_hot: false,
            }),
            ..NumberConfig::default()
        };
        let p = NumberParams::fit(&fitted, "x", &[Some(0.0), Some(10.0)]).unwrap();
        assert_eq!(run(&p, Some(7.0)), vec![1.0]);
    }
}
