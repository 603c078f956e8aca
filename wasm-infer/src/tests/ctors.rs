//! Run the module's static constructors once, as the package's glue does at instantiation.
//!
//! The package calls them from its start function (`src/ctors.rs`), but wasm-bindgen's test
//! runner never runs start functions (wasm-bindgen-cli-support skips them "when we're
//! generating tests"). Without them tract has no operators registered (it collects them with
//! `inventory`, through constructors) and cannot optimise a graph.
#![allow(unsafe_code)]

use std::sync::Once;

unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Run the constructors, once per test module instance.
pub fn run_once() {
    static ONCE: Once = Once::new();
    // SAFETY: `__wasm_call_ctors` is the linker-synthesized constructor runner. In a test
    // build nothing else calls it (the start function that would is skipped), and `Once`
    // makes this the only call: running it twice would register tract's operators twice.
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}
