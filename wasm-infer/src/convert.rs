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
pub fn parse_instance(
    schema: &Schema,
    keys: &[JsValue],
    value: &JsValue,
) -> Result<Instance, Error> {
    if value.is_null() || value.is_undefined() || !value.is_object() || Array::is_array(value) {
        let found = if value.is_null() {
            "null".into()
        } else {
            describe(value)
        };
        return Err(InstanceError::NotAnObject { found }.into());
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
}

/// [`parse_instance`] with the error as a thrown `TandemError` (with `index` in a batch).
pub fn instance_from_js(
    schema: &Schema,
    keys: &[JsValue],
    value: &JsValue,
    index: Option<usize>,
) -> Result<Instance, JsValue> {
    parse_instance(schema, keys, value).map_err(|e| {
        let t = TandemError::from(&e);
        js_error(&match index {
            Some(i) => t.with_index(i),
            None => t,
        })
    })
}

/// `{ error: { code, field, message } }` for a row of a batch that could not be predicted.
pub fn error_object(e: &Error) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Detail<'a> {
        code: &'a str,
        field: Option<&'a str>,
        message: String,
    }
    #[derive(Serialize)]
    struct Row<'a> {
        error: Detail<'a>,
    }
    to_js(&Row {
        error: Detail {
            code: e.code(),
            field: e.field(),
            message: e.to_string(),
        },
    })
}

/// Most rows one batch call takes: a sparse JS array or a typed-array view can claim up to
/// 2^32 - 1 rows without holding them, and looping over those would hang the page.
pub const MAX_BATCH_ROWS: u32 = 1_000_000;

/// Refuse a batch longer than [`MAX_BATCH_ROWS`].
pub fn check_batch_len(n: u32) -> Result<(), JsValue> {
    if n > MAX_BATCH_ROWS {
        return Err(js_error(&TandemError::new(
            "BATCH_TOO_LARGE",
            format!("a batch holds at most {MAX_BATCH_ROWS} rows, this one {n}: split it"),
        )));
    }
    Ok(())
}

/// Read a column-oriented batch `{ field: values[] }` (arrays or typed arrays, all the same
/// length) as instances; each row is checked exactly as an object instance would be.
pub fn instances_from_columns(
    schema: &Schema,
    keys: &[JsValue],
    columns: &JsValue,
) -> Result<Vec<Result<Instance, Error>>, JsValue> {
    if columns.is_null() || !columns.is_object() || Array::is_array(columns) {
        return Err(js_error(&TandemError::new(
            "NOT_AN_OBJECT",
            "predictColumns expects an object of columns: { field: [values...] }",
        )));
    }
    let obj: &js_sys::Object = columns.unchecked_ref();
    let length_key = JsValue::from_str("length");
    let mut cols: Vec<Option<JsValue>> = Vec::with_capacity(keys.len());
    let mut rows: Option<u32> = None;
    for (key, field) in keys.iter().zip(&schema.fields) {
        if !js_sys::Object::has_own(obj, key) {
            cols.push(None);
            continue;
        }
        let col = Reflect::get(obj, key).unwrap_or(JsValue::UNDEFINED);
        if !(Array::is_array(&col) || js_sys::ArrayBuffer::is_view(&col)) {
            return Err(js_error(&TandemError::new(
                "NOT_AN_ARRAY",
                format!("column `{}` is not an array", field.name),
            )));
        }
        let len = Reflect::get(&col, &length_key)
            .ok()
            .and_then(|l| l.as_f64())
            .filter(|l| l.fract() == 0.0 && *l >= 0.0 && *l <= u32::MAX as f64)
            .ok_or_else(|| {
                js_error(&TandemError::new(
                    "NOT_AN_ARRAY",
                    format!("column `{}` is not an array", field.name),
                ))
            })? as u32;
        match rows {
            Some(n) if n != len => {
                return Err(js_error(&TandemError::new(
                    "COLUMN_LENGTH",
                    format!(
                        "column `{}` has {len} values, an earlier column has {n}",
                        field.name
                    ),
                )));
            }
            _ => rows = Some(len),
        }
        check_batch_len(len)?;
        cols.push(Some(col));
    }
    let n = rows.unwrap_or(0);
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let mut it = cols.iter();
        out.push(Instance::from_raw(schema, |_| match it.next() {
            Some(Some(col)) => raw(Reflect::get_u32(col, i)),
            _ => Raw::Null,
        }));
    }
    Ok(out)
}

/// How a batch reports invalid rows: `"throw"` (default) or `"return"` (an
/// `{ error: { code, field, message } }` in the row's place).
pub fn returns_errors(options: &JsValue) -> Result<bool, JsValue> {
    if options.is_null() || options.is_undefined() {
        return Ok(false);
    }
    match Reflect::get(options, &JsValue::from_str("errors"))
        .unwrap_or(JsValue::UNDEFINED)
        .as_string()
        .as_deref()
    {
        None | Some("throw") => Ok(false),
        Some("return") => Ok(true),
        Some(other) => Err(js_error(&TandemError::new(
            "BAD_OPTION",
            format!("errors must be \"throw\" or \"return\", not {other:?}"),
        ))),
    }
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
