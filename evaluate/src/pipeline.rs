//! The evaluation pipeline: a model scored on labelled rows. Every row whose fields and label
//! read is predicted by the model exactly as `tandem predict` would; the rest are counted and
//! listed with their reason, never silently dropped.

use std::collections::BTreeMap;

use serde::Serialize;
use tandem_core::prep::TransformOptions;
use tandem_core::{Error, Instance, Model, Prediction};

use crate::classification::{ClassificationReport, classification};
use crate::labelled::{Label, LabelledRow};
use crate::regression::regression;

/// A row the evaluation could not score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// Its 1-based data row.
    pub row: usize,
    /// The stable code of the reason (`MISSING_LABEL`, `WRONG_TYPE`, ...).
    pub code: String,
    /// What and why.
    pub reason: String,
}

/// The metrics, by task.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum Report {
    /// A classifier's metrics, confusion matrix and calibration.
    Classification(ClassificationReport),
    /// A regressor's metrics by name.
    Regression {
        /// Every metric by name.
        metrics: BTreeMap<String, f64>,
    },
}

impl Report {
    /// Every metric by name.
    pub fn metrics(&self) -> &BTreeMap<String, f64> {
        match self {
            Report::Classification(c) => &c.metrics,
            Report::Regression { metrics } => metrics,
        }
    }
}

/// A model's evaluation on a labelled file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows scored (the metrics are over these).
    pub scored: usize,
    /// Rows not scored, each with its reason.
    pub rejected: Vec<Rejected>,
    /// The metrics (`None` when no row could be scored).
    pub report: Option<Report>,
    /// The scored rows' predictions and truths (what the plots draw).
    #[serde(skip)]
    pub scored_rows: Scored,
}

/// Score `model` on `rows`, predicting with `options` as `tandem predict` does.
pub fn evaluate(
    model: &Model,
    rows: Vec<LabelledRow>,
    options: TransformOptions,
) -> Result<Evaluation, Error> {
    let total = rows.len();
    let mut rejected = Vec::new();
    let mut candidates: Vec<(usize, Instance, Label)> = Vec::new();
    for r in rows {
        match (r.instance, r.label) {
            (Err(e), _) => rejected.push(Rejected {
                row: r.row,
                code: e.code().to_string(),
                reason: e.to_string(),
            }),
            (Ok(_), Err(e)) => rejected.push(Rejected {
                row: r.row,
                code: e.code().to_string(),
                reason: e.to_string(),
            }),
            (Ok(instance), Ok(label)) => candidates.push((r.row, instance, label)),
        }
    }
    let mut labelled = Vec::with_capacity(candidates.len());
    let mut instances = Vec::with_capacity(candidates.len());
    for (row, instance, label) in candidates {
        labelled.push((row, label));
        instances.push(Ok(instance));
    }
    let predictions = model.predict_batch(&instances, options)?;
    let classes: Vec<String> = model
        .schema()
        .classes()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let mut scored = Scored::default();
    for ((row, label), prediction) in labelled.into_iter().zip(predictions) {
        match prediction {
            Ok(p) => scored.push(&p, label, &classes),
            Err(e) => rejected.push(Rejected {
                row,
                code: e.code().to_string(),
                reason: e.to_string(),
            }),
        }
    }
    rejected.sort_by_key(|r| r.row);
    Ok(Evaluation {
        rows: total,
        scored: scored.len(),
        rejected,
        report: scored.report(classes.len()),
        scored_rows: scored,
    })
}

/// The predictions and truths of the scored rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scored {
    /// Per row, the probability of each class (classification).
    pub probabilities: Vec<Vec<f64>>,
    /// Per row, the true class (classification).
    pub classes: Vec<usize>,
    /// Per row, the predicted value (regression).
    pub values: Vec<f64>,
    /// Per row, the true value (regression).
    pub truths: Vec<f64>,
}

impl Scored {
    fn push(&mut self, prediction: &Prediction, label: Label, classes: &[String]) {
        match (prediction, label) {
            (Prediction::Class { probabilities, .. }, Label::Class(k)) => {
                let p = classes
                    .iter()
                    .map(|c| probabilities.get(c).copied().unwrap_or(0.0))
                    .collect();
                self.probabilities.push(p);
                self.classes.push(k);
            }
            (Prediction::Value { value }, Label::Value(t)) => {
                self.values.push(*value);
                self.truths.push(t);
            }
            // A label read by the schema's task always matches the model's prediction kind.
            _ => {}
        }
    }

    fn len(&self) -> usize {
        self.classes.len() + self.values.len()
    }

    fn report(&self, n_classes: usize) -> Option<Report> {
        if self.len() == 0 {
            None
        } else if self.values.is_empty() {
            Some(Report::Classification(classification(
                &self.probabilities,
                &self.classes,
                n_classes,
            )))
        } else {
            Some(Report::Regression {
                metrics: regression(&self.values, &self.truths),
            })
        }
    }
}
