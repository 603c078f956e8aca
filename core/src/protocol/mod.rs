//! MLflow's scoring protocol, implemented once for every server: the native `tandem serve`
//! and the edge worker (through the wasm package) answer the same requests with the same
//! bytes.
//!
//! `POST /invocations` ([`invocations`]) accepts:
//! - `application/json` with exactly one of
//!   `dataframe_split` (`{ "columns": [...], "data": [[...], ...] }`),
//!   `dataframe_records` (`[{...}, ...]`), `instances` (`[{...}, ...]`) or
//!   `inputs` (`{ "col": [...], ... }` columns, or `[{...}, ...]` records),
//!   plus optional `params`: `{ "strict": bool, "range": "warn" | "clip" | "error" }`;
//! - `text/csv` with a header row.
//!
//! The answer is `{"predictions": [...]}` (one `{label, probabilities}` or `{value}` per row,
//! with `warnings` when a number is outside the training range). Any invalid row fails the
//! request with 400 and names the row and field, as MLflow does. [`route`] answers the other
//! routes (`GET /ping`, `/health`, `/version`, `/schema`, `/metadata`, 404, 413).
//!
//! The bindings share the rest: call options ([`CallOptions`]) and column batches
//! ([`read_columns`]) are read by the same rules from JSON and from JavaScript.

mod body;
mod columns;
mod error;
mod options;
mod predictions;
mod routes;

use crate::constants::http;
use serde::Serialize;

pub use columns::{Column, check_batch_rows, read_columns};
pub use error::{ProtocolError, RequestError};
pub use options::{BATCH_OPTIONS, CallOptions, OptionKey, PREDICT_OPTIONS, RowErrors};
pub use routes::{GET_ROUTES, INVOCATIONS, Serving, not_found, route, too_large};

use crate::Model;
use crate::prep::TransformOptions;

/// The media types `POST /invocations` accepts.
pub const MEDIA_TYPES: [&str; 2] = ["application/json", "text/csv"];

/// The content type of every JSON answer.
pub const JSON: &str = "application/json";

/// One HTTP answer: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `content-type` header.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Answer {
    /// An `application/json` answer.
    pub fn json(status: u16, body: String) -> Self {
        Answer {
            status,
            content_type: JSON,
            body,
        }
    }
}

/// Answer one `POST /invocations` request: 200 with the predictions, or the error.
pub fn invocations(model: &Model, content_type: &str, body: &[u8]) -> Answer {
    match predict(model, content_type, body) {
        Ok(body) => Answer::json(200, body),
        Err(e) => e.answer(),
    }
}

fn predict(model: &Model, content_type: &str, body: &[u8]) -> Result<String, ProtocolError> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (rows, options) = match media.as_str() {
        "application/json" => body::parse_json(model, body)?,
        "text/csv" => (body::parse_csv(model, body)?, TransformOptions::default()),
        other => {
            return Err(ProtocolError::new(
                415,
                http::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "content type {:?} is not supported; use one of: {}",
                    if other.is_empty() { "(none)" } else { other },
                    MEDIA_TYPES.join(", ")
                ),
            ));
        }
    };
    let mut scores = Vec::new();
    let status = model
        .batch_scores(&rows, options, &mut scores)
        .map_err(|e| ProtocolError::bad(e.to_string()))?;
    if let Some((i, Err(e))) = status.iter().enumerate().find(|(_, s)| s.is_err()) {
        return Err(ProtocolError::row(i, e));
    }
    serde_json::to_string(&predictions::Predictions::new(
        model, &rows, options, &scores,
    ))
    .map_err(|e| ProtocolError::bad(e.to_string()))
}
