//! `tandem predict`: raw instances from a CSV or JSON Lines file → predictions.
//!
//! Every input row gets an output row: a prediction, or a structured error (code, field,
//! message). Nothing is dropped silently; the exit code is 2 when any row was rejected.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;
use tandem_core::prep::TransformOptions;
use tandem_core::schema::FieldSet;
use tandem_core::{Error, Instance, Model, Prediction};

use tandem_core::read::ReadOptions;

use super::StoreArgs;
use super::predict_stream::{self, OutFormat};
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
    /// Output: `.csv`, `.jsonl` or `.parquet`; `-` writes to stdout (CSV; with `--input -`,
    /// the input's format).
    #[arg(long, default_value = "-")]
    output: PathBuf,
    /// The output's format instead of the one `--output` implies: `csv`, `jsonl` or
    /// `parquet` (to a file).
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "jsonl", "parquet"])]
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

/// Whether a file's name says JSON Lines (`.jsonl`, `.ndjson`): then it is read as such
/// whatever its first line holds.
pub(crate) fn jsonl_by_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// The output format `--output` implies (by extension), `None` for stdout.
fn output_format(path: &Path) -> Result<Option<OutFormat>> {
    if path == Path::new("-") {
        return Ok(None);
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Some(OutFormat::Csv)),
        Some("jsonl" | "ndjson") => Ok(Some(OutFormat::JsonLines)),
        Some("parquet" | "pq") => Ok(Some(OutFormat::Parquet)),
        _ => bail!(
            "{}: unknown format (use .csv, .jsonl, .ndjson or .parquet)",
            path.display()
        ),
    }
}

/// Input records: each one's row number (CSV: data row; JSON Lines: line, blank lines
/// skipped) and the parsed instance or why it was rejected.
type Records = (Vec<usize>, Vec<Result<Instance, Error>>);

/// Read every record of the input file, CSV or JSON Lines (decided by its first line), with
/// the rules of a stream: a row that cannot be read (a ragged record, a line that is not
/// UTF-8) is that row's error, and the rows around it still read.
pub(crate) fn read_instances<S: FieldSet + ?Sized>(
    schema: &S,
    path: &Path,
    options: &ReadOptions,
) -> Result<Records> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let format = jsonl_by_name(path).then_some(tandem_core::read::StreamFormat::JsonLines);
    let mut rows = tandem_core::read::RowStream::with_format(
        schema,
        std::io::BufReader::new(file),
        options,
        format,
    )
    .map_err(|e| super::core_error(&e))
    .with_context(|| format!("{}", path.display()))?;
    Ok(std::iter::from_fn(|| rows.next_row()).unzip())
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
    // The format first: an unknown extension must not replace an existing file.
    let format = match args.output_format.as_deref() {
        Some("jsonl") => Some(OutFormat::JsonLines),
        Some("parquet") => Some(OutFormat::Parquet),
        Some(_) => Some(OutFormat::Csv),
        None => output_format(&args.output)?,
    };
    let sink = if args.output == Path::new("-") {
        predict_stream::Sink::Stdout
    } else {
        predict_stream::Sink::File(args.output.clone())
    };
    if args.input == Path::new("-") {
        let settings = predict_stream::Settings {
            sink,
            input_format: None,
            format,
            read: &read,
            options,
            live: true,
        };
        return predict_stream::run(&model, std::io::stdin().lock(), settings);
    }
    let input = super::data_file(&args.input)?;
    let file = std::fs::File::open(input.path())
        .with_context(|| format!("cannot open {}", args.input.display()))?;
    let settings = predict_stream::Settings {
        sink,
        input_format: jsonl_by_name(input.path())
            .then_some(tandem_core::read::StreamFormat::JsonLines),
        // A file's predictions go to stdout as CSV unless asked otherwise.
        format: format.or(Some(OutFormat::Csv)),
        read: &read,
        options,
        live: false,
    };
    predict_stream::run(
        &model,
        std::io::BufReader::with_capacity(1 << 20, file),
        settings,
    )
    .with_context(|| args.input.display().to_string())
}

/// Refuse an output path that is the input file (or a link to it): writing it would destroy
/// the data being predicted.
fn check_not_input(input: &Path, output: &Path) -> Result<()> {
    if output == Path::new("-") {
        return Ok(());
    }
    // `old.csv#encoding=latin1` reads old.csv.
    let text = input.to_string_lossy();
    let input = match tandem_sources::dialect::split_options(&text) {
        Ok((path, _)) => std::path::PathBuf::from(path),
        Err(_) => input.to_path_buf(),
    };
    let input = input.as_path();
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

/// The header of the CSV output.
pub(crate) fn csv_header(classes: &[String]) -> Vec<String> {
    let mut header = vec!["row".to_string(), "prediction".to_string()];
    header.extend(classes.iter().map(|c| format!("probability_{c}")));
    header.extend(["error_code", "error_field", "error", "warnings"].map(String::from));
    header
}

/// One row's CSV record, written into `csv` field by field (`buf`: reused for numbers) with
/// no allocation per cell: the output of a large batch is written as fast as it is scored.
pub(crate) fn write_csv_row<W: std::io::Write>(
    csv: &mut csv::Writer<W>,
    classes: &[String],
    o: &Outcome,
    buf: &mut String,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    let mut number = |csv: &mut csv::Writer<W>, x: &dyn std::fmt::Display| {
        buf.clear();
        // Writing into a String cannot fail.
        let _ = write!(buf, "{x}");
        csv.write_field(buf.as_bytes())
    };
    number(csv, &o.row)?;
    match &o.result {
        Ok(Prediction::Class {
            label,
            probabilities,
        }) => {
            csv.write_field(label)?;
            for c in classes {
                match probabilities.get(c) {
                    Some(p) => number(csv, p)?,
                    None => csv.write_field("")?,
                }
            }
            for _ in 0..3 {
                csv.write_field("")?;
            }
        }
        Ok(Prediction::Value { value }) => {
            number(csv, value)?;
            for _ in 0..3 {
                csv.write_field("")?;
            }
        }
        Err(e) => {
            csv.write_field("")?;
            for _ in classes {
                csv.write_field("")?;
            }
            csv.write_field(e.code())?;
            csv.write_field(e.field().unwrap_or(""))?;
            csv.write_field(e.to_string())?;
        }
    }
    buf.clear();
    for (k, w) in o.warnings.iter().enumerate() {
        if k > 0 {
            buf.push(' ');
        }
        buf.push_str(w.code);
        buf.push(':');
        buf.push_str(&w.field);
    }
    csv.write_field(buf.as_bytes())?;
    csv.write_record(None::<&[u8]>)
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
