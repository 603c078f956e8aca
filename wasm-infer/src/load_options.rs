//! The options of `Model.load(bytes, options)`: `{ engine?, limits?, publicKey? }`, read from the
//! caller's object into [`JsLoadOptions`] and turned into `tandem_core::runtime::LoadOptions`,
//! so the package loads under the same checks as the CLI and the server.
//!
//! `null` or absent means the default; an unknown key, an unknown limit name, or a value of
//! the wrong type is `BAD_OPTION` naming it, never ignored. A limit is a whole number of at
//! most 2^53 (what a JavaScript number holds exactly).

use js_sys::{Object, Reflect};
use tandem_core::bundle::{Limit, Limits, PublicKey, limits};
use tandem_core::protocol::RequestError;
use tandem_core::runtime::{EngineChoice, LoadOptions};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::request_error;

/// The keys `Model.load`'s options take.
const KEYS: &str = "engine, limits, publicKey";

/// `Model.load`'s options as JavaScript gave them.
#[derive(Debug, Default)]
pub struct JsLoadOptions {
    /// `engine`: `"auto"`, `"dense"` or `"tract"`.
    pub engine: Option<String>,
    /// `limits`: limit name and value, in the object's order.
    pub limits: Vec<(String, f64)>,
    /// `publicKey`: the key the bundle must be signed with, an SPKI PEM block or base64 of
    /// the raw 32 bytes.
    pub public_key: Option<String>,
}

fn wrong_type(key: &str, expected: &'static str, v: &JsValue) -> JsValue {
    request_error(&RequestError::OptionType {
        key: key.into(),
        expected,
        found: v.js_typeof().as_string().unwrap_or_default(),
    })
}

fn bad_value(key: String, reason: String) -> JsValue {
    request_error(&RequestError::OptionValue { key, reason })
}

/// The own enumerable keys and values of a plain object; `key` names it in errors.
fn entries(v: &JsValue, key: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(wrong_type(key, "an object", v));
    }
    let obj: &Object = v.unchecked_ref();
    Object::keys(obj)
        .iter()
        .map(|k| {
            let value = Reflect::get(v, &k)?;
            Ok((k.as_string().unwrap_or_default(), value))
        })
        .collect()
}

impl JsLoadOptions {
    /// Read the options object (`undefined` and `null`: the defaults).
    pub fn read(options: &JsValue) -> Result<JsLoadOptions, JsValue> {
        let mut read = JsLoadOptions::default();
        if options.is_null() || options.is_undefined() {
            return Ok(read);
        }
        for (key, value) in entries(options, "options")? {
            if value.is_null() || value.is_undefined() {
                continue;
            }
            match key.as_str() {
                "engine" => {
                    let s = value
                        .as_string()
                        .ok_or_else(|| wrong_type("engine", "a string", &value))?;
                    read.engine = Some(s);
                }
                "publicKey" => {
                    let s = value
                        .as_string()
                        .ok_or_else(|| wrong_type("publicKey", "a string", &value))?;
                    read.public_key = Some(s);
                }
                "limits" => {
                    for (name, v) in entries(&value, "limits")? {
                        let n = v
                            .as_f64()
                            .ok_or_else(|| wrong_type(&format!("limits.{name}"), "a number", &v))?;
                        read.limits.push((name, n));
                    }
                }
                _ => {
                    return Err(request_error(&RequestError::UnknownOption {
                        key,
                        known: KEYS.into(),
                    }));
                }
            }
        }
        Ok(read)
    }

    /// The core's load options.
    pub fn into_core(self) -> Result<LoadOptions, JsValue> {
        let engine = match self.engine.as_deref() {
            None => EngineChoice::Auto,
            Some(s) => s
                .parse()
                .map_err(|reason: String| bad_value("engine".into(), reason))?,
        };
        let mut set = Limits::default();
        for (name, value) in self.limits {
            let key = format!("limits.{name}");
            let limit = Limit::from_name(&name).ok_or_else(|| {
                request_error(&RequestError::UnknownOption {
                    key: key.clone(),
                    known: limits::names(),
                })
            })?;
            if !(value.is_finite()
                && value >= 0.0
                && value.fract() == 0.0
                && value <= 2f64.powi(53))
            {
                return Err(bad_value(
                    key,
                    format!("must be a whole number from 0 to 2^53, found {value}"),
                ));
            }
            set.set(limit, value as u64);
        }
        let mut options = LoadOptions::with_engine(engine).limits(set);
        if let Some(text) = &self.public_key {
            let key =
                PublicKey::parse(text).map_err(|e| bad_value("publicKey".into(), e.to_string()))?;
            options.public_key = Some(key);
        }
        Ok(options)
    }
}
