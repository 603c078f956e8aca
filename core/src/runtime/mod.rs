//! The inference pipeline: raw instance → shared preprocessing → tract (NNEF graph) →
//! softmax / target unscaling. The same code runs natively and in WebAssembly.

mod engine;

pub use engine::TractEngine;

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::Error;
use crate::bundle::{Bundle, Metadata};
use crate::instance::Instance;
use crate::prediction::{Prediction, classify};
use crate::prep::{BoundPreprocessor, Preprocessor, RangePolicy, TransformOptions};
use crate::schema::{Schema, Task};
use crate::{InstanceError, Value};

/// A problem that did not stop a prediction.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    /// Stable code (`OUT_OF_RANGE`).
    pub code: &'static str,
    /// The field concerned.
    pub field: String,
    /// What and why.
    pub message: String,
}

/// A loaded model, ready to predict.
#[derive(Debug)]
pub struct Model {
    schema: Schema,
    preprocessing: Preprocessor,
    metadata: Metadata,
    prep: BoundPreprocessor,
    engine: TractEngine,
}

impl Model {
    /// Decode, verify and load a bundle file.
    pub fn load(bytes: &[u8]) -> Result<Model, Error> {
        Self::from_bundle(Bundle::from_bytes(bytes)?)
    }

    /// Load an already decoded bundle.
    pub fn from_bundle(bundle: Bundle) -> Result<Model, Error> {
        let prep = bundle.preprocessing.bind(&bundle.schema)?;
        let info = &bundle.metadata.model;
        if prep.width() != info.n_features {
            return Err(Error::Schema(format!(
                "preprocessing writes {} features but the model takes {}",
                prep.width(),
                info.n_features
            )));
        }
        let expected_outputs = match &bundle.schema.label.task {
            Task::Classification { classes } => classes.len(),
            Task::Regression => 1,
        };
        if info.n_outputs != expected_outputs {
            return Err(Error::Schema(format!(
                "the model has {} outputs but the task needs {expected_outputs}",
                info.n_outputs
            )));
        }
        if let Some(t) = &bundle.metadata.target
            && !(t.mean.is_finite() && t.scale.is_finite() && t.scale != 0.0)
        {
            return Err(Error::Schema(format!(
                "invalid target scaling: mean {}, scale {}",
                t.mean, t.scale
            )));
        }
        let engine = TractEngine::load_nnef(&bundle.nnef, info.n_features, info.n_outputs)?;
        Ok(Model {
            schema: bundle.schema,
            preprocessing: bundle.preprocessing,
            metadata: bundle.metadata,
            prep,
            engine,
        })
    }

    /// The input schema and label.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The bundle's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The fitted preprocessing.
    pub fn preprocessing(&self) -> &Preprocessor {
        &self.preprocessing
    }

    /// Parse a raw JSON instance against the schema.
    pub fn parse(&self, json: &Json) -> Result<Instance, Error> {
        Instance::from_json(&self.schema, json)
    }

    /// Numbers outside the training range, as warnings (whatever the policy).
    pub fn range_warnings(&self, instance: &Instance) -> Vec<Warning> {
        self.out_of_range(instance)
            .map(|(field, value, min, max)| Warning {
                code: "OUT_OF_RANGE",
                field: field.to_string(),
                message: format!("{value} is outside the training range [{min}, {max}]"),
            })
            .collect()
    }

    fn out_of_range<'a>(
        &'a self,
        instance: &'a Instance,
    ) -> impl Iterator<Item = (&'a str, f64, f64, f64)> + 'a {
        self.schema
            .fields
            .iter()
            .zip(&instance.values)
            .filter_map(|(f, v)| match (v, f.min, f.max) {
                (Value::Number(x), Some(min), Some(max)) if *x < min || *x > max => {
                    Some((f.name.as_str(), *x, min, max))
                }
                _ => None,
            })
    }

    /// Apply the range policy: clip, reject, or leave values as they are.
    fn apply_range<'a>(
        &self,
        instance: &'a Instance,
        policy: RangePolicy,
    ) -> Result<Cow<'a, Instance>, Error> {
        let first = self.out_of_range(instance).next();
        match (first, policy) {
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
                    if let (Value::Number(x), Some(min), Some(max)) = (&*v, f.min, f.max) {
                        // max/min rather than clamp: never panics, even on a bad range.
                        *v = Value::Number(x.max(min).min(max));
                    }
                }
                Ok(Cow::Owned(clipped))
            }
        }
    }

    /// The feature vector the network sees for `instance`, after the range policy.
    pub fn features(
        &self,
        instance: &Instance,
        options: TransformOptions,
    ) -> Result<Vec<f32>, Error> {
        let instance = self.apply_range(instance, options.range)?;
        Ok(self.prep.transform(&instance, options)?)
    }

    /// Predict one instance.
    pub fn predict(
        &self,
        instance: &Instance,
        options: TransformOptions,
    ) -> Result<Prediction, Error> {
        let features = self.features(instance, options)?;
        let mut out = self.predict_features(&features)?;
        out.pop()
            .ok_or_else(|| Error::Engine("no output row".into()))
    }

    /// Predict many instances in one batch; each result stands on its own, so one bad
    /// instance does not stop the others.
    pub fn predict_batch(
        &self,
        instances: &[Result<Instance, Error>],
        options: TransformOptions,
    ) -> Result<Vec<Result<Prediction, Error>>, Error> {
        let mut features = Vec::with_capacity(instances.len() * self.prep.width());
        let mut results: Vec<Option<Result<Prediction, Error>>> =
            Vec::with_capacity(instances.len());
        for inst in instances {
            match inst {
                Ok(i) => match self
                    .apply_range(i, options.range)
                    .and_then(|i| Ok(self.prep.transform_into(&i, options, &mut features)?))
                {
                    Ok(()) => results.push(None),
                    Err(e) => results.push(Some(Err(e))),
                },
                Err(e) => results.push(Some(Err(e.clone()))),
            }
        }
        let raw = self.engine.run(&features)?;
        let mut rows = raw.chunks(self.metadata.model.n_outputs.max(1));
        Ok(results
            .into_iter()
            .map(|r| match r {
                Some(err) => err,
                None => rows
                    .next()
                    .ok_or_else(|| Error::Engine("fewer output rows than inputs".into()))
                    .and_then(|row| self.postprocess(row)),
            })
            .collect())
    }

    /// Run the network on row-major features (`n * n_features` values) and post-process.
    /// Fails if any row's output is not finite.
    pub fn predict_features(&self, features: &[f32]) -> Result<Vec<Prediction>, Error> {
        let raw = self.engine.run(features)?;
        raw.chunks(self.metadata.model.n_outputs.max(1))
            .map(|row| self.postprocess(row))
            .collect()
    }

    /// Softmax or target unscaling of one row of network outputs. A non-finite output (an
    /// input so far outside the training data that the network overflowed) is an error,
    /// never a NaN probability.
    fn postprocess(&self, row: &[f32]) -> Result<Prediction, Error> {
        if row.iter().any(|x| !x.is_finite()) {
            return Err(InstanceError::NonFiniteOutput.into());
        }
        Ok(match (&self.schema.label.task, &self.metadata.target) {
            (Task::Classification { classes }, _) => classify(classes, row),
            (Task::Regression, scaling) => {
                let z = row.first().copied().unwrap_or(0.0) as f64;
                let value = match scaling {
                    Some(s) => z * s.scale + s.mean,
                    None => z,
                };
                Prediction::Value { value }
            }
        })
    }

    /// The network's raw outputs (logits, or scaled value) for row-major features.
    pub fn raw_outputs(&self, features: &[f32]) -> Result<Vec<f32>, Error> {
        self.engine.run(features)
    }
}
