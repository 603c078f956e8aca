//! A pass over a JSON part's bytes, before it is parsed: its size, the nesting depth of its
//! arrays and objects, and the length of its longest string, each against its limit. No
//! allocation, one pass (the crate's JSON lexer); what is not valid JSON is left to the parser
//! to report.

use super::limits::{Limit, Limits};
use crate::error::BundleError;
use crate::json::lex::{Lexeme, lex};

/// Check `bytes` (the JSON part `part`) against the JSON limits.
pub(crate) fn check(bytes: &[u8], limits: &Limits, part: &str) -> Result<(), BundleError> {
    limits.check(Limit::JsonBytes, bytes.len() as u64, part)?;
    let max_depth = limits.get(Limit::JsonDepth);
    let mut depth = 0u64;
    for (_, lexeme) in lex(bytes) {
        match lexeme {
            Lexeme::Open { .. } => {
                depth += 1;
                if depth > max_depth {
                    return limits.check(Limit::JsonDepth, depth, part);
                }
            }
            Lexeme::Close => depth = depth.saturating_sub(1),
            // Raw bytes, escapes included: never less than the decoded length.
            Lexeme::Str { len } => limits.check(Limit::StringBytes, len as u64, part)?,
            Lexeme::Comma | Lexeme::Other(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn limits(depth: u64, string: u64) -> Limits {
        let mut l = Limits::default();
        l.set(Limit::JsonDepth, depth);
        l.set(Limit::StringBytes, string);
        l
    }

    #[test]
    fn depth_counts_arrays_and_objects_outside_strings() {
        let l = limits(2, 100);
        assert!(check(br#"{"a": [1, "[[[[{{"]}"#, &l, "x").is_ok());
        let e = check(br#"{"a": [[1]]}"#, &l, "x").unwrap_err();
        assert!(matches!(
            e,
            BundleError::Limit {
                limit: "json_depth",
                found: 3,
                max: 2,
                ..
            }
        ));
    }

    #[test]
    fn a_string_longer_than_the_limit_is_refused_escapes_included() {
        let l = limits(8, 4);
        assert!(check(br#"["abcd", "a\"c"]"#, &l, "x").is_ok());
        let e = check(br#"["abcde"]"#, &l, "x").unwrap_err();
        assert!(matches!(
            e,
            BundleError::Limit {
                limit: "string_bytes",
                found: 5,
                ..
            }
        ));
        assert!(check(br#"["ab\"\"e"]"#, &l, "x").is_err());
    }
}
