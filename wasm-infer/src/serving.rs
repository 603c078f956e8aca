//! MLflow's scoring protocol for JavaScript servers (the edge worker): [`crate::Model::route`]
//! and [`crate::Model::post`] (`/invocations`, `/explain`), answering exactly as `tandem
//! serve` does, and what a
//! server tells them about itself: `{ model?, modelVersion?, maxBodyBytes?, maxRows?,
//! maxCells?, corsOrigins?, output? }`, read into `tandem_core::protocol::Serving`.

use js_sys::{Array, Reflect};
use tandem_core::constants::{MAX_BODY_BYTES, MAX_REQUEST_CELLS, MAX_REQUEST_ROWS};
use tandem_core::protocol::{self, Output, RequestError, Serving};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::Model;
use crate::convert::to_js;
use crate::error::request_error;

/// The owned form of [`Serving`] (JavaScript strings are copied in).
#[derive(Debug, Default)]
pub struct ServingJs {
    model: Option<String>,
    model_version: Option<u64>,
    max_body_bytes: Option<usize>,
    max_rows: Option<usize>,
    max_cells: Option<usize>,
    cors_origins: Vec<String>,
    output: Output,
}

impl ServingJs {
    /// Borrowed, with the default limits where none was given.
    pub fn borrowed(&self) -> Serving<'_> {
        Serving {
            model: self.model.as_deref(),
            model_version: self.model_version,
            max_body_bytes: self.max_body_bytes.unwrap_or(MAX_BODY_BYTES),
            max_rows: self.max_rows.unwrap_or(MAX_REQUEST_ROWS),
            max_cells: self.max_cells.unwrap_or(MAX_REQUEST_CELLS),
            cors_origins: &self.cors_origins,
            output: self.output,
        }
    }
}

fn wrong(key: &str, expected: &'static str, found: &JsValue) -> JsValue {
    request_error(&RequestError::OptionType {
        key: key.into(),
        expected,
        found: found
            .js_typeof()
            .as_string()
            .unwrap_or_else(|| "a value".into()),
    })
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A non-negative whole number (`null` / `undefined`: none).
fn count(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let v = get(obj, key);
    if v.is_null() || v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 2f64.powi(53) => Ok(Some(n)),
        _ => Err(wrong(key, "a whole number", &v)),
    }
}

/// A string (`null` / `undefined`: none).
fn string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = get(obj, key);
    match v.as_string() {
        Some(s) => Ok(Some(s)),
        None if v.is_null() || v.is_undefined() => Ok(None),
        None => Err(wrong(key, "a string", &v)),
    }
}

/// `corsOrigins`: an array of origin strings (`null` / `undefined`: none).
fn origins(obj: &JsValue) -> Result<Vec<String>, JsValue> {
    let v = get(obj, "corsOrigins");
    if v.is_null() || v.is_undefined() {
        return Ok(Vec::new());
    }
    if !Array::is_array(&v) {
        return Err(wrong("corsOrigins", "an array of strings", &v));
    }
    Array::from(&v)
        .iter()
        .map(|o| {
            o.as_string()
                .ok_or_else(|| wrong("corsOrigins", "an array of strings", &o))
        })
        .collect()
}

/// Read `serving` (`null` / `undefined`: nothing known, the default limit).
pub fn read(serving: &JsValue) -> Result<ServingJs, JsValue> {
    if serving.is_null() || serving.is_undefined() {
        return Ok(ServingJs::default());
    }
    if !serving.is_object() {
        return Err(wrong("serving", "an object", serving));
    }
    let output = match string(serving, "output")? {
        None => Output::Full,
        Some(s) => s.parse::<Output>().map_err(|reason| {
            request_error(&RequestError::OptionValue {
                key: "output".into(),
                reason,
            })
        })?,
    };
    Ok(ServingJs {
        model: string(serving, "model")?,
        model_version: count(serving, "modelVersion")?.map(|n| n as u64),
        max_body_bytes: count(serving, "maxBodyBytes")?.map(|n| n as usize),
        max_rows: count(serving, "maxRows")?.map(|n| n as usize),
        max_cells: count(serving, "maxCells")?.map(|n| n as usize),
        cors_origins: origins(serving)?,
        output,
    })
}

#[wasm_bindgen]
impl Model {
    /// Answer a `POST` body to `path` exactly as `tandem serve` does
    /// (`tandem_core::protocol::post_until`, then `with_cors` for the request's `origin`):
    /// `/invocations`, MLflow's scoring protocol, or `/explain` (at most 100 rows; `params`:
    /// `strict`, `range`, `method`, `permutations`, `seed`). `{ status, contentType, headers,
    /// body }`, `body` being the text of the response; `serving` as for `route`. The npm
    /// package's `invocations` and `explanations` call this.
    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
        serving: &JsValue,
        origin: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let serving = read(serving)?;
        let serving = serving.borrowed();
        let answer =
            protocol::post_until(&self.inner, path, content_type, body, &serving, &|| false);
        to_js(&protocol::with_cors(
            answer,
            "POST",
            origin.as_deref(),
            &serving,
        ))
    }

    /// The answer to any other request, exactly as `tandem serve` gives it
    /// (`tandem_core::protocol::route`, then `with_cors` for the request's `origin`):
    /// `GET` / `HEAD` `/ping`, `/health`, `/version`, `/schema`, `/metadata`, `OPTIONS`, 404,
    /// 405, and 413 for a `POST /invocations` body of `body_bytes` (its `Content-Length`)
    /// past the limit; `null` for a `POST /invocations` or `/explain` to answer with `post`.
    /// `serving`: `{ model?, modelVersion?, maxBodyBytes?, corsOrigins?, output? }`.
    pub fn route(
        &self,
        method: &str,
        path: &str,
        body_bytes: f64,
        serving: &JsValue,
        origin: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let serving = read(serving)?;
        let serving = serving.borrowed();
        match protocol::route(&self.inner, method, path, body_bytes as usize, &serving) {
            Some(answer) => to_js(&protocol::with_cors(
                answer,
                method,
                origin.as_deref(),
                &serving,
            )),
            None => Ok(JsValue::NULL),
        }
    }
}

#[cfg(test)]
impl Model {
    /// `POST /invocations` (for the Rust-side tests; JavaScript calls [`Model::post`]).
    pub fn invocations(
        &self,
        content_type: &str,
        body: &[u8],
        serving: &JsValue,
        origin: Option<String>,
    ) -> Result<JsValue, JsValue> {
        self.post(protocol::INVOCATIONS, content_type, body, serving, origin)
    }
}
