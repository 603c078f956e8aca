//! Bundle signatures (issue 14): an optional `signature.json` part holding an Ed25519
//! signature of the manifest's other entries. A signed bundle is still one file, and readers
//! that predate signatures ignore the part (a reader looks parts up by name).
//!
//! The signed message is text, one item a line, each line ending in `\n`
//! (`docs/bundle-format.md` has it for other implementations):
//!
//! ```text
//! tandem-bundle-signature-v1
//! format_version 1
//! tandem_version <manifest's tandem_version>
//! created <manifest's created>
//! part <name> <media_type> <length> <sha256>     one line per part but signature.json,
//! ...                                            in file order
//! ```
//!
//! Each part's SHA-256 is checked against its bytes on every load (computed by the loader,
//! or by the caller's WebCrypto and handed in: `Model::load_digested`), so signing the
//! manifest signs the contents. No signed field may hold whitespace or a control character: the text
//! then reads back one way only. Verification happens before any part is parsed, so with a
//! pinned key no content from an unauthenticated file reaches a parser.

use base64ct::{Base64, Encoding};
use serde::Serialize;

use super::format::{self, Decoded, PartEntry};
use super::keys::{PublicKey, SigningKey};
use super::limits::Limits;
use super::parts;
use crate::error::BundleError;
use crate::json::{DecodeError, FromJson, Json, Obj};

/// The only signature algorithm.
pub const ALGORITHM: &str = "ed25519";
/// The first line of the signed message.
pub const DOMAIN: &str = "tandem-bundle-signature-v1";

/// The `signature.json` part.
#[derive(Debug, Serialize)]
struct SignaturePart {
    /// `ed25519`.
    algorithm: String,
    /// Base64 of the signer's 32-byte public key (which key signed; never trusted as such).
    public_key: String,
    /// Base64 of the 64-byte signature of the message.
    signature: String,
}

impl FromJson for SignaturePart {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(SignaturePart {
            algorithm: o.req("algorithm")?,
            public_key: o.req("public_key")?,
            signature: o.req("signature")?,
        })
    }
}

/// Who signed a bundle, as `tandem inspect` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signer {
    /// `ed25519`.
    pub algorithm: String,
    /// Base64 of the signer's 32-byte public key.
    pub public_key: String,
    /// Lowercase hex SHA-256 of that key.
    pub fingerprint: String,
    /// Whether the signature verifies against that key (the bundle is unchanged since it was
    /// signed). Only a pinned key says whether the signer is trusted.
    pub verifies: bool,
}

fn rejected(reason: impl Into<String>) -> BundleError {
    BundleError::Signature {
        reason: reason.into(),
    }
}

fn field(line: &mut String, value: &str) -> Result<(), BundleError> {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(rejected(format!(
            "the manifest field {value:?} is empty or holds whitespace: it cannot be signed"
        )));
    }
    line.push(' ');
    line.push_str(value);
    Ok(())
}

/// The signed message for a manifest's header fields and parts (signature part excluded).
pub fn message<'a>(
    manifest: &format::Manifest,
    entries: impl Iterator<Item = &'a PartEntry>,
) -> Result<Vec<u8>, BundleError> {
    let mut text = format!("{DOMAIN}\nformat_version {}\n", manifest.format_version);
    for (key, value) in [
        ("tandem_version", &manifest.tandem_version),
        ("created", &manifest.created),
    ] {
        text.push_str(key);
        field(&mut text, value)?;
        text.push('\n');
    }
    for e in entries.filter(|e| e.name != parts::SIGNATURE) {
        text.push_str("part");
        for value in [&e.name, &e.media_type, &e.length.to_string(), &e.sha256] {
            field(&mut text, value)?;
        }
        text.push('\n');
    }
    Ok(text.into_bytes())
}

/// Sign an encoded bundle: the same parts (any earlier signature dropped) and a
/// `signature.json` part last.
pub fn sign(bytes: &[u8], key: &SigningKey) -> Result<Vec<u8>, BundleError> {
    let decoded = format::decode(bytes, &Limits::default())?;
    let kept: Vec<(&PartEntry, &[u8])> = decoded
        .entries()
        .filter(|(e, _)| e.name != parts::SIGNATURE)
        .collect();
    let text = message(&decoded.manifest, kept.iter().map(|(e, _)| *e))?;
    let part = SignaturePart {
        algorithm: ALGORITHM.into(),
        public_key: key.public_key().to_base64(),
        signature: Base64::encode_string(&key.sign(&text)),
    };
    let json = serde_json::to_vec_pretty(&part).map_err(|e| rejected(e.to_string()))?;
    let mut out: Vec<(&str, &str, Vec<u8>)> = kept
        .iter()
        .map(|(e, b)| (e.name.as_str(), e.media_type.as_str(), b.to_vec()))
        .collect();
    out.push((parts::SIGNATURE, "application/json", json));
    let m = &decoded.manifest;
    format::encode(&m.tandem_version, &m.created, &out)
}

/// The signature part and the key it names, or `None` for an unsigned bundle.
fn read_part(decoded: &Decoded<'_>) -> Result<Option<(SignaturePart, PublicKey)>, BundleError> {
    let mut found = decoded
        .entries()
        .filter(|(e, _)| e.name == parts::SIGNATURE);
    let Some((_, bytes)) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(rejected("the bundle has more than one signature part"));
    }
    let part: SignaturePart = crate::json::decode::from_slice(bytes)
        .map_err(|e| rejected(format!("the signature part does not parse: {e}")))?;
    if part.algorithm != ALGORITHM {
        return Err(rejected(format!(
            "algorithm `{}` (this runtime verifies `{ALGORITHM}`)",
            part.algorithm
        )));
    }
    let raw = Base64::decode_vec(&part.public_key).ok();
    let signer = raw
        .as_deref()
        .and_then(|r| <&[u8; 32]>::try_from(r).ok())
        .and_then(|r| PublicKey::from_bytes(r).ok())
        .ok_or_else(|| rejected("the signature part's public key is not 32 base64 bytes"))?;
    Ok(Some((part, signer)))
}

/// Whether `part`'s signature of the decoded manifest verifies against `key`.
fn check(decoded: &Decoded<'_>, part: &SignaturePart, key: &PublicKey) -> Result<(), BundleError> {
    let text = message(&decoded.manifest, decoded.manifest.parts.iter())?;
    let raw =
        Base64::decode_vec(&part.signature).map_err(|_| rejected("the signature is not base64"))?;
    let signature = ed25519_dalek::Signature::from_slice(&raw)
        .map_err(|_| rejected(format!("the signature has {} bytes, not 64", raw.len())))?;
    key.verifying_key()
        .verify_strict(&text, &signature)
        .map_err(|_| {
            rejected("the signature does not verify: the bundle was changed after it was signed")
        })
}

/// Verify an encoded bundle against a pinned key: every checksum, then a signature by that
/// key of its manifest. `BUNDLE_UNSIGNED` without a signature part, `BUNDLE_SIGNATURE` for
/// one that is malformed, made by another key, or does not verify.
pub fn verify(bytes: &[u8], key: &PublicKey) -> Result<(), BundleError> {
    verify_within(bytes, key, &Limits::default())
}

/// [`verify`] under the given limits (the caller's raised ones, say): the manifest is
/// decoded under them before anything is hashed.
pub fn verify_within(bytes: &[u8], key: &PublicKey, limits: &Limits) -> Result<(), BundleError> {
    verify_decoded(&format::decode(bytes, limits)?, key)
}

/// [`verify`] of a file already decoded (its checksums verified).
pub(crate) fn verify_decoded(decoded: &Decoded<'_>, key: &PublicKey) -> Result<(), BundleError> {
    let (part, signer) = read_part(decoded)?.ok_or(BundleError::Unsigned)?;
    if signer != *key {
        return Err(rejected(format!(
            "it was signed by another key (fingerprint {}), not the pinned one ({})",
            signer.fingerprint(),
            key.fingerprint()
        )));
    }
    check(decoded, &part, key)
}

/// Who signed an encoded bundle, and whether the signature holds for that key; `None` for
/// an unsigned bundle. Trusts nothing: [`verify`] is the check against a pinned key.
pub fn signer(bytes: &[u8]) -> Result<Option<Signer>, BundleError> {
    signer_within(bytes, &Limits::default())
}

/// [`signer`] under the given limits.
pub fn signer_within(bytes: &[u8], limits: &Limits) -> Result<Option<Signer>, BundleError> {
    let decoded = format::decode(bytes, limits)?;
    let Some((part, key)) = read_part(&decoded)? else {
        return Ok(None);
    };
    Ok(Some(Signer {
        algorithm: part.algorithm.clone(),
        public_key: key.to_base64(),
        fingerprint: key.fingerprint(),
        verifies: check(&decoded, &part, &key).is_ok(),
    }))
}
