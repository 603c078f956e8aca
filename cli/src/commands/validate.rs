//! `tandem validate`: check a data file against a model (a bundle, `runs:/`, `models:/`) or
//! a bare schema JSON file, and report every row that breaks it.
//!
//! With a model, validate reports exactly what `tandem predict` would with the same
//! `--strict` / `--range`: its errors (exit 2) and its warnings (unknown categories, numbers
//! outside the training range), by the same code. With a bare schema there are no nodes, so
//! it checks types and nullability and warns where the recorded categories and ranges say
//! predict would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use tandem_core::prep::UnknownCategory;
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::runtime::{Warning, out_of_range};
use tandem_core::schema::{FieldType, InstanceSchema};
use tandem_core::{Instance, Value};

use tandem_core::read::ReadOptions;

use super::StoreArgs;
use super::predict::Outcome;
use super::read_args::ReadArgs;

/// Arguments of `tandem validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// A model (every model form below) or a schema JSON file.
    #[arg(long)]
    schema: String,
    /// The file to check: `.csv` (header row) or `.jsonl` / `.ndjson`.
    #[arg(long)]
    data: PathBuf,
    /// How the file writes its cells; with a model, by default as its training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Print the report as JSON Lines.
    #[arg(long)]
    json: bool,
    /// Unknown categories and out-of-range numbers, as `tandem predict`.
    #[command(flatten)]
    transform: super::transform_args::TransformArgs,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// Run `tandem validate`.
pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    let options = args.transform.options();
    let data = super::data_file(&args.data)?;
    let found = super::fetch_model(&args.schema, &args.store)?;
    let outcomes = if found.bytes.starts_with(&tandem_core::bundle::MAGIC) {
        let load = args.key.load_options(args.store.load_options())?;
        let model = tandem_core::Model::load_options(&found.bytes, &load)
            .map_err(|e| super::core_error(&e))
            .with_context(|| format!("cannot load model {}", found.source))?;
        let read = args.read.over(&model.metadata().read);
        super::predict::outcomes(&model, &data, &read, options)?
    } else {
        // Fields alone (the etl_app's contract) or a model's schema with its label.
        let schema: InstanceSchema = serde_json::from_slice(&found.bytes)
            .with_context(|| format!("invalid schema {}", found.source))?;
        schema.validate().map_err(|e| super::core_error(&e))?;
        let read = args.read.over(&ReadOptions::default());
        schema_outcomes(&schema, &data, &read, options)?
    };
    report(&outcomes, args.json)
}

/// Without a model: parse each row and warn as the runtime would from the schema's record of
/// training (categories, ranges); errors as predict gives them for those findings.
fn schema_outcomes(
    schema: &InstanceSchema,
    data: &Path,
    read: &ReadOptions,
    options: TransformOptions,
) -> Result<Vec<Outcome>> {
    let (rows, instances) = super::predict::read_instances(schema, data, read)?;
    Ok(rows
        .into_iter()
        .zip(instances)
        .map(|(row, r)| {
            let (result, warnings) = match r {
                Err(e) => (Err(e), Vec::new()),
                Ok(inst) => (Ok(()), schema_warnings(schema, &inst, options)),
            };
            Outcome {
                row,
                result: result.map(|()| tandem_core::Prediction::Value { value: 0.0 }),
                warnings,
            }
        })
        .collect())
}

fn schema_warnings(
    schema: &InstanceSchema,
    inst: &Instance,
    options: TransformOptions,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (field, value) in schema.fields.iter().zip(&inst.values) {
        match (field.kind, value) {
            (FieldType::Category, Value::Text(s)) if !options.strict_categories => {
                if let Some(known) = &field.categories
                    && !known.iter().any(|k| k == s)
                {
                    // The runtime's wording, from the categories the schema recorded.
                    let unknown = UnknownCategory {
                        field: field.name.clone(),
                        feature: field.name.clone(),
                        value: s.clone(),
                        known: known.clone(),
                    };
                    out.push(Warning {
                        code: "UNKNOWN_CATEGORY",
                        message: unknown.describe(),
                        field: unknown.field,
                    });
                }
            }
            (FieldType::Number | FieldType::Integer, Value::Number(x))
                if options.range != RangePolicy::Error =>
            {
                if let Some(range) = field.out_of_range(*x) {
                    let clip = options.range == RangePolicy::Clip;
                    out.push(out_of_range(&field.name, *x, range, clip));
                }
            }
            _ => {}
        }
    }
    out
}

/// One line per error and per warning; exit 2 when any row has an error.
fn report(outcomes: &[Outcome], json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut line = |level: &str, row: usize, code: &str, field: Option<&str>, message: String| {
        let message = message
            .strip_prefix(&format!("row {row}: "))
            .unwrap_or(&message)
            .to_string();
        if json {
            let l = json!({"level": level, "row": row, "code": code, "field": field, "message": message});
            writeln!(out, "{l}")
        } else {
            let f = field.map(|f| format!(" field `{f}`")).unwrap_or_default();
            writeln!(out, "{level}[{code}] row {row}{f}: {message}")
        }
    };
    for o in outcomes {
        if let Err(e) = &o.result {
            errors += 1;
            line("error", o.row, e.code(), e.field(), e.to_string())?;
        }
        for w in &o.warnings {
            warnings += 1;
            line("warning", o.row, w.code, Some(&w.field), w.message.clone())?;
        }
    }
    eprintln!(
        "{} rows checked: {errors} with errors, {warnings} warnings",
        outcomes.len()
    );
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
