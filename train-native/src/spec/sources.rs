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
use tandem_sources::postgres::Credentials;
use tandem_sources::sql::Query;
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
    let mut s = Source::parse(&named.uri, base)?;
    if let Some(q) = named
        .query
        .clone()
        .map(Query::Sql)
        .or_else(|| named.table.clone().map(Query::Table))
    {
        let display = s.display.clone();
        match &mut s.location {
            Location::Sqlite { query, .. } | Location::Postgres { query, .. } => *query = q,
            _ => {
                return Err(SourceError::Invalid {
                    url: display,
                    reason: format!("source `{name}`: table and query are for SQL sources"),
                });
            }
        }
        s.display = match &s.location {
            Location::Sqlite { path, query } => {
                format!("sqlite:{} ({})", path.display(), query.describe())
            }
            Location::Postgres { uri, query } => {
                format!("{} ({})", tandem_sources::redact_db(uri), query.describe())
            }
            _ => s.display,
        };
    }
    s.delimiter = named.delimiter;
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
