//! One cell of text → the raw value its field expects: missing markers, numbers written
//! with a thousands separator or a decimal comma, trimmed categories.

use std::borrow::Cow;

use super::ReadOptions;
use super::options::DEFAULT_NA_VALUES;
use crate::instance::{Instance, MAX_TEXT_BYTES, Raw, parse_bool_cell};
use crate::schema::{FieldSet, FieldType};
use crate::{Error, InstanceError, Value};

/// Whether a cell means "missing": blank, one of [`DEFAULT_NA_VALUES`] or one of the
/// options' `na_values` (compared trimmed).
pub fn is_missing(cell: &str, options: &ReadOptions) -> bool {
    let t = cell.trim();
    is_default_marker(t) || options.na_values.iter().any(|m| m.trim() == t)
}

/// Bytes every non-empty default marker starts with (checked by a test), and their longest.
const MARKER_FIRST: [u8; 6] = [b'#', b'-', b'1', b'<', b'N', b'n'];
const MARKER_LEN: usize = 8;

/// One of pandas' default markers: the first byte and the length rule out almost every cell
/// (a number, a word) before any comparison.
fn is_default_marker(t: &str) -> bool {
    match t.as_bytes().first() {
        None => true,
        Some(b) if t.len() <= MARKER_LEN && MARKER_FIRST.contains(b) => {
            DEFAULT_NA_VALUES.contains(&t)
        }
        Some(_) => false,
    }
}

/// A number as the options write it (`1,234,567.5`; `3,5` with a decimal comma), or `None`.
///
/// A thousands separator must group the integer part in threes (`1,234` but not `1,23`), so
/// a list such as `1,2` never reads as twelve.
pub fn parse_number(cell: &str, options: &ReadOptions) -> Option<f64> {
    let t = cell.trim();
    if options.thousands.is_none() && options.decimal == '.' {
        return t.parse().ok();
    }
    let (int, frac) = match t.split_once(options.decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let int: Cow<str> = match options.thousands {
        Some(sep) if int.contains(sep) => Cow::Owned(ungroup(int, sep)?),
        _ => Cow::Borrowed(int),
    };
    // A `.` left over is not this file's decimal mark (`3.5` in a decimal-comma file).
    if options.decimal != '.' && (int.contains('.') || frac.is_some_and(|f| f.contains('.'))) {
        return None;
    }
    match frac {
        Some(f) => format!("{int}.{f}").parse().ok(),
        None => int.parse().ok(),
    }
}

/// `1,234,567` → `1234567` when every group after the first has three digits.
fn ungroup(int: &str, sep: char) -> Option<String> {
    let (sign, digits) = match int.strip_prefix(['-', '+']) {
        Some(rest) => (&int[..1], rest),
        None => ("", int),
    };
    let mut groups = digits.split(sep);
    let first = groups.next()?;
    let is_digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !is_digits(first) {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for g in groups {
        if g.len() != 3 || !is_digits(g) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

/// A cell read as the raw value a field of type `kind` expects; [`Instance::from_raw`]
/// then applies the same rules as for JSON.
pub fn raw_from_cell(kind: FieldType, cell: &str, options: &ReadOptions) -> Raw {
    if is_missing(cell, options) {
        return Raw::Null;
    }
    match kind {
        FieldType::Number | FieldType::Integer => {
            parse_number(cell, options).map_or_else(|| Raw::Str(cell.to_string()), Raw::Number)
        }
        FieldType::Boolean | FieldType::Category => Raw::Str(cell.trim().to_string()),
        FieldType::Text => Raw::Str(cell.to_string()),
    }
}

/// Where each schema field sits in a header.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Per schema field, its 0-based column (`None`: absent from the header).
    pub index: Vec<Option<usize>>,
}

impl Columns {
    /// The schema fields the header lacks, in schema order (a caller that wants a file-level
    /// error for them raises it here; absent fields otherwise read as missing).
    pub fn absent<'s, S: FieldSet + ?Sized>(&self, schema: &'s S) -> Vec<&'s str> {
        schema
            .fields()
            .iter()
            .zip(&self.index)
            .filter(|(_, c)| c.is_none())
            .map(|(f, _)| f.name.as_str())
            .collect()
    }
}

/// Map each schema field to its column in a CSV header (names compared trimmed).
pub fn csv_columns<S: FieldSet + ?Sized>(schema: &S, header: &csv::StringRecord) -> Columns {
    Columns {
        index: schema
            .fields()
            .iter()
            .map(|f| header.iter().position(|h| h.trim() == f.name))
            .collect(),
    }
}

/// Parse a CSV record given each schema field's column (from [`csv_columns`]).
// Not inlined: its two wasm callers (predictCsv, a CSV request body) share one copy.
#[inline(never)]
pub fn instance_from_record<S: FieldSet + ?Sized>(
    schema: &S,
    columns: &[Option<usize>],
    record: &csv::StringRecord,
    options: &ReadOptions,
) -> Result<Instance, Error> {
    let cell_of = |i: usize| {
        columns
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| record.get(c))
            .unwrap_or("")
    };
    match clean_instance(schema, &cell_of, options) {
        Some(instance) => Ok(instance),
        None => raw_instance(schema, &cell_of, options),
    }
}

/// The record read cell by cell as [`Raw`] values and checked by [`Instance::from_raw`], the
/// path every input shares: what says why a record does not read.
fn raw_instance<'c, S: FieldSet + ?Sized>(
    schema: &S,
    cell_of: &dyn Fn(usize) -> &'c str,
    options: &ReadOptions,
) -> Result<Instance, Error> {
    let mut cells = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| raw_from_cell(field.kind, cell_of(i), options));
    Instance::from_raw(schema, |_| cells.next().unwrap_or(Raw::Null)).map_err(|e| {
        let at = e
            .field()
            .and_then(|f| schema.fields().iter().position(|x| x.name == f));
        match at {
            Some(i) => with_hint(e, cell_of(i), options),
            None => e,
        }
    })
}

/// A record whose every cell reads cleanly, in one pass with one allocation per string
/// value: the values [`Instance::from_raw`] gives for it. `None` for anything else (a wrong
/// type, a missing required value, a text too long), which the full path reads and describes.
fn clean_instance<'c, S: FieldSet + ?Sized>(
    schema: &S,
    cell_of: &dyn Fn(usize) -> &'c str,
    options: &ReadOptions,
) -> Option<Instance> {
    let fields = schema.fields();
    let mut values = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        let cell = cell_of(i);
        let trimmed = cell.trim();
        let value = if is_missing(trimmed, options) {
            if !field.nullable {
                return None;
            }
            Value::Missing
        } else {
            match field.kind {
                FieldType::Number | FieldType::Integer => {
                    let v = parse_number(trimmed, options)?;
                    let whole = field.kind == FieldType::Number || v.fract() == 0.0;
                    if !v.is_finite() || !whole {
                        return None;
                    }
                    Value::Number(v)
                }
                // Categories are compared trimmed; a text is kept as written.
                FieldType::Category if trimmed.len() <= MAX_TEXT_BYTES => {
                    Value::Text(trimmed.to_string())
                }
                FieldType::Text if cell.len() <= MAX_TEXT_BYTES => Value::Text(cell.to_string()),
                FieldType::Boolean => Value::Bool(parse_bool_cell(trimmed)?),
                FieldType::Category | FieldType::Text => return None,
            }
        };
        values.push(value);
    }
    Some(Instance { values })
}

/// A number cell that did not read says how it could: a missing marker the options do not
/// list (`?`, `-`), or separators they do not declare (`1.234,5`).
fn with_hint(e: Error, cell: &str, options: &ReadOptions) -> Error {
    let Error::Instance {
        row,
        source:
            InstanceError::WrongType {
                field,
                expected,
                found,
            },
    } = e
    else {
        return e;
    };
    let hint = number_hint(cell, options).map_or_else(String::new, |h| format!("; {h}"));
    Error::Instance {
        row,
        source: InstanceError::WrongType {
            field,
            expected,
            found: format!("{found}{hint}"),
        },
    }
}

/// How `cell` would read as a number or a missing value, if some reading option says so.
fn number_hint(cell: &str, options: &ReadOptions) -> Option<String> {
    let t = cell.trim();
    if !t.is_empty() && t.chars().count() <= 12 && !t.bytes().any(|b| b.is_ascii_digit()) {
        return Some(format!(
            "if {t:?} marks a missing value, declare it: --na-values '{t}' (spec: na_values)"
        ));
    }
    let ways = [
        (Some(','), '.'),
        (Some('.'), ','),
        (None, ','),
        (Some(' '), ','),
    ];
    ways.into_iter().find_map(|(thousands, decimal)| {
        let o = ReadOptions {
            thousands,
            decimal,
            ..options.clone()
        };
        parse_number(t, &o)?;
        let mut flags = Vec::new();
        if let Some(sep) = thousands.filter(|s| t.contains(*s)) {
            flags.push(format!("--thousands '{sep}'"));
        }
        if decimal != '.' {
            flags.push(format!("--decimal '{decimal}'"));
        }
        (!flags.is_empty()).then(|| {
            format!(
                "a number written with separators? read with {} (spec: thousands, decimal)",
                flags.join(" ")
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(thousands: Option<char>, decimal: char) -> ReadOptions {
        ReadOptions {
            thousands,
            decimal,
            ..ReadOptions::default()
        }
    }

    /// The one-pass reading gives what the full path gives on every cell it accepts, and
    /// leaves every cell the full path rejects to it.
    #[test]
    fn the_clean_record_path_reads_as_the_full_path() {
        use crate::schema::{Field, Label, Schema, Task};
        let field = Field::new;
        let schema = Schema {
            fields: vec![
                field("n", FieldType::Number, true),
                field("i", FieldType::Integer, true),
                field("c", FieldType::Category, true),
                field("t", FieldType::Text, true),
                field("b", FieldType::Boolean, true),
                field("r", FieldType::Number, false),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        let cells = [
            "", " ", "1", " 2.5 ", "-0", "3.0", "1e3", "NaN", "inf", "-inf", "1,234", "N/A", "nan",
            "#N/A N/A", "NULL", "None", "null", "yes", "No", " TRUE ", "t", "0", "x y", " padded ",
            "ü", "?", "1.#IND",
        ];
        let options = [
            ReadOptions::default(),
            ReadOptions {
                na_values: vec!["?".into()],
                thousands: Some(','),
                ..ReadOptions::default()
            },
        ];
        let mut fast = 0;
        for o in &options {
            for (k, a) in cells.iter().enumerate() {
                // Each cell in every column, next to other cells.
                let row = [*a, *a, *a, *a, *a, cells[(k + 3) % cells.len()]];
                let cell_of = |i: usize| row[i];
                let full = raw_instance(&schema, &cell_of, o);
                match clean_instance(&schema, &cell_of, o) {
                    Some(clean) => {
                        fast += 1;
                        assert_eq!(Ok(clean), full.map_err(|e| e.to_string()), "{row:?}");
                    }
                    None => assert!(full.is_err(), "{row:?} reads: {full:?}"),
                }
                for col in 0..row.len() {
                    let mut one = ["1", "2", "x", "text", "yes", "3"];
                    one[col] = a;
                    let cell_of = |i: usize| one[i];
                    let full = raw_instance(&schema, &cell_of, o);
                    match clean_instance(&schema, &cell_of, o) {
                        Some(clean) => {
                            fast += 1;
                            assert_eq!(Ok(clean), full.map_err(|e| e.to_string()), "{one:?}");
                        }
                        None => assert!(full.is_err(), "{one:?} reads: {full:?}"),
                    }
                }
            }
        }
        assert!(fast > 100, "{fast}");
    }

    #[test]
    fn a_number_cell_that_does_not_read_says_which_reading_option_would_read_it() {
        let d = ReadOptions::default();
        assert!(number_hint("?", &d).unwrap().contains("--na-values '?'"));
        assert!(number_hint(" - ", &d).unwrap().contains("--na-values '-'"));
        let eu = number_hint("1.234,5", &d).unwrap();
        assert!(eu.contains("--thousands '.' --decimal ','"), "{eu}");
        assert!(number_hint("3,5", &d).unwrap().contains("--decimal ','"));
        let us = number_hint("1,234,567", &d).unwrap();
        assert!(us.contains("read with --thousands ',' (spec"), "{us}");
        assert_eq!(number_hint("12abc", &d), None);
        assert_eq!(number_hint("forty-two years old", &d), None);
    }

    #[test]
    fn the_marker_prefilter_covers_every_default_marker() {
        for m in DEFAULT_NA_VALUES {
            assert!(m.len() <= MARKER_LEN, "{m:?}");
            if let Some(b) = m.as_bytes().first() {
                assert!(MARKER_FIRST.contains(b), "{m:?}");
            }
            assert!(is_default_marker(m), "{m:?}");
        }
        for cell in ["no", "nano", "1", "12", "-3", "NAN", "Nope", "#N", "<na>"] {
            assert!(!is_default_marker(cell), "{cell:?}");
        }
    }

    #[test]
    fn every_pandas_default_marker_and_user_markers_read_as_missing() {
        let o = ReadOptions {
            na_values: vec!["?".into(), "-".into()],
            ..ReadOptions::default()
        };
        for m in DEFAULT_NA_VALUES {
            assert!(is_missing(m, &ReadOptions::default()), "{m:?}");
        }
        assert!(is_missing(" ? ", &o) && is_missing("-", &o));
        assert!(!is_missing("?", &ReadOptions::default()));
        assert!(!is_missing("0", &o) && !is_missing("nothing", &o));
    }

    #[test]
    fn numbers_read_with_thousands_separators_and_decimal_commas() {
        let us = opts(Some(','), '.');
        assert_eq!(parse_number("1,234,567", &us), Some(1_234_567.0));
        assert_eq!(parse_number("-1,234.5", &us), Some(-1234.5));
        assert_eq!(parse_number("12", &us), Some(12.0));
        assert_eq!(parse_number("1,23", &us), None, "groups of three only");
        assert_eq!(parse_number("1,2345", &us), None);
        let eu = opts(Some('.'), ',');
        assert_eq!(parse_number("1.234.567,25", &eu), Some(1_234_567.25));
        assert_eq!(parse_number("3,5", &eu), Some(3.5));
        let comma = opts(None, ',');
        assert_eq!(parse_number("3,5", &comma), Some(3.5));
        assert_eq!(
            parse_number("3.5", &comma),
            None,
            "a dot is not this file's mark"
        );
        assert_eq!(parse_number("1,234", &ReadOptions::default()), None);
    }

    #[test]
    fn absent_columns_are_listed_in_schema_order() {
        let schema: crate::Schema = serde_json::from_value(serde_json::json!({
            "fields": [
                {"name": "a", "type": "number", "nullable": true},
                {"name": "b", "type": "number", "nullable": true},
                {"name": "c", "type": "number", "nullable": true}
            ],
            "label": {"name": "y", "task": {"kind": "regression"}}
        }))
        .unwrap();
        let header = csv::StringRecord::from(vec!["b", "x"]);
        let cols = csv_columns(&schema, &header);
        assert_eq!(cols.index, vec![None, Some(0), None]);
        assert_eq!(cols.absent(&schema), vec!["a", "c"]);
    }
}
