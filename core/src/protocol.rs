//! MLflow's scoring protocol (`POST /invocations`), implemented once for every server: the
//! native `tandem serve` and the edge worker (through the wasm package) answer the same bytes
//! with the same bytes.
//!
//! Accepted bodies:
//! - `application/json` with exactly one of
//!   `dataframe_split` (`{ "columns": [...], "data": [[...], ...] }`),
//!   `dataframe_records` (`[{...}, ...]`), `instances` (`[{...}, ...]`) or
//!   `inputs` (`{ "col": [...], ... }` columns, or `[{...}, ...]` records),
//!   plus optional `params`: `{ "strict": bool, "range": "warn" | "clip" | "error" }`;
//! - `text/csv` with a header row.
//!
//! The answer is `{"predictions": [...]}` (one `{label, probabilities}` or `{value}` per row,
//! with `warnings` when a number is outside the training range). Any invalid row fails the
//! request with 400 and names the row and field, as MLflow does.

use serde_json::{Map, Value as Json, json};

use crate::instance::{Instance, csv_columns};
use crate::prep::{RangePolicy, TransformOptions};
use crate::{Error, Model};

/// A request the protocol refuses: HTTP status, MLflow error code, message, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolError {
    /// 400 or 415.
    pub status: u16,
    /// `BAD_REQUEST` or `UNSUPPORTED_MEDIA_TYPE` (MLflow's codes).
    pub error_code: &'static str,
    /// What and why.
    pub message: String,
    /// Tandem's own code for an instance error (`MISSING_FIELD`, ...).
    pub code: Option<&'static str>,
    /// The row (0-based) that failed.
    pub row: Option<usize>,
    /// The field concerned.
    pub field: Option<String>,
}

impl ProtocolError {
    fn bad(message: impl Into<String>) -> Self {
        ProtocolError {
            status: 400,
            error_code: "BAD_REQUEST",
            message: message.into(),
            code: None,
            row: None,
            field: None,
        }
    }

    /// The JSON body of the error response.
    pub fn body(&self) -> Json {
        let mut o = json!({ "error_code": self.error_code, "message": self.message });
        if let Some(c) = self.code {
            o["code"] = json!(c);
        }
        if let Some(r) = self.row {
            o["row"] = json!(r);
        }
        if let Some(f) = &self.field {
            o["field"] = json!(f);
        }
        o
    }
}

/// The content types `/invocations` accepts.
pub const CONTENT_TYPES: &str = "application/json, text/csv";

/// Answer one `/invocations` request.
pub fn invocations(model: &Model, content_type: &str, body: &[u8]) -> Result<Json, ProtocolError> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (rows, options) = match media.as_str() {
        "application/json" => parse_json(model, body)?,
        "text/csv" => (parse_csv(model, body)?, TransformOptions::default()),
        other => {
            return Err(ProtocolError {
                status: 415,
                error_code: "UNSUPPORTED_MEDIA_TYPE",
                message: format!(
                    "content type {:?} is not supported; use one of: {CONTENT_TYPES}",
                    if other.is_empty() { "(none)" } else { other }
                ),
                code: None,
                row: None,
                field: None,
            });
        }
    };
    let instances: Vec<Result<Instance, Error>> = rows;
    let results = model
        .predict_batch(&instances, options)
        .map_err(|e| ProtocolError::bad(e.to_string()))?;
    let mut predictions = Vec::with_capacity(results.len());
    for (i, (r, inst)) in results.into_iter().zip(&instances).enumerate() {
        let p = r.map_err(|e| row_error(i, &e))?;
        let mut v = serde_json::to_value(&p).map_err(|e| ProtocolError::bad(e.to_string()))?;
        if let Ok(inst) = inst {
            let warnings = model.range_warnings(inst);
            if !warnings.is_empty() {
                v["warnings"] = serde_json::to_value(&warnings).unwrap_or(Json::Null);
            }
        }
        predictions.push(v);
    }
    Ok(json!({ "predictions": predictions }))
}

fn row_error(row: usize, e: &Error) -> ProtocolError {
    ProtocolError {
        status: 400,
        error_code: "BAD_REQUEST",
        message: format!("row {row}: {e}"),
        code: Some(e.code()),
        row: Some(row),
        field: e.field().map(str::to_string),
    }
}

fn options(params: Option<&Json>) -> Result<TransformOptions, ProtocolError> {
    let Some(params) = params else {
        return Ok(TransformOptions::default());
    };
    let Some(p) = params.as_object() else {
        return Err(ProtocolError::bad("`params` must be an object"));
    };
    let mut o = TransformOptions::default();
    for (k, v) in p {
        match (k.as_str(), v) {
            ("strict", Json::Bool(b)) => o.strict_categories = *b,
            ("range", Json::String(s)) => {
                o.range = s.parse::<RangePolicy>().map_err(ProtocolError::bad)?;
            }
            ("strict" | "range", _) => {
                return Err(ProtocolError::bad(format!("params.{k} has the wrong type")));
            }
            (other, _) => {
                return Err(ProtocolError::bad(format!(
                    "unknown parameter `{other}` (known: strict, range)"
                )));
            }
        }
    }
    Ok(o)
}

type Parsed = (Vec<Result<Instance, Error>>, TransformOptions);

fn parse_json(model: &Model, body: &[u8]) -> Result<Parsed, ProtocolError> {
    let doc: Json = serde_json::from_slice(body)
        .map_err(|e| ProtocolError::bad(format!("invalid JSON body: {e}")))?;
    let Json::Object(top) = doc else {
        return Err(ProtocolError::bad(
            "the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs",
        ));
    };
    const KEYS: [&str; 4] = [
        "dataframe_split",
        "dataframe_records",
        "instances",
        "inputs",
    ];
    let present: Vec<&str> = KEYS
        .iter()
        .copied()
        .filter(|k| top.contains_key(*k))
        .collect();
    if let Some(extra) = top
        .keys()
        .find(|k| !KEYS.contains(&k.as_str()) && *k != "params")
    {
        return Err(ProtocolError::bad(format!(
            "unknown key `{extra}`: the body holds one of {} and optionally params",
            KEYS.join(", ")
        )));
    }
    let key = match present.as_slice() {
        [one] => *one,
        [] => {
            return Err(ProtocolError::bad(format!(
                "the body needs one of {}",
                KEYS.join(", ")
            )));
        }
        many => {
            return Err(ProtocolError::bad(format!(
                "the body has {}; exactly one is allowed",
                many.join(" and ")
            )));
        }
    };
    let opts = options(top.get("params"))?;
    let value = &top[key];
    let schema = model.schema();
    let records = |arr: &Vec<Json>| -> Vec<Result<Instance, Error>> {
        arr.iter().map(|r| Instance::from_json(schema, r)).collect()
    };
    let rows = match (key, value) {
        ("dataframe_split", Json::Object(split)) => {
            let columns: Vec<String> = match split.get("columns") {
                Some(Json::Array(c)) => c
                    .iter()
                    .map(|c| {
                        c.as_str().map(str::to_string).ok_or_else(|| {
                            ProtocolError::bad("dataframe_split.columns must be strings")
                        })
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(ProtocolError::bad(
                        "dataframe_split needs `columns` (an array of names)",
                    ));
                }
            };
            let data = match split.get("data") {
                Some(Json::Array(d)) => d,
                _ => {
                    return Err(ProtocolError::bad(
                        "dataframe_split needs `data` (an array of rows)",
                    ));
                }
            };
            let mut out = Vec::with_capacity(data.len());
            for (i, row) in data.iter().enumerate() {
                let Json::Array(cells) = row else {
                    return Err(ProtocolError::bad(format!(
                        "dataframe_split.data[{i}] is not an array"
                    )));
                };
                if cells.len() != columns.len() {
                    return Err(ProtocolError::bad(format!(
                        "dataframe_split.data[{i}] has {} values for {} columns",
                        cells.len(),
                        columns.len()
                    )));
                }
                let map: Map<String, Json> =
                    columns.iter().cloned().zip(cells.iter().cloned()).collect();
                out.push(Instance::from_json_map(schema, &map));
            }
            out
        }
        ("dataframe_records" | "instances", Json::Array(arr)) => records(arr),
        ("inputs", Json::Array(arr)) => records(arr),
        ("inputs", Json::Object(cols)) => {
            let mut n: Option<usize> = None;
            for (name, col) in cols {
                let Json::Array(c) = col else {
                    return Err(ProtocolError::bad(format!(
                        "inputs.{name} must be an array"
                    )));
                };
                match n {
                    Some(m) if m != c.len() => {
                        return Err(ProtocolError::bad(format!(
                            "inputs.{name} has {} values, an earlier column has {m}",
                            c.len()
                        )));
                    }
                    _ => n = Some(c.len()),
                }
            }
            (0..n.unwrap_or(0))
                .map(|i| {
                    let map: Map<String, Json> = cols
                        .iter()
                        .map(|(k, v)| (k.clone(), v.get(i).cloned().unwrap_or(Json::Null)))
                        .collect();
                    Instance::from_json_map(schema, &map)
                })
                .collect()
        }
        (k, _) => {
            return Err(ProtocolError::bad(format!(
                "`{k}` has the wrong shape (see the MLflow scoring protocol)"
            )));
        }
    };
    Ok((rows, opts))
}

fn parse_csv(model: &Model, body: &[u8]) -> Result<Vec<Result<Instance, Error>>, ProtocolError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let header = rdr
        .headers()
        .map_err(|e| ProtocolError::bad(format!("invalid CSV header: {e}")))?
        .clone();
    let columns = csv_columns(model.schema(), &header);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| ProtocolError::bad(format!("invalid CSV at row {i}: {e}")))?;
        out.push(Instance::from_csv_record(model.schema(), &columns, &rec));
    }
    Ok(out)
}
