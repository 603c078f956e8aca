//! The wasm boundary's own suite (`wasm-bindgen-test`), run in Node and in headless Chromium
//! by `wasm-pack test` (see `scripts/test`). Each test calls the exported API exactly as the
//! JavaScript glue does, on the frozen golden bundle `tests/fixtures/v1/titanic.tandem` and
//! the predictions recorded with it.
//!
//! The golden bundle predates the dense kernel (it has no `model.dense` part), so it predicts
//! on tract: the suite runs with `--features full`. Without that feature only the tests that
//! need no engine run, plus the check that the default build refuses it with a clear code.
#![cfg(target_arch = "wasm32")]
// Test code: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The helpers below serve the tests that need tract; the default build runs only the others.
#![cfg_attr(not(feature = "full"), allow(dead_code))]

mod bundle_errors;
mod ctors;
mod describe;
#[cfg(feature = "full")]
mod instance_errors;
#[cfg(feature = "full")]
mod predict;

use js_sys::{JSON, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::Model;

/// The golden bundle, frozen since format version 1.
pub const GOLDEN: &[u8] = include_bytes!("../../../tests/fixtures/v1/titanic.tandem");

/// Raw instances and the predictions made when the golden bundle was written.
pub const EXPECTED: &str = include_str!("../../../tests/fixtures/v1/titanic.expected.json");

/// Load a bundle as `Model.load` does, once the module is initialised as the package's glue
/// initialises it.
pub fn load(bytes: &[u8], engine: Option<&str>) -> Result<Model, JsValue> {
    ctors::run_once();
    let options = match engine {
        Some(e) => js(&format!("{{\"engine\": \"{e}\"}}")),
        None => JsValue::UNDEFINED,
    };
    Model::load(bytes, &options, None)
}

/// Load a bundle with options given as JSON text, as `Model.load(bytes, options)` does.
pub fn load_json(bytes: &[u8], options: &str) -> Result<Model, JsValue> {
    ctors::run_once();
    Model::load(bytes, &js(options), None)
}

/// The expected-predictions fixture, parsed.
pub fn expected() -> Value {
    serde_json::from_str(EXPECTED).unwrap()
}

/// A JS value built from JSON text, as a JavaScript caller would pass it.
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

/// A JS value read back as JSON (what `JSON.stringify` sees).
pub fn json(value: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(value).unwrap())).unwrap()
}

/// A property of a JS object.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// Check that `result` threw a JS `Error` named `TandemError` with this `code` and `field`,
/// and return it.
#[track_caller]
pub fn thrown<T>(result: Result<T, JsValue>, code: &str, field: Option<&str>) -> JsValue {
    let Err(err) = result else {
        panic!("expected a TandemError {code}, got a result");
    };
    let e = err.dyn_ref::<js_sys::Error>().expect("a JS Error");
    assert_eq!(String::from(e.name()), "TandemError");
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some(code),
        "{err:?}"
    );
    assert_eq!(get(&err, "field").as_string().as_deref(), field, "{err:?}");
    assert!(!String::from(e.message()).is_empty());
    err
}
