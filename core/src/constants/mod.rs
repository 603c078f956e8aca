//! Everything the bindings, the servers and the tests must agree on, in one place: every error
//! code with its meaning, the tolerances, the limits, and the serving routes.
//!
//! The named constants are the source; [`constants`] gathers them into one serde value that
//! the wasm package exports (`constants()`), so JavaScript reads limits and tolerances
//! instead of copying them, and that `tests/fixtures/constants.json` holds for the Python
//! tests (`core/tests/constants.rs` fails when the file and this module drift apart;
//! `BLESS=1` rewrites it).
//!
//! ```
//! let c = tandem_core::constants::constants();
//! assert_eq!(c.limits.max_batch_rows, tandem_core::constants::MAX_BATCH_ROWS);
//! assert!(c.errors.iter().any(|e| e.code == "MISSING_FIELD"));
//! ```

mod codes;

use serde::Serialize;

pub use codes::{ErrorCode, SERIALIZE, Scope, error_codes, http, training};

use crate::tolerance;

/// Most rows one batch takes (`predictBatch`, `predictColumns`, `predictCsv`, a
/// `POST /invocations` body): a sparse JS array or a typed-array view can claim up to
/// 2^32 - 1 rows without holding them, and looping over those would hang the page.
pub const MAX_BATCH_ROWS: usize = 1_000_000;

/// Default largest `POST /invocations` body, in bytes (`tandem serve --max-body-bytes`, the
/// edge worker).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Default most rows in one `POST /invocations` body (`tandem serve --max-rows`, the edge
/// worker's `maxRows`), counted on its bytes before it is parsed.
pub const MAX_REQUEST_ROWS: usize = 100_000;

/// Default most values (array elements and object members; CSV fields) in one
/// `POST /invocations` body (`tandem serve --max-cells`, the edge worker's `maxCells`),
/// counted before it is parsed: a parsed value takes many times its bytes.
pub const MAX_REQUEST_CELLS: usize = 1_000_000;

pub use crate::instance::MAX_TEXT_BYTES;
/// Most buckets a hashing node may declare (defined with the other node limits).
pub use crate::prep::limits::MAX_HASH_BUCKETS;

/// Named tolerances for model outputs (transforms are compared bitwise).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tolerances {
    /// [`tolerance::PROBABILITY_ABS`].
    pub probability_abs: f64,
    /// [`tolerance::LOGIT_ABS`].
    pub logit_abs: f64,
    /// [`tolerance::SAME_ENGINE_ABS`].
    pub same_engine_abs: f64,
    /// [`tolerance::EXPORT_PROBABILITY_ABS`].
    pub export_probability_abs: f64,
    /// [`tolerance::EXPORT_VALUE_REL`].
    pub export_value_rel: f64,
}

/// Limits every entry point enforces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limits {
    /// [`MAX_BATCH_ROWS`].
    pub max_batch_rows: usize,
    /// [`MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// [`MAX_REQUEST_ROWS`].
    pub max_request_rows: usize,
    /// [`MAX_REQUEST_CELLS`].
    pub max_request_cells: usize,
    /// [`MAX_TEXT_BYTES`]: longest text value, in bytes (longer ones are rejected).
    pub max_text_bytes: usize,
    /// [`MAX_HASH_BUCKETS`].
    pub max_hash_buckets: u32,
    /// Longest expression a derived feature may hold, in bytes.
    pub max_expression_bytes: usize,
    /// Most parameters a dense network may have.
    pub max_dense_parameters: usize,
}

/// The routes every Tandem server answers (MLflow's scoring protocol).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routes {
    /// `GET` paths, answered by [`crate::protocol::route`].
    pub get: Vec<&'static str>,
    /// `POST` paths, answered by [`crate::protocol::invocations`].
    pub post: Vec<&'static str>,
    /// The content types `POST /invocations` accepts.
    pub content_types: Vec<&'static str>,
}

/// Everything in this module as one serde value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constants {
    /// Every error code, sorted.
    pub errors: Vec<ErrorCode>,
    /// Tolerances for model outputs.
    pub tolerances: Tolerances,
    /// Limits.
    pub limits: Limits,
    /// Serving routes.
    pub routes: Routes,
}

/// Gather the constants (the same value natively and in wasm).
pub fn constants() -> Constants {
    use crate::protocol;
    Constants {
        errors: error_codes(),
        tolerances: Tolerances {
            probability_abs: tolerance::PROBABILITY_ABS,
            logit_abs: tolerance::LOGIT_ABS,
            same_engine_abs: tolerance::SAME_ENGINE_ABS,
            export_probability_abs: tolerance::EXPORT_PROBABILITY_ABS,
            export_value_rel: tolerance::EXPORT_VALUE_REL,
        },
        limits: Limits {
            max_batch_rows: MAX_BATCH_ROWS,
            max_body_bytes: MAX_BODY_BYTES,
            max_request_rows: MAX_REQUEST_ROWS,
            max_request_cells: MAX_REQUEST_CELLS,
            max_text_bytes: MAX_TEXT_BYTES,
            max_hash_buckets: MAX_HASH_BUCKETS,
            max_expression_bytes: crate::prep::expr::MAX_EXPR_LEN,
            max_dense_parameters: crate::runtime::MAX_PARAMETERS,
        },
        routes: Routes {
            get: protocol::GET_ROUTES.to_vec(),
            post: vec![protocol::INVOCATIONS],
            content_types: protocol::MEDIA_TYPES.to_vec(),
        },
    }
}
