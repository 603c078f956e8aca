//! Raw network outputs turned into what the runtime predicts (core's softmax, the target's
//! unscaling), then scored: training's entry point.

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
        Truth::Classes(t) => {
            crate::classification(&probabilities(outputs, n_out), t, n_out).metrics
        }
        Truth::Values(t) => crate::regression(&values(outputs, scaling), t),
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
            Some(s) => f64::from(o) * s.scale + s.mean,
            None => f64::from(o),
        })
        .collect()
}
