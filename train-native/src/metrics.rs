//! Evaluation metrics computed from predictions and true labels.
//!
//! [`of_outputs`] is the one entry point training uses: raw network outputs post-processed
//! exactly as the runtime does (core's softmax, target unscaling), then scored.

use std::collections::BTreeMap;

use tandem_core::bundle::TargetScaling;
use tandem_core::prediction::softmax;

/// True labels of some rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Truth {
    /// Class indices (classification).
    Classes(Vec<usize>),
    /// Target values (regression).
    Values(Vec<f64>),
}

/// Metrics of raw network outputs (`n_out` per row): class probabilities through softmax,
/// or values unscaled by `scaling`.
pub fn of_outputs(
    outputs: &[f32],
    n_out: usize,
    scaling: Option<&TargetScaling>,
    truth: &Truth,
) -> BTreeMap<String, f64> {
    match truth {
        Truth::Classes(t) => classification(&probabilities(outputs, n_out), t, n_out),
        Truth::Values(t) => regression(&values(outputs, scaling), t),
    }
}

/// Per-row class probabilities of row-major logits.
pub fn probabilities(outputs: &[f32], n_out: usize) -> Vec<Vec<f64>> {
    outputs.chunks(n_out.max(1)).map(softmax).collect()
}

/// Values of a regression network's outputs, unscaled as the runtime does.
pub fn values(outputs: &[f32], scaling: Option<&TargetScaling>) -> Vec<f64> {
    outputs
        .iter()
        .map(|&o| match scaling {
            Some(s) => o as f64 * s.scale + s.mean,
            None => o as f64,
        })
        .collect()
}

/// `confusion[true][predicted]` counts (the prediction is the first most probable class).
pub fn confusion(probs: &[Vec<f64>], truth: &[usize], n_classes: usize) -> Vec<Vec<usize>> {
    let mut confusion = vec![vec![0usize; n_classes]; n_classes];
    for (p, &t) in probs.iter().zip(truth) {
        if let Some(row) = confusion.get_mut(t)
            && let Some(cell) = row.get_mut(argmax(p))
        {
            *cell += 1;
        }
    }
    confusion
}

/// Metrics of a classifier from per-row class probabilities.
pub fn classification(
    probs: &[Vec<f64>],
    truth: &[usize],
    n_classes: usize,
) -> BTreeMap<String, f64> {
    let n = truth.len().max(1) as f64;
    let mut correct = 0usize;
    let mut log_loss = 0.0;
    for (p, &t) in probs.iter().zip(truth) {
        if argmax(p) == t {
            correct += 1;
        }
        let pt = p.get(t).copied().unwrap_or(0.0).clamp(1e-15, 1.0);
        log_loss -= pt.ln();
    }
    let confusion = confusion(probs, truth, n_classes);
    BTreeMap::from([
        ("accuracy".to_string(), correct as f64 / n),
        ("log_loss".to_string(), log_loss / n),
        ("f1_macro".to_string(), f1_macro(&confusion)),
    ])
}

/// Macro-averaged F1 over the classes present in the truth or the predictions of these rows,
/// as scikit-learn's `f1_score(average="macro")` (a class absent from both is not averaged
/// in as 0).
pub fn f1_macro(confusion: &[Vec<usize>]) -> f64 {
    let mut sum = 0.0;
    let mut present = 0usize;
    for (c, row) in confusion.iter().enumerate() {
        let tp = row[c] as f64;
        let predicted: usize = confusion.iter().map(|r| r[c]).sum();
        let actual: usize = row.iter().sum();
        if predicted == 0 && actual == 0 {
            continue;
        }
        present += 1;
        let denom = predicted as f64 + actual as f64;
        sum += 2.0 * tp / denom;
    }
    if present == 0 {
        0.0
    } else {
        sum / present as f64
    }
}

/// Metrics of a regressor.
pub fn regression(pred: &[f64], truth: &[f64]) -> BTreeMap<String, f64> {
    let n = truth.len().max(1) as f64;
    let mse = pred
        .iter()
        .zip(truth)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / n;
    let mae = pred
        .iter()
        .zip(truth)
        .map(|(p, t)| (p - t).abs())
        .sum::<f64>()
        / n;
    let mean = truth.iter().sum::<f64>() / n;
    let tss = truth.iter().map(|t| (t - mean).powi(2)).sum::<f64>();
    let r2 = if tss > 0.0 { 1.0 - mse * n / tss } else { 0.0 };
    BTreeMap::from([
        ("rmse".to_string(), mse.sqrt()),
        ("mae".to_string(), mae),
        ("r2".to_string(), r2),
    ])
}

/// Index of the largest value (first on ties).
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_metrics() {
        let m = classification(
            &[vec![0.9, 0.1], vec![0.2, 0.8], vec![0.6, 0.4]],
            &[0, 1, 1],
            2,
        );
        assert!((m["accuracy"] - 2.0 / 3.0).abs() < 1e-12);
        let ll = -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln()) / 3.0;
        assert!((m["log_loss"] - ll).abs() < 1e-12);
    }

    /// One-hot probabilities of predicted classes.
    fn one_hot(pred: &[usize], k: usize) -> Vec<Vec<f64>> {
        pred.iter()
            .map(|&p| (0..k).map(|c| f64::from(u8::from(c == p))).collect())
            .collect()
    }

    #[test]
    fn f1_macro_skips_a_class_absent_from_truth_and_prediction_as_scikit_learn_does() {
        // Three classes in the schema; class 2 appears in neither the truth nor the
        // predictions of this split. Per class by hand: class 0 has tp 3, fn 1 (F1 6/7);
        // class 1 tp 4, fp 1 (F1 8/9). scikit-learn's f1_score(average="macro") gives
        // 0.873015873 here; averaging in class 2 as 0 would give 0.582010582.
        let truth = [0, 0, 0, 1, 1, 1, 1, 0];
        let pred = [0, 0, 1, 1, 1, 1, 1, 0];
        let m = classification(&one_hot(&pred, 3), &truth, 3);
        let expected = (6.0 / 7.0 + 8.0 / 9.0) / 2.0;
        assert!((m["f1_macro"] - expected).abs() < 1e-12, "{m:?}");
    }

    #[test]
    fn f1_macro_counts_a_class_only_predicted_as_zero() {
        // Class 2 is predicted once and never true: it is averaged in with F1 0, as in
        // scikit-learn (0.6 for these rows).
        let truth = [0, 0, 0, 1, 1, 1];
        let pred = [0, 0, 2, 1, 1, 1];
        let m = classification(&one_hot(&pred, 3), &truth, 3);
        let expected = (4.0 / 5.0 + 1.0 + 0.0) / 3.0;
        assert!((m["f1_macro"] - expected).abs() < 1e-12, "{m:?}");
    }

    #[test]
    fn regression_metrics() {
        let m = regression(&[1.0, 2.0, 3.0], &[1.0, 2.0, 5.0]);
        assert!((m["rmse"] - (4.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((m["mae"] - 2.0 / 3.0).abs() < 1e-12);
    }
}
