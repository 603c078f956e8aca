//! Signed bundles end to end (issue 14): `tandem keys new` writes a key pair, `tandem train
//! --sign-key` signs the bundle, and every command that loads a bundle with `--public-key`
//! accepts it and refuses an unsigned one or one signed by another key, with the codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{json_of, root, scratch, tandem, text, train_json};

fn keys(name: &str) -> String {
    root()
        .join("tests/fixtures/keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A key pair from `tandem keys new`, and an iris bundle trained and signed with it.
fn signed() -> &'static (PathBuf, String) {
    static RUN: OnceLock<(PathBuf, String)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("signing");
        let out = tandem(&["keys", "new", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        let summary = train_json(&[
            "--data",
            root().join("examples/data/iris.csv").to_str().unwrap(),
            "--label",
            "target",
            "--max-epochs",
            "5",
            "--runs-dir",
            dir.join("runs").to_str().unwrap(),
            "--sign-key",
            dir.join("tandem.key").to_str().unwrap(),
        ]);
        (dir, summary["model"].as_str().unwrap().to_string())
    })
}

fn predict(model: &str, key: &Path) -> std::process::Output {
    let out = signed()
        .0
        .join(format!("{}.csv", key.file_stem().unwrap().display()));
    tandem(&[
        "predict",
        "--model",
        model,
        "--input",
        root().join("examples/data/iris.csv").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--public-key",
        key.to_str().unwrap(),
    ])
}

#[test]
fn keys_new_writes_a_private_key_only_its_owner_reads_and_refuses_to_overwrite() {
    let (dir, _) = signed();
    let private = dir.join("tandem.key");
    let public = std::fs::read_to_string(dir.join("tandem.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = tandem(&["keys", "new", "--out", dir.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("never overwritten"),
        "{}",
        text(&again)
    );
}

#[test]
fn keys_show_gives_the_same_fingerprint_for_a_private_key_and_its_public_key() {
    let show = |file: &str| {
        let out = tandem(&["keys", "show", file]);
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(show(&keys("openssl.key")), show(&keys("openssl.pub")));
    assert_ne!(show(&keys("openssl.pub")), show(&keys("other.pub")));
}

#[test]
fn a_signed_bundle_predicts_with_its_public_key_and_is_refused_with_another() {
    let (dir, model) = signed();
    let ok = predict(model, &dir.join("tandem.pub"));
    assert!(ok.status.success(), "{}", text(&ok));
    let other = predict(model, Path::new(&keys("other.pub")));
    assert!(!other.status.success());
    assert!(
        text(&other).contains("[BUNDLE_SIGNATURE]"),
        "{}",
        text(&other)
    );
    assert!(text(&other).contains("another key"), "{}", text(&other));
}

#[test]
fn an_unsigned_bundle_with_a_public_key_is_bundle_unsigned_in_predict_validate_and_inspect() {
    let golden = root().join("tests/fixtures/v1/titanic.tandem");
    let golden = golden.to_str().unwrap();
    let key = keys("openssl.pub");
    let data = root().join("examples/data/titanic.csv");
    for args in [
        vec!["inspect", golden, "--public-key", &key],
        vec![
            "validate",
            "--schema",
            golden,
            "--data",
            data.to_str().unwrap(),
            "--public-key",
            &key,
        ],
    ] {
        let out = tandem(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out).contains("[BUNDLE_UNSIGNED]"),
            "{args:?}: {}",
            text(&out)
        );
    }
    let plain = tandem(&["inspect", golden]);
    assert_eq!(json_of(&plain)["signature"], serde_json::Value::Null);
}

#[test]
fn inspect_shows_who_signed_a_bundle_without_a_key() {
    let (dir, model) = signed();
    let shown = tandem(&["keys", "show", dir.join("tandem.pub").to_str().unwrap()]);
    let fingerprint = String::from_utf8(shown.stdout).unwrap();
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap().to_string();
    let inspected = json_of(&tandem(&["inspect", model]));
    assert_eq!(inspected["signature"]["fingerprint"], fingerprint.as_str());
    assert_eq!(inspected["signature"]["verifies"], true);
    let pinned = tandem(&[
        "inspect",
        model,
        "--public-key",
        dir.join("tandem.pub").to_str().unwrap(),
    ]);
    assert!(pinned.status.success(), "{}", text(&pinned));
}

#[test]
fn a_bad_sign_key_fails_before_training() {
    let dir = scratch("bad-sign-key");
    let bad = dir.join("bad.key");
    std::fs::write(&bad, "not a key").unwrap();
    let out = tandem(&[
        "train",
        "--data",
        root().join("examples/data/iris.csv").to_str().unwrap(),
        "--label",
        "target",
        "--runs-dir",
        dir.join("runs").to_str().unwrap(),
        "--sign-key",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("invalid private key"), "{}", text(&out));
    assert!(!dir.join("runs").exists(), "no run was started");
}
