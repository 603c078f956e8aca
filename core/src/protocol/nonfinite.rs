//! JSON as MLflow's Python clients write it: `json.dumps` spells a missing number `NaN` and an
//! infinite one `Infinity` / `-Infinity`, bare tokens that strict JSON (and serde_json) refuse
//! but MLflow's scoring server accepts.
//!
//! A body is parsed strictly first (no cost for ordinary JSON). Only if that fails are the
//! bare tokens outside strings rewritten, and the body parsed again: `NaN` becomes `null` (a
//! missing value), `±Infinity` a sentinel string that [`raw`] reads back as an infinite
//! number, so that the instance check refuses it as `NOT_FINITE` for its field and row.
//! Text inside strings (`"NaN"`, `"Infinity Pool"`) is never touched.

use serde_json::Value as Json;

use crate::instance::Raw;
use crate::json::lex::{Lexeme, lex};

/// What `Infinity` is rewritten to (a NUL-prefixed string no ordinary value spells).
const POS_INF: &str = "\u{0}tandem:+Infinity";
/// What `-Infinity` is rewritten to.
const NEG_INF: &str = "\u{0}tandem:-Infinity";

/// A parsed body and whether it held `±Infinity` tokens (then [`raw`] reads the sentinels).
#[derive(Debug)]
pub(super) struct Tolerant {
    /// The document.
    pub doc: Json,
    /// Whether an `Infinity` token was rewritten.
    infinities: bool,
}

impl Tolerant {
    /// The raw value of a cell (`None`: the key is absent), infinities included.
    pub fn raw(&self, value: Option<&Json>) -> Raw {
        match value {
            Some(Json::String(s)) if self.infinities && s == POS_INF => Raw::Number(f64::INFINITY),
            Some(Json::String(s)) if self.infinities && s == NEG_INF => {
                Raw::Number(f64::NEG_INFINITY)
            }
            other => Raw::from_json(other),
        }
    }
}

/// Parse `body` as JSON, accepting bare `NaN`, `Infinity` and `-Infinity` tokens.
pub(super) fn parse(body: &[u8]) -> Result<Tolerant, serde_json::Error> {
    let strict = match serde_json::from_slice(body) {
        Ok(doc) => {
            return Ok(Tolerant {
                doc,
                infinities: false,
            });
        }
        Err(e) => e,
    };
    match rewrite(body) {
        Some((text, infinities)) => Ok(Tolerant {
            doc: serde_json::from_slice(&text)?,
            infinities,
        }),
        None => Err(strict),
    }
}

/// The tokens and what each becomes.
const TOKENS: [(&[u8], &str, bool); 3] = [
    (b"-Infinity", "\"\\u0000tandem:-Infinity\"", true),
    (b"Infinity", "\"\\u0000tandem:+Infinity\"", true),
    (b"NaN", "null", false),
];

/// `body` with every bare token outside strings replaced, and whether an infinity was among
/// them; `None` if there was none to replace.
fn rewrite(body: &[u8]) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::with_capacity(body.len() + 16);
    let (mut copied, mut infinities) = (0, false);
    for (at, lexeme) in lex(body) {
        if at < copied || !matches!(lexeme, Lexeme::Other(_)) {
            continue;
        }
        if let Some((token, with, inf)) = token_at(body, at) {
            out.extend_from_slice(body.get(copied..at)?);
            out.extend_from_slice(with.as_bytes());
            copied = at + token.len();
            infinities |= inf;
        }
    }
    if copied == 0 {
        return None;
    }
    out.extend_from_slice(body.get(copied..)?);
    Some((out, infinities))
}

/// The token starting at `i`, if it stands alone (not part of a longer word).
fn token_at(body: &[u8], i: usize) -> Option<(&'static [u8], &'static str, bool)> {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if i > 0 && body.get(i - 1).is_some_and(word) {
        return None;
    }
    TOKENS.into_iter().find(|(token, _, _)| {
        body.get(i..i + token.len()) == Some(token) && !body.get(i + token.len()).is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(text: &str) -> Json {
        parse(text.as_bytes()).expect("parses").doc
    }

    #[test]
    fn bare_nan_is_null_and_infinities_read_back_as_infinite_numbers() {
        let t = parse(br#"{"a": [NaN, Infinity, -Infinity, 1.5]}"#).expect("parses");
        let cells = t.doc["a"].as_array().expect("array");
        let raws: Vec<Raw> = cells.iter().map(|c| t.raw(Some(c))).collect();
        assert_eq!(
            raws,
            vec![
                Raw::Null,
                Raw::Number(f64::INFINITY),
                Raw::Number(f64::NEG_INFINITY),
                Raw::Number(1.5)
            ]
        );
    }

    #[test]
    fn strings_holding_the_words_stay_untouched() {
        let text = r#"{"a": ["NaN", "Infinity Pool", "-Infinity", "say \"NaN\" NaN", "\\", NaN]}"#;
        assert_eq!(
            doc(text),
            json!({"a": ["NaN", "Infinity Pool", "-Infinity", "say \"NaN\" NaN", "\\", null]})
        );
        // A string equal to a word is a string, even when infinities were rewritten.
        let t = parse(br#"{"a": ["Infinity", Infinity]}"#).expect("parses");
        assert_eq!(t.raw(Some(&t.doc["a"][0])), Raw::Str("Infinity".into()));
    }

    #[test]
    fn a_sentinel_is_only_an_infinity_when_the_body_had_a_bare_token() {
        let t = parse(br#"{"a": ["\u0000tandem:+Infinity"]}"#).expect("parses");
        assert_eq!(t.raw(Some(&t.doc["a"][0])), Raw::Str(POS_INF.into()));
    }

    #[test]
    fn words_that_only_start_like_a_token_are_still_invalid_json() {
        for text in [
            r#"{"a": NaNa}"#,
            r#"{"a": Infinityx}"#,
            r#"{"a": nan}"#,
            r#"{"a": xNaN}"#,
        ] {
            assert!(parse(text.as_bytes()).is_err(), "{text}");
        }
        // Valid JSON is parsed as it is, without a rewrite.
        assert_eq!(doc(r#"{"NaN": "Infinity"}"#), json!({"NaN": "Infinity"}));
    }
}
