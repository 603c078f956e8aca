//! The Python package `tandem_infer`'s native module: a Tandem bundle loaded by tandem-core and
//! predicted from Python values, with the same checks, codes and numbers as the CLI, the
//! server and the npm package.
//!
//! The Python layer (`python/tandem_infer/`) turns pandas, pyarrow and dicts into column
//! buffers ([`tandem_core::columnar`]) and builds the DataFrame; this crate reads them, drops
//! the GIL, and predicts on every core.
//!
//! - [`model`]: the `NativeModel` class (load, schema, predict, features, explain).
//! - [`cells`]: Python objects and buffers to raw values.
//! - [`batch`]: a column batch predicted in parallel.
//! - [`errors`]: core and tracking errors as the package's exceptions.

use pyo3::prelude::*;

mod batch;
mod cells;
mod errors;
mod model;

// The CLI's allocator: predicting allocates per row from every core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The module `tandem_infer._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::NativeModel>()?;
    m.add("VERSION", tandem_core::VERSION)?;
    Ok(())
}
