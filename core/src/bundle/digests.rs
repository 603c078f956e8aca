//! SHA-256 digests of ranges of a bundle file that the caller computed before loading it.
//!
//! Loading verifies the manifest's checksum and every part's. In wasm that hashing runs as V8's
//! baseline code on a cold load (a quarter of the first `Model.load` of a 250 KB bundle), while
//! the platform's own SHA-256 (WebCrypto's `crypto.subtle.digest`) is native code. So the npm
//! layer hashes the ranges the manifest announces with WebCrypto, where the platform has it,
//! and passes the digests in; the loader still compares every checksum itself, and hashes any
//! range it was not given a digest for. A digest is looked up by the exact range (start and
//! length in the file), so digests of ranges the loader does not check are never used.
//!
//! A digest is the caller's word: pass only digests computed from the very bytes being loaded.
//! Checksums catch corruption, not an attacker (a signature does that, and it covers the
//! manifest, whose part checksums are compared against these digests).

use sha2::{Digest, Sha256};

/// Digests of ranges of a bundle file, by exact range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digests {
    known: Vec<(usize, usize, [u8; 32])>,
}

/// Bytes of one record of [`Digests::from_packed`]: start, length, digest.
const PACKED_RECORD: usize = 40;

impl Digests {
    /// Record the SHA-256 of `len` bytes of the file from `start`.
    pub fn insert(&mut self, start: usize, len: usize, sha256: [u8; 32]) {
        self.known.push((start, len, sha256));
    }

    /// Digests packed as 40-byte records: start (u32, little endian), length
    /// (u32, little endian), the 32-byte digest. A trailing incomplete record is ignored.
    pub fn from_packed(bytes: &[u8]) -> Digests {
        let u32_at = |r: &[u8], at: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&r[at..at + 4]);
            u32::from_le_bytes(b) as usize
        };
        let mut digests = Digests::default();
        for r in bytes.chunks_exact(PACKED_RECORD) {
            let mut sha = [0u8; 32];
            sha.copy_from_slice(&r[8..]);
            digests.insert(u32_at(r, 0), u32_at(r, 4), sha);
        }
        digests
    }

    /// The SHA-256 of `file[start..start + len]` (in range: the caller checked), from the
    /// digests given or computed here.
    pub(crate) fn of(&self, file: &[u8], start: usize, len: usize) -> [u8; 32] {
        if let Some((_, _, sha)) = self.known.iter().find(|(s, l, _)| *s == start && *l == len) {
            return *sha;
        }
        sha256(&file[start..start + len])
    }
}

/// SHA-256 of `bytes`, fed to the hasher 4 KiB at a time. Same digest; the point is wasm:
/// V8 runs a function as baseline (Liftoff) code first and swaps in optimised code only on a
/// later call, and `sha2` hashes all it is given in one call of its block function, so a part
/// hashed in one piece ran entirely as baseline code. Fed in pieces, the block function is
/// optimised after the first few.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for piece in bytes.chunks(4096) {
        hasher.update(piece);
    }
    hasher.finalize().into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_used_for_its_exact_range_only() {
        let file: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let real = sha256(&file[100..5000]);
        assert_eq!(real.as_slice(), Sha256::digest(&file[100..5000]).as_slice());
        let mut d = Digests::default();
        d.insert(100, 4900, [7; 32]);
        assert_eq!(d.of(&file, 100, 4900), [7; 32]);
        assert_eq!(d.of(&file, 100, 4899), sha256(&file[100..4999]));
        assert_eq!(d.of(&file, 101, 4900), sha256(&file[101..5001]));
    }

    #[test]
    fn packed_records_read_as_start_length_digest() {
        let mut packed = Vec::new();
        packed.extend_from_slice(&16u32.to_le_bytes());
        packed.extend_from_slice(&300u32.to_le_bytes());
        packed.extend_from_slice(&[9; 32]);
        packed.extend_from_slice(&[1, 2, 3]); // incomplete: ignored
        let d = Digests::from_packed(&packed);
        let mut want = Digests::default();
        want.insert(16, 300, [9; 32]);
        assert_eq!(d, want);
    }
}
