//! A whole file as a header and rows of text cells: what schema inference and training
//! read. CSV or JSON Lines (recognised by content), BOM dropped, delimiter sniffed, a pandas
//! index column dropped, and every header name checked.

use super::header::{check_names, is_pandas_index};
use super::jsonl;
use super::sniff::{check_one_column, looks_like_jsonl, strip_bom};
use super::{ReadError, ReadOptions};
use crate::Error;

/// How a file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row, with this delimiter.
    Csv {
        /// The delimiter used (given or sniffed).
        delimiter: u8,
    },
    /// One JSON object per line.
    JsonLines,
}

/// A table of text cells.
#[derive(Debug, Clone)]
pub struct TextTable {
    /// Column names (trimmed).
    pub header: csv::StringRecord,
    /// Data rows (1-based data row `i` is `rows[i - 1]`).
    pub rows: Vec<csv::StringRecord>,
    /// What the file was.
    pub format: Format,
    /// Whether a pandas index column (first, unnamed, distinct whole numbers) was dropped.
    pub dropped_index: bool,
    /// Records that could not be read (a CSV record with more or fewer cells than the
    /// header), left out of `rows`: each one's 1-based data row and why.
    pub malformed: Vec<(usize, String)>,
}

impl TextTable {
    /// The 1-based data row of `rows[index]`, counting the malformed records left out.
    pub fn row_number(&self, index: usize) -> usize {
        data_row(index, &self.malformed)
    }
}

/// The 1-based data row of the `index`-th record kept when the records in `malformed`
/// (sorted by row) were left out: each step skips the malformed rows at or before the guess.
pub fn data_row(index: usize, malformed: &[(usize, String)]) -> usize {
    let mut skipped = 0;
    loop {
        let row = index + 1 + skipped;
        let before = malformed.partition_point(|(r, _)| *r <= row);
        if before == skipped {
            return row;
        }
        skipped = before;
    }
}

/// Why a CSV record could not be read, as every reader says it: a ragged record's cell
/// count against the header's, else the parser's message.
pub fn record_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} cells where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => format!("{e}{ENCODING_HINT}"),
        _ => e.to_string(),
    }
}

/// What a record that is not UTF-8 adds to its error: how to name the file's encoding. A
/// reader that meets one stops there (a file in another encoding fails at its first such row).
pub const ENCODING_HINT: &str =
    " (a file in another encoding reads with its name after a `#`: data.csv#encoding=windows-1252)";

/// Whether `e` is a record that is not UTF-8 ([`ENCODING_HINT`]).
pub fn is_encoding_error(e: &Error) -> bool {
    matches!(e, Error::Csv { reason, .. } if reason.ends_with(ENCODING_HINT))
}

/// Read CSV or JSON Lines text as a table of cells; a malformed row is an error naming its
/// row, an empty or duplicate header name one naming its column.
pub fn read_table(bytes: &[u8], options: &ReadOptions) -> Result<TextTable, Error> {
    options.check()?;
    let bytes = strip_bom(bytes);
    let mut table = if looks_like_jsonl(bytes) {
        jsonl::read_table(bytes)?
    } else {
        read_csv_table(bytes, options)?
    };
    if table.header.is_empty() {
        return Err(ReadError::Empty.into());
    }
    let first = table.header.get(0).unwrap_or("");
    if table.header.len() > 1
        && is_pandas_index(first, table.rows.iter().map(|r| r.get(0).unwrap_or("")))
    {
        table.header = table.header.iter().skip(1).collect();
        for r in &mut table.rows {
            *r = r.iter().skip(1).collect();
        }
        table.dropped_index = true;
    }
    check_names(table.header.iter())?;
    Ok(table)
}

fn read_csv_table(bytes: &[u8], options: &ReadOptions) -> Result<TextTable, Error> {
    let delimiter = super::csv::delimiter(bytes, options);
    let mut rdr = super::csv::reader(bytes, delimiter);
    let header: csv::StringRecord = rdr
        .headers()
        .map_err(|e| Error::Csv {
            row: 0,
            reason: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(str::trim)
        .collect();
    check_one_column(&header, delimiter)?;
    let mut rows = Vec::new();
    let mut malformed = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        match rec {
            Ok(r) => rows.push(r),
            // A ragged record is set aside (training quarantines it); a file that is not
            // UTF-8 or not CSV at all still fails as a whole.
            Err(e) if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) => {
                malformed.push((i + 1, record_error(&e)));
            }
            Err(e) => {
                return Err(Error::Csv {
                    row: i + 1,
                    reason: record_error(&e),
                });
            }
        }
    }
    if header.len() == 1 && header.get(0) == Some("") && rows.is_empty() {
        return Err(ReadError::Empty.into());
    }
    Ok(TextTable {
        header,
        rows,
        format: Format::Csv { delimiter },
        dropped_index: false,
        malformed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<TextTable, Error> {
        read_table(text.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn a_bom_and_a_pandas_index_are_dropped() {
        let t = read("\u{feff},age,sex\n0,29,f\n1,30,m\n").unwrap();
        assert!(t.dropped_index);
        assert_eq!(t.header, csv::StringRecord::from(vec!["age", "sex"]));
        assert_eq!(&t.rows[1][0], "30");
        let t = read("\u{feff}age,sex\n29,f\n").unwrap();
        assert_eq!(&t.header[0], "age");
    }

    #[test]
    fn an_unnamed_first_column_that_is_no_index_is_an_error_with_the_hint() {
        let e = read(",age\nx,29\n").unwrap_err();
        assert_eq!(e.code(), "EMPTY_HEADER");
        assert!(e.to_string().contains("column 1"), "{e}");
        assert!(e.to_string().contains("pandas index"), "{e}");
    }

    #[test]
    fn semicolon_files_are_sniffed_and_a_wrong_delimiter_suggests_the_right_one() {
        let text = "age;sex\n29;f\n30;m\n";
        let t = read(text).unwrap();
        assert_eq!(t.format, Format::Csv { delimiter: b';' });
        let forced = ReadOptions {
            delimiter: Some(','),
            ..ReadOptions::default()
        };
        let e = read_table(text.as_bytes(), &forced).unwrap_err();
        assert_eq!(e.code(), "ONE_COLUMN");
    }

    #[test]
    fn ragged_records_are_set_aside_with_their_row() {
        let t = read("a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n").unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(
            t.malformed.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            [2, 4]
        );
        let rows: Vec<usize> = (0..3).map(|i| t.row_number(i)).collect();
        assert_eq!(rows, [1, 3, 5]);
        assert_eq!(&t.rows[2][0], "9");
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert_eq!(read("").unwrap_err().code(), "EMPTY_FILE");
    }
}
