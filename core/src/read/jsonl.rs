//! JSON Lines: one JSON object per line (blank lines skipped), read as a table of text
//! cells for inference and training, or as instances against a schema. A string value goes
//! through the same cell rules as a CSV cell (missing markers, number formats), so a JSON
//! Lines file predicts as it trained.

use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use super::ReadOptions;
use super::cells::raw_from_cell;
use super::sniff::strip_bom;
use super::table::{Format, TextTable};
use crate::instance::{Instance, Raw};
use crate::schema::FieldSet;
use crate::{Error, InstanceError};

/// Each non-blank line's 1-based line number and its parsed JSON value (or why not).
type Lines = Vec<(usize, Result<Json, Error>)>;

/// Records read against a schema: each one's 1-based line, and its instance or why not.
pub type Records = (Vec<usize>, Vec<Result<Instance, Error>>);

/// The non-blank lines of a JSON Lines text, parsed.
fn lines(bytes: &[u8]) -> Result<Lines, Error> {
    let text = std::str::from_utf8(strip_bom(bytes)).map_err(|e| Error::Json {
        row: 0,
        reason: format!("not UTF-8: {e}"),
    })?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let row = i + 1;
            let parsed = serde_json::from_str::<Json>(l).map_err(|e| Error::Json {
                row,
                reason: e.to_string(),
            });
            (row, parsed)
        })
        .collect())
}

/// A JSON value as a text cell: a string as is, `null` empty, anything else its JSON text.
pub fn cell(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The JSON object of data row `row`, or why it is not one.
pub fn object(row: usize, v: Json) -> Result<Map<String, Json>, Error> {
    match v {
        Json::Object(m) => Ok(m),
        other => Err(Error::Json {
            row,
            reason: format!(
                "expected a JSON object, found {}",
                Raw::from_json(Some(&other)).describe()
            ),
        }),
    }
}

/// A JSON object's keys in the order the line writes them (`serde_json::Map` sorts them).
struct KeyOrder(Vec<String>);

impl<'de> serde::Deserialize<'de> for KeyOrder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = KeyOrder;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<KeyOrder, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, _)) = m.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(KeyOrder(keys))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The keys of the JSON object `line` in the order it writes them (`None`: not an object).
pub fn keys_in_order(line: &str) -> Option<Vec<String>> {
    serde_json::from_str::<KeyOrder>(line).ok().map(|k| k.0)
}

/// Every object of a JSON Lines text as a table: the keys in first-seen order (as each line
/// writes them) are the header, an absent key an empty cell.
pub fn read_table(bytes: &[u8]) -> Result<TextTable, Error> {
    let mut objects = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut known: HashMap<String, usize> = HashMap::new();
    let text = std::str::from_utf8(strip_bom(bytes)).unwrap_or_default();
    let mut ordered = text.lines().filter(|l| !l.trim().is_empty());
    let mut malformed = Vec::new();
    // Data rows are counted over the non-blank lines, as training and evaluation number them.
    for (data_row, (_, parsed)) in lines(bytes)?.into_iter().enumerate() {
        let obj = match parsed.and_then(|v| object(data_row + 1, v)) {
            Ok(obj) => obj,
            Err(e) => {
                // A line that is not a JSON object is set aside (training quarantines it).
                ordered.next();
                let reason = match e {
                    Error::Json { reason, .. } => reason,
                    other => other.to_string(),
                };
                malformed.push((data_row + 1, reason));
                continue;
            }
        };
        let in_order = ordered
            .next()
            .and_then(|l| serde_json::from_str::<KeyOrder>(l).ok())
            .map_or_else(|| obj.keys().cloned().collect(), |k| k.0);
        for k in &in_order {
            if !known.contains_key(k) {
                known.insert(k.clone(), keys.len());
                keys.push(k.clone());
            }
        }
        objects.push(obj);
    }
    let rows = objects
        .iter()
        .map(|o| keys.iter().map(|k| cell(o.get(k))).collect())
        .collect();
    Ok(TextTable {
        header: keys.iter().map(|k| k.trim()).collect(),
        rows,
        format: Format::JsonLines,
        dropped_index: false,
        malformed,
    })
}

/// Input records of a JSON Lines text against a schema: each one's line number and its
/// instance or why it was rejected. Reading continues past bad lines.
pub fn read_jsonl<S: FieldSet + ?Sized>(
    schema: &S,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<Records, Error> {
    options.check()?;
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for (row, parsed) in lines(bytes)? {
        rows.push(row);
        out.push(parsed.and_then(|j| instance(schema, &j, options).map_err(|e| e.at_row(row))));
    }
    Ok((rows, out))
}

/// One JSON object as an instance, its strings read as cells.
pub fn instance<S: FieldSet + ?Sized>(
    schema: &S,
    json: &Json,
    options: &ReadOptions,
) -> Result<Instance, Error> {
    let Json::Object(map) = json else {
        let found = Raw::from_json(Some(json)).describe();
        return Err(InstanceError::NotAnObject { found }.into());
    };
    let mut values = schema.fields().iter().map(|f| match map.get(&f.name) {
        Some(Json::String(s)) => raw_from_cell(f.kind, s, options),
        other => Raw::from_json(other),
    });
    Instance::from_raw(schema, |_| values.next().unwrap_or(Raw::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_an_object_is_set_aside_with_its_row() {
        let t = read_table(b"{\"a\": 1}\n\n{\"a\": 2\n[3]\n{\"a\": 4}\n").unwrap();
        assert_eq!(t.rows.len(), 2);
        let rows: Vec<usize> = t.malformed.iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, [2, 3]);
        assert!(
            t.malformed[1].1.contains("expected a JSON object"),
            "{:?}",
            t.malformed
        );
        assert_eq!((t.row_number(0), t.row_number(1)), (1, 4));
        assert_eq!(&t.rows[1][0], "4");
    }

    #[test]
    fn json_lines_read_as_a_table_with_every_key() {
        let text = b"{\"b\": \"x\", \"a\": 1}\n\n{\"b\": null, \"c\": true}\n";
        let t = read_table(text).unwrap();
        assert_eq!(
            t.header,
            csv::StringRecord::from(vec!["b", "a", "c"]),
            "file order"
        );
        assert_eq!(t.rows[0], csv::StringRecord::from(vec!["x", "1", ""]));
        assert_eq!(t.rows[1], csv::StringRecord::from(vec!["", "", "true"]));
        let t = read_table(b"{\"a\": 1}\n[1]\n").unwrap();
        assert_eq!(t.malformed.len(), 1);
        assert_eq!(t.malformed[0].0, 2);
    }

    #[test]
    fn json_lines_strings_follow_the_cell_rules() {
        let schema: crate::Schema = serde_json::from_value(serde_json::json!({
            "fields": [{"name": "x", "type": "number", "nullable": true}],
            "label": {"name": "y", "task": {"kind": "regression"}}
        }))
        .unwrap();
        let o = ReadOptions {
            na_values: vec!["?".into()],
            decimal: ',',
            ..ReadOptions::default()
        };
        let text = b"{\"x\": \"?\"}\n{\"x\": \"3,5\"}\n{\"x\": 2}\n";
        let (rows, got) = read_jsonl(&schema, text, &o).unwrap();
        assert_eq!(rows, vec![1, 2, 3]);
        let values: Vec<_> = got.into_iter().map(|r| r.unwrap().values).collect();
        use crate::Value::{Missing, Number};
        assert_eq!(
            values,
            vec![vec![Missing], vec![Number(3.5)], vec![Number(2.0)]]
        );
    }
}
