//! Why an expression does not parse, and where in its text.

use std::ops::Range;

use thiserror::Error;

/// A place in an expression's source text.
///
/// `offset` and `len` are in bytes, so a caller that knows where the expression sits in a
/// larger file (a `tandem.toml` string) can point at the exact characters; `character` is the
/// 1-based character position used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes (0 for a position between characters, such as the end).
    pub len: usize,
    /// 1-based character position of the start.
    pub character: usize,
}

impl Span {
    /// The byte range in the expression's source.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "character {}", self.character)
    }
}

/// Why an expression's text is not a valid expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ExprError {
    /// The text is longer than [`super::MAX_EXPR_LEN`].
    #[error("expression is {len} bytes, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Nothing but whitespace.
    #[error("expression is empty")]
    Empty,
    /// The text stops where a number, a name or `(` should follow.
    #[error("expression ends where a value was expected")]
    UnexpectedEnd {
        /// The end of the text.
        at: Span,
    },
    /// A token or character that cannot stand where it is.
    #[error("unexpected {found} at {at}")]
    Unexpected {
        /// What was found (`` `%` ``, `` name `b` ``, `number 2`).
        found: String,
        /// Where.
        at: Span,
    },
    /// Digits and dots that do not make a finite number (`1..2`).
    #[error("`{text}` at {at} is not a number")]
    BadNumber {
        /// The text read.
        text: String,
        /// Where.
        at: Span,
    },
    /// A `` ` `` that opens a quoted name and is never closed.
    #[error("unclosed ` at {at}")]
    UnclosedQuote {
        /// The opening quote.
        at: Span,
    },
    /// A quoted name with nothing between the quotes.
    #[error("empty field name at {at}")]
    EmptyName {
        /// The quoted name.
        at: Span,
    },
    /// A `(` without its `)`.
    #[error("`(` at {at} is never closed")]
    UnclosedParen {
        /// The opening parenthesis.
        at: Span,
    },
    /// Parentheses nested deeper than [`super::MAX_EXPR_DEPTH`].
    #[error("expression nests deeper than {max} levels ({at})")]
    TooDeep {
        /// The limit.
        max: usize,
        /// The first parenthesis past the limit.
        at: Span,
    },
}

impl ExprError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExprError::TooLong { .. } => "EXPR_TOO_LONG",
            ExprError::Empty => "EXPR_EMPTY",
            ExprError::UnexpectedEnd { .. } => "EXPR_UNEXPECTED_END",
            ExprError::Unexpected { .. } => "EXPR_UNEXPECTED",
            ExprError::BadNumber { .. } => "EXPR_BAD_NUMBER",
            ExprError::UnclosedQuote { .. } => "EXPR_UNCLOSED_QUOTE",
            ExprError::EmptyName { .. } => "EXPR_EMPTY_NAME",
            ExprError::UnclosedParen { .. } => "EXPR_UNCLOSED_PAREN",
            ExprError::TooDeep { .. } => "EXPR_TOO_DEEP",
        }
    }

    /// The bytes of the source the problem concerns (the whole text when it is too long,
    /// an empty range at 0 when it is empty).
    pub fn span(&self) -> Range<usize> {
        match self {
            ExprError::TooLong { len, .. } => 0..*len,
            ExprError::Empty => 0..0,
            ExprError::UnexpectedEnd { at }
            | ExprError::Unexpected { at, .. }
            | ExprError::BadNumber { at, .. }
            | ExprError::UnclosedQuote { at }
            | ExprError::EmptyName { at }
            | ExprError::UnclosedParen { at }
            | ExprError::TooDeep { at, .. } => at.range(),
        }
    }
}
