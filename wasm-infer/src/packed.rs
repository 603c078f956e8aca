//! A batch packed by the JavaScript layer into a few typed arrays, read without one call
//! across the boundary per cell.
//!
//! Reading a batch cell by cell through `Reflect` (a property read, a type test and, for a
//! string, an encode into wasm memory, each a JavaScript call) was a third of a 10k-row batch.
//! `predictBatch` and `predictColumns` instead copy every cell of the schema's fields into
//! typed arrays in JavaScript (`npm/tandem-infer/lib/pack.js`), field-major (`field * rows +
//! row`):
//!
//! - `kinds[k]`: [`NULL`] (absent, `null`, `undefined`), [`NUMBER`] (in `numbers[k]`),
//!   [`STRING`], [`FALSE`] or [`TRUE`];
//! - every string, in cell order, concatenated and encoded once into `text` (UTF-8), with
//!   its length in UTF-16 code units in `lengths` (JavaScript's `length`, which a string
//!   knows without encoding it).
//!
//! Any other cell (an object, an array, a symbol, a bigint, a value whose getter threw) and
//! any irregular batch (rows that are not objects, missing or ragged columns) never reaches
//! this path: the JavaScript layer sends those batches through the cell-by-cell readers,
//! whose errors name the cell. Each packed cell becomes the [`Raw`] value that reader would
//! have made, so both paths give the same instances.

use tandem_core::schema::Schema;
use tandem_core::{Error, Instance, Raw};

/// Absent, `null` or `undefined`.
pub const NULL: u8 = 0;
/// A number, in `numbers` at the same position.
pub const NUMBER: u8 = 1;
/// A string: the next `lengths` entry says how much of `text` it is.
pub const STRING: u8 = 2;
/// `false`.
pub const FALSE: u8 = 3;
/// `true`.
pub const TRUE: u8 = 4;

/// Why a packed batch could not be read: its arrays disagree (a bug in the packer, never
/// a user's input).
#[derive(Debug, PartialEq, Eq)]
pub struct BadPack(pub String);

/// The instances of a packed batch of `rows` rows over `schema`'s fields (each row checked
/// exactly as an object instance would be).
pub fn instances_from_packed(
    schema: &Schema,
    rows: usize,
    kinds: &[u8],
    numbers: &[f64],
    text: &[u8],
    lengths: &[u32],
) -> Result<Vec<Result<Instance, Error>>, BadPack> {
    let text = std::str::from_utf8(text).map_err(|e| BadPack(format!("text: {e}")))?;
    let fields = schema.fields.len();
    let cells = fields
        .checked_mul(rows)
        .ok_or_else(|| BadPack("size overflow".into()))?;
    if kinds.len() != cells || numbers.len() != cells {
        return Err(BadPack(format!(
            "{} kinds and {} numbers for {rows} rows of {fields} fields",
            kinds.len(),
            numbers.len()
        )));
    }
    let mut strings = Strings {
        text,
        lengths: lengths.iter(),
    };
    let mut raws = Vec::with_capacity(cells);
    for (&kind, &number) in kinds.iter().zip(numbers) {
        raws.push(match kind {
            NULL => Raw::Null,
            NUMBER => Raw::Number(number),
            STRING => Raw::Str(strings.next()?.to_string()),
            FALSE => Raw::Bool(false),
            TRUE => Raw::Bool(true),
            other => return Err(BadPack(format!("unknown cell kind {other}"))),
        });
    }
    if !strings.text.is_empty() || strings.lengths.next().is_some() {
        return Err(BadPack("text left over after the last string".into()));
    }
    Ok((0..rows)
        .map(|row| {
            Instance::from_raw_at(schema, |field, _| {
                std::mem::replace(&mut raws[field * rows + row], Raw::Null)
            })
        })
        .collect())
}

/// The strings of `text`, cut at the UTF-16 lengths in `lengths`.
struct Strings<'a> {
    text: &'a str,
    lengths: std::slice::Iter<'a, u32>,
}

impl<'a> Strings<'a> {
    fn next(&mut self) -> Result<&'a str, BadPack> {
        let want = *self
            .lengths
            .next()
            .ok_or_else(|| BadPack("more strings than lengths".into()))?
            as usize;
        // ASCII: one UTF-16 unit per byte.
        if let Some(head) = self.text.as_bytes().get(..want)
            && head.is_ascii()
        {
            let (s, rest) = self.text.split_at(want);
            self.text = rest;
            return Ok(s);
        }
        let mut units = 0;
        let mut end = 0;
        for c in self.text.chars() {
            if units >= want {
                break;
            }
            units += c.len_utf16();
            end += c.len_utf8();
        }
        if units != want {
            return Err(BadPack(format!(
                "a string of {want} UTF-16 units does not end on a character"
            )));
        }
        let (s, rest) = self.text.split_at(end);
        self.text = rest;
        Ok(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use tandem_core::schema::{Field, FieldType, Label, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("name", FieldType::Text, true),
                Field::new("age", FieldType::Number, true),
                Field::new("adult", FieldType::Boolean, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        }
    }

    /// Packed cells give the instances the cell-by-cell reader gives for the same raw values.
    #[test]
    fn packed_cells_read_as_raw_values() {
        let s = schema();
        // Two rows; field-major. Strings: "Zoë 😀" (6 UTF-16 units), "  " (2).
        let kinds = [STRING, STRING, NUMBER, NULL, TRUE, FALSE];
        let numbers = [0.0, 0.0, 29.5, 0.0, 0.0, 0.0];
        let got = instances_from_packed(&s, 2, &kinds, &numbers, "Zoë 😀  ".as_bytes(), &[6, 2])
            .expect("packed");
        let want = [
            Instance::from_raw(&s, |f| match f {
                "name" => Raw::Str("Zoë 😀".into()),
                "age" => Raw::Number(29.5),
                _ => Raw::Bool(true),
            }),
            Instance::from_raw(&s, |f| match f {
                "name" => Raw::Str("  ".into()),
                "age" => Raw::Null,
                _ => Raw::Bool(false),
            }),
        ];
        assert_eq!(got.len(), 2);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(format!("{g:?}"), format!("{w:?}"));
        }
        // A wrong type is the same row error as from an object.
        let bad =
            instances_from_packed(&s, 1, &[NULL, STRING, NULL], &[0.0; 3], b"x", &[1]).unwrap();
        let direct = Instance::from_raw(&s, |f| match f {
            "age" => Raw::Str("x".into()),
            _ => Raw::Null,
        });
        let (e, d) = (
            bad[0].as_ref().expect_err("packed"),
            direct.expect_err("direct"),
        );
        assert_eq!((e.code(), e.to_string()), (d.code(), d.to_string()));
    }

    #[test]
    fn inconsistent_packs_are_refused() {
        let s = schema();
        let ok = |k: &[u8], t: &str, l: &[u32]| {
            instances_from_packed(&s, 1, k, &[0.0; 3], t.as_bytes(), l).map(|_| ())
        };
        assert!(ok(&[STRING, NULL, NULL], "ab", &[2]).is_ok());
        assert!(ok(&[STRING, NULL, NULL], "ab", &[3]).is_err(), "too long");
        assert!(ok(&[STRING, NULL, NULL], "ab", &[1]).is_err(), "text left");
        assert!(
            ok(&[STRING, NULL, NULL], "ab", &[2, 0]).is_err(),
            "lengths left"
        );
        assert!(
            ok(&[STRING, STRING, NULL], "ab", &[2]).is_err(),
            "too few lengths"
        );
        assert!(
            ok(&[STRING, NULL, NULL], "😀", &[1]).is_err(),
            "inside a pair"
        );
        assert!(ok(&[9, NULL, NULL], "", &[]).is_err(), "unknown kind");
        assert!(instances_from_packed(&s, 2, &[NULL; 3], &[0.0; 3], b"", &[]).is_err());
        assert!(instances_from_packed(&s, 1, &[NULL; 3], &[0.0; 3], b"\xff", &[]).is_err());
    }
}
