//! Problems that do not stop a prediction, found the same way for every caller (CLI, server,
//! worker, npm, site): a number outside the training range (`OUT_OF_RANGE`; with the `clip`
//! policy the message says what the value became) and a category a node never saw in
//! training (`UNKNOWN_CATEGORY`, listing the known ones). With `range: "error"` or strict
//! categories the same findings reject the instance instead.

use std::borrow::Cow;

use super::Model;
use crate::instance::Instance;
use crate::prep::{RangePolicy, TransformOptions};
use crate::short;
use crate::{Error, InstanceError, Prediction, Value};

/// A problem that did not stop a prediction.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    /// Stable code (`OUT_OF_RANGE`, `UNKNOWN_CATEGORY`).
    pub code: &'static str,
    /// The input field concerned.
    pub field: String,
    /// What and why.
    pub message: String,
}

/// One row of [`Model::predict_batch_warned`]: its prediction or error, and its warnings.
pub type Warned = (Result<Prediction, Error>, Vec<Warning>);

/// One row of [`Model::batch_scores_warned`]: whether it was scored, and its warnings.
pub type ScoredRow = (Result<(), Error>, Vec<Warning>);

/// The `OUT_OF_RANGE` warning for `value` of `field` outside `range` (with `clip`: what it
/// became). The one wording, for the runtime and for `tandem validate` against a bare schema.
pub fn out_of_range(field: &str, value: f64, (min, max): (f64, f64), clip: bool) -> Warning {
    let mut message = format!(
        "{} is outside the training range {}",
        short::number(value),
        short::range(min, max)
    );
    if clip {
        message.push_str(&format!(
            "; clipped to {}",
            short::number(value.clamp(min, max))
        ));
    }
    Warning {
        code: "OUT_OF_RANGE",
        field: field.to_string(),
        message,
    }
}

impl Model {
    /// Whether predicting `instance` gives any warning (what [`Model::warnings`] would
    /// report, without building the messages). Under `range: "error"` or strict categories
    /// the same findings are errors, not warnings.
    pub fn has_warnings(&self, instance: &Instance, options: TransformOptions) -> bool {
        (options.range != RangePolicy::Error && self.out_of_range(instance).next().is_some())
            || (!options.strict_categories && self.prep.has_unknown_categories(instance))
    }

    /// [`Model::predict_batch`] with each row's warnings ([`Model::warnings`]; none for a
    /// row that fails). See [`Model::batch_scores_warned`], which this builds on.
    pub fn predict_batch_warned(
        &self,
        instances: &[Result<Instance, Error>],
        options: TransformOptions,
    ) -> Result<Vec<Warned>, Error> {
        let mut scores = Vec::new();
        let rows = self.batch_scores_warned(instances, options, &mut scores)?;
        let k = self.scores_width();
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, (result, warnings))| {
                let prediction = result.map(|()| self.prediction_of(&scores[i * k..(i + 1) * k]));
                (prediction, warnings)
            })
            .collect())
    }

    /// [`Model::batch_scores`] with each row's warnings ([`Model::warnings`]; none for a row
    /// that fails): the scores as one flat array, no [`Prediction`] built (what the Python
    /// package hands to numpy). The category checks run only for the rows whose features
    /// show a category no encoder knows ([`crate::prep::BoundPreprocessor::may_have_unknown`]):
    /// a batch costs one pass over its categories, not two.
    pub fn batch_scores_warned(
        &self,
        instances: &[Result<Instance, Error>],
        options: TransformOptions,
        out: &mut Vec<f64>,
    ) -> Result<Vec<ScoredRow>, Error> {
        let (features, status) = self.batch_features(instances, options);
        let transformed: Vec<bool> = status.iter().map(Result::is_ok).collect();
        let status = self.batch_scores_of(&features, status, out)?;
        let width = self.prep.width();
        let mut rows = features.chunks(width.max(1));
        let mut outcomes = Vec::with_capacity(instances.len());
        for (i, (inst, result)) in instances.iter().zip(status).enumerate() {
            let row = if transformed[i] { rows.next() } else { None };
            let warnings = match (inst, &result, row) {
                (Ok(x), Ok(()), Some(f)) => {
                    // A clipped number may have become a known category in the features
                    // while the row as sent holds an unseen one: look again.
                    let clipped =
                        options.range == RangePolicy::Clip && self.out_of_range(x).next().is_some();
                    self.warnings_given(x, options, clipped || self.prep.may_have_unknown(f))
                }
                _ => Vec::new(),
            };
            outcomes.push((result, warnings));
        }
        Ok(outcomes)
    }

    /// The warnings predicting `instance` with `options` gives, in schema order for numbers
    /// then feature order for categories.
    pub fn warnings(&self, instance: &Instance, options: TransformOptions) -> Vec<Warning> {
        self.warnings_given(instance, options, true)
    }

    /// [`Model::warnings`], the category checks skipped when `categories` is false.
    fn warnings_given(
        &self,
        instance: &Instance,
        options: TransformOptions,
        categories: bool,
    ) -> Vec<Warning> {
        let mut out = Vec::new();
        if options.range != RangePolicy::Error {
            let clip = options.range == RangePolicy::Clip;
            out.extend(
                self.out_of_range(instance)
                    .map(|(field, value, min, max)| out_of_range(field, value, (min, max), clip)),
            );
        }
        if categories && !options.strict_categories {
            out.extend(
                self.prep
                    .unknown_categories(instance)
                    .into_iter()
                    .map(|u| Warning {
                        code: "UNKNOWN_CATEGORY",
                        message: u.describe(),
                        field: u.field,
                    }),
            );
        }
        out
    }

    pub(super) fn out_of_range<'a>(
        &'a self,
        instance: &'a Instance,
    ) -> impl Iterator<Item = (&'a str, f64, f64, f64)> + 'a {
        self.schema
            .fields
            .iter()
            .zip(&instance.values)
            .filter_map(|(f, v)| match v {
                Value::Number(x) => f
                    .out_of_range(*x)
                    .map(|(min, max)| (f.name.as_str(), *x, min, max)),
                _ => None,
            })
    }

    /// Apply the range policy (clip, reject, or leave values as they are) and, with strict
    /// categories, reject an unknown category naming every known one.
    pub(crate) fn apply_policies<'a>(
        &self,
        instance: &'a Instance,
        options: TransformOptions,
    ) -> Result<Cow<'a, Instance>, Error> {
        if options.strict_categories {
            self.prep.reject_unknown(instance)?;
        }
        let first = self.out_of_range(instance).next();
        match (first, options.range) {
            (None, _) | (_, RangePolicy::Warn) => Ok(Cow::Borrowed(instance)),
            (Some((field, value, min, max)), RangePolicy::Error) => {
                Err(InstanceError::OutOfRange {
                    field: field.to_string(),
                    value,
                    min,
                    max,
                }
                .into())
            }
            (Some(_), RangePolicy::Clip) => {
                let mut clipped = instance.clone();
                for (f, v) in self.schema.fields.iter().zip(clipped.values.iter_mut()) {
                    if let Value::Number(x) = v {
                        *x = f.clamp(*x);
                    }
                }
                Ok(Cow::Owned(clipped))
            }
        }
    }
}
