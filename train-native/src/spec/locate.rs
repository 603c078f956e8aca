//! Core's binding errors placed in the spec: each [`BindError`] points at the key that
//! caused it, and an expression's error at the very characters inside the `expr` string.

use std::ops::Range;

use tandem_core::prep::BindError;
use tandem_core::prep::limits::{MAX_BIN_EDGES, MAX_FIT_BINS, MIN_FIT_BINS};

use super::compile::{Feature, Located, span};

const EXPORT_CHECK: &str = "the inference pipeline never sees it (export check)";

/// Where bytes `inner` of string `text` are in the spec, when `text` is written as the
/// one-line string value at `value` without escapes (else the whole value).
pub(super) fn inside_string(
    source: &str,
    value: Range<usize>,
    text: &str,
    inner: Range<usize>,
) -> Range<usize> {
    let raw = source.get(value.clone()).unwrap_or_default();
    let quoted = |q: char| {
        raw.len() == text.len() + 2
            && raw.starts_with(q)
            && raw.ends_with(q)
            && raw.get(1..raw.len() - 1) == Some(text)
    };
    if (quoted('"') || quoted('\'')) && inner.end <= text.len() {
        value.start + 1 + inner.start..value.start + 1 + inner.end
    } else {
        value
    }
}

impl Feature<'_> {
    /// The bytes of the `expr` value that `e` concerns.
    fn in_expr(&self, e: &BindError) -> Range<usize> {
        match (&self.f.expr, e.expr_span()) {
            (Some(expr), Some(inner)) => {
                inside_string(self.source, expr.span(), expr.get_ref(), inner)
            }
            (Some(expr), None) => expr.span(),
            (None, _) => self.whole.clone(),
        }
    }

    /// `e` at the key that caused it, in the spec's words.
    pub(super) fn locate(&self, e: &BindError) -> Located {
        let f = self.f;
        match e {
            BindError::ReadsLabel { field, at: None } => (
                self.at(&f.field),
                format!("reads `{field}`, the label: {EXPORT_CHECK}"),
            ),
            BindError::ReadsLabel { field, at: Some(_) } => (
                self.in_expr(e),
                format!("expr reads `{field}`, the label: {EXPORT_CHECK}"),
            ),
            BindError::UnknownField { field, at: None } => (
                self.at(&f.field),
                format!(
                    "field `{field}` is not in the schema (fields: {})",
                    self.known_fields()
                ),
            ),
            BindError::UnknownField { field, at: Some(_) } => (
                self.in_expr(e),
                format!("expr reads `{field}`, which is not in the schema"),
            ),
            BindError::NotNumeric { field, .. } => (
                self.in_expr(e),
                format!("expr reads `{field}`, which is not numeric"),
            ),
            BindError::Expr { source, .. } => (self.in_expr(e), format!("expr: {source}")),
            _ => self.locate_stage(e),
        }
    }

    /// Errors of string stages, encoders and their settings.
    fn locate_stage(&self, e: &BindError) -> Located {
        let f = self.f;
        match e {
            BindError::StringStagesNeedText => match self.string_keys().next() {
                Some((key, at)) => (at, format!("`{key}` needs a text or category field")),
                None => (self.whole.clone(), e.to_string()),
            },
            BindError::NumberEncoderNeedsNumber => (
                self.encode_at(),
                "a text or category field needs `boolean` words to be a number (or encode it as one_hot, ordinal, hashing, tfidf)".into(),
            ),
            BindError::EncoderNeedsText { encoder } => (
                self.encode_at(),
                format!("encode = \"{encoder}\" needs a text or category field"),
            ),
            BindError::BadBuckets { max, .. } => (
                self.at(&f.buckets),
                format!("`buckets` must be between 1 and {max}"),
            ),
            BindError::BadDatetimeParts { max, .. } => (
                self.at(&f.parts),
                format!("`parts` must list between 1 and {max} parts"),
            ),
            BindError::BadClip { .. } => (
                self.at(&f.clip),
                "`clip` is [low, high] with finite low <= high".into(),
            ),
            BindError::BadBinCount { .. } | BindError::BadBinEdges { .. } => (
                self.at(&f.bins),
                format!(
                    "`bins` is a count from {MIN_FIT_BINS} to {MAX_FIT_BINS} or up to {} increasing finite edges",
                    MAX_BIN_EDGES - 2
                ),
            ),
            BindError::PatternTooLong { .. } | BindError::BadRegex { .. } => {
                (self.at(&f.extract), e.to_string())
            }
            BindError::NoSuchGroup { .. } => (
                span(&f.group).unwrap_or_else(|| self.at(&f.extract)),
                e.to_string(),
            ),
            _ => (self.whole.clone(), e.to_string()),
        }
    }
}
