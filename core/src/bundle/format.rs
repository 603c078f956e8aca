//! Byte layout of a bundle file. All integers little-endian.
//!
//! ```text
//! offset 0   8 bytes   magic  89 54 4E 44 4D 0D 0A 1A  ("\x89TNDM\r\n\x1a", PNG-style)
//! offset 8   u32       format version (1)
//! offset 12  u32       manifest length M (at most 1 MiB)
//! offset 16  M bytes   manifest, UTF-8 JSON (see [`Manifest`])
//! 16+M       32 bytes  SHA-256 of bytes [0, 16+M): protects header and manifest
//! 48+M       ...       parts, back to back, at the offsets the manifest gives
//! ```
//! Every part carries its own SHA-256 in the manifest; all are verified on load, and the file
//! must end exactly where the last part ends.

use serde::Serialize;

use crate::json::{DecodeError, FromJson, Json, Obj};
use sha2::{Digest, Sha256};

use super::digests::Digests;
use super::limits::{Limit, Limits};
use crate::error::BundleError;

/// The 8 magic bytes every bundle starts with.
pub const MAGIC: [u8; 8] = *b"\x89TNDM\r\n\x1a";
/// The format version this runtime writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const MAX_MANIFEST: usize = 1 << 20;
const HEADER: usize = 16;

/// One part's entry in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartEntry {
    /// Part name (`schema.json`, `model.onnx`, ...).
    pub name: String,
    /// Media type of its content.
    pub media_type: String,
    /// Offset of its first byte, counted from the start of the parts area.
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// The manifest: what the file holds and how to check it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Same as the header's version.
    pub format_version: u32,
    /// Version of the Tandem that wrote the file.
    pub tandem_version: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// The parts, in file order.
    pub parts: Vec<PartEntry>,
}

pub(crate) struct Decoded<'a> {
    pub manifest: Manifest,
    parts: Vec<(String, &'a [u8])>,
}

impl Decoded<'_> {
    pub fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, b)| *b)
    }

    /// Every part with its manifest entry, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&PartEntry, &[u8])> {
        self.manifest
            .parts
            .iter()
            .zip(self.parts.iter().map(|(_, b)| *b))
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&super::digests::sha256(bytes))
}

/// Lowercase hex of `bytes` (a digest computed piece by piece).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub(crate) fn encode(
    tandem_version: &str,
    created: &str,
    parts: &[(&str, &str, Vec<u8>)],
) -> Result<Vec<u8>, BundleError> {
    let mut offset = 0u64;
    let mut entries = Vec::with_capacity(parts.len());
    for (name, media_type, bytes) in parts {
        entries.push(PartEntry {
            name: name.to_string(),
            media_type: media_type.to_string(),
            offset,
            length: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
        offset += bytes.len() as u64;
    }
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        tandem_version: tandem_version.into(),
        created: created.into(),
        parts: entries,
    };
    let manifest_bytes = serde_json::to_vec(&manifest).map_err(|e| BundleError::Invalid {
        part: "manifest".into(),
        reason: e.to_string(),
    })?;
    if manifest_bytes.len() > MAX_MANIFEST {
        return Err(BundleError::Invalid {
            part: "manifest".into(),
            reason: "larger than 1 MiB".into(),
        });
    }
    let mut out = Vec::with_capacity(HEADER + manifest_bytes.len() + 32 + offset as usize);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(manifest_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest_bytes);
    let header_sum = Sha256::digest(&out);
    out.extend_from_slice(header_sum.as_slice());
    for (_, _, bytes) in parts {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

fn need(bytes: &[u8], end: u64, what: &str) -> Result<(), BundleError> {
    if (bytes.len() as u64) < end {
        return Err(BundleError::Truncated {
            what: what.into(),
            needed: end,
            len: bytes.len() as u64,
        });
    }
    Ok(())
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

pub(crate) fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Decoded<'a>, BundleError> {
    decode_with(bytes, limits, &Digests::default())
}

/// [`decode`], taking the SHA-256 of a range from `digests` when it has that range.
pub(crate) fn decode_with<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    digests: &Digests,
) -> Result<Decoded<'a>, BundleError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::BadMagic);
    }
    limits.check(Limit::BundleBytes, bytes.len() as u64, "the bundle file")?;
    need(bytes, HEADER as u64, "header")?;
    let version = read_u32(bytes, 8);
    if version != FORMAT_VERSION {
        return Err(BundleError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let mlen = read_u32(bytes, 12) as usize;
    if mlen > MAX_MANIFEST {
        return Err(BundleError::Invalid {
            part: "manifest".into(),
            reason: format!("announced length {mlen} exceeds 1 MiB"),
        });
    }
    let sum_at = HEADER + mlen;
    let data_at = sum_at + 32;
    need(bytes, data_at as u64, "manifest checksum")?;
    if digests.of(bytes, 0, sum_at).as_slice() != &bytes[sum_at..data_at] {
        return Err(BundleError::Checksum {
            part: "manifest".into(),
        });
    }
    super::json_scan::check(&bytes[HEADER..sum_at], limits, "manifest")?;
    let manifest: Manifest =
        crate::json::decode::from_slice(&bytes[HEADER..sum_at]).map_err(|reason| {
            BundleError::Invalid {
                part: "manifest".into(),
                reason,
            }
        })?;
    limits.check(Limit::Parts, manifest.parts.len() as u64, "manifest")?;
    let data = &bytes[data_at..];
    let mut parts = Vec::with_capacity(manifest.parts.len());
    let mut expected_offset = 0u64;
    let mut names = std::collections::BTreeSet::new();
    for entry in &manifest.parts {
        // A second part of one name would be checksummed and ignored: a reader that took
        // the other one would see another model.
        if !names.insert(entry.name.as_str()) {
            return Err(BundleError::Invalid {
                part: "manifest".into(),
                reason: format!("part `{}` appears twice", entry.name),
            });
        }
        limits.check(
            Limit::PartBytes,
            entry.length,
            &format!("part `{}`", entry.name),
        )?;
        let end = entry.offset.checked_add(entry.length);
        let end = match end {
            Some(end) if entry.offset == expected_offset => end,
            _ => {
                return Err(BundleError::Invalid {
                    part: "manifest".into(),
                    reason: format!("part `{}` has an inconsistent offset", entry.name),
                });
            }
        };
        need(data, end, &format!("part `{}`", entry.name)).map_err(|e| match e {
            BundleError::Truncated { what, needed, len } => BundleError::Truncated {
                what,
                needed: needed.saturating_add(data_at as u64),
                len: len.saturating_add(data_at as u64),
            },
            other => other,
        })?;
        // `end <= data.len()` was just checked, so these casts cannot truncate.
        let slice = &data[entry.offset as usize..end as usize];
        if hex(&digests.of(bytes, data_at + entry.offset as usize, slice.len())) != entry.sha256 {
            return Err(BundleError::Checksum {
                part: entry.name.clone(),
            });
        }
        parts.push((entry.name.clone(), slice));
        expected_offset = end;
    }
    if expected_offset != data.len() as u64 {
        return Err(BundleError::Invalid {
            part: "file".into(),
            reason: format!(
                "{} trailing bytes after the last part",
                data.len() as u64 - expected_offset
            ),
        });
    }
    Ok(Decoded { parts, manifest })
}

impl FromJson for PartEntry {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(PartEntry {
            name: o.req("name")?,
            media_type: o.req("media_type")?,
            offset: o.req("offset")?,
            length: o.req("length")?,
            sha256: o.req("sha256")?,
        })
    }
}

impl FromJson for Manifest {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Manifest {
            format_version: o.req("format_version")?,
            tandem_version: o.req("tandem_version")?,
            created: o.req("created")?,
            parts: o.req("parts")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_part_name_listed_twice_is_refused_even_with_valid_checksums() {
        let part = |body: &str| ("schema.json", "application/json", body.as_bytes().to_vec());
        let one = encode("0", "now", &[part("{}")]).unwrap();
        assert_eq!(
            decode(&one, &Limits::default())
                .unwrap()
                .manifest
                .parts
                .len(),
            1
        );
        let two = encode("0", "now", &[part("{}"), part("[]")]).unwrap();
        let e = decode(&two, &Limits::default()).err().unwrap();
        assert_eq!(e.code(), "BUNDLE_INVALID");
        assert!(e.to_string().contains("`schema.json` appears twice"), "{e}");
    }
}
