//! `tandem predict --input -` on a live stream: each row written to stdin gets its prediction
//! on stdout before the next row is written (the process is never closed between rows), in
//! JSON Lines and in CSV; a bad row keeps its place; the exit code says a row was rejected.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{command, scratch, train_json};

fn model() -> String {
    let dir = scratch("predict-stream");
    let data = common::root().join("examples/data/titanic.csv");
    let runs = dir.join("runs");
    let summary = train_json(&[
        "--data",
        data.to_str().unwrap(),
        "--label",
        "survived",
        "--runs-dir",
        runs.to_str().unwrap(),
        "--max-epochs",
        "5",
        "--quiet",
    ]);
    summary["model"].as_str().unwrap().to_string()
}

/// Write `rows` one at a time, each only after the previous one's answer line was read;
/// returns the answer lines (the CSV header first when there is one) and the exit code.
fn converse(model: &str, header: Option<&str>, rows: &[&str]) -> (Vec<String>, Option<i32>) {
    let mut child = command()
        .args(["predict", "--model", model, "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(20))
            .expect("an answer before the next row is written")
    };
    let mut got = Vec::new();
    if let Some(h) = header {
        writeln!(stdin, "{h}").unwrap();
        stdin.flush().unwrap();
        got.push(next());
    }
    for row in rows {
        writeln!(stdin, "{row}").unwrap();
        stdin.flush().unwrap();
        got.push(next());
    }
    drop(stdin);
    (got, child.wait().unwrap().code())
}

#[test]
fn each_row_of_a_stream_is_answered_before_the_next_is_written() {
    let model = model();
    let rows = [
        r#"{"name": "Bird, Miss. Ellen", "sex": "female", "age": 29, "passengerClass": "1st"}"#,
        r#"{"name": "Doe, Mr. John", "sex": "male", "age": "old", "passengerClass": "3rd"}"#,
        r#"{"name": "Doe, Mr. John", "sex": "male", "age": 40, "passengerClass": "3rd"}"#,
    ];
    let (lines, code) = converse(&model, None, &rows);
    let answers: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers[0]["row"], 1);
    assert!(answers[0]["prediction"]["probabilities"]["yes"].is_number());
    assert_eq!(answers[1]["error"]["code"], "WRONG_TYPE");
    assert_eq!(answers[2]["row"], 3);
    assert_eq!(code, Some(2), "a rejected row makes the exit code 2");

    // The same rows as CSV: the header comes back first, then one record per row.
    let (lines, code) = converse(
        &model,
        Some("name,sex,age,passengerClass"),
        &[
            "\"Bird, Miss. Ellen\",female,29,1st",
            "\"Doe, Mr. John\",male,40,3rd",
        ],
    );
    assert!(
        lines[0].starts_with("row,prediction,probability_no"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("1,"), "{lines:?}");
    assert!(lines[2].starts_with("2,"), "{lines:?}");
    assert_eq!(code, Some(0));
}
