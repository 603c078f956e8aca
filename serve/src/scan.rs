//! How many rows and values a body holds, counted on its bytes before it is parsed: a
//! parsed JSON value takes many times its bytes (a one-field record of 8 bytes becomes a map
//! of hundreds), so the count bounds the memory a request can make the server spend.
//!
//! JSON: the values are every array element and object member; the rows are the longest
//! array (the records of `dataframe_records` / `instances` / `inputs`, the rows of
//! `dataframe_split.data`, or a column of `inputs` as columns: each is the row count).
//! CSV: the values are the fields, the rows the records after the header. Both are upper
//! bounds of what the protocol then reads.

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Rows (the longest array; CSV records after the header).
    pub rows: usize,
    /// Values (array elements and object members; CSV fields).
    pub cells: usize,
}

/// Count a body of this media type (`application/json`, else CSV rules).
pub fn shape(content_type: &str, body: &[u8]) -> Shape {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("text/csv") {
        csv(body)
    } else {
        json(body)
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
}

fn json(body: &[u8]) -> Shape {
    let mut out = Shape::default();
    let mut stack: Vec<Open> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if let Some(top) = stack.last_mut() {
            match b {
                b']' | b'}' => {}
                b',' => top.commas += 1,
                _ => top.filled = true,
            }
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => stack.push(Open {
                array: b == b'[',
                commas: 0,
                filled: false,
            }),
            b']' | b'}' => {
                if let Some(open) = stack.pop() {
                    out.cells += open.len();
                    if open.array {
                        out.rows = out.rows.max(open.len());
                    }
                }
            }
            _ => {}
        }
    }
    // Unclosed containers (an invalid body) still count.
    for open in &stack {
        out.cells += open.len();
        if open.array {
            out.rows = out.rows.max(open.len());
        }
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
            shape("text/csv; charset=utf-8", body),
            Shape { rows: 2, cells: 6 }
        );
    }

    #[test]
    fn an_empty_body_holds_nothing() {
        assert_eq!(shape("application/json", b""), Shape::default());
        assert_eq!(shape("text/csv", b""), Shape::default());
    }
}
