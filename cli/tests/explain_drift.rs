//! `tandem explain` and `tandem drift` as a user runs them: a model trained with the default
//! background explains from its bundle, one trained with `--background 0` refuses with
//! NO_BACKGROUND until rows are given, a bad row keeps its place with its error (exit 2), and
//! options out of range are refused; `tandem drift` reads the profile every bundle carries.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use common::{scratch, tandem, text, train_json};

fn titanic_model(dir: &std::path::Path, extra: &[&str]) -> String {
    let data = common::root().join("examples/data/titanic.csv");
    let runs = dir.join("runs");
    let mut args = vec![
        "--data",
        data.to_str().unwrap(),
        "--label",
        "survived",
        "--runs-dir",
        runs.to_str().unwrap(),
        "--max-epochs",
        "5",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    train_json(&args)["model"].as_str().unwrap().to_string()
}

#[test]
fn explain_uses_the_bundles_background_or_rows_given_and_keeps_every_row() {
    let dir = scratch("explain");
    let rows = dir.join("rows.jsonl");
    std::fs::write(
        &rows,
        "{\"name\":\"Bird, Miss. Ellen\",\"sex\":\"female\",\"age\":29,\"passengerClass\":\"1st\"}\n\
         {\"name\":\"Doe, Mr. John\",\"sex\":\"male\",\"age\":\"old\"}\n\
         {\"name\":\"Doe, Mr. John\",\"sex\":\"male\",\"age\":40,\"passengerClass\":\"3rd\"}\n",
    )
    .unwrap();
    let model = titanic_model(&dir, &[]);
    let out = tandem(&[
        "explain",
        "--model",
        &model,
        "--input",
        rows.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["row"], 2);
    assert_eq!(lines[1]["error"]["code"], "WRONG_TYPE");
    for e in [&lines[0], &lines[2]] {
        assert_eq!(e["background"], 32);
        assert_eq!(e["method"], "exact");
        let total: f64 = e["values"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v["yes"].as_f64().unwrap())
            .sum::<f64>()
            + e["base"]["yes"].as_f64().unwrap();
        let p = e["prediction"]["probabilities"]["yes"].as_f64().unwrap();
        assert!((total - p).abs() < 1e-12, "{total} vs {p}");
    }

    // Without a background in the bundle: refused, then explained against given rows.
    let bare = titanic_model(&dir.join("bare"), &["--background", "0"]);
    let out = tandem(&[
        "explain",
        "--model",
        &bare,
        "--input",
        rows.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("[NO_BACKGROUND]"), "{}", text(&out));
    let background = common::root().join("examples/data/titanic.csv");
    let out = tandem(&[
        "explain",
        "--model",
        &bare,
        "--input",
        rows.to_str().unwrap(),
        "--background",
        background.to_str().unwrap(),
        "--method",
        "sampled",
        "--permutations",
        "4",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["background"], 1309);
    assert_eq!(first["method"], "sampled");

    // Out of range: refused before any work, naming the option.
    let out = tandem(&[
        "explain",
        "--model",
        &model,
        "--input",
        rows.to_str().unwrap(),
        "--permutations",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("[BAD_OPTION]") && text(&out).contains("permutations"),
        "{}",
        text(&out)
    );
}

#[test]
fn drift_reads_the_profile_and_fails_on_request() {
    let dir = scratch("drift");
    let model = titanic_model(&dir, &[]);
    let data = common::root().join("examples/data/titanic.csv");
    let out = tandem(&[
        "drift",
        "--model",
        &model,
        "--data",
        data.to_str().unwrap(),
        "--no-record",
        "--fail-on",
        "moderate",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("0 of 4 fields drifted"), "{table}");
    // A file of one repeated row is nothing like the training data.
    let one = dir.join("one.csv");
    let mut csv = String::from("name,sex,age,passengerClass\n");
    for _ in 0..300 {
        csv.push_str("\"Doe, Mr. John\",male,80,3rd\n");
    }
    std::fs::write(&one, csv).unwrap();
    let report = dir.join("drift.svg");
    let out = tandem(&[
        "drift",
        "--model",
        &model,
        "--data",
        one.to_str().unwrap(),
        "--no-record",
        "--fail-on",
        "drifted",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .starts_with("<svg")
    );
}
