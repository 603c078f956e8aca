//! `tandem-wasm`: the Tandem inference pipeline for JavaScript.
//!
//! The preprocessing is `tandem-core`'s, compiled to WebAssembly: the very code that
//! transformed the training rows. `fit` is not compiled in (the `fit` feature is off), so this
//! package can only apply state fitted natively. Every error reaches JavaScript as an `Error`
//! named `TandemError` with a stable `code` (and `field` / `index` when they apply); no Rust
//! panic path is reachable from user input.
//!
//! Users never call this crate directly: `scripts/build-npm` wraps it in the npm package
//! `tandem-infer` (JavaScript layer and types in `npm/tandem-infer/`). Its usage example is the
//! first code block of `npm/tandem-infer/README.md`, which `tests/js/readme.test.mjs` runs
//! against the built package. No doc test lives here: the crate is a `cdylib` (rustdoc runs no
//! doc tests for it), and its exports need a JavaScript host. The same pipeline natively is
//! [`tandem_core::Model`], whose crate docs have a runnable example.
#![warn(missing_docs)]

mod convert;
#[cfg(target_arch = "wasm32")]
mod ctors;
mod error;
mod explain;
mod load_options;
mod packed;
mod serving;
#[cfg(test)]
mod tests;

use js_sys::{Array, Float32Array, Float64Array};
use tandem_core::protocol::{BATCH_OPTIONS, PREDICT_OPTIONS, RequestError, RowErrors};
use wasm_bindgen::prelude::*;

use crate::convert::{
    call_options, check_rows, error_object, field_keys, instance_from_js, instances_from_columns,
    parse_instance, to_js,
};
use crate::error::{TandemError, js_error, request_error};

/// A loaded model bundle.
#[wasm_bindgen]
pub struct Model {
    inner: tandem_core::Model,
    keys: Vec<JsValue>,
}

#[wasm_bindgen]
impl Model {
    /// Load and verify a `model.tandem` file.
    ///
    /// `options`: `{ engine, limits, publicKey }`. `engine`: `"auto"` (default: the compact dense kernel
    /// when the bundle has one), `"dense"`, or `"tract"` (only in the `full` build). `limits`:
    /// `{ <limit name>: number }` raises (or lowers) the bundle limits (`BUNDLE_LIMIT`); see
    /// `load_options`. `publicKey`: the key the bundle must be signed with (SPKI PEM, or
    /// base64 of the raw 32 bytes; `BUNDLE_UNSIGNED`, `BUNDLE_SIGNATURE`).
    ///
    /// `digests`: SHA-256 digests of ranges of `bytes` the JavaScript layer computed with
    /// WebCrypto (40-byte records: start and length as little-endian u32, then the digest;
    /// `tandem_core::bundle::Digests`); every checksum is still compared here, and a range
    /// without a digest is hashed here.
    pub fn load(
        bytes: &[u8],
        options: &JsValue,
        digests: Option<Vec<u8>>,
    ) -> Result<Model, JsValue> {
        let options = load_options::JsLoadOptions::read(options)?.into_core()?;
        let digests = digests
            .map(|d| tandem_core::bundle::Digests::from_packed(&d))
            .unwrap_or_default();
        let inner = tandem_core::Model::load_digested(bytes, &options, &digests)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        let keys = field_keys(inner.schema());
        Ok(Model { inner, keys })
    }

    /// The engine running the network: `"dense"` or `"tract"`.
    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        self.inner.engine().to_string()
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
    /// predict as is and list them under `warnings`). Any other key is a `BAD_OPTION`.
    pub fn predict(&self, instance: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let options = call_options(options, PREDICT_OPTIONS)?.transform;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let p = self
            .inner
            .predict(&inst, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        self.prediction_object(&p, &inst, options)
    }

    /// Predict an array of raw instances in one pass through the network.
    ///
    /// Throws a `TandemError` with `index` for the first invalid instance, unless
    /// `options.errors` is `"return"`: then an invalid row's place holds
    /// `{ error: { code, field, message } }` and the other rows are predicted.
    #[wasm_bindgen(js_name = predictBatch)]
    pub fn predict_batch(&self, instances: &JsValue, options: &JsValue) -> Result<Array, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?;
        let arr = instances_array(instances)?;
        let keep_going = opts.row_errors == RowErrors::Return;
        let schema = self.inner.schema();
        let mut parsed = Vec::with_capacity(arr.length() as usize);
        for (i, v) in arr.iter().enumerate() {
            let r = parse_instance(schema, &self.keys, &v);
            if let (Err(e), false) = (&r, keep_going) {
                return Err(js_error(&TandemError::from(e).with_index(i)));
            }
            parsed.push(r);
        }
        self.run_batch(&parsed, opts.transform, keep_going)
    }

    /// Predict a column-oriented batch `{ field: values[] }` (arrays or typed arrays of one
    /// length): the fast path for tables, no object per row. Same options as `predictBatch`.
    #[wasm_bindgen(js_name = predictColumns)]
    pub fn predict_columns(&self, columns: &JsValue, options: &JsValue) -> Result<Array, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?;
        let keep_going = opts.row_errors == RowErrors::Return;
        let parsed = instances_from_columns(self.inner.schema(), &self.keys, columns)?;
        if !keep_going {
            first_error(&parsed)?;
        }
        self.run_batch(&parsed, opts.transform, keep_going)
    }

    /// The fast path behind the package's `predict`: the scores only, as
    /// `[scores..., flag]` (class probabilities in the schema's class order, or the value;
    /// `flag` is 1 when the instance has warnings (out of range, unknown category), which
    /// `predict` then reports).
    #[wasm_bindgen(js_name = predictValues)]
    pub fn predict_values(
        &self,
        instance: &JsValue,
        options: &JsValue,
    ) -> Result<Float64Array, JsValue> {
        let opts = call_options(options, PREDICT_OPTIONS)?.transform;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let warn = self.inner.has_warnings(&inst, opts);
        let mut out = Vec::with_capacity(self.inner.scores_width() + 1);
        let status = self
            .inner
            .batch_scores(&[Ok(inst)], opts, &mut out)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        if let Some(Err(e)) = status.first() {
            return Err(js_error(&TandemError::from(e)));
        }
        out.push(f64::from(u8::from(warn)));
        Ok(Float64Array::from(out.as_slice()))
    }

    /// Predict every row of CSV text (header row first), parsed exactly as `tandem predict`
    /// parses a CSV file with this model (its training's reading options, a sniffed
    /// delimiter; a header lacking a field is `MISSING_FIELD`). Same options as `predictBatch`; with `errors: "return"` a bad row's
    /// place holds `{ error: { code, field, message } }` naming its 1-based data row.
    #[wasm_bindgen(js_name = predictCsv)]
    pub fn predict_csv(&self, text: &str, options: &JsValue) -> Result<Array, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?;
        let keep_going = opts.row_errors == RowErrors::Return;
        let read = &self.inner.metadata().read;
        let parsed = tandem_core::read::read_csv(self.inner.schema(), text.as_bytes(), read)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        check_rows(parsed.len())?;
        if !keep_going {
            first_error(&parsed)?;
        }
        self.run_batch(&parsed, opts.transform, keep_going)
    }

    /// The answer for the row at 0-based `index` of a batch, as `predictBatch` with
    /// `errors: "return"` gives it: the prediction with its warnings, or its error object
    /// naming that row. The package's rare path for rows `batchValues` flagged.
    #[wasm_bindgen(js_name = rowAnswer)]
    pub fn row_answer(
        &self,
        instance: &JsValue,
        options: &JsValue,
        index: u32,
    ) -> Result<JsValue, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?.transform;
        let answer = parse_instance(self.inner.schema(), &self.keys, instance)
            .and_then(|inst| Ok((self.inner.predict(&inst, opts)?, inst)));
        match answer {
            Ok((p, inst)) => self.prediction_object(&p, &inst, opts),
            Err(e) => error_object(&e, index as usize),
        }
    }

    /// The fast path behind `predictBatch` / `predictColumns`: `rows × (k + 1)` numbers, each
    /// row's scores then a flag: 0 ok, 1 warnings, 2 error (only with
    /// `errors: "return"`; otherwise the first invalid row throws with its index).
    #[wasm_bindgen(js_name = batchValues)]
    pub fn batch_values(
        &self,
        input: &JsValue,
        options: &JsValue,
        columns: bool,
    ) -> Result<Float64Array, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?;
        let schema = self.inner.schema();
        let parsed: Vec<_> = if columns {
            instances_from_columns(schema, &self.keys, input)?
        } else {
            instances_array(input)?
                .iter()
                .map(|v| parse_instance(schema, &self.keys, &v))
                .collect()
        };
        self.batch_answer(&parsed, opts)
    }

    /// [`Model::batch_values`] on a batch the JavaScript layer packed into typed arrays
    /// (`packed`: the layout, and which batches qualify).
    #[wasm_bindgen(js_name = batchPacked)]
    pub fn batch_packed(
        &self,
        rows: u32,
        kinds: &[u8],
        numbers: &[f64],
        text: &[u8],
        lengths: &[u32],
        options: &JsValue,
    ) -> Result<Float64Array, JsValue> {
        let opts = call_options(options, BATCH_OPTIONS)?;
        check_rows(rows as usize)?;
        let schema = self.inner.schema();
        let parsed =
            packed::instances_from_packed(schema, rows as usize, kinds, numbers, text, lengths)
                .map_err(|e| {
                    JsValue::from(js_sys::Error::new(&format!(
                        "tandem-infer: a packed batch is inconsistent ({})",
                        e.0
                    )))
                })?;
        self.batch_answer(&parsed, opts)
    }

    /// The feature vector the network sees for a raw instance (the shared preprocessing).
    pub fn features(&self, instance: &JsValue, options: &JsValue) -> Result<Float32Array, JsValue> {
        let options = call_options(options, PREDICT_OPTIONS)?.transform;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let f = self
            .inner
            .features(&inst, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        Ok(Float32Array::from(f.as_slice()))
    }
}

/// `instances` as an array of at most `MAX_BATCH_ROWS` rows.
fn instances_array(instances: &JsValue) -> Result<Array, JsValue> {
    if !Array::is_array(instances) {
        return Err(request_error(&RequestError::NotAnArray {
            what: "the instances of predictBatch".into(),
        }));
    }
    let arr = Array::from(instances);
    check_rows(arr.length() as usize)?;
    Ok(arr)
}

/// Throw the first invalid row's error, with its index.
fn first_error(
    parsed: &[Result<tandem_core::Instance, tandem_core::Error>],
) -> Result<(), JsValue> {
    match parsed.iter().enumerate().find(|(_, r)| r.is_err()) {
        Some((i, Err(e))) => Err(js_error(&TandemError::from(e).with_index(i))),
        _ => Ok(()),
    }
}

impl Model {
    /// Scores and a flag per row (see [`Model::batch_values`]).
    fn batch_answer(
        &self,
        parsed: &[Result<tandem_core::Instance, tandem_core::Error>],
        opts: tandem_core::protocol::CallOptions,
    ) -> Result<Float64Array, JsValue> {
        let keep_going = opts.row_errors == RowErrors::Return;
        if !keep_going {
            first_error(parsed)?;
        }
        let k = self.inner.scores_width();
        let mut scores = Vec::new();
        let status = self
            .inner
            .batch_scores(parsed, opts.transform, &mut scores)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        let mut out = Vec::with_capacity(parsed.len() * (k + 1));
        for (i, (st, inst)) in status.iter().zip(parsed).enumerate() {
            out.extend_from_slice(&scores[i * k..(i + 1) * k]);
            out.push(match (st, inst) {
                (Err(e), _) if !keep_going => {
                    return Err(js_error(&TandemError::from(e).with_index(i)));
                }
                (Err(_), _) => 2.0,
                (Ok(()), Ok(inst)) if self.inner.has_warnings(inst, opts.transform) => 1.0,
                _ => 0.0,
            });
        }
        Ok(Float64Array::from(out.as_slice()))
    }

    fn run_batch(
        &self,
        parsed: &[Result<tandem_core::Instance, tandem_core::Error>],
        options: tandem_core::prep::TransformOptions,
        keep_going: bool,
    ) -> Result<Array, JsValue> {
        let results = self
            .inner
            .predict_batch(parsed, options)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        let out = Array::new_with_length(results.len() as u32);
        for (i, (r, inst)) in results.iter().zip(parsed).enumerate() {
            let value = match (r, inst) {
                (Ok(p), Ok(inst)) => self.prediction_object(p, inst, options)?,
                (Ok(p), Err(_)) => to_js(p)?,
                (Err(e), _) if keep_going => error_object(e, i)?,
                (Err(e), _) => return Err(js_error(&TandemError::from(e).with_index(i))),
            };
            out.set(i as u32, value);
        }
        Ok(out)
    }

    /// A prediction as JavaScript sees it, with `warnings` when predicting `inst` with
    /// `options` gave any (the same list for `predict` and every batch call).
    fn prediction_object(
        &self,
        p: &tandem_core::Prediction,
        inst: &tandem_core::Instance,
        options: tandem_core::prep::TransformOptions,
    ) -> Result<JsValue, JsValue> {
        let out = to_js(p)?;
        if self.inner.has_warnings(inst, options) {
            let warnings = self.inner.warnings(inst, options);
            // A fresh plain object: setting a property cannot fail.
            let _ = js_sys::Reflect::set(&out, &JsValue::from_str("warnings"), &to_js(&warnings)?);
        }
        Ok(out)
    }
}

/// Bytes of WebAssembly linear memory (for leak tests and the benchmark).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// The version of the Tandem runtime.
#[wasm_bindgen]
pub fn version() -> String {
    tandem_core::VERSION.to_string()
}

/// Every error code with its meaning, the tolerances, the limits and the serving routes
/// (`tandem_core::constants::constants`): what JavaScript reads instead of copying.
#[wasm_bindgen]
pub fn constants() -> Result<JsValue, JsValue> {
    to_js(&tandem_core::constants::constants())
}

/// Throw `BATCH_TOO_LARGE` for a batch of more rows than the limit (the package checks a
/// batch's length before copying it).
#[wasm_bindgen(js_name = checkBatchRows)]
pub fn check_batch_rows(rows: f64) -> Result<(), JsValue> {
    check_rows(rows as usize)
}
