//! Golden bundles: every bundle format version ever written must keep loading and keep
//! predicting what it predicted when it was made.
//!
//! `tests/fixtures/v<N>/<name>.tandem` are frozen; `<name>.expected.json` holds raw instances
//! and the predictions made when the fixture was created. `BLESS=1 cargo test -p tandem-core
//! --test golden` rewrites the expected predictions (only do that for a deliberate change).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tandem_core::prep::TransformOptions;
use tandem_core::{Model, tolerance};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn check(version: &str, name: &str) {
    let dir = fixtures().join(version);
    let bytes = std::fs::read(dir.join(format!("{name}.tandem"))).expect("fixture bundle");
    let model = Model::load(&bytes).expect("golden bundle loads");
    let expected_path = dir.join(format!("{name}.expected.json"));
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(&expected_path).expect("expected file"))
            .expect("JSON");
    let instances = expected["instances"].as_array().expect("instances");
    let mut got = Vec::new();
    for inst in instances {
        let i = model.parse(inst).expect("fixture instance parses");
        let p = model
            .predict(&i, TransformOptions::default())
            .expect("predicts");
        got.push(serde_json::to_value(p).expect("serialize"));
    }
    if std::env::var_os("BLESS").is_some() {
        let blessed = json!({ "instances": instances, "predictions": got });
        std::fs::write(
            &expected_path,
            serde_json::to_string_pretty(&blessed).expect("JSON") + "\n",
        )
        .expect("write");
        return;
    }
    let want = expected["predictions"].as_array().expect("predictions");
    assert_eq!(want.len(), got.len());
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(w["label"], g["label"], "{name} row {i}");
        let (wp, gp) = (&w["probabilities"], &g["probabilities"]);
        for (class, p) in wp.as_object().expect("probabilities") {
            let d = (p.as_f64().expect("f64") - gp[class].as_f64().expect("f64")).abs();
            assert!(
                d <= tolerance::PROBABILITY_ABS,
                "{name} row {i} class {class}: off by {d}"
            );
        }
    }
}

#[test]
fn v1_titanic_still_loads_and_predicts_the_same() {
    check("v1", "titanic");
}
