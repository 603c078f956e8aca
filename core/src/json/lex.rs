//! The structure of JSON bytes, outside their strings, without parsing them: one pass, no
//! allocation. Three places look at JSON before (or instead of) serde, and all three read it
//! through this one lexer so they agree on where strings start and end: a bundle's JSON limits
//! (depth, longest string), the rows and values a request body holds (counted before it is
//! parsed) and the rewrite of the bare `NaN` / `Infinity` tokens of Python's `json.dumps`.
//!
//! Bytes that are not valid JSON are lexed as well as they can be (an unterminated string runs
//! to the end); reporting them is the parser's job.

/// One lexeme outside strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lexeme {
    /// `[` (`array`) or `{`.
    Open {
        /// Whether it opens an array.
        array: bool,
    },
    /// `]` or `}`.
    Close,
    /// `,`.
    Comma,
    /// A string: `len` raw bytes between its quotes (escapes as written, never fewer than the
    /// decoded length), or up to the end of the input when it is not closed.
    Str {
        /// The raw length.
        len: usize,
    },
    /// Any other byte but whitespace: `:`, a digit, a letter of a bare word.
    Other(u8),
}

/// The lexemes of `bytes`, each with the offset of its first byte.
pub(crate) fn lex(bytes: &[u8]) -> Lexer<'_> {
    Lexer { bytes, at: 0 }
}

/// The iterator [`lex`] returns.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Lexer<'_> {
    /// The offset just past the string whose first content byte is at `start`: past its
    /// closing quote, or the end of the input.
    fn string_end(&self, start: usize) -> (usize, usize) {
        let mut i = start;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'\\' => i += 2,
                b'"' => return (i - start, i + 1),
                _ => i += 1,
            }
        }
        (self.bytes.len() - start, self.bytes.len())
    }
}

impl Iterator for Lexer<'_> {
    type Item = (usize, Lexeme);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let at = self.at;
            let b = *self.bytes.get(at)?;
            self.at += 1;
            let lexeme = match b {
                b'"' => {
                    let (len, next) = self.string_end(at + 1);
                    self.at = next;
                    Lexeme::Str { len }
                }
                b'[' | b'{' => Lexeme::Open { array: b == b'[' },
                b']' | b'}' => Lexeme::Close,
                b',' => Lexeme::Comma,
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => continue,
                other => Lexeme::Other(other),
            };
            return Some((at, lexeme));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexemes(text: &str) -> Vec<(usize, Lexeme)> {
        lex(text.as_bytes()).collect()
    }

    #[test]
    fn structure_outside_strings_is_lexed_and_whitespace_skipped() {
        use Lexeme::*;
        assert_eq!(
            lexemes(r#" {"a": [1, {}]} "#),
            vec![
                (1, Open { array: false }),
                (2, Str { len: 1 }),
                (5, Other(b':')),
                (7, Open { array: true }),
                (8, Other(b'1')),
                (9, Comma),
                (11, Open { array: false }),
                (12, Close),
                (13, Close),
                (14, Close),
            ]
        );
    }

    #[test]
    fn brackets_quotes_and_backslashes_inside_strings_are_string_bytes() {
        use Lexeme::*;
        assert_eq!(
            lexemes(r#"["[\"{,", "\\", "x"]"#),
            vec![
                (0, Open { array: true }),
                (1, Str { len: 5 }),
                (8, Comma),
                (10, Str { len: 2 }),
                (14, Comma),
                (16, Str { len: 1 }),
                (19, Close),
            ]
        );
    }

    #[test]
    fn an_unterminated_string_runs_to_the_end_of_the_input() {
        assert_eq!(
            lexemes(r#"["abc"#),
            vec![
                (0, Lexeme::Open { array: true }),
                (1, Lexeme::Str { len: 3 })
            ]
        );
        // A trailing backslash cannot step past the end.
        assert_eq!(lexemes("\"ab\\"), vec![(0, Lexeme::Str { len: 3 })]);
    }
}
