//! The protocol's errors: [`RequestError`] (a call's options or batch shape, whatever binding
//! it came through) and [`ProtocolError`] (an HTTP answer: status, MLflow's `error_code`, and
//! Tandem's own `code`, `row` and `field`).

use crate::constants::http;
use serde_json::{Value as Json, json};
use thiserror::Error;

use super::Answer;
use crate::Error;

/// Why a call's options or batch shape were refused (the same rules in every binding).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A container that must be an object is not one (the columns of a column batch).
    #[error("{what} must be an object")]
    NotAnObject {
        /// What had to be an object.
        what: String,
    },
    /// An option key the call does not take.
    #[error("unknown option `{key}` (known: {known})")]
    UnknownOption {
        /// The key.
        key: String,
        /// The keys the call takes, comma separated.
        known: String,
    },
    /// An option (or the options container) of the wrong type: `strict: "yes"`.
    #[error("`{key}` must be {expected}, found {found}")]
    OptionType {
        /// The option (`options` / `params` for the container).
        key: String,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: String,
    },
    /// An option of the right type with a value it does not take: `range: "sometimes"`.
    #[error("`{key}`: {reason}")]
    OptionValue {
        /// The option.
        key: String,
        /// Why the value is refused.
        reason: String,
    },
    /// Something that must be an array is not one (a batch, a column).
    #[error("{what} is not an array")]
    NotAnArray {
        /// What had to be an array.
        what: String,
    },
    /// The columns of a column batch differ in length.
    #[error("column `{field}` has {len} values, an earlier column has {earlier}")]
    ColumnLength {
        /// The column.
        field: String,
        /// Its length.
        len: usize,
        /// The length of the columns before it.
        earlier: usize,
    },
    /// Columns of the model absent from a column batch (`dataframe_split`, `inputs` as
    /// columns, a CSV header): every row would lack them, so the batch is refused.
    #[error("{} missing: {}; every field of the model needs a column (null cells for missing values)", plural_columns(missing), missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))]
    MissingColumns {
        /// Every absent column, in schema order.
        missing: Vec<String>,
    },
    /// A batch longer than [`crate::constants::MAX_BATCH_ROWS`].
    #[error("a batch holds at most {limit} rows, this one {rows}: split it")]
    BatchTooLarge {
        /// Rows in the batch.
        rows: usize,
        /// The limit.
        limit: usize,
    },
}

impl RequestError {
    /// Stable machine-readable code (listed in [`crate::constants::error_codes`]).
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::NotAnObject { .. } => "NOT_AN_OBJECT",
            RequestError::UnknownOption { .. }
            | RequestError::OptionType { .. }
            | RequestError::OptionValue { .. } => "BAD_OPTION",
            RequestError::NotAnArray { .. } => "NOT_AN_ARRAY",
            RequestError::ColumnLength { .. } => "COLUMN_LENGTH",
            RequestError::BatchTooLarge { .. } => "BATCH_TOO_LARGE",
            RequestError::MissingColumns { .. } => "MISSING_FIELD",
        }
    }

    /// The option or column concerned, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            RequestError::UnknownOption { key, .. }
            | RequestError::OptionType { key, .. }
            | RequestError::OptionValue { key, .. } => Some(key),
            RequestError::ColumnLength { field, .. } => Some(field),
            RequestError::MissingColumns { missing } => missing.first().map(String::as_str),
            RequestError::NotAnObject { .. }
            | RequestError::NotAnArray { .. }
            | RequestError::BatchTooLarge { .. } => None,
        }
    }
}

/// `column a is` / `2 columns are`, for [`RequestError::MissingColumns`].
fn plural_columns(missing: &[String]) -> String {
    match missing.len() {
        1 => "1 column is".to_string(),
        n => format!("{n} columns are"),
    }
}

/// A request the protocol refuses: HTTP status, MLflow error code, message, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolError {
    /// 400, 404, 413 or 415.
    pub status: u16,
    /// MLflow's code: `BAD_REQUEST`, `UNSUPPORTED_MEDIA_TYPE`, `REQUEST_TOO_LARGE`,
    /// `ENDPOINT_NOT_FOUND`.
    pub error_code: &'static str,
    /// What and why.
    pub message: String,
    /// Tandem's own code for an instance or request error (`MISSING_FIELD`, `BAD_OPTION`, ...).
    pub code: Option<&'static str>,
    /// The row that failed (numbered from 1: [`crate::error::row_number`]).
    pub row: Option<usize>,
    /// The field (or option) concerned.
    pub field: Option<String>,
}

impl ProtocolError {
    /// An error with a status, MLflow code and message only.
    pub fn new(status: u16, error_code: &'static str, message: impl Into<String>) -> Self {
        ProtocolError {
            status,
            error_code,
            message: message.into(),
            code: None,
            row: None,
            field: None,
        }
    }

    /// 400 `BAD_REQUEST`.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::new(400, http::BAD_REQUEST, message)
    }

    /// 400 for a request error, its message prefixed by where (`params`, `inputs`).
    pub(crate) fn request(context: &str, e: &RequestError) -> Self {
        ProtocolError {
            code: Some(e.code()),
            field: e.field().map(str::to_string),
            ..Self::bad(format!("{context}: {e}"))
        }
    }

    /// 400 for a body that cannot be read as a whole (a CSV header lacking fields, an empty
    /// body), its message prefixed by what it is.
    pub(crate) fn file(context: &str, e: &Error) -> Self {
        ProtocolError {
            code: Some(e.code()),
            field: e.field().map(str::to_string),
            ..Self::bad(format!("{context}: {e}"))
        }
    }

    /// 400 for the invalid row at 0-based `index`: names the row, its field and Tandem's code.
    pub(crate) fn row(index: usize, e: &Error) -> Self {
        let (row, message) = e.in_batch(index);
        ProtocolError {
            code: Some(e.code()),
            row: Some(row),
            field: e.field().map(str::to_string),
            ..Self::bad(message)
        }
    }

    /// The JSON body of the error response.
    pub fn body(&self) -> Json {
        let mut o = json!({ "error_code": self.error_code, "message": self.message });
        if let Some(c) = self.code {
            o["code"] = json!(c);
        }
        if let Some(r) = self.row {
            o["row"] = json!(r);
        }
        if let Some(f) = &self.field {
            o["field"] = json!(f);
        }
        o
    }

    /// The whole HTTP answer.
    pub fn answer(&self) -> Answer {
        Answer::json(self.status, self.body().to_string())
    }
}
