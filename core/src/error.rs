//! Typed errors: what went wrong, where (field, row, byte offset) and why.
//!
//! Every error has a stable machine-readable [`Error::code`] (the same string in Rust, the
//! CLI and the JavaScript package) and, for instance errors, the [`Error::field`] it concerns.

use thiserror::Error;

use crate::prep::BindError;

/// Why a single raw instance was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// The instance is not an object / record at all.
    #[error("an instance must be an object of field values, found {found}")]
    NotAnObject {
        /// What was found instead (`null`, `array`, `string`, ...).
        found: String,
    },
    /// A field that is not nullable is absent or null.
    #[error("field `{field}` is required but missing")]
    MissingField {
        /// The field's name.
        field: String,
    },
    /// The value has the wrong type for the field.
    #[error("field `{field}` expects {expected}, found {found}")]
    WrongType {
        /// The field's name.
        field: String,
        /// The schema type the field expects.
        expected: String,
        /// A short description of what was found.
        found: String,
    },
    /// A numeric field received NaN or an infinity.
    #[error("field `{field}` must be a finite number, found {value}")]
    NotFinite {
        /// The field's name.
        field: String,
        /// The offending value, as text.
        value: String,
    },
    /// An integer field received a number with a fractional part.
    #[error("field `{field}` expects an integer, found {value}")]
    NotInteger {
        /// The field's name.
        field: String,
        /// The offending value, as text.
        value: String,
    },
    /// A categorical value never seen during training, with strict category checking on.
    #[error("field `{field}` has unknown category {value:?} (known: {known})")]
    UnknownCategory {
        /// The field's name.
        field: String,
        /// The unknown value.
        value: String,
        /// The known categories, comma separated (truncated if long).
        known: String,
    },
    /// A number outside the range seen in training, with the range policy set to error.
    #[error(
        "field `{field}` is {}, outside the training range {}",
        crate::short::number(*value),
        crate::short::range(*min, *max)
    )]
    OutOfRange {
        /// The field's name.
        field: String,
        /// The value.
        value: f64,
        /// Smallest training value.
        min: f64,
        /// Largest training value.
        max: f64,
    },
    /// The network's output for this instance is not finite (it overflowed: the instance is
    /// far outside anything seen in training).
    #[error(
        "the model's output is not finite for this instance (values far outside the training data?)"
    )]
    NonFiniteOutput,
    /// A value of the right type that a declared node cannot use (a date that does not match
    /// its format, a word that is neither true nor false, `log1p` of a number below -1).
    #[error("field `{field}` has value {value:?} that {reason}")]
    InvalidValue {
        /// The field (or declared feature) name.
        field: String,
        /// The offending value, as text (truncated to 100 characters).
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A text value longer than the runtime accepts.
    #[error("field `{field}` is {len} bytes long, more than the limit of {limit}")]
    TooLong {
        /// The field's name.
        field: String,
        /// Length of the value in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
}

impl InstanceError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InstanceError::NotAnObject { .. } => "NOT_AN_OBJECT",
            InstanceError::MissingField { .. } => "MISSING_FIELD",
            InstanceError::WrongType { .. } => "WRONG_TYPE",
            InstanceError::NotFinite { .. } => "NOT_FINITE",
            InstanceError::NotInteger { .. } => "NOT_INTEGER",
            InstanceError::UnknownCategory { .. } => "UNKNOWN_CATEGORY",
            InstanceError::TooLong { .. } => "TOO_LONG",
            InstanceError::InvalidValue { .. } => "INVALID_VALUE",
            InstanceError::OutOfRange { .. } => "OUT_OF_RANGE",
            InstanceError::NonFiniteOutput => "NON_FINITE_OUTPUT",
        }
    }

    /// The field the error concerns, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            InstanceError::NotAnObject { .. } | InstanceError::NonFiniteOutput => None,
            InstanceError::MissingField { field }
            | InstanceError::WrongType { field, .. }
            | InstanceError::NotFinite { field, .. }
            | InstanceError::NotInteger { field, .. }
            | InstanceError::UnknownCategory { field, .. }
            | InstanceError::TooLong { field, .. }
            | InstanceError::InvalidValue { field, .. }
            | InstanceError::OutOfRange { field, .. } => Some(field),
        }
    }
}

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The file does not start with the Tandem magic bytes.
    #[error("not a Tandem bundle (bad magic bytes at offset 0)")]
    BadMagic,
    /// The file was written by an incompatible format version.
    #[error("bundle format version {found} is not supported (this runtime reads {supported})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this runtime reads.
        supported: u32,
    },
    /// The file ends before a structure it announces.
    #[error("bundle is truncated: {what} needs bytes up to offset {needed}, file has {len}")]
    Truncated {
        /// What was being read.
        what: String,
        /// Offset that was needed.
        needed: u64,
        /// Actual length.
        len: u64,
    },
    /// A checksum does not match: the file is corrupt.
    #[error("checksum mismatch in {part}: the bundle is corrupt")]
    Checksum {
        /// The part whose SHA-256 differs.
        part: String,
    },
    /// The manifest or a JSON part does not parse.
    #[error("invalid {part}: {reason}")]
    Invalid {
        /// The part.
        part: String,
        /// Why.
        reason: String,
    },
    /// A required part is absent.
    #[error("bundle has no `{part}` part")]
    MissingPart {
        /// The part's name.
        part: String,
    },
    /// A preprocessing node in the bundle does not bind to the bundle's own schema: the
    /// bundle was edited by hand or corrupted in a way its checksums did not catch. Its code
    /// is `BUNDLE_INVALID`, as for any other invalid part; [`BindError::code`] tells which
    /// rule the node breaks.
    #[error("invalid preprocessing node {node} (`{name}`): {source}")]
    InvalidNode {
        /// 1-based position of the node in the preprocessing part.
        node: usize,
        /// The node's name (its field, or its declared feature name).
        name: String,
        /// Why it does not bind.
        source: BindError,
    },
    /// The bundle asks for more than a loading limit allows (see [`crate::bundle::Limits`]):
    /// checksums prove nothing against whoever wrote the bundle, so sizes, counts and depths
    /// are checked before anything is allocated for them.
    #[error(
        "bundle limit `{limit}` exceeded in {part}: found {found}, the limit is {max}; if you trust \
         this bundle, raise it (`--bundle-limit {limit}=N` in the CLI, \
         `limits: {{ {limit}: N }}` in JavaScript, `LoadOptions::limits` in Rust)"
    )]
    Limit {
        /// The limit's name (`part_bytes`).
        limit: &'static str,
        /// The value the bundle asks for.
        found: u64,
        /// The limit's value.
        max: u64,
        /// The part (or entry of a part) that asks for it.
        part: String,
    },
    /// A public key was given and the bundle carries no signature (issue 14).
    #[error("the bundle is not signed, and a public key was given to verify it")]
    Unsigned,
    /// A public key was given and the bundle's signature is malformed, was made by another
    /// key, or does not verify (the bundle changed after it was signed).
    #[error("the bundle's signature is rejected: {reason}")]
    Signature {
        /// Why.
        reason: String,
    },
}

impl BundleError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::BadMagic => "BUNDLE_BAD_MAGIC",
            BundleError::UnsupportedVersion { .. } => "BUNDLE_VERSION",
            BundleError::Truncated { .. } => "BUNDLE_TRUNCATED",
            BundleError::Checksum { .. } => "BUNDLE_CHECKSUM",
            BundleError::Invalid { .. } | BundleError::InvalidNode { .. } => "BUNDLE_INVALID",
            BundleError::MissingPart { .. } => "BUNDLE_MISSING_PART",
            BundleError::Limit { .. } => "BUNDLE_LIMIT",
            BundleError::Unsigned => "BUNDLE_UNSIGNED",
            BundleError::Signature { .. } => "BUNDLE_SIGNATURE",
        }
    }
}

/// Any error the core library reports.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A raw instance is invalid; `row` is its 1-based data row when it came from a file.
    #[error("{}{source}", row.map(|r| format!("row {r}: ")).unwrap_or_default())]
    Instance {
        /// 1-based data row (header excluded), if the instance came from a file.
        row: Option<usize>,
        /// What is wrong with it.
        source: InstanceError,
    },
    /// A CSV record could not be read.
    #[error("CSV row {row}: {reason}")]
    Csv {
        /// 1-based data row (header excluded).
        row: usize,
        /// Why.
        reason: String,
    },
    /// A JSON document or JSON Lines record could not be read.
    #[error("JSON row {row}: {reason}")]
    Json {
        /// 1-based record (line) number.
        row: usize,
        /// Why.
        reason: String,
    },
    /// The bundle could not be read.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The schema is inconsistent.
    #[error("invalid schema: {0}")]
    Schema(String),
    /// A preprocessing node does not bind to the schema it was given (code `SCHEMA`: the
    /// nodes and the schema disagree). Loading a bundle reports this as
    /// [`BundleError::InvalidNode`] instead, since the bundle carries both.
    #[error("preprocessing node {node} (`{name}`) is invalid: {source}")]
    Bind {
        /// 1-based position of the node.
        node: usize,
        /// The node's name (its field, or its declared feature name).
        name: String,
        /// Why it does not bind.
        source: BindError,
    },
    /// The inference engine failed.
    #[error("inference engine: {0}")]
    Engine(String),
    /// A file cannot be read as a table (its header, delimiter or reading options).
    #[error(transparent)]
    Read(#[from] crate::read::ReadError),
    /// An explanation was refused (no background, too costly, an option out of range).
    #[error(transparent)]
    Explain(#[from] crate::explain::ExplainError),
}

impl Error {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Instance { source, .. } => source.code(),
            Error::Csv { .. } => "CSV",
            Error::Json { .. } => "JSON",
            Error::Bundle(b) => b.code(),
            Error::Schema(_) | Error::Bind { .. } => "SCHEMA",
            Error::Engine(_) => "ENGINE",
            Error::Read(r) => r.code(),
            Error::Explain(e) => e.code(),
        }
    }

    /// The field the error concerns, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Instance { source, .. } => source.field(),
            Error::Read(r) => r.field(),
            Error::Explain(crate::explain::ExplainError::BadOption { option, .. }) => Some(option),
            _ => None,
        }
    }

    /// The 1-based data row the error concerns, if any.
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::Instance { row, .. } => *row,
            Error::Csv { row, .. } | Error::Json { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The same error as reported by a loaded bundle: a node that does not bind to the
    /// bundle's own schema makes the bundle invalid ([`BundleError::InvalidNode`]).
    pub fn in_bundle(self) -> Self {
        match self {
            Error::Bind { node, name, source } => {
                BundleError::InvalidNode { node, name, source }.into()
            }
            other => other,
        }
    }

    /// This error as it is reported for the row at 0-based `index` of a batch: its row is
    /// [`row_number`]`(index)` unless it already carries one (a CSV row), and the message
    /// names that row once (`row 3: field ...`).
    pub fn in_batch(&self, index: usize) -> (usize, String) {
        match self.row() {
            Some(row) => (row, self.to_string()),
            None => {
                let row = row_number(index);
                (row, format!("row {row}: {self}"))
            }
        }
    }

    /// Attach a 1-based row number to an instance error.
    pub fn at_row(self, r: usize) -> Self {
        match self {
            Error::Instance { source, .. } => Error::Instance {
                row: Some(r),
                source,
            },
            other => other,
        }
    }
}

/// The row-numbering convention of every surface (CLI, server, worker, npm, site): rows are
/// numbered from 1, row 1 being the first data row (a CSV header is not a row; in a JSON
/// batch, row 1 is the array's element 0). Messages name one row number; the JavaScript
/// package also gives the 0-based `index` for array access.
pub const fn row_number(index: usize) -> usize {
    index + 1
}

impl From<InstanceError> for Error {
    fn from(source: InstanceError) -> Self {
        Error::Instance { row: None, source }
    }
}
