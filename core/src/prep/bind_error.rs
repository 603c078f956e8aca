//! Why a preprocessing node cannot be bound to a schema: the node reads a field it may not,
//! its expression or pattern does not compile, its encoder does not fit its input, or its
//! fitted state breaks what `transform` relies on.
//!
//! Binding happens when a bundle is loaded (then the error is the bundle's:
//! [`crate::error::BundleError::InvalidNode`]), after fitting, and when the spec compiler
//! checks a declaration (which maps each variant to the line and key that caused it).

use std::ops::Range;

use thiserror::Error;

use super::expr::{ExprError, Span};

/// Why a node does not bind. Messages read after the node's name: "`title`: reads ...".
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BindError {
    /// The node reads the label, which the inference pipeline never sees.
    #[error("reads `{field}`, the label: the inference pipeline never sees it")]
    ReadsLabel {
        /// The label's name.
        field: String,
        /// Where an expression reads it (`None`: the node's input field).
        at: Option<Span>,
    },
    /// The node reads a field the schema lacks.
    #[error("reads `{field}`, which is not an input field of the schema")]
    UnknownField {
        /// The missing field.
        field: String,
        /// Where an expression reads it (`None`: the node's input field).
        at: Option<Span>,
    },
    /// An expression reads a text or category field.
    #[error("expression {expr:?} reads `{field}`, which is not numeric")]
    NotNumeric {
        /// The field.
        field: String,
        /// The expression's source.
        expr: String,
        /// Where the expression reads it.
        at: Span,
    },
    /// An expression does not parse.
    #[error("expression {expr:?}: {source}")]
    Expr {
        /// The expression's source.
        expr: String,
        /// What is wrong and where.
        source: ExprError,
    },
    /// String stages (trim, extract, boolean words, ...) on a numeric input.
    #[error("string stages (text, extract, boolean) need a text or category input")]
    StringStagesNeedText,
    /// A number encoder on a text value.
    #[error("a number encoder needs a numeric input (or `boolean` words)")]
    NumberEncoderNeedsNumber,
    /// A text-only encoder (tfidf, counts, datetime) on a number.
    #[error("{encoder} needs a text input")]
    EncoderNeedsText {
        /// The encoder: `tfidf`, `counts` or `datetime`.
        encoder: &'static str,
    },
    /// A hashing node with no buckets or too many.
    #[error("hashing has {buckets} buckets; it needs between 1 and {max}")]
    BadBuckets {
        /// The number asked for.
        buckets: u32,
        /// [`super::limits::MAX_HASH_BUCKETS`].
        max: u32,
    },
    /// A datetime node with no parts or too many.
    #[error("datetime has {n} parts; it needs between 1 and {max}")]
    BadDatetimeParts {
        /// The number of parts.
        n: usize,
        /// [`super::limits::MAX_DATETIME_PARTS`].
        max: usize,
    },
    /// A list that lookups binary-search is not sorted and unique.
    #[error("{what} must be sorted and unique")]
    Unsorted {
        /// Which list: `categories`, `infrequent categories`, `vocabulary`.
        what: &'static str,
    },
    /// TF-IDF weights that do not match the vocabulary.
    #[error("{terms} vocabulary terms but {idf} idf weights")]
    IdfMismatch {
        /// Vocabulary length.
        terms: usize,
        /// Number of weights.
        idf: usize,
    },
    /// A fitted number that must be finite is not.
    #[error("fitted {what} is {value}, not a finite number")]
    NotFinite {
        /// Which number: `fill`, `mean`, `offset`, `idf`, `unknown`, ...
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// A scaler that would divide by zero or by a non-finite number.
    #[error("fitted scale is {scale}; it must be finite and non-zero")]
    BadScale {
        /// The scale.
        scale: f64,
    },
    /// A clip range that is not finite or is inverted.
    #[error("clip range [{low}, {high}] needs finite bounds with low <= high")]
    BadClip {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// A number of bins to fit outside the limits.
    #[error("{n} bins asked for; between {min} and {max} can be fitted")]
    BadBinCount {
        /// The number asked for.
        n: usize,
        /// [`super::limits::MIN_FIT_BINS`].
        min: usize,
        /// [`super::limits::MAX_FIT_BINS`].
        max: usize,
    },
    /// Bin edges that are not finite and increasing, or too many.
    #[error("{n} bin edges; they must be between 1 and {max} finite numbers in increasing order")]
    BadBinEdges {
        /// Number of edges.
        n: usize,
        /// [`super::limits::MAX_BIN_EDGES`].
        max: usize,
    },
    /// A regular expression longer than the limit.
    #[error("pattern is {len} bytes, more than {max}")]
    PatternTooLong {
        /// Its length in bytes.
        len: usize,
        /// [`super::limits::MAX_PATTERN_LEN`].
        max: usize,
    },
    /// A regular expression that does not compile (or exceeds the size or nesting limit).
    #[error("invalid pattern {pattern:?}: {reason}")]
    BadRegex {
        /// The pattern.
        pattern: String,
        /// The regex engine's explanation.
        reason: String,
    },
    /// An extraction asks for a capture group the pattern does not have.
    #[error("pattern {pattern:?} has {groups} capture group(s), group {group} was asked for")]
    NoSuchGroup {
        /// The pattern.
        pattern: String,
        /// The group asked for.
        group: usize,
        /// How many capture groups the pattern has.
        groups: usize,
    },
}

impl BindError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            BindError::ReadsLabel { .. } => "BIND_READS_LABEL",
            BindError::UnknownField { .. } => "BIND_UNKNOWN_FIELD",
            BindError::NotNumeric { .. } => "BIND_NOT_NUMERIC",
            BindError::Expr { .. } => "BIND_EXPR",
            BindError::StringStagesNeedText => "BIND_STRING_STAGES_NEED_TEXT",
            BindError::NumberEncoderNeedsNumber => "BIND_NUMBER_NEEDS_NUMBER",
            BindError::EncoderNeedsText { .. } => "BIND_ENCODER_NEEDS_TEXT",
            BindError::BadBuckets { .. } => "BIND_BAD_BUCKETS",
            BindError::BadDatetimeParts { .. } => "BIND_BAD_DATETIME_PARTS",
            BindError::Unsorted { .. } => "BIND_UNSORTED",
            BindError::IdfMismatch { .. } => "BIND_IDF_MISMATCH",
            BindError::NotFinite { .. } => "BIND_NOT_FINITE",
            BindError::BadScale { .. } => "BIND_BAD_SCALE",
            BindError::BadClip { .. } => "BIND_BAD_CLIP",
            BindError::BadBinCount { .. } => "BIND_BAD_BIN_COUNT",
            BindError::BadBinEdges { .. } => "BIND_BAD_BIN_EDGES",
            BindError::PatternTooLong { .. } => "BIND_PATTERN_TOO_LONG",
            BindError::BadRegex { .. } => "BIND_BAD_REGEX",
            BindError::NoSuchGroup { .. } => "BIND_NO_SUCH_GROUP",
        }
    }

    /// The bytes of the node's expression the error concerns, when it concerns one.
    pub fn expr_span(&self) -> Option<Range<usize>> {
        match self {
            BindError::ReadsLabel { at, .. } | BindError::UnknownField { at, .. } => {
                at.map(|s| s.range())
            }
            BindError::NotNumeric { at, .. } => Some(at.range()),
            BindError::Expr { source, .. } => Some(source.span()),
            _ => None,
        }
    }
}
