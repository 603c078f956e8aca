//! Bundle metadata: who made the model, how well it did, how to call the graph.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::json::{DecodeError, FromJson, Json, Obj};

use crate::read::ReadOptions;

/// How the network in the bundle is wired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Name of the graph's input (`features`, shape `[batch, n_features]`, f32).
    pub input: String,
    /// Name of the graph's output (`logits` for classification, `value` for regression).
    pub output: String,
    /// Number of input features.
    pub n_features: usize,
    /// Number of outputs per row.
    pub n_outputs: usize,
    /// Hidden layer widths (empty: logistic / linear regression).
    pub hidden_layers: Vec<usize>,
    /// Hidden activation.
    pub activation: String,
}

/// For regression: the network predicts `(y - mean) / scale`; the runtime undoes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TargetScaling {
    /// Training mean of the target.
    pub mean: f64,
    /// Training standard deviation of the target (never 0).
    pub scale: f64,
}

/// Everything about the model that is not needed to compute a prediction's features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metadata {
    /// The training run's 32-hex id.
    pub run_id: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// Version of Tandem that trained the model.
    pub tandem_version: String,
    /// Final metrics (`validation_accuracy`, `validation_log_loss`, ...), sorted by name.
    pub metrics: BTreeMap<String, f64>,
    /// Training parameters (epochs, learning rate, seed, ...), sorted by name.
    pub params: BTreeMap<String, String>,
    /// Names of the features the preprocessing writes, in order.
    pub feature_names: Vec<String>,
    /// The network's wiring.
    pub model: ModelInfo,
    /// Target scaling for regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetScaling>,
    /// Evidence for a model card (training curves, held-out errors); absent in bundles
    /// written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// How the training data's cells were written (missing markers, thousands separator,
    /// decimal mark): predicting a file reads it the same way unless told otherwise. Absent
    /// (the defaults) in bundles written before it existed and for default options.
    #[serde(default, skip_serializing_if = "ReadOptions::is_default")]
    pub read: ReadOptions,
}

/// Training curves and held-out errors, for a model card.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Per epoch: `[epoch, train loss, validation loss]` (finite epochs only).
    pub history: Vec<[f64; 3]>,
    /// Classification: the validation confusion matrix, rows the true class and columns the
    /// predicted one, in the schema's class order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confusion: Vec<Vec<usize>>,
    /// Regression: up to 500 validation `[truth, prediction]` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub residuals: Vec<[f64; 2]>,
}

impl FromJson for ModelInfo {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(ModelInfo {
            input: o.req("input")?,
            output: o.req("output")?,
            n_features: o.req("n_features")?,
            n_outputs: o.req("n_outputs")?,
            hidden_layers: o.req("hidden_layers")?,
            activation: o.req("activation")?,
        })
    }
}

impl FromJson for TargetScaling {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(TargetScaling {
            mean: o.req("mean")?,
            scale: o.req("scale")?,
        })
    }
}

impl FromJson for Evaluation {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Evaluation {
            history: o.req("history")?,
            confusion: o.or_default("confusion")?,
            residuals: o.or_default("residuals")?,
        })
    }
}

impl FromJson for Metadata {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Metadata {
            run_id: o.req("run_id")?,
            created: o.req("created")?,
            tandem_version: o.req("tandem_version")?,
            metrics: o.req("metrics")?,
            params: o.req("params")?,
            feature_names: o.req("feature_names")?,
            model: o.req("model")?,
            target: o.opt("target")?,
            evaluation: o.opt("evaluation")?,
            read: o.or_default("read")?,
        })
    }
}
