//! `[data]`'s sources: where the instances are (`path` or `source`), named sources
//! (`[data.sources.NAME]`, for a query over several lines or a password's variable), labels
//! joined from another source (`[data.labels]`) and a time window (`[data.window]`).
//!
//! ```toml
//! [data]
//! source = "passengers"          # a named source, or any data argument (URI, path)
//! label = "survived"
//!
//! [data.sources.passengers]
//! uri = "postgres://etl@db.internal:5432/warehouse"
//! query = "SELECT * FROM passengers WHERE voyage = 'RMS Titanic'"
//! password_env = "WAREHOUSE_PASSWORD"
//!
//! [data.labels]
//! source = "sqlite:labels.db?table=reviewed"
//! key = "passenger_id"
//! column = "survived"            # default: [data] label
//!
//! [data.window]
//! field = "recorded_at"
//! since = "1912-04-01"
//! until = "1912-04-15"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tandem_sources::location::Location;
use tandem_sources::location::percent_encode;
use tandem_sources::postgres::Credentials;
use tandem_sources::{JoinKeys, Source, SourceError, Window};

/// `[data.sources.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedSource {
    /// The data argument (a path, `sqlite:...`, `postgres://...`, `rest+https://...`).
    pub uri: String,
    /// A table to read (SQL sources), instead of one in the URI.
    pub table: Option<String>,
    /// A query to run (SQL sources), instead of one in the URI.
    pub query: Option<String>,
    /// The environment variable holding the database password.
    pub password_env: Option<String>,
    /// A file holding the database password (relative to the spec).
    pub password_file: Option<String>,
    /// A CSV file's delimiter, if not sniffed.
    pub delimiter: Option<char>,
    /// A CSV file's text encoding, if not UTF-8 (`latin1`, `windows-1252`, `utf-16le`, ...).
    pub encoding: Option<String>,
    /// `false` when the CSV file has no header row.
    pub header: Option<bool>,
    /// Column names for a CSV file without a header row (`column_1`, ... where missing).
    pub columns: Option<Vec<String>>,
    /// A CSV file's quote character, if not `"`.
    pub quote: Option<char>,
}

/// `[data.labels]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelsSpec {
    /// A named source or data argument holding the labels.
    pub source: String,
    /// The key column in both sources.
    pub key: String,
    /// The label column in the label source (default: `[data] label`).
    pub column: Option<String>,
}

/// `[data.window]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// The timestamp field.
    pub field: String,
    /// The first instant in the window (inclusive), ISO 8601.
    pub since: Option<String>,
    /// The first instant after it (exclusive), ISO 8601.
    pub until: Option<String>,
}

/// A source by name (from `sources`) or as a data argument, relative to `base`.
pub fn resolve(
    name: &str,
    sources: &BTreeMap<String, NamedSource>,
    base: &Path,
) -> Result<Source, SourceError> {
    let Some(named) = sources.get(name) else {
        return Source::parse(name, base);
    };
    // `table` / `query` keys are the URI's own parameters, written where TOML reads better.
    let uri = match (&named.table, &named.query) {
        (Some(_), Some(_)) => {
            return Err(SourceError::Invalid {
                url: named.uri.clone(),
                reason: format!("source `{name}`: give table or query, not both"),
            });
        }
        (Some(v), None) | (None, Some(v)) => {
            let key = if named.table.is_some() {
                "table"
            } else {
                "query"
            };
            let sep = if named.uri.contains('?') { '&' } else { '?' };
            format!("{}{sep}{key}={}", named.uri, percent_encode(v))
        }
        (None, None) => named.uri.clone(),
    };
    let mut s = Source::parse(&uri, base)?;
    if (named.table.is_some() || named.query.is_some())
        && !matches!(
            s.location,
            Location::Sqlite { .. } | Location::Postgres { .. }
        )
    {
        return Err(SourceError::Invalid {
            url: s.display,
            reason: format!("source `{name}`: table and query are for SQL sources"),
        });
    }
    if named.delimiter.is_some() {
        s.delimiter = named.delimiter;
    }
    let invalid = |reason: String| SourceError::Invalid {
        url: s.display.clone(),
        reason: format!("source `{name}`: {reason}"),
    };
    if let Some(e) = &named.encoding {
        s.dialect.set_encoding(e).map_err(invalid)?;
    }
    if named.header == Some(false) {
        s.dialect.set_header("no").map_err(invalid)?;
    }
    if let Some(c) = &named.columns {
        s.dialect.set_columns(c.clone());
    }
    if let Some(q) = named.quote {
        s.dialect.set_quote(&q.to_string()).map_err(invalid)?;
    }
    if !s.dialect.is_default() && !s.is_plain_file() {
        return Err(invalid(
            "encoding, header, columns and quote are for CSV files".into(),
        ));
    }
    s.credentials = Credentials {
        password_env: named.password_env.clone(),
        password_file: named.password_file.as_ref().map(|f| {
            let p = PathBuf::from(f);
            if p.is_absolute() { p } else { base.join(p) }
        }),
    };
    Ok(s)
}

/// The labels' source and join keys.
pub fn labels(
    spec: &LabelsSpec,
    label: &str,
    sources: &BTreeMap<String, NamedSource>,
    base: &Path,
) -> Result<(Source, JoinKeys), SourceError> {
    Ok((
        resolve(&spec.source, sources, base)?,
        JoinKeys {
            key: spec.key.clone(),
            column: spec.column.clone().unwrap_or_else(|| label.to_string()),
            label: label.to_string(),
        },
    ))
}

/// The window, checked.
pub fn window(spec: &WindowSpec) -> Result<Window, SourceError> {
    Window::new(&spec.field, spec.since.as_deref(), spec.until.as_deref())
}
