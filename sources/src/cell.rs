//! One value as a source delivers it, and the sinks rows flow into.
//!
//! Every source (a file, Parquet, SQLite, PostgreSQL, a REST API) hands its rows to a [`Sink`]
//! as typed [`Cell`]s under a list of column names; the window, the label join and the JSON
//! Lines writer are sinks, chained. A source that learns of a column late (a REST page whose
//! records gain a key) calls [`Sink::columns`] again with the longer list: columns are only
//! ever appended.

use std::io::Write;

use crate::SourceError;

/// A value as the source typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL, a JSON null, an absent key, a Parquet null or a NaN.
    Null,
    /// A boolean column.
    Bool(bool),
    /// An integer column.
    Int(i64),
    /// A floating-point column.
    Float(f64),
    /// Text (and anything read as text: dates, decimals as the source printed them).
    Text(String),
}

impl Cell {
    /// The text a CSV cell would hold: what keys are compared by and timestamps parsed from.
    pub fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match self {
            Cell::Null => None,
            Cell::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Cell::Int(i) => Some(Cow::Owned(i.to_string())),
            Cell::Float(f) if f.is_nan() => None,
            // An integral float is its integer (`3.0` keys like `3`, as pandas would read it).
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(Cow::Owned(format!("{}", *f as i64)))
            }
            Cell::Float(f) => Some(Cow::Owned(f.to_string())),
            Cell::Text(s) => Some(Cow::Borrowed(s.as_str())),
        }
    }

    /// This value as JSON text: numbers and booleans as themselves, text as a string, a
    /// missing value or NaN as `null`, an infinity as the string pandas reads back.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Null => out.extend_from_slice(b"null"),
            Cell::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Cell::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Cell::Float(f) if f.is_nan() => out.extend_from_slice(b"null"),
            Cell::Float(f) if f.is_infinite() => {
                out.extend_from_slice(if *f > 0.0 { b"\"inf\"" } else { b"\"-inf\"" })
            }
            Cell::Float(f) => {
                // serde_json writes the shortest text that reads back as the same f64.
                if let Ok(s) = serde_json::to_string(f) {
                    out.extend_from_slice(s.as_bytes());
                }
            }
            Cell::Text(s) => json_string(s, out),
        }
    }
}

/// `s` as a JSON string literal.
pub(crate) fn json_string(s: &str, out: &mut Vec<u8>) {
    if let Ok(text) = serde_json::to_string(s) {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Where rows go.
pub trait Sink {
    /// The columns (called before the first row, and again when more columns appear).
    fn columns(&mut self, names: &[String]) -> Result<(), SourceError>;
    /// One row: a cell per column, in the order of the last [`Sink::columns`] (a shorter row
    /// is padded with nulls).
    fn row(&mut self, cells: &[Cell]) -> Result<(), SourceError>;
}

/// Rows written as JSON Lines, one object per row with every column (a null where a row has
/// no value), in the order the source gave the columns.
pub struct JsonlWriter<W: Write> {
    out: W,
    keys: Vec<Vec<u8>>,
    line: Vec<u8>,
    /// Rows written.
    pub rows: u64,
    path: String,
}

impl<W: Write> JsonlWriter<W> {
    /// A writer to `out`; `path` names it in errors.
    pub fn new(out: W, path: impl Into<String>) -> Self {
        JsonlWriter {
            out,
            keys: Vec::new(),
            line: Vec::new(),
            rows: 0,
            path: path.into(),
        }
    }

    /// The writer, flushed.
    pub fn finish(mut self) -> Result<W, SourceError> {
        let path = self.path.clone();
        self.out
            .flush()
            .map_err(|source| SourceError::Write { path, source })?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for JsonlWriter<W> {
    fn columns(&mut self, names: &[String]) -> Result<(), SourceError> {
        self.keys = names
            .iter()
            .map(|n| {
                let mut k = Vec::new();
                json_string(n, &mut k);
                k.push(b':');
                k
            })
            .collect();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), SourceError> {
        self.line.clear();
        self.line.push(b'{');
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            self.line.extend_from_slice(key);
            cells
                .get(i)
                .unwrap_or(&Cell::Null)
                .write_json(&mut self.line);
        }
        self.line.extend_from_slice(b"}\n");
        self.rows += 1;
        let path = &self.path;
        self.out
            .write_all(&self.line)
            .map_err(|source| SourceError::Write {
                path: path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_json_objects_with_every_column() {
        let mut w = JsonlWriter::new(Vec::new(), "t");
        w.columns(&["a".into(), "b \"q\"".into()]).unwrap();
        w.row(&[Cell::Float(22.0), Cell::Text("x\ny".into())])
            .unwrap();
        w.row(&[Cell::Float(f64::NAN)]).unwrap();
        w.row(&[Cell::Float(f64::NEG_INFINITY), Cell::Bool(true)])
            .unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"a\":22.0,\"b \\\"q\\\"\":\"x\\ny\"}\n{\"a\":null,\"b \\\"q\\\"\":null}\n{\"a\":\"-inf\",\"b \\\"q\\\"\":true}\n"
        );
    }

    #[test]
    fn keys_compare_as_a_csv_cell_reads() {
        assert_eq!(Cell::Float(3.0).text().unwrap(), "3");
        assert_eq!(Cell::Int(3).text().unwrap(), "3");
        assert_eq!(Cell::Float(0.1).text().unwrap(), "0.1");
        assert_eq!(Cell::Float(f64::NAN).text(), None);
    }
}
