//! Hashing trick for high-cardinality categories: no fitted vocabulary, a fixed number of
//! buckets.
//!
//! Matches scikit-learn's `FeatureHasher(n_features=buckets, input_type="string")`: the UTF-8
//! bytes of the value are hashed with MurmurHash3 (x86, 32-bit, seed 0) read as a signed
//! integer; the bucket is `|h| mod buckets` and, with `alternate_sign`, the value is -1 when
//! `h < 0`. A missing value writes all zeros.

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

/// Hashing node settings (stateless: this is the whole fitted state).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HashingParams {
    /// Number of output columns (at least 1).
    pub buckets: u32,
    /// Flip the sign of values whose hash is negative, so collisions tend to cancel.
    #[serde(default)]
    pub alternate_sign: bool,
}

/// MurmurHash3 x86 32-bit.
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mix = |k: u32| k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    let mut h = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        h ^= mix(u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    if !tail.is_empty() {
        let k = tail
            .iter()
            .enumerate()
            .fold(0u32, |k, (i, b)| k ^ (u32::from(*b) << (8 * i)));
        h ^= mix(k);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

impl HashingParams {
    /// Check state read from a file: 1 to [`super::limits::MAX_HASH_BUCKETS`] buckets.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::buckets(self.buckets)
    }

    /// Number of features written.
    pub fn width(&self) -> usize {
        self.buckets.max(1) as usize
    }

    /// Append the one (possibly negative) hot column of `value` (`None`: missing, all zeros).
    pub fn transform_into(&self, value: Option<&str>, out: &mut Vec<f32>) {
        let start = out.len();
        out.extend(std::iter::repeat_n(0.0, self.width()));
        if let Some(v) = value {
            let h = murmur3_32(v.as_bytes(), 0) as i32;
            let slot = (i64::from(h).unsigned_abs() % u64::from(self.buckets.max(1))) as usize;
            out[start + slot] = if self.alternate_sign && h < 0 {
                -1.0
            } else {
                1.0
            };
        }
    }
}

impl FromJson for HashingParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(HashingParams {
            buckets: o.req("buckets")?,
            alternate_sign: o.or_default("alternate_sign")?,
        })
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        // Published MurmurHash3_x86_32 test vectors.
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(murmur3_32(b"Hello, world!", 1234), 0xfaf6_cdb3);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2e4f_f723
        );
    }

    #[test]
    fn one_slot_per_value_and_zeros_for_missing() {
        let p = HashingParams {
            buckets: 8,
            alternate_sign: false,
        };
        let mut out = Vec::new();
        p.transform_into(Some("manufacturing"), &mut out);
        assert_eq!(out.iter().filter(|&&x| x == 1.0).count(), 1);
        out.clear();
        p.transform_into(None, &mut out);
        assert_eq!(out, vec![0.0; 8]);
    }
}
