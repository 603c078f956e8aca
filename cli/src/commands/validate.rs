//! `tandem validate`: check a CSV or JSON Lines file against a schema (a schema JSON file or a bundle) and
//! report every row that breaks it. Type, missing-value and CSV errors are errors (exit 2);
//! categories and values outside what training saw are reported as warnings, since the
//! runtime accepts them (unknown slot, extrapolation).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use tandem_core::schema::{FieldType, Schema};
use tandem_core::{Bundle, Value};

use tandem_core::read::jsonl::Records;
use tandem_core::read::sniff::looks_like_jsonl;
use tandem_core::read::{ReadOptions, read_csv, read_jsonl};

use super::StoreArgs;
use super::read_args::ReadArgs;

/// Arguments of `tandem validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// A schema JSON file, or a model (bundle path, `runs:/<id>`, `models:/<name>@<alias>`)
    /// whose schema to use.
    #[arg(long)]
    schema: String,
    /// The file to check: CSV or JSON Lines (`.jsonl` / `.ndjson`, or by content).
    #[arg(long)]
    data: PathBuf,
    /// How the file writes its cells; with a model, by default as its training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Print the report as JSON Lines.
    #[arg(long)]
    json: bool,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
}

/// The schema, and the reading options of the model's training data (defaults for a schema
/// file).
fn load_schema(schema: &str, stores: &StoreArgs) -> Result<(Schema, ReadOptions)> {
    let found = super::fetch_model(schema, stores)?;
    let bytes = found.bytes;
    if bytes.starts_with(&tandem_core::bundle::MAGIC) {
        let bundle = Bundle::from_bytes(&bytes).map_err(|e| super::core_error(&e.into()))?;
        return Ok((bundle.schema, bundle.metadata.read));
    }
    let schema: Schema = serde_json::from_slice(&bytes)
        .with_context(|| format!("invalid schema {}", found.source))?;
    schema.validate().map_err(|e| super::core_error(&e))?;
    Ok((schema, ReadOptions::default()))
}

/// Every record of the file, CSV or JSON Lines, each with its 1-based row (JSON Lines: line).
fn read_rows(schema: &Schema, path: &Path, read: &ReadOptions) -> Result<Records> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let jsonl = matches!(ext, "jsonl" | "ndjson") || looks_like_jsonl(&bytes);
    let rows = if jsonl {
        read_jsonl(schema, &bytes, read)
    } else {
        read_csv(schema, bytes.as_slice(), read).map(|r| ((1..=r.len()).collect(), r))
    };
    rows.map_err(|e| super::core_error(&e))
        .with_context(|| format!("{}", path.display()))
}

/// Run `tandem validate`.
pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    let (schema, trained_with) = load_schema(&args.schema, &args.store)?;
    let (numbers, rows) = read_rows(&schema, &args.data, &args.read.over(&trained_with))?;
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut out = std::io::stdout().lock();
    let mut report = |level: &str,
                      row: usize,
                      code: &str,
                      field: Option<&str>,
                      message: String|
     -> std::io::Result<()> {
        let message = message
            .strip_prefix(&format!("row {row}: "))
            .unwrap_or(&message)
            .to_string();
        if args.json {
            let line = json!({"level": level, "row": row, "code": code, "field": field, "message": message});
            writeln!(out, "{line}")
        } else {
            let f = field.map(|f| format!(" field `{f}`")).unwrap_or_default();
            writeln!(out, "{level}[{code}] row {row}{f}: {message}")
        }
    };
    for (r, &row) in rows.iter().zip(&numbers) {
        match r {
            Err(e) => {
                errors += 1;
                report("error", row, e.code(), e.field(), e.to_string())?;
            }
            Ok(inst) => {
                for (field, value) in schema.fields.iter().zip(&inst.values) {
                    match (field.kind, value) {
                        (FieldType::Category, Value::Text(s)) => {
                            if let Some(known) = &field.categories
                                && !known.iter().any(|k| k == s)
                            {
                                warnings += 1;
                                report(
                                    "warning",
                                    row,
                                    "UNKNOWN_CATEGORY",
                                    Some(&field.name),
                                    format!("{s:?} was not seen in training"),
                                )?;
                            }
                        }
                        (FieldType::Number | FieldType::Integer, Value::Number(x)) => {
                            // The runtime's rule (`Field::out_of_range`), so validate warns
                            // exactly where predict would.
                            if let Some((min, max)) = field.out_of_range(*x) {
                                warnings += 1;
                                report(
                                    "warning",
                                    row,
                                    "OUT_OF_RANGE",
                                    Some(&field.name),
                                    format!("{x} is outside the training range [{min}, {max}]"),
                                )?;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    eprintln!(
        "{} rows checked: {errors} with errors, {warnings} warnings",
        rows.len()
    );
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
