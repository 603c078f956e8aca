//! The options of `Model.load(bytes, options)`: `{ engine?, publicKey? }`, read into a
//! struct and turned into core's [`LoadOptions`], so the npm package checks what the CLI and
//! the server check. The rule of every call's options: `null` or absent is the default; a
//! key the call does not take, or a value of the wrong type, is `BAD_OPTION` naming it.

use js_sys::{Array, Object, Reflect};
use tandem_core::bundle::PublicKey;
use tandem_core::protocol::RequestError;
use tandem_core::runtime::{EngineChoice, LoadOptions};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::request_error;

/// The keys `Model.load`'s options take.
const KEYS: [&str; 2] = ["engine", "publicKey"];

/// `Model.load`'s options as JavaScript gives them.
#[derive(Debug, Default)]
pub struct JsLoadOptions {
    /// `"auto"` (default), `"dense"` or `"tract"`.
    pub engine: Option<String>,
    /// The key the bundle must be signed with: an SPKI PEM block, or base64 of the raw 32
    /// bytes.
    pub public_key: Option<String>,
}

fn type_error(key: &str, found: &JsValue) -> JsValue {
    let found = if Array::is_array(found) {
        "an array".into()
    } else {
        found.js_typeof().as_string().unwrap_or_default()
    };
    request_error(&RequestError::OptionType {
        key: key.into(),
        expected: "a string",
        found,
    })
}

/// A string option: `None` for `null` / `undefined`.
fn string(key: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| type_error(key, value))
}

impl JsLoadOptions {
    /// Read the options object (`null` / `undefined`: the defaults).
    pub fn read(options: &JsValue) -> Result<JsLoadOptions, JsValue> {
        let mut read = JsLoadOptions::default();
        if options.is_null() || options.is_undefined() {
            return Ok(read);
        }
        if !options.is_object() || Array::is_array(options) {
            return Err(type_error("options", options));
        }
        let obj: &Object = options.unchecked_ref();
        for key in Object::keys(obj).iter() {
            let name = key.as_string().unwrap_or_default();
            let value = Reflect::get(options, &key)?;
            match name.as_str() {
                "engine" => read.engine = string(&name, &value)?,
                "publicKey" => read.public_key = string(&name, &value)?,
                _ => {
                    return Err(request_error(&RequestError::UnknownOption {
                        key: name,
                        known: KEYS.join(", "),
                    }));
                }
            }
        }
        Ok(read)
    }

    /// Core's load options: a bad engine name or key text is `BAD_OPTION` naming it.
    pub fn into_load_options(self) -> Result<LoadOptions, JsValue> {
        let bad = |key: &str, reason: String| {
            request_error(&RequestError::OptionValue {
                key: key.into(),
                reason,
            })
        };
        let engine = match self.engine.as_deref() {
            None => EngineChoice::Auto,
            Some(s) => s.parse().map_err(|reason: String| bad("engine", reason))?,
        };
        let mut options = LoadOptions::with_engine(engine);
        if let Some(text) = &self.public_key {
            let key = PublicKey::parse(text).map_err(|e| bad("publicKey", e.to_string()))?;
            options.public_key = Some(key);
        }
        Ok(options)
    }
}
