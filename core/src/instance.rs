//! Raw instances: one example of the business object, with typed values aligned to a schema.
//!
//! Instances are parsed from JSON objects (the JS package, JSON Lines files, HTTP bodies) or
//! from CSV records. Parsing checks every field against the schema and reports the first
//! problem as a structured [`InstanceError`] naming the field.

use serde_json::{Map, Value as Json};

use crate::read::ReadOptions;
use crate::schema::{FieldSet, FieldType, Schema};
use crate::{Error, InstanceError};

/// Longest text value accepted, in bytes. Longer values are rejected, not truncated.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// One typed field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Absent or null.
    Missing,
    /// A finite number (number and integer fields).
    Number(f64),
    /// A string (category and text fields).
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// A raw field value before it is checked against the schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// Absent, `null` or `undefined`.
    Null,
    /// A number (possibly NaN or infinite: checked later).
    Number(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// Anything else, described for the error message (`an array`, `bigint`).
    Other(String),
}

impl Raw {
    /// The raw value of a JSON value (`None`: the key is absent).
    pub fn from_json(value: Option<&Json>) -> Raw {
        match value {
            None | Some(Json::Null) => Raw::Null,
            Some(Json::Number(n)) => n
                .as_f64()
                .map_or_else(|| Raw::Other(format!("number {n}")), Raw::Number),
            Some(Json::String(s)) => Raw::Str(s.clone()),
            Some(Json::Bool(b)) => Raw::Bool(*b),
            Some(other) => Raw::Other(json_kind(other)),
        }
    }

    /// How an error message names the value (`string "abc"`, `number 3`, `an array`).
    pub fn describe(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Number(v) => format!("number {v}"),
            Raw::Str(s) => describe_str(s),
            Raw::Bool(b) => format!("boolean {b}"),
            Raw::Other(k) => k.clone(),
        }
    }
}

/// A raw instance: one [`Value`] per schema field, in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Values aligned with [`Schema::fields`].
    pub values: Vec<Value>,
}

/// Parse a boolean word the way CSV files spell it.
pub fn parse_bool_cell(cell: &str) -> Option<bool> {
    const TRUE: [&str; 5] = ["true", "yes", "y", "t", "1"];
    const FALSE: [&str; 5] = ["false", "no", "n", "f", "0"];
    let t = cell.trim();
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(t));
    if is(&TRUE) {
        Some(true)
    } else if is(&FALSE) {
        Some(false)
    } else {
        None
    }
}

fn json_kind(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("boolean {b}"),
        Json::Number(n) => format!("number {n}"),
        Json::String(s) => describe_str(s),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// `string "abc"`, cut to 40 characters so a 10 MB value never lands in a message.
fn describe_str(s: &str) -> String {
    let shown: String = s.chars().take(40).collect();
    if shown.len() < s.len() {
        format!("string {shown:?}...")
    } else {
        format!("string {shown:?}")
    }
}

fn check_number(field: &str, kind: FieldType, v: f64) -> Result<Value, InstanceError> {
    if !v.is_finite() {
        return Err(InstanceError::NotFinite {
            field: field.into(),
            value: crate::short::number(v),
        });
    }
    if kind == FieldType::Integer && v.fract() != 0.0 {
        return Err(InstanceError::NotInteger {
            field: field.into(),
            value: crate::short::number(v),
        });
    }
    Ok(Value::Number(v))
}

fn check_text(field: &str, s: &str) -> Result<Value, InstanceError> {
    if s.len() > MAX_TEXT_BYTES {
        return Err(InstanceError::TooLong {
            field: field.into(),
            len: s.len(),
            limit: MAX_TEXT_BYTES,
        });
    }
    Ok(Value::Text(s.to_string()))
}

impl Instance {
    /// Parse a JSON value that must be an object keyed by field name.
    ///
    /// Unknown keys are ignored (so a record that still carries its label is accepted).
    pub fn from_json<S: FieldSet + ?Sized>(schema: &S, json: &Json) -> Result<Instance, Error> {
        match json {
            Json::Object(map) => Self::from_json_map(schema, map),
            other => Err(InstanceError::NotAnObject {
                found: json_kind(other),
            }
            .into()),
        }
    }

    /// Parse a JSON object keyed by field name.
    pub fn from_json_map<S: FieldSet + ?Sized>(
        schema: &S,
        map: &Map<String, Json>,
    ) -> Result<Instance, Error> {
        Self::from_raw(schema, |name| Raw::from_json(map.get(name)))
    }

    /// Build an instance from a lookup of raw values by field name.
    ///
    /// This is the one place where raw values are checked against the schema; the JSON
    /// parser above and the JavaScript binding both go through it.
    pub fn from_raw<S: FieldSet + ?Sized>(
        schema: &S,
        mut get: impl FnMut(&str) -> Raw,
    ) -> Result<Instance, Error> {
        Self::from_raw_at(schema, |_, name| get(name))
    }

    /// [`Instance::from_raw`] with a lookup by the field's position in the schema as well as
    /// its name (column batches hold their columns in schema order).
    pub fn from_raw_at<S: FieldSet + ?Sized>(
        schema: &S,
        mut get: impl FnMut(usize, &str) -> Raw,
    ) -> Result<Instance, Error> {
        let mut values = Vec::with_capacity(schema.fields().len());
        for (index, field) in schema.fields().iter().enumerate() {
            let name = field.name.as_str();
            let raw = match get(index, name) {
                // An empty string means "no value" in every input path (CSV, JSON, JS forms).
                Raw::Str(s) if s.trim().is_empty() => Raw::Null,
                // Categories are compared trimmed everywhere, as CSV cells always were.
                Raw::Str(s) if field.kind == FieldType::Category && s.trim().len() != s.len() => {
                    Raw::Str(s.trim().to_string())
                }
                other => other,
            };
            let wrong = |found: &Raw| InstanceError::WrongType {
                field: name.into(),
                expected: field.kind.describe().into(),
                found: found.describe(),
            };
            let value = match (field.kind, &raw) {
                (_, Raw::Null) => Value::Missing,
                (FieldType::Number | FieldType::Integer, Raw::Number(v)) => {
                    check_number(name, field.kind, *v)?
                }
                (FieldType::Category | FieldType::Text, Raw::Str(s)) => check_text(name, s)?,
                // A category spelled as a number or boolean ("class": 1) means its text.
                (FieldType::Category, Raw::Number(v)) if v.is_finite() => {
                    Value::Text(v.to_string())
                }
                (FieldType::Category, Raw::Bool(b)) => Value::Text(b.to_string()),
                (FieldType::Boolean, Raw::Bool(b)) => Value::Bool(*b),
                (FieldType::Boolean, Raw::Str(s)) => {
                    Value::Bool(parse_bool_cell(s).ok_or_else(|| wrong(&raw))?)
                }
                _ => return Err(wrong(&raw).into()),
            };
            values.push(Self::check_missing(field.nullable, name, value)?);
        }
        Ok(Instance { values })
    }

    /// Parse a CSV record given the header → schema column mapping from [`csv_columns`],
    /// with the default reading options ([`crate::read::instance_from_record`] takes them).
    pub fn from_csv_record(
        schema: &Schema,
        columns: &[Option<usize>],
        record: &csv::StringRecord,
    ) -> Result<Instance, Error> {
        crate::read::instance_from_record(schema, columns, record, &ReadOptions::default())
    }

    fn check_missing(nullable: bool, name: &str, value: Value) -> Result<Value, InstanceError> {
        if value == Value::Missing && !nullable {
            return Err(InstanceError::MissingField { field: name.into() });
        }
        Ok(value)
    }
}

/// Map each schema field to its column in a CSV header (`None`: absent); see
/// [`crate::read::csv_columns`], which also names the absent fields.
pub fn csv_columns(schema: &Schema, header: &csv::StringRecord) -> Vec<Option<usize>> {
    crate::read::csv_columns(schema, header).index
}

/// Read every record of a CSV file into instances with the default reading options (a
/// sniffed delimiter, pandas' missing markers); see [`crate::read::read_csv`].
pub fn read_csv<R: std::io::Read>(
    schema: &Schema,
    reader: R,
) -> Result<Vec<Result<Instance, Error>>, Error> {
    crate::read::read_csv(schema, reader, &ReadOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Field, Label, Task};
    use serde_json::json;

    fn schema() -> Schema {
        let mut sex = Field::new("sex", FieldType::Category, false);
        sex.categories = Some(vec!["female".into(), "male".into()]);
        Schema {
            fields: vec![
                Field::new("age", FieldType::Number, true),
                sex,
                Field::new("n", FieldType::Integer, false),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Classification {
                    classes: vec!["no".into(), "yes".into()],
                },
            },
        }
    }

    #[test]
    fn parses_json() {
        let i =
            Instance::from_json(&schema(), &json!({"age": null, "sex": "male", "n": 3})).unwrap();
        assert_eq!(
            i.values,
            vec![
                Value::Missing,
                Value::Text("male".into()),
                Value::Number(3.0)
            ]
        );
    }

    #[test]
    fn json_errors_name_the_field() {
        let s = schema();
        let e = Instance::from_json(&s, &json!({"age": 1, "n": 3})).unwrap_err();
        assert_eq!((e.code(), e.field()), ("MISSING_FIELD", Some("sex")));
        let e = Instance::from_json(&s, &json!({"age": "old", "sex": "m", "n": 3})).unwrap_err();
        assert_eq!((e.code(), e.field()), ("WRONG_TYPE", Some("age")));
        let e = Instance::from_json(&s, &json!({"sex": "m", "n": 3.5})).unwrap_err();
        assert_eq!((e.code(), e.field()), ("NOT_INTEGER", Some("n")));
        let e = Instance::from_json(&s, &json!([1, 2])).unwrap_err();
        assert_eq!((e.code(), e.field()), ("NOT_AN_OBJECT", None));
    }

    #[test]
    fn csv_rows_keep_going_and_carry_row_numbers() {
        let data = "age,sex,n\n1,male,2\ninf,male,2\n3,female\n,female,x\n";
        let rows = read_csv(&schema(), data.as_bytes()).unwrap();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_ok());
        let e = rows[1].as_ref().unwrap_err();
        assert_eq!(
            (e.code(), e.field(), e.row()),
            ("NOT_FINITE", Some("age"), Some(2))
        );
        let e = rows[2].as_ref().unwrap_err();
        assert_eq!((e.code(), e.row()), ("CSV", Some(3)));
        let e = rows[3].as_ref().unwrap_err();
        assert_eq!(
            (e.code(), e.field(), e.row()),
            ("WRONG_TYPE", Some("n"), Some(4))
        );
    }
}
