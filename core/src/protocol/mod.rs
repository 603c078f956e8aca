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
//! routes (`GET /ping`, `/health`, `/version`, `/schema`, `/metadata`, 404, 413), and
//! [`explain_until`] answers `POST /explain` (Tandem's own route: the explanation of each row).
//!
//! The bindings share the rest: call options ([`CallOptions`]) and column batches
//! ([`read_columns`]) are read by the same rules from JSON and from JavaScript.

mod body;
mod columns;
mod cors;
mod error;
mod explain;
mod nonfinite;
mod options;
mod predictions;
mod routes;
mod shape;

use crate::constants::http;
use serde::Serialize;

pub use columns::{
    Column, check_batch_rows, check_columns, check_columns_present, read_checked_columns,
    read_columns,
};
pub use cors::{PREFLIGHT_MAX_AGE, with_cors};
pub use error::{ProtocolError, RequestError};
pub use explain::{
    EXPLAIN, ExplanationJson, MAX_EXPLAIN_ROWS, explain_until, explanation_json, post_until,
    post_watched,
};
pub use options::{
    BATCH_OPTIONS, CallOptions, EXPLAIN_OPTIONS, OptionKey, Output, PREDICT_OPTIONS, RowErrors,
    SCORING_OPTIONS,
};
pub use routes::{
    GET_ROUTES, INVOCATIONS, Serving, allowed_methods, not_allowed, not_found, route, too_large,
};
pub use shape::Shape;

use crate::{Error, Instance, Model};

/// What a server hands the rows of every request it answered with predictions (its rolling
/// window of live inputs): each row parsed, as the request held them.
pub type Watch<'a> = dyn FnMut(&[Result<Instance, Error>]) + 'a;

/// The media types `POST /invocations` accepts.
pub const MEDIA_TYPES: [&str; 2] = ["application/json", "text/csv"];

/// The content type of every JSON answer.
pub const JSON: &str = "application/json";

/// One HTTP answer: status, content type, other headers and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `content-type` header.
    pub content_type: &'static str,
    /// The body (empty for `HEAD`: the server sends the headers only).
    pub body: String,
    /// Other headers, lower-case names (`allow`, the CORS headers), in the order added; an
    /// object in JavaScript.
    #[serde(serialize_with = "headers_object")]
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// An `application/json` answer.
    pub fn json(status: u16, body: String) -> Self {
        Answer {
            status,
            content_type: JSON,
            body,
            headers: Vec::new(),
        }
    }

    /// The answer with one more header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    /// A header's value (lower-case name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn headers_object<S: serde::Serializer>(
    headers: &[(&'static str, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(headers.iter().map(|(n, v)| (n, v)))
}

/// Answer one `POST /invocations` request with the default [`Serving`]: 200 with the
/// predictions, or the error.
pub fn invocations(model: &Model, content_type: &str, body: &[u8]) -> Answer {
    invocations_for(model, content_type, body, &Serving::default())
}

/// Answer one `POST /invocations` request for a server (its default output shape): 200 with
/// the predictions, or the error.
pub fn invocations_for(
    model: &Model,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
) -> Answer {
    invocations_until(model, content_type, body, serving, &|| false)
}

/// Rows scored between two looks at the deadline of [`invocations_until`].
pub const DEADLINE_CHUNK_ROWS: usize = 4096;

/// [`invocations_for`] under a deadline: the rows are scored in chunks of
/// [`DEADLINE_CHUNK_ROWS`] and `expired` is asked before each; once it says yes the work
/// stops and the answer is 504 `TIMEOUT` (a server's timeout stops the work, not only the
/// wait for it).
pub fn invocations_until(
    model: &Model,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
    expired: &dyn Fn() -> bool,
) -> Answer {
    invocations_watched(model, content_type, body, serving, expired, &mut |_| {})
}

/// [`invocations_until`], handing `watch` the rows of a request that was answered with its
/// predictions (every one parsed: a request with an invalid row is refused), for a server's
/// rolling window of live inputs.
pub fn invocations_watched(
    model: &Model,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
    expired: &dyn Fn() -> bool,
    watch: &mut Watch<'_>,
) -> Answer {
    if let Err(e) = Shape::of(content_type, body).check(serving.max_rows, serving.max_cells) {
        return e.answer();
    }
    match predict(model, content_type, body, serving.output, expired, watch) {
        Ok(body) => Answer::json(200, body),
        Err(e) => e.answer(),
    }
}

/// The rows and options of a request body: JSON (whose `params` may hold the `accepted`
/// options) or CSV; another content type is 415.
fn read_request(
    model: &Model,
    content_type: &str,
    body: &[u8],
    accepted: &[OptionKey],
) -> Result<(body::Rows, CallOptions), ProtocolError> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/json" => body::parse_json(model, body, accepted),
        "text/csv" => Ok((body::parse_csv(model, body)?, CallOptions::default())),
        other => Err(ProtocolError::new(
            415,
            http::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "content type {:?} is not supported; use one of: {}",
                if other.is_empty() { "(none)" } else { other },
                MEDIA_TYPES.join(", ")
            ),
        )),
    }
}

fn predict(
    model: &Model,
    content_type: &str,
    body: &[u8],
    output: Output,
    expired: &dyn Fn() -> bool,
    watch: &mut Watch<'_>,
) -> Result<String, ProtocolError> {
    let (rows, options) = read_request(model, content_type, body, SCORING_OPTIONS)?;
    let mut scores = Vec::new();
    let mut status = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(DEADLINE_CHUNK_ROWS) {
        if expired() {
            return Err(ProtocolError::new(
                504,
                http::TIMEOUT,
                format!(
                    "the prediction took longer than the server's timeout (stopped after {} of {} rows)",
                    status.len(),
                    rows.len()
                ),
            ));
        }
        status.extend(
            model
                .batch_scores(chunk, options.transform, &mut scores)
                .map_err(|e| ProtocolError::bad(e.to_string()))?,
        );
    }
    if let Some((i, Err(e))) = status.iter().enumerate().find(|(_, s)| s.is_err()) {
        return Err(ProtocolError::row(i, e));
    }
    watch(&rows);
    let output = options.output.unwrap_or(output);
    serde_json::to_string(&predictions::Predictions::new(
        model,
        &rows,
        options.transform,
        &scores,
        output,
    ))
    .map_err(|e| ProtocolError::bad(e.to_string()))
}
