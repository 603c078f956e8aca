//! How a file writes its cells: which markers mean "missing", the thousands separator, the
//! decimal mark and the delimiter.
//!
//! The defaults read what pandas reads by default: its missing markers, `.` decimals, no
//! thousands separator, and a sniffed delimiter.

use serde::{Deserialize, Serialize};

use crate::json::{DecodeError, FromJson, Json, Obj};

use super::ReadError;

/// The cells pandas' `read_csv` reads as missing by default (`keep_default_na=True`); an
/// empty or blank cell is missing too. Compared after trimming.
pub const DEFAULT_NA_VALUES: [&str; 19] = [
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// The delimiters sniffing chooses between, in order of preference on a tie.
pub const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// How cells are written. Serialised in a bundle's metadata (`read`) with the defaults left
/// out, so bundles written before it existed read as the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    /// Further cells read as missing, on top of [`DEFAULT_NA_VALUES`] (`?`, `-`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub na_values: Vec<String>,
    /// The thousands separator in numbers (`,` in `1,234,567`); none by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thousands: Option<char>,
    /// The decimal mark (`.` by default; `,` in `3,5`).
    #[serde(skip_serializing_if = "is_dot")]
    pub decimal: char,
    /// The CSV delimiter; `None` sniffs it among `,` `;` tab `|`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
}

fn is_dot(c: &char) -> bool {
    *c == '.'
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            na_values: Vec::new(),
            thousands: None,
            decimal: '.',
            delimiter: None,
        }
    }
}

impl ReadOptions {
    /// Whether these are the defaults (what a bundle leaves out).
    pub fn is_default(&self) -> bool {
        *self == ReadOptions::default()
    }

    /// Check the options: a one-character ASCII punctuation delimiter, decimal mark and
    /// thousands separator, the last two different.
    pub fn check(&self) -> Result<(), ReadError> {
        let bad = |option, reason: String| Err(ReadError::BadOption { option, reason });
        if !matches!(self.decimal, '.' | ',') {
            return bad("decimal", format!("{:?} is not `.` or `,`", self.decimal));
        }
        if let Some(t) = self.thousands {
            if !matches!(t, ',' | '.' | ' ' | '_' | '\'') {
                return bad(
                    "thousands",
                    format!("{t:?} is not one of `,` `.` space `_` `'`"),
                );
            }
            if t == self.decimal {
                return bad(
                    "thousands",
                    format!("{t:?} is also the decimal mark: they must differ"),
                );
            }
        }
        if let Some(d) = self.delimiter
            && (!(d.is_ascii_punctuation() || d == '\t' || d == ' ') || d == '"')
        {
            return bad(
                "delimiter",
                format!("{d:?} cannot delimit columns (use one of , ; tab |)"),
            );
        }
        Ok(())
    }

    /// The delimiter as the CSV reader's byte, when one is set.
    pub fn delimiter_byte(&self) -> Option<u8> {
        self.delimiter.and_then(|d| u8::try_from(d).ok())
    }

    /// These options as a bundle records them: the delimiter left out, since it describes
    /// one file rather than how the data writes its values.
    pub fn for_bundle(&self) -> ReadOptions {
        ReadOptions {
            delimiter: None,
            ..self.clone()
        }
    }
}

impl FromJson for ReadOptions {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(ReadOptions {
            na_values: o.or_default("na_values")?,
            thousands: o.opt("thousands")?,
            decimal: o.opt("decimal")?.unwrap_or('.'),
            delimiter: o.opt("delimiter")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_decoder_reads_read_options_as_serde_does() {
        // Read by serde from specs and by the tree decoder from a bundle's metadata.
        for text in [
            "{}",
            r#"{"na_values": ["?", "-"], "thousands": ",", "decimal": ".", "delimiter": ";"}"#,
            r#"{"decimal": ",", "thousands": " ", "other": 1}"#,
        ] {
            let ours: ReadOptions = crate::json::decode::from_slice(text.as_bytes()).unwrap();
            let theirs: ReadOptions = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in [
            r#"{"decimal": ",,"}"#,
            r#"{"na_values": "?"}"#,
            r#"{"thousands": 1}"#,
        ] {
            assert!(crate::json::decode::from_slice::<ReadOptions>(bad.as_bytes()).is_err());
            assert!(serde_json::from_str::<ReadOptions>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_serialise_to_an_empty_object_and_read_back() {
        let d = ReadOptions::default();
        assert_eq!(serde_json::to_string(&d).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<ReadOptions>("{}").unwrap(), d);
        let o = ReadOptions {
            na_values: vec!["?".into()],
            thousands: Some('.'),
            decimal: ',',
            delimiter: Some(';'),
        };
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<ReadOptions>(&text).unwrap(), o);
    }

    #[test]
    fn a_thousands_separator_equal_to_the_decimal_mark_is_refused() {
        let o = ReadOptions {
            thousands: Some(','),
            decimal: ',',
            ..ReadOptions::default()
        };
        let e = o.check().unwrap_err();
        assert_eq!(e.code(), "BAD_READ_OPTION");
        assert!(e.to_string().contains("decimal mark"), "{e}");
        let letter = ReadOptions {
            delimiter: Some('x'),
            ..ReadOptions::default()
        };
        assert!(letter.check().is_err());
        assert!(ReadOptions::default().check().is_ok());
    }

    #[test]
    fn a_bundle_records_the_options_without_the_delimiter() {
        let o = ReadOptions {
            delimiter: Some(';'),
            decimal: ',',
            ..ReadOptions::default()
        };
        assert_eq!(o.for_bundle().delimiter, None);
        assert_eq!(o.for_bundle().decimal, ',');
    }
}
