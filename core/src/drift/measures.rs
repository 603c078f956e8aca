//! The distances between two binned distributions, and quantiles.

/// Proportions below this are raised to it in the PSI (an empty bin would make it infinite).
pub const PROPORTION_FLOOR: f64 = 1e-4;

fn proportions(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                c as f64 / total as f64
            }
        })
        .collect()
}

/// The population stability index of `new` against `reference` (counts per bin, same bins):
/// `Σ (q − p) ln(q / p)` over the proportions, each floored at [`PROPORTION_FLOOR`].
pub fn psi(reference: &[u64], new: &[u64]) -> f64 {
    proportions(reference)
        .into_iter()
        .zip(proportions(new))
        .map(|(p, q)| {
            let (p, q) = (p.max(PROPORTION_FLOOR), q.max(PROPORTION_FLOOR));
            (q - p) * (q / p).ln()
        })
        .sum()
}

/// The Jensen-Shannon distance (base 2: from 0 to 1) between the proportions of two count
/// vectors over the same bins: the square root of the mean Kullback-Leibler divergence of each
/// from their mixture (SciPy's `jensenshannon(p, q, base=2)`).
pub fn js_distance(reference: &[u64], new: &[u64]) -> f64 {
    let (p, q) = (proportions(reference), proportions(new));
    let kl = |a: &[f64], m: &[f64]| -> f64 {
        a.iter()
            .zip(m)
            .filter(|(x, _)| **x > 0.0)
            .map(|(x, y)| x * (x / y).log2())
            .sum()
    };
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    ((kl(&p, &m) + kl(&q, &m)) / 2.0).max(0.0).sqrt()
}

/// The `q`-quantile (0 to 1) of sorted values, by linear interpolation between the closest
/// ranks (NumPy's default `linear` method); `None` for no values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    let last = n.checked_sub(1)?;
    let h = last as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let frac = h - lo as f64;
    Some(sorted[lo] + frac * (sorted[hi] - sorted[lo]))
}

/// The Wasserstein-1 distance between two distributions given by their percentiles
/// (0 to 100, equally spaced): the mean absolute difference of the quantile functions by the
/// trapezoid rule.
pub fn wasserstein_from_percentiles(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x - y).abs()).collect();
    if d.len() < 2 {
        return d.first().copied().unwrap_or(0.0);
    }
    let inner: f64 = d[1..d.len() - 1].iter().sum();
    (inner + (d[0] + d[d.len() - 1]) / 2.0) / (d.len() - 1) as f64
}

/// The bin of `x` given interior `edges`: `i` such that `edges[i-1] < x <= edges[i]`.
pub fn bin(edges: &[f64], x: f64) -> usize {
    edges.partition_point(|&e| e < x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_distributions_are_at_zero_and_disjoint_ones_far() {
        assert_eq!(psi(&[10, 20, 30], &[1, 2, 3]), 0.0);
        assert!(js_distance(&[10, 20, 30], &[1, 2, 3]) < 1e-12);
        assert!((js_distance(&[1, 0], &[0, 1]) - 1.0).abs() < 1e-12);
        assert!(psi(&[1, 0], &[0, 1]) > 10.0);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 4.0, 8.0];
        // numpy.percentile([1, 2, 4, 8], [0, 10, 50, 90, 100])
        let want = [1.0, 1.3, 3.0, 6.8, 8.0];
        for (q, w) in [0.0, 0.1, 0.5, 0.9, 1.0].iter().zip(want) {
            assert!((quantile(&v, *q).unwrap() - w).abs() < 1e-12, "{q}");
        }
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn bins_are_closed_on_the_right() {
        let edges = [1.0, 2.0];
        assert_eq!(
            [0.5, 1.0, 1.5, 2.0, 2.5].map(|x| bin(&edges, x)),
            [0, 0, 1, 1, 2]
        );
    }

    #[test]
    fn a_shift_by_one_is_a_wasserstein_distance_of_one() {
        let a: Vec<f64> = (0..101).map(f64::from).collect();
        let b: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
        assert!((wasserstein_from_percentiles(&a, &b) - 1.0).abs() < 1e-12);
    }
}
