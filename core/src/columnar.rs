//! Column batches in Arrow's memory layout, as the Python package hands them over from pandas,
//! pyarrow and numpy: one buffer per column, read into instances by the same checks as every
//! record ([`Instance::from_raw_at`]).
//!
//! A binding copies each column's buffers once (never once per cell) and describes them as
//! [`Cells`]; [`Columns::new`] checks the layout (lengths, offsets, the validity bitmap) before
//! any cell is read, so a malformed buffer is an error naming its column, never a panic or a
//! wrong value.
//!
//! A column batch is a table, and its cells mean what a CSV file's cells mean: a string in a
//! number, integer or boolean field is read as a CSV cell would be
//! ([`crate::read::cells::raw_from_cell`]: `"39.0"` is 39, `"NA"` is missing, `"yes"` is
//! true), a boolean field reads the numbers 0 and 1 (a pandas column of 0/1), a text field a
//! number as its text (pandas read the column `123` as int64). So a
//! DataFrame from `pandas.read_csv` predicts as `tandem predict` on the same file, row for row,
//! even where one bad cell made pandas keep a column as text. Records (a JSON object, a Python
//! dict) keep JSON's stricter meaning.

use std::ops::Range;

use crate::Error;
use crate::instance::{Instance, Raw};
use crate::read::ReadError;
use crate::read::cells::raw_from_cell;
use crate::read::options::ReadOptions;
use crate::schema::{FieldType, Schema};

/// One column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells<'a> {
    /// 64-bit floats in native byte order, 8 bytes a row; NaN is a missing value (pandas'
    /// convention for a number column).
    Numbers(&'a [u8]),
    /// Booleans, one byte a row (0: false, else true); `valid`, when given, one byte a row
    /// (0: missing).
    Bools {
        /// The values.
        values: &'a [u8],
        /// Which rows hold a value.
        valid: Option<&'a [u8]>,
    },
    /// Strings in Arrow's `string` / `large_string` layout.
    Strings(Strings<'a>),
    /// Values of any kind, one a row (an object column).
    Raws(&'a [Raw]),
}

/// Arrow's string layout: `offsets[offset + i] .. offsets[offset + i + 1]` is row `i`'s UTF-8
/// text in `data`; a clear bit `validity_offset + i` in `validity` (least significant bit
/// first) is a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct Strings<'a> {
    /// Little-endian offsets, 4 bytes each (`string`) or 8 (`large_string`).
    pub offsets: &'a [u8],
    /// Whether the offsets are 8 bytes wide.
    pub large: bool,
    /// The text of every row, back to back.
    pub data: &'a [u8],
    /// The validity bitmap; `None`: every row holds a value.
    pub validity: Option<&'a [u8]>,
    /// The array's offset into `offsets` (entries).
    pub offset: usize,
    /// The array's offset into `validity` (bits).
    pub validity_offset: usize,
}

impl Strings<'_> {
    fn at(&self, i: usize) -> usize {
        let j = self.offset + i;
        if self.large {
            let b = self
                .offsets
                .get(j * 8..j * 8 + 8)
                .and_then(|b| b.try_into().ok());
            b.map_or(usize::MAX, |b| {
                usize::try_from(i64::from_le_bytes(b)).unwrap_or(usize::MAX)
            })
        } else {
            let b = self
                .offsets
                .get(j * 4..j * 4 + 4)
                .and_then(|b| b.try_into().ok());
            b.map_or(usize::MAX, |b| {
                usize::try_from(i32::from_le_bytes(b)).unwrap_or(usize::MAX)
            })
        }
    }

    fn valid(&self, i: usize) -> bool {
        let bit = self.validity_offset + i;
        self.validity
            .is_none_or(|v| v.get(bit / 8).is_some_and(|b| b >> (bit % 8) & 1 == 1))
    }

    /// Why the layout cannot hold `rows` rows, if it cannot.
    fn check(&self, rows: usize) -> Result<(), String> {
        let width = if self.large { 8 } else { 4 };
        let need = self
            .offset
            .checked_add(rows)
            .and_then(|n| n.checked_add(1))
            .and_then(|n| n.checked_mul(width))
            .ok_or_else(|| format!("{rows} rows from offset {} overflow", self.offset))?;
        if self.offsets.len() < need {
            return Err(format!(
                "{} bytes of offsets for {rows} rows from offset {} (need {need})",
                self.offsets.len(),
                self.offset
            ));
        }
        if let Some(v) = self.validity
            && v.len().saturating_mul(8) < self.validity_offset.saturating_add(rows)
        {
            return Err(format!(
                "a validity bitmap of {} bytes for {rows} rows",
                v.len()
            ));
        }
        let mut previous = self.at(0);
        for i in 1..=rows {
            let next = self.at(i);
            if next < previous || next > self.data.len() {
                return Err(format!(
                    "offset {i} ({next}) is outside {previous}..={}",
                    self.data.len()
                ));
            }
            previous = next;
        }
        if previous > self.data.len() {
            return Err(format!(
                "offset 0 is past the data ({} bytes)",
                self.data.len()
            ));
        }
        Ok(())
    }

    /// Row `i` read as a cell of a field of type `kind`.
    fn raw(&self, i: usize, kind: FieldType) -> Raw {
        if !self.valid(i) {
            return Raw::Null;
        }
        match self
            .data
            .get(self.at(i)..self.at(i + 1))
            .map(std::str::from_utf8)
        {
            Some(Ok(s)) => cell(kind, s),
            Some(Err(_)) => Raw::Other("bytes that are not UTF-8".into()),
            None => Raw::Other("a malformed cell".into()),
        }
    }
}

impl Cells<'_> {
    /// Why these cells cannot be `rows` rows, if they cannot.
    fn check(&self, rows: usize) -> Result<(), String> {
        let count = |len: usize, per: usize, what: &str| {
            if Some(len) == rows.checked_mul(per) {
                Ok(())
            } else {
                Err(format!("{len} bytes of {what} for {rows} rows"))
            }
        };
        match self {
            Cells::Numbers(b) => count(b.len(), 8, "64-bit floats"),
            Cells::Bools { values, valid } => {
                count(values.len(), 1, "booleans")?;
                valid.map_or(Ok(()), |v| count(v.len(), 1, "validity"))
            }
            Cells::Strings(s) => s.check(rows),
            Cells::Raws(v) if v.len() == rows => Ok(()),
            Cells::Raws(v) => Err(format!("{} values for {rows} rows", v.len())),
        }
    }

    /// Row `i`'s raw value for a field of type `kind` (`i` within the rows [`Cells::check`]
    /// accepted), with a table's meaning (the module's doc).
    fn raw(&self, i: usize, kind: FieldType) -> Raw {
        match self {
            Cells::Numbers(b) => match b.get(i * 8..i * 8 + 8).and_then(|b| b.try_into().ok()) {
                Some(b) => match f64::from_ne_bytes(b) {
                    v if v.is_nan() => Raw::Null,
                    v => number(kind, v),
                },
                None => Raw::Other("a malformed cell".into()),
            },
            Cells::Bools { values, valid } => {
                if valid.is_some_and(|v| v.get(i) == Some(&0)) {
                    return Raw::Null;
                }
                values.get(i).map_or_else(
                    || Raw::Other("a malformed cell".into()),
                    |&b| Raw::Bool(b != 0),
                )
            }
            Cells::Strings(s) => s.raw(i, kind),
            Cells::Raws(v) => match v.get(i) {
                Some(Raw::Str(s)) => cell(kind, s),
                Some(Raw::Number(x)) => number(kind, *x),
                Some(other) => other.clone(),
                None => Raw::Null,
            },
        }
    }
}

/// A table's text cell, read as a CSV cell for a field of type `kind`.
fn cell(kind: FieldType, text: &str) -> Raw {
    match kind {
        // Text and categories keep their text (a category is trimmed later, as for every
        // input; an empty one is missing, as everywhere).
        FieldType::Text | FieldType::Category => Raw::Str(text.to_string()),
        _ => raw_from_cell(kind, text, &ReadOptions::default()),
    }
}

/// A table's number for a field of type `kind`: a boolean field reads 0 and 1, a text field
/// the number's text (a CSV cell `123` in a text column is the text "123"; pandas made it a
/// number).
fn number(kind: FieldType, v: f64) -> Raw {
    match kind {
        FieldType::Boolean if v == 0.0 => Raw::Bool(false),
        FieldType::Boolean if v == 1.0 => Raw::Bool(true),
        FieldType::Text if v.is_finite() => Raw::Str(v.to_string()),
        _ => Raw::Number(v),
    }
}

/// A column batch matched to a schema: one [`Cells`] per field, in schema order.
#[derive(Debug)]
pub struct Columns<'a> {
    rows: usize,
    cells: Vec<Cells<'a>>,
}

impl<'a> Columns<'a> {
    /// Match named columns to the schema's fields. Every field needs a column
    /// (`MISSING_FIELD` naming every absent one, as for a CSV header); a name given twice is
    /// `DUPLICATE_HEADER`; a column that does not hold `rows` well-formed rows is
    /// `BAD_COLUMN`. Columns the schema does not read are ignored.
    pub fn new(
        schema: &Schema,
        rows: usize,
        named: Vec<(String, Cells<'a>)>,
    ) -> Result<Columns<'a>, Error> {
        let mut slots: Vec<Option<(usize, Cells<'a>)>> =
            schema.fields.iter().map(|_| None).collect();
        for (position, (name, cells)) in named.into_iter().enumerate() {
            let Some(index) = schema.fields.iter().position(|f| f.name == name.trim()) else {
                continue;
            };
            if let Some((first, _)) = &slots[index] {
                return Err(ReadError::DuplicateHeader {
                    name,
                    column: position + 1,
                    first: first + 1,
                }
                .into());
            }
            cells.check(rows).map_err(|reason| ReadError::BadColumn {
                column: name.clone(),
                reason,
            })?;
            slots[index] = Some((position, cells));
        }
        let missing: Vec<String> = schema
            .fields
            .iter()
            .zip(&slots)
            .filter(|(_, s)| s.is_none())
            .map(|(f, _)| f.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns { missing }.into());
        }
        let cells = slots.into_iter().flatten().map(|(_, c)| c).collect();
        Ok(Columns { rows, cells })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Row `row` (0-based) as an instance, checked against `schema` (the one given to
    /// [`Columns::new`]).
    pub fn instance(&self, schema: &Schema, row: usize) -> Result<Instance, Error> {
        Instance::from_raw_at(schema, |index, _| {
            match (self.cells.get(index), schema.fields.get(index)) {
                (Some(c), Some(f)) => c.raw(row, f.kind),
                _ => Raw::Null,
            }
        })
    }

    /// The rows of `range` as instances.
    pub fn instances(&self, schema: &Schema, range: Range<usize>) -> Vec<Result<Instance, Error>> {
        range
            .take_while(|&r| r < self.rows)
            .map(|r| self.instance(schema, r))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Value;
    use crate::schema::{Field, FieldType, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("age", FieldType::Number, true),
                Field::new("sex", FieldType::Category, true),
                Field::new("adult", FieldType::Boolean, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    fn numbers(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    fn offsets(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn arrow_buffers_read_as_the_records_they_hold() {
        let ages = numbers(&[29.0, f64::NAN, 3.0]);
        // A slice of a longer array: offset 1 into ["x", "female", "", "male"], row 1 null.
        let offs = offsets(&[0, 1, 7, 7, 11]);
        let validity = [0b1011u8];
        let sex = Strings {
            offsets: &offs,
            large: false,
            data: b"xfemalemale",
            validity: Some(&validity),
            offset: 1,
            validity_offset: 1,
        };
        let adult = Cells::Bools {
            values: &[1, 0, 0],
            valid: Some(&[1, 1, 0]),
        };
        let cols = Columns::new(
            &schema(),
            3,
            vec![
                ("ignored".into(), Cells::Raws(&[])),
                ("sex".into(), Cells::Strings(sex)),
                ("age".into(), Cells::Numbers(&ages)),
                ("adult".into(), adult),
            ],
        )
        .unwrap();
        let got: Vec<Vec<Value>> = cols
            .instances(&schema(), 0..3)
            .into_iter()
            .map(|r| r.unwrap().values)
            .collect();
        let text = |s: &str| Value::Text(s.into());
        assert_eq!(
            got,
            vec![
                vec![Value::Number(29.0), text("female"), Value::Bool(true)],
                vec![Value::Missing, Value::Missing, Value::Bool(false)],
                vec![Value::Number(3.0), text("male"), Value::Missing],
            ]
        );
    }

    #[test]
    fn cells_are_checked_like_records() {
        let (sex, adult) = ([Raw::Number(1.0)], [Raw::Str("maybe".into())]);
        let ages = numbers(&[f64::INFINITY]);
        let cols = Columns::new(
            &schema(),
            1,
            vec![
                ("age".into(), Cells::Numbers(&ages)),
                ("sex".into(), Cells::Raws(&sex)),
                ("adult".into(), Cells::Raws(&adult)),
            ],
        )
        .unwrap();
        assert_eq!(
            cols.instance(&schema(), 0).unwrap_err().code(),
            "NOT_FINITE"
        );
        let fine = numbers(&[1.0]);
        let cols = Columns::new(
            &schema(),
            1,
            vec![
                ("age".into(), Cells::Numbers(&fine)),
                ("sex".into(), Cells::Raws(&sex)),
                ("adult".into(), Cells::Raws(&adult)),
            ],
        )
        .unwrap();
        let e = cols.instance(&schema(), 0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("WRONG_TYPE", Some("adult")));
    }

    #[test]
    fn a_tables_text_and_numbers_read_as_csv_cells_do() {
        let (age, sex, adult) = (
            [
                Raw::Str("39.0".into()),
                Raw::Str("NA".into()),
                Raw::Str("old".into()),
            ],
            [Raw::Str(" male ".into()), Raw::Number(1.0), Raw::Null],
            [Raw::Number(1.0), Raw::Str("no".into()), Raw::Number(2.0)],
        );
        let cols = Columns::new(
            &schema(),
            3,
            vec![
                (" age ".into(), Cells::Raws(&age)),
                ("sex".into(), Cells::Raws(&sex)),
                ("adult".into(), Cells::Raws(&adult)),
            ],
        )
        .unwrap();
        let rows = cols.instances(&schema(), 0..3);
        let text = |s: &str| Value::Text(s.into());
        assert_eq!(
            rows[0].as_ref().unwrap().values,
            vec![Value::Number(39.0), text("male"), Value::Bool(true)]
        );
        assert_eq!(
            rows[1].as_ref().unwrap().values,
            vec![Value::Missing, text("1"), Value::Bool(false)]
        );
        let e = rows[2].as_ref().unwrap_err();
        assert_eq!((e.code(), e.field()), ("WRONG_TYPE", Some("age")));
        // A number in a text field is its text, as the CSV cell was.
        let mut text_schema = schema();
        text_schema.fields[1] = crate::schema::Field::new("sex", FieldType::Text, true);
        let n = [Raw::Number(123.0)];
        let cols = Columns::new(
            &text_schema,
            1,
            vec![
                ("age".into(), Cells::Raws(&age[..1])),
                ("sex".into(), Cells::Raws(&n)),
                ("adult".into(), Cells::Raws(&adult[..1])),
            ],
        )
        .unwrap();
        assert_eq!(
            cols.instance(&text_schema, 0).unwrap().values[1],
            text("123")
        );
        let two = Columns::new(
            &schema(),
            1,
            vec![
                ("age".into(), Cells::Raws(&age[..1])),
                ("sex".into(), Cells::Raws(&sex[..1])),
                ("adult".into(), Cells::Raws(&adult[2..])),
            ],
        )
        .unwrap();
        let e = two.instance(&schema(), 0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("WRONG_TYPE", Some("adult")));
        // Sizes that overflow are refused, not computed.
        let s = Strings {
            offsets: &[],
            large: true,
            data: b"",
            validity: None,
            offset: usize::MAX,
            validity_offset: 0,
        };
        let e = Columns::new(&schema(), 2, vec![("sex".into(), Cells::Strings(s))]).unwrap_err();
        assert_eq!(e.code(), "BAD_COLUMN");
        let e = Columns::new(
            &schema(),
            usize::MAX,
            vec![("age".into(), Cells::Numbers(&[]))],
        )
        .unwrap_err();
        assert_eq!(e.code(), "BAD_COLUMN");
    }

    #[test]
    fn malformed_or_missing_columns_are_refused_by_name() {
        let short = numbers(&[1.0]);
        let e =
            Columns::new(&schema(), 2, vec![("age".into(), Cells::Numbers(&short))]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_COLUMN", Some("age")));
        let e = Columns::new(&schema(), 0, vec![("age".into(), Cells::Numbers(&[]))]).unwrap_err();
        assert_eq!(e.code(), "MISSING_FIELD");
        assert!(e.to_string().contains("`sex`, `adult`"), "{e}");
        let twice = vec![
            ("age".into(), Cells::Numbers(&[])),
            ("age".into(), Cells::Numbers(&[])),
        ];
        assert_eq!(
            Columns::new(&schema(), 0, twice).unwrap_err().code(),
            "DUPLICATE_HEADER"
        );
        // Offsets that run backwards or past the data.
        for offs in [offsets(&[0, 3, 1]), offsets(&[0, 1, 99]), offsets(&[0, 1])] {
            let s = Strings {
                offsets: &offs,
                large: false,
                data: b"abc",
                validity: None,
                offset: 0,
                validity_offset: 0,
            };
            let e =
                Columns::new(&schema(), 2, vec![("sex".into(), Cells::Strings(s))]).unwrap_err();
            assert_eq!(e.code(), "BAD_COLUMN", "{offs:?}");
        }
        let null = [Raw::Null];
        let long: Vec<u8> = [0i64, 2].iter().flat_map(|x| x.to_le_bytes()).collect();
        let s = Strings {
            offsets: &long,
            large: true,
            data: b"\xff\xfe",
            validity: None,
            offset: 0,
            validity_offset: 0,
        };
        let cols = Columns::new(
            &schema(),
            1,
            vec![
                ("sex".into(), Cells::Strings(s)),
                ("age".into(), Cells::Numbers(&short)),
                ("adult".into(), Cells::Raws(&null)),
            ],
        )
        .unwrap();
        let e = cols.instance(&schema(), 0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("WRONG_TYPE", Some("sex")));
    }
}
