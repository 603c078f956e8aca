//! Reading a training CSV: a header plus string records, with row-numbered errors.

use std::path::Path;

use anyhow::{Context, Result, bail};

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
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let sha256 = tandem_core::bundle::sha256_hex(&bytes);
        let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let header = rdr
            .headers()
            .with_context(|| format!("{}: cannot read the CSV header", path.display()))?
            .clone();
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.with_context(|| format!("{}: data row {}", path.display(), i + 1))?;
            rows.push(rec);
        }
        if rows.is_empty() {
            bail!("{}: no data rows", path.display());
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
