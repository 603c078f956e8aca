//! Size limits on fitted state and declarations, named once here.
//!
//! Binding a node checks its state against these, so a bundle cannot make the runtime
//! allocate or loop without bound; the spec compiler reports the same limits at the line that
//! breaks them. No other crate restates a number from this file.

pub use super::expr::{MAX_EXPR_DEPTH, MAX_EXPR_LEN};
pub use super::text::{MAX_PATTERN_LEN, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT};

/// Most buckets a hashing node may write.
pub const MAX_HASH_BUCKETS: u32 = 1 << 20;

/// Most calendar parts a datetime node may write.
pub const MAX_DATETIME_PARTS: usize = 64;

/// Most bin edges (outer ones included) a numeric node may carry.
pub const MAX_BIN_EDGES: usize = 10_000;

/// Fewest bins a numeric node may be asked to fit.
pub const MIN_FIT_BINS: usize = 2;

/// Most bins a numeric node may be asked to fit.
pub const MAX_FIT_BINS: usize = 1000;
