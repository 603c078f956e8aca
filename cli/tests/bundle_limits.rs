//! `--bundle-limit` reaches every command that loads a bundle: lowered below what the titanic
//! fixture needs, each refuses it with `BUNDLE_LIMIT` naming the limit and the flag; at the
//! defaults (or raised back) each loads it.

mod common;

use common::{root, scratch, tandem, text};

/// The frozen v1 titanic bundle and a CSV of its instances, in a scratch folder of the test's
/// own (`test`): the tests run in parallel, and a shared folder would be emptied under them.
fn fixture(test: &str) -> (String, String) {
    let bundle = root().join("tests/fixtures/v1/titanic.tandem");
    let dir = scratch(&format!("bundle_limits-{test}"));
    let csv = dir.join("instances.csv");
    std::fs::write(
        &csv,
        "name,sex,age,passengerClass\n\"Bird, Miss. Ellen\",female,29,1st\n",
    )
    .expect("write the instances");
    (bundle.display().to_string(), csv.display().to_string())
}

/// Every command that loads a bundle, with `extra` flags.
fn commands<'a>(bundle: &'a str, csv: &'a str, extra: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut all = vec![
        vec!["predict", "--model", bundle, "--input", csv],
        vec!["validate", "--schema", bundle, "--data", csv],
        vec!["inspect", bundle],
    ];
    for c in &mut all {
        c.extend_from_slice(extra);
    }
    all
}

#[test]
fn a_lowered_limit_refuses_the_bundle_in_every_command_and_names_the_flag() {
    let (bundle, csv) = fixture("lowered");
    for limit in ["json_bytes=64", "parts=2", "bundle_bytes=1000"] {
        let name = limit.split('=').next().unwrap_or_default();
        for args in commands(&bundle, &csv, &["--bundle-limit", limit]) {
            let out = tandem(&args);
            let said = text(&out);
            assert!(
                !out.status.success(),
                "{args:?} loaded under {limit}: {said}"
            );
            assert!(said.contains("[BUNDLE_LIMIT]"), "{args:?}: {said}");
            assert!(said.contains(name), "{args:?} names {name}: {said}");
            assert!(said.contains("--bundle-limit"), "{args:?} says how: {said}");
        }
    }
}

#[test]
fn at_the_defaults_or_raised_every_command_loads_the_bundle() {
    let (bundle, csv) = fixture("defaults");
    for extra in [&[][..], &["--bundle-limit", "json_bytes=100000000"][..]] {
        for args in commands(&bundle, &csv, extra) {
            let out = tandem(&args);
            assert!(out.status.success(), "{args:?}: {}", text(&out));
        }
    }
}

#[test]
fn a_raised_limit_loads_a_bundle_past_the_default_in_every_command() {
    // 69 parts: over the default of 64, otherwise a sound bundle (the extra parts are unread).
    let many = root().join("tests/bad-inputs/bundles-hostile/65-parts.tandem");
    let many = many.display().to_string();
    let (_, csv) = fixture("raised");
    for args in commands(&many, &csv, &[]) {
        let said = text(&tandem(&args));
        assert!(said.contains("`parts` exceeded"), "{args:?}: {said}");
    }
    for args in commands(&many, &csv, &["--bundle-limit", "parts=69"]) {
        let out = tandem(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
}

#[test]
fn an_unknown_limit_name_is_refused_listing_the_known_ones() {
    let (bundle, csv) = fixture("unknown");
    let out = tandem(&[
        "predict",
        "--model",
        &bundle,
        "--input",
        &csv,
        "--bundle-limit",
        "rows=5",
    ]);
    let said = text(&out);
    assert!(!out.status.success());
    assert!(
        said.contains("rows") && said.contains("json_depth"),
        "{said}"
    );
}
