//! `tandem models list` over a registry with one corrupt model: the others are listed, the
//! corrupt one is named on stderr with the file and why, and the command succeeds.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

mod common;
use common::{scratch, tandem};

const RUN: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn models_list_skips_a_corrupt_model_with_a_warning_on_stderr() {
    let runs = scratch("registry-listing");
    for name in ["good", "broken"] {
        let dir = runs.join("models").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("model.json"),
            format!(r#"{{"name": "{name}", "creation_time": 1, "aliases": {{}}}}"#),
        )
        .unwrap();
        std::fs::write(
            dir.join("1.json"),
            format!(
                r#"{{"name": "{name}", "version": 1, "run_id": "{RUN}", "artifact_path": "model", "creation_time": 1}}"#
            ),
        )
        .unwrap();
    }
    let broken = runs.join("models/broken/model.json");
    std::fs::write(&broken, "{\"name\": \"bro").unwrap();
    let dir = runs.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["models", "list", "--runs-dir", dir];
        if json {
            args.push("--json");
        }
        let out = tandem(&args);
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("good") && !stdout.contains("broken"),
            "{stdout}"
        );
        assert!(
            stderr.contains(&format!(
                "warning: skipping registered model `broken`: store file {} is not valid: ",
                broken.display()
            )) && stderr.contains("[STORE_CORRUPT]"),
            "{stderr}"
        );
    }
    // Asking for it still names the file and why.
    let out = tandem(&["inspect", "models:/broken/1", "--runs-dir", dir]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&broken.display().to_string()), "{stderr}");
}
