//! What a JavaScript server tells [`crate::Model::route`] about itself:
//! `{ model?, modelVersion?, maxBodyBytes? }`, read into `tandem_core::protocol::Serving`.

use js_sys::Reflect;
use tandem_core::constants::MAX_BODY_BYTES;
use tandem_core::protocol::{RequestError, Serving};
use wasm_bindgen::JsValue;

use crate::error::request_error;

/// The owned form of [`Serving`] (JavaScript strings are copied in).
#[derive(Debug, Default)]
pub struct ServingJs {
    model: Option<String>,
    model_version: Option<u64>,
    max_body_bytes: Option<usize>,
}

impl ServingJs {
    /// Borrowed, with the default limit when none was given.
    pub fn borrowed(&self) -> Serving<'_> {
        Serving {
            model: self.model.as_deref(),
            model_version: self.model_version,
            max_body_bytes: self.max_body_bytes.unwrap_or(MAX_BODY_BYTES),
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

/// A non-negative whole number (`null` / `undefined`: none).
fn count(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_null() || v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 2f64.powi(53) => Ok(Some(n)),
        _ => Err(wrong(key, "a whole number", &v)),
    }
}

/// Read `serving` (`null` / `undefined`: nothing known, the default limit).
pub fn read(serving: &JsValue) -> Result<ServingJs, JsValue> {
    if serving.is_null() || serving.is_undefined() {
        return Ok(ServingJs::default());
    }
    if !serving.is_object() {
        return Err(wrong("serving", "an object", serving));
    }
    let model = Reflect::get(serving, &JsValue::from_str("model")).unwrap_or(JsValue::UNDEFINED);
    let model = match model.as_string() {
        Some(s) => Some(s),
        None if model.is_null() || model.is_undefined() => None,
        None => return Err(wrong("model", "a string", &model)),
    };
    Ok(ServingJs {
        model,
        model_version: count(serving, "modelVersion")?.map(|n| n as u64),
        max_body_bytes: count(serving, "maxBodyBytes")?.map(|n| n as usize),
    })
}
