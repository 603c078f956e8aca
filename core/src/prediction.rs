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
    // libm's exp, not std's: std calls the platform's libm natively and a Rust port in wasm,
    // which may differ in the last bit; explanations and parity compare bits.
    let exps: Vec<f64> = logits.iter().map(|&l| libm::exp(l as f64 - max)).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Build a classification prediction from one row of logits.
pub fn classify(classes: &[String], logits: &[f32]) -> Prediction {
    classify_scores(classes, &softmax(logits))
}

/// The index of the first class with the highest probability (0 for no classes).
pub fn best_class(probs: &[f64]) -> usize {
    let mut best = 0;
    for (i, p) in probs.iter().enumerate() {
        if *p > probs[best] {
            best = i;
        }
    }
    best
}

/// Build a classification prediction from class probabilities (the label is the first
/// class with the highest probability). This copies every class name into the prediction;
/// to serialise many predictions, [`ClassOrder`] borrows them instead.
pub fn classify_scores(classes: &[String], probs: &[f64]) -> Prediction {
    Prediction::Class {
        label: classes.get(best_class(probs)).cloned().unwrap_or_default(),
        // One insert at a time (the last of equal names wins, as `collect` would): a bulk
        // `collect` sorts its input with another instantiation of the standard sort.
        probabilities: classes.iter().zip(probs).fold(
            std::collections::BTreeMap::new(),
            |mut m, (c, &p)| {
                m.insert(c.clone(), p);
                m
            },
        ),
    }
}

/// Class names and the order a JSON object of probabilities lists them in (sorted by name;
/// of equal names the last one counts), computed once per batch. With it, a prediction
/// serialises to the same JSON as [`Prediction::Class`] without copying any name.
#[derive(Debug, Clone)]
pub struct ClassOrder<'a> {
    names: &'a [String],
    sorted: Vec<usize>,
}

impl<'a> ClassOrder<'a> {
    /// The order of `names`.
    pub fn new(names: &'a [String]) -> Self {
        // Equal names: the later index first, so that `dedup` keeps it (a map keeps the last).
        let mut sorted = crate::order::sorted_indices(names.len(), &|a, b| {
            names[a].cmp(&names[b]).then(b.cmp(&a)).is_lt()
        });
        sorted.dedup_by(|a, b| names[*a] == names[*b]);
        ClassOrder { names, sorted }
    }

    /// The label for `probs` (as [`classify_scores`] picks it).
    pub fn label(&self, probs: &[f64]) -> &'a str {
        self.names.get(best_class(probs)).map_or("", String::as_str)
    }

    /// `probs` (in class order) as a serialisable map from class name to probability.
    pub fn probabilities<'s>(&'s self, probs: &'s [f64]) -> Probabilities<'s> {
        Probabilities { order: self, probs }
    }
}

/// Class probabilities that serialise as a JSON object, borrowing the class names.
#[derive(Debug, Clone, Copy)]
pub struct Probabilities<'s> {
    order: &'s ClassOrder<'s>,
    probs: &'s [f64],
}

impl Serialize for Probabilities<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for &i in &self.order.sorted {
            if let Some(p) = self.probs.get(i) {
                map.serialize_entry(&self.order.names[i], p)?;
            }
        }
        map.end()
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

    /// The JSON of a borrowed prediction, written without going through a `Value` (which
    /// would sort and deduplicate the names itself).
    fn borrowed_json(classes: &[String], probs: &[f64]) -> String {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            label: &'a str,
            probabilities: Probabilities<'a>,
        }
        let order = ClassOrder::new(classes);
        serde_json::to_string(&Borrowed {
            label: order.label(probs),
            probabilities: order.probabilities(probs),
        })
        .unwrap()
    }

    #[test]
    fn borrowed_probabilities_serialise_exactly_as_the_owned_prediction() {
        let cases: [(&[&str], &[f64]); 5] = [
            (&["no", "yes"], &[0.25, 0.75]),
            // Not in name order; a tie (the first wins the label).
            (&["zebra", "ant", "moth"], &[0.4, 0.4, 0.2]),
            // Repeated names: the last one counts, as in a map.
            (&["b", "a", "b"], &[0.1, 0.6, 0.3]),
            // Fewer probabilities than classes.
            (&["x", "y", "z"], &[0.5, 0.5]),
            (&[], &[]),
        ];
        for (names, probs) in cases {
            let classes: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let owned = serde_json::to_string(&classify_scores(&classes, probs)).unwrap();
            assert_eq!(borrowed_json(&classes, probs), owned, "{names:?}");
        }
    }
}
