//! What a JavaScript server tells [`crate::Model::route`] about itself:
//! `{ model?, modelVersion?, maxBodyBytes? }`, read into `tandem_core::protocol::Serving`.

use serde::Deserialize;
use tandem_core::constants::MAX_BODY_BYTES;
use tandem_core::protocol::{RequestError, Serving};
use wasm_bindgen::JsValue;

use crate::error::request_error;

/// The owned form of [`Serving`] (JavaScript strings are copied in).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
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

/// Read `serving` (`null` / `undefined`: nothing known, the default limit).
pub fn read(serving: &JsValue) -> Result<ServingJs, JsValue> {
    if serving.is_null() || serving.is_undefined() {
        return Ok(ServingJs::default());
    }
    serde_wasm_bindgen::from_value(serving.clone()).map_err(|e| {
        request_error(&RequestError::OptionValue {
            key: "serving".into(),
            reason: e.to_string(),
        })
    })
}
