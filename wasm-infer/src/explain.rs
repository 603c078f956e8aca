//! `model.explain(instance, options)`: why this prediction, per raw field, computed by
//! tandem-core's explanation pipeline against the bundle's background sample (the same values
//! as `tandem explain`, `POST /explain` and the edge worker for the same seed).

use tandem_core::protocol::{EXPLAIN_OPTIONS, explanation_json};
use wasm_bindgen::prelude::*;

use crate::Model;
use crate::convert::{call_options, instance_from_js, to_js};
use crate::error::{TandemError, js_error};

#[wasm_bindgen]
impl Model {
    /// Shapley values of one raw instance, per input field: `{ prediction, base, values,
    /// method, background, evaluations }` (and `permutations`, `seed` when sampled);
    /// `base` plus every field's value is the prediction (per class for classification).
    ///
    /// `options`: `strict` and `range` as for `predict`; `method` (`"auto"`, `"exact"`,
    /// `"sampled"`), `permutations`, `seed`.
    pub fn explain(&self, instance: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let options = call_options(options, EXPLAIN_OPTIONS)?;
        let inst = instance_from_js(self.inner.schema(), &self.keys, instance, None)?;
        let explained = self
            .inner
            .explain(&inst, options.transform, &options.explain)
            .map_err(|e| js_error(&TandemError::from(&e)))?;
        to_js(&explanation_json(&self.inner, &explained))
    }

    /// Rows in the bundle's background sample (0: `explain` throws `NO_BACKGROUND`).
    #[wasm_bindgen(getter, js_name = backgroundRows)]
    pub fn background_rows(&self) -> usize {
        self.inner.background().len()
    }
}
