//! Why a pipeline spec was refused: it could not be read, or it is invalid at a place in it.

use std::path::PathBuf;

/// A spec error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The spec file could not be read.
    #[error("cannot read spec {}", path.display())]
    Read {
        /// The spec file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The spec is invalid at a place in it: `message` is located (`file:line:column:
    /// why`, then the line and a caret under the offending span).
    #[error("{message}")]
    Invalid {
        /// The located message.
        message: String,
    },
}
