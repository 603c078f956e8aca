//! String stages of a declared column: clean-up, regex extraction and boolean parsing.
//!
//! Regular expressions use `regex-lite`: matching time is linear in the input (no
//! catastrophic backtracking, whatever pattern a bundle carries), patterns are size- and
//! nesting-limited, and `\w`, `\d`, `\s` are ASCII-only (Python's `re` is Unicode-aware there;
//! write explicit classes for non-ASCII text).

use serde::{Deserialize, Serialize};

/// Longest accepted pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 1000;

/// One string operation, applied in order to a text value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub(crate) fn compile(&self) -> Result<CompiledOp, String> {
        Ok(match self {
            TextOp::Trim => CompiledOp::Trim,
            TextOp::Lowercase => CompiledOp::Lowercase,
            TextOp::CollapseWhitespace => CompiledOp::CollapseWhitespace,
            TextOp::Extract { pattern, group } => {
                if pattern.len() > MAX_PATTERN_LEN {
                    return Err(format!("pattern longer than {MAX_PATTERN_LEN} bytes"));
                }
                let re = regex_lite::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .nest_limit(50)
                    .build()
                    .map_err(|e| format!("invalid pattern {pattern:?}: {e}"))?;
                if *group >= re.captures_len() {
                    return Err(format!(
                        "pattern {pattern:?} has {} capture group(s), group {group} was asked for",
                        re.captures_len() - 1
                    ));
                }
                CompiledOp::Extract(re, *group)
            }
        })
    }
}

impl CompiledOp {
    /// Apply to `s`; `None` when an extraction does not match.
    pub(crate) fn apply(&self, s: String) -> Option<String> {
        Some(match self {
            CompiledOp::Trim => s.trim().to_string(),
            CompiledOp::Lowercase => s.to_lowercase(),
            CompiledOp::CollapseWhitespace => s.split_whitespace().collect::<Vec<_>>().join(" "),
            CompiledOp::Extract(re, group) => re.captures(&s)?.get(*group)?.as_str().to_string(),
        })
    }
}

/// Reads words as booleans: `true_values` give 1, `false_values` 0 (compared after trimming,
/// ignoring case unless `case_sensitive`); anything else is an `INVALID_VALUE` error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
            op.apply("Allen, Miss. Elisabeth Walton".into()).as_deref(),
            Some("Miss")
        );
        assert_eq!(op.apply("no comma here".into()), None);
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

    #[test]
    fn clean_up_ops() {
        let c = |op: TextOp, s: &str| op.compile().unwrap().apply(s.into()).unwrap();
        assert_eq!(c(TextOp::Trim, "  a b "), "a b");
        assert_eq!(c(TextOp::Lowercase, "ÀB"), "àb");
        assert_eq!(c(TextOp::CollapseWhitespace, " a \t\n b "), "a b");
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
