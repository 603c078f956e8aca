//! `tandem train --stream on` (and any file over 256 MiB): the data read in passes and never
//! held whole, the training rows spilled to disk. Peak memory does not grow with the rows,
//! the same rows are quarantined as in memory, the run records its parts, and its bundle
//! predicts like an in-memory run's.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;

use common::{command, passengers, peak_kib, root, scratch, tandem, text};

/// Train on `data` as a stream; the peak resident memory (KiB) and the run summary.
fn train_peak(data: &Path, runs: &Path) -> (u64, serde_json::Value) {
    let child = command()
        .args(["train", "--data"])
        .arg(data)
        .args(["--label", "survived", "--stream", "on", "--max-epochs", "1"])
        .args(["--stream-sample", "4000", "--validation-fraction", "0.4"])
        .args(["--background", "0", "--json", "--runs-dir"])
        .arg(runs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (peak, out) = peak_kib(child);
    assert!(out.status.success(), "{}", text(&out));
    (peak, serde_json::from_slice(&out.stdout).unwrap())
}

fn params(summary: &serde_json::Value) -> HashMap<String, String> {
    let dir = Path::new(summary["run_dir"].as_str().unwrap());
    serde_json::from_str(&std::fs::read_to_string(dir.join("params.json")).unwrap()).unwrap()
}

#[test]
fn a_streamed_run_trains_ten_times_the_rows_in_the_same_memory() {
    let dir = scratch("train-stream-memory");
    let (small, large) = (dir.join("small.csv"), dir.join("large.csv"));
    passengers(&small, 15_000);
    passengers(&large, 150_000);
    let runs = dir.join("runs");
    let (small_peak, _) = train_peak(&small, &runs);
    let (large_peak, summary) = train_peak(&large, &runs);
    let p = params(&summary);
    assert_eq!(p["streamed"], "true");
    let parts: usize = ["train_rows", "validation_rows", "test_rows"]
        .iter()
        .map(|k| p[*k].parse::<usize>().unwrap())
        .sum();
    assert_eq!(
        parts,
        150_000 - p["dropped_missing_label"].parse::<usize>().unwrap()
    );
    // Both files fill the samples (4,000 rows a part); past them what grows is the spill
    // file's block cache up to its 16 MiB (the small file's training rows fit in 4 MB) and
    // one target per training row (8 bytes). In memory the peak grows with every row: 210 MB
    // at 150k rows in a debug build, where this streamed run's stops growing.
    assert!(
        large_peak < small_peak + 28 * 1024,
        "peak {large_peak} KiB on 150k rows vs {small_peak} KiB on 15k"
    );
    // `schema infer` reads the file once as a stream too: the same schema either way, in the
    // memory of the small file (the whole-file reader held every cell).
    let infer = |data: &Path| {
        let child = command()
            .args(["schema", "infer"])
            .arg(data)
            .args(["--label", "survived"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (peak, out) = peak_kib(child);
        assert!(out.status.success(), "{}", text(&out));
        let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (peak, schema)
    };
    let ((small_peak, small_schema), (large_peak, large_schema)) = (infer(&small), infer(&large));
    assert_eq!(small_schema["label"], large_schema["label"]);
    assert!(
        large_peak < small_peak + 8 * 1024,
        "schema infer: peak {large_peak} KiB on 150k rows vs {small_peak} KiB on 15k"
    );
}

#[test]
fn a_streamed_run_quarantines_and_predicts_as_an_in_memory_run() {
    let dir = scratch("train-stream-titanic");
    let data = root().join("examples/data/titanic.csv");
    let mut messy = std::fs::read_to_string(&data).unwrap();
    messy.push_str("\"Doe, Mr. John\",no,male,40,1st,an extra cell\n");
    let messy_path = dir.join("messy.csv");
    std::fs::write(&messy_path, &messy).unwrap();
    let runs = dir.join("runs");
    let train = |stream: &str| {
        let out = tandem(&[
            "train",
            "--data",
            messy_path.to_str().unwrap(),
            "--label",
            "survived",
            "--stream",
            stream,
            "--test-fraction",
            "0.2",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--json",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (summary, text(&out))
    };
    let (streamed, log) = train("on");
    assert!(log.contains("trained as a stream"), "{log}");
    let (memory, _) = train("off");
    let read = |s: &serde_json::Value, name: &str| {
        std::fs::read_to_string(Path::new(s["run_dir"].as_str().unwrap()).join(name)).unwrap()
    };
    assert_eq!(
        read(&streamed, "artifacts/quarantine.jsonl"),
        read(&memory, "artifacts/quarantine.jsonl")
    );
    let p = params(&streamed);
    assert_eq!(p["streamed"], "true");
    assert_eq!(params(&memory)["streamed"], "false");
    assert_eq!(p["data_sha256"], params(&memory)["data_sha256"]);
    let split: serde_json::Value =
        serde_json::from_str(&read(&streamed, "artifacts/split.json")).unwrap();
    assert_eq!(
        split["counts"]["train"].as_u64().unwrap() as usize,
        split["train"].as_array().unwrap().len(),
        "below the sample size the sample is the part"
    );
    // Both models score the clean file about as well (different splits, the same data).
    let accuracy = |s: &serde_json::Value| {
        let out = command()
            .args([
                "predict",
                "--model",
                s["model"].as_str().unwrap(),
                "--input",
            ])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
        let labels: Vec<String> = csv::Reader::from_path(&data)
            .unwrap()
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .collect();
        let header = rdr.headers().unwrap().clone();
        let at = header.iter().position(|h| h == "prediction").unwrap();
        let predicted: Vec<String> = rdr.records().map(|r| r.unwrap()[at].to_string()).collect();
        assert_eq!(predicted.len(), labels.len());
        let right = predicted
            .iter()
            .zip(&labels)
            .filter(|(a, b)| a == b)
            .count();
        right as f64 / labels.len() as f64
    };
    let (a, b) = (accuracy(&streamed), accuracy(&memory));
    assert!(a > 0.75 && b > 0.75 && (a - b).abs() < 0.05, "{a} vs {b}");
}
