//! Fitting a numeric chain in one pass over the rows: the values themselves up to
//! [`EXACT_LIMIT`] rows (the fit is then exactly [`NumberParams::fit`]'s), a summary past it.
//!
//! The summary needs one pass because the chain's stages after imputation (clip, `log1p`)
//! are fixed, not fitted: a present value's transformed value is known as it arrives, and a
//! missing one's is the transformed fill, known at the end and added once with its count.

use super::summary::{EXACT_LIMIT, Streamed};
use super::{ImputeParams, NumberConfig, NumberParams, Scale};
use crate::InstanceError;

/// A numeric chain being fitted, fed one value per training row.
#[derive(Debug, Clone)]
pub struct NumberFit {
    config: NumberConfig,
    name: String,
    /// The values while there are few enough of them.
    exact: Option<Vec<Option<f64>>>,
    raw: Streamed,
    pre: Streamed,
    missing: u64,
    first_missing: Option<usize>,
    /// The chain with a zero fill: what a present value becomes before scaling.
    probe: NumberParams,
    rows: usize,
}

impl NumberFit {
    /// Start fitting `config` for the feature `name`.
    pub fn new(config: &NumberConfig, name: &str) -> Self {
        NumberFit {
            config: config.clone(),
            name: name.to_string(),
            exact: Some(Vec::new()),
            raw: Streamed::default(),
            pre: Streamed::default(),
            missing: 0,
            first_missing: None,
            probe: NumberParams {
                fill: 0.0,
                indicator: config.indicator,
                clip: config.clip,
                log1p: config.log1p,
                scale: Scale::None,
                bins: None,
            },
            rows: 0,
        }
    }

    /// The next row's value; the error names the row (0-based) a stage cannot use.
    pub fn push(&mut self, value: Option<f64>) -> Result<(), (usize, InstanceError)> {
        let row = self.rows;
        self.rows += 1;
        if let Some(values) = &mut self.exact {
            values.push(value);
            if values.len() > EXACT_LIMIT {
                let values = self.exact.take().unwrap_or_default();
                for (i, v) in values.into_iter().enumerate() {
                    self.summarise(i, v)?;
                }
            }
            return Ok(());
        }
        self.summarise(row, value)
    }

    fn summarise(&mut self, row: usize, value: Option<f64>) -> Result<(), (usize, InstanceError)> {
        match value {
            Some(x) => {
                self.raw.push(x);
                let pre = self.probe.pre(Some(x), &self.name).map_err(|e| (row, e))?;
                self.pre.push(pre);
            }
            None => {
                self.missing += 1;
                self.first_missing.get_or_insert(row);
            }
        }
        Ok(())
    }

    /// The fitted chain.
    pub fn finish(self) -> Result<NumberParams, (usize, InstanceError)> {
        if let Some(values) = &self.exact {
            return NumberParams::fit(&self.config, &self.name, values);
        }
        let impute = ImputeParams::from_distribution(self.config.impute, &self.raw);
        let mut params = NumberParams {
            fill: impute.fill,
            ..self.probe
        };
        let mut pre = self.pre;
        if self.missing > 0 {
            let row = self.first_missing.unwrap_or(0);
            let x = params.pre(None, &self.name).map_err(|e| (row, e))?;
            pre.push_n(x, self.missing);
        }
        params.fit_scale(&self.config, &pre);
        Ok(params)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::prep::{BinStrategy, BinsConfig, ImputeStrategy, ScaleKind};

    fn fit(config: &NumberConfig, values: &[Option<f64>]) -> NumberParams {
        let mut f = NumberFit::new(config, "x");
        for v in values {
            f.push(*v).unwrap();
        }
        f.finish().unwrap()
    }

    /// A wage-like column: skewed, with ties and a tenth missing.
    fn column(n: usize) -> Vec<Option<f64>> {
        let mut s = 7u64;
        (0..n)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                (i % 10 != 3).then(|| (2.5 * u).exp().mul_add(3.0, 1.0).round())
            })
            .collect()
    }

    #[test]
    fn few_rows_fit_exactly_as_the_values_do() {
        let values = column(5_000);
        for scale in [ScaleKind::Standard, ScaleKind::MinMax, ScaleKind::Robust] {
            let config = NumberConfig {
                impute: ImputeStrategy::Median,
                scale,
                log1p: true,
                ..NumberConfig::default()
            };
            assert_eq!(
                fit(&config, &values),
                NumberParams::fit(&config, "x", &values).unwrap()
            );
        }
    }

    #[test]
    fn many_rows_fit_within_the_sketch_error() {
        let values = column(EXACT_LIMIT * 3);
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let mut sorted = present.clone();
        sorted.sort_by(f64::total_cmp);
        // The median fill is a value whose rank is within the sketch's error of the middle.
        let config = NumberConfig {
            impute: ImputeStrategy::Median,
            scale: ScaleKind::Standard,
            ..NumberConfig::default()
        };
        let streamed = fit(&config, &values);
        let exact = NumberParams::fit(&config, "x", &values).unwrap();
        let rank = sorted.partition_point(|&v| v < streamed.fill) as f64 / sorted.len() as f64;
        let rank_hi = sorted.partition_point(|&v| v <= streamed.fill) as f64 / sorted.len() as f64;
        let e = super::super::summary::sketch::RANK_ERROR;
        assert!(rank <= 0.5 + e && rank_hi >= 0.5 - e, "{rank}..{rank_hi}");
        let (Scale::Standard(s), Scale::Standard(x)) = (&streamed.scale, &exact.scale) else {
            panic!("standard")
        };
        assert!(
            (s.mean - x.mean).abs() < 1e-9 * x.mean.abs().max(1.0),
            "{s:?} {x:?}"
        );
        assert!((s.scale - x.scale).abs() < 1e-9 * x.scale, "{s:?} {x:?}");
        // Quantile bins: every edge within the error's ranks of the exact one.
        let config = NumberConfig {
            bins: Some(BinsConfig {
                strategy: BinStrategy::Quantile,
                n_bins: 5,
                edges: Vec::new(),
                one_hot: false,
            }),
            ..NumberConfig::default()
        };
        let streamed = fit(&config, &values);
        let exact = NumberParams::fit(&config, "x", &values).unwrap();
        let (Some(s), Some(x)) = (&streamed.bins, &exact.bins) else {
            panic!("bins")
        };
        assert_eq!(s.bucketize.edges.len(), x.bucketize.edges.len());
        let imputed: Vec<f64> = {
            let mut v: Vec<f64> = values.iter().map(|v| v.unwrap_or(streamed.fill)).collect();
            v.sort_by(f64::total_cmp);
            v
        };
        // Each streamed edge is a value whose ranks (ties span several) reach within the
        // stated error of its quantile.
        let n = imputed.len() as f64;
        let inner = &s.bucketize.edges[1..s.bucketize.edges.len() - 1];
        for (k, &edge) in inner.iter().enumerate() {
            let q = (k + 1) as f64 / 5.0;
            let lo = imputed.partition_point(|&v| v < edge) as f64 / n;
            let hi = imputed.partition_point(|&v| v <= edge) as f64 / n;
            assert!(
                lo - e <= q && q <= hi + e,
                "edge {edge}: ranks {lo}..{hi}, quantile {q}"
            );
        }
    }

    #[test]
    fn a_value_log1p_cannot_take_names_its_row_past_the_limit() {
        let config = NumberConfig {
            log1p: true,
            ..NumberConfig::default()
        };
        let mut f = NumberFit::new(&config, "x");
        for i in 0..EXACT_LIMIT + 10 {
            let v = if i == EXACT_LIMIT + 5 { -3.0 } else { 1.0 };
            if let Err((row, _)) = f.push(Some(v)) {
                assert_eq!(row, EXACT_LIMIT + 5);
                return;
            }
        }
        panic!("no error");
    }
}
