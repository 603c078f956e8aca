//! Why data could not be fetched, each with a stable code.

use thiserror::Error;

/// Why a data source could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The argument is not a URL Tandem can fetch.
    #[error("invalid data URL {url}: {reason}")]
    Invalid {
        /// The URL (credentials never reach here: such a URL is refused).
        url: String,
        /// Why.
        reason: String,
    },
    /// The server answered with an error status after every retry.
    #[error("fetching {url}: HTTP {status} after {attempts} attempts")]
    Status {
        /// The URL.
        url: String,
        /// The last status.
        status: u16,
        /// Requests made.
        attempts: u32,
    },
    /// The connection failed, or the body ended early, after every retry.
    #[error("fetching {url}: {reason} (after {attempts} attempts)")]
    Transfer {
        /// The URL.
        url: String,
        /// What went wrong the last time.
        reason: String,
        /// Requests made.
        attempts: u32,
    },
    /// The downloaded bytes are not the ones the URL's `#sha256=` pin names.
    #[error(
        "{url}: SHA-256 {found}, but the URL pins {expected}: the data changed or is not the one expected"
    )]
    Pin {
        /// The URL.
        url: String,
        /// The pinned digest.
        expected: String,
        /// The digest of what arrived.
        found: String,
    },
    /// A database or file refused a query or could not be read.
    #[error("{source_name}: {reason}")]
    Query {
        /// The source, as shown.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// The data read is not what a source promised (a malformed row, no rows).
    #[error("{source_name}{}: {reason}", row.map(|r| format!(" row {r}")).unwrap_or_default())]
    Data {
        /// The source, as shown.
        source_name: String,
        /// The 1-based row, when one row is at fault.
        row: Option<u64>,
        /// Why.
        reason: String,
    },
    /// A time window that cannot be applied.
    #[error("time window: {reason}")]
    Window {
        /// Why.
        reason: String,
    },
    /// A label join that cannot be made.
    #[error("label join: {reason}")]
    Join {
        /// Why.
        reason: String,
    },
    /// A credential a source names is not there.
    #[error("credentials: {reason}")]
    Credentials {
        /// Why (never the secret).
        reason: String,
    },
    /// The converted rows could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The cache could not be written.
    #[error("cannot write the download cache {path}")]
    Cache {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl SourceError {
    /// Whether this error is about the data itself (a malformed row, an empty result).
    pub fn is_data(&self) -> bool {
        matches!(self, SourceError::Data { .. })
    }
}

impl SourceError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Invalid { .. } => "URL_INVALID",
            SourceError::Status { .. } => "URL_STATUS",
            SourceError::Transfer { .. } => "URL_TRANSFER",
            SourceError::Pin { .. } => "URL_PIN",
            SourceError::Cache { .. } => "URL_CACHE",
            SourceError::Query { .. } => "SOURCE_QUERY",
            SourceError::Data { .. } => "SOURCE_DATA",
            SourceError::Window { .. } => "SOURCE_WINDOW",
            SourceError::Join { .. } => "SOURCE_JOIN",
            SourceError::Credentials { .. } => "SOURCE_CREDENTIALS",
            SourceError::Write { .. } => "SOURCE_WRITE",
        }
    }
}
