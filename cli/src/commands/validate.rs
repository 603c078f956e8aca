//! `tandem validate`: check a CSV file against a schema (a schema JSON file or a bundle) and
//! report every row that breaks it. Type, missing-value and CSV errors are errors (exit 2);
//! categories and values outside what training saw are reported as warnings, since the
//! runtime accepts them (unknown slot, extrapolation).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use tandem_core::schema::{FieldType, Schema};
use tandem_core::{Bundle, Value};

use super::StoreArgs;

/// Arguments of `tandem validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// A schema JSON file, or a model whose schema to use (every model form below).
    #[arg(long)]
    schema: String,
    /// The CSV file to check.
    #[arg(long)]
    data: PathBuf,
    /// Print the report as JSON Lines.
    #[arg(long)]
    json: bool,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
}

fn load_schema(schema: &str, stores: &StoreArgs) -> Result<Schema> {
    let found = super::fetch_model(schema, stores)?;
    let bytes = found.bytes;
    if bytes.starts_with(&tandem_core::bundle::MAGIC) {
        let bundle = Bundle::from_bytes(&bytes).map_err(|e| super::core_error(&e.into()))?;
        return Ok(bundle.schema);
    }
    let schema: Schema = serde_json::from_slice(&bytes)
        .with_context(|| format!("invalid schema {}", found.source))?;
    schema.validate().map_err(|e| super::core_error(&e))?;
    Ok(schema)
}

/// Run `tandem validate`.
pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    let schema = load_schema(&args.schema, &args.store)?;
    let file = std::fs::File::open(&args.data)
        .with_context(|| format!("cannot open {}", args.data.display()))?;
    let rows = tandem_core::instance::read_csv(&schema, file).map_err(|e| super::core_error(&e))?;
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
    for (i, r) in rows.iter().enumerate() {
        let row = i + 1;
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
