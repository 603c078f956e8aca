//! Recording a run: tags at its start, then params, final metrics and artifacts, each
//! atomically in place, the bundle last. The run is FINISHED only once all of them are.

use anyhow::Result;
use tandem_core::bundle::sha256_hex;
use tandem_tracking::Metric;
use tandem_tracking::mlmodel::MlModel;
use tandem_tracking::recorder::Recorder;
use tandem_train::artifacts::split_json;
use tandem_train::warnings::Warning;
use tandem_train::{Outcome, Prepared, export};

/// Tags every run carries: where the code and data came from, and how many warnings the
/// data gave (`warnings.json` lists them).
pub fn tags(prepared: &Prepared, warnings: &[Warning]) -> Vec<(String, String)> {
    let schema_json = serde_json::to_vec(&prepared.schema).unwrap_or_default();
    let mut tags = vec![
        (
            "tandem.version".to_string(),
            tandem_core::VERSION.to_string(),
        ),
        ("tandem.data_sha256".into(), prepared.data_sha256.clone()),
        ("tandem.schema_sha256".into(), sha256_hex(&schema_json)),
        ("mlflow.source.name".into(), "tandem train".into()),
        ("mlflow.source.type".into(), "LOCAL".into()),
        ("tandem.warnings".into(), warnings.len().to_string()),
    ];
    if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        tags.push(("mlflow.user".into(), user));
    }
    if let Some(commit) = tandem_tracking::ids::git_commit(prepared.plan.source_dir()) {
        tags.push(("tandem.git_commit".into(), commit.clone()));
        tags.push(("mlflow.source.git.commit".into(), commit));
    }
    tags
}

/// Params, final metrics and every artifact of a finished training.
pub fn outcome(
    rec: &mut Recorder,
    prepared: &Prepared,
    outcome: &Outcome,
    warnings: &[Warning],
) -> Result<()> {
    let meta = &outcome.bundle.metadata;
    let final_metrics = Metric::finals(meta.metrics.iter().map(|(k, v)| (k.as_str(), *v)).chain([
        ("train_seconds", outcome.train_seconds),
        ("best_epoch", outcome.best_epoch as f64),
        ("export_max_abs_diff", outcome.check.max()),
    ]));
    let params: Vec<(String, String)> = meta
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    rec.log(&final_metrics, &params, &[])?;
    rec.artifact("warnings.json", &serde_json::to_vec_pretty(warnings)?)?;
    let features = serde_json::json!({
        "features": prepared.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
        "feature_names": &outcome.bundle.metadata.feature_names,
    });
    rec.artifact("features.json", &serde_json::to_vec_pretty(&features)?)?;
    artifacts(rec, prepared, outcome)
}

fn artifacts(rec: &mut Recorder, prepared: &Prepared, outcome: &Outcome) -> Result<()> {
    let bundle = &outcome.bundle;
    let mlmodel = MlModel {
        schema: &bundle.schema,
        run_id: &bundle.metadata.run_id,
        bundle_format: tandem_core::bundle::FORMAT_VERSION,
        bundle_size: outcome.bytes.len(),
        n_features: bundle.metadata.model.n_features,
        onnx_io: (export::INPUT, &bundle.metadata.model.output),
        created: &bundle.metadata.created.replace('T', " ").replace('Z', ""),
    };
    rec.artifact("model/model.onnx", &bundle.onnx)?;
    rec.artifact(
        "model/schema.json",
        &serde_json::to_vec_pretty(&bundle.schema)?,
    )?;
    rec.artifact("model/MLmodel", mlmodel.to_yaml().as_bytes())?;
    for (name, text) in tandem_tracking::mlmodel::Environment::files() {
        rec.artifact(&format!("model/{name}"), text.as_bytes())?;
    }
    let metrics = serde_json::to_vec_pretty(&outcome.metrics_json())?;
    rec.artifact("metrics.json", &metrics)?;
    rec.artifact("history.csv", outcome.history_csv().as_bytes())?;
    rec.artifact("split.json", &serde_json::to_vec(&split_json(prepared))?)?;
    if !prepared.quarantined.is_empty() {
        let mut lines = Vec::new();
        for q in &prepared.quarantined {
            serde_json::to_writer(&mut lines, q)?;
            lines.push(b'\n');
        }
        rec.artifact("quarantine.jsonl", &lines)?;
    }
    if let Some(spec) = &prepared.plan.spec {
        rec.artifact("spec.toml", spec.source.as_bytes())?;
    }
    for (name, svg) in outcome.plots() {
        rec.artifact(&format!("plots/{name}"), svg.as_bytes())?;
    }
    rec.artifact("model/model.tandem", &outcome.bytes)?;
    let history_tag = ("mlflow.log-model.history".into(), mlmodel.history_tag());
    Ok(rec.log(&[], &[], &[history_tag])?)
}
