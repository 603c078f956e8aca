//! Data where it lives, as a local file every command reads the same way.
//!
//! A data argument (`--data`, `--input`, a spec's `[data] path`) is a path or an HTTP(S) URL.
//! A URL is downloaded once into a local cache ([`url`]), with retries, a check that the body
//! arrived whole, and an optional SHA-256 pin (`https://host/file.csv#sha256=<hex>`); the
//! commands then read the cached file exactly as a local one. Credentials never travel in the
//! argument: a URL with a user or password is refused, and a bearer token comes from the
//! environment (`TANDEM_HTTP_TOKEN`), so nothing secret reaches a run's params or a log.

mod error;
pub mod url;

pub use error::SourceError;

use std::path::PathBuf;

/// Whether a data argument names a URL rather than a file.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The local file a data argument names: a path as given, or a URL's cached download.
pub fn local(arg: &str, options: &url::FetchOptions) -> Result<PathBuf, SourceError> {
    if is_url(arg) {
        url::fetch(arg, options)
    } else {
        Ok(PathBuf::from(arg))
    }
}
