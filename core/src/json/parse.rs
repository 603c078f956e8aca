//! A JSON text to a tree that borrows from it: strings without escapes and every number stay
//! slices of the input, and a number is parsed only by the type that reads it (so a `u64`
//! seed keeps all its digits and an `f64` is rounded once, correctly, by `str::parse`).
//!
//! Strict RFC 8259: one value, no trailing characters, no comments, no lone surrogates, no
//! control characters in strings; duplicate keys in an object are an error rather than a
//! silent choice of one. Nesting deeper than [`MAX_DEPTH`] is refused before the stack is.

use std::borrow::Cow;
use std::fmt;

/// Arrays and objects nested deeper than this are refused (bundle limits are lower).
pub(crate) const MAX_DEPTH: usize = 256;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written, checked against JSON's grammar.
    Number(&'a str),
    /// A string, unescaped.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members in the order written; keys are unique.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    /// What kind of value this is, for messages (`"a string"`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Why a text is not JSON, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// What is wrong.
    pub what: &'static str,
    /// The byte offset where it was found.
    pub offset: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

/// Parse `bytes` as one JSON value.
pub(crate) fn parse(bytes: &[u8]) -> Result<Json<'_>, SyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SyntaxError {
        what: "invalid UTF-8",
        offset: e.valid_up_to(),
    })?;
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.whitespace();
    if parser.at < text.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn error(&self, what: &'static str) -> SyntaxError {
        SyntaxError {
            what,
            offset: self.at,
        }
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, SyntaxError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// After `[` or `{`: refuse one level too many, step over the bracket.
    fn open(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.at += 1;
        self.whitespace();
        Ok(())
    }

    /// After a member: `,` (more follow: true) or the closing bracket (false).
    fn next(&mut self, close: u8, what: &'static str) -> Result<bool, SyntaxError> {
        self.whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(self.error(what)),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.open(depth)?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            if !self.next(b']', "expected `,` or `]`")? {
                return Ok(Json::Array(items));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        let start = self.at;
        self.open(depth)?;
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.at += 1;
            members.push((key, self.value(depth)?));
            if !self.next(b'}', "expected `,` or `}`")? {
                break;
            }
        }
        let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(SyntaxError {
                what: "duplicate key in object",
                offset: start,
            });
        }
        Ok(Json::Object(members))
    }

    fn digits(&mut self) -> bool {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at > start
    }

    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(&self.text[start..self.at]))
    }

    /// A string, the cursor on its opening quote. Only ASCII bytes stop the scan, so every
    /// slice taken is on a character boundary.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.at - 1]));
                }
                Some(b'\\') => break,
                Some(0..0x20) => return Err(self.error("control character in string")),
                Some(_) => self.at += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                Some(0..0x20) => return Err(self.error("control character in string")),
                Some(_) => {
                    let run = self.at;
                    while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                        self.at += 1;
                    }
                    out.push_str(&self.text[run..self.at]);
                }
            }
        }
    }

    /// The character an escape stands for, the cursor after its backslash.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                return self.unicode();
            }
            _ => return Err(self.error("invalid escape")),
        };
        self.at += 1;
        Ok(c)
    }

    /// `XXXX` after `\u`, and the low half of a surrogate pair when it is one.
    fn unicode(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with("\\u") {
                    return Err(self.error("lone surrogate in escape"));
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("lone surrogate in escape"));
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in escape")),
            _ => high,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid escape"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid escape"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(s: &str) -> Json<'_> {
        parse(s.as_bytes()).unwrap()
    }

    fn err(s: &str) -> &'static str {
        parse(s.as_bytes()).unwrap_err().what
    }

    #[test]
    fn values_parse_into_a_tree_that_borrows_plain_strings_and_numbers() {
        let v = p(r#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9y", "c": {}} "#);
        let Json::Object(m) = &v else { panic!() };
        assert_eq!(m[0].0, "a");
        assert_eq!(
            m[0].1,
            Json::Array(vec![
                Json::Number("1"),
                Json::Number("-2.5e3"),
                Json::Bool(true),
                Json::Null
            ])
        );
        assert_eq!(m[1].1, Json::Str("xéy".into()));
        assert!(matches!(&m[1].1, Json::Str(Cow::Owned(_))));
        assert!(matches!(
            &p(r#""plain""#),
            Json::Str(Cow::Borrowed("plain"))
        ));
        assert_eq!(m[2].1, Json::Object(vec![]));
    }

    #[test]
    fn escapes_decode_as_serde_json_does_surrogate_pairs_included() {
        let text = r#""a\"b\\c\/d\b\f\n\r\t\ud83d\ude00é""#;
        let ours = p(text);
        let theirs: String = serde_json::from_str(text).unwrap();
        assert_eq!(ours, Json::Str(theirs.into()));
    }

    #[test]
    fn what_is_not_json_is_refused_with_a_reason_and_an_offset() {
        assert_eq!(err(""), "unexpected end of input");
        assert_eq!(err("[1,]"), "expected a value");
        assert_eq!(err("[1 2]"), "expected `,` or `]`");
        assert_eq!(err(r#"{"a" 1}"#), "expected `:`");
        assert_eq!(err(r#"{a: 1}"#), "expected a key");
        assert_eq!(err(r#"{"a": 1,}"#), "expected a key");
        assert_eq!(err("01"), "trailing characters");
        assert_eq!(err("1."), "invalid number");
        assert_eq!(err("-"), "invalid number");
        assert_eq!(err("1e"), "invalid number");
        assert_eq!(err("NaN"), "expected a value");
        assert_eq!(err("tru"), "expected a value");
        assert_eq!(err(r#""abc"#), "unterminated string");
        assert_eq!(err("\"a\nb\""), "control character in string");
        assert_eq!(err(r#""\x""#), "invalid escape");
        assert_eq!(err(r#""\u12""#), "invalid escape");
        assert_eq!(err(r#""\ud800""#), "lone surrogate in escape");
        assert_eq!(err(r#""\udc00""#), "lone surrogate in escape");
        assert_eq!(
            err(r#"{"a": 1, "b": 2, "a": 3}"#),
            "duplicate key in object"
        );
        assert_eq!(err("[1] x"), "trailing characters");
        assert_eq!(parse(b"[\"\xff\"]").unwrap_err().what, "invalid UTF-8");
        assert_eq!(parse(b"[1, x]").unwrap_err().offset, 4);
    }

    #[test]
    fn nesting_is_bounded_before_the_stack_is() {
        let deep = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(deep.as_bytes()).is_ok());
        let deeper = "[".repeat(100_000);
        assert_eq!(err(&deeper), "nested too deeply");
    }
}
