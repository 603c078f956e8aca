//! Helpers shared by the `tandem` end-to-end tests.
#![allow(dead_code, clippy::unwrap_used)] // Not every test file uses every helper.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The `tandem` binary, isolated from the caller's MLflow settings.
pub fn command() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_EXPERIMENT_NAME");
    c
}

pub fn tandem(args: &[&str]) -> Output {
    command().args(args).output().expect("run tandem")
}

pub fn json_of(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "tandem failed: {}", text(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// `tandem train ... --json`, which must succeed; returns the run summary.
pub fn train_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = tandem(&all);
    assert!(out.status.success(), "train failed: {}", text(&out));
    serde_json::from_slice(&out.stdout).expect("summary JSON")
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
