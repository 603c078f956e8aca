//! CSV text → instances against a schema: what `tandem predict`, `tandem validate` and the
//! npm package's `predictCsv` read.

use std::io::Read;

use super::cells::{csv_columns, instance_from_record};
use super::header::check_wanted;
use super::sniff::{check_one_column, sniff_delimiter, strip_bom};
use super::{ReadError, ReadOptions};
use crate::schema::FieldSet;
use crate::{Error, Instance};

/// A CSV reader over `bytes` (BOM already stripped) with this delimiter.
pub(super) fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(bytes)
}

/// The delimiter the options set, or else the one the text uses.
pub(super) fn delimiter(bytes: &[u8], options: &ReadOptions) -> u8 {
    options
        .delimiter_byte()
        .unwrap_or_else(|| sniff_delimiter(bytes))
}

/// Read every record of a CSV text into instances; errors carry their 1-based data row.
///
/// Reading continues past bad rows: the result has one entry per data row. The file as a
/// whole fails on invalid options, an unreadable header, a header that reads as one column
/// but holds another delimiter, or a schema field named by two columns.
pub fn read_csv<S: FieldSet + ?Sized, R: Read>(
    schema: &S,
    mut input: R,
    options: &ReadOptions,
) -> Result<Vec<Result<Instance, Error>>, Error> {
    options.check()?;
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| Error::Csv {
        row: 0,
        reason: format!("cannot read: {e}"),
    })?;
    let bytes = strip_bom(&bytes);
    // No header row at all: say so, rather than list every field as absent from it.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty.into());
    }
    let delimiter = delimiter(bytes, options);
    let mut rdr = reader(bytes, delimiter);
    let header = rdr
        .headers()
        .map_err(|e| Error::Csv {
            row: 0,
            reason: format!("cannot read header: {e}"),
        })?
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
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 1;
        out.push(match rec {
            Ok(rec) => instance_from_record(schema, &columns.index, &rec, options)
                .map_err(|e| e.at_row(row)),
            Err(e) => Err(Error::Csv {
                row,
                reason: e.to_string(),
            }),
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::{Field, FieldType, Label, Schema, Task};

    #[test]
    fn a_file_of_nothing_but_whitespace_or_a_bom_is_empty_not_lacking_columns() {
        let schema = Schema {
            fields: vec![Field::new("x", FieldType::Number, false)],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        for text in ["", "\u{feff}", "\n\n", " \r\n"] {
            let e = read_csv(&schema, text.as_bytes(), &ReadOptions::default()).unwrap_err();
            assert_eq!(e.code(), "EMPTY_FILE", "{text:?}");
        }
        let e = read_csv(&schema, "y\n1\n".as_bytes(), &ReadOptions::default()).unwrap_err();
        assert_eq!(e.code(), "MISSING_FIELD");
    }
}
