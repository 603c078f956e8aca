//! Run the module's static constructors once, at instantiation.
//!
//! tract registers its operators through `inventory`, which on wasm relies on static
//! constructors (`.init_array`). When a module never calls `__wasm_call_ctors` itself,
//! wasm-ld assumes a "command" module and wraps *every export* so that it re-runs all
//! constructors first: measured in Node, that was ~80% of the time of each `predict` call
//! (see the closing note of the session that found it). Referencing `__wasm_call_ctors`
//! once from the start function makes wasm-ld drop the wrappers, and the constructors run
//! exactly once.
#![allow(unsafe_code)]

use wasm_bindgen::prelude::wasm_bindgen;

unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Called by the wasm-bindgen glue once, when the module is instantiated.
#[wasm_bindgen(start)]
fn start() {
    // SAFETY: `__wasm_call_ctors` is the linker-synthesized constructor runner; calling it
    // once before any other export is exactly its contract.
    unsafe { __wasm_call_ctors() }
}
