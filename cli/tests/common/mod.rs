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

/// A shared data set of examples/data, as a path argument.
pub fn example(file: &str) -> String {
    root()
        .join("examples/data")
        .join(file)
        .to_str()
        .expect("UTF-8 path")
        .to_string()
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

/// A CSV of `n` titanic passengers: the real rows repeated, each name made unique and each
/// age moved by up to 0.6 years (so rows differ).
pub fn passengers(path: &Path, n: usize) {
    let mut rdr = csv::Reader::from_path(root().join("examples/data/titanic.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for i in 0..n {
        let mut r: Vec<String> = rows[i % rows.len()].iter().map(String::from).collect();
        r[0] = format!("{} {i}", r[0]);
        if let Ok(age) = r[3].parse::<f64>() {
            r[3] = format!("{:.1}", age + (i % 7) as f64 / 10.0);
        }
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
}

/// The peak resident memory (VmHWM, KiB) of `child`, polled from /proc until it exits, and
/// its output.
pub fn peak_kib(child: std::process::Child) -> (u64, Output) {
    let status = format!("/proc/{}/status", child.id());
    let done = std::thread::spawn(move || child.wait_with_output().unwrap());
    let mut peak = 0;
    while !done.is_finished() {
        if let Ok(s) = std::fs::read_to_string(&status)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    (peak, done.join().unwrap())
}
