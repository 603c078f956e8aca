//! The rules binding enforces, written once and shared by every node kind (v1 nodes, declared
//! columns, unfitted declarations) and, through `ColumnConfig::check`, by the spec
//! compiler.

use super::BindError;
use super::expr::Span;
use super::limits::{MAX_BIN_EDGES, MAX_DATETIME_PARTS, MAX_HASH_BUCKETS};
use crate::schema::Schema;

/// The index of input field `name`; reading the label or an unknown field is an error.
/// `at` is where an expression reads it.
pub(crate) fn field_index(
    schema: &Schema,
    name: &str,
    at: Option<Span>,
) -> Result<usize, BindError> {
    schema
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| {
            let field = name.to_string();
            if name == schema.label.name {
                BindError::ReadsLabel { field, at }
            } else {
                BindError::UnknownField { field, at }
            }
        })
}

/// `list` (named `what`) is strictly increasing, as binary search needs.
pub(crate) fn sorted_unique(what: &'static str, list: &[String]) -> Result<(), BindError> {
    if list.windows(2).all(|w| w[0] < w[1]) {
        Ok(())
    } else {
        Err(BindError::Unsorted { what })
    }
}

/// `value` (named `what`) is finite.
pub(crate) fn finite(what: &'static str, value: f64) -> Result<(), BindError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(BindError::NotFinite { what, value })
    }
}

/// A divisor: finite and non-zero.
pub(crate) fn scale(scale: f64) -> Result<(), BindError> {
    if scale.is_finite() && scale != 0.0 {
        Ok(())
    } else {
        Err(BindError::BadScale { scale })
    }
}

/// A clip range: finite bounds, `low <= high`.
pub(crate) fn clip([low, high]: [f64; 2]) -> Result<(), BindError> {
    if low.is_finite() && high.is_finite() && low <= high {
        Ok(())
    } else {
        Err(BindError::BadClip { low, high })
    }
}

/// Bin edges: 1 to [`MAX_BIN_EDGES`] finite numbers, increasing (strictly when `strict`).
pub(crate) fn bin_edges(edges: &[f64], strict: bool) -> Result<(), BindError> {
    let ordered = edges
        .windows(2)
        .all(|w| if strict { w[0] < w[1] } else { w[0] <= w[1] });
    if !edges.is_empty()
        && edges.len() <= MAX_BIN_EDGES
        && edges.iter().all(|e| e.is_finite())
        && ordered
    {
        Ok(())
    } else {
        Err(BindError::BadBinEdges {
            n: edges.len(),
            max: MAX_BIN_EDGES,
        })
    }
}

/// A hashing node's bucket count.
pub(crate) fn buckets(buckets: u32) -> Result<(), BindError> {
    if (1..=MAX_HASH_BUCKETS).contains(&buckets) {
        Ok(())
    } else {
        Err(BindError::BadBuckets {
            buckets,
            max: MAX_HASH_BUCKETS,
        })
    }
}

/// A datetime node's number of parts.
pub(crate) fn datetime_parts(n: usize) -> Result<(), BindError> {
    if (1..=MAX_DATETIME_PARTS).contains(&n) {
        Ok(())
    } else {
        Err(BindError::BadDatetimeParts {
            n,
            max: MAX_DATETIME_PARTS,
        })
    }
}

/// A text-only `encoder` reads a string (`string`: what the source yields).
pub(crate) fn needs_text(encoder: &'static str, string: bool) -> Result<(), BindError> {
    if string {
        Ok(())
    } else {
        Err(BindError::EncoderNeedsText { encoder })
    }
}

/// A number encoder reads a number.
pub(crate) fn needs_number(string: bool) -> Result<(), BindError> {
    if string {
        Err(BindError::NumberEncoderNeedsNumber)
    } else {
        Ok(())
    }
}

/// A fitted vocabulary, with its idf weights for TF-IDF.
pub(crate) fn vocabulary(terms: &[String], idf: Option<&[f64]>) -> Result<(), BindError> {
    sorted_unique("vocabulary", terms)?;
    if let Some(idf) = idf {
        if idf.len() != terms.len() {
            return Err(BindError::IdfMismatch {
                terms: terms.len(),
                idf: idf.len(),
            });
        }
        for &w in idf {
            finite("idf", w)?;
        }
    }
    Ok(())
}
