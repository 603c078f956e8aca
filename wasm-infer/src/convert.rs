//! Converting between JavaScript values and Tandem types.

use js_sys::{Array, Reflect};
use serde::Serialize;
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::schema::Schema;
use tandem_core::{Error, Instance, InstanceError, Raw};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{TandemError, js_error};

fn describe(v: &JsValue) -> String {
    if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "a value".into())
    }
}

fn raw(v: Result<JsValue, JsValue>) -> Raw {
    match v {
        Err(_) => Raw::Other("a value whose getter threw".into()),
        Ok(v) if v.is_null() || v.is_undefined() => Raw::Null,
        Ok(v) => {
            if let Some(n) = v.as_f64() {
                Raw::Number(n)
            } else if let Some(s) = v.as_string() {
                Raw::Str(s)
            } else if let Some(b) = v.as_bool() {
                Raw::Bool(b)
            } else {
                Raw::Other(describe(&v))
            }
        }
    }
}

/// Read a plain JS object as an instance; only the schema's own keys are looked at.
///
/// `keys` are the schema's field names as JS strings, made once per model: encoding a
/// name into a JS string on every read was most of the cost of a prediction.
pub fn instance_from_js(
    schema: &Schema,
    keys: &[JsValue],
    value: &JsValue,
    index: Option<usize>,
) -> Result<Instance, JsValue> {
    let fail = |e: Error| {
        let t = TandemError::from(&e);
        js_error(&match index {
            Some(i) => t.with_index(i),
            None => t,
        })
    };
    if value.is_null() || value.is_undefined() || !value.is_object() || Array::is_array(value) {
        let found = if value.is_null() {
            "null".into()
        } else {
            describe(value)
        };
        return Err(fail(InstanceError::NotAnObject { found }.into()));
    }
    let obj: &js_sys::Object = value.unchecked_ref();
    let mut keys = keys.iter();
    Instance::from_raw(schema, |_| {
        let Some(key) = keys.next() else {
            return Raw::Null;
        };
        // Own properties only: never read through the prototype chain.
        if !js_sys::Object::has_own(obj, key) {
            return Raw::Null;
        }
        raw(Reflect::get(obj, key))
    })
    .map_err(fail)
}

/// The schema's field names as JS strings, in schema order.
pub fn field_keys(schema: &Schema) -> Vec<JsValue> {
    schema
        .fields
        .iter()
        .map(|f| JsValue::from_str(&f.name))
        .collect()
}

/// Read `{ strict?: boolean, range?: "warn" | "clip" | "error" }`.
pub fn options_from_js(options: &JsValue) -> Result<TransformOptions, JsValue> {
    if options.is_null() || options.is_undefined() {
        return Ok(TransformOptions::default());
    }
    let get = |k: &str| Reflect::get(options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let range = match get("range") {
        v if v.is_undefined() || v.is_null() => RangePolicy::default(),
        v => v
            .as_string()
            .ok_or_else(|| "range must be a string".to_string())
            .and_then(|s| s.parse::<RangePolicy>())
            .map_err(|m| js_error(&TandemError::new("BAD_OPTION", m)))?,
    };
    Ok(TransformOptions {
        strict_categories: get("strict").as_bool().unwrap_or(false),
        range,
    })
}

/// Serialize to a plain JS value (maps become objects).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&TandemError::new("SERIALIZE", e.to_string())))
}
