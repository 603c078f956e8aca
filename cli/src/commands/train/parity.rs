//! `--emit-parity DIR` (hidden; for the parity tests): the validation rows as raw instances,
//! and what every engine computed on them, for the Node, Chromium and Python suites.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde_json::{Value as Json, json};
use tandem_core::prep::TransformOptions;
use tandem_core::{Instance, Model, Schema, Value};
use tandem_tracking::local::write_atomic;
use tandem_train::Outcome;

/// Write `instances.jsonl` and `reference.json` into `dir`.
pub fn write(dir: &Path, outcome: &Outcome) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let schema = &outcome.bundle.schema;
    let runtime = Model::load(&outcome.bytes).map_err(|e| crate::commands::core_error(&e))?;
    let v = &outcome.validation;
    let mut jsonl = String::new();
    for inst in &v.instances {
        jsonl.push_str(&serde_json::to_string(&instance_json(schema, inst))?);
        jsonl.push('\n');
    }
    let (width, n_out) = (v.width, v.n_outputs);
    let rows: Vec<Json> = v
        .instances
        .iter()
        .enumerate()
        .map(|(i, inst)| {
            let features = &v.features[i * width..(i + 1) * width];
            let out = |o: &[f32]| o[i * n_out..(i + 1) * n_out].to_vec();
            let burn = out(&v.outputs.burn);
            let prediction = runtime
                .predict(inst, TransformOptions::default())
                .map(|p| serde_json::to_value(p).unwrap_or(Json::Null))
                .unwrap_or(Json::Null);
            json!({
                "feature_bits": features.iter().map(|f| f.to_bits()).collect::<Vec<_>>(),
                "features": features,
                "burn_outputs": burn,
                "dense_outputs": out(&v.outputs.dense),
                "tract_outputs": out(&v.outputs.tract),
                "burn_probabilities": tandem_core::prediction::softmax(&burn),
                "native_prediction": prediction,
            })
        })
        .collect();
    write_atomic(&dir.join("instances.jsonl"), jsonl.as_bytes())?;
    let reference = json!({ "task": schema.label.task, "rows": rows });
    write_atomic(
        &dir.join("reference.json"),
        &serde_json::to_vec(&reference)?,
    )?;
    Ok(())
}

fn instance_json(schema: &Schema, inst: &Instance) -> Json {
    let mut map = serde_json::Map::new();
    for (f, v) in schema.fields.iter().zip(&inst.values) {
        let j = match v {
            Value::Missing => Json::Null,
            Value::Number(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
        };
        map.insert(f.name.clone(), j);
    }
    Json::Object(map)
}
