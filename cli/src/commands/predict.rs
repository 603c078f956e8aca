//! `tandem predict`: raw instances from a CSV or JSON Lines file → predictions.
//!
//! Every input row gets an output row: a prediction, or a structured error (code, field,
//! message). Nothing is dropped silently; the exit code is 2 when any row was rejected.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;
use tandem_core::prep::TransformOptions;
use tandem_core::schema::FieldSet;
use tandem_core::{Error, Instance, Model, Prediction};

use tandem_core::read::sniff::looks_like_jsonl;
use tandem_core::read::{ReadOptions, read_csv, read_jsonl};

use super::StoreArgs;
use super::predict_stream;
use super::read_args::ReadArgs;

/// Arguments of `tandem predict`.
#[derive(Args)]
pub struct PredictArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...` (every form below).
    #[arg(long)]
    model: String,
    /// Input: CSV (header row; `,` `;` tab or `|`) or JSON Lines (one JSON object per line;
    /// `.jsonl` / `.ndjson`, or recognised by content); `-` reads stdin as a stream, each row
    /// predicted and written as soon as it arrives.
    #[arg(long)]
    input: PathBuf,
    /// Output: `.csv` or `.jsonl`; `-` writes to stdout (CSV; with `--input -`, the input's
    /// format).
    #[arg(long, default_value = "-")]
    output: PathBuf,
    /// The output's format instead of the one `--output` implies: `csv` or `jsonl`.
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "jsonl"])]
    output_format: Option<String>,
    /// Unknown categories and out-of-range numbers.
    #[command(flatten)]
    transform: super::transform_args::TransformArgs,
    /// How the input writes its cells; by default as the model's training data was read.
    #[command(flatten)]
    read: ReadArgs,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

enum Format {
    Csv,
    JsonLines,
}

fn format_of(path: &Path) -> Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl" | "ndjson") => Ok(Format::JsonLines),
        _ if path == Path::new("-") => Ok(Format::Csv),
        _ => bail!(
            "{}: unknown format (use .csv, .jsonl or .ndjson)",
            path.display()
        ),
    }
}

/// Input records: each one's row number (CSV: data row; JSON Lines: line, blank lines
/// skipped) and the parsed instance or why it was rejected.
type Records = (Vec<usize>, Vec<Result<Instance, Error>>);

/// Read every record of the input file, CSV or JSON Lines (by extension, else by content).
pub(crate) fn read_instances<S: FieldSet + ?Sized>(
    schema: &S,
    path: &Path,
    options: &ReadOptions,
) -> Result<Records> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))?;
    let jsonl = matches!(format_of(path), Ok(Format::JsonLines)) || looks_like_jsonl(&bytes);
    let read = if jsonl {
        read_jsonl(schema, &bytes, options)
    } else {
        read_csv(schema, bytes.as_slice(), options).map(|rows| ((1..=rows.len()).collect(), rows))
    };
    read.map_err(|e| super::core_error(&e))
        .with_context(|| format!("{}", path.display()))
}

/// One input row's outcome: its 1-based row, the prediction or why it was rejected, and
/// what did not stop it (out-of-range values, unknown categories).
pub(crate) struct Outcome {
    pub(crate) row: usize,
    pub(crate) result: Result<Prediction, Error>,
    pub(crate) warnings: Vec<tandem_core::runtime::Warning>,
}

/// Read `input` (with `read`) and predict every row with `options`: what `tandem predict`
/// writes and what `tandem validate` reports, by the same code.
pub(crate) fn outcomes(
    model: &Model,
    input: &Path,
    read: &ReadOptions,
    options: TransformOptions,
) -> Result<Vec<Outcome>> {
    let (rows, instances) = read_instances(model.schema(), input, read)?;
    let results = model
        .predict_batch(&instances, options)
        .map_err(|e| super::core_error(&e))?;
    Ok(results
        .into_iter()
        .zip(&instances)
        .zip(rows)
        .map(|((result, inst), row)| Outcome {
            row,
            warnings: match (inst, &result) {
                (Ok(inst), Ok(_)) => model.warnings(inst, options),
                _ => Vec::new(),
            },
            // Errors found while predicting (unknown category, out of range) learn their row.
            result: result.map_err(|e| if e.row().is_none() { e.at_row(row) } else { e }),
        })
        .collect())
}

/// Run `tandem predict`.
pub fn run(args: PredictArgs) -> Result<ExitCode> {
    check_not_input(&args.input, &args.output)?;
    let (model, _) = super::load_model(
        &args.model,
        &args.store,
        &args.key.load_options(args.store.load_options())?,
    )?;
    let options = args.transform.options();
    let read = args.read.over(&model.metadata().read);
    let jsonl = args.output_format.as_deref().map(|f| f == "jsonl");
    if args.input == Path::new("-") {
        let sink = if args.output == Path::new("-") {
            predict_stream::Sink::Stdout
        } else {
            predict_stream::Sink::File(args.output.clone())
        };
        // The format first: an unknown extension must not replace an existing file.
        let jsonl = match (jsonl, args.output == Path::new("-")) {
            (Some(j), _) => Some(j),
            (None, true) => None,
            (None, false) => Some(matches!(format_of(&args.output)?, Format::JsonLines)),
        };
        let stdin = std::io::stdin().lock();
        return predict_stream::run(&model, stdin, sink, jsonl, &read, options, 1);
    }
    let input = super::data_file(&args.input)?;
    let outcomes = outcomes(&model, &input, &read, options)?;
    let classes: Vec<String> = model
        .schema()
        .classes()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    // The format first: an unknown extension must not truncate an existing file.
    let format = match jsonl {
        Some(true) => Format::JsonLines,
        Some(false) => Format::Csv,
        None => format_of(&args.output)?,
    };
    let mut out = Vec::new();
    match format {
        Format::Csv => write_csv(&mut out, &classes, &outcomes)?,
        Format::JsonLines => write_jsonl(&mut out, &outcomes)?,
    }
    if args.output == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
    } else {
        // A temp file beside the output, renamed into place once complete: a full disk or a
        // kill never leaves a half-written file (nor an existing one truncated).
        tandem_tracking::local::write_atomic(&args.output, &out)
            .with_context(|| format!("cannot write {}", args.output.display()))?;
    }
    Ok(summarize(&outcomes))
}

/// Refuse an output path that is the input file (or a link to it): writing it would destroy
/// the data being predicted.
fn check_not_input(input: &Path, output: &Path) -> Result<()> {
    if output == Path::new("-") {
        return Ok(());
    }
    let same_path = matches!(
        (std::fs::canonicalize(input), std::fs::canonicalize(output)),
        (Ok(a), Ok(b)) if a == b
    );
    #[cfg(unix)]
    let same_file = {
        use std::os::unix::fs::MetadataExt;
        matches!(
            (std::fs::metadata(input), std::fs::metadata(output)),
            (Ok(a), Ok(b)) if (a.dev(), a.ino()) == (b.dev(), b.ino())
        )
    };
    #[cfg(not(unix))]
    let same_file = false;
    if same_path || same_file {
        bail!(
            "--output {} is the input file: refusing to overwrite the data being predicted \
             (write the predictions to another file)",
            output.display()
        );
    }
    Ok(())
}

/// One CSV row per input row: the prediction, each class's probability, the error, the
/// warnings.
fn write_csv(sink: &mut dyn Write, classes: &[String], outcomes: &[Outcome]) -> Result<()> {
    let mut w = csv::Writer::from_writer(sink);
    w.write_record(csv_header(classes))?;
    for o in outcomes {
        w.write_record(csv_row(classes, o))?;
    }
    w.flush()?;
    Ok(())
}

/// The header of the CSV output.
pub(crate) fn csv_header(classes: &[String]) -> Vec<String> {
    let mut header = vec!["row".to_string(), "prediction".to_string()];
    header.extend(classes.iter().map(|c| format!("probability_{c}")));
    header.extend(["error_code", "error_field", "error", "warnings"].map(String::from));
    header
}

/// One row's CSV record.
pub(crate) fn csv_row(classes: &[String], o: &Outcome) -> Vec<String> {
    let mut rec = vec![o.row.to_string()];
    match &o.result {
        Ok(Prediction::Class {
            label,
            probabilities,
        }) => {
            rec.push(label.clone());
            rec.extend(classes.iter().map(|c| {
                probabilities
                    .get(c)
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            }));
            rec.extend([String::new(), String::new(), String::new()]);
        }
        Ok(Prediction::Value { value }) => {
            rec.push(value.to_string());
            rec.extend([String::new(), String::new(), String::new()]);
        }
        Err(e) => {
            rec.push(String::new());
            rec.extend(classes.iter().map(|_| String::new()));
            rec.push(e.code().to_string());
            rec.push(e.field().unwrap_or("").to_string());
            rec.push(e.to_string());
        }
    }
    let warnings: Vec<String> = o
        .warnings
        .iter()
        .map(|w| format!("{}:{}", w.code, w.field))
        .collect();
    rec.push(warnings.join(" "));
    rec
}

/// One JSON object per input row.
fn write_jsonl(sink: &mut dyn Write, outcomes: &[Outcome]) -> Result<()> {
    for o in outcomes {
        writeln!(sink, "{}", jsonl_row(o))?;
    }
    Ok(())
}

/// One row's JSON Lines object.
pub(crate) fn jsonl_row(o: &Outcome) -> serde_json::Value {
    match &o.result {
        Ok(p) if o.warnings.is_empty() => json!({ "row": o.row, "prediction": p }),
        Ok(p) => json!({ "row": o.row, "prediction": p, "warnings": o.warnings }),
        Err(e) => json!({ "row": o.row, "error": {
            "code": e.code(), "field": e.field(), "message": e.to_string() } }),
    }
}

/// Counts and the first errors on stderr, as a stream's (one tally for both); exit 2 when
/// any row was rejected.
fn summarize(outcomes: &[Outcome]) -> ExitCode {
    let mut tally = predict_stream::Tally::default();
    for o in outcomes {
        tally.add(o);
    }
    tally.summarize()
}
