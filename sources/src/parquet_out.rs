//! Rows of cells written as Parquet (snappy), a record batch per call: how `tandem predict`
//! writes `--output predictions.parquet` for the Spark, pandas or polars job downstream.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::SourceError;
use crate::cell::Cell;

/// A column's type in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit integers.
    Int,
    /// 64-bit floats.
    Float,
    /// UTF-8 text.
    Text,
}

/// A Parquet file being written (to any writer: a file, an atomically replaced file).
pub struct ParquetWriter<W: Write + Send> {
    schema: Arc<Schema>,
    kinds: Vec<Kind>,
    writer: ArrowWriter<W>,
    path: String,
}

fn write_error(path: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Write {
        path: path.to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

impl ParquetWriter<File> {
    /// A file at `path` with these columns (every one nullable).
    pub fn create(path: &Path, columns: &[(String, Kind)]) -> Result<Self, SourceError> {
        let file = File::create(path).map_err(|source| SourceError::Write {
            path: path.display().to_string(),
            source,
        })?;
        ParquetWriter::new(file, &path.display().to_string(), columns)
    }
}

impl<W: Write + Send> ParquetWriter<W> {
    /// Parquet into `out` (`shown` names it in errors), with these columns (all nullable).
    pub fn new(out: W, shown: &str, columns: &[(String, Kind)]) -> Result<Self, SourceError> {
        let shown = shown.to_string();
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, kind)| {
                let t = match kind {
                    Kind::Int => DataType::Int64,
                    Kind::Float => DataType::Float64,
                    Kind::Text => DataType::Utf8,
                };
                Field::new(name, t, true)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(out, Arc::clone(&schema), Some(props))
            .map_err(|e| write_error(&shown, e))?;
        Ok(ParquetWriter {
            schema,
            kinds: columns.iter().map(|(_, k)| *k).collect(),
            writer,
            path: shown,
        })
    }

    /// Rows (a cell per column; a cell of another type is written as null).
    pub fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), SourceError> {
        let columns: Vec<ArrayRef> =
            self.kinds
                .iter()
                .enumerate()
                .map(|(i, kind)| -> ArrayRef {
                    let cell = |r: &Vec<Cell>| r.get(i).cloned().unwrap_or(Cell::Null);
                    match kind {
                        Kind::Int => {
                            Arc::new(Int64Array::from_iter(rows.iter().map(|r| match cell(r) {
                                Cell::Int(v) => Some(v),
                                _ => None,
                            })))
                        }
                        Kind::Float => Arc::new(Float64Array::from_iter(rows.iter().map(|r| {
                            match cell(r) {
                                Cell::Float(v) => Some(v),
                                Cell::Int(v) => Some(v as f64),
                                _ => None,
                            }
                        }))),
                        Kind::Text => {
                            Arc::new(StringArray::from_iter(rows.iter().map(|r| match cell(r) {
                                Cell::Text(s) => Some(s),
                                _ => None,
                            })))
                        }
                    }
                })
                .collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|e| write_error(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| write_error(&self.path, e))
    }

    /// The file's footer written; the writer back (to sync or commit).
    pub fn finish(self) -> Result<W, SourceError> {
        let path = self.path;
        self.writer.into_inner().map_err(|e| write_error(&path, e))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn written_rows_read_back() {
        let dir = std::env::temp_dir().join(format!("tandem-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.parquet");
        let mut w = ParquetWriter::create(
            &path,
            &[
                ("row".into(), Kind::Int),
                ("p".into(), Kind::Float),
                ("e".into(), Kind::Text),
            ],
        )
        .unwrap();
        w.write(&[
            vec![Cell::Int(1), Cell::Float(0.25), Cell::Null],
            vec![Cell::Int(2), Cell::Null, Cell::Text("WRONG_TYPE".into())],
        ])
        .unwrap();
        w.finish().unwrap();
        let data = crate::open(
            path.to_str().unwrap(),
            &crate::url::FetchOptions::from_env(),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(data.path()).unwrap(),
            "{\"row\":1,\"p\":0.25,\"e\":null}\n{\"row\":2,\"p\":null,\"e\":\"WRONG_TYPE\"}\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
