//! Data where it lives, as a local file every command reads the same way.
//!
//! A data argument (`--data`, `--input`, a spec's `[data] path`) is a path or an HTTP(S) URL.
//! A URL is downloaded once into a local cache ([`url`]), with retries, a check that the body
//! arrived whole, and an optional SHA-256 pin (`https://host/file.csv#sha256=<hex>`); the
//! commands then read the cached file exactly as a local one. Credentials never travel in the
//! argument: a URL with a user or password is refused, and a bearer token comes from the
//! environment (`TANDEM_HTTP_TOKEN`), so nothing secret reaches a run's params or a log.
//!
//! Other sources ([`location`]: Parquet, SQLite, PostgreSQL, a paged REST API) stream their
//! rows as typed [`cell::Cell`]s through sinks: a time [`window`], a label [`join`], and a
//! JSON Lines writer, into one temporary file ([`dataset`]) every command reads as it reads
//! a file written by hand.

pub mod cell;
pub mod dataset;
pub mod dialect;
mod error;
pub mod file;
pub mod join;
pub mod location;
pub mod parquet;
pub mod parquet_out;
pub mod postgres;
pub mod rest;
pub mod sql;
pub mod sqlite;
pub mod url;
pub mod window;

pub use dataset::{Dataset, Materialized, Report};
pub use error::SourceError;
pub use join::JoinKeys;
pub use location::Source;
pub use window::Window;

use std::path::PathBuf;

/// Whether a data argument names a URL rather than a file.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A URL as it may be shown or recorded: without a user, password or query string (a
/// presigned URL's signature is a credential); anything else as given.
pub fn redact(arg: &str) -> String {
    if !is_url(arg) {
        return arg.to_string();
    }
    let (scheme, rest) = arg.split_once("://").unwrap_or(("", arg));
    let rest = rest.split('#').next().unwrap_or("");
    let (rest, query) = match rest.split_once('?') {
        Some((r, _)) => (r, "?…"),
        None => (rest, ""),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    format!("{scheme}://{host}{path}{query}")
}

/// A database URI as it may be shown: without a password or parameters.
pub fn redact_db(uri: &str) -> String {
    let head = uri.split('?').next().unwrap_or(uri);
    match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let authority = match authority.rsplit_once('@') {
                Some((user, host)) => format!("{}@{host}", user.split(':').next().unwrap_or("")),
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_string(),
    }
}

/// The data a data argument names, as one local file: a CSV or JSON Lines file as it is, any
/// other source (Parquet, SQLite, PostgreSQL, REST) converted ([`Dataset::materialize`]).
pub fn open(arg: &str, options: &url::FetchOptions) -> Result<Materialized, SourceError> {
    Dataset::of(Source::parse(arg, std::path::Path::new(""))?).materialize(options)
}

/// The local file a data argument names: a path as given, or a URL's cached download.
pub fn local(arg: &str, options: &url::FetchOptions) -> Result<PathBuf, SourceError> {
    if is_url(arg) {
        url::fetch(arg, options)
    } else {
        Ok(PathBuf::from(arg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials_or_signatures() {
        assert_eq!(
            redact("https://ada:pw@example.org:8443/d/x.csv?X-Amz-Signature=s3cr3t#sha256=00"),
            "https://example.org:8443/d/x.csv?…"
        );
        assert_eq!(redact("http://h/x.csv"), "http://h/x.csv");
        assert_eq!(redact("data/x.csv"), "data/x.csv");
    }
}
