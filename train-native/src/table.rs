//! Reading a training file: CSV (any common delimiter) or JSON Lines, as text cells, with
//! row-numbered errors. The reading itself is `tandem_core::read`, shared with prediction.

use std::path::Path;

use tandem_core::read::{Format, ReadOptions, read_table};

use crate::error::{Error, Result};

/// A data file held in memory.
pub struct Table {
    /// Column names.
    pub header: csv::StringRecord,
    /// Data rows (1-based row `i` is `rows[i - 1]`).
    pub rows: Vec<csv::StringRecord>,
    /// SHA-256 of the file's bytes, recorded with the run.
    pub sha256: String,
    /// CSV (and its delimiter) or JSON Lines.
    pub format: Format,
    /// Whether a pandas index column was dropped (worth telling the user).
    pub dropped_index: bool,
    /// Ragged records left out of `rows` (training quarantines them): row and why.
    pub malformed: Vec<(usize, String)>,
}

impl Table {
    /// Read a whole file; a ragged record is set aside in `malformed`, an empty or duplicate
    /// header name is an error naming its column.
    pub fn read(path: &Path, options: &ReadOptions) -> Result<Table> {
        Table::read_as(path, path, options)
    }

    /// Read the local file `local`, naming it `shown` in errors (the source it came from).
    pub fn read_as(local: &Path, shown: &Path, options: &ReadOptions) -> Result<Table> {
        let path = shown;
        let bytes = std::fs::read(local).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let sha256 = tandem_core::bundle::sha256_hex(&bytes);
        let data = |reason: String| Error::Data {
            path: path.to_path_buf(),
            row: None,
            reason,
        };
        let table = read_table(&bytes, options).map_err(|e| match e {
            tandem_core::Error::Csv { row, reason } => data(format!("data row {row}: {reason}")),
            e => data(format!("[{}] {e}", e.code())),
        })?;
        if table.rows.is_empty() {
            return Err(data(match table.malformed.first() {
                Some((row, reason)) => format!(
                    "no data rows: all {} rows are ragged (data row {row}: {reason})",
                    table.malformed.len()
                ),
                None => "no data rows".into(),
            }));
        }
        Ok(Table {
            header: table.header,
            rows: table.rows,
            sha256,
            format: table.format,
            dropped_index: table.dropped_index,
            malformed: table.malformed,
        })
    }

    /// The header as owned strings.
    pub fn header_strings(&self) -> Vec<String> {
        self.header.iter().map(|h| h.trim().to_string()).collect()
    }

    /// Every row as owned strings.
    pub fn row_strings(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| r.iter().map(str::to_string).collect())
            .collect()
    }

    /// The 1-based data row of `rows[index]`, counting the malformed records left out.
    pub fn row_number(&self, index: usize) -> usize {
        tandem_core::read::table::data_row(index, &self.malformed)
    }

    /// Rows read, the malformed ones included.
    pub fn rows_read(&self) -> usize {
        self.rows.len() + self.malformed.len()
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }

    /// A note for the user about how the file was read, if there is anything to say.
    pub fn note(&self) -> Option<String> {
        self.dropped_index.then(|| {
            "the first column is a pandas index (no name, distinct whole numbers): it was left \
             out"
            .to_string()
        })
    }
}
