//! The background sample: raw training rows, as users would send them, stored in the bundle
//! (`background.json`) at training time. An explanation's base value is the model's mean
//! prediction over these rows, and a field "absent" from a coalition takes their values.
//!
//! They are training data that ship with the model: a bundle served to browsers carries
//! them. Their number is set at training (`[explain] background`, 0 for none).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::instance::{Instance, Value};
use crate::schema::Schema;

/// Rows in the background sample unless the spec says otherwise.
pub const DEFAULT_BACKGROUND_ROWS: usize = 32;

/// The `background.json` part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Background {
    /// The seed the rows were drawn with.
    pub seed: u64,
    /// Rows of the training split drawn (without replacement) from.
    pub population: usize,
    /// The rows: field name → raw value; an absent key is a missing value.
    pub rows: Vec<Map<String, Json>>,
}

impl Background {
    /// The rows parsed against `schema` (the first row that does not parse is the error).
    pub fn instances(&self, schema: &Schema) -> Result<Vec<Instance>, crate::Error> {
        self.rows
            .iter()
            .map(|r| Instance::from_json_map(schema, r))
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
            rows: idx[..take]
                .iter()
                .map(|&i| row_json(schema, &train[i]))
                .collect(),
        }
    }
}

/// An instance as the JSON object a user would send (missing values left out).
pub fn row_json(schema: &Schema, instance: &Instance) -> Map<String, Json> {
    let mut row = Map::new();
    for (field, value) in schema.fields.iter().zip(&instance.values) {
        let json = match value {
            Value::Missing => continue,
            Value::Number(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
        };
        row.insert(field.name.clone(), json);
    }
    row
}
