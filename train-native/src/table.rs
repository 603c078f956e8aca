//! Reading a training CSV: a header plus string records, with row-numbered errors.

use std::path::Path;

use crate::error::{Error, Result};

/// A CSV file held in memory.
pub struct Table {
    /// Column names.
    pub header: csv::StringRecord,
    /// Data rows (1-based row `i` is `rows[i - 1]`).
    pub rows: Vec<csv::StringRecord>,
    /// SHA-256 of the file's bytes, recorded with the run.
    pub sha256: String,
}

impl Table {
    /// Read a whole CSV file; a malformed row is an error naming its row.
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let sha256 = tandem_core::bundle::sha256_hex(&bytes);
        let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let data = |row: Option<usize>, reason: String| Error::Data {
            path: path.to_path_buf(),
            row,
            reason,
        };
        let header = rdr
            .headers()
            .map_err(|e| data(None, format!("cannot read the CSV header: {e}")))?
            .clone();
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| data(None, format!("data row {}: {e}", i + 1)))?;
            rows.push(rec);
        }
        if rows.is_empty() {
            return Err(data(None, "no data rows".into()));
        }
        Ok(Table {
            header,
            rows,
            sha256,
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

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }
}
