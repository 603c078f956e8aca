//! `tests/fixtures/constants.json` is `tandem_core::constants::constants()` as JSON: the copy
//! the Python tests read (they run without Rust or wasm). This test fails when the two drift
//! apart; `BLESS=1 cargo test -p tandem-core --test constants` rewrites the file after a
//! deliberate change. (The Node tests compare the npm package's `constants()` with the same
//! file, so all three agree.)

use std::path::{Path, PathBuf};

use tandem_core::constants::{Scope, constants};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/constants.json")
}

#[test]
fn the_constants_fixture_is_what_the_core_exports() {
    let want = serde_json::to_string_pretty(&constants()).expect("serialise") + "\n";
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(fixture(), &want).expect("write the fixture");
        return;
    }
    let have = std::fs::read_to_string(fixture()).expect("tests/fixtures/constants.json");
    assert!(
        have == want,
        "tests/fixtures/constants.json differs from tandem_core::constants::constants(); \
         after a deliberate change run BLESS=1 cargo test -p tandem-core --test constants"
    );
}

#[test]
fn every_error_a_request_can_cause_has_a_listed_http_or_tandem_code() {
    let c = constants();
    let scope = |code: &str| c.errors.iter().find(|e| e.code == code).map(|e| e.scope);
    for code in [
        "BAD_REQUEST",
        "UNSUPPORTED_MEDIA_TYPE",
        "REQUEST_TOO_LARGE",
        "ENDPOINT_NOT_FOUND",
    ] {
        assert_eq!(scope(code), Some(Scope::Http), "{code}");
    }
    for code in [
        "BAD_OPTION",
        "NOT_AN_ARRAY",
        "COLUMN_LENGTH",
        "BATCH_TOO_LARGE",
    ] {
        assert_eq!(scope(code), Some(Scope::Call), "{code}");
    }
    for code in [
        "MISSING_FIELD",
        "WRONG_TYPE",
        "UNKNOWN_CATEGORY",
        "NOT_AN_OBJECT",
    ] {
        assert_eq!(scope(code), Some(Scope::Instance), "{code}");
    }
}
