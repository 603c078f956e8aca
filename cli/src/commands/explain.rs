//! `tandem explain`: why each prediction, per raw field (Shapley values against the bundle's
//! background sample, by tandem-core's explanation pipeline: the values `POST /explain`, the
//! npm package and the edge worker give for the same seed).
//!
//! Every input row gets an output row: its explanation, or its error. Nothing is dropped; the
//! exit code is 2 when any row was rejected.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value as Json, json};
use tandem_core::explain::{
    DEFAULT_MAX_EXACT, DEFAULT_PERMUTATIONS, ExplainOptions, Explanation, Method,
};
use tandem_core::protocol::explanation_json;
use tandem_core::{Error, Instance, Model};

use super::StoreArgs;
use super::predict::read_instances;
use super::read_args::ReadArgs;

/// Fields listed per row on the terminal (all of them with `--json` or `--output`).
const LISTED: usize = 20;

/// Arguments of `tandem explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...`.
    #[arg(long)]
    model: String,
    /// Rows to explain: CSV (header row) or JSON Lines, raw fields as for `tandem predict`.
    #[arg(long)]
    input: PathBuf,
    /// Write every explanation to a `.jsonl` (one object per row) or `.csv` file (one line
    /// per row and output: base, prediction, a column per field) instead of the terminal.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Print one JSON object per row on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// Explain against these rows (CSV or JSON Lines, the model's fields) instead of the
    /// bundle's background sample.
    #[arg(long, value_name = "FILE")]
    background: Option<PathBuf>,
    /// `auto` (exact up to 12 fields, sampled above), `exact` (at most 16 fields) or
    /// `sampled`.
    #[arg(long, default_value = "auto")]
    method: Method,
    /// Permutations sampled, in antithetic pairs (sampled method).
    #[arg(long, default_value_t = DEFAULT_PERMUTATIONS)]
    permutations: usize,
    /// The permutations' seed: the same seed gives the same values everywhere.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Unknown categories and out-of-range numbers, as `tandem predict`.
    #[command(flatten)]
    transform: super::transform_args::TransformArgs,
    /// How the files write their cells; by default as the model's training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// Run `tandem explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let (model, _) = super::load_model(
        &args.model,
        &args.store,
        &args.key.load_options(args.store.load_options())?,
    )?;
    let read = args.read.over(&model.metadata().read);
    let background = match &args.background {
        Some(path) => Some(background_rows(&model, &super::data_file(path)?, &read)?),
        None => None,
    };
    let background = background.as_deref().unwrap_or(model.background());
    let options = ExplainOptions {
        method: args.method,
        permutations: args.permutations,
        seed: args.seed,
        max_exact: DEFAULT_MAX_EXACT,
        ..ExplainOptions::default()
    };
    let transform = args.transform.options();
    let input = super::data_file(&args.input)?;
    let (rows, instances) = read_instances(model.schema(), &input, &read)?;
    let mut outcomes = Vec::with_capacity(instances.len());
    for (row, instance) in rows.into_iter().zip(&instances) {
        let result = instance
            .clone()
            .and_then(|x| model.explain_against(&x, background, transform, &options));
        match result {
            // Refused for the model, not the row (no background, too costly, a background row
            // that does not transform): say it once.
            Err(e @ (Error::Explain(_) | Error::Schema(_))) => return Err(super::core_error(&e)),
            result => outcomes.push((row, result.map_err(|e| e.at_row(row)))),
        }
    }
    match (&args.output, args.json) {
        (Some(path), _) => write_file(&model, path, &outcomes)?,
        (None, true) => {
            let mut out = std::io::stdout().lock();
            for line in jsonl(&model, &outcomes) {
                writeln!(out, "{line}")?;
            }
        }
        (None, false) => print!("{}", table(&model, &outcomes)),
    }
    Ok(summarize(&outcomes))
}

/// One row's explanation or why it was rejected, with its 1-based row.
type Outcome = (usize, Result<Explanation, Error>);

/// `--background`: every row must read (a background row with an error would skew every
/// explanation).
fn background_rows(
    model: &Model,
    path: &Path,
    read: &tandem_core::read::ReadOptions,
) -> Result<Vec<Instance>> {
    let (rows, parsed) = read_instances(model.schema(), path, read)?;
    let mut out = Vec::with_capacity(parsed.len());
    for (row, r) in rows.into_iter().zip(parsed) {
        out.push(
            r.map_err(|e| super::core_error(&e.at_row(row)))
                .with_context(|| format!("--background {}", path.display()))?,
        );
    }
    if out.is_empty() {
        bail!("--background {}: no rows", path.display());
    }
    Ok(out)
}

fn jsonl<'a>(model: &'a Model, outcomes: &'a [Outcome]) -> impl Iterator<Item = Json> + 'a {
    outcomes.iter().map(|(row, r)| match r {
        Ok(e) => {
            let mut j = serde_json::to_value(explanation_json(model, e)).unwrap_or(Json::Null);
            j["row"] = json!(row);
            j
        }
        Err(e) => json!({ "row": row, "error": {
            "code": e.code(), "field": e.field(), "message": e.to_string() } }),
    })
}

fn write_file(model: &Model, path: &Path, outcomes: &[Outcome]) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut out = Vec::new();
    match ext.as_deref() {
        Some("jsonl" | "ndjson") => {
            for line in jsonl(model, outcomes) {
                writeln!(out, "{line}")?;
            }
        }
        Some("csv") => write_csv(&mut out, model, outcomes)?,
        _ => bail!("{}: unknown format (use .jsonl or .csv)", path.display()),
    }
    tandem_tracking::local::write_atomic(path, &out)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One line per row and output (class): base, prediction, then each field's value.
fn write_csv(sink: &mut dyn Write, model: &Model, outcomes: &[Outcome]) -> Result<()> {
    let fields: Vec<&str> = model
        .schema()
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut w = csv::Writer::from_writer(sink);
    let mut header = vec!["row", "output", "base", "prediction"];
    header.extend(&fields);
    header.extend(["error_code", "error_field", "error"]);
    w.write_record(&header)?;
    for (row, r) in outcomes {
        match r {
            Ok(e) => {
                for (o, output) in e.outputs.iter().enumerate() {
                    let mut rec = vec![
                        row.to_string(),
                        output.clone(),
                        e.base[o].to_string(),
                        e.prediction[o].to_string(),
                    ];
                    rec.extend(e.values.iter().map(|v| v[o].to_string()));
                    rec.extend([String::new(), String::new(), String::new()]);
                    w.write_record(&rec)?;
                }
            }
            Err(e) => {
                let mut rec = vec![row.to_string()];
                rec.extend(std::iter::repeat_n(String::new(), 3 + fields.len()));
                rec.extend([
                    e.code().to_string(),
                    e.field().unwrap_or("").to_string(),
                    e.to_string(),
                ]);
                w.write_record(&rec)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The terminal view: per row, the predicted class (or value), the base, and the fields by
/// how much they moved it, with a bar.
fn table(model: &Model, outcomes: &[Outcome]) -> String {
    let label = &model.schema().label.name;
    let mut out = String::new();
    for (row, r) in outcomes {
        let e = match r {
            Ok(e) => e,
            Err(err) => {
                // The message names the row.
                out.push_str(&format!("error[{}] {err}\n\n", err.code()));
                continue;
            }
        };
        let o = best(e);
        let what = if e.outputs.len() > 1 {
            format!("P({label} = {}) = {:.4}", e.outputs[o], e.prediction[o])
        } else {
            format!("{label} = {:.4}", e.prediction[o])
        };
        let method = if e.exact {
            "exact".to_string()
        } else {
            format!("{} permutations, seed {}", e.permutations, e.seed)
        };
        out.push_str(&format!(
            "row {row}: {what}; base {:.4} (mean over {} background rows; {method})\n",
            e.base[o], e.background
        ));
        let mut order: Vec<usize> = (0..e.fields.len()).collect();
        order.sort_by(|&a, &b| e.values[b][o].abs().total_cmp(&e.values[a][o].abs()));
        let largest = order.first().map_or(0.0, |&f| e.values[f][o].abs());
        let width = e
            .fields
            .iter()
            .map(|f| f.chars().count())
            .max()
            .unwrap_or(0);
        for &f in order.iter().take(LISTED) {
            let v = e.values[f][o];
            let bar = if largest > 0.0 {
                "█".repeat((v.abs() / largest * 24.0).round() as usize)
            } else {
                String::new()
            };
            out.push_str(&format!("  {:<width$}  {v:+.4}  {bar}\n", e.fields[f]));
        }
        if order.len() > LISTED {
            out.push_str(&format!(
                "  ... {} more fields (--json for all)\n",
                order.len() - LISTED
            ));
        }
        out.push('\n');
    }
    out
}

/// The output a row's table shows: the predicted class (the value for regression).
fn best(e: &Explanation) -> usize {
    tandem_core::prediction::best_class(&e.prediction)
}

/// Counts and the first errors on stderr; exit 2 when any row was rejected.
fn summarize(outcomes: &[Outcome]) -> ExitCode {
    let rejected: Vec<&Error> = outcomes
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    for e in rejected.iter().take(LISTED) {
        eprintln!("error[{}]: {e}", e.code());
    }
    eprintln!(
        "{} rows explained, {} rejected",
        outcomes.len() - rejected.len(),
        rejected.len()
    );
    if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
