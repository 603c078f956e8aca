//! What a fit reads of a column, gathered in one pass over the rows in bounded memory:
//! [`Moments`] (count, mean, variance, range; Welford), a [`QuantileSketch`] (KLL, rank error
//! [`sketch::RANK_ERROR`]) and capped exact [`Counts`] of distinct values.
//!
//! A numeric fit reads a [`Distribution`]: either the column's values themselves ([`Exact`],
//! computed as NumPy and scikit-learn compute them), or their one-pass summary
//! ([`Streamed`]). Fits keep the exact values up to [`EXACT_LIMIT`] rows and switch to the
//! summary past it, so the data sets people check Tandem against scikit-learn on fit exactly
//! as before, and a file larger than memory fits in a few kilobytes per column.

pub mod counts;
pub mod moments;
pub mod sketch;

use std::cell::OnceCell;

pub use counts::Counts;
pub use moments::Moments;
pub use sketch::QuantileSketch;

use super::stats;

/// Rows a numeric fit keeps as values (16 bytes each) before it summarises them.
pub const EXACT_LIMIT: usize = 200_000;

/// What a numeric fit reads of a column's present values.
pub trait Distribution {
    /// Number of values.
    fn count(&self) -> u64;
    /// Mean (0 when empty).
    fn mean(&self) -> f64;
    /// Population variance (0 when empty).
    fn variance(&self) -> f64;
    /// Smallest and largest value, if any.
    fn range(&self) -> Option<(f64, f64)>;
    /// `np.percentile(values, q)` (linear), `q` in [0, 100]; 0 when empty.
    fn percentile(&self, q: f64) -> f64;
    /// `np.median(values)`; 0 when empty.
    fn median(&self) -> f64;
}

/// The values themselves.
pub struct Exact<'a> {
    values: &'a [f64],
    sorted: OnceCell<Vec<f64>>,
}

impl<'a> Exact<'a> {
    /// Over `values` (finite).
    pub fn new(values: &'a [f64]) -> Self {
        Exact {
            values,
            sorted: OnceCell::new(),
        }
    }

    fn sorted(&self) -> &[f64] {
        self.sorted.get_or_init(|| stats::sorted(self.values))
    }
}

impl Distribution for Exact<'_> {
    fn count(&self) -> u64 {
        self.values.len() as u64
    }
    fn mean(&self) -> f64 {
        stats::mean(self.values)
    }
    fn variance(&self) -> f64 {
        stats::variance(self.values, self.mean())
    }
    fn range(&self) -> Option<(f64, f64)> {
        let min = self.values.iter().copied().reduce(f64::min)?;
        let max = self.values.iter().copied().reduce(f64::max)?;
        Some((min, max))
    }
    fn percentile(&self, q: f64) -> f64 {
        stats::percentile_sorted(self.sorted(), q)
    }
    fn median(&self) -> f64 {
        stats::median_sorted(self.sorted())
    }
}

/// A one-pass summary of the values.
#[derive(Debug, Clone, Default)]
pub struct Streamed {
    /// Count, mean, variance, range.
    pub moments: Moments,
    /// Quantiles.
    pub sketch: QuantileSketch,
}

impl Streamed {
    /// Add one value.
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.sketch.push(x);
    }

    /// Add `n` copies of `x`.
    pub fn push_n(&mut self, x: f64, n: u64) {
        self.moments.merge(&Moments::constant(x, n));
        self.sketch.push_weighted(x, n);
    }
}

impl Distribution for Streamed {
    fn count(&self) -> u64 {
        self.moments.count()
    }
    fn mean(&self) -> f64 {
        self.moments.mean()
    }
    fn variance(&self) -> f64 {
        self.moments.variance()
    }
    fn range(&self) -> Option<(f64, f64)> {
        self.moments.range()
    }
    fn percentile(&self, q: f64) -> f64 {
        self.sketch.quantile(q / 100.0)
    }
    fn median(&self) -> f64 {
        self.sketch.quantile(0.5)
    }
}
