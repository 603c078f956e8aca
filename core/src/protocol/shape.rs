//! How many rows and values a `POST /invocations` body holds, counted on its bytes before it
//! is parsed: a parsed JSON value takes many times its bytes (a one-field record of 8 bytes
//! becomes a map of hundreds), so the count bounds the memory a request can make a server
//! spend, natively and in an edge worker alike.
//!
//! JSON: the values are every array element and object member; the rows are the longest
//! array (the records of `dataframe_records` / `instances` / `inputs`, the rows of
//! `dataframe_split.data`, or a column of `inputs` as columns: each is the row count).
//! CSV: the values are the fields, the rows the records after the header. Both are upper
//! bounds of what the protocol then reads.

use crate::constants::http;
use crate::json::lex::{Lexeme, lex};

use super::ProtocolError;

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Rows (the longest array; CSV records after the header).
    pub rows: usize,
    /// Values (array elements and object members; CSV fields).
    pub cells: usize,
}

impl Shape {
    /// Count a body of this media type (`text/csv` by CSV rules, anything else as JSON).
    pub fn of(content_type: &str, body: &[u8]) -> Shape {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("text/csv") {
            csv(body)
        } else {
            json(body)
        }
    }

    /// 413 `TOO_MANY_ROWS` / `TOO_MANY_CELLS` when over `max_rows` rows or `max_cells` values.
    pub fn check(self, max_rows: usize, max_cells: usize) -> Result<(), ProtocolError> {
        let (code, what, n, limit, setting) = if self.rows > max_rows {
            (
                http::TOO_MANY_ROWS,
                "rows",
                self.rows,
                max_rows,
                "--max-rows",
            )
        } else if self.cells > max_cells {
            (
                http::TOO_MANY_CELLS,
                "values",
                self.cells,
                max_cells,
                "--max-cells",
            )
        } else {
            return Ok(());
        };
        Err(ProtocolError::new(
            413,
            code,
            format!(
                "the body holds {n} {what}; this server accepts at most {limit} per request: \
                 send fewer, or raise the server's limit ({setting} of tandem serve, the \
                 serving options of a worker)"
            ),
        ))
    }
}

/// One open array or object.
struct Open {
    array: bool,
    commas: usize,
    filled: bool,
}

impl Open {
    fn len(&self) -> usize {
        if self.filled { self.commas + 1 } else { 0 }
    }

    fn count_into(&self, out: &mut Shape) {
        out.cells += self.len();
        if self.array {
            out.rows = out.rows.max(self.len());
        }
    }
}

fn json(body: &[u8]) -> Shape {
    let mut out = Shape::default();
    let mut stack: Vec<Open> = Vec::new();
    for (_, lexeme) in lex(body) {
        if let Some(top) = stack.last_mut() {
            match lexeme {
                Lexeme::Close => {}
                Lexeme::Comma => top.commas += 1,
                _ => top.filled = true,
            }
        }
        match lexeme {
            Lexeme::Open { array } => stack.push(Open {
                array,
                commas: 0,
                filled: false,
            }),
            Lexeme::Close => {
                if let Some(open) = stack.pop() {
                    open.count_into(&mut out);
                }
            }
            _ => {}
        }
    }
    // Unclosed containers (an invalid body) still count.
    for open in &stack {
        open.count_into(&mut out);
    }
    out
}

fn csv(body: &[u8]) -> Shape {
    let (mut records, mut fields, mut quoted, mut open) = (0usize, 0usize, false, false);
    for &b in body {
        match b {
            b'"' => quoted = !quoted,
            b',' | b';' | b'\t' if !quoted => fields += 1,
            b'\n' if !quoted => {
                if open {
                    records += 1;
                    fields += 1;
                }
                open = false;
                continue;
            }
            b'\r' => continue,
            _ => {}
        }
        open = true;
    }
    if open {
        records += 1;
        fields += 1;
    }
    Shape {
        rows: records.saturating_sub(1),
        cells: fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_count_one_row_per_record_and_one_value_per_member() {
        let body = br#"{"dataframe_records": [{"a": 1, "b": "x,]"}, {"a": 2}, {}]}"#;
        // 3 records + 3 members + the top member.
        assert_eq!(json(body), Shape { rows: 3, cells: 7 });
    }

    #[test]
    fn a_split_frame_counts_its_data_rows_and_every_cell() {
        let body =
            br#"{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4], [5, 6]]}}"#;
        // top 1 + split 2 + columns 2 + data 3 + cells 6.
        assert_eq!(json(body), Shape { rows: 3, cells: 14 });
    }

    #[test]
    fn escaped_quotes_and_brackets_in_strings_are_not_structure() {
        let body = br#"{"instances": [{"a": "\"[[[,,,"}]}"#;
        assert_eq!(json(body), Shape { rows: 1, cells: 3 });
    }

    #[test]
    fn csv_counts_records_after_the_header_and_every_field() {
        let body = b"a,b\r\n1,\"x,\ny\"\n3,4";
        assert_eq!(
            Shape::of("text/csv; charset=utf-8", body),
            Shape { rows: 2, cells: 6 }
        );
    }

    #[test]
    fn an_empty_body_holds_nothing() {
        assert_eq!(Shape::of("application/json", b""), Shape::default());
        assert_eq!(Shape::of("text/csv", b""), Shape::default());
    }

    #[test]
    fn a_body_over_either_limit_is_413_naming_the_count_and_the_limit() {
        let shape = Shape { rows: 5, cells: 20 };
        assert!(shape.check(5, 20).is_ok());
        let rows = shape.check(4, 100).expect_err("too many rows");
        assert_eq!((rows.status, rows.error_code), (413, http::TOO_MANY_ROWS));
        assert!(rows.message.contains("5 rows") && rows.message.contains("at most 4"));
        let cells = shape.check(5, 19).expect_err("too many values");
        assert_eq!(cells.error_code, http::TOO_MANY_CELLS);
    }
}
