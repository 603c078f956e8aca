//! Signed bundles (issue 14): a bundle signed with a private key loads against its public
//! key; an unsigned one, one signed by another key, or one changed after signing (checksums
//! recomputed, as an attacker would) is refused with its code; without a key, signed and
//! old unsigned bundles load as before.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::Value;
use tandem_core::bundle::signature::{self, Signer};
use tandem_core::bundle::{PublicKey, SigningKey, parts, sha256_hex};
use tandem_core::runtime::LoadOptions;
use tandem_core::{Bundle, Model};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(path),
    )
    .expect("fixture")
}

fn text(path: &str) -> String {
    String::from_utf8(fixture(path)).unwrap()
}

/// The golden bundle, written before signatures existed.
fn unsigned() -> Vec<u8> {
    fixture("v1/titanic.tandem")
}

fn private(name: &str) -> SigningKey {
    SigningKey::parse(&text(&format!("keys/{name}.key"))).unwrap()
}

fn public(name: &str) -> PublicKey {
    PublicKey::parse(&text(&format!("keys/{name}.pub"))).unwrap()
}

fn pinned(name: &str) -> LoadOptions {
    let mut options = LoadOptions::default();
    options.public_key = Some(public(name));
    options
}

fn load_code(bytes: &[u8], options: &LoadOptions) -> &'static str {
    Model::load_options(bytes, options)
        .map(|_| "OK")
        .unwrap_or_else(|e| e.code())
}

/// A bundle file's manifest (JSON) and its parts' bytes, from the documented layout
/// (docs/bundle-format.md).
fn split(bytes: &[u8]) -> (Value, Vec<Vec<u8>>) {
    let mlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let manifest: Value = serde_json::from_slice(&bytes[16..16 + mlen]).unwrap();
    let data = &bytes[16 + mlen + 32..];
    let contents = manifest["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (at, len) = (e["offset"].as_u64().unwrap(), e["length"].as_u64().unwrap());
            data[at as usize..(at + len) as usize].to_vec()
        })
        .collect();
    (manifest, contents)
}

/// The bundle file for a manifest and parts, every offset, length and checksum recomputed:
/// what someone who means harm can do without the private key.
fn rebuild(mut manifest: Value, contents: &[Vec<u8>]) -> Vec<u8> {
    let mut offset = 0;
    for (entry, content) in manifest["parts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(contents)
    {
        entry["offset"] = offset.into();
        entry["length"] = content.len().into();
        entry["sha256"] = sha256_hex(content).into();
        offset += content.len();
    }
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let mut out = tandem_core::bundle::MAGIC.to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(manifest.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest);
    let sum = sha256_hex(&out);
    out.extend((0..32).map(|i| u8::from_str_radix(&sum[2 * i..2 * i + 2], 16).unwrap()));
    out.extend(contents.concat());
    out
}

/// `bytes` with `edit` applied to one part's bytes, checksums recomputed.
fn tamper(bytes: &[u8], part: &str, edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let (manifest, mut contents) = split(bytes);
    for (entry, content) in manifest["parts"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&mut contents)
    {
        if entry["name"] == part {
            edit(content);
        }
    }
    rebuild(manifest, &contents)
}

fn flip_middle(b: &mut [u8]) {
    let middle = b.len() / 2;
    b[middle] ^= 1;
}

#[test]
fn a_signed_bundle_loads_against_its_public_key_and_predicts_as_unsigned() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    assert_eq!(load_code(&signed, &pinned("openssl")), "OK");
    let a = Model::load_options(&signed, &pinned("openssl")).unwrap();
    let b = Model::load(&unsigned()).unwrap();
    assert_eq!(a.metadata(), b.metadata());
    assert_eq!(a.schema(), b.schema());
}

#[test]
fn a_signed_bundle_is_one_file_whose_other_parts_are_unchanged() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    let before = Bundle::manifest(&unsigned()).unwrap();
    let after = Bundle::manifest(&signed).unwrap();
    let names: Vec<_> = after.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.last(), Some(&parts::SIGNATURE));
    for (old, new) in before.parts.iter().zip(&after.parts) {
        assert_eq!((&old.name, &old.sha256), (&new.name, &new.sha256));
    }
    assert_eq!(
        Bundle::from_bytes(&signed).unwrap(),
        Bundle::from_bytes(&unsigned()).unwrap()
    );
}

#[test]
fn without_a_key_signed_and_old_unsigned_bundles_load() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    assert_eq!(load_code(&signed, &LoadOptions::default()), "OK");
    assert_eq!(load_code(&unsigned(), &LoadOptions::default()), "OK");
}

#[test]
fn an_unsigned_bundle_with_a_pinned_key_is_bundle_unsigned() {
    assert_eq!(
        load_code(&unsigned(), &pinned("openssl")),
        "BUNDLE_UNSIGNED"
    );
}

#[test]
fn a_bundle_signed_by_another_key_is_bundle_signature_naming_both_keys() {
    let signed = signature::sign(&unsigned(), &private("other")).unwrap();
    let e = Model::load_options(&signed, &pinned("openssl")).unwrap_err();
    assert_eq!(e.code(), "BUNDLE_SIGNATURE");
    let message = e.to_string();
    assert!(
        message.contains(&public("other").fingerprint()),
        "{message}"
    );
    assert!(
        message.contains(&public("openssl").fingerprint()),
        "{message}"
    );
}

#[test]
fn one_byte_changed_in_a_signed_part_with_checksums_recomputed_is_bundle_signature() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    for part in [parts::METADATA, parts::PREPROCESSING, parts::NNEF] {
        let changed = tamper(&signed, part, |b| flip_middle(b));
        assert_eq!(
            Bundle::manifest(&changed).map(|_| ()),
            Ok(()),
            "{part}: checksums hold"
        );
        assert_eq!(
            load_code(&changed, &pinned("openssl")),
            "BUNDLE_SIGNATURE",
            "{part}"
        );
    }
}

#[test]
fn a_part_lengthened_or_added_in_a_signed_bundle_is_bundle_signature() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    let grown = tamper(&signed, parts::ONNX, |b| b.push(0));
    assert_eq!(load_code(&grown, &pinned("openssl")), "BUNDLE_SIGNATURE");
    let (mut manifest, mut contents) = split(&signed);
    let extra = serde_json::json!({"name": "extra.json", "media_type": "application/json"});
    manifest["parts"].as_array_mut().unwrap().insert(0, extra);
    contents.insert(0, b"{}".to_vec());
    let added = rebuild(manifest, &contents);
    assert_eq!(
        load_code(&added, &LoadOptions::default()),
        "OK",
        "readers ignore unknown parts"
    );
    assert_eq!(load_code(&added, &pinned("openssl")), "BUNDLE_SIGNATURE");
}

#[test]
fn a_forged_signature_part_is_bundle_signature() {
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    let edits: [fn(&mut Vec<u8>); 3] = [
        |b| *b = b"{".to_vec(),
        |b| {
            *b = String::from_utf8_lossy(b)
                .replace("ed25519", "rsa")
                .into_bytes()
        },
        |b| {
            let mut v: Value = serde_json::from_slice(b).unwrap();
            v["signature"] = "AAAA".into();
            *b = serde_json::to_vec(&v).unwrap();
        },
    ];
    for edit in edits {
        let forged = tamper(&signed, parts::SIGNATURE, edit);
        assert_eq!(load_code(&forged, &pinned("openssl")), "BUNDLE_SIGNATURE");
    }
}

#[test]
fn signing_again_replaces_the_signature() {
    let once = signature::sign(&unsigned(), &private("other")).unwrap();
    let twice = signature::sign(&once, &private("openssl")).unwrap();
    let names: Vec<_> = Bundle::manifest(&twice)
        .unwrap()
        .parts
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names.iter().filter(|n| *n == parts::SIGNATURE).count(), 1);
    assert_eq!(load_code(&twice, &pinned("openssl")), "OK");
}

#[test]
fn the_signer_names_the_key_and_whether_the_signature_holds() {
    assert_eq!(signature::signer(&unsigned()), Ok(None));
    let signed = signature::sign(&unsigned(), &private("openssl")).unwrap();
    let key = public("openssl");
    let expected = Signer {
        algorithm: "ed25519".into(),
        public_key: key.to_base64(),
        fingerprint: key.fingerprint(),
        verifies: true,
    };
    assert_eq!(signature::signer(&signed), Ok(Some(expected)));
    let changed = tamper(&signed, parts::METADATA, |b| b[10] ^= 1);
    assert!(!signature::signer(&changed).unwrap().unwrap().verifies);
}

#[test]
fn the_signed_message_is_the_documented_text() {
    let bytes = unsigned();
    let manifest = Bundle::manifest(&bytes).unwrap();
    let message =
        String::from_utf8(signature::message(&manifest, manifest.parts.iter()).unwrap()).unwrap();
    let mut lines = message.lines();
    assert_eq!(lines.next(), Some("tandem-bundle-signature-v1"));
    assert_eq!(lines.next(), Some("format_version 1"));
    assert_eq!(
        lines.next(),
        Some(format!("tandem_version {}", manifest.tandem_version).as_str())
    );
    assert_eq!(
        lines.next(),
        Some(format!("created {}", manifest.created).as_str())
    );
    for p in &manifest.parts {
        let line = format!("part {} {} {} {}", p.name, p.media_type, p.length, p.sha256);
        assert_eq!(lines.next(), Some(line.as_str()));
    }
    assert_eq!(lines.next(), None);
    assert!(message.ends_with('\n'));
}
