//! Errors as the package's exceptions: `tandem_infer.InputError` for data a prediction cannot
//! use, `tandem_infer.ModelError` for a model that cannot be found or loaded; both carry the
//! stable `code`, the `field` and the 0-based `row` (`tandem_infer/_errors.py`).

use pyo3::prelude::*;

/// Which exception class an error becomes.
#[derive(Clone, Copy)]
pub enum Kind {
    /// The data given to predict (`InputError`, a `ValueError`).
    Input,
    /// The model (`ModelError`).
    Model,
}

/// The exception for `code`, `message`, `field` and `row`, built by `tandem_infer._errors`.
pub fn raise(
    py: Python<'_>,
    kind: Kind,
    code: &str,
    message: String,
    field: Option<&str>,
    row: Option<usize>,
) -> PyErr {
    let class = match kind {
        Kind::Input => "InputError",
        Kind::Model => "ModelError",
    };
    let built = py
        .import("tandem_infer._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((code, message, field, row)));
    match built {
        Ok(exception) => PyErr::from_value(exception),
        Err(e) => e,
    }
}

/// The error's message followed by each cause its message does not already say (the OS's
/// reason for a file that does not open), as the CLI prints them.
pub fn message(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        cause = c.source();
    }
    text
}

/// A core error about the input (a row, or the batch's columns).
pub fn input(py: Python<'_>, e: &tandem_core::Error, row: Option<usize>) -> PyErr {
    raise(py, Kind::Input, e.code(), message(e), e.field(), row)
}

/// A core error about the model (its bytes, its engine).
pub fn model(py: Python<'_>, e: &tandem_core::Error) -> PyErr {
    raise(py, Kind::Model, e.code(), message(e), e.field(), None)
}

/// A tracking error (a URI, a run, a registry entry, the server).
pub fn tracking(py: Python<'_>, e: &tandem_tracking::Error) -> PyErr {
    raise(py, Kind::Model, e.code(), message(e), None, None)
}
