//! Errors as JavaScript sees them: `Error` objects named `TandemError` with a stable `code`.

use tandem_core::protocol::RequestError;
use wasm_bindgen::JsValue;

/// A structured error on its way to JavaScript.
pub struct TandemError {
    code: &'static str,
    message: String,
    field: Option<String>,
    /// The failing row, numbered from 1 (`tandem_core::error::row_number`).
    row: Option<usize>,
    /// The failing row's 0-based position in the batch (for array access).
    index: Option<usize>,
}

impl TandemError {
    /// A new error with a code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        TandemError {
            code,
            message: message.into(),
            field: None,
            row: None,
            index: None,
        }
    }

    /// Record which instance of a batch failed (0-based `index`): the message names its row
    /// once, numbered from 1 (a CSV error already names its data row).
    pub fn with_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        if self.row.is_none() {
            let row = tandem_core::error::row_number(index);
            self.row = Some(row);
            self.message = format!("row {row}: {}", self.message);
        }
        self
    }
}

impl From<&RequestError> for TandemError {
    fn from(e: &RequestError) -> Self {
        TandemError {
            code: e.code(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
            row: None,
            index: None,
        }
    }
}

/// The thrown `TandemError` of a refused call (options, batch shape).
pub fn request_error(e: &RequestError) -> JsValue {
    js_error(&TandemError::from(e))
}

impl From<&tandem_core::Error> for TandemError {
    fn from(e: &tandem_core::Error) -> Self {
        TandemError {
            code: e.code(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
            row: e.row(),
            index: None,
        }
    }
}

/// Build the JS `Error`. Setting properties on a fresh `Error` cannot fail; if it ever did,
/// the error still carries its message.
pub fn js_error(e: &TandemError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("TandemError");
    let obj: &JsValue = err.as_ref();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(obj, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(e.code));
    set(
        "field",
        e.field.as_deref().map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        "row",
        e.row.map_or(JsValue::NULL, |r| JsValue::from_f64(r as f64)),
    );
    set(
        "index",
        e.index
            .map_or(JsValue::NULL, |i| JsValue::from_f64(i as f64)),
    );
    err.into()
}
