//! Reading a `POST /invocations` body into instances and options: the four JSON formats and
//! CSV. Only the schema's fields are read from each row, without copying the row first.

use serde_json::{Map, Value as Json};

use super::columns::{Column, check_batch_rows, read_columns};
use super::options::{CallOptions, PREDICT_OPTIONS};
use super::{ProtocolError, RequestError};
use crate::instance::{Instance, Raw, csv_columns};
use crate::prep::TransformOptions;
use crate::schema::Schema;
use crate::{Error, Model};

/// The rows of a body, each parsed or not.
pub(super) type Rows = Vec<Result<Instance, Error>>;

/// The keys that hold the rows; a body has exactly one.
const FORMATS: [&str; 4] = [
    "dataframe_split",
    "dataframe_records",
    "instances",
    "inputs",
];

/// Read an `application/json` body.
pub(super) fn parse_json(
    model: &Model,
    body: &[u8],
) -> Result<(Rows, TransformOptions), ProtocolError> {
    let doc: Json = serde_json::from_slice(body)
        .map_err(|e| ProtocolError::bad(format!("invalid JSON body: {e}")))?;
    let Json::Object(top) = doc else {
        return Err(ProtocolError::bad(
            "the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs",
        ));
    };
    let key = format_key(&top)?;
    let options = CallOptions::from_json(top.get("params"), "params", PREDICT_OPTIONS)
        .map_err(|e| ProtocolError::request("params", &e))?;
    let schema = model.schema();
    let rows = match (key, &top[key]) {
        ("dataframe_split", Json::Object(split)) => dataframe_split(schema, split)?,
        ("dataframe_records" | "instances" | "inputs", Json::Array(records)) => {
            check_rows(records.len())?;
            records
                .iter()
                .map(|r| Instance::from_json(schema, r))
                .collect()
        }
        ("inputs", Json::Object(columns)) => {
            let columns: Vec<Column<&Vec<Json>>> = schema
                .fields
                .iter()
                .map(|f| match columns.get(&f.name) {
                    None => Column::Absent,
                    Some(Json::Array(cells)) => Column::Values {
                        len: cells.len(),
                        cells,
                    },
                    Some(_) => Column::NotAnArray,
                })
                .collect();
            read_columns(schema, &columns, |cells, i| Raw::from_json(cells.get(i)))
                .map_err(|e| ProtocolError::request("inputs", &e))?
        }
        (k, _) => {
            return Err(ProtocolError::bad(format!(
                "`{k}` has the wrong shape (see the MLflow scoring protocol)"
            )));
        }
    };
    Ok((rows, options.transform))
}

/// The one format key of the body (and nothing else but `params`).
fn format_key(top: &Map<String, Json>) -> Result<&'static str, ProtocolError> {
    if let Some(extra) = top
        .keys()
        .find(|k| !FORMATS.contains(&k.as_str()) && *k != "params")
    {
        return Err(ProtocolError::bad(format!(
            "unknown key `{extra}`: the body holds one of {} and optionally params",
            FORMATS.join(", ")
        )));
    }
    let present: Vec<&'static str> = FORMATS
        .iter()
        .copied()
        .filter(|k| top.contains_key(*k))
        .collect();
    match present.as_slice() {
        [one] => Ok(one),
        [] => Err(ProtocolError::bad(format!(
            "the body needs one of {}",
            FORMATS.join(", ")
        ))),
        many => Err(ProtocolError::bad(format!(
            "the body has {}; exactly one is allowed",
            many.join(" and ")
        ))),
    }
}

fn check_rows(n: usize) -> Result<(), ProtocolError> {
    check_batch_rows(n).map_err(|e: RequestError| ProtocolError::request("the body", &e))
}

/// `{ "columns": [...], "data": [[...], ...] }` (an `index` is allowed and ignored).
fn dataframe_split(schema: &Schema, split: &Map<String, Json>) -> Result<Rows, ProtocolError> {
    let columns: Vec<&str> = match split.get("columns") {
        Some(Json::Array(c)) => c
            .iter()
            .map(|c| {
                c.as_str()
                    .ok_or_else(|| ProtocolError::bad("dataframe_split.columns must be strings"))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ProtocolError::bad(
                "dataframe_split needs `columns` (an array of names)",
            ));
        }
    };
    let Some(Json::Array(data)) = split.get("data") else {
        return Err(ProtocolError::bad(
            "dataframe_split needs `data` (an array of rows)",
        ));
    };
    check_rows(data.len())?;
    // Each schema field's position in a row; of repeated names, the last one counts (as when
    // the row is read as an object).
    let positions: Vec<Option<usize>> = schema
        .fields
        .iter()
        .map(|f| columns.iter().rposition(|c| *c == f.name))
        .collect();
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
        let mut at = positions.iter();
        out.push(Instance::from_raw(schema, |_| {
            Raw::from_json(at.next().copied().flatten().and_then(|p| cells.get(p)))
        }));
    }
    Ok(out)
}

/// Read a `text/csv` body (header row first), as `tandem predict` reads a CSV file.
pub(super) fn parse_csv(model: &Model, body: &[u8]) -> Result<Rows, ProtocolError> {
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
        check_rows(out.len())?;
    }
    Ok(out)
}
