//! Digests a caller computed (`Model::load_digested`, what the npm layer passes from
//! WebCrypto) are used for exactly the ranges they name, and every checksum is still compared.

#![allow(clippy::unwrap_used, clippy::panic)]

use sha2::{Digest, Sha256};
use tandem_core::Model;
use tandem_core::bundle::{Bundle, Digests};
use tandem_core::runtime::LoadOptions;

const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/v1/titanic.tandem");

/// (start, length) of the header and of every part, as the manifest puts them.
fn ranges(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let data_at = 16 + mlen + 32;
    let manifest = Bundle::manifest(bytes).unwrap();
    let mut out = vec![(0, 16 + mlen)];
    out.extend(
        manifest
            .parts
            .iter()
            .map(|p| (data_at + p.offset as usize, p.length as usize)),
    );
    out
}

fn load(digests: Digests) -> Result<Model, tandem_core::Error> {
    Model::load_digested(FIXTURE, &LoadOptions::default(), &digests)
}

#[test]
fn right_digests_load_and_a_wrong_one_is_a_checksum_error_naming_its_part() {
    let all = ranges(FIXTURE);
    let mut right = Digests::default();
    for &(at, len) in &all {
        right.insert(at, len, Sha256::digest(&FIXTURE[at..at + len]).into());
    }
    assert!(load(right).is_ok());

    // A wrong digest for the second part (preprocessing.json): the loader used it.
    let mut wrong = Digests::default();
    wrong.insert(all[2].0, all[2].1, [0; 32]);
    let Err(e) = load(wrong) else {
        panic!("a wrong digest fails its checksum");
    };
    assert_eq!(e.code(), "BUNDLE_CHECKSUM");
    assert!(e.to_string().contains("preprocessing.json"), "{e}");

    // A wrong header digest is the manifest's checksum error.
    let mut header = Digests::default();
    header.insert(all[0].0, all[0].1, [0; 32]);
    let Err(e) = load(header) else {
        panic!("a wrong header digest fails the manifest's checksum");
    };
    assert_eq!(e.code(), "BUNDLE_CHECKSUM");

    // A digest of a range the loader does not check (one byte off) is never used.
    let mut off = Digests::default();
    off.insert(all[2].0 + 1, all[2].1, [0; 32]);
    assert!(load(off).is_ok());
}
