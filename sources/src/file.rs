//! A CSV or JSON Lines file read row by row into a sink: what a window or a label join reads
//! a file through (a file read as is goes straight to the command's own reader). CSV cells
//! stay text, so the command's reading options (missing markers, decimal commas) apply to
//! them exactly as to the file itself; JSON values keep their type.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value as Json;

use crate::SourceError;
use crate::cell::{Cell, Sink};
use crate::dialect::Dialect;

fn error(path: &Path, row: Option<u64>, e: impl std::fmt::Display) -> SourceError {
    SourceError::Data {
        source_name: path.display().to_string(),
        row,
        reason: e.to_string(),
    }
}

/// Every row of the file into `sink`; `delimiter` as given, else sniffed; text decoded and
/// the header taken as `dialect` says. A CSV record with more or fewer cells than the header
/// stops the scan, naming its row (a window or a join cannot place it).
pub fn scan(
    path: &Path,
    delimiter: Option<char>,
    dialect: &Dialect,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut rows = match open(path, delimiter, dialect)? {
        Opened::Jsonl(input) => return jsonl(path, input, sink),
        Opened::Csv(rows) => rows,
    };
    sink.columns(&rows.names)?;
    let mut record = csv::StringRecord::new();
    let mut cells = Vec::with_capacity(rows.names.len());
    while rows.next(&mut record)? {
        if record.len() != rows.names.len() {
            let reason = format!(
                "{} cells where the header has {}",
                record.len(),
                rows.names.len()
            );
            return Err(error(path, Some(rows.row), reason));
        }
        cells.clear();
        cells.extend(record.iter().map(|c| Cell::Text(c.to_string())));
        sink.row(&cells)?;
    }
    Ok(())
}

/// A CSV file in another dialect (encoding, no header, quotes) rewritten as plain UTF-8 CSV
/// with a header, into `out`, record for record: a ragged record stays ragged, so the reader
/// quarantines it under its own row number as in any CSV. `Ok(None)`: the file is JSON Lines
/// (for [`scan`]). The number of data rows otherwise.
pub fn transcode(
    path: &Path,
    delimiter: Option<char>,
    dialect: &Dialect,
    out: impl std::io::Write,
) -> Result<Option<u64>, SourceError> {
    let Opened::Csv(mut rows) = open(path, delimiter, dialect)? else {
        return Ok(None);
    };
    // The reader sniffs the delimiter among these: any other is rewritten as a comma.
    let delimiter = match rows.delimiter {
        d @ (b',' | b';' | b'\t' | b'|') => d,
        _ => b',',
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_writer(out);
    let write_error =
        |e: csv::Error| error(path, None, format!("cannot write the converted file: {e}"));
    w.write_record(&rows.names).map_err(write_error)?;
    let mut record = csv::StringRecord::new();
    while rows.next(&mut record)? {
        w.write_record(&record).map_err(write_error)?;
    }
    w.flush()
        .map_err(|e| error(path, None, format!("cannot write the converted file: {e}")))?;
    Ok(Some(rows.row))
}

/// A file opened for reading: JSON Lines, or CSV records.
enum Opened {
    Jsonl(BufReader<Box<dyn Read>>),
    Csv(Box<CsvRows>),
}

/// A CSV file's records, every length kept (the caller decides about ragged ones).
struct CsvRows {
    path: std::path::PathBuf,
    reader: csv::Reader<Bom<BufReader<Box<dyn Read>>>>,
    names: Vec<String>,
    delimiter: u8,
    /// A headerless file's first record, read to name the columns and not yet given out.
    first: Option<csv::StringRecord>,
    /// Data rows given out.
    row: u64,
}

impl CsvRows {
    fn next(&mut self, record: &mut csv::StringRecord) -> Result<bool, SourceError> {
        if let Some(first) = self.first.take() {
            *record = first;
        } else if !self
            .reader
            .read_record(record)
            .map_err(|e| error(&self.path, Some(self.row + 1), e))?
        {
            return Ok(false);
        }
        self.row += 1;
        Ok(true)
    }
}

fn open(path: &Path, delimiter: Option<char>, dialect: &Dialect) -> Result<Opened, SourceError> {
    let file = std::fs::File::open(path).map_err(|e| error(path, None, e))?;
    let decoded: Box<dyn Read> = dialect.decode(file);
    let mut input = BufReader::with_capacity(1 << 16, decoded);
    let head = input.fill_buf().map_err(|e| error(path, None, e))?;
    let head = tandem_core::read::sniff::strip_bom(head);
    if head.is_empty() {
        return Err(error(path, None, "the file is empty"));
    }
    if tandem_core::read::sniff::looks_like_jsonl(head) {
        return Ok(Opened::Jsonl(input));
    }
    let delimiter = match delimiter {
        Some(d) => u8::try_from(d).map_err(|_| error(path, None, "the delimiter must be ASCII"))?,
        None => tandem_core::read::sniff::sniff_delimiter(head),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(dialect.quote.unwrap_or(b'"'))
        .has_headers(dialect.no_header.is_none())
        .flexible(true)
        .from_reader(Bom(input, true));
    let (names, first) = match dialect.no_header {
        None => {
            let names = reader
                .headers()
                .map_err(|e| error(path, Some(0), e))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            (names, None)
        }
        Some(_) => {
            // The first record sets the width the names cover.
            let mut record = csv::StringRecord::new();
            if !reader
                .read_record(&mut record)
                .map_err(|e| error(path, Some(1), e))?
            {
                return Err(error(path, None, "the file has no rows"));
            }
            let names = dialect.names(record.len()).unwrap_or_default();
            if names.len() > record.len() {
                return Err(error(
                    path,
                    Some(1),
                    format!(
                        "{} column names given for rows of {} cells",
                        names.len(),
                        record.len()
                    ),
                ));
            }
            (names, Some(record))
        }
    };
    Ok(Opened::Csv(Box::new(CsvRows {
        path: path.to_path_buf(),
        reader,
        names,
        delimiter,
        first,
        row: 0,
    })))
}

/// A reader that drops a UTF-8 byte order mark at its start.
struct Bom<R: BufRead>(R, bool);

impl<R: BufRead> Read for Bom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if std::mem::take(&mut self.1) && self.0.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
            self.0.consume(3);
        }
        self.0.read(buf)
    }
}

/// A JSON object's members in the order the line writes them.
pub(crate) struct OrderedObject(pub(crate) Vec<(String, Json)>);

impl<'de> serde::Deserialize<'de> for OrderedObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<OrderedObject, A::Error> {
                let mut members = Vec::new();
                while let Some(kv) = m.next_entry::<String, Json>()? {
                    members.push(kv);
                }
                Ok(OrderedObject(members))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON value as a cell: nested arrays and objects as their JSON text.
pub fn json_cell(v: Json) -> Cell {
    match v {
        Json::Null => Cell::Null,
        Json::Bool(b) => Cell::Bool(b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Cell::Text(s),
        other => Cell::Text(other.to_string()),
    }
}

/// Objects (in any key order, new keys appended as columns) into `sink`.
pub struct Objects<'a> {
    names: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    cells: Vec<Cell>,
    sink: &'a mut dyn Sink,
}

impl<'a> Objects<'a> {
    /// Objects to `sink`.
    pub fn new(sink: &'a mut dyn Sink) -> Self {
        Objects {
            names: Vec::new(),
            index: Default::default(),
            cells: Vec::new(),
            sink,
        }
    }

    /// One object's members.
    pub fn push(&mut self, members: Vec<(String, Json)>) -> Result<(), SourceError> {
        let known = self.names.len();
        for (k, _) in &members {
            if !self.index.contains_key(k) {
                self.index.insert(k.clone(), self.names.len());
                self.names.push(k.clone());
            }
        }
        if self.names.len() != known {
            self.sink.columns(&self.names)?;
        }
        self.cells.clear();
        self.cells.resize(self.names.len(), Cell::Null);
        for (k, v) in members {
            if let Some(&i) = self.index.get(&k) {
                self.cells[i] = json_cell(v);
            }
        }
        self.sink.row(&self.cells)
    }

    /// Columns declared even when no object came (an empty source still has a header).
    pub fn finish(self) -> Result<(), SourceError> {
        if self.names.is_empty() {
            self.sink.columns(&[])?;
        }
        Ok(())
    }
}

/// Parse one JSON object, members in order.
pub fn object(text: &str) -> Result<Vec<(String, Json)>, serde_json::Error> {
    serde_json::from_str::<OrderedObject>(text).map(|o| o.0)
}

fn jsonl(path: &Path, input: impl BufRead, sink: &mut dyn Sink) -> Result<(), SourceError> {
    let mut objects = Objects::new(sink);
    for (i, line) in input.lines().enumerate() {
        let row = i as u64 + 1;
        let line = line.map_err(|e| error(path, Some(row), e))?;
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        objects.push(object(line).map_err(|e| error(path, Some(row), e))?)?;
    }
    objects.finish()
}
