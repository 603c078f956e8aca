//! What `tandem train` prints: notes before training, then the run summary as a table (or
//! JSON with `--json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde_json::{Value as Json, json};
use tandem_tracking::recorder::Recorder;
use tandem_train::warnings::Warning;
use tandem_train::{Outcome, Prepared};

/// The summary of a finished run, in both forms.
pub struct Report {
    /// For `--json`.
    pub json: Json,
    /// The table.
    pub text: String,
}

/// More for the summary, from a command that wraps training (`tandem tune`): a key of the
/// JSON form, and text printed before the table.
pub struct Section {
    /// The JSON key.
    pub key: &'static str,
    /// Its value.
    pub json: Json,
    /// The text form.
    pub text: String,
}

/// Notes on stderr about what the training-only nodes dropped and what comes next.
pub fn preamble(prepared: &Prepared) {
    let d = prepared.dropped;
    if d.missing_label > 0 {
        eprintln!("dropped {} rows with a missing label", d.missing_label);
    }
    if d.by_filter > 0 || d.duplicates > 0 {
        eprintln!(
            "training-only nodes dropped {} filtered and {} duplicate rows",
            d.by_filter, d.duplicates
        );
    }
    if let Some(k) = prepared.plan.folds {
        let rows = prepared.split.train.len() + prepared.split.validation.len();
        eprintln!("cross-validating on {rows} rows in {k} folds");
    }
}

/// The rows set aside (even with `--quiet`: data was not trained on): a count and the first.
pub fn quarantine(prepared: &Prepared) {
    if prepared.quarantined.is_empty() {
        return;
    }
    eprintln!(
        "{} rows break the schema and were set aside (quarantine.jsonl in the run):",
        prepared.quarantined.len()
    );
    for q in prepared.quarantined.iter().take(5) {
        eprintln!("  [{}] {}", q.code, q.reason);
    }
}

/// The data's warnings on stderr, one per line: `warning [CODE] field: message`.
pub fn warnings(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning [{}] {}: {}", w.code, w.field, w.message);
    }
}

/// The run summary.
pub fn summary(rec: &Recorder, outcome: &Outcome, warnings: &[Warning]) -> Result<Report> {
    let run_id = &outcome.bundle.metadata.run_id;
    let run_dir = rec.local().run_dir(run_id);
    let model_path = rec.local().artifact_file(run_id, "model/model.tandem")?;
    let json = json!({
        "run_id": run_id,
        "experiment_id": rec.experiment.experiment_id,
        "tracking_uri": rec.location(),
        "run_dir": run_dir,
        "model": model_path,
        "metrics": outcome.bundle.metadata.metrics,
        "best_epoch": outcome.best_epoch,
        "epochs_run": outcome.history.len(),
        "warnings": warnings,
    });
    Ok(Report {
        json,
        text: table(outcome, &model_path),
    })
}

fn table(outcome: &Outcome, bundle: &Path) -> String {
    let m = &outcome.metrics;
    let mut out = String::new();
    let _ = writeln!(out, "run {}", outcome.bundle.metadata.run_id);
    if outcome.bundle.metadata.model.hidden_layers.is_empty() {
        // A linear model is fitted exactly (tandem_train::linear): nothing is stopped early,
        // but the iteration limit can end the fit before it converged.
        let limit = outcome.bundle.metadata.params.get("max_epochs");
        let stopped = limit.is_some_and(|l| *l == outcome.history.len().to_string());
        let _ = writeln!(
            out,
            "  linear model fitted exactly: {} L-BFGS iterations in {:.2}s{}",
            outcome.history.len(),
            outcome.train_seconds,
            if stopped {
                " (stopped at max_epochs before it converged: raise it)"
            } else {
                ""
            }
        );
    } else {
        let _ = writeln!(
            out,
            "  {} epochs in {:.2}s, kept epoch {} (lowest validation loss)",
            outcome.history.len(),
            outcome.train_seconds,
            outcome.best_epoch
        );
    }
    // The longest metric name (balanced_accuracy) sets the first column.
    let width = m
        .validation
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(12);
    let cell = |m: &BTreeMap<String, f64>, k: &str| {
        m.get(k).map_or("-".to_string(), |v| format!("{v:.4}"))
    };
    let _ = writeln!(
        out,
        "  {:<w$} {:>10} {:>12} {:>10} {:>16}",
        "metric",
        "train",
        "validation",
        "test",
        "cross-validation",
        w = width
    );
    let cv = &m.cross_validation;
    for k in m.validation.keys() {
        let cv_cell = match (
            cv.get(&format!("cv_{k}_mean")),
            cv.get(&format!("cv_{k}_std")),
        ) {
            (Some(mean), Some(s)) => format!("{mean:.4} ± {s:.4}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "  {k:<width$} {:>10} {:>12} {:>10} {cv_cell:>16}",
            cell(&m.train, k),
            cell(&m.validation, k),
            cell(&m.test, k)
        );
    }
    let _ = writeln!(out, "  bundle: {}", bundle.display());
    out
}
