//! `tandem predict`'s pipeline, for a file as for a live stream: one thread reads rows (a CSV
//! record or a JSON line, not yet parsed), workers parse, predict and encode chunks of them,
//! and one thread writes the chunks back in input order. Memory is bounded by the chunks in
//! flight (a few per worker) whatever the input's size; a file uses every core.
//!
//! A live stream (`--input -`) goes one row per chunk and every chunk is flushed, so each
//! row's prediction is written as soon as the row has arrived. The first line decides the
//! input's format (a JSON object: JSON Lines; else a CSV header). A file output is written to
//! a temporary beside it and renamed into place at the end: a full disk, a kill or a broken
//! pipe never leaves a half-written file, nor an existing one truncated.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use tandem_core::prep::TransformOptions;
use tandem_core::read::{RawRow, ReadOptions, RowParser, RowStream, StreamFormat};
use tandem_core::{Error, Model, Prediction};
use tandem_sources::cell::Cell;
use tandem_sources::parquet_out::{Kind, ParquetWriter};
use tandem_tracking::local::AtomicFile;

use super::predict::{Outcome, csv_header, jsonl_row, write_csv_row};

/// Errors listed on stderr at the end (all of them are in the output).
const LISTED: usize = 20;

/// Rows per chunk for a file.
pub(crate) const FILE_CHUNK: usize = 4096;

/// Where the predictions go.
pub(crate) enum Sink {
    /// stdout.
    Stdout,
    /// A file, written to a temporary beside it and renamed into place at the end.
    File(PathBuf),
}

/// The output's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutFormat {
    /// A header row, then a record per input row.
    Csv,
    /// A JSON object per input row.
    JsonLines,
    /// A Parquet file (not to stdout).
    Parquet,
}

/// How a run reads and writes.
pub(crate) struct Settings<'a> {
    /// Where the predictions go.
    pub sink: Sink,
    /// The input's format when its name says it (else its first line decides).
    pub input_format: Option<StreamFormat>,
    /// The output's format (`None`: the input's, CSV or JSON Lines).
    pub format: Option<OutFormat>,
    /// How cells are written.
    pub read: &'a ReadOptions,
    /// Unknown categories and out-of-range values.
    pub options: TransformOptions,
    /// A live stream: a row per chunk, each flushed as it is written.
    pub live: bool,
}

/// A chunk's output, encoded by a worker.
enum Encoded {
    Bytes(Vec<u8>),
    Rows(Vec<Vec<Cell>>),
}

/// Score `input` into the sink.
pub(crate) fn run(model: &Model, input: impl BufRead, settings: Settings<'_>) -> Result<ExitCode> {
    let mut rows =
        RowStream::with_format(model.schema(), input, settings.read, settings.input_format)
            .map_err(|e| super::core_error(&e))?;
    let format = settings.format.unwrap_or(match rows.format() {
        StreamFormat::JsonLines => OutFormat::JsonLines,
        StreamFormat::Csv => OutFormat::Csv,
    });
    if format == OutFormat::Parquet && matches!(settings.sink, Sink::Stdout) {
        bail!("Parquet output needs a file: --output predictions.parquet");
    }
    let classes: Vec<String> = model
        .schema()
        .classes()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let (chunk, workers) = if settings.live {
        (1, 1)
    } else {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (FILE_CHUNK, cores.clamp(1, 8))
    };
    let parser = rows.parser();
    let job = Job {
        model,
        parser: &parser,
        classes: &classes,
        format,
        options: settings.options,
    };
    // Drawn only on a terminal, and not over predictions written to it.
    let progress = progress(settings.live || matches!(settings.sink, Sink::Stdout));
    let tally = std::thread::scope(|s| -> Result<Tally> {
        let (work_tx, work_rx) = sync_channel::<(usize, Vec<RawRow>)>(workers);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = channel::<(usize, Result<(Encoded, Tally)>)>();
        for _ in 0..workers {
            let (work_rx, done_tx, job) = (Arc::clone(&work_rx), done_tx.clone(), &job);
            s.spawn(move || {
                loop {
                    let next = work_rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|rx| rx.recv().map_err(|_| ()));
                    let Ok((seq, raws)) = next else { break };
                    if done_tx.send((seq, job.encode(raws))).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers hold the queue's receiver: when they stop (the writer failed), a
        // send fails instead of waiting forever.
        drop(work_rx);
        drop(done_tx);
        let writer = s.spawn(|| {
            let out = Out {
                sink: &settings.sink,
                format,
                classes: &classes,
                live: settings.live,
                progress: &progress,
            };
            write_ordered(done_rx, &out).map_err(|e| match &settings.sink {
                Sink::File(path) => e.context(format!("cannot write {}", path.display())),
                Sink::Stdout => e,
            })
        });
        let mut seq = 0;
        loop {
            let mut raws = Vec::with_capacity(chunk);
            while raws.len() < chunk {
                match rows.next_raw() {
                    Some(r) => raws.push(r),
                    None => break,
                }
            }
            let last = raws.len() < chunk;
            if !raws.is_empty() && work_tx.send((seq, raws)).is_err() {
                break; // the writer stopped: its error says why
            }
            seq += 1;
            if last {
                break;
            }
        }
        drop(work_tx);
        let written = writer
            .join()
            .map_err(|_| anyhow!("the writer thread panicked"));
        progress.finish_and_clear();
        written?
    })?;
    Ok(tally.summarize())
}

/// What a worker needs.
struct Job<'a, 's> {
    model: &'a Model,
    parser: &'a RowParser<'s, tandem_core::Schema>,
    classes: &'a [String],
    format: OutFormat,
    options: TransformOptions,
}

impl Job<'_, '_> {
    /// Parse, predict and encode one chunk.
    fn encode(&self, raws: Vec<RawRow>) -> Result<(Encoded, Tally)> {
        let (numbers, parsed): (Vec<usize>, Vec<_>) =
            raws.into_iter().map(|r| self.parser.parse(r)).unzip();
        let predicted = self
            .model
            .predict_batch_warned(&parsed, self.options)
            .map_err(|e| super::core_error(&e))?;
        let mut tally = Tally::default();
        let mut bytes = Vec::new();
        let mut cells = Vec::new();
        let mut csv = csv::Writer::from_writer(Vec::with_capacity(64 * numbers.len()));
        let mut buf = String::new();
        for (row, (result, warnings)) in numbers.into_iter().zip(predicted) {
            let outcome = Outcome {
                row,
                result: result.map_err(|e| if e.row().is_none() { e.at_row(row) } else { e }),
                warnings,
            };
            match self.format {
                OutFormat::Csv => write_csv_row(&mut csv, self.classes, &outcome, &mut buf)?,
                OutFormat::JsonLines => writeln!(bytes, "{}", jsonl_row(&outcome))?,
                OutFormat::Parquet => cells.push(parquet_row(self.classes, &outcome)),
            }
            tally.add(&outcome);
        }
        let encoded = match self.format {
            OutFormat::Csv => {
                Encoded::Bytes(csv.into_inner().map_err(|e| anyhow!("{}", e.error()))?)
            }
            OutFormat::JsonLines => Encoded::Bytes(bytes),
            OutFormat::Parquet => Encoded::Rows(cells),
        };
        Ok((encoded, tally))
    }
}

/// The Parquet output's columns: as the CSV's, with numbers as numbers.
fn parquet_columns(model_classes: &[String], regression: bool) -> Vec<(String, Kind)> {
    let mut c = vec![
        ("row".to_string(), Kind::Int),
        (
            "prediction".to_string(),
            if regression { Kind::Float } else { Kind::Text },
        ),
    ];
    c.extend(
        model_classes
            .iter()
            .map(|k| (format!("probability_{k}"), Kind::Float)),
    );
    c.extend(
        ["error_code", "error_field", "error", "warnings"].map(|n| (n.to_string(), Kind::Text)),
    );
    c
}

fn parquet_row(classes: &[String], o: &Outcome) -> Vec<Cell> {
    let text = |s: String| {
        if s.is_empty() {
            Cell::Null
        } else {
            Cell::Text(s)
        }
    };
    let mut row = vec![Cell::Int(i64::try_from(o.row).unwrap_or(i64::MAX))];
    match &o.result {
        Ok(Prediction::Class {
            label,
            probabilities,
        }) => {
            row.push(Cell::Text(label.clone()));
            row.extend(
                classes
                    .iter()
                    .map(|c| probabilities.get(c).map_or(Cell::Null, |p| Cell::Float(*p))),
            );
            row.extend([Cell::Null, Cell::Null, Cell::Null]);
        }
        Ok(Prediction::Value { value }) => {
            row.push(Cell::Float(*value));
            row.extend([Cell::Null, Cell::Null, Cell::Null]);
        }
        Err(e) => {
            row.push(Cell::Null);
            row.extend(classes.iter().map(|_| Cell::Null));
            row.push(Cell::Text(e.code().to_string()));
            row.push(e.field().map_or(Cell::Null, |f| Cell::Text(f.to_string())));
            row.push(Cell::Text(e.to_string()));
        }
    }
    let warnings: Vec<String> = o
        .warnings
        .iter()
        .map(|w| format!("{}:{}", w.code, w.field))
        .collect();
    row.push(text(warnings.join(" ")));
    row
}

/// Where encoded chunks are written.
enum Writer {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(AtomicFile),
    Parquet(Box<ParquetWriter<AtomicFile>>),
}

impl Writer {
    fn bytes(&mut self) -> Option<&mut dyn Write> {
        match self {
            Writer::Stdout(w) => Some(w),
            Writer::File(w) => Some(w),
            Writer::Parquet(_) => None,
        }
    }
}

/// Rows answered and their rate on the terminal while a file streams into a file (drawn
/// only when stderr is a terminal, cleared at the end); `hidden` draws nothing.
fn progress(hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} rows answered  {msg}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Where and how the output goes.
struct Out<'a> {
    sink: &'a Sink,
    format: OutFormat,
    classes: &'a [String],
    live: bool,
    progress: &'a ProgressBar,
}

/// Write the chunks in input order as they come back from the workers; the tally of them.
fn write_ordered(done: Receiver<(usize, Result<(Encoded, Tally)>)>, o: &Out<'_>) -> Result<Tally> {
    let (sink, format, classes, live) = (o.sink, o.format, o.classes, o.live);
    let file = |path: &Path| {
        AtomicFile::create(path).with_context(|| format!("cannot write {}", path.display()))
    };
    let mut out = match (sink, format) {
        (Sink::File(path), OutFormat::Parquet) => {
            // A classification's prediction is a class; anything else is a value.
            let regression = classes.is_empty();
            Writer::Parquet(Box::new(
                ParquetWriter::new(
                    file(path)?,
                    &path.display().to_string(),
                    &parquet_columns(classes, regression),
                )
                .map_err(|e| anyhow!("[{}] {e}", e.code()))?,
            ))
        }
        (Sink::File(path), _) => Writer::File(file(path)?),
        (Sink::Stdout, _) => Writer::Stdout(std::io::BufWriter::new(std::io::stdout())),
    };
    if let (Some(w), OutFormat::Csv) = (out.bytes(), format) {
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(csv_header(classes))?;
        w.write_all(&header.into_inner().map_err(|e| anyhow!("{}", e.error()))?)?;
        w.flush()?;
    }
    let mut tally = Tally::default();
    let mut pending = BTreeMap::new();
    let mut next = 0;
    for (seq, chunk) in done {
        pending.insert(seq, chunk?);
        while let Some((encoded, part)) = pending.remove(&next) {
            match (&mut out, encoded) {
                (Writer::Parquet(p), Encoded::Rows(rows)) => {
                    p.write(&rows).map_err(|e| anyhow!("[{}] {e}", e.code()))?;
                }
                (w, Encoded::Bytes(b)) => {
                    let w = w
                        .bytes()
                        .ok_or_else(|| anyhow!("bytes for a Parquet file"))?;
                    w.write_all(&b)?;
                    if live {
                        w.flush()?;
                    }
                }
                _ => bail!("an encoded chunk of the wrong format"),
            }
            o.progress.inc(part.rows() as u64);
            let secs = o.progress.elapsed().as_secs_f64().max(1e-3);
            o.progress
                .set_message(format!("{:.0} rows/s", o.progress.position() as f64 / secs));
            tally.merge(part);
            next += 1;
        }
    }
    // Dropped on an error above: the temporary file is removed, an existing output stays.
    match out {
        Writer::Stdout(mut w) => w.flush()?,
        Writer::File(f) => f.commit()?,
        Writer::Parquet(p) => p
            .finish()
            .map_err(|e| anyhow!("[{}] {e}", e.code()))?
            .commit()?,
    }
    Ok(tally)
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

    /// Rows answered (scored or rejected).
    fn rows(&self) -> usize {
        self.scored + self.rejected
    }

    /// Add a later chunk's counts (its errors after these).
    fn merge(&mut self, later: Tally) {
        self.scored += later.scored;
        self.warned += later.warned;
        self.rejected += later.rejected;
        let room = LISTED.saturating_sub(self.errors.len());
        self.errors.extend(later.errors.into_iter().take(room));
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
