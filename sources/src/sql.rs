//! What a SQL source runs: a table or a query, with the time window pushed into it.

use crate::window::Window;

/// A table (optionally `schema.table`) or a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Every row of a table.
    Table(String),
    /// A `SELECT` (run read-only).
    Sql(String),
}

/// `name` as a SQL identifier, quoted (`"a ""b"""`).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Query {
    /// The statement to run: the table or query, filtered by the window when there is one.
    pub fn statement(&self, window: Option<&Window>, sqlite: bool) -> String {
        let from = match self {
            Query::Table(t) => t.split('.').map(quote_ident).collect::<Vec<_>>().join("."),
            Query::Sql(q) => format!("({}) AS tandem_source", q.trim().trim_end_matches(';')),
        };
        match window.and_then(|w| w.sql(sqlite)) {
            Some(cond) => format!("SELECT * FROM {from} WHERE {cond}"),
            None => format!("SELECT * FROM {from}"),
        }
    }

    /// How the query is shown and recorded.
    pub fn describe(&self) -> String {
        match self {
            Query::Table(t) => format!("table {t}"),
            Query::Sql(q) => format!("query {}", q.trim()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_quoted_and_queries_wrapped() {
        assert_eq!(
            Query::Table("public.pass\"engers".into()).statement(None, false),
            "SELECT * FROM \"public\".\"pass\"\"engers\""
        );
        let w = Window::new("ts", Some("2024-01-01"), None).unwrap();
        assert_eq!(
            Query::Sql("select * from t;".into()).statement(Some(&w), true),
            "SELECT * FROM (select * from t) AS tandem_source WHERE julianday(\"ts\") >= julianday('2024-01-01 00:00:00.000000+00:00')"
        );
    }
}
