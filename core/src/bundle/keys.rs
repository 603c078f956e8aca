//! Ed25519 keys for bundle signatures, read in the formats a team may already have:
//!
//! - PEM as `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write them: a
//!   PKCS#8 `PRIVATE KEY` (RFC 8410, version 1 or 2) and an SPKI `PUBLIC KEY`;
//! - base64 of the raw 32 bytes (the private key's seed, or the public key).
//!
//! Keys are written back as PEM, so `openssl` reads what `tandem keys new` writes. Reading
//! a public key is all the runtime (and wasm) needs; private keys are for signing, natively.

use base64ct::{Base64, Encoding};
use ed25519_dalek::{Signer as _, VerifyingKey};

use super::format::sha256_hex;

/// DER of an SPKI `PUBLIC KEY` for Ed25519, up to the 32 key bytes (RFC 8410 §4).
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// DER of a PKCS#8 `PRIVATE KEY` for Ed25519 after its outer length, up to the 32 seed
/// bytes: version (0; 1 when a public key follows), the algorithm, the seed's octet string.
const PKCS8_BODY: [u8; 14] = [
    0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A key file or key text that cannot be read as an Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an Ed25519 {kind} key: {reason}")]
pub struct KeyError {
    /// `public` or `private`.
    pub kind: &'static str,
    /// Why.
    pub reason: String,
}

fn key_error(kind: &'static str, reason: impl Into<String>) -> KeyError {
    KeyError {
        kind,
        reason: reason.into(),
    }
}

/// The bytes of a key text: a PEM block with `label`, or base64 of raw bytes.
fn key_bytes(text: &str, label: &str, kind: &'static str) -> Result<(Vec<u8>, bool), KeyError> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix("-----BEGIN ") else {
        let compact: String = text.split_whitespace().collect();
        let bytes = Base64::decode_vec(&compact)
            .map_err(|_| key_error(kind, "neither a PEM block nor base64 of the raw 32 bytes"))?;
        return Ok((bytes, false));
    };
    let (found, body) = rest
        .split_once("-----")
        .ok_or_else(|| key_error(kind, "a PEM block without its `-----BEGIN ...-----` line"))?;
    if found != label {
        return Err(key_error(
            kind,
            format!("a PEM `{found}`; expected `{label}` (unencrypted, as openssl writes it)"),
        ));
    }
    let end = format!("-----END {label}-----");
    let body = body
        .split_once(&end)
        .map(|(b, _)| b)
        .ok_or_else(|| key_error(kind, format!("the PEM block has no `{end}` line")))?;
    let compact: String = body.split_whitespace().collect();
    let der = Base64::decode_vec(&compact)
        .map_err(|_| key_error(kind, "the PEM block's body is not base64"))?;
    Ok((der, true))
}

fn array32(bytes: &[u8], kind: &'static str) -> Result<[u8; 32], KeyError> {
    bytes.try_into().map_err(|_| {
        key_error(
            kind,
            format!("{} bytes where an Ed25519 key has 32", bytes.len()),
        )
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A public key that bundles are verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Read a key: an SPKI `PUBLIC KEY` PEM block, or base64 of the raw 32 bytes.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        const KIND: &str = "public";
        let (bytes, is_pem) = key_bytes(text, "PUBLIC KEY", KIND)?;
        let raw = if is_pem || bytes.len() == SPKI_PREFIX.len() + 32 {
            bytes
                .strip_prefix(&SPKI_PREFIX[..])
                .ok_or_else(|| key_error(KIND, "the DER is not an Ed25519 SubjectPublicKeyInfo"))?
        } else {
            &bytes[..]
        };
        Self::from_bytes(&array32(raw, KIND)?)
    }

    /// The key from its 32 raw bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| key_error("public", "the 32 bytes are not a point on the curve"))
    }

    /// The 32 raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Lowercase hex SHA-256 of the 32 raw bytes: how a key is named in messages.
    pub fn fingerprint(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// Base64 of the 32 raw bytes.
    pub fn to_base64(&self) -> String {
        Base64::encode_string(self.0.as_bytes())
    }

    /// An SPKI `PUBLIC KEY` PEM block, as `openssl pkey -pubout` writes it.
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.0.as_bytes());
        pem("PUBLIC KEY", &der)
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

/// A private key that signs bundles (natively: key generation needs randomness, which the
/// caller brings as the 32-byte seed).
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(public {})", self.public_key().fingerprint())
    }
}

impl SigningKey {
    /// The key whose seed is these 32 (random) bytes.
    pub fn from_seed(seed: &[u8; 32]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// Read a key: a PKCS#8 `PRIVATE KEY` PEM block (unencrypted, as `openssl genpkey
    /// -algorithm ed25519` writes it), or base64 of the raw 32-byte seed.
    pub fn parse(text: &str) -> Result<SigningKey, KeyError> {
        const KIND: &str = "private";
        let (bytes, is_pem) = key_bytes(text, "PRIVATE KEY", KIND)?;
        if !is_pem {
            return Ok(Self::from_seed(&array32(&bytes, KIND)?));
        }
        let not_pkcs8 = || key_error(KIND, "the DER is not an Ed25519 PKCS#8 private key");
        // SEQUENCE, short-form length covering the rest; version 0, or 1 with a public key.
        let (&[0x30, len], body) = bytes.split_at_checked(2).ok_or_else(not_pkcs8)? else {
            return Err(not_pkcs8());
        };
        let mut expected = PKCS8_BODY;
        if body.get(2) == Some(&1) {
            expected[2] = 1;
        }
        let seed = body
            .strip_prefix(&expected[..])
            .filter(|_| usize::from(len) == body.len() && len < 0x80)
            .and_then(|rest| rest.get(..32))
            .ok_or_else(not_pkcs8)?;
        Ok(Self::from_seed(&array32(seed, KIND)?))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// A PKCS#8 `PRIVATE KEY` PEM block (version 1, as `openssl genpkey` writes it).
    pub fn to_pem(&self) -> String {
        let mut der = vec![0x30, (PKCS8_BODY.len() + 32) as u8];
        der.extend_from_slice(&PKCS8_BODY);
        der.extend_from_slice(self.0.as_bytes());
        pem("PRIVATE KEY", &der)
    }

    /// The Ed25519 signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Written by `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`.
    const OPENSSL_PRIVATE: &str = include_str!("../../../tests/fixtures/keys/openssl.key");
    const OPENSSL_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/openssl.pub");

    #[test]
    fn openssl_pem_keys_read_and_match() {
        let private = SigningKey::parse(OPENSSL_PRIVATE).unwrap();
        let public = PublicKey::parse(OPENSSL_PUBLIC).unwrap();
        assert_eq!(private.public_key(), public);
    }

    #[test]
    fn keys_written_as_pem_are_what_openssl_wrote() {
        let private = SigningKey::parse(OPENSSL_PRIVATE).unwrap();
        assert_eq!(private.to_pem().trim(), OPENSSL_PRIVATE.trim());
        assert_eq!(private.public_key().to_pem().trim(), OPENSSL_PUBLIC.trim());
    }

    #[test]
    fn raw_base64_keys_read_as_the_pem_ones() {
        let private = SigningKey::parse(OPENSSL_PRIVATE).unwrap();
        let seed = Base64::encode_string(private.0.as_bytes());
        let again = SigningKey::parse(&format!("  {seed}\n")).unwrap();
        assert_eq!(again.public_key(), private.public_key());
        let public = PublicKey::parse(&private.public_key().to_base64()).unwrap();
        assert_eq!(public, private.public_key());
    }

    #[test]
    fn a_version_two_pkcs8_key_with_its_public_key_reads() {
        let private = SigningKey::parse(OPENSSL_PRIVATE).unwrap();
        let mut der = vec![0x30, 0x51];
        der.extend_from_slice(&PKCS8_BODY);
        der[4] = 1;
        der.extend_from_slice(private.0.as_bytes());
        der.extend_from_slice(&[0x81, 0x21, 0x00]);
        der.extend_from_slice(&private.public_key().to_bytes());
        let read = SigningKey::parse(&pem("PRIVATE KEY", &der)).unwrap();
        assert_eq!(read.public_key(), private.public_key());
    }

    #[test]
    fn a_private_key_is_not_read_as_a_public_one_nor_the_reverse() {
        let e = PublicKey::parse(OPENSSL_PRIVATE).unwrap_err();
        assert!(e.reason.contains("PRIVATE KEY"), "{e}");
        let e = SigningKey::parse(OPENSSL_PUBLIC).unwrap_err();
        assert!(e.reason.contains("PUBLIC KEY"), "{e}");
    }

    #[test]
    fn malformed_key_texts_are_refused_with_a_reason() {
        for text in [
            "",
            "not base64!",
            "AAAA",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----",
        ] {
            let e = PublicKey::parse(text).unwrap_err();
            assert_eq!(e.kind, "public", "{text:?}");
        }
        let rsa =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIA==\n-----END PRIVATE KEY-----";
        assert!(SigningKey::parse(rsa).is_err());
    }

    #[test]
    fn the_fingerprint_is_the_sha256_of_the_raw_key() {
        let public = PublicKey::parse(OPENSSL_PUBLIC).unwrap();
        assert_eq!(public.fingerprint(), sha256_hex(&public.to_bytes()));
        assert_eq!(public.fingerprint().len(), 64);
    }
}
