//! Where data lives, parsed from a data argument (`--data`, `--input`, a spec's `source`).
//!
//! | argument | source |
//! |---|---|
//! | `data.csv`, `data.tsv`, `data.jsonl`, `data.parquet` | a file (Parquet recognised by its first bytes) |
//! | `https://host/data.csv#sha256=...` | a download, cached ([`crate::url`]) |
//! | `sqlite:path/to.db?table=passengers` or `?query=SELECT ...` | SQLite, read-only |
//! | `postgres://user@host:5432/db?table=t` or `?query=...` | PostgreSQL, read-only |
//! | `rest+https://host/api/items#paging=cursor&cursor=next` | a paged JSON API ([`crate::rest`]) |
//!
//! A file or URL takes reading options after a `#` ([`crate::dialect`]):
//! `old.csv#encoding=windows-1252&header=no&quote='&delimiter=;`.
//!
//! Queries in an argument are percent-decoded (`%20` for a space; `+` stays a plus). No
//! password may appear in any of them.

use std::path::{Path, PathBuf};

use crate::SourceError;
use crate::dialect::Dialect;
use crate::postgres::Credentials;
use crate::rest::Rest;
use crate::sql::Query;

/// Where a source's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A local CSV, TSV, JSON Lines or Parquet file.
    File(PathBuf),
    /// An HTTP(S) URL (downloaded into the cache, then read as a file).
    Url(String),
    /// A SQLite database and what to read from it.
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The table or query.
        query: Query,
    },
    /// A PostgreSQL database and what to read from it.
    Postgres {
        /// The connection URI, without Tandem's own parameters.
        uri: String,
        /// The table or query.
        query: Query,
    },
    /// A paged JSON REST API.
    Rest(Rest),
}

/// A source: where, how it is shown, and how it is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Where.
    pub location: Location,
    /// How it is shown and recorded (no credentials).
    pub display: String,
    /// A CSV delimiter, when not sniffed.
    pub delimiter: Option<char>,
    /// A CSV file's encoding, header and quote, when not the defaults.
    pub dialect: Dialect,
    /// Where a database password comes from.
    pub credentials: Credentials,
}

/// `%XX` sequences decoded (invalid ones kept as written).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query parameter's value, percent-encoded.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Tandem's `table=` / `query=` parameters taken out of a query string; the rest returned.
fn take_query(arg: &str, query: &str) -> Result<(Query, Vec<String>), SourceError> {
    let mut table = None;
    let mut sql = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("table", v)) => table = Some(percent_decode(v)),
            Some(("query", v)) => sql = Some(percent_decode(v)),
            _ => rest.push(pair.to_string()),
        }
    }
    let invalid = |reason: &str| SourceError::Invalid {
        url: crate::redact(arg.split('?').next().unwrap_or(arg)),
        reason: reason.into(),
    };
    match (table, sql) {
        (Some(t), None) if !t.trim().is_empty() => Ok((Query::Table(t), rest)),
        (None, Some(q)) if !q.trim().is_empty() => Ok((Query::Sql(q), rest)),
        (Some(_), Some(_)) => Err(invalid("give either ?table= or ?query=, not both")),
        _ => Err(invalid(
            "name what to read: ?table=NAME or ?query=SELECT...",
        )),
    }
}

impl Source {
    /// The source a data argument names; `base` is the folder relative paths are taken from.
    pub fn parse(arg: &str, base: &Path) -> Result<Source, SourceError> {
        let lower = arg.get(..12).unwrap_or(arg).to_ascii_lowercase();
        let local = |p: &str| {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let mut dialect = Dialect::default();
        let mut delimiter = None;
        let location = if lower.starts_with("sqlite:") {
            let rest = &arg["sqlite:".len()..];
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (query, extra) = take_query(arg, query)?;
            if let Some(e) = extra.first() {
                return Err(SourceError::Invalid {
                    url: format!("sqlite:{path}"),
                    reason: format!(
                        "unknown parameter `{e}` (a SQLite source takes table= or query=)"
                    ),
                });
            }
            Location::Sqlite {
                path: local(&percent_decode(path)),
                query,
            }
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql:/") {
            let (head, query) = arg.split_once('?').unwrap_or((arg, ""));
            let (query, extra) = take_query(arg, query)?;
            let uri = if extra.is_empty() {
                head.to_string()
            } else {
                format!("{head}?{}", extra.join("&"))
            };
            crate::postgres::config(&uri, &crate::redact_db(head))?;
            Location::Postgres { uri, query }
        } else if lower.starts_with("rest+") {
            Location::Rest(Rest::parse(arg)?)
        } else if crate::is_url(arg) {
            let (url, options) = crate::dialect::split_options(arg)?;
            dialect = options.dialect;
            delimiter = options.delimiter;
            Location::Url(match options.rest.is_empty() {
                true => url.to_string(),
                false => format!("{url}#{}", options.rest.join("&")),
            })
        } else {
            let (path, options) = crate::dialect::split_options(arg)?;
            if let Some(other) = options.rest.first() {
                return Err(SourceError::Invalid {
                    url: path.to_string(),
                    reason: format!(
                        "unknown option `{other}` after `#` (a file takes encoding=, header=, columns=, quote=, delimiter=)"
                    ),
                });
            }
            dialect = options.dialect;
            delimiter = options.delimiter;
            Location::File(local(path))
        };
        let display = match &location {
            Location::File(p) => p.display().to_string(),
            Location::Url(u) => crate::redact(u),
            Location::Sqlite { path, query } => {
                format!("sqlite:{} ({})", path.display(), query.describe())
            }
            Location::Postgres { uri, query } => {
                format!("{} ({})", crate::redact_db(uri), query.describe())
            }
            Location::Rest(r) => format!("rest+{}", crate::redact(&r.url)),
        };
        Ok(Source {
            location,
            display,
            delimiter,
            dialect,
            credentials: Credentials::default(),
        })
    }

    /// Whether reading needs no conversion: a CSV or JSON Lines file (local or downloaded),
    /// which the commands read themselves.
    pub fn is_plain_file(&self) -> bool {
        matches!(self.location, Location::File(_) | Location::Url(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_name_their_sources() {
        let base = Path::new("/spec");
        let s = Source::parse("sqlite:data/t.db?query=SELECT%20*%20FROM%20t", base).unwrap();
        assert_eq!(
            s.location,
            Location::Sqlite {
                path: "/spec/data/t.db".into(),
                query: Query::Sql("SELECT * FROM t".into())
            }
        );
        let s = Source::parse(
            "postgres://ada@127.0.0.1:5433/db?sslmode=disable&table=t",
            base,
        )
        .unwrap();
        assert_eq!(
            s.location,
            Location::Postgres {
                uri: "postgres://ada@127.0.0.1:5433/db?sslmode=disable".into(),
                query: Query::Table("t".into())
            }
        );
        assert_eq!(s.display, "postgres://ada@127.0.0.1:5433/db (table t)");
        assert!(Source::parse("postgres://ada:pw@h/db?table=t", base).is_err());
        assert!(Source::parse("sqlite:t.db", base).is_err());
        assert!(Source::parse("sqlite:t.db?table=a&query=b", base).is_err());
        assert_eq!(
            Source::parse("x.csv", base).unwrap().location,
            Location::File("/spec/x.csv".into())
        );
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }
}
