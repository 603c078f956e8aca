//! `tandem evaluate`: a model scored on new labelled data, by tandem-evaluate (the code that
//! scores training's splits). Rows that cannot be scored are counted and listed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use tandem_evaluate::{Evaluation, Report, evaluate, read_labelled};

use super::StoreArgs;
use super::derived_run::DerivedRun;
use super::evaluate_record::{Recorded, record};
use super::read_args::ReadArgs;
use crate::tabulate;

/// Rejected rows listed on the terminal (all of them with `--json`).
const LISTED: usize = 20;

/// The order metrics are printed in (others after, by name).
const ORDER: [&str; 20] = [
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "f1_weighted",
    "log_loss",
    "roc_auc",
    "pr_auc",
    "brier",
    "ece",
    "rmse",
    "mae",
    "mape",
    "r2",
    "residual_mean",
    "residual_std",
    "residual_p5",
    "residual_p25",
    "residual_p50",
    "residual_p75",
    "residual_p95",
];

/// Arguments of `tandem evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...` (every form below).
    #[arg(long)]
    model: String,
    /// Labelled data: CSV (header row) or JSON Lines, with the model's input fields and the
    /// label.
    #[arg(long)]
    data: PathBuf,
    /// The label column [default: the label the model was trained on].
    #[arg(long)]
    label: Option<String>,
    /// Print the evaluation as JSON (every metric, the confusion matrix and reliability
    /// curve or the residuals' summary, and every rejected row).
    #[arg(long)]
    json: bool,
    /// Unknown categories and out-of-range numbers, as `tandem predict`.
    #[command(flatten)]
    transform: super::transform_args::TransformArgs,
    /// How the file writes its cells; by default as the model's training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Where `runs:/` and `models:/` resolve, and where the evaluation run is recorded.
    #[command(flatten)]
    store: StoreArgs,
    /// Experiment to record the evaluation run in (created if needed).
    #[arg(long, env = "MLFLOW_EXPERIMENT_NAME", default_value = "Default")]
    experiment: String,
    /// Do not record the evaluation as a run.
    #[arg(long)]
    no_record: bool,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// Run `tandem evaluate`.
pub fn run(args: EvaluateArgs) -> Result<ExitCode> {
    let (model, source) = super::load_model(
        &args.model,
        &args.store,
        &args.key.load_options(args.store.load_options())?,
    )?;
    let read = args.read.over(&model.metadata().read);
    let bytes = std::fs::read(super::data_file(&args.data)?)
        .with_context(|| format!("cannot read {}", args.data.display()))?;
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| model.schema().label.name.clone());
    let rows = read_labelled(model.schema(), &bytes, &read, &label)
        .map_err(|e| anyhow::anyhow!("[{}] {e}", e.code()))
        .with_context(|| format!("{}", args.data.display()))?;
    let evaluation =
        evaluate(&model, rows, args.transform.options()).map_err(|e| super::core_error(&e))?;
    if evaluation.report.is_none() {
        print_rejected(&evaluation);
        bail!(
            "no row of {} could be scored ({} rows, all rejected)",
            args.data.display(),
            evaluation.rows
        );
    }
    let data = tandem_sources::redact(&args.data.to_string_lossy());
    let data_sha256 = tandem_tracking::ids::sha256_hex(&bytes);
    let mut doc = serde_json::json!({
        "model": source,
        "data": data,
        "data_sha256": data_sha256,
        "label": label,
        "evaluation": evaluation,
    });
    if !args.no_record {
        let recorded = Recorded {
            run: DerivedRun {
                stores: args.store.config(),
                experiment: &args.experiment,
                kind: "evaluation",
                command: "evaluate",
                model_uri: &args.model,
                model_run_id: &model.metadata().run_id,
                data: &data,
                data_sha256: &data_sha256,
            },
            label: &label,
            document: &doc,
            classes: &classes(&model),
        };
        let (run_id, location) = record(&recorded, &evaluation)?;
        eprintln!("evaluation recorded as run {run_id} in {location}");
        doc["run_id"] = serde_json::Value::String(run_id);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        write!(out, "{}", table(&evaluation, &classes(&model)))?;
        print_rejected(&evaluation);
    }
    Ok(ExitCode::SUCCESS)
}

fn classes(model: &tandem_core::Model) -> Vec<String> {
    model
        .schema()
        .classes()
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

/// The metrics, then the confusion matrix (classification).
fn table(evaluation: &Evaluation, classes: &[String]) -> String {
    let Some(report) = &evaluation.report else {
        return String::new();
    };
    let metrics = report.metrics();
    let rank = |name: &str| ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len());
    let mut names: Vec<&String> = metrics.keys().collect();
    names.sort_by_key(|n| rank(n));
    let rows: Vec<Vec<String>> = names
        .into_iter()
        .map(|name| vec![name.clone(), format!("{:.6}", metrics[name])])
        .collect();
    let mut out = format!(
        "{} of {} rows scored\n\n{}",
        evaluation.scored,
        evaluation.rows,
        tabulate::render(&["metric", "value"], &rows)
    );
    if let Report::Classification(c) = report {
        let mut headers = vec!["true \\ predicted"];
        headers.extend(classes.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = classes
            .iter()
            .zip(&c.confusion.counts)
            .map(|(class, counts)| {
                std::iter::once(class.clone())
                    .chain(counts.iter().map(usize::to_string))
                    .collect()
            })
            .collect();
        out.push('\n');
        out.push_str(&tabulate::render(&headers, &rows));
    }
    out
}

/// The rejected rows on stderr: a count, then the first few.
fn print_rejected(evaluation: &Evaluation) {
    let rejected = &evaluation.rejected;
    if rejected.is_empty() {
        return;
    }
    eprintln!("{} of {} rows not scored:", rejected.len(), evaluation.rows);
    for r in rejected.iter().take(LISTED) {
        eprintln!("  row {}: [{}] {}", r.row, r.code, r.reason);
    }
    if rejected.len() > LISTED {
        eprintln!(
            "  ... and {} more (all of them with --json)",
            rejected.len() - LISTED
        );
    }
}
