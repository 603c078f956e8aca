//! Rows read one at a time from a stream (stdin, a pipe, a file larger than memory): each row
//! is parsed as soon as its line has arrived, so a live stream is scored as it comes. The first
//! line decides the format: a JSON object starts JSON Lines, anything else is a CSV header
//! (its delimiter from the options, or sniffed from the header line alone). The same cell
//! rules as the whole-file readers, one row's error never stops the stream.

use std::io::{BufRead, Read};

use super::cells::{csv_columns, instance_from_record};
use super::header::check_wanted;
use super::jsonl::instance;
use super::sniff::{check_one_column, sniff_delimiter};
use super::{ReadError, ReadOptions};
use crate::schema::FieldSet;
use crate::{Error, Instance};

/// What the stream turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    /// One JSON object per line.
    JsonLines,
    /// A header row, then records.
    Csv,
}

enum Source<R: BufRead> {
    Json {
        input: R,
        /// The first line, read to decide the format and not yet parsed.
        first: Option<String>,
        line: usize,
    },
    Csv {
        records: csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>,
        header: csv::StringRecord,
        columns: Vec<Option<usize>>,
        row: usize,
        /// The last record's bytes: the next one's buffer starts that large.
        last_bytes: usize,
    },
}

/// Rows of a stream, parsed against a schema.
pub struct RowStream<'s, S: FieldSet + ?Sized, R: BufRead> {
    schema: &'s S,
    options: ReadOptions,
    source: Source<R>,
}

fn csv_error(row: usize, e: impl std::fmt::Display) -> Error {
    Error::Csv {
        row,
        reason: e.to_string(),
    }
}

impl<'s, S: FieldSet + ?Sized, R: BufRead> RowStream<'s, S, R> {
    /// Read up to the first line (for CSV: the header, checked against the schema as the
    /// whole-file reader checks it) and decide the format. An empty stream is `EMPTY_FILE`.
    pub fn new(schema: &'s S, input: R, options: &ReadOptions) -> Result<Self, Error> {
        Self::with_format(schema, input, options, None)
    }

    /// As [`RowStream::new`], the format given (a file's `.jsonl` extension) rather than
    /// decided by the first line.
    pub fn with_format(
        schema: &'s S,
        mut input: R,
        options: &ReadOptions,
        format: Option<StreamFormat>,
    ) -> Result<Self, Error> {
        options.check()?;
        // What has arrived already (a file: the reader's whole buffer; a pipe: what was
        // written so far) sniffs the delimiter over several records, as a whole file's does.
        let sample = input
            .fill_buf()
            .map_err(|e| csv_error(0, format!("cannot read: {e}")))?
            .to_vec();
        let mut first = String::new();
        let mut skipped = 0;
        loop {
            first.clear();
            let n = input
                .read_line(&mut first)
                .map_err(|e| csv_error(0, format!("cannot read: {e}")))?;
            if n == 0 {
                return Err(ReadError::Empty.into());
            }
            if !first.trim_start_matches('\u{feff}').trim().is_empty() {
                break;
            }
            skipped += 1;
        }
        let text = first.trim_start_matches('\u{feff}').to_string();
        let json = match format {
            Some(f) => f == StreamFormat::JsonLines,
            None => text.trim_start().starts_with('{'),
        };
        let source = if json {
            Source::Json {
                input,
                first: Some(text),
                line: skipped,
            }
        } else {
            let delimiter = options.delimiter_byte().unwrap_or_else(|| {
                // Sniff from the sample when it starts at the header (no blank lines skipped).
                // Only a sample that holds the whole header, cut after its last full line
                // (a pipe may have delivered part of a record so far).
                let whole = sample
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map(|end| &sample[..=end]);
                if let (0, Some(lines)) = (skipped, whole) {
                    sniff_delimiter(lines)
                } else {
                    sniff_delimiter(text.as_bytes())
                }
            });
            let header_bytes = text.into_bytes();
            let mut records = csv::ReaderBuilder::new()
                .flexible(false)
                .delimiter(delimiter)
                .from_reader(std::io::Cursor::new(header_bytes).chain(input));
            let header = records
                .headers()
                .map_err(|e| csv_error(0, format!("cannot read header: {e}")))?
                .clone();
            check_one_column(&header, delimiter)?;
            check_wanted(header.iter(), |name| schema.field(name).is_some())?;
            let columns = csv_columns(schema, &header);
            let absent = columns.absent(schema);
            if !absent.is_empty() {
                return Err(ReadError::MissingColumns {
                    missing: absent.into_iter().map(str::to_string).collect(),
                }
                .into());
            }
            Source::Csv {
                records,
                header: header.iter().map(str::trim).collect(),
                columns: columns.index,
                row: 0,
                last_bytes: 0,
            }
        };
        Ok(RowStream {
            schema,
            options: options.clone(),
            source,
        })
    }

    /// The format the first line decided.
    pub fn format(&self) -> StreamFormat {
        match self.source {
            Source::Json { .. } => StreamFormat::JsonLines,
            Source::Csv { .. } => StreamFormat::Csv,
        }
    }

    /// The CSV header (names trimmed); `None` for JSON Lines.
    pub fn header(&self) -> Option<&csv::StringRecord> {
        match &self.source {
            Source::Csv { header, .. } => Some(header),
            Source::Json { .. } => None,
        }
    }

    /// The next row, as soon as it has arrived: its 1-based row (CSV: data row; JSON Lines:
    /// line, blank lines counted) and its instance or why it was rejected; `None` at the end.
    pub fn next_row(&mut self) -> Option<(usize, Result<Instance, Error>)> {
        let raw = self.next_raw()?;
        let columns: &[Option<usize>] = match &self.source {
            Source::Csv { columns, .. } => columns,
            Source::Json { .. } => &[],
        };
        Some(parse(self.schema, &self.options, columns, raw))
    }

    /// What parses this stream's rows, owning what it needs: it goes to other threads with
    /// the [`RawRow`]s, so one thread reads while others parse and predict.
    pub fn parser(&self) -> RowParser<'s, S> {
        RowParser {
            schema: self.schema,
            options: self.options.clone(),
            columns: match &self.source {
                Source::Csv { columns, .. } => columns.clone(),
                Source::Json { .. } => Vec::new(),
            },
        }
    }

    /// The next row as read and not yet parsed (a CSV record, a JSON line), or why it could
    /// not be read; `None` at the end.
    pub fn next_raw(&mut self) -> Option<RawRow> {
        match &mut self.source {
            Source::Json { input, first, line } => loop {
                let text = match first.take() {
                    Some(t) => t,
                    None => {
                        let mut t = String::new();
                        match input.read_line(&mut t) {
                            Ok(0) => return None,
                            Ok(_) => t,
                            // Invalid UTF-8: that line is rejected, the stream goes on.
                            Err(e) => {
                                *line += 1;
                                let reason = format!("not UTF-8: {e}");
                                let error = Error::Json { row: *line, reason };
                                return Some(RawRow::Failed { row: *line, error });
                            }
                        }
                    }
                };
                *line += 1;
                if text.trim().is_empty() {
                    continue;
                }
                return Some(RawRow::Json { row: *line, text });
            },
            Source::Csv {
                records,
                row,
                header,
                last_bytes,
                ..
            } => {
                let mut record = csv::StringRecord::with_capacity(*last_bytes, header.len());
                match records.read_record(&mut record) {
                    Ok(false) => None,
                    Ok(true) => {
                        *row += 1;
                        *last_bytes = record.as_slice().len();
                        Some(RawRow::Csv { row: *row, record })
                    }
                    Err(e) => {
                        *row += 1;
                        Some(RawRow::Failed {
                            row: *row,
                            error: csv_error(*row, super::table::record_error(&e)),
                        })
                    }
                }
            }
        }
    }
}

/// A row as read from a stream, not yet parsed against the schema.
#[derive(Debug, Clone)]
pub enum RawRow {
    /// A CSV record.
    Csv {
        /// 1-based data row.
        row: usize,
        /// Its cells.
        record: csv::StringRecord,
    },
    /// A JSON Lines line.
    Json {
        /// 1-based line.
        row: usize,
        /// The line.
        text: String,
    },
    /// A row that could not be read (a malformed CSV record, a line that is not UTF-8).
    Failed {
        /// 1-based row.
        row: usize,
        /// Why.
        error: Error,
    },
}

/// Parses a stream's [`RawRow`]s against its schema: shareable between threads.
#[derive(Debug, Clone)]
pub struct RowParser<'s, S: FieldSet + ?Sized> {
    schema: &'s S,
    options: ReadOptions,
    columns: Vec<Option<usize>>,
}

impl<S: FieldSet + ?Sized> RowParser<'_, S> {
    /// The row's number and its instance or why it was rejected.
    pub fn parse(&self, raw: RawRow) -> (usize, Result<Instance, Error>) {
        parse(self.schema, &self.options, &self.columns, raw)
    }
}

fn parse<S: FieldSet + ?Sized>(
    schema: &S,
    options: &ReadOptions,
    columns: &[Option<usize>],
    raw: RawRow,
) -> (usize, Result<Instance, Error>) {
    match raw {
        RawRow::Csv { row, record } => (
            row,
            instance_from_record(schema, columns, &record, options).map_err(|e| e.at_row(row)),
        ),
        RawRow::Json { row, text } => (
            row,
            serde_json::from_str(&text)
                .map_err(|e| Error::Json {
                    row,
                    reason: e.to_string(),
                })
                .and_then(|j| instance(schema, &j, options).map_err(|e| e.at_row(row))),
        ),
        RawRow::Failed { row, error } => (row, Err(error)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::{Field, FieldType, Label, Schema, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("x", FieldType::Number, true),
                Field::new("c", FieldType::Category, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    type Rows = Vec<(usize, Result<Instance, Error>)>;

    fn all(text: &str) -> (StreamFormat, Rows) {
        let s = schema();
        let mut stream = RowStream::new(&s, text.as_bytes(), &ReadOptions::default()).unwrap();
        let mut out = Vec::new();
        while let Some(r) = stream.next_row() {
            out.push(r);
        }
        (stream.format(), out)
    }

    #[test]
    fn csv_and_json_lines_read_as_the_whole_file_readers_read_them() {
        let csv = "\u{feff}c;x\n\"a;b\";1,5\nz;NA\nq;old\n";
        let opts = ReadOptions {
            decimal: ',',
            ..ReadOptions::default()
        };
        let s = schema();
        let whole = crate::read::read_csv(&s, csv.as_bytes(), &opts).unwrap();
        let mut stream = RowStream::new(&s, csv.as_bytes(), &opts).unwrap();
        assert_eq!(stream.format(), StreamFormat::Csv);
        for (i, want) in whole.into_iter().enumerate() {
            assert_eq!(stream.next_row(), Some((i + 1, want)));
        }
        assert_eq!(stream.next_row(), None);
        let (format, rows) = all("\n{\"x\": 2, \"c\": \"a\"}\n\n{\"x\": \"no\"}\nnot json\n");
        assert_eq!(format, StreamFormat::JsonLines);
        let codes: Vec<(usize, &str)> = rows
            .iter()
            .map(|(r, x)| (*r, x.as_ref().map_or_else(|e| e.code(), |_| "ok")))
            .collect();
        assert_eq!(codes, [(2, "ok"), (4, "WRONG_TYPE"), (5, "JSON")]);
        // Line numbers as the whole-file reader counts them (blank lines included).
        let text = "\n{\"x\": 2, \"c\": \"a\"}\n\n{\"x\": \"no\"}\n";
        let (lines, _) = crate::read::read_jsonl(&s, text.as_bytes(), &opts).unwrap();
        assert_eq!(lines, [2, 4]);
        // A line that is not UTF-8 is that row's JSON error; the next line still reads.
        let bytes: &[u8] = b"{\"x\": 1}\n{\"x\": \"\xff\"}\n{\"x\": 3}\n";
        let mut stream = RowStream::new(&s, bytes, &opts).unwrap();
        let codes: Vec<&str> = std::iter::from_fn(|| stream.next_row())
            .map(|(_, r)| r.map_or_else(|e| e.code(), |_| "ok"))
            .collect();
        assert_eq!(codes, ["ok", "JSON", "ok"]);
    }

    #[test]
    fn the_header_is_checked_and_an_empty_stream_is_empty() {
        let s = schema();
        let e = RowStream::new(&s, "x\n1\n".as_bytes(), &ReadOptions::default())
            .err()
            .unwrap();
        assert_eq!(e.code(), "MISSING_FIELD");
        let e = RowStream::new(&s, "\n \n".as_bytes(), &ReadOptions::default())
            .err()
            .unwrap();
        assert_eq!(e.code(), "EMPTY_FILE");
    }
}
