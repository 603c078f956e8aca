//! Why a training run stopped: what went wrong, where (file, row, spec position) and why.

use std::path::PathBuf;

/// An error the [`Observer`](crate::observer::Observer) raised (the binary's run store, say).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any error of the training pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The training data cannot be used as it is (a malformed CSV row, a missing label
    /// column, a label outside the schema's classes, no rows).
    #[error("{}: {}{reason}", path.display(), row.map(|r| format!("row {r}: ")).unwrap_or_default())]
    Data {
        /// The data file.
        path: PathBuf,
        /// The 1-based data row, when one row is at fault.
        row: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A schema file does not parse, is inconsistent, or does not fit the plan.
    #[error("invalid schema {}: {reason}", path.display())]
    Schema {
        /// The schema file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The core library refused something (an inferred schema, a fitted node, a bundle).
    /// Its message is shown with its stable code, `[CODE] message`, so the core error is
    /// part of this one's text rather than a separate cause.
    #[error("[{}] {error}", error.code())]
    Core {
        /// The core error.
        error: tandem_core::Error,
    },
    /// The pipeline spec is invalid (located: `file:line:column`, the line and a caret).
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// A training setting is out of range (from a spec or from flags).
    #[error(transparent)]
    Setting(#[from] crate::spec::check::SettingError),
    /// The plan is inconsistent: a located message when it came from a spec
    /// (`file:line:column`, the line and a caret), else a plain one.
    #[error("{0}")]
    Plan(String),
    /// A shared node cannot be fitted on the training rows.
    #[error("feature `{feature}`: {reason}")]
    Feature {
        /// The feature's name.
        feature: String,
        /// Why.
        reason: String,
    },
    /// Burn failed, or training diverged.
    #[error("{0}")]
    Training(String),
    /// Exporting the network (ONNX, NNEF, the dense kernel's weights) failed.
    #[error("export: {0}")]
    Export(String),
    /// The encoded bundle does not reproduce training (features or outputs).
    #[error("export check failed: {0}")]
    ExportCheck(String),
    /// A data source could not be read (a database, an API, a window, a label join).
    #[error("[{}] {error}", error.code())]
    Source {
        /// The source error.
        error: tandem_sources::SourceError,
    },
    /// The observer stopped the run.
    #[error(transparent)]
    Observer(BoxError),
    /// One cross-validation fold failed.
    #[error("cross-validation fold {fold}")]
    Fold {
        /// 1-based fold number.
        fold: usize,
        /// What went wrong in it.
        source: Box<Error>,
    },
}

/// A result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl From<tandem_sources::SourceError> for Error {
    fn from(error: tandem_sources::SourceError) -> Self {
        Error::Source { error }
    }
}

impl From<tandem_core::Error> for Error {
    fn from(error: tandem_core::Error) -> Self {
        Error::Core { error }
    }
}

impl From<tandem_core::error::BundleError> for Error {
    fn from(e: tandem_core::error::BundleError) -> Self {
        Error::Core { error: e.into() }
    }
}
