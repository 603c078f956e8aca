//! What a prediction looks like, and the post-processing shared by every engine.

use std::collections::BTreeMap;

use serde::Serialize;

/// One prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Prediction {
    /// Classification: the most probable class and every class's probability.
    Class {
        /// The most probable class label (first in class order on exact ties).
        label: String,
        /// Probability per class label.
        probabilities: BTreeMap<String, f64>,
    },
    /// Regression: the predicted value in the label's units.
    Value {
        /// The predicted value.
        value: f64,
    },
}

/// Numerically stable softmax of one row of logits, computed in f64.
pub fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let exps: Vec<f64> = logits.iter().map(|&l| (l as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Build a classification prediction from one row of logits.
pub fn classify(classes: &[String], logits: &[f32]) -> Prediction {
    classify_scores(classes, &softmax(logits))
}

/// Build a classification prediction from class probabilities (the label is the first
/// class with the highest probability).
pub fn classify_scores(classes: &[String], probs: &[f64]) -> Prediction {
    let mut best = 0;
    for (i, p) in probs.iter().enumerate() {
        if *p > probs[best] {
            best = i;
        }
    }
    Prediction::Class {
        label: classes.get(best).cloned().unwrap_or_default(),
        probabilities: classes.iter().cloned().zip(probs.iter().copied()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_and_normalised() {
        let p = softmax(&[1000.0, 1000.0]);
        assert_eq!(p, vec![0.5, 0.5]);
        let p = softmax(&[0.0, 2.0f32.ln()]);
        assert!((p[1] - 2.0 / 3.0).abs() < 1e-7);
    }

    #[test]
    fn classify_picks_the_argmax() {
        let classes = vec!["no".to_string(), "yes".to_string()];
        match classify(&classes, &[-1.0, 1.0]) {
            Prediction::Class { label, .. } => assert_eq!(label, "yes"),
            other => panic!("{other:?}"),
        }
    }
}
