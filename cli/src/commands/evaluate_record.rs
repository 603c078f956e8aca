//! An evaluation recorded as a run of its own, linked to the model's run: in the folder
//! store, and in MLflow with `--tracking-uri`, as training records its runs.
//!
//! Tags ([`derived_run`]): `tandem.kind = evaluation`, `tandem.model_run_id` (the bundle's
//! run), `tandem.model_uri` (as given), `tandem.data_sha256`. Params: the model, the data file, its SHA-256, the label
//! and the row counts. Metrics: every metric of the evaluation. Artifacts: `evaluation.json`
//! (everything `--json` prints), `rejected.jsonl` (every row not scored, with its reason) and
//! `plots/<name>.svg` / `.png` (confusion matrix, ROC, precision-recall and reliability
//! curves; residuals).

use anyhow::Result;
use tandem_evaluate::Evaluation;
use tandem_tracking::Metric;
use tandem_tracking::recorder::Recorder;

use super::derived_run::{self, DerivedRun};

/// What the run records besides the evaluation.
pub struct Recorded<'a> {
    /// The run and what it derives from.
    pub run: DerivedRun<'a>,
    /// The label column.
    pub label: &'a str,
    /// `--json`'s document.
    pub document: &'a serde_json::Value,
    /// The model's classes (none for a regression).
    pub classes: &'a [String],
}

/// Record `evaluation`; the run id and where it lives.
pub fn record(what: &Recorded, evaluation: &Evaluation) -> Result<(String, String)> {
    derived_run::record(&what.run, |rec| fill(rec, what, evaluation))
}

fn fill(rec: &mut Recorder, what: &Recorded, evaluation: &Evaluation) -> Result<()> {
    let metrics = Metric::finals(
        evaluation
            .report
            .iter()
            .flat_map(|r| r.metrics().iter())
            .map(|(key, &value)| (key.clone(), value)),
    );
    let params = [
        ("model", what.run.model_uri.to_string()),
        ("data", what.run.data.to_string()),
        ("data_sha256", what.run.data_sha256.to_string()),
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
