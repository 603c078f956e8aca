//! The parameters a run records (in the bundle's metadata and the run store): the plan's
//! settings, what the data looked like after the training-only nodes, and how training went.

use std::collections::BTreeMap;

use crate::prepare::Prepared;
use crate::spec::{ModelSpec, Rebalance};
use crate::trainer::Trained;

/// The network's settings as params (an ensemble's size is recorded as trained, by
/// [`of_run`]; `tandem tune`'s trials record their settings with these names too).
pub fn of_model(m: &ModelSpec) -> [(&'static str, String); 7] {
    [
        ("hidden", hidden_text(&m.hidden)),
        ("learning_rate", m.learning_rate.to_string()),
        ("batch_size", m.batch_size.to_string()),
        ("max_epochs", m.max_epochs.to_string()),
        ("patience", m.patience.to_string()),
        ("weight_decay", m.weight_decay.to_string()),
        ("lr_schedule", m.lr_schedule.name().to_string()),
    ]
}

/// Every parameter of a run, as text.
pub fn of_run(prepared: &Prepared, trained: &Trained) -> BTreeMap<String, String> {
    let plan = &prepared.plan;
    let m = &plan.model;
    let parts = prepared.part_rows();
    let dropped = prepared.dropped;
    let mut params: BTreeMap<String, String> = [
        ("data", tandem_sources::redact(&plan.data.to_string_lossy())),
        ("data_sha256", prepared.data_sha256.clone()),
        ("label", plan.label.clone()),
        ("batch_rows", batch_rows(prepared).to_string()),
        ("ensemble", ensemble(prepared, trained).to_string()),
        ("seed", plan.seed.to_string()),
        ("explain_background", plan.background.to_string()),
        ("validation_fraction", plan.validation.to_string()),
        ("test_fraction", plan.test.to_string()),
        ("rebalance", rebalance_name(plan.rebalance).into()),
        // A linear model is fitted exactly (crate::linear).
        (
            "optimizer",
            if m.hidden.is_empty() { "lbfgs" } else { "adam" }.into(),
        ),
        ("backend", "burn-flex".into()),
        ("epochs_run", trained.history.len().to_string()),
        ("best_epoch", trained.best_epoch.to_string()),
        ("train_rows", parts[0].to_string()),
        ("validation_rows", parts[1].to_string()),
        ("test_rows", parts[2].to_string()),
        ("streamed", prepared.streamed.is_some().to_string()),
        ("dropped_missing_label", dropped.missing_label.to_string()),
        ("dropped_by_filter", dropped.by_filter.to_string()),
        ("dropped_duplicates", dropped.duplicates.to_string()),
        ("rows_quarantined", prepared.quarantined.len().to_string()),
    ]
    .into_iter()
    .chain(of_model(m))
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in prepared.source.params() {
        params.entry(k).or_insert(v);
    }
    match &plan.spec {
        Some(spec) => {
            params.insert("spec".into(), spec.path.display().to_string());
            let sha = tandem_core::bundle::sha256_hex(spec.source.as_bytes());
            params.insert("spec_sha256".into(), sha);
        }
        None => {
            params.insert("text_min_df".into(), plan.text_min_df.to_string());
            let max = plan.text_max_features.unwrap_or(0);
            params.insert("text_max_features".into(), max.to_string());
        }
    }
    if let Some(k) = plan.folds {
        params.insert("folds".into(), k.to_string());
    }
    if !trained.member_best_epochs.is_empty() {
        let epochs: Vec<String> = trained
            .member_best_epochs
            .iter()
            .map(usize::to_string)
            .collect();
        params.insert("member_best_epochs".into(), epochs.join(","));
    }
    params.insert("features".into(), features_text(prepared));
    params
}

/// The shared nodes' names in output order, comma separated (`age,sex,title`), cut to
/// [`MAX_PARAM_CHARS`] with a count of what was left out (the run's `features.json`
/// artifact holds them all).
pub fn features_text(prepared: &Prepared) -> String {
    let names: Vec<&str> = prepared.columns.iter().map(|c| c.name.as_str()).collect();
    let all = names.join(",");
    if all.chars().count() <= MAX_PARAM_CHARS {
        return all;
    }
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        let tail = format!(",... ({} more; see features.json)", names.len() - i);
        if out.chars().count() + name.chars().count() + 1 + tail.chars().count() > MAX_PARAM_CHARS {
            out.push_str(&tail);
            return out;
        }
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
    }
    out
}

/// Longest param value written: MLflow refuses longer ones (its limit is 6000 characters).
pub const MAX_PARAM_CHARS: usize = 6000;

/// The rows per step the run used (`batch_size`, resolved for its training rows; an
/// ensemble's members learn from (k-1)/k of the training and validation rows).
fn batch_rows(prepared: &Prepared) -> usize {
    let parts = prepared.part_rows();
    let m = &prepared.plan.model;
    let rows = if prepared.streamed.is_none() && m.ensemble > 1 {
        (parts[0] + parts[1]) * (m.ensemble - 1) / m.ensemble
    } else {
        parts[0]
    };
    m.batch_size.rows(rows)
}

/// Networks averaged into the model: the plan's `ensemble`, or 1 when one network was trained
/// (a streamed run always trains one).
fn ensemble(prepared: &Prepared, trained: &Trained) -> usize {
    if prepared.streamed.is_some() || trained.member_best_epochs.is_empty() {
        1
    } else {
        trained.member_best_epochs.len()
    }
}

/// `32,16`, or `none` for no hidden layer.
pub fn hidden_text(hidden: &[usize]) -> String {
    if hidden.is_empty() {
        return "none".into();
    }
    let widths: Vec<String> = hidden.iter().map(usize::to_string).collect();
    widths.join(",")
}

/// The spec's name of a rebalancing strategy.
pub fn rebalance_name(r: Rebalance) -> &'static str {
    match r {
        Rebalance::None => "none",
        Rebalance::ClassWeights => "class_weights",
        Rebalance::Oversample => "oversample",
    }
}
