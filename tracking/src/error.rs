//! Typed errors of run tracking and the registry: what went wrong, where (a file, a run, a
//! registered model, an MLflow endpoint) and why.
//!
//! Every error has a stable machine-readable [`Error::code`]. An underlying cause (an I/O or
//! JSON error, the failed MLflow call under an artifact upload) is the error's
//! [`source`](std::error::Error::source), not repeated in its message: [`report`] (or anyhow's
//! `{:#}`) prints the whole chain on one line.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::Status;
use crate::mlflow::Method;

/// What a model URI may be, for messages.
pub(crate) const MODEL_URI_HELP: &str = "expected a bundle path, runs:/<run id>[/<artifact path>], models:/<name>/<version>, models:/<name>/latest or models:/<name>@<alias>";

/// A tracking result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kind of name a user supplied, for [`Error::InvalidName`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameKind {
    /// A registry alias (`champion`).
    Alias,
    /// A registered model name.
    ModelName,
    /// An artifact path inside a run (`model/model.tandem`).
    ArtifactPath,
    /// An experiment name.
    ExperimentName,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Alias => "alias",
            NameKind::ModelName => "model name",
            NameKind::ArtifactPath => "artifact path",
            NameKind::ExperimentName => "experiment name",
        })
    }
}

/// Any error of run tracking, the registry or model URIs.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder of the local store (or a bundle file) could not be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done (`read`, `create`, `lock`, `read model`, ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file of the local store does not parse: the store is corrupt, or was edited by hand.
    #[error("store file {} is not valid", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// The local store's path exists and is not a folder.
    #[error("run store {} is not a folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// A run id is not 32 hex digits.
    #[error("malformed run id `{id}`: expected 32 hex digits")]
    MalformedRunId {
        /// The id as given.
        id: String,
    },
    /// A name breaks the store's rules (an alias, a model name, an artifact path).
    #[error("invalid {kind} `{name}`: {rule}")]
    InvalidName {
        /// What kind of name.
        kind: NameKind,
        /// The name as given.
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A `runs:/` or `models:/` URI does not parse; `source` says which part, if one does not.
    #[error("malformed model URI `{uri}`: {MODEL_URI_HELP}")]
    InvalidModelUri {
        /// The URI as given.
        uri: String,
        /// The part that is invalid (a run id, an artifact path, an alias), if that is why.
        source: Option<Box<Error>>,
    },
    /// A URI with a scheme Tandem does not read (`s3:`, ...).
    #[error("unsupported model URI scheme `{scheme}:` in `{uri}`: {MODEL_URI_HELP}")]
    UnsupportedScheme {
        /// The scheme, without `:`.
        scheme: String,
        /// The URI as given.
        uri: String,
    },
    /// A registry lookup was asked of a URI that names no registered model.
    #[error("`{uri}` is not a registry URI (models:/...)")]
    NotRegistryUri {
        /// The URI.
        uri: String,
    },
    /// The tracking URI is not an `http(s)://` MLflow server.
    #[error("malformed tracking URI `{uri}`: {reason}")]
    InvalidTrackingUri {
        /// The URI, credentials removed.
        uri: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// No run with this id in the store.
    #[error("unknown run id {run_id}: no such run in {store}")]
    UnknownRun {
        /// The run id.
        run_id: String,
        /// The store: its folder or the MLflow server's URI.
        store: String,
    },
    /// No experiment with this name (or id).
    #[error("unknown experiment `{name}` in {store}")]
    UnknownExperiment {
        /// The name or id as given.
        name: String,
        /// The store.
        store: String,
    },
    /// The experiment exists on the MLflow server but is deleted.
    #[error("MLflow experiment `{name}` is deleted: restore it or choose another name")]
    DeletedExperiment {
        /// The experiment's name.
        name: String,
    },
    /// No registered model with this name.
    #[error("unknown registered model `{name}` in {store}")]
    UnknownModel {
        /// The model name.
        name: String,
        /// The store.
        store: String,
    },
    /// The registered model has no such version.
    #[error("model `{name}` has no version {version}")]
    UnknownVersion {
        /// The model name.
        name: String,
        /// The version asked for.
        version: u64,
    },
    /// The registered model has no such alias.
    #[error("model `{name}` has no alias `{alias}`")]
    UnknownAlias {
        /// The model name.
        name: String,
        /// The alias asked for.
        alias: String,
    },
    /// The registered model has no versions at all (for `models:/<name>/latest`).
    #[error("model `{name}` has no versions in {store}")]
    NoVersions {
        /// The model name.
        name: String,
        /// The store.
        store: String,
    },
    /// The run has no artifact at this path.
    #[error("run {run_id} has no artifact `{path}` ({})", file.display())]
    MissingArtifact {
        /// The run.
        run_id: String,
        /// The artifact path asked for.
        path: String,
        /// Where it was looked for.
        file: PathBuf,
    },
    /// Registering a run that has no bundle under the artifact path.
    #[error("run {run_id} has no bundle at `{bundle}` in {store}")]
    NoBundle {
        /// The run.
        run_id: String,
        /// The bundle's artifact path.
        bundle: String,
        /// The store.
        store: String,
    },
    /// Registering a run that did not finish.
    #[error("run {run_id} is {}: only a FINISHED run can be registered", status.as_str())]
    NotRegistrable {
        /// The run.
        run_id: String,
        /// Its status.
        status: Status,
    },
    /// A metric value that is NaN or infinite.
    #[error("metric {key} is {value}: only finite values are logged")]
    NonFiniteMetric {
        /// The metric's name.
        key: String,
        /// Its value.
        value: f64,
    },
    /// A param value longer than MLflow accepts.
    #[error("param {key} is {len} characters; MLflow accepts at most {max}")]
    ParamTooLong {
        /// The param's name.
        key: String,
        /// Its length in bytes.
        len: usize,
        /// MLflow's limit.
        max: usize,
    },
    /// The MLflow server answered with one of its error bodies.
    #[error("MLflow {method} {endpoint}: HTTP {status} {error_code}: {message}")]
    Mlflow {
        /// The HTTP method.
        method: Method,
        /// The endpoint (`runs/get`, `mlflow-artifacts/artifacts/...`).
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, ...).
        error_code: String,
        /// MLflow's message.
        message: String,
    },
    /// The server answered something that is not MLflow's protocol (a proxy's HTML page, ...).
    #[error(
        "MLflow {method} {endpoint}: HTTP {status} with an answer that is not MLflow JSON: {excerpt:?}"
    )]
    NotMlflow {
        /// The HTTP method.
        method: Method,
        /// The endpoint.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The answer's first 200 bytes.
        excerpt: String,
    },
    /// The answer is larger than the call accepts.
    #[error("MLflow {method} {endpoint}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The HTTP method.
        method: Method,
        /// The endpoint.
        endpoint: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// No answer at all (connection refused, timeout, DNS, TLS), after the retries.
    #[error("cannot reach the MLflow server at {server} ({method} {endpoint}): {reason}")]
    Unreachable {
        /// The server's base URI, credentials removed.
        server: String,
        /// The HTTP method.
        method: Method,
        /// The endpoint.
        endpoint: String,
        /// The transport error.
        reason: String,
    },
    /// An MLflow JSON answer without a field Tandem needs, or with an impossible value.
    #[error("MLflow {endpoint} answered something Tandem cannot use: {reason}")]
    BadAnswer {
        /// The endpoint.
        endpoint: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// The run's artifacts are not behind the tracking server's `mlflow-artifacts` proxy.
    #[error(
        "run {run_id} stores artifacts at `{artifact_uri}`, which Tandem cannot reach through the tracking server: start `mlflow server` with --serve-artifacts (the default since MLflow 2.0) and an `mlflow-artifacts:` artifact root"
    )]
    ArtifactsNotProxied {
        /// The run.
        run_id: String,
        /// Its artifact URI.
        artifact_uri: String,
    },
    /// An artifact upload or download failed; `source` is the failed call.
    #[error("cannot {action} artifact `{path}` of run {run_id}")]
    Transfer {
        /// `upload` or `download`.
        action: &'static str,
        /// The artifact path.
        path: String,
        /// The run.
        run_id: String,
        /// Why.
        source: Box<Error>,
    },
    /// A path of the local store leads outside the store's folder (a symlink, or a dangling
    /// one that a write would follow): the store never reads or writes through it.
    #[error(
        "{} leads outside the run store {} (to {}): the store does not follow links out of its folder",
        path.display(), root.display(), target.display()
    )]
    OutsideStore {
        /// The store path asked for.
        path: PathBuf,
        /// The store's folder (resolved).
        root: PathBuf,
        /// Where the path leads (the link's target, as far as it resolves).
        target: PathBuf,
    },
    /// A counter of the local store (experiment ids, a model's versions) is at its maximum:
    /// the next one cannot be numbered.
    #[error("cannot number a new {what} in {}: the highest is already {max}", dir.display())]
    CounterExhausted {
        /// What is numbered (`experiment`, `version of model `m``).
        what: String,
        /// The folder holding the numbered files.
        dir: PathBuf,
        /// The highest number in use.
        max: String,
    },
    /// A registry version's bundle is not the one registered: its SHA-256 differs from the
    /// one recorded at registration (the artifact was replaced or altered since).
    #[error(
        "the bundle of {uri} is not the one registered: its SHA-256 is {actual}, the registry recorded {expected} (the artifact was replaced or altered after registration)"
    )]
    Tampered {
        /// The registry version (`models:/titanic/3`).
        uri: String,
        /// The SHA-256 recorded at registration.
        expected: String,
        /// The SHA-256 of the bytes fetched.
        actual: String,
    },
    /// MLflow's TLS environment variables cannot be used as set.
    #[error("{variable}: {reason}")]
    TlsConfig {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS handshake with the MLflow server failed (an untrusted or invalid certificate).
    #[error(
        "TLS with the MLflow server at {server} failed ({method} {endpoint}): {reason}; to trust a private CA set MLFLOW_TRACKING_SERVER_CERT_PATH to its PEM bundle (MLFLOW_TRACKING_INSECURE_TLS=true skips verification)"
    )]
    Tls {
        /// The server's base URI.
        server: String,
        /// The HTTP method.
        method: Method,
        /// The endpoint.
        endpoint: String,
        /// The TLS error.
        reason: String,
    },
    /// The MLflow run was created but its local copy could not be; the remote run is marked
    /// FAILED.
    #[error("cannot keep the local copy of run {run_id} (marked FAILED on the server)")]
    LocalCopy {
        /// The run.
        run_id: String,
        /// Why the local copy failed.
        source: Box<Error>,
    },
    /// Training finished and the local copy is complete, but mirroring the run to MLflow failed.
    #[error(
        "training finished and the local copy is complete ({}), but recording run {run_id} on the MLflow server failed (the remote run {remote})",
        local_copy.display()
    )]
    MirrorFailed {
        /// The run.
        run_id: String,
        /// What became of the remote run (`marked FAILED there`, ...).
        remote: String,
        /// The local copy's bundle.
        local_copy: PathBuf,
        /// The first failed MLflow call.
        source: Box<Error>,
    },
}

impl Error {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "IO",
            Error::Corrupt { .. } => "STORE_CORRUPT",
            Error::NotAFolder { .. } => "STORE_NOT_A_FOLDER",
            Error::MalformedRunId { .. } => "MALFORMED_RUN_ID",
            Error::InvalidName { .. } => "INVALID_NAME",
            Error::InvalidModelUri { .. } => "INVALID_MODEL_URI",
            Error::UnsupportedScheme { .. } => "UNSUPPORTED_URI_SCHEME",
            Error::NotRegistryUri { .. } => "NOT_A_REGISTRY_URI",
            Error::InvalidTrackingUri { .. } => "INVALID_TRACKING_URI",
            Error::UnknownRun { .. } => "RUN_NOT_FOUND",
            Error::UnknownExperiment { .. } => "EXPERIMENT_NOT_FOUND",
            Error::DeletedExperiment { .. } => "EXPERIMENT_DELETED",
            Error::UnknownModel { .. } => "MODEL_NOT_FOUND",
            Error::UnknownVersion { .. } => "VERSION_NOT_FOUND",
            Error::UnknownAlias { .. } => "ALIAS_NOT_FOUND",
            Error::NoVersions { .. } => "NO_VERSIONS",
            Error::MissingArtifact { .. } => "ARTIFACT_NOT_FOUND",
            Error::NoBundle { .. } => "NO_BUNDLE",
            Error::NotRegistrable { .. } => "NOT_REGISTRABLE",
            Error::NonFiniteMetric { .. } => "NON_FINITE_METRIC",
            Error::ParamTooLong { .. } => "PARAM_TOO_LONG",
            Error::Mlflow { .. } => "MLFLOW",
            Error::NotMlflow { .. } => "MLFLOW_NOT_JSON",
            Error::TooLarge { .. } => "MLFLOW_TOO_LARGE",
            Error::Unreachable { .. } => "MLFLOW_UNREACHABLE",
            Error::BadAnswer { .. } => "MLFLOW_BAD_ANSWER",
            Error::ArtifactsNotProxied { .. } => "ARTIFACTS_NOT_PROXIED",
            Error::Transfer { .. } => "ARTIFACT_TRANSFER",
            Error::OutsideStore { .. } => "OUTSIDE_STORE",
            Error::CounterExhausted { .. } => "STORE_COUNTER_EXHAUSTED",
            Error::Tampered { .. } => "BUNDLE_TAMPERED",
            Error::TlsConfig { .. } => "MLFLOW_TLS_CONFIG",
            Error::Tls { .. } => "MLFLOW_TLS",
            Error::LocalCopy { .. } => "LOCAL_COPY",
            Error::MirrorFailed { .. } => "MIRROR_FAILED",
        }
    }

    /// MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, ...) when the server answered one.
    pub fn mlflow_code(&self) -> Option<&str> {
        match self {
            Error::Mlflow { error_code, .. } => Some(error_code),
            _ => None,
        }
    }

    /// An [`Error::Io`] for `action` on `path`, for `map_err`.
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}

/// An error and its causes on one line (`a: b: c`), as anyhow's `{:#}` prints them; a cause
/// whose text a message already ends with is not repeated.
pub fn report(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        next = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_lists_every_cause_once() {
        let e = Error::Transfer {
            action: "upload",
            path: "model/model.tandem".into(),
            run_id: "r".into(),
            source: Box::new(Error::Io {
                action: "read",
                path: "/x".into(),
                source: std::io::Error::other("disk on fire"),
            }),
        };
        assert_eq!(
            report(&e),
            "cannot upload artifact `model/model.tandem` of run r: cannot read /x: disk on fire"
        );
        assert_eq!(e.code(), "ARTIFACT_TRANSFER");
    }
}
