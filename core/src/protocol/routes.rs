//! Every answer a Tandem server gives besides the predictions themselves: `GET /ping`,
//! `/health`, `/version`, `/schema`, `/metadata`, 404 for an unknown path, 405 for a known
//! path with another method, `OPTIONS`, and 413 for a body past the limit. `tandem serve` and
//! the edge worker (through the wasm package) both answer with [`route`], so their answers
//! are the same bytes.
//!
//! Methods, decided against MLflow 3.17's FastAPI server (which answers 405 to `HEAD` and
//! `OPTIONS` everywhere): `HEAD` is answered as `GET` on every `GET` route (HTTP requires
//! it; the server sends the headers only); `OPTIONS` on a known path is 204 with `Allow`
//! (and the CORS preflight headers when the origin may call, [`super::cors`]); any other
//! method on a known path is 405 with `Allow`, as MLflow answers `GET /invocations`.

use crate::constants::http;
use serde::Serialize;

use super::EXPLAIN;
use super::options::Output;
use super::{Answer, ProtocolError};
use crate::Model;
use crate::constants::{MAX_BODY_BYTES, MAX_REQUEST_CELLS, MAX_REQUEST_ROWS};

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
    /// Most rows in one body (413 `TOO_MANY_ROWS`), counted before it is parsed.
    pub max_rows: usize,
    /// Most values in one body (413 `TOO_MANY_CELLS`), counted before it is parsed.
    pub max_cells: usize,
    /// Browser origins allowed to call the server (CORS): none by default, `"*"` for any.
    pub cors_origins: &'a [String],
    /// The shape of the predictions when a request's `params` do not say.
    pub output: Output,
}

impl Default for Serving<'_> {
    fn default() -> Self {
        Serving {
            model: None,
            model_version: None,
            max_body_bytes: MAX_BODY_BYTES,
            max_rows: MAX_REQUEST_ROWS,
            max_cells: MAX_REQUEST_CELLS,
            cors_origins: &[],
            output: Output::Full,
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

/// The methods a path answers (the `Allow` header), `None` for an unknown path.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    if path == INVOCATIONS || path == EXPLAIN {
        Some("POST, OPTIONS")
    } else if GET_ROUTES.contains(&path) {
        Some("GET, HEAD, OPTIONS")
    } else {
        None
    }
}

/// The answer to any request but an accepted `POST /invocations` or `POST /explain` (`None`:
/// read the body and answer it with [`super::post_until`]). `body_bytes` is the request body's length
/// (its `Content-Length`). `HEAD` is answered as `GET` (the server sends the headers only).
pub fn route(
    model: &Model,
    method: &str,
    path: &str,
    body_bytes: usize,
    serving: &Serving,
) -> Option<Answer> {
    let Some(allow) = allowed_methods(path) else {
        return Some(not_found(method, path).answer());
    };
    let meta = model.metadata();
    Some(match (method, path) {
        ("OPTIONS", _) => Answer {
            status: 204,
            content_type: TEXT,
            body: String::new(),
            headers: Vec::new(),
        }
        .with_header("allow", allow),
        ("POST", INVOCATIONS | EXPLAIN) if body_bytes > serving.max_body_bytes => {
            too_large(serving.max_body_bytes).answer()
        }
        ("POST", INVOCATIONS | EXPLAIN) => return None,
        ("GET" | "HEAD", "/ping") => Answer {
            status: 200,
            content_type: TEXT,
            body: String::new(),
            headers: Vec::new(),
        },
        ("GET" | "HEAD", "/health") => json_answer(&Health {
            status: "ok",
            run_id: &meta.run_id,
        }),
        ("GET" | "HEAD", "/version") => json_answer(&Version {
            tandem: crate::VERSION,
            bundle_written_by: &meta.tandem_version,
            run_id: &meta.run_id,
            model: serving.model,
            model_version: serving.model_version,
        }),
        ("GET" | "HEAD", "/schema") => json_answer(model.schema()),
        ("GET" | "HEAD", "/metadata") => json_answer(meta),
        _ => not_allowed(method, path, allow)
            .answer()
            .with_header("allow", allow),
    })
}

/// The content type of `/ping` and of `OPTIONS` answers (empty bodies).
const TEXT: &str = "text/plain; charset=utf-8";

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

/// 405: `path` exists, not for `method`; `allow` lists its methods.
pub fn not_allowed(method: &str, path: &str, allow: &str) -> ProtocolError {
    ProtocolError::new(
        405,
        http::METHOD_NOT_ALLOWED,
        format!("{path} does not answer {method}; it answers {allow}"),
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
