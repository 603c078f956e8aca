//! Metrics of predicted values against true ones: RMSE, MAE, MAPE (only where no true value
//! is 0), R² and a summary of the residuals (true minus predicted).

use std::collections::BTreeMap;

/// Percentiles of the residuals reported (NumPy's linear interpolation).
pub const RESIDUAL_PERCENTILES: [u32; 5] = [5, 25, 50, 75, 95];

/// The metrics of `predicted` against `truth`, by name (`rmse`, `mae`, `r2`, `mape` when
/// defined, `residual_mean`, `residual_std`, `residual_p5` ... `residual_p95`).
pub fn regression(predicted: &[f64], truth: &[f64]) -> BTreeMap<String, f64> {
    let n = truth.len().max(1) as f64;
    let residuals: Vec<f64> = truth.iter().zip(predicted).map(|(t, p)| t - p).collect();
    let mse = residuals.iter().map(|r| r * r).sum::<f64>() / n;
    let mae = residuals.iter().map(|r| r.abs()).sum::<f64>() / n;
    let mean_truth = truth.iter().sum::<f64>() / n;
    let tss: f64 = truth.iter().map(|t| (t - mean_truth).powi(2)).sum();
    // scikit-learn's r2_score for a constant truth: 1 when predicted exactly, else 0.
    let r2 = if tss > 0.0 {
        1.0 - mse * n / tss
    } else if mse == 0.0 {
        1.0
    } else {
        0.0
    };
    let residual_mean = residuals.iter().sum::<f64>() / n;
    let residual_var = residuals
        .iter()
        .map(|r| (r - residual_mean).powi(2))
        .sum::<f64>()
        / n;
    let mut out = BTreeMap::from([
        ("rmse".to_string(), mse.sqrt()),
        ("mae".to_string(), mae),
        ("r2".to_string(), r2),
        ("residual_mean".to_string(), residual_mean),
        ("residual_std".to_string(), residual_var.sqrt()),
    ]);
    let mut sorted = residuals;
    sorted.sort_by(f64::total_cmp);
    for q in RESIDUAL_PERCENTILES {
        out.insert(format!("residual_p{q}"), percentile(&sorted, f64::from(q)));
    }
    if !truth.is_empty() && truth.iter().all(|&t| t != 0.0) {
        let mape = truth
            .iter()
            .zip(predicted)
            .map(|(t, p)| ((t - p) / t).abs())
            .sum::<f64>()
            / n;
        out.insert("mape".to_string(), mape);
    }
    out
}

/// The `q`th percentile of sorted values, interpolating linearly between the two nearest
/// ranks (NumPy's default).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let rank = q / 100.0 * last as f64;
    let below = rank.floor() as usize;
    let above = (below + 1).min(last);
    let weight = rank - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&sorted, 50.0), 2.5);
        assert_eq!(percentile(&sorted, 0.0), 1.0);
        assert_eq!(percentile(&sorted, 100.0), 4.0);
    }

    #[test]
    fn a_zero_true_value_leaves_mape_out_and_a_constant_truth_has_r2_of_0_or_1() {
        let m = regression(&[1.0, 1.0], &[0.0, 2.0]);
        assert!(!m.contains_key("mape"));
        assert_eq!(regression(&[3.0, 3.0], &[3.0, 3.0])["r2"], 1.0);
        assert_eq!(regression(&[2.0, 4.0], &[3.0, 3.0])["r2"], 0.0);
    }
}
