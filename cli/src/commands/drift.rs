//! `tandem drift`: new data against the training data's profile in the bundle, field by raw
//! field (tandem-core's `drift`: PSI, Jensen-Shannon, Wasserstein, missing and unseen rates),
//! printed, as JSON, as an SVG report, and recorded as a run linked to the model's run.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use serde_json::json;
use tandem_core::drift::{DriftReport, PSI_DRIFTED, PSI_MODERATE, Status};
use tandem_core::{Bundle, Error, Instance, Model};
use tandem_tracking::Metric;
use tandem_tracking::recorder::Recorder;

use super::StoreArgs;
use super::derived_run::{self, DerivedRun};
use super::predict::read_instances;
use super::read_args::ReadArgs;
use crate::tabulate;

/// Rejected rows listed on the terminal (all of them with `--json`).
const LISTED: usize = 20;

/// When `--fail-on` makes the exit code 3.
#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    /// Any field drifted (PSI ≥ 0.25).
    Drifted,
    /// Any field moderate or drifted (PSI ≥ 0.1).
    Moderate,
}

/// Arguments of `tandem drift`.
#[derive(Args)]
pub struct DriftArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...`.
    #[arg(long)]
    model: String,
    /// New rows: CSV (header row) or JSON Lines with the model's input fields (other columns,
    /// such as the label, are ignored).
    #[arg(long)]
    data: PathBuf,
    /// Print the report as JSON (every field's bins, distances and rates, every rejected row).
    #[arg(long)]
    json: bool,
    /// Also write the SVG report (a panel per field: training and new shares per bin) here.
    #[arg(long, value_name = "FILE.svg")]
    report: Option<PathBuf>,
    /// Exit with code 3 when any field is `drifted` (or, with `moderate`, at least moderate):
    /// for a scheduled check.
    #[arg(long, value_name = "LEVEL")]
    fail_on: Option<FailOn>,
    /// How the file writes its cells; by default as the model's training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Where `runs:/` and `models:/` resolve, and where the drift run is recorded.
    #[command(flatten)]
    store: StoreArgs,
    /// Experiment to record the drift run in (created if needed).
    #[arg(long, env = "MLFLOW_EXPERIMENT_NAME", default_value = "Default")]
    experiment: String,
    /// Do not record the check as a run.
    #[arg(long)]
    no_record: bool,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// A row that could not be compared: its row and why.
fn rejected_json(row: usize, e: &Error) -> serde_json::Value {
    json!({ "row": row, "code": e.code(), "field": e.field(), "reason": e.to_string() })
}

/// Run `tandem drift`.
pub fn run(args: DriftArgs) -> Result<ExitCode> {
    let found = super::fetch_model(&args.model, &args.store)?;
    let options = args.key.load_options(args.store.load_options())?;
    let model = Model::load_options(&found.bytes, &options)
        .map_err(|e| super::core_error(&e))
        .with_context(|| format!("cannot load model {}", found.source))?;
    let reference = Bundle::from_bytes_with(&found.bytes, &options.limits)
        .and_then(|b| b.reference(&options.limits))
        .map_err(|e| super::core_error(&e.into()))?
        .ok_or_else(|| {
            anyhow!(
                "model {} has no training profile (trained before drift checks existed): train it again",
                found.source
            )
        })?;
    let read = args.read.over(&model.metadata().read);
    let local = super::data_file(&args.data)?;
    let (rows, parsed) = read_instances(model.schema(), &local, &read)?;
    let mut good: Vec<Instance> = Vec::with_capacity(parsed.len());
    let mut rejected = Vec::new();
    for (row, r) in rows.into_iter().zip(parsed) {
        match r {
            Ok(x) => good.push(x),
            Err(e) => rejected.push(rejected_json(row, &e)),
        }
    }
    if good.is_empty() {
        bail!(
            "no row of {} could be read against the model's schema ({} rejected)",
            args.data.display(),
            rejected.len()
        );
    }
    let report = reference.compare(model.schema(), &good);
    let warnings: Vec<String> = small_sample(&report).into_iter().collect();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let svg = tandem_evaluate::drift_svg(&report).map_err(anyhow::Error::msg)?;
    if let Some(path) = &args.report {
        tandem_tracking::local::write_atomic(path, svg.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let data = tandem_sources::redact(&args.data.to_string_lossy());
    let bytes = std::fs::read(&local)?;
    let data_sha256 = tandem_tracking::ids::sha256_hex(&bytes);
    let mut doc = json!({
        "model": found.source,
        "data": data,
        "data_sha256": data_sha256,
        "thresholds": { "psi_moderate": PSI_MODERATE, "psi_drifted": PSI_DRIFTED },
        "drift": report,
        "rejected": rejected,
        "warnings": warnings,
    });
    if !args.no_record {
        let run = DerivedRun {
            stores: args.store.config(),
            experiment: &args.experiment,
            kind: "drift",
            command: "drift",
            model_uri: &args.model,
            model_run_id: &model.metadata().run_id,
            data: &data,
            data_sha256: &data_sha256,
        };
        let (run_id, location) = derived_run::record(&run, |rec| {
            fill(rec, &run, &report, &doc, &svg, rejected.len())
        })?;
        eprintln!("drift check recorded as run {run_id} in {location}");
        doc["run_id"] = json!(run_id);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        write!(out, "{}", table(&report, rejected.len()))?;
        for r in rejected.iter().take(LISTED) {
            eprintln!("  row {}: [{}] {}", r["row"], r["code"], r["reason"]);
        }
    }
    let worst = report
        .fields
        .iter()
        .map(|f| f.status)
        .max_by_key(|s| *s as u8);
    let fail = matches!(
        (args.fail_on, worst),
        (Some(FailOn::Drifted), Some(Status::Drifted))
            | (
                Some(FailOn::Moderate),
                Some(Status::Drifted | Status::Moderate)
            )
    );
    Ok(if fail {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rows below which a drift check is mostly noise.
const FEW_ROWS: usize = 200;

/// A warning when the new rows are too few for the PSI to mean much: unchanged data of this
/// size would already score about `(bins - 1)(1/n + 1/N)`.
fn small_sample(report: &DriftReport) -> Option<String> {
    if report.rows >= FEW_ROWS {
        return None;
    }
    let bins = report
        .fields
        .iter()
        .map(|f| f.bins.len())
        .max()
        .unwrap_or(2);
    let noise = (bins.saturating_sub(1)) as f64
        * (1.0 / report.rows.max(1) as f64 + 1.0 / report.reference_rows.max(1) as f64);
    Some(format!(
        "only {} rows compared: with up to {bins} bins a field's PSI is about {noise:.2} \
         from sampling noise alone; compare a few hundred rows or more before trusting a status",
        report.rows
    ))
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// One line per field, then the summary and the thresholds.
fn table(report: &DriftReport, rejected: usize) -> String {
    let rows: Vec<Vec<String>> = report
        .fields
        .iter()
        .map(|f| {
            let mut notes = Vec::new();
            if let Some(u) = f.unseen.filter(|u| *u > 0.0) {
                notes.push(format!(
                    "unseen {} ({})",
                    percent(u),
                    f.unseen_examples.join(", ")
                ));
            }
            if let (Some(a), Some(b)) = (f.hit_rate_reference, f.hit_rate_new) {
                notes.push(format!("vocabulary hits {} → {}", percent(a), percent(b)));
            }
            vec![
                f.field.clone(),
                f.kind.to_string(),
                f.status.name().to_string(),
                format!("{:.4}", f.psi),
                format!("{:.4}", f.js),
                f.wasserstein.map_or("-".into(), |w| format!("{w:.4}")),
                format!(
                    "{} → {}",
                    percent(f.missing_reference),
                    percent(f.missing_new)
                ),
                notes.join("; "),
            ]
        })
        .collect();
    format!(
        "{}\n{} of {} fields drifted ({}), {} moderate; {} rows compared{} with {} training rows.\n\
         PSI < {PSI_MODERATE} stable, < {PSI_DRIFTED} moderate, else drifted; JS: Jensen-Shannon \
         distance (base 2); W/std: Wasserstein distance in training standard deviations.\n",
        tabulate::render(
            &[
                "field", "kind", "status", "PSI", "JS", "W/std", "missing", ""
            ],
            &rows
        ),
        report.drifted,
        report.fields.len(),
        percent(report.drifted_share),
        report.moderate,
        report.rows,
        if rejected > 0 {
            format!(" ({rejected} rows rejected)")
        } else {
            String::new()
        },
        report.reference_rows
    )
}

/// A metric name MLflow accepts: letters, digits, `_ - . / ` and space; others become `_`.
fn metric_key(prefix: &str, field: &str) -> String {
    let clean: String = field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-./ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}.{clean}")
}

fn fill(
    rec: &mut Recorder,
    run: &DerivedRun,
    report: &DriftReport,
    doc: &serde_json::Value,
    svg: &str,
    rejected: usize,
) -> Result<()> {
    let mut values = vec![
        ("drifted_share".to_string(), report.drifted_share),
        ("drifted_fields".into(), report.drifted as f64),
        ("moderate_fields".into(), report.moderate as f64),
    ];
    for f in &report.fields {
        values.push((metric_key("psi", &f.field), f.psi));
        values.push((metric_key("js", &f.field), f.js));
        if let Some(w) = f.wasserstein {
            values.push((metric_key("wasserstein", &f.field), w));
        }
    }
    let metrics = Metric::finals(values);
    let params = [
        ("model", run.model_uri.to_string()),
        ("data", run.data.to_string()),
        ("data_sha256", run.data_sha256.to_string()),
        ("rows", report.rows.to_string()),
        ("rows_rejected", rejected.to_string()),
        ("psi_moderate", PSI_MODERATE.to_string()),
        ("psi_drifted", PSI_DRIFTED.to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    rec.log(&metrics, &params, &[])?;
    rec.artifact("drift.json", &serde_json::to_vec_pretty(doc)?)?;
    rec.artifact("drift.svg", svg.as_bytes())?;
    Ok(())
}
