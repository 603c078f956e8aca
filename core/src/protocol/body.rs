//! Reading a `POST /invocations` body into instances and options: the four JSON formats and
//! CSV. Only the schema's fields are read from each row, without copying the row first.
//!
//! JSON may hold MLflow's bare `NaN` / `Infinity` tokens ([`super::nonfinite`]). A column
//! batch (`dataframe_split`, `inputs` as columns, CSV) must have a column for every field
//! (`MISSING_FIELD` names the absent ones); a record (`dataframe_records`, `instances`,
//! `inputs` as records) without a key is missing that value in that row only.

use serde_json::{Map, Value as Json};

use super::columns::{
    Column, check_batch_rows, check_columns, check_columns_present, read_checked_columns,
};
use super::nonfinite::{self, Tolerant};
use super::options::{CallOptions, OptionKey};
use super::{ProtocolError, RequestError};
use crate::instance::Instance;
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

/// Read an `application/json` body whose `params` may hold the `accepted` options.
pub(super) fn parse_json(
    model: &Model,
    body: &[u8],
    accepted: &[OptionKey],
) -> Result<(Rows, CallOptions), ProtocolError> {
    let t = nonfinite::parse(body)
        .map_err(|e| ProtocolError::bad(format!("invalid JSON body: {e}")))?;
    let Json::Object(top) = &t.doc else {
        return Err(ProtocolError::bad(
            "the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs",
        ));
    };
    let key = format_key(top)?;
    let options = CallOptions::from_json(top.get("params"), "params", accepted)
        .map_err(|e| ProtocolError::request("params", &e))?;
    let schema = model.schema();
    let rows = match (key, &top[key]) {
        ("dataframe_split", Json::Object(split)) => dataframe_split(schema, split, &t)?,
        ("dataframe_records" | "instances" | "inputs", Json::Array(records)) => {
            check_rows(records.len())?;
            records.iter().map(|r| record(schema, r, &t)).collect()
        }
        ("inputs", Json::Object(columns)) => input_columns(schema, columns, &t)?,
        (k, _) => {
            return Err(ProtocolError::bad(format!(
                "`{k}` has the wrong shape (see the MLflow scoring protocol)"
            )));
        }
    };
    Ok((rows, options))
}

/// One record: an absent key is a missing value.
fn record(schema: &Schema, r: &Json, t: &Tolerant) -> Result<Instance, Error> {
    match r {
        Json::Object(map) => Instance::from_raw(schema, |name| t.raw(map.get(name))),
        other => Instance::from_json(schema, other),
    }
}

/// `inputs` as `{ "field": [values...], ... }`.
fn input_columns(
    schema: &Schema,
    columns: &Map<String, Json>,
    t: &Tolerant,
) -> Result<Rows, ProtocolError> {
    let found: Vec<Column<&Vec<Json>>> = schema
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
    let n = check_columns(schema, &found)
        .and_then(|n| check_columns_present(schema, |name| columns.contains_key(name)).map(|()| n))
        .map_err(|e| ProtocolError::request("inputs", &e))?;
    Ok(read_checked_columns(schema, &found, n, |cells, i| {
        t.raw(cells.get(i))
    }))
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
fn dataframe_split(
    schema: &Schema,
    split: &Map<String, Json>,
    t: &Tolerant,
) -> Result<Rows, ProtocolError> {
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
    check_columns_present(schema, |name| columns.contains(&name))
        .map_err(|e| ProtocolError::request("dataframe_split", &e))?;
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
            t.raw(at.next().copied().flatten().and_then(|p| cells.get(p)))
        }));
    }
    Ok(out)
}

/// Read a `text/csv` body (header row first) exactly as `tandem predict` reads a CSV file
/// with this model: the reading options training used (missing markers, separators), a
/// sniffed delimiter, and a header lacking a field refused as `MISSING_FIELD`.
pub(super) fn parse_csv(model: &Model, body: &[u8]) -> Result<Rows, ProtocolError> {
    let rows = crate::read::read_csv(model.schema(), body, &model.metadata().read)
        .map_err(|e| ProtocolError::file("the CSV body", &e))?;
    check_rows(rows.len())?;
    Ok(rows)
}
