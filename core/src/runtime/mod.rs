//! The inference pipeline: raw instance → shared preprocessing → engine → softmax / target
//! unscaling. The same code runs natively and in WebAssembly.
//!
//! Two engines behind one API: the compact [`DenseNet`] kernel (the default whenever the
//! bundle carries `model.dense`, which every bundle Tandem trains does) and tract on the NNEF
//! graph (feature `tract`: any graph, 1 MB of wasm). Both are checked against each other and
//! against Burn at export, and against onnxruntime in the tests.

mod dense;
#[cfg(feature = "tract")]
mod engine;
mod load;
#[cfg(feature = "tract")]
mod nnef_check;
#[cfg(feature = "tract")]
mod nnef_graph;
mod warnings;

pub use dense::{DENSE_MAGIC, DenseLayer, DenseNet, MAX_PARAMETERS};
#[cfg(feature = "tract")]
pub use engine::TractEngine;
pub use load::LoadOptions;
#[cfg(feature = "tract")]
pub use nnef_check::check_nnef;
pub use warnings::{Warning, out_of_range};

use serde_json::Value as Json;

use crate::Error;
use crate::InstanceError;
use crate::bundle::{Bundle, Limit, Limits, Metadata};
use crate::instance::Instance;
use crate::prediction::{Prediction, classify_scores};
use crate::prep::{BoundPreprocessor, Preprocessor, TransformOptions};
use crate::schema::{Schema, Task};

/// Which engine runs the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineChoice {
    /// The dense kernel when the bundle has `model.dense`, else tract (if compiled in).
    #[default]
    Auto,
    /// The compact dense kernel.
    Dense,
    /// tract on the NNEF graph (needs the `tract` feature: the `full` wasm build).
    Tract,
}

impl std::str::FromStr for EngineChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(EngineChoice::Auto),
            "dense" => Ok(EngineChoice::Dense),
            "tract" => Ok(EngineChoice::Tract),
            other => Err(format!(
                "engine must be auto, dense or tract, not {other:?}"
            )),
        }
    }
}

#[derive(Debug)]
enum Engine {
    Dense(DenseNet),
    #[cfg(feature = "tract")]
    Tract(TractEngine),
}

impl Engine {
    fn run(&self, features: &[f32]) -> Result<Vec<f32>, Error> {
        match self {
            Engine::Dense(d) => d.run(features),
            #[cfg(feature = "tract")]
            Engine::Tract(t) => t.run(features),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Engine::Dense(_) => "dense",
            #[cfg(feature = "tract")]
            Engine::Tract(_) => "tract",
        }
    }
}

/// A loaded model, ready to predict.
#[derive(Debug)]
pub struct Model {
    schema: Schema,
    preprocessing: Preprocessor,
    metadata: Metadata,
    prep: BoundPreprocessor,
    engine: Engine,
    /// The bundle's background sample for explanations, parsed (empty: none).
    background: Vec<Instance>,
}

fn load_dense(
    bytes: &[u8],
    n_features: usize,
    n_outputs: usize,
    limits: &Limits,
) -> Result<Engine, Error> {
    let net = DenseNet::from_bytes_with(bytes, limits)?;
    if net.inputs() != n_features || net.outputs() != n_outputs {
        return Err(Error::Engine(format!(
            "model.dense maps {} inputs to {} outputs; the model info says {n_features} to {n_outputs}",
            net.inputs(),
            net.outputs()
        )));
    }
    Ok(Engine::Dense(net))
}

/// The engine for a bundle. `Auto` never picks tract when the bundle has `model.dense`: the
/// dense kernel reads a format whose every size is checked, while tract is a general graph
/// runtime, reached only through the limits of `nnef_check`.
fn load_engine(bundle: &Bundle, options: &load::LoadOptions) -> Result<Engine, Error> {
    let info = &bundle.metadata.model;
    let (n_features, n_outputs) = (info.n_features, info.n_outputs);
    match (options.engine, &bundle.dense) {
        (EngineChoice::Auto | EngineChoice::Dense, Some(d)) => {
            load_dense(d, n_features, n_outputs, &options.limits)
        }
        (EngineChoice::Dense, None) => Err(Error::Engine(
            "this bundle has no model.dense part (written before the dense kernel): load it with the tract engine".into(),
        )),
        #[cfg(feature = "tract")]
        (EngineChoice::Auto | EngineChoice::Tract, _) => {
            check_nnef(&bundle.nnef, &options.limits)?;
            Ok(Engine::Tract(TractEngine::load_nnef(
                &bundle.nnef,
                n_features,
                n_outputs,
            )?))
        }
        #[cfg(not(feature = "tract"))]
        (EngineChoice::Auto | EngineChoice::Tract, _) => Err(Error::Engine(
            "this build has no tract engine (use the full build) and the bundle has no model.dense part".into(),
        )),
    }
}

/// Rows preprocessed and scored together by [`Model::batch_scores`].
const BATCH_CHUNK: usize = 256;

impl Model {
    /// Decode, verify and load a bundle file with the default engine.
    pub fn load(bytes: &[u8]) -> Result<Model, Error> {
        Self::load_options(bytes, &LoadOptions::default())
    }

    /// Decode, verify and load a bundle file with the given engine.
    pub fn load_with(bytes: &[u8], engine: EngineChoice) -> Result<Model, Error> {
        Self::load_options(bytes, &LoadOptions::with_engine(engine))
    }

    /// Load an already decoded bundle with the given engine and the default limits.
    /// A bundle whose parts disagree (hand-edited metadata, say) is a bundle error,
    /// `BUNDLE_INVALID`, naming `metadata.json`.
    pub fn from_bundle(bundle: Bundle, engine: EngineChoice) -> Result<Model, Error> {
        Self::from_bundle_with(bundle, &LoadOptions::with_engine(engine))
    }

    /// Load an already decoded bundle with the given options (engine and limits: the
    /// preprocessing's feature width is checked before anything is sized from it).
    pub fn from_bundle_with(bundle: Bundle, options: &LoadOptions) -> Result<Model, Error> {
        options.limits.check(
            Limit::FeatureWidth,
            bundle.preprocessing.declared_width(),
            crate::bundle::parts::PREPROCESSING,
        )?;
        let prep = bundle
            .preprocessing
            .bind(&bundle.schema)
            .map_err(Error::in_bundle)?;
        let info = &bundle.metadata.model;
        if prep.width() != info.n_features {
            return Err(metadata_mismatch(format!(
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
            return Err(metadata_mismatch(format!(
                "the model has {} outputs but the task needs {expected_outputs}",
                info.n_outputs
            )));
        }
        if let Some(t) = &bundle.metadata.target
            && !(t.mean.is_finite() && t.scale.is_finite() && t.scale != 0.0)
        {
            return Err(metadata_mismatch(format!(
                "invalid target scaling: mean {}, scale {}",
                t.mean, t.scale
            )));
        }
        let engine = load_engine(&bundle, options)?;
        // Whether a field accepts a missing value follows its nodes (bundles written
        // before this rule recorded whether training saw gaps).
        let schema = prep.nullability(bundle.schema);
        let background = match &bundle.background {
            Some(b) => b.instances(&schema).map_err(|e| {
                Error::Bundle(crate::error::BundleError::Invalid {
                    part: crate::bundle::parts::BACKGROUND.into(),
                    reason: e.to_string(),
                })
            })?,
            None => Vec::new(),
        };
        Ok(Model {
            schema,
            preprocessing: bundle.preprocessing,
            metadata: bundle.metadata,
            prep,
            engine,
            background,
        })
    }

    /// The engine running the network: `dense` or `tract`.
    pub fn engine(&self) -> &'static str {
        self.engine.name()
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

    /// The bundle's background sample (raw training rows) that explanations are computed
    /// against; empty when the bundle has none.
    pub fn background(&self) -> &[Instance] {
        &self.background
    }

    /// The preprocessing bound to the schema (node by node for explanations).
    pub(crate) fn bound_preprocessing(&self) -> &BoundPreprocessor {
        &self.prep
    }

    /// Class probabilities or the value (as [`Model::batch_scores`]) of one instance already
    /// through the policies.
    pub(crate) fn scores_of_instance(
        &self,
        instance: &Instance,
        options: TransformOptions,
    ) -> Result<Vec<f64>, Error> {
        let features = self.prep.transform(instance, options)?;
        let mut out = Vec::with_capacity(self.scores_width());
        self.scores_of(&features, &mut out)?;
        Ok(out)
    }

    /// Run the network on row-major features and append [`Model::scores_width`] scores per
    /// row; a non-finite output is an error.
    pub(crate) fn scores_of(&self, features: &[f32], out: &mut Vec<f64>) -> Result<(), Error> {
        let raw = self.engine.run(features)?;
        for row in raw.chunks(self.metadata.model.n_outputs.max(1)) {
            self.scores_into(row, out)?;
        }
        Ok(())
    }

    /// Parse a raw JSON instance against the schema.
    pub fn parse(&self, json: &Json) -> Result<Instance, Error> {
        Instance::from_json(&self.schema, json)
    }

    /// The feature vector the network sees for `instance`, after the range and category policies.
    pub fn features(
        &self,
        instance: &Instance,
        options: TransformOptions,
    ) -> Result<Vec<f32>, Error> {
        let instance = self.apply_policies(instance, options)?;
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
        let k = self.scores_width();
        let mut scores = Vec::new();
        let status = self.batch_scores(instances, options, &mut scores)?;
        Ok(status
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.map(|()| self.prediction_of(&scores[i * k..(i + 1) * k])))
            .collect())
    }

    /// Number of scores per prediction: one probability per class, or the one value.
    pub fn scores_width(&self) -> usize {
        match &self.schema.label.task {
            Task::Classification { classes } => classes.len(),
            Task::Regression => 1,
        }
    }

    /// The batch path without building [`Prediction`]s: appends [`Model::scores_width`]
    /// numbers per instance to `out` (class probabilities in the schema's class order, or the
    /// value; zeros for a failed row) and returns each row's outcome. This is what the wasm
    /// package hands to JavaScript as one `Float64Array`.
    pub fn batch_scores(
        &self,
        instances: &[Result<Instance, Error>],
        options: TransformOptions,
        out: &mut Vec<f64>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        // A few hundred rows at a time: the features of a chunk stay in cache between the
        // preprocessing and the network, and no batch-sized buffer is allocated (10k rows of
        // titanic's 108 features were 4 MB, and batches ran at two speeds, by where the
        // allocator put it).
        let mut status = Vec::with_capacity(instances.len());
        for chunk in instances.chunks(BATCH_CHUNK) {
            let (features, st) = self.batch_features(chunk, options);
            status.extend(self.batch_scores_of(&features, st, out)?);
        }
        Ok(status)
    }

    /// The features of every instance that transforms (row-major, in order) and each row's
    /// outcome.
    fn batch_features(
        &self,
        instances: &[Result<Instance, Error>],
        options: TransformOptions,
    ) -> (Vec<f32>, Vec<Result<(), Error>>) {
        let mut features = Vec::with_capacity(instances.len() * self.prep.width());
        let mut status: Vec<Result<(), Error>> = Vec::with_capacity(instances.len());
        for inst in instances {
            status.push(match inst {
                Ok(i) => self
                    .apply_policies(i, options)
                    .and_then(|i| Ok(self.prep.transform_into(&i, options, &mut features)?)),
                Err(e) => Err(e.clone()),
            });
        }
        (features, status)
    }

    /// The network on `features` (one row per `Ok` in `status`), scores appended to `out`.
    fn batch_scores_of(
        &self,
        features: &[f32],
        mut status: Vec<Result<(), Error>>,
        out: &mut Vec<f64>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let raw = self.engine.run(features)?;
        let n_out = self.metadata.model.n_outputs.max(1);
        let mut rows = raw.chunks(n_out);
        let k = self.scores_width();
        out.reserve(status.len() * k);
        for s in &mut status {
            if s.is_ok() {
                let row = rows
                    .next()
                    .ok_or_else(|| Error::Engine("fewer output rows than inputs".into()))?;
                if let Err(e) = self.scores_into(row, out) {
                    *s = Err(e);
                    out.extend(std::iter::repeat_n(0.0, k));
                }
            } else {
                out.extend(std::iter::repeat_n(0.0, k));
            }
        }
        Ok(status)
    }

    /// Softmax (classification) or target unscaling (regression) of one output row, appended
    /// to `out`. A non-finite output (an input so far outside the training data that the
    /// network overflowed) is an error, never a NaN probability.
    fn scores_into(&self, row: &[f32], out: &mut Vec<f64>) -> Result<(), Error> {
        if row.iter().any(|x| !x.is_finite()) {
            return Err(InstanceError::NonFiniteOutput.into());
        }
        match (&self.schema.label.task, &self.metadata.target) {
            (Task::Classification { .. }, _) => out.extend(crate::prediction::softmax(row)),
            (Task::Regression, scaling) => {
                let z = row.first().copied().unwrap_or(0.0) as f64;
                out.push(match scaling {
                    Some(s) => z * s.scale + s.mean,
                    None => z,
                });
            }
        }
        Ok(())
    }

    /// The [`Prediction`] of one row of scores.
    pub(crate) fn prediction_of(&self, scores: &[f64]) -> Prediction {
        match &self.schema.label.task {
            Task::Classification { classes } => classify_scores(classes, scores),
            Task::Regression => Prediction::Value {
                value: scores.first().copied().unwrap_or(0.0),
            },
        }
    }

    /// Run the network on row-major features (`n * n_features` values) and post-process.
    /// Fails if any row's output is not finite.
    pub fn predict_features(&self, features: &[f32]) -> Result<Vec<Prediction>, Error> {
        let raw = self.engine.run(features)?;
        raw.chunks(self.metadata.model.n_outputs.max(1))
            .map(|row| self.postprocess(row))
            .collect()
    }

    /// Softmax or target unscaling of one row of network outputs.
    fn postprocess(&self, row: &[f32]) -> Result<Prediction, Error> {
        let mut scores = Vec::with_capacity(self.scores_width());
        self.scores_into(row, &mut scores)?;
        Ok(self.prediction_of(&scores))
    }

    /// The network's raw outputs (logits, or scaled value) for row-major features.
    pub fn raw_outputs(&self, features: &[f32]) -> Result<Vec<f32>, Error> {
        self.engine.run(features)
    }
}

/// The metadata part disagrees with the other parts of the bundle.
fn metadata_mismatch(reason: String) -> Error {
    Error::Bundle(crate::error::BundleError::Invalid {
        part: crate::bundle::parts::METADATA.to_string(),
        reason,
    })
}
