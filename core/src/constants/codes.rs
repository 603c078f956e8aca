//! Every error code Tandem reports, with its meaning and where it comes from.
//!
//! The codes of [`Error`] and [`RequestError`] are read from the types themselves (one value
//! of every variant, through their `code()`); the `meaning` matches below list every variant
//! without a wildcard, so a new variant does not compile until it is described here. The
//! remaining codes are raised outside Rust's error types: by the wasm boundary, the npm
//! package's JavaScript layer, or the HTTP servers.

use serde::Serialize;

use crate::error::{BundleError, Error, InstanceError};
use crate::explain::ExplainError;
use crate::protocol::RequestError;
use crate::read::ReadError;

/// Where an error code comes from, and so who can see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One raw instance (names its field; its row in a batch): every binding and server.
    Instance,
    /// Loading or running a bundle.
    Bundle,
    /// The call itself: options, batch shapes, bytes, the package's own checks.
    Call,
    /// HTTP: MLflow's `error_code` in a server's JSON error body (never a `TandemError`).
    Http,
    /// `tandem train`'s warnings about the training data (printed and recorded with the run;
    /// never raised at prediction).
    Training,
}

/// One error code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorCode {
    /// The stable code (`MISSING_FIELD`).
    pub code: &'static str,
    /// Where it comes from.
    pub scope: Scope,
    /// What it means.
    pub meaning: &'static str,
}

/// A value that is not serialisable to JavaScript (wasm boundary).
pub const SERIALIZE: &str = "SERIALIZE";

/// Codes raised outside Rust's error types, with their scope and meaning.
const OTHER: [(&str, Scope, &str); 11] = [
    (
        SERIALIZE,
        Scope::Call,
        "a result could not be converted to a JavaScript value",
    ),
    (
        "BAD_INSTANCE",
        Scope::Call,
        "reading the input threw in JavaScript (a throwing getter, a revoked Proxy)",
    ),
    (
        "BAD_SOURCE",
        Scope::Call,
        "Model.load got something that is neither bytes, a Response nor a URL",
    ),
    (
        "FETCH_FAILED",
        Scope::Call,
        "fetching or reading the bundle failed",
    ),
    (
        "MODEL_FREED",
        Scope::Call,
        "the model was used after free()",
    ),
    (
        http::BAD_REQUEST,
        Scope::Http,
        "400: the body is not a valid scoring request, or a row is invalid (then `code`, `row` and `field` say which)",
    ),
    (
        http::UNSUPPORTED_MEDIA_TYPE,
        Scope::Http,
        "415: the content type is neither application/json nor text/csv",
    ),
    (
        http::REQUEST_TOO_LARGE,
        Scope::Http,
        "413: the body is larger than the server's limit",
    ),
    (
        http::ENDPOINT_NOT_FOUND,
        Scope::Http,
        "404: no route for this path",
    ),
    (
        http::TIMEOUT,
        Scope::Http,
        "504: the prediction took longer than the server's timeout (tandem serve)",
    ),
    (
        http::METHOD_NOT_ALLOWED,
        Scope::Http,
        "405: the path exists, not for this method (the `Allow` header lists its methods)",
    ),
];

/// MLflow's `error_code` values a Tandem server answers with (the `http` scope), named once
/// for the protocol module, `tandem serve` and this list.
pub mod http {
    /// MLflow error code `BAD_REQUEST`.
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// MLflow error code `UNSUPPORTED_MEDIA_TYPE`.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// MLflow error code `REQUEST_TOO_LARGE`.
    pub const REQUEST_TOO_LARGE: &str = "REQUEST_TOO_LARGE";
    /// MLflow error code `ENDPOINT_NOT_FOUND`.
    pub const ENDPOINT_NOT_FOUND: &str = "ENDPOINT_NOT_FOUND";
    /// MLflow error code `TIMEOUT`.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// MLflow error code `INTERNAL_ERROR`.
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// 405: a known path, another method (Tandem's code: MLflow's FastAPI answers
    /// `{"detail": "Method Not Allowed"}`).
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// 503: every prediction slot of `tandem serve` is taken (with `Retry-After`).
    pub const OVERLOADED: &str = "OVERLOADED";
    /// 401: `tandem serve --auth-token-file` and no or another bearer token.
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    /// 413: a body with more rows than `tandem serve --max-rows`.
    pub const TOO_MANY_ROWS: &str = "TOO_MANY_ROWS";
    /// 413: a body with more values than `tandem serve --max-cells`.
    pub const TOO_MANY_CELLS: &str = "TOO_MANY_CELLS";
    /// 408: the body did not arrive within `tandem serve --body-timeout-ms`.
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
}

/// Codes only `tandem serve` raises, beyond [`OTHER`].
const SERVER: [(&str, Scope, &str); 6] = [
    (
        http::INTERNAL_ERROR,
        Scope::Http,
        "500: the prediction task failed (tandem serve)",
    ),
    (
        http::OVERLOADED,
        Scope::Http,
        "503: every prediction slot is taken; retry after the `Retry-After` seconds (tandem serve)",
    ),
    (
        http::UNAUTHORIZED,
        Scope::Http,
        "401: no or a wrong bearer token (tandem serve --auth-token-file)",
    ),
    (
        http::TOO_MANY_ROWS,
        Scope::Http,
        "413: the body holds more rows than the server's --max-rows (tandem serve)",
    ),
    (
        http::TOO_MANY_CELLS,
        Scope::Http,
        "413: the body holds more values than the server's --max-cells (tandem serve)",
    ),
    (
        http::REQUEST_TIMEOUT,
        Scope::Http,
        "408: the body did not arrive within the server's --body-timeout-ms (tandem serve)",
    ),
];

/// The warning codes `tandem train` gives about its data, named once for tandem-train and
/// this list.
pub mod training {
    /// A feature's field holds no value in the training rows.
    pub const EMPTY_COLUMN: &str = "EMPTY_COLUMN";
    /// A feature's field holds one value in every training row.
    pub const CONSTANT_COLUMN: &str = "CONSTANT_COLUMN";
    /// One feature alone predicts the label almost perfectly.
    pub const LABEL_LEAK: &str = "LABEL_LEAK";
}

/// Warnings only `tandem train` gives (the `training` scope).
const TRAINING: [(&str, Scope, &str); 3] = [
    (
        training::EMPTY_COLUMN,
        Scope::Training,
        "warning: a feature's field is missing in every training row (the feature is constant)",
    ),
    (
        training::CONSTANT_COLUMN,
        Scope::Training,
        "warning: a feature's field has the same value in every training row (it cannot help)",
    ),
    (
        training::LABEL_LEAK,
        Scope::Training,
        "warning: one feature alone predicts the label almost perfectly (a leak of the label?)",
    ),
];

/// Every error code, sorted by code.
pub fn error_codes() -> Vec<ErrorCode> {
    let core = core_samples().into_iter().map(|e| {
        let (scope, meaning) = core_meaning(&e);
        ErrorCode {
            code: e.code(),
            scope,
            meaning,
        }
    });
    let request = request_samples().into_iter().map(|e| ErrorCode {
        code: e.code(),
        scope: Scope::Call,
        meaning: request_meaning(&e),
    });
    let other = OTHER
        .iter()
        .chain(&SERVER)
        .chain(&TRAINING)
        .map(|&(code, scope, meaning)| ErrorCode {
            code,
            scope,
            meaning,
        });
    let all: Vec<ErrorCode> = core.chain(request).chain(other).collect();
    // Stable: where two types share a code (NOT_AN_OBJECT), the core error's entry stays.
    let order = crate::order::sorted_indices(all.len(), &|a, b| all[a].code < all[b].code);
    let mut all = crate::order::permuted(&all, &order);
    all.dedup_by_key(|e| e.code);
    all
}

/// One value of every [`BundleError`] variant.
fn bundle_samples() -> Vec<BundleError> {
    let s = String::new;
    vec![
        BundleError::BadMagic,
        BundleError::UnsupportedVersion {
            found: 0,
            supported: 0,
        },
        BundleError::Truncated {
            what: s(),
            needed: 0,
            len: 0,
        },
        BundleError::Checksum { part: s() },
        BundleError::Invalid {
            part: s(),
            reason: s(),
        },
        BundleError::MissingPart { part: s() },
        BundleError::Limit {
            limit: "",
            found: 0,
            max: 0,
            part: s(),
        },
        BundleError::Unsigned,
        BundleError::Signature { reason: s() },
    ]
}

/// One value of every [`Error`] variant.
fn core_samples() -> Vec<Error> {
    let s = String::new;
    let instance = [
        InstanceError::NotAnObject { found: s() },
        InstanceError::MissingField { field: s() },
        InstanceError::WrongType {
            field: s(),
            expected: s(),
            found: s(),
        },
        InstanceError::NotFinite {
            field: s(),
            value: s(),
        },
        InstanceError::NotInteger {
            field: s(),
            value: s(),
        },
        InstanceError::UnknownCategory {
            field: s(),
            value: s(),
            known: s(),
        },
        InstanceError::OutOfRange {
            field: s(),
            value: 0.0,
            min: 0.0,
            max: 0.0,
        },
        InstanceError::NonFiniteOutput,
        InstanceError::InvalidValue {
            field: s(),
            value: s(),
            reason: s(),
        },
        InstanceError::TooLong {
            field: s(),
            len: 0,
            limit: 0,
        },
    ];
    let bundle = bundle_samples();
    let other = [
        Error::Csv {
            row: 0,
            reason: s(),
        },
        Error::Json {
            row: 0,
            reason: s(),
        },
        Error::Schema(s()),
        Error::Engine(s()),
        ExplainError::NoBackground.into(),
        ExplainError::TooCostly {
            evaluations: 0,
            coalitions: 0,
            rows: 0,
            max: 0,
        }
        .into(),
        ExplainError::TooManyForExact { players: 0, max: 0 }.into(),
        ExplainError::BadOption {
            option: "",
            reason: s(),
        }
        .into(),
    ];
    let read = [
        ReadError::EmptyHeader {
            column: 0,
            name: s(),
        },
        ReadError::DuplicateHeader {
            name: s(),
            column: 0,
            first: 0,
        },
        ReadError::OneColumn {
            header: s(),
            delimiter: ',',
            suggested: ',',
        },
        ReadError::MissingColumns { missing: vec![] },
        ReadError::Empty,
        ReadError::BadOption {
            option: "",
            reason: s(),
        },
        ReadError::BadColumn {
            column: s(),
            reason: s(),
        },
    ];
    instance
        .into_iter()
        .map(Error::from)
        .chain(bundle.into_iter().map(Error::from))
        .chain(other)
        .chain(read.into_iter().map(Error::from))
        .collect()
}

fn core_meaning(e: &Error) -> (Scope, &'static str) {
    match e {
        Error::Instance { source, .. } => (Scope::Instance, instance_meaning(source)),
        Error::Bundle(b) => (Scope::Bundle, bundle_meaning(b)),
        Error::Csv { .. } => (Scope::Call, "a CSV record could not be read"),
        Error::Json { .. } => (
            Scope::Call,
            "a JSON document or JSON Lines record could not be read",
        ),
        // A node that does not bind reports SCHEMA when bound directly (a bundle reports
        // BUNDLE_INVALID): the same meaning as a schema that does not fit.
        Error::Schema(_) | Error::Bind { .. } => (
            Scope::Bundle,
            "the bundle's schema, preprocessing and network do not fit together",
        ),
        Error::Engine(_) => (
            Scope::Bundle,
            "the inference engine failed or is not in this build",
        ),
        Error::Read(r) => (Scope::Call, read_meaning(r)),
        Error::Explain(e) => (Scope::Call, explain_meaning(e)),
    }
}

fn explain_meaning(e: &ExplainError) -> &'static str {
    match e {
        ExplainError::NoBackground => {
            "the model has no background sample to explain against, and none was given"
        }
        ExplainError::TooCostly { .. } | ExplainError::TooManyForExact { .. } => {
            "the explanation would run the network more often than allowed (fewer permutations, a smaller background, or sampled instead of exact)"
        }
        ExplainError::BadOption { .. } => {
            "an option is unknown, has the wrong type or an invalid value"
        }
    }
}

fn read_meaning(e: &ReadError) -> &'static str {
    match e {
        ReadError::EmptyHeader { .. } => "a header name is empty (its column number is given)",
        ReadError::DuplicateHeader { .. } => "two header names are the same (both columns given)",
        ReadError::OneColumn { .. } => {
            "the file reads as one column that holds another delimiter (it is suggested)"
        }
        ReadError::MissingColumns { .. } => "a file's header lacks some of the model's fields",
        ReadError::Empty => "the file is empty: it has no header row",
        ReadError::BadColumn { .. } => {
            "a column batch's buffers (the Python package's pandas or Arrow columns) do not hold the rows they claim"
        }
        ReadError::BadOption { .. } => {
            "a reading option (delimiter, decimal, thousands, na_values) is invalid"
        }
    }
}

fn instance_meaning(e: &InstanceError) -> &'static str {
    match e {
        InstanceError::NotAnObject { .. } => "an instance is not an object of field values",
        InstanceError::MissingField { .. } => "a field that is not nullable is absent or null",
        InstanceError::WrongType { .. } => "a value has the wrong type for its field",
        InstanceError::NotFinite { .. } => "a number is NaN or infinite",
        InstanceError::NotInteger { .. } => "an integer field got a number with a fraction",
        InstanceError::UnknownCategory { .. } => {
            "a category never seen in training, with strict checking on"
        }
        InstanceError::OutOfRange { .. } => {
            "a number outside the training range, with the range policy \"error\""
        }
        InstanceError::NonFiniteOutput => "the network's output is not finite for this instance",
        InstanceError::InvalidValue { .. } => "a value of the right type that a node cannot use",
        InstanceError::TooLong { .. } => "a text value is longer than the limit",
    }
}

fn bundle_meaning(e: &BundleError) -> &'static str {
    match e {
        BundleError::BadMagic => "not a Tandem bundle",
        BundleError::UnsupportedVersion { .. } => "the bundle's format version is not supported",
        BundleError::Truncated { .. } => "the bundle ends before a part it announces",
        BundleError::Checksum { .. } => "a part's checksum does not match: the bundle is corrupt",
        BundleError::Invalid { .. } | BundleError::InvalidNode { .. } => {
            "the manifest or a JSON part does not parse, or a node in it is invalid"
        }
        BundleError::MissingPart { .. } => "a required part is absent",
        BundleError::Limit { .. } => {
            "the bundle asks for more than a loading limit allows (the message names the limit and how to raise it)"
        }
        BundleError::Unsigned => "a public key was given and the bundle is not signed",
        BundleError::Signature { .. } => {
            "a public key was given and the bundle's signature is malformed, by another key, or does not verify"
        }
    }
}

/// One value of every [`RequestError`] variant.
fn request_samples() -> Vec<RequestError> {
    let s = String::new;
    vec![
        RequestError::NotAnObject { what: s() },
        RequestError::UnknownOption {
            key: s(),
            known: s(),
        },
        RequestError::OptionType {
            key: s(),
            expected: "",
            found: s(),
        },
        RequestError::OptionValue {
            key: s(),
            reason: s(),
        },
        RequestError::NotAnArray { what: s() },
        RequestError::ColumnLength {
            field: s(),
            len: 0,
            earlier: 0,
        },
        RequestError::BatchTooLarge { rows: 0, limit: 0 },
        RequestError::MissingColumns { missing: vec![] },
    ]
}

fn request_meaning(e: &RequestError) -> &'static str {
    match e {
        // The instance code, for the container (a batch of columns, options) instead.
        RequestError::NotAnObject { .. } => "an instance is not an object of field values",
        RequestError::UnknownOption { .. }
        | RequestError::OptionType { .. }
        | RequestError::OptionValue { .. } => {
            "an option is unknown, has the wrong type or an invalid value"
        }
        RequestError::NotAnArray { .. } => "an array was expected (the batch, or a column)",
        RequestError::ColumnLength { .. } => "the columns of a batch differ in length",
        RequestError::BatchTooLarge { .. } => "a batch has more rows than the limit",
        // The instance code, for a batch whose columns lack a field.
        RequestError::MissingColumns { .. } => "a column batch lacks some of the model's fields",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_screaming_snake_case_and_every_one_has_a_meaning() {
        for c in error_codes() {
            assert!(
                c.code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{}",
                c.code
            );
            assert!(!c.meaning.is_empty(), "{}", c.code);
        }
    }

    #[test]
    fn a_code_two_types_share_is_listed_once_under_the_instance_scope() {
        let codes = error_codes();
        let shared: Vec<&ErrorCode> = codes.iter().filter(|c| c.code == "NOT_AN_OBJECT").collect();
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].scope, Scope::Instance);
    }
}
