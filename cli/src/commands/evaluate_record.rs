//! An evaluation recorded as a run of its own, linked to the model's run: in the folder
//! store, and in MLflow with `--tracking-uri`, as training records its runs.
//!
//! Tags: `tandem.kind = evaluation`, `tandem.model_run_id` (the bundle's run), `tandem.model_uri`
//! (as given), `tandem.data_sha256`. Params: the model, the data file, its SHA-256, the label
//! and the row counts. Metrics: every metric of the evaluation. Artifacts: `evaluation.json`
//! (everything `--json` prints), `rejected.jsonl` (every row not scored, with its reason) and
//! `plots/<name>.svg` / `.png` (confusion matrix, ROC, precision-recall and reliability
//! curves; residuals).

use anyhow::Result;
use tandem_evaluate::Evaluation;
use tandem_tracking::recorder::Recorder;
use tandem_tracking::{Metric, StoreConfig};

/// What the run records besides the evaluation.
pub struct Recorded<'a> {
    /// Where runs live.
    pub stores: StoreConfig,
    /// The experiment.
    pub experiment: &'a str,
    /// The model as given (`runs:/...`, a path).
    pub model_uri: &'a str,
    /// The run that trained the model (the bundle's metadata).
    pub model_run_id: &'a str,
    /// The data file, as given.
    pub data: &'a str,
    /// Its SHA-256.
    pub data_sha256: &'a str,
    /// The label column.
    pub label: &'a str,
    /// `--json`'s document.
    pub document: &'a serde_json::Value,
    /// The model's classes (none for a regression).
    pub classes: &'a [String],
}

/// Record `evaluation`; the run id and where it lives.
pub fn record(what: &Recorded, evaluation: &Evaluation) -> Result<(String, String)> {
    let short = what.model_run_id.get(..8).unwrap_or(what.model_run_id);
    let file = std::path::Path::new(what.data).file_name().map_or_else(
        || what.data.to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let run_name = format!("evaluate {short} on {file}");
    let mut tags = vec![
        ("tandem.kind".to_string(), "evaluation".to_string()),
        ("tandem.model_run_id".into(), what.model_run_id.to_string()),
        ("tandem.model_uri".into(), what.model_uri.to_string()),
        ("tandem.data_sha256".into(), what.data_sha256.to_string()),
        ("tandem.version".into(), tandem_core::VERSION.to_string()),
        ("mlflow.source.name".into(), "tandem evaluate".into()),
        ("mlflow.source.type".into(), "LOCAL".into()),
    ];
    if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        tags.push(("mlflow.user".into(), user));
    }
    let mut rec = Recorder::start(&what.stores, what.experiment, &run_name, &tags)?;
    match fill(&mut rec, what, evaluation) {
        Ok(()) => {
            let location = rec.location();
            Ok((rec.finish()?, location))
        }
        Err(e) => {
            let id = rec.fail(&e);
            Err(e.context(format!("evaluation run {id} failed")))
        }
    }
}

fn fill(rec: &mut Recorder, what: &Recorded, evaluation: &Evaluation) -> Result<()> {
    let now = tandem_tracking::now_ms();
    let metrics: Vec<Metric> = evaluation
        .report
        .iter()
        .flat_map(|r| r.metrics().iter())
        .filter(|(_, v)| v.is_finite())
        .map(|(key, &value)| Metric {
            key: key.clone(),
            value,
            step: 0,
            timestamp: now,
        })
        .collect();
    let params = [
        ("model", what.model_uri.to_string()),
        ("data", what.data.to_string()),
        ("data_sha256", what.data_sha256.to_string()),
        ("label", what.label.to_string()),
        ("rows", evaluation.rows.to_string()),
        ("rows_scored", evaluation.scored.to_string()),
        ("rows_rejected", evaluation.rejected.len().to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    rec.log(&metrics, &params, &[])?;
    rec.artifact(
        "evaluation.json",
        &serde_json::to_vec_pretty(what.document)?,
    )?;
    let mut rejected = Vec::new();
    for r in &evaluation.rejected {
        serde_json::to_writer(&mut rejected, r)?;
        rejected.push(b'\n');
    }
    rec.artifact("rejected.jsonl", &rejected)?;
    for plot in tandem_evaluate::plots(evaluation, what.classes).map_err(anyhow::Error::msg)? {
        rec.artifact(&format!("plots/{}.svg", plot.name), plot.svg.as_bytes())?;
        rec.artifact(&format!("plots/{}.png", plot.name), &plot.png)?;
    }
    Ok(())
}
