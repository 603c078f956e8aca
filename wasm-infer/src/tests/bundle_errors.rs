//! Bundles that cannot load, and load options that make no sense: each is a `TandemError`
//! with the code the core gives, never a trap. These need no engine, so they run in both
//! builds.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{GOLDEN, load, load_json, thrown};

/// The golden bundle with one change.
fn golden_with(change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut bytes = GOLDEN.to_vec();
    change(&mut bytes);
    bytes
}

#[wasm_bindgen_test]
fn bytes_that_are_not_a_bundle_are_a_bad_magic_error() {
    thrown(load(&[], None), "BUNDLE_BAD_MAGIC", None);
    thrown(
        load(b"name,sex,age\nAllen,female,29\n", None),
        "BUNDLE_BAD_MAGIC",
        None,
    );
}

#[wasm_bindgen_test]
fn a_truncated_bundle_is_a_truncation_error_wherever_it_is_cut() {
    for len in [12, 100, GOLDEN.len() / 2, GOLDEN.len() - 1] {
        thrown(load(&GOLDEN[..len], None), "BUNDLE_TRUNCATED", None);
    }
}

#[wasm_bindgen_test]
fn a_corrupt_byte_is_a_checksum_error_in_the_manifest_or_a_part() {
    let manifest = golden_with(|b| b[40] ^= 0x20);
    thrown(load(&manifest, None), "BUNDLE_CHECKSUM", None);
    let last_part = golden_with(|b| {
        let last = b.len() - 1;
        b[last] ^= 1;
    });
    thrown(load(&last_part, None), "BUNDLE_CHECKSUM", None);
}

#[wasm_bindgen_test]
fn a_future_format_version_is_a_version_error() {
    let v2 = golden_with(|b| b[8] = 2);
    thrown(load(&v2, None), "BUNDLE_VERSION", None);
}

#[wasm_bindgen_test]
fn every_code_is_the_one_the_core_gives_for_the_same_bytes() {
    let cases = [
        GOLDEN[..7].to_vec(),
        GOLDEN[..GOLDEN.len() / 3].to_vec(),
        golden_with(|b| b[20] ^= 1),
        golden_with(|b| b.push(0)),
    ];
    for bytes in cases {
        let core = tandem_core::Bundle::from_bytes(&bytes).expect_err("corrupt");
        let err = load(&bytes, None).err().expect("a thrown error");
        let code = super::get(&err, "code").as_string();
        assert_eq!(code.as_deref(), Some(core.code()));
    }
}

#[wasm_bindgen_test]
fn an_unknown_engine_name_is_a_bad_option() {
    // A bad option names itself in `field`, as the server's BAD_OPTION does.
    thrown(load(GOLDEN, Some("warp")), "BAD_OPTION", Some("engine"));
}

#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn asking_for_the_dense_kernel_on_a_bundle_without_one_is_an_engine_error() {
    thrown(load(GOLDEN, Some("dense")), "ENGINE", None);
}

#[wasm_bindgen_test]
fn a_lowered_limit_refuses_the_bundle_as_natively_and_the_default_loads_it() {
    let err = thrown(
        load_json(GOLDEN, r#"{"limits": {"bundle_bytes": 100}}"#),
        "BUNDLE_LIMIT",
        None,
    );
    let message = String::from(err.unchecked_ref::<js_sys::Error>().message());
    assert!(
        message.contains("`bundle_bytes`") && message.contains("100"),
        "{message}"
    );
    assert!(
        load_json(
            GOLDEN,
            r#"{"limits": {"bundle_bytes": 1e9}, "engine": null}"#
        )
        .is_ok()
    );
}

#[wasm_bindgen_test]
fn an_unknown_option_or_limit_name_or_a_bad_limit_value_is_a_bad_option() {
    thrown(
        load_json(GOLDEN, r#"{"limit": {}}"#),
        "BAD_OPTION",
        Some("limit"),
    );
    thrown(
        load_json(GOLDEN, r#"{"limits": {"bundle_byte": 1}}"#),
        "BAD_OPTION",
        Some("limits.bundle_byte"),
    );
    thrown(
        load_json(GOLDEN, r#"{"limits": {"parts": -1}}"#),
        "BAD_OPTION",
        Some("limits.parts"),
    );
    thrown(
        load_json(GOLDEN, r#"{"limits": {"parts": "9"}}"#),
        "BAD_OPTION",
        Some("limits.parts"),
    );
}
