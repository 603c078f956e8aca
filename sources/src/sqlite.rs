//! SQLite: a database file, opened read-only, and a table or query. Needs no server: the
//! SQLite library is compiled into Tandem (rusqlite's `bundled`).

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::SourceError;
use crate::cell::{Cell, Sink};
use crate::sql::Query;
use crate::window::Window;

fn query_error(path: &Path, e: impl std::fmt::Display) -> SourceError {
    SourceError::Query {
        source_name: format!("sqlite:{}", path.display()),
        reason: e.to_string(),
    }
}

/// Every row of `query` (inside `window`) into `sink`.
pub fn scan(
    path: &Path,
    query: &Query,
    window: Option<&Window>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    if !path.is_file() {
        return Err(query_error(path, "no such database file"));
    }
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| query_error(path, e))?;
    let mut stmt = db
        .prepare(&query.statement(window, true))
        .map_err(|e| query_error(path, e))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    sink.columns(&names)?;
    let mut rows = stmt.query([]).map_err(|e| query_error(path, e))?;
    let mut cells = Vec::with_capacity(names.len());
    while let Some(row) = rows.next().map_err(|e| query_error(path, e))? {
        cells.clear();
        for (i, name) in names.iter().enumerate() {
            let v = row.get_ref(i).map_err(|e| query_error(path, e))?;
            cells.push(match v {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(f) => Cell::Float(f),
                ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(_) => {
                    return Err(query_error(
                        path,
                        format!(
                            "column `{name}` holds binary data (a BLOB), which no field type reads"
                        ),
                    ));
                }
            });
        }
        sink.row(&cells)?;
    }
    Ok(())
}
