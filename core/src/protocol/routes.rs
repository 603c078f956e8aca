//! Every answer a Tandem server gives besides the predictions themselves: `GET /ping`,
//! `/health`, `/version`, `/schema`, `/metadata`, 404 for an unknown route and 413 for a body
//! past the limit. `tandem serve` and the edge worker (through the wasm package) both answer
//! with [`route`], so their answers are the same bytes.

use crate::constants::http;
use serde::Serialize;

use super::{Answer, ProtocolError};
use crate::Model;
use crate::constants::MAX_BODY_BYTES;

/// The scoring route (`POST`).
pub const INVOCATIONS: &str = "/invocations";

/// The `GET` routes.
pub const GET_ROUTES: [&str; 5] = ["/ping", "/health", "/version", "/schema", "/metadata"];

/// What a server knows beyond the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serving<'a> {
    /// The model as the server was told it (a path or a `runs:/` / `models:/` URI), reported
    /// by `/version`; `None` for a bundle built into the server (the edge worker).
    pub model: Option<&'a str>,
    /// The registry version a `models:/` URI resolved to, reported by `/version`.
    pub model_version: Option<u64>,
    /// Largest accepted `POST /invocations` body, in bytes.
    pub max_body_bytes: usize,
}

impl Default for Serving<'_> {
    fn default() -> Self {
        Serving {
            model: None,
            model_version: None,
            max_body_bytes: MAX_BODY_BYTES,
        }
    }
}

#[derive(Serialize)]
struct Health<'a> {
    status: &'static str,
    run_id: &'a str,
}

#[derive(Serialize)]
struct Version<'a> {
    tandem: &'static str,
    bundle_written_by: &'a str,
    run_id: &'a str,
    model: Option<&'a str>,
    model_version: Option<u64>,
}

/// The answer to any request but an accepted `POST /invocations` (`None`: read the body and
/// answer it with [`super::invocations`]). `body_bytes` is the request body's length. `HEAD`
/// is answered as `GET` (the server sends the headers only).
pub fn route(
    model: &Model,
    method: &str,
    path: &str,
    body_bytes: usize,
    serving: &Serving,
) -> Option<Answer> {
    let meta = model.metadata();
    let get = matches!(method, "GET" | "HEAD");
    Some(match (method, path) {
        ("POST", INVOCATIONS) if body_bytes > serving.max_body_bytes => {
            too_large(serving.max_body_bytes).answer()
        }
        ("POST", INVOCATIONS) => return None,
        (_, "/ping") if get => Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: String::new(),
        },
        (_, "/health") if get => json_answer(&Health {
            status: "ok",
            run_id: &meta.run_id,
        }),
        (_, "/version") if get => json_answer(&Version {
            tandem: crate::VERSION,
            bundle_written_by: &meta.tandem_version,
            run_id: &meta.run_id,
            model: serving.model,
            model_version: serving.model_version,
        }),
        (_, "/schema") if get => json_answer(model.schema()),
        (_, "/metadata") if get => json_answer(meta),
        _ => not_found(method, path).answer(),
    })
}

/// 200 with `value` as JSON (500 in the impossible case that it does not serialise).
fn json_answer<T: Serialize>(value: &T) -> Answer {
    match serde_json::to_string(value) {
        Ok(body) => Answer::json(200, body),
        Err(e) => ProtocolError::new(500, http::INTERNAL_ERROR, e.to_string()).answer(),
    }
}

/// 413: the body is larger than `limit` bytes.
pub fn too_large(limit: usize) -> ProtocolError {
    ProtocolError::new(
        413,
        http::REQUEST_TOO_LARGE,
        format!("the body is larger than {limit} bytes"),
    )
}

/// 404: no route for `method` `path`.
pub fn not_found(method: &str, path: &str) -> ProtocolError {
    ProtocolError::new(
        404,
        http::ENDPOINT_NOT_FOUND,
        format!("no route for {method} {path}"),
    )
}
