//! Whether predicted probabilities mean what they say: the reliability curve (observed
//! frequency against mean predicted probability in equal-width bins), the expected
//! calibration error and the Brier score.
//!
//! Binary: the positive class's probability against whether the row is positive, in
//! scikit-learn's `calibration_curve(strategy="uniform")` bins. More classes: the top class's
//! probability (the confidence) against whether the prediction is right.

use serde::Serialize;

/// Equal-width bins of [0, 1] in the reliability curve and the ECE.
pub const BINS: usize = 10;

/// One non-empty bin of the reliability curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Mean predicted probability of its rows.
    pub predicted: f64,
    /// Share of its rows that were positive (binary) or predicted right.
    pub observed: f64,
    /// Its rows.
    pub rows: usize,
}

/// The calibration of some probabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The non-empty bins, in order.
    pub reliability: Vec<ReliabilityBin>,
    /// Expected calibration error: |observed - predicted| per bin, weighted by its rows.
    pub ece: f64,
    /// Mean squared distance between the probabilities and the one-hot truth (binary: of the
    /// positive class only, as scikit-learn's `brier_score_loss`).
    pub brier: f64,
}

/// The bin of `p`: a value on an edge belongs to the lower bin (`np.searchsorted`).
fn bin_of(p: f64) -> usize {
    (1..BINS)
        .take_while(|&edge| (edge as f64 / BINS as f64) < p)
        .count()
}

/// Calibration of `probs` (one row of class probabilities per true class in `truth`).
pub fn calibration(probs: &[Vec<f64>], truth: &[usize], n_classes: usize) -> Calibration {
    let prob = |p: &[f64], c: usize| p.get(c).copied().unwrap_or(0.0);
    let (confidence, hit): (Vec<f64>, Vec<f64>) = probs
        .iter()
        .zip(truth)
        .map(|(p, &t)| {
            if n_classes == 2 {
                (prob(p, 1), f64::from(u8::from(t == 1)))
            } else {
                let top = crate::argmax(p);
                (prob(p, top), f64::from(u8::from(top == t)))
            }
        })
        .unzip();
    let brier = if n_classes == 2 {
        mean_of(confidence.iter().zip(&hit).map(|(p, y)| (p - y).powi(2)))
    } else {
        mean_of(probs.iter().zip(truth).map(|(p, &t)| {
            (0..n_classes)
                .map(|c| (prob(p, c) - f64::from(u8::from(c == t))).powi(2))
                .sum::<f64>()
        }))
    };
    let mut sums = [(0.0f64, 0.0f64, 0usize); BINS];
    for (&p, &y) in confidence.iter().zip(&hit) {
        let bin = &mut sums[bin_of(p)];
        *bin = (bin.0 + p, bin.1 + y, bin.2 + 1);
    }
    let total = confidence.len().max(1) as f64;
    let reliability: Vec<ReliabilityBin> = sums
        .iter()
        .filter(|s| s.2 > 0)
        .map(|&(p, y, n)| ReliabilityBin {
            predicted: p / n as f64,
            observed: y / n as f64,
            rows: n,
        })
        .collect();
    let ece = reliability
        .iter()
        .map(|b| b.rows as f64 / total * (b.observed - b.predicted).abs())
        .sum();
    Calibration {
        reliability,
        ece,
        brier,
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_belong_to_the_lower_bin() {
        assert_eq!(bin_of(0.0), 0);
        assert_eq!(bin_of(0.1), 0);
        assert_eq!(bin_of(0.1000001), 1);
        assert_eq!(bin_of(0.95), 9);
        assert_eq!(bin_of(1.0), 9);
    }

    #[test]
    fn perfectly_calibrated_certainty_has_no_error() {
        let c = calibration(&[vec![0.0, 1.0], vec![1.0, 0.0]], &[1, 0], 2);
        assert_eq!((c.ece, c.brier), (0.0, 0.0));
        assert_eq!(c.reliability.len(), 2);
    }
}
