//! Every metric of a classifier, from per-row class probabilities and the true classes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calibration::{Calibration, calibration};
use crate::confusion::Confusion;
use crate::ranking::{average_precision, one_vs_rest, roc_auc};

/// A classifier's metrics and the tables behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassificationReport {
    /// Every metric by name: `accuracy`, `balanced_accuracy`, `f1_macro`, `f1_weighted`,
    /// `log_loss`, `brier`, `ece`, and `roc_auc` / `pr_auc` when defined (binary: the
    /// positive class; more: one-vs-rest macro over the classes present in the truth).
    pub metrics: BTreeMap<String, f64>,
    /// `counts[true][predicted]`.
    pub confusion: Confusion,
    /// The reliability curve, ECE and Brier score.
    pub calibration: Calibration,
}

/// The report of `probs` (one row of `n_classes` probabilities per row) against `truth`
/// (class indices).
pub fn classification(
    probs: &[Vec<f64>],
    truth: &[usize],
    n_classes: usize,
) -> ClassificationReport {
    let predicted: Vec<usize> = probs.iter().map(|p| crate::argmax(p)).collect();
    let confusion = Confusion::new(truth, &predicted, n_classes);
    let calibration = calibration(probs, truth, n_classes);
    let mut metrics = BTreeMap::from([
        ("accuracy".to_string(), confusion.accuracy()),
        (
            "balanced_accuracy".to_string(),
            confusion.balanced_accuracy(),
        ),
        ("f1_macro".to_string(), confusion.f1_macro()),
        ("f1_weighted".to_string(), confusion.f1_weighted()),
        ("log_loss".to_string(), log_loss(probs, truth)),
        ("brier".to_string(), calibration.brier),
        ("ece".to_string(), calibration.ece),
    ]);
    let (roc, pr) = if n_classes == 2 {
        let scores: Vec<f64> = probs
            .iter()
            .map(|p| p.get(1).copied().unwrap_or(0.0))
            .collect();
        let positive: Vec<bool> = truth.iter().map(|&t| t == 1).collect();
        (
            roc_auc(&scores, &positive),
            average_precision(&scores, &positive),
        )
    } else {
        (
            one_vs_rest(probs, truth, n_classes, roc_auc),
            one_vs_rest(probs, truth, n_classes, average_precision),
        )
    };
    for (name, value) in [("roc_auc", roc), ("pr_auc", pr)] {
        if let Some(v) = value {
            metrics.insert(name.to_string(), v);
        }
    }
    ClassificationReport {
        metrics,
        confusion,
        calibration,
    }
}

/// Mean negative log probability of the true class, clipped to [ε, 1 - ε] with ε the f64
/// machine epsilon (scikit-learn's `log_loss`).
pub fn log_loss(probs: &[Vec<f64>], truth: &[usize]) -> f64 {
    let n = truth.len().max(1) as f64;
    let sum: f64 = probs
        .iter()
        .zip(truth)
        .map(|(p, &t)| {
            let pt = p.get(t).copied().unwrap_or(0.0);
            -pt.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln()
        })
        .sum();
    sum / n
}
