//! `tandem predict --input -`: rows read from stdin one at a time and each prediction written
//! (and flushed) as soon as its row has arrived, so a live stream is scored as it comes, in
//! memory bounded by one row whatever the stream's length. The first line decides the input
//! format (a JSON object: JSON Lines; else a CSV header); stdout gets the same format unless
//! `--output-format` says, and a file output is written as the rows come and renamed into
//! place at the end.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use tandem_core::prep::TransformOptions;
use tandem_core::read::{ReadOptions, RowStream, StreamFormat};
use tandem_core::{Error, Model};

use super::predict::{Outcome, csv_header, csv_row, jsonl_row};

/// Errors listed on stderr at the end (all of them are in the output).
const LISTED: usize = 20;

/// Where the predictions go, and in which format.
pub(crate) enum Sink {
    /// stdout, flushed after every row.
    Stdout,
    /// A file, written as rows come to a temporary beside it, renamed into place at the end.
    File(std::path::PathBuf),
}

/// Score `input` into `sink`, `chunk` rows per batch through the network (1 for a live
/// stream: each row answered as it arrives; more for a file, in memory bounded by the chunk);
/// `jsonl`: the output format (`None`: the input's).
pub(crate) fn run(
    model: &Model,
    input: impl BufRead,
    sink: Sink,
    jsonl: Option<bool>,
    read: &ReadOptions,
    options: TransformOptions,
    chunk: usize,
) -> Result<ExitCode> {
    let mut rows =
        RowStream::new(model.schema(), input, read).map_err(|e| super::core_error(&e))?;
    let jsonl = jsonl.unwrap_or(rows.format() == StreamFormat::JsonLines);
    let classes: Vec<String> = model
        .schema()
        .classes()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let (mut out, temp): (Box<dyn Write>, Option<std::path::PathBuf>) = match &sink {
        Sink::Stdout => (Box::new(std::io::stdout().lock()), None),
        Sink::File(path) => {
            let temp = temporary(path);
            let file = std::fs::File::create(&temp)
                .with_context(|| format!("cannot write {}", temp.display()))?;
            (Box::new(std::io::BufWriter::new(file)), Some(temp))
        }
    };
    let mut tally = Tally::default();
    let written = write_all(
        model, &mut rows, &mut out, &sink, jsonl, &classes, options, chunk, &mut tally,
    )
    .and_then(|()| Ok(out.flush()?));
    drop(out);
    match (written, temp, &sink) {
        (Ok(()), Some(temp), Sink::File(path)) => std::fs::rename(&temp, path)
            .with_context(|| format!("cannot write {}", path.display()))?,
        // A full disk or a broken pipe: no half-written file is left behind.
        (Err(e), Some(temp), Sink::File(path)) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e.context(format!("cannot write {}", path.display())));
        }
        (Err(e), _, _) => return Err(e),
        (Ok(()), _, _) => {}
    }
    Ok(tally.summarize())
}

/// Rows predicted, warned and rejected, and the first errors (the output holds all of them).
#[derive(Default)]
pub(crate) struct Tally {
    scored: usize,
    warned: usize,
    rejected: usize,
    errors: Vec<Error>,
}

impl Tally {
    /// Count one row's outcome.
    pub(crate) fn add(&mut self, outcome: &Outcome) {
        if !outcome.warnings.is_empty() {
            self.warned += 1;
        }
        match &outcome.result {
            Ok(_) => self.scored += 1,
            Err(e) => {
                self.rejected += 1;
                if self.errors.len() < LISTED {
                    self.errors.push(e.clone());
                }
            }
        }
    }

    /// Counts and the first errors on stderr; exit 2 when any row was rejected.
    pub(crate) fn summarize(&self) -> ExitCode {
        if self.warned > 0 {
            eprintln!(
                "{} rows have warnings: values outside the training range or categories \
                 not seen in training (see `warnings`)",
                self.warned
            );
        }
        if self.rejected == 0 {
            eprintln!("{} rows predicted", self.scored);
            return ExitCode::SUCCESS;
        }
        for e in &self.errors {
            let field = e
                .field()
                .map(|f| format!(" (field `{f}`)"))
                .unwrap_or_default();
            eprintln!("error[{}]{field}: {e}", e.code());
        }
        if self.rejected > self.errors.len() {
            eprintln!("... and {} more", self.rejected - self.errors.len());
        }
        eprintln!(
            "{} rows predicted, {} rejected (their errors are in the output)",
            self.scored, self.rejected
        );
        ExitCode::from(2)
    }
}

/// Every row of `rows`, predicted and written to `out` as it comes.
#[allow(clippy::too_many_arguments)]
fn write_all<S: tandem_core::schema::FieldSet + ?Sized, R: BufRead>(
    model: &Model,
    rows: &mut RowStream<'_, S, R>,
    out: &mut Box<dyn Write>,
    sink: &Sink,
    jsonl: bool,
    classes: &[String],
    options: TransformOptions,
    chunk: usize,
    tally: &mut Tally,
) -> Result<()> {
    if !jsonl {
        out.write_all(&record(csv_header(classes))?)?;
        out.flush()?;
    }
    let stdout = matches!(sink, Sink::Stdout);
    let mut batch: Vec<(usize, Result<tandem_core::Instance, Error>)> = Vec::with_capacity(chunk);
    loop {
        let next = rows.next_row();
        let done = next.is_none();
        batch.extend(next);
        if batch.len() < chunk.max(1) && !done {
            continue;
        }
        let (numbers, parsed): (Vec<usize>, Vec<_>) = batch.drain(..).unzip();
        let predicted = model
            .predict_batch(&parsed, options)
            .map_err(|e| super::core_error(&e))?;
        for ((row, parsed), result) in numbers.into_iter().zip(&parsed).zip(predicted) {
            let warnings = match (parsed, &result) {
                (Ok(x), Ok(_)) => model.warnings(x, options),
                _ => Vec::new(),
            };
            let outcome = Outcome {
                row,
                result: result.map_err(|e| if e.row().is_none() { e.at_row(row) } else { e }),
                warnings,
            };
            if jsonl {
                writeln!(out, "{}", jsonl_row(&outcome))?;
            } else {
                out.write_all(&record(csv_row(classes, &outcome))?)?;
            }
            tally.add(&outcome);
        }
        if stdout {
            out.flush()?;
        }
        if done {
            break;
        }
    }
    Ok(())
}

/// One CSV record's bytes, quoted as the whole-file output quotes them.
fn record(cells: Vec<String>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells)?;
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}

/// A temporary file beside `path` for writing it as rows come.
fn temporary(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map_or_else(
        || "predictions".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
