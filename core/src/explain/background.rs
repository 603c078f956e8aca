//! The background sample: raw training rows, as users would send them, stored in the bundle
//! (`background.json`) at training time. An explanation's base value is the model's mean
//! prediction over these rows, and a field "absent" from a coalition takes their values.
//!
//! They are training data that ship with the model: a bundle served to browsers carries
//! them. Their number is set at training (`[explain] background`, 0 for none).
//!
//! The part is `{seed, population, fields, rows}`, each row an array of raw values in
//! `fields` order (`null` for a missing value): compact, and read without a generic JSON
//! value (which would cost the wasm package a second JSON object model).

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;
use serde::ser::Serializer;

use crate::instance::{Instance, Raw, Value};
use crate::schema::Schema;

/// Rows in the background sample unless the spec says otherwise.
pub const DEFAULT_BACKGROUND_ROWS: usize = 32;

/// The `background.json` part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Background {
    /// The seed the rows were drawn with.
    pub seed: u64,
    /// Rows of the training split drawn (without replacement) from.
    pub population: usize,
    /// The field each column of `rows` holds.
    pub fields: Vec<String>,
    /// The rows: one raw value per field.
    pub rows: Vec<Vec<Cell>>,
}

/// One raw value of a background row: `null`, a number, a string or a boolean.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell(pub Raw);

impl Background {
    /// The rows parsed against `schema` (the first row that does not parse is the error; a
    /// schema field the part does not list is missing in every row).
    pub fn instances(&self, schema: &Schema) -> Result<Vec<Instance>, crate::Error> {
        let column: Vec<Option<usize>> = schema
            .fields
            .iter()
            .map(|f| self.fields.iter().position(|n| *n == f.name))
            .collect();
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let mut at = 0;
                Instance::from_raw(schema, |_| {
                    let cell = column[at].and_then(|c| row.get(c));
                    at += 1;
                    cell.map_or(Raw::Null, |c| c.0.clone())
                })
                .map_err(|e| e.at_row(r + 1))
            })
            .collect()
    }

    /// `size` rows of `train` drawn without replacement with `seed` (all of them when there
    /// are fewer), in the order drawn.
    pub fn sample(schema: &Schema, train: &[Instance], size: usize, seed: u64) -> Background {
        let mut rng = super::rng::SplitMix64::new(seed);
        let mut idx: Vec<usize> = (0..train.len()).collect();
        let take = size.min(train.len());
        for i in 0..take {
            let j = i + rng.below((train.len() - i) as u64) as usize;
            idx.swap(i, j);
        }
        Background {
            seed,
            population: train.len(),
            fields: schema.fields.iter().map(|f| f.name.clone()).collect(),
            rows: idx[..take]
                .iter()
                .map(|&i| train[i].values.iter().map(Cell::of).collect())
                .collect(),
        }
    }
}

impl Cell {
    fn of(value: &Value) -> Cell {
        Cell(match value {
            Value::Missing => Raw::Null,
            Value::Number(x) => Raw::Number(*x),
            Value::Text(s) => Raw::Str(s.clone()),
            Value::Bool(b) => Raw::Bool(*b),
        })
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Raw::Number(x) if x.is_finite() => s.serialize_f64(*x),
            Raw::Str(v) => s.serialize_str(v),
            Raw::Bool(b) => s.serialize_bool(*b),
            Raw::Null | Raw::Number(_) | Raw::Other(_) => s.serialize_unit(),
        }
    }
}

impl FromJson for Cell {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        Ok(Cell(match value {
            Json::Null => Raw::Null,
            Json::Bool(b) => Raw::Bool(*b),
            Json::Number(_) => Raw::Number(f64::from_json(value)?),
            Json::Str(s) => Raw::Str(s.to_string()),
            other => {
                return Err(DecodeError::expected(
                    "null, a number, a string or a boolean",
                    other,
                ));
            }
        }))
    }
}

impl FromJson for Background {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Background {
            seed: o.req("seed")?,
            population: o.req("population")?,
            fields: o.req("fields")?,
            rows: o.req("rows")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::{Field, FieldType, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("age", FieldType::Number, true),
                Field::new("sex", FieldType::Category, true),
                Field::new("member", FieldType::Boolean, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    #[test]
    fn rows_round_trip_through_the_part_and_are_drawn_by_the_seed() {
        let rows: Vec<Instance> = (0..10)
            .map(|i| Instance {
                values: vec![
                    if i == 3 {
                        Value::Missing
                    } else {
                        Value::Number(0.1 * f64::from(i))
                    },
                    Value::Text(format!("s{i}")),
                    Value::Bool(i % 2 == 0),
                ],
            })
            .collect();
        let b = Background::sample(&schema(), &rows, 6, 9);
        assert_eq!(b.rows.len(), 6);
        assert_eq!(b, Background::sample(&schema(), &rows, 6, 9));
        let json = serde_json::to_string(&b).unwrap();
        let back: Background = crate::json::decode::from_slice(json.as_bytes()).unwrap();
        let parsed = back.instances(&schema()).unwrap();
        let mut drawn: Vec<&Instance> = parsed.iter().collect();
        for p in &parsed {
            assert!(rows.contains(p), "{p:?} is a training row");
        }
        drawn.dedup();
        assert_eq!(drawn.len(), 6, "without replacement");
        assert_eq!(Background::sample(&schema(), &rows, 50, 9).rows.len(), 10);
    }

    #[test]
    fn a_row_that_does_not_parse_is_named() {
        let json =
            r#"{"seed":0,"population":3,"fields":["age","sex"],"rows":[[1,"a"],["old","b"]]}"#;
        let b: Background = crate::json::decode::from_slice(json.as_bytes()).unwrap();
        let e = b.instances(&schema()).unwrap_err();
        assert_eq!((e.code(), e.row()), ("WRONG_TYPE", Some(2)));
        let nested = r#"{"seed":0,"population":3,"fields":["age"],"rows":[[[1]]]}"#;
        assert!(crate::json::decode::from_slice::<Background>(nested.as_bytes()).is_err());
    }
}
