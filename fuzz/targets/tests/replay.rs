//! CI's share of fuzzing: every committed corpus file and regression case through its
//! target, on stable, in a plain `cargo test`. A case that panics fails the test and is
//! named; one that hangs or exhausts memory shows as a test that does not finish.
//!
//! `fuzz/regressions/<target>/pending/` holds findings in code another change owns (the
//! bundle limits of issue 14): replayed only with `FUZZ_REPLAY_PENDING=1` until that change
//! lands, then moved up into `fuzz/regressions/<target>/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use tandem_fuzz_targets::{TARGETS, Target};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    out.sort();
    out
}

/// Run every file of `dir` through `target`; the files that panicked.
fn replay(target: Target, dir: &Path) -> (usize, Vec<String>) {
    let cases = files(dir);
    let failed = cases
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            catch_unwind(AssertUnwindSafe(|| target(&data))).is_err()
        })
        .map(|p| p.display().to_string())
        .collect();
    (cases.len(), failed)
}

fn replay_all(subdir: &str) -> (usize, Vec<String>) {
    let mut total = 0;
    let mut failed = Vec::new();
    for (name, target) in TARGETS {
        for root in ["corpus", "regressions"] {
            let dir = fuzz_dir().join(root).join(name).join(subdir);
            let started = Instant::now();
            let (n, f) = replay(target, &dir);
            eprintln!(
                "{root}/{name}/{subdir}: {n} cases in {:.1?}",
                started.elapsed()
            );
            total += n;
            failed.extend(f);
        }
    }
    (total, failed)
}

#[test]
fn every_corpus_file_and_regression_case_runs_through_its_target_without_panicking() {
    let (total, failed) = replay_all("");
    assert!(total > 0, "no corpus found under {}", fuzz_dir().display());
    assert!(failed.is_empty(), "cases that panicked: {failed:#?}");
}

#[test]
fn every_target_has_a_committed_corpus() {
    for (name, _) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        assert!(
            !files(&dir).is_empty(),
            "no corpus for {name} in {}",
            dir.display()
        );
    }
}

#[test]
fn pending_findings_replay_when_asked() {
    if std::env::var_os("FUZZ_REPLAY_PENDING").is_none() {
        return;
    }
    let (_, failed) = replay_all("pending");
    assert!(
        failed.is_empty(),
        "pending cases that still panic: {failed:#?}"
    );
}

#[test]
fn the_targets_load_the_real_bundles_they_drive() {
    assert_eq!(tandem_fuzz_targets::real_models(), 3);
}
