//! String stages of a declared column: clean-up, regex extraction and boolean parsing.
//!
//! Regular expressions use `regex-lite`: matching time is linear in the input (no
//! catastrophic backtracking, whatever pattern a bundle carries), patterns are size- and
//! nesting-limited, and `\w`, `\d`, `\s` are ASCII-only (Python's `re` is Unicode-aware there;
//! write explicit classes for non-ASCII text).

use crate::json::{DecodeError, FromJson, Json, Obj};
use std::borrow::Cow;

use serde::Serialize;

use super::BindError;

/// Longest accepted pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 1000;

/// Size limit of a compiled pattern, in bytes (`regex-lite`'s `size_limit`).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Deepest nesting of a pattern (`regex-lite`'s `nest_limit`).
pub const REGEX_NEST_LIMIT: u32 = 50;

/// One string operation, applied in order to a text value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TextOp {
    /// Remove leading and trailing whitespace.
    Trim,
    /// Unicode lowercase.
    Lowercase,
    /// Replace every run of whitespace by one space, and trim.
    CollapseWhitespace,
    /// Keep capture group `group` of the first match of `pattern` (the whole match for 0);
    /// no match makes the value missing.
    Extract {
        /// The regular expression.
        pattern: String,
        /// Capture group to keep.
        #[serde(default = "one")]
        group: usize,
    },
}

fn one() -> usize {
    1
}

/// A [`TextOp`] ready to run (patterns compiled once, at load).
#[derive(Debug, Clone)]
pub(crate) enum CompiledOp {
    Trim,
    Lowercase,
    CollapseWhitespace,
    Extract(regex_lite::Regex, usize),
}

impl TextOp {
    pub(crate) fn compile(&self) -> Result<CompiledOp, BindError> {
        Ok(match self {
            TextOp::Trim => CompiledOp::Trim,
            TextOp::Lowercase => CompiledOp::Lowercase,
            TextOp::CollapseWhitespace => CompiledOp::CollapseWhitespace,
            TextOp::Extract { pattern, group } => {
                if pattern.len() > MAX_PATTERN_LEN {
                    return Err(BindError::PatternTooLong {
                        len: pattern.len(),
                        max: MAX_PATTERN_LEN,
                    });
                }
                let re = regex_lite::RegexBuilder::new(pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(REGEX_NEST_LIMIT)
                    .build()
                    .map_err(|e| BindError::BadRegex {
                        pattern: pattern.clone(),
                        reason: e.to_string(),
                    })?;
                if *group >= re.captures_len() {
                    return Err(BindError::NoSuchGroup {
                        pattern: pattern.clone(),
                        group: *group,
                        groups: re.captures_len() - 1,
                    });
                }
                CompiledOp::Extract(re, *group)
            }
        })
    }
}

impl CompiledOp {
    /// Apply to `s`; `None` when an extraction does not match. A stage that leaves the value
    /// as it is, or keeps a part of it, returns it without copying.
    pub(crate) fn apply<'a>(&self, s: Cow<'a, str>) -> Option<Cow<'a, str>> {
        Some(match self {
            CompiledOp::Trim => {
                let start = s.len() - s.trim_start().len();
                let end = s.trim_end().len().max(start);
                keep(s, start..end)
            }
            CompiledOp::Lowercase => match s {
                Cow::Borrowed(b) => lowercase(b),
                Cow::Owned(o) if is_lowercase(&o) => Cow::Owned(o),
                Cow::Owned(o) => Cow::Owned(o.to_lowercase()),
            },
            CompiledOp::CollapseWhitespace if is_collapsed(&s) => s,
            CompiledOp::CollapseWhitespace => {
                Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
            }
            CompiledOp::Extract(re, group) => {
                let range = re.captures(&s)?.get(*group)?.range();
                keep(s, range)
            }
        })
    }
}

/// The bytes `range` of `s`: a borrowed slice of a borrowed string, the string itself when
/// the range is all of it.
fn keep(s: Cow<'_, str>, range: std::ops::Range<usize>) -> Cow<'_, str> {
    if range == (0..s.len()) {
        return s;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[range]),
        Cow::Owned(mut o) => {
            o.truncate(range.end);
            o.replace_range(..range.start, "");
            Cow::Owned(o)
        }
    }
}

/// Whether lowercasing `s` leaves it unchanged.
fn is_lowercase(s: &str) -> bool {
    if s.is_ascii() {
        return !s.bytes().any(|b| b.is_ascii_uppercase());
    }
    // `str::to_lowercase` maps char by char except for `Σ`, which is not lowercase itself.
    s.chars().all(|c| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    })
}

/// `s` lowercased, borrowed when it already is (most values, once a column is clean).
pub(crate) fn lowercase(s: &str) -> Cow<'_, str> {
    if is_lowercase(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Whether collapsing whitespace leaves `s` unchanged: single spaces between words only.
fn is_collapsed(s: &str) -> bool {
    let mut after_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if after_space || c != ' ' {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// Reads words as booleans: `true_values` give 1, `false_values` 0 (compared after trimming,
/// ignoring case unless `case_sensitive`); anything else is an `INVALID_VALUE` error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoolParse {
    /// Words read as true.
    pub true_values: Vec<String>,
    /// Words read as false.
    pub false_values: Vec<String>,
    /// Compare exactly instead of ignoring case.
    #[serde(default)]
    pub case_sensitive: bool,
}

impl Default for BoolParse {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        BoolParse {
            true_values: words(&["true", "yes", "y", "1", "t", "on"]),
            false_values: words(&["false", "no", "n", "0", "f", "off"]),
            case_sensitive: false,
        }
    }
}

impl BoolParse {
    /// 1.0 / 0.0, or `None` for a word in neither list.
    pub fn parse(&self, s: &str) -> Option<f64> {
        let s = s.trim();
        let eq = |w: &String| {
            if self.case_sensitive {
                w == s
            } else {
                w.eq_ignore_ascii_case(s) || w.to_lowercase() == s.to_lowercase()
            }
        };
        if self.true_values.iter().any(eq) {
            Some(1.0)
        } else if self.false_values.iter().any(eq) {
            Some(0.0)
        } else {
            None
        }
    }

    /// The lists, for error messages.
    pub fn describe(&self) -> String {
        format!(
            "is neither true ({}) nor false ({})",
            self.true_values.join("/"),
            self.false_values.join("/")
        )
    }
}

impl FromJson for TextOp {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(
            match o.tag(
                "op",
                &["trim", "lowercase", "collapse_whitespace", "extract"],
            )? {
                "trim" => TextOp::Trim,
                "lowercase" => TextOp::Lowercase,
                "collapse_whitespace" => TextOp::CollapseWhitespace,
                _ => TextOp::Extract {
                    pattern: o.req("pattern")?,
                    group: o.opt("group")?.unwrap_or_else(one),
                },
            },
        )
    }
}

impl FromJson for BoolParse {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(BoolParse {
            true_values: o.req("true_values")?,
            false_values: o.req("false_values")?,
            case_sensitive: o.or_default("case_sensitive")?,
        })
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn extract_a_title_from_a_name() {
        let op = TextOp::Extract {
            pattern: r",\s*([^.]+)\.".into(),
            group: 1,
        }
        .compile()
        .unwrap();
        assert_eq!(
            op.apply(Cow::Borrowed("Allen, Miss. Elisabeth Walton"))
                .as_deref(),
            Some("Miss")
        );
        assert_eq!(op.apply(Cow::Borrowed("no comma here")), None);
    }

    #[test]
    fn bad_patterns_are_errors_not_panics() {
        for (pattern, group) in [("(", 1), ("a", 1), ("(((((a)))))", 9), ("a{99999}", 0)] {
            assert!(
                TextOp::Extract {
                    pattern: pattern.into(),
                    group
                }
                .compile()
                .is_err(),
                "{pattern}"
            );
        }
    }

    fn compile_error(pattern: &str, group: usize) -> BindError {
        TextOp::Extract {
            pattern: pattern.into(),
            group,
        }
        .compile()
        .unwrap_err()
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_bad_regex_with_the_engine_reason() {
        let e = compile_error("([a-z", 1);
        assert_eq!(e.code(), "BIND_BAD_REGEX");
        assert!(
            e.to_string().starts_with("invalid pattern \"([a-z\": "),
            "{e}"
        );
        assert_eq!(compile_error("a{99999}", 0).code(), "BIND_BAD_REGEX");
    }

    #[test]
    fn a_pattern_over_the_length_limit_is_pattern_too_long() {
        let e = compile_error(&"a".repeat(MAX_PATTERN_LEN + 1), 0);
        assert_eq!(
            e,
            BindError::PatternTooLong {
                len: MAX_PATTERN_LEN + 1,
                max: MAX_PATTERN_LEN
            }
        );
        assert_eq!(e.code(), "BIND_PATTERN_TOO_LONG");
    }

    #[test]
    fn a_group_the_pattern_lacks_is_no_such_group() {
        let e = compile_error("(a)(b)", 3);
        assert_eq!(
            e,
            BindError::NoSuchGroup {
                pattern: "(a)(b)".into(),
                group: 3,
                groups: 2
            }
        );
        assert_eq!(e.code(), "BIND_NO_SUCH_GROUP");
    }

    #[test]
    fn clean_up_ops() {
        let c = |op: TextOp, s: &str| {
            op.compile()
                .unwrap()
                .apply(Cow::Borrowed(s))
                .unwrap()
                .into_owned()
        };
        assert_eq!(c(TextOp::Trim, "  a b "), "a b");
        assert_eq!(c(TextOp::Lowercase, "ÀB"), "àb");
        assert_eq!(c(TextOp::CollapseWhitespace, " a \t\n b "), "a b");
    }

    #[test]
    fn stages_that_keep_the_value_or_a_part_of_it_borrow_it() {
        let run = |op: TextOp, s: &'static str| op.compile().unwrap().apply(Cow::Borrowed(s));
        let borrowed = |c: Option<Cow<'_, str>>| matches!(c, Some(Cow::Borrowed(_)));
        assert!(borrowed(run(TextOp::Trim, "a b")));
        assert!(borrowed(run(TextOp::Trim, "  a b ")), "a trimmed slice");
        assert!(borrowed(run(TextOp::Lowercase, "already lower, ünï")));
        assert!(borrowed(run(TextOp::CollapseWhitespace, "one two")));
        let title = TextOp::Extract {
            pattern: r",\s*([^.]+)\.".into(),
            group: 1,
        };
        assert!(borrowed(run(title, "Allen, Miss. E")), "a matched slice");
        assert!(!borrowed(run(TextOp::Lowercase, "Upper")));
        assert!(!borrowed(run(TextOp::CollapseWhitespace, "a  b")));
    }

    #[test]
    fn stages_agree_with_the_allocating_definitions() {
        let inputs = [
            "", " ", "a", " a", "a ", "a  b", "a\tb", "a b", "ÀB", "àb", "ΣΑΣ", "ǅ", "\u{a0}x",
        ];
        for s in inputs {
            let run = |op: TextOp| op.compile().unwrap().apply(Cow::Borrowed(s)).unwrap();
            assert_eq!(run(TextOp::Trim), s.trim(), "{s:?}");
            assert_eq!(run(TextOp::Lowercase), s.to_lowercase(), "{s:?}");
            assert_eq!(
                run(TextOp::CollapseWhitespace),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{s:?}"
            );
            let owned = TextOp::Trim
                .compile()
                .unwrap()
                .apply(Cow::Owned(s.to_string()))
                .unwrap();
            assert_eq!(owned, s.trim(), "{s:?}");
        }
    }

    #[test]
    fn booleans_from_words() {
        let b = BoolParse::default();
        assert_eq!(b.parse(" Yes "), Some(1.0));
        assert_eq!(b.parse("OFF"), Some(0.0));
        assert_eq!(b.parse("maybe"), None);
        let strict = BoolParse {
            case_sensitive: true,
            ..BoolParse::default()
        };
        assert_eq!(strict.parse("Yes"), None);
    }
}
