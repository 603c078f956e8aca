//! Converting between JavaScript values and Tandem types.

use js_sys::{Array, Reflect};
use serde::Serialize;
use tandem_core::constants::SERIALIZE;
use tandem_core::protocol::{
    CallOptions, Column, OptionKey, RequestError, check_batch_rows, check_columns_present,
    read_columns,
};
use tandem_core::schema::Schema;
use tandem_core::{Error, Instance, InstanceError, Raw};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{TandemError, js_error, request_error};

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

/// `{ error: { code, field, row, message } }` for the row at 0-based `index` of a batch that
/// could not be predicted (`row` numbered from 1, as in the message).
pub fn error_object(e: &Error, index: usize) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Detail<'a> {
        code: &'a str,
        field: Option<&'a str>,
        row: usize,
        message: String,
    }
    #[derive(Serialize)]
    struct Row<'a> {
        error: Detail<'a>,
    }
    let (row, message) = e.in_batch(index);
    to_js(&Row {
        error: Detail {
            code: e.code(),
            field: e.field(),
            row,
            message,
        },
    })
}

/// Refuse a batch longer than the limit (`tandem_core::constants::MAX_BATCH_ROWS`).
pub fn check_rows(rows: usize) -> Result<(), JsValue> {
    check_batch_rows(rows).map_err(|e| request_error(&e))
}

/// The length of an array or typed-array view (`None`: not one, or a length that is not a
/// count).
fn length(col: &JsValue) -> Option<usize> {
    if !(Array::is_array(col) || js_sys::ArrayBuffer::is_view(col)) {
        return None;
    }
    Reflect::get(col, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .filter(|l| l.fract() == 0.0 && *l >= 0.0 && *l <= u32::MAX as f64)
        .map(|l| l as usize)
}

/// Read a column-oriented batch `{ field: values[] }` (arrays or typed arrays, all the same
/// length) as instances, by the core's column rules (`tandem_core::protocol::read_columns`,
/// which also reads a scoring request's `inputs`); each row is checked exactly as an object
/// instance would be.
pub fn instances_from_columns(
    schema: &Schema,
    keys: &[JsValue],
    columns: &JsValue,
) -> Result<Vec<Result<Instance, Error>>, JsValue> {
    if columns.is_null() || !columns.is_object() || Array::is_array(columns) {
        return Err(request_error(&RequestError::NotAnObject {
            what: "the columns of predictColumns ({ field: [values...] })".into(),
        }));
    }
    let obj: &js_sys::Object = columns.unchecked_ref();
    let cols: Vec<Column<JsValue>> = keys
        .iter()
        .map(|key| {
            // Own properties only: never read through the prototype chain.
            if !js_sys::Object::has_own(obj, key) {
                return Column::Absent;
            }
            let col = Reflect::get(obj, key).unwrap_or(JsValue::UNDEFINED);
            match length(&col) {
                Some(len) => Column::Values { len, cells: col },
                None => Column::NotAnArray,
            }
        })
        .collect();
    // Lengths are at most MAX_BATCH_ROWS here, so every row index fits a u32.
    let rows = read_columns(schema, &cols, |col, i| {
        raw(Reflect::get_u32(col, u32::try_from(i).unwrap_or(u32::MAX)))
    })
    .map_err(|e| request_error(&e))?;
    // A column the model needs is absent: every row would lack it (MISSING_FIELD, naming
    // each), as for a file's header or a `dataframe_split`'s columns.
    let mut absent = cols.iter().map(|c| matches!(c, Column::Absent));
    check_columns_present(schema, |_| !absent.next().unwrap_or(false))
        .map_err(|e| request_error(&e))?;
    Ok(rows)
}

/// Read a call's options object (`null` / `undefined`: the defaults) by the core's option
/// rules (`tandem_core::protocol::CallOptions`, which also read a scoring request's
/// `params`): `accepted` are the keys the call takes; any other key is a `BAD_OPTION`.
pub fn call_options(options: &JsValue, accepted: &[OptionKey]) -> Result<CallOptions, JsValue> {
    let mut read = CallOptions::default();
    if options.is_null() || options.is_undefined() {
        return Ok(read);
    }
    if !options.is_object() || Array::is_array(options) {
        return Err(request_error(&RequestError::OptionType {
            key: "options".into(),
            expected: "an object",
            found: raw(Ok(options.clone())).describe(),
        }));
    }
    let obj: &js_sys::Object = options.unchecked_ref();
    for key in js_sys::Object::keys(obj).iter() {
        let name = key.as_string().unwrap_or_default();
        read.set(accepted, &name, raw(Reflect::get(options, &key)))
            .map_err(|e| request_error(&e))?;
    }
    Ok(read)
}

/// The schema's field names as JS strings, in schema order.
pub fn field_keys(schema: &Schema) -> Vec<JsValue> {
    schema
        .fields
        .iter()
        .map(|f| JsValue::from_str(&f.name))
        .collect()
}

/// Serialize to a plain JS value (maps become objects).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&TandemError::new(SERIALIZE, e.to_string())))
}
