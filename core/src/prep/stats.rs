//! Column statistics used when fitting nodes (native only), computed the way NumPy and
//! scikit-learn compute them so fitted state matches theirs.

/// Mean as sum then divide (NumPy sums pairwise, so the last bits may differ); if the sum
/// overflows, the sum of `x / n`, which cannot; 0 for an empty column.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let naive = values.iter().sum::<f64>() / n;
    if naive.is_finite() {
        return naive;
    }
    let safe = values.iter().map(|x| x / n).sum::<f64>();
    if safe.is_finite() { safe } else { 0.0 }
}

/// Population variance (ddof = 0) around `mean`.
pub fn variance(values: &[f64], mean: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / values.len() as f64
}

/// Sorted copy (total order; callers pass finite values).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// `np.percentile(values, q)` with the default `linear` method, on pre-sorted values.
/// `q` in [0, 100]. Returns 0 for an empty column.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let pos = (q / 100.0) * (n - 1) as f64;
    let lo = (pos.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let t = pos - lo as f64;
    lerp(sorted[lo], sorted[hi], t)
}

/// NumPy's `_lerp`: `a + (b - a) * t`, computed from `b` when `t >= 0.5` for accuracy.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if !d.is_finite() {
        // Endpoints of opposite sign near f64::MAX: interpolate without the overflowing span.
        return a * (1.0 - t) + b * t;
    }
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// `np.median` on pre-sorted values: the middle value, or the mean of the two middle ones.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => {
            let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
            let m = (a + b) / 2.0;
            if m.is_finite() { m } else { a / 2.0 + b / 2.0 }
        }
    }
}

/// scikit-learn's `_handle_zeros_in_scale` for range-based scalers: a scale below
/// `10 * f64::EPSILON` (a constant column) becomes 1.
pub fn guard_scale(scale: f64) -> f64 {
    if !scale.is_finite() || scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        let v = sorted(&[1.0, 2.0, 3.0, 4.0]);
        // np.percentile([1,2,3,4], [0, 25, 50, 75, 100]) = [1, 1.75, 2.5, 3.25, 4]
        let got: Vec<f64> = [0.0, 25.0, 50.0, 75.0, 100.0]
            .iter()
            .map(|&q| percentile_sorted(&v, q))
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 2.5, 3.25, 4.0]);
        assert_eq!(median_sorted(&v), 2.5);
        assert_eq!(median_sorted(&[7.0]), 7.0);
        assert_eq!(percentile_sorted(&[], 50.0), 0.0);
    }

    #[test]
    fn means_do_not_overflow() {
        assert_eq!(mean(&[1e308, 1e308]), 1e308);
        assert_eq!(mean(&[]), 0.0);
        assert_eq!(guard_scale(0.0), 1.0);
        assert_eq!(median_sorted(&[1e308, 1e308]), 1e308);
        assert_eq!(percentile_sorted(&[-1e308, 1e308], 50.0), 0.0);
    }
}
