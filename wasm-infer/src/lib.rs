//! `tandem-wasm`: the Tandem inference pipeline for JavaScript.
//!
//! The preprocessing is `tandem-core`'s, compiled to WebAssembly: the very code that
//! transformed the training rows. `fit` is not compiled in (the `fit` feature is off), so this
//! package can only apply state fitted natively. Every error reaches JavaScript as an `Error`
//! named `TandemError` with a stable `code` (and `field` / `index` when they apply); no Rust
//! panic path is reachable from user input.
#![warn(missing_docs)]

mod convert;
#[cfg(target_arch = "wasm32")]
mod ctors;
mod error;

use js_sys::{Array, Float32Array};
use tandem_core::prep::TransformOptions;
use wasm_bindgen::prelude::*;

use crate::convert::{field_keys, instance_from_js, options_from_js, to_js};
use crate::error::{TandemError, js_error};

/// A loaded model bundle.
#[wasm_bindgen]
pub struct Model {
    inner: tandem_core::Model,
    keys: Vec<JsValue>,
}

#[wasm_bindgen]
impl Model {
    /// Load and verify a `model.tandem` file.
    pub fn load(bytes: &[u8]) -> Result<Model, JsValue> {
        let inner =
            tandem_core::Model::load(bytes).map_err(|e| js_error(&TandemError::from(&e)))?;
        let keys = field_keys(inner.schema());
        Ok(Model { inner, keys })
    }

    /// The input schema and label (`{ fields: [...], label: { name, task } }`).
    #[wasm_bindgen(getter)]
    pub fn schema(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.schema())
    }

    /// Run id, creation time, metrics, parameters, feature names, model wiring.
    #[wasm_bindgen(getter)]
    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.metadata())
    }

    /// Predict one raw instance: `{ label, probabilities }` or `{ value }`.
    ///
    /// `options`: `{ strict: true }` rejects unknown categories; `{ range: "warn" | "clip" |
    /// "error" }` says what to do with numbers outside the training range (default `warn`:
    /// predict as is and list them under `warnings`).
    pub fn predict(&self, instance: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let options = options_from_js(options)?;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let p = self
            .inner
            .predict(&inst, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        let out = to_js(&p)?;
        let warnings = self.inner.range_warnings(&inst);
        if !warnings.is_empty() {
            // A fresh plain object: setting a property cannot fail.
            let _ = js_sys::Reflect::set(&out, &JsValue::from_str("warnings"), &to_js(&warnings)?);
        }
        Ok(out)
    }

    /// Predict an array of raw instances in one pass through the network.
    ///
    /// Throws a `TandemError` with `index` for the first invalid instance.
    #[wasm_bindgen(js_name = predictBatch)]
    pub fn predict_batch(&self, instances: &JsValue, options: &JsValue) -> Result<Array, JsValue> {
        let options = options_from_js(options)?;
        if !Array::is_array(instances) {
            return Err(js_error(&TandemError::new(
                "NOT_AN_ARRAY",
                "predictBatch expects an array of instances",
            )));
        }
        let arr = Array::from(instances);
        let schema = self.inner.schema();
        let mut parsed = Vec::with_capacity(arr.length() as usize);
        for (i, v) in arr.iter().enumerate() {
            parsed.push(Ok(instance_from_js(schema, &self.keys, &v, Some(i))?));
        }
        let results = self
            .inner
            .predict_batch(&parsed, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        let out = Array::new_with_length(results.len() as u32);
        for (i, r) in results.iter().enumerate() {
            let p = r
                .as_ref()
                .map_err(|e| js_error(&TandemError::from(e).with_index(i)))?;
            out.set(i as u32, to_js(p)?);
        }
        Ok(out)
    }

    /// The feature vector the network sees for a raw instance (the shared preprocessing).
    pub fn features(&self, instance: &JsValue, options: &JsValue) -> Result<Float32Array, JsValue> {
        let options: TransformOptions = options_from_js(options)?;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let f = self
            .inner
            .features(&inst, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        Ok(Float32Array::from(f.as_slice()))
    }
}

/// The version of the Tandem runtime.
#[wasm_bindgen]
pub fn version() -> String {
    tandem_core::VERSION.to_string()
}
