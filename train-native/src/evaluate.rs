//! Evaluation at training: metrics on the train, validation and test rows, and the model
//! card's evidence (training curves, the validation confusion matrix or residuals).
//!
//! Each split's rows run through the network once, on the runtime users get (the verified
//! bundle on the dense kernel); every metric comes from [`tandem_evaluate::of_outputs`],
//! the code that scores any model on new labelled data.

use std::collections::BTreeMap;

use tandem_core::bundle::{Evaluation, TargetScaling};

use crate::error::Result;
use crate::pipeline::{Context, Fitted};
use crate::prepare::Prepared;
use crate::verify::Verified;
use tandem_evaluate::{self as metrics, Confusion, Truth};

/// Metrics per split (empty where a split has no rows).
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// On the rows the network was fitted on.
    pub train: BTreeMap<String, f64>,
    /// On the validation rows (early stopping).
    pub validation: BTreeMap<String, f64>,
    /// On the test rows (never seen during training).
    pub test: BTreeMap<String, f64>,
    /// Cross-validation means and standard deviations (`cv_<metric>_mean`, `cv_<metric>_std`).
    pub cross_validation: BTreeMap<String, f64>,
}

impl Metrics {
    /// One map with split prefixes (`train_accuracy`, `validation_accuracy`, ...), as the
    /// bundle and the run store keep them.
    pub fn flat(&self) -> BTreeMap<String, f64> {
        let mut out = self.cross_validation.clone();
        for (prefix, m) in [
            ("train", &self.train),
            ("validation", &self.validation),
            ("test", &self.test),
        ] {
            out.extend(m.iter().map(|(k, v)| (format!("{prefix}_{k}"), *v)));
        }
        out
    }
}

/// Metrics of raw network outputs on rows `idx` of the prepared data.
pub fn of_outputs(
    ctx: &Context,
    outputs: &[f32],
    scaling: Option<&TargetScaling>,
    idx: &[usize],
) -> BTreeMap<String, f64> {
    let truth = ctx.rows.truth(idx);
    metrics::of_outputs(outputs, ctx.n_outputs(), scaling, &truth)
}

/// Train, validation and test metrics through the verified runtime. The validation outputs
/// are the ones the export check already computed.
pub fn splits(
    prepared: &Prepared,
    fitted: &Fitted,
    verified: &Verified,
    cross_validation: BTreeMap<String, f64>,
) -> Result<Metrics> {
    let ctx = prepared.context();
    let split = &prepared.split;
    let scaling = fitted.target_scaling.as_ref();
    let run =
        |features: &[f32]| -> Result<Vec<f32>> { Ok(verified.runtime.raw_outputs(features)?) };
    let train = of_outputs(&ctx, &run(&fitted.train.features)?, scaling, &split.train);
    // An ensemble's validation rows are scored out of fold (each by the member that did not
    // learn from it); one network's are out of sample already.
    let validation_outputs = fitted
        .validation_outputs()
        .unwrap_or(&verified.outputs.dense);
    let validation = of_outputs(&ctx, validation_outputs, scaling, &split.validation);
    let test = if split.test.is_empty() {
        BTreeMap::new()
    } else {
        let rows = prepared.rows.pick(&split.test);
        let features = ctx.featurize(&fitted.bound, &split.test, &rows)?;
        of_outputs(&ctx, &run(&features)?, scaling, &split.test)
    };
    Ok(Metrics {
        train,
        validation,
        test,
        cross_validation,
    })
}

/// The model card's evidence from the validation outputs.
pub fn model_card(prepared: &Prepared, fitted: &Fitted, outputs: &[f32]) -> Evaluation {
    let idx = &prepared.split.validation;
    let mut out = Evaluation {
        history: fitted
            .trained
            .history
            .iter()
            .map(|h| [h.epoch as f64, h.train_loss, h.validation_loss])
            .filter(|r| r.iter().all(|x| x.is_finite()))
            .collect(),
        ..Default::default()
    };
    let n_out = prepared.context().n_outputs();
    match (prepared.rows.truth(idx), fitted.target_scaling.as_ref()) {
        (Truth::Classes(truth), _) => {
            let predicted: Vec<usize> = metrics::probabilities(outputs, n_out)
                .iter()
                .map(|p| metrics::argmax(p))
                .collect();
            out.confusion = Confusion::new(&truth, &predicted, n_out).counts;
        }
        (Truth::Values(truth), scaling) => {
            let pred = metrics::values(outputs, scaling);
            out.residuals = truth
                .iter()
                .zip(pred)
                .map(|(t, p)| [*t, p])
                .take(500)
                .collect();
        }
    }
    out
}

/// Mean and population standard deviation of each metric over folds.
pub fn mean_and_std(per_metric: BTreeMap<String, Vec<f64>>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (name, vals) in per_metric {
        let n = vals.len() as f64;
        let mean = vals.iter().sum::<f64>() / n;
        let std = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        out.insert(format!("cv_{name}_mean"), mean);
        out.insert(format!("cv_{name}_std"), std);
    }
    out
}
