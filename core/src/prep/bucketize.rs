//! Bucketizing: map a number to the index of its bin, as scikit-learn's
//! `KBinsDiscretizer(encode="ordinal", strategy="quantile" | "uniform",
//! quantile_method="linear")`, or to fixed, user-given edges.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::{Deserialize, Serialize};

/// How bin edges are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    /// Equal-frequency bins from training percentiles.
    Quantile,
    /// Equal-width bins between the training min and max.
    Uniform,
}

/// Fitted state: the bin edges, including the outer ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketizeParams {
    /// Increasing edges; `edges.len() - 1` bins.
    pub edges: Vec<f64>,
}

impl BucketizeParams {
    /// Number of bins.
    pub fn bins(&self) -> usize {
        self.edges.len().saturating_sub(1).max(1)
    }

    /// The bin of `x`: `searchsorted(edges[1..-1], x, side="right")`, so values below the
    /// training range fall in bin 0 and above it in the last bin.
    pub fn transform(&self, x: f64) -> usize {
        let inner = if self.edges.len() > 2 {
            &self.edges[1..self.edges.len() - 1]
        } else {
            &[][..]
        };
        inner.partition_point(|&e| e <= x)
    }

    /// Fit `n_bins` bins on present values. Edges closer than 1e-8 are merged (quantile), and
    /// a constant column gets one bin, as scikit-learn.
    #[cfg(feature = "fit")]
    pub fn fit(strategy: &BinStrategy, n_bins: usize, values: &[f64]) -> BucketizeParams {
        Self::from_distribution(strategy, n_bins, &super::summary::Exact::new(values))
    }

    /// Fit on a column's values or their summary.
    #[cfg(feature = "fit")]
    pub fn from_distribution(
        strategy: &BinStrategy,
        n_bins: usize,
        d: &dyn super::summary::Distribution,
    ) -> BucketizeParams {
        let n_bins = n_bins.max(1);
        let (min, max) = match d.range() {
            Some(r) => r,
            None => {
                return BucketizeParams {
                    edges: vec![f64::MIN, f64::MAX],
                };
            }
        };
        if min == max {
            return BucketizeParams {
                edges: vec![f64::MIN, f64::MAX],
            };
        }
        let mut edges: Vec<f64> = match strategy {
            BinStrategy::Uniform => linspace(min, max, n_bins + 1),
            BinStrategy::Quantile => linspace(0.0, 100.0, n_bins + 1)
                .into_iter()
                .map(|q| d.percentile(q))
                .collect(),
        };
        if *strategy == BinStrategy::Quantile {
            // np.ediff1d(edges, to_begin=inf) > 1e-8: each edge against the previous
            // *original* edge, not the previous kept one.
            let keep: Vec<bool> = (0..edges.len())
                .map(|i| i == 0 || edges[i] - edges[i - 1] > 1e-8)
                .collect();
            edges = edges
                .into_iter()
                .zip(keep)
                .filter_map(|(e, k)| k.then_some(e))
                .collect();
        }
        BucketizeParams { edges }
    }
}

/// `np.linspace(start, stop, num)`: `start + i * step`, last exactly `stop`.
#[cfg(feature = "fit")]
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num.max(2) - 1) as f64;
    let step = (stop - start) / div;
    let mut v: Vec<f64> = if step.is_finite() {
        (0..num).map(|i| start + i as f64 * step).collect()
    } else {
        // A span beyond f64::MAX: interpolate without forming it.
        (0..num)
            .map(|i| {
                let f = i as f64 / div;
                start * (1.0 - f) + stop * f
            })
            .collect()
    };
    if let Some(last) = v.last_mut() {
        *last = stop;
    }
    v
}

impl FromJson for BucketizeParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        Ok(BucketizeParams {
            edges: Obj::of(value)?.req("edges")?,
        })
    }
}
