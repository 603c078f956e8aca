//! PostgreSQL: a table or query, run in a read-only transaction and fetched through a cursor
//! a few thousand rows at a time, so a large result never sits in memory whole.
//!
//! The connection is a libpq URI (`postgres://user@host:5432/db`); the password never is: it
//! comes from `PGPASSWORD`, from the environment variable or file a spec names, or from
//! `~/.pgpass` (`PGPASSFILE`), as libpq would find it. Values arrive as PostgreSQL prints them
//! in the session's ISO date style and UTC time zone; booleans and numbers keep their type.

use std::str::FromStr;

use postgres::types::Type;
use postgres::{Client, Config, NoTls, SimpleQueryMessage};

use crate::SourceError;
use crate::cell::{Cell, Sink};
use crate::sql::Query;
use crate::window::Window;

/// Rows fetched per round trip.
const FETCH: usize = 5000;

/// Where the password comes from, besides `PGPASSWORD` and the password file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// An environment variable holding the password.
    pub password_env: Option<String>,
    /// A file holding the password (a mounted secret).
    pub password_file: Option<std::path::PathBuf>,
}

fn error(display: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Query {
        source_name: display.to_string(),
        reason: e.to_string(),
    }
}

/// A `postgres://` URI as a configuration, refusing a password in it.
pub fn config(uri: &str, display: &str) -> Result<Config, SourceError> {
    let config = Config::from_str(uri).map_err(|e| error(display, e))?;
    if config.get_password().is_some() {
        return Err(SourceError::Invalid {
            url: display.to_string(),
            reason: "a password in the connection string ends up in run params and logs: \
                     use PGPASSWORD, a password file (~/.pgpass) or the source's password_env"
                .into(),
        });
    }
    if config.get_ssl_mode() == postgres::config::SslMode::Require {
        return Err(SourceError::Invalid {
            url: display.to_string(),
            reason: "sslmode=require: this build connects without TLS; reach the server \
                     through a tunnel or a local proxy (docs/sources.md)"
                .into(),
        });
    }
    Ok(config)
}

fn pgpass(config: &Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or("").to_string();
    let user = config.get_user().unwrap_or("").to_string();
    let wanted = [host, port, db, user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            (fields.len() == 5
                && fields[..4]
                    .iter()
                    .zip(&wanted)
                    .all(|(f, w)| f == "*" || f == w))
            .then(|| fields[4].clone())
        })
}

/// A `.pgpass` line's fields (`:` separates, `\` escapes).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields
                .last_mut()
                .into_iter()
                .for_each(|f| f.extend(chars.next())),
            ':' => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields
}

fn password(config: &Config, creds: &Credentials) -> Result<Option<String>, SourceError> {
    if let Some(var) = &creds.password_env {
        return std::env::var(var)
            .map(Some)
            .map_err(|_| SourceError::Credentials {
                reason: format!(
                    "the environment variable {var} (the source's password_env) is not set"
                ),
            });
    }
    if let Some(file) = &creds.password_file {
        return std::fs::read_to_string(file)
            .map(|s| Some(s.trim_end_matches(['\n', '\r']).to_string()))
            .map_err(|e| SourceError::Credentials {
                reason: format!("cannot read the password file {}: {e}", file.display()),
            });
    }
    Ok(std::env::var("PGPASSWORD").ok().or_else(|| pgpass(config)))
}

fn cell(ty: &Type, text: Option<&str>) -> Cell {
    let Some(t) = text else { return Cell::Null };
    match *ty {
        Type::BOOL => Cell::Bool(t == "t"),
        Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => {
            t.parse().map_or_else(|_| Cell::Text(t.into()), Cell::Int)
        }
        Type::FLOAT4 | Type::FLOAT8 => match t {
            "NaN" => Cell::Null,
            "Infinity" => Cell::Float(f64::INFINITY),
            "-Infinity" => Cell::Float(f64::NEG_INFINITY),
            _ => t.parse().map_or_else(|_| Cell::Text(t.into()), Cell::Float),
        },
        // NUMERIC keeps every digit as text; the cell rules read it as a number.
        _ => Cell::Text(t.into()),
    }
}

/// Every row of `query` (inside `window`) into `sink`.
pub fn scan(
    uri: &str,
    display: &str,
    creds: &Credentials,
    query: &Query,
    window: Option<&Window>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut config = config(uri, display)?;
    if let Some(p) = password(&config, creds)? {
        config.password(p);
    }
    config.application_name("tandem");
    let mut client: Client = config.connect(NoTls).map_err(|e| error(display, e))?;
    client
        .batch_execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1",
        )
        .map_err(|e| error(display, e))?;
    let statement = query.statement(window, false);
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| error(display, e))?;
    let prepared = tx.prepare(&statement).map_err(|e| error(display, e))?;
    let types: Vec<Type> = prepared
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    let names: Vec<String> = prepared
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    sink.columns(&names)?;
    tx.batch_execute(&format!(
        "DECLARE tandem_rows NO SCROLL CURSOR FOR {statement}"
    ))
    .map_err(|e| error(display, e))?;
    let fetch = format!("FETCH {FETCH} FROM tandem_rows");
    let mut cells = Vec::with_capacity(names.len());
    loop {
        let mut got = 0;
        for message in tx.simple_query(&fetch).map_err(|e| error(display, e))? {
            if let SimpleQueryMessage::Row(row) = message {
                got += 1;
                cells.clear();
                cells.extend(types.iter().enumerate().map(|(i, ty)| cell(ty, row.get(i))));
                sink.row(&cells)?;
            }
        }
        if got < FETCH {
            break;
        }
    }
    tx.commit().map_err(|e| error(display, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_split_with_escapes() {
        assert_eq!(
            split_pgpass(r"h:5432:*:ada:p\:w\\d"),
            vec!["h", "5432", "*", "ada", r"p:w\d"]
        );
    }

    #[test]
    fn a_password_in_the_uri_is_refused() {
        let e = config(
            "postgres://ada:secret@localhost/db",
            "postgres://localhost/db",
        )
        .unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        let e = config("postgres://ada@localhost/db?sslmode=require", "p").unwrap_err();
        assert!(e.to_string().contains("without TLS"), "{e}");
    }
}
