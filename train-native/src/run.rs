//! One training run on a prepared plan: fit (cross-validation folds, then the final fit) →
//! export → verify → evaluate. Returns an [`Outcome`] holding everything a caller records or
//! reports; records nothing itself.

use std::collections::BTreeMap;
use std::time::Instant;

use tandem_core::bundle::{Metadata, ModelInfo};
use tandem_core::drift::Reference;
use tandem_core::explain::Background;
use tandem_core::{Bundle, Instance};

use crate::error::{Error, Result};
use crate::evaluate::{self, Metrics};
use crate::export;
use crate::nodes;
use crate::observer::{Observer, Phase};
use crate::pipeline::{Context, Fitted};
use crate::prepare::Prepared;
use crate::trainer::EpochLog;
use crate::verify::{self, EngineOutputs, ExportCheck};

/// What a training run produced.
pub struct Outcome {
    /// The bundle (its metadata carries the params and the metrics).
    pub bundle: Bundle,
    /// The bundle encoded: the `model.tandem` file.
    pub bytes: Vec<u8>,
    /// Metrics per split, and cross-validation's.
    pub metrics: Metrics,
    /// Per-epoch losses of the final fit.
    pub history: Vec<EpochLog>,
    /// The epoch whose weights were kept.
    pub best_epoch: usize,
    /// Wall time of the final fit.
    pub train_seconds: f64,
    /// How far apart the engines were on the validation rows.
    pub check: ExportCheck,
    /// The validation rows as users send them, with every engine's outputs (parity tests).
    pub validation: Validation,
}

/// The validation rows and what each engine computed on them.
pub struct Validation {
    /// Raw instances.
    pub instances: Vec<Instance>,
    /// Their features (row-major, `width` per row).
    pub features: Vec<f32>,
    /// Features per row.
    pub width: usize,
    /// Outputs per row.
    pub n_outputs: usize,
    /// Every engine's outputs.
    pub outputs: EngineOutputs,
}

/// Train on `prepared`, labelling the bundle with `run_id`.
pub fn train(prepared: &Prepared, run_id: &str, observer: &mut dyn Observer) -> Result<Outcome> {
    let ctx = prepared.context();
    let split = &prepared.split;
    let cross_validation = match prepared.plan.folds {
        Some(k) => cross_validate(&ctx, prepared, k, observer)?,
        None => BTreeMap::new(),
    };
    let started = Instant::now();
    let fitted = fit(
        &ctx,
        &split.train,
        &split.validation,
        Phase::Final,
        observer,
    )?;
    let train_seconds = started.elapsed().as_secs_f64();
    let mut bundle = assemble(prepared, &fitted, run_id)?;
    let instances = prepared.rows.pick(&split.validation);
    let verified = verify::verify(&bundle, &fitted, &instances, &prepared.plan.model)?;
    let metrics = evaluate::splits(prepared, &fitted, &verified, cross_validation)?;
    bundle.metadata.evaluation = Some(evaluate::model_card(
        prepared,
        &fitted,
        fitted
            .validation_outputs()
            .unwrap_or(&verified.outputs.dense),
    ));
    bundle.metadata.metrics = metrics.flat();
    if let Some((k, v)) = bundle.metadata.metrics.iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::Training(format!(
            "metric {k} is {v}: refusing to write a bundle with a non-finite metric"
        )));
    }
    let bytes = bundle.to_bytes()?;
    Ok(Outcome {
        bundle,
        bytes,
        metrics,
        history: fitted.trained.history.clone(),
        best_epoch: fitted.trained.best_epoch,
        train_seconds,
        check: verified.check,
        validation: Validation {
            instances,
            width: fitted.valid.width,
            n_outputs: ctx.n_outputs(),
            features: fitted.valid.features,
            outputs: verified.outputs,
        },
    })
}

/// One fit, announced to the observer.
fn fit(
    ctx: &Context,
    train: &[usize],
    valid: &[usize],
    phase: Phase,
    observer: &mut dyn Observer,
) -> Result<Fitted> {
    observer.fit_started(phase, ctx.model.max_epochs);
    let fitted = ctx.fit(train, valid, &mut |e| observer.epoch(phase, e));
    observer.fit_finished(phase);
    fitted
}

/// k-fold cross-validation on the non-test rows: mean and standard deviation of each
/// held-out metric, as `cv_<metric>_mean` / `cv_<metric>_std`.
fn cross_validate(
    ctx: &Context,
    prepared: &Prepared,
    k: usize,
    observer: &mut dyn Observer,
) -> Result<BTreeMap<String, f64>> {
    let split = &prepared.split;
    let mut rows: Vec<usize> = split
        .train
        .iter()
        .chain(&split.validation)
        .copied()
        .collect();
    rows.sort_unstable();
    let groups: Vec<usize> = {
        let g = ctx.rows.groups();
        rows.iter().map(|&i| g[i]).collect()
    };
    let mut per_metric: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (fold, (fit_idx, held_idx)) in nodes::kfold(&groups, k, ctx.seed).into_iter().enumerate() {
        let fit_rows: Vec<usize> = fit_idx.iter().map(|&i| rows[i]).collect();
        let held: Vec<usize> = held_idx.iter().map(|&i| rows[i]).collect();
        if fit_rows.is_empty() || held.is_empty() {
            return Err(Error::Plan(format!("not enough rows for {k} folds")));
        }
        let phase = Phase::Fold {
            fold: fold + 1,
            folds: k,
        };
        // An ensemble learns from every row it is given (its networks share them out), so
        // the fold's rows are not given to it: they are scored by the averaged network only.
        // One network early-stops on them, as the final fit does on its validation rows.
        let ensemble = ctx.model.ensemble > 1 && ctx.streamed.is_none();
        let stop_on: &[usize] = if ensemble { &[] } else { &held };
        let fitted = fit(ctx, &fit_rows, stop_on, phase, observer).map_err(|e| Error::Fold {
            fold: fold + 1,
            source: Box::new(e),
        })?;
        let held_features = if ensemble {
            ctx.featurize(&fitted.bound, &held, &ctx.rows.pick(&held))?
        } else {
            fitted.valid.features.clone()
        };
        let outputs =
            crate::trainer::forward(&fitted.trained.model, &held_features, fitted.valid.width)?;
        for (name, v) in evaluate::of_outputs(ctx, &outputs, fitted.target_scaling.as_ref(), &held)
        {
            per_metric.entry(name).or_default().push(v);
        }
    }
    Ok(evaluate::mean_and_std(per_metric))
}

/// The bundle: schema, fitted preprocessing, the network in three forms, metadata.
fn assemble(prepared: &Prepared, fitted: &Fitted, run_id: &str) -> Result<Bundle> {
    let model = &fitted.trained.model;
    let width = fitted.train.width;
    let output_name = if fitted.target_scaling.is_some() {
        "value"
    } else {
        "logits"
    };
    let onnx = export::to_onnx(model, width, output_name)?;
    let nnef = export::onnx_to_nnef(&onnx)?;
    let dense = export::to_dense(model)?;
    let preprocessing = fitted.preprocessing.clone();
    // A field accepts a missing value when its nodes impute, whether or not training saw gaps.
    let schema = preprocessing
        .bind(&prepared.schema)?
        .nullability(prepared.schema.clone());
    Ok(Bundle {
        metadata: Metadata {
            run_id: run_id.to_string(),
            created: tandem_core::time::now_rfc3339(),
            tandem_version: tandem_core::VERSION.into(),
            metrics: BTreeMap::new(),
            params: crate::params::of_run(prepared, &fitted.trained),
            feature_names: preprocessing.feature_names(),
            model: ModelInfo {
                input: export::INPUT.into(),
                output: output_name.into(),
                n_features: width,
                n_outputs: prepared.context().n_outputs(),
                // The network's own widths: an ensemble's are its members' times their count.
                hidden_layers: model.hidden_widths(),
                activation: "relu".into(),
            },
            target: fitted.target_scaling,
            evaluation: None,
            read: prepared.plan.read.for_bundle(),
        },
        reference: Some(Bundle::reference_part(&Reference::fit(
            &schema,
            &prepared.rows.pick(&prepared.split.train),
        ))?),
        background: (prepared.plan.background > 0).then(|| {
            let train = prepared.rows.pick(&prepared.split.train);
            Background::sample(
                &schema,
                &train,
                prepared.plan.background,
                prepared.plan.seed,
            )
        }),
        schema,
        preprocessing,
        onnx,
        nnef,
        dense: Some(dense),
    })
}
