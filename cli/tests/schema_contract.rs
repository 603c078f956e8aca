//! The schema is the etl_app's contract on its own: a schema inferred without a label
//! validates instances (from CSV and from JSON Lines), as a schema with a label and a model's
//! schema do; a row that breaks it is reported with its row and field.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use common::{scratch, tandem, text};

#[test]
fn infer_then_validate_round_trips_with_and_without_a_label_on_csv_and_json_lines() {
    let dir = scratch("schema-contract");
    let csv = common::root().join("examples/data/titanic.csv");
    // The same rows as JSON Lines, with a missing age as null.
    let jsonl = dir.join("titanic.jsonl");
    let mut reader = ::csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut lines = String::new();
    for rec in reader.records().take(200) {
        let rec = rec.unwrap();
        let obj: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(rec.iter())
            .map(|(k, v)| {
                let v = match (k, v) {
                    (_, "") => serde_json::Value::Null,
                    ("age", x) => serde_json::json!(x.parse::<f64>().unwrap()),
                    (_, x) => serde_json::json!(x),
                };
                (k.to_string(), v)
            })
            .collect();
        lines.push_str(&serde_json::Value::Object(obj).to_string());
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();
    for data in [&csv, &jsonl] {
        for label in [None, Some("survived")] {
            let mut args = vec!["schema", "infer", data.to_str().unwrap()];
            if let Some(l) = label {
                args.extend(["--label", l]);
            }
            let out = tandem(&args);
            assert!(out.status.success(), "{}", text(&out));
            let schema = dir.join("schema.json");
            std::fs::write(&schema, &out.stdout).unwrap();
            let has_label = serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .unwrap()
                .get("label")
                .is_some();
            assert_eq!(has_label, label.is_some());
            for checked in [&csv, &jsonl] {
                let out = tandem(&[
                    "validate",
                    "--schema",
                    schema.to_str().unwrap(),
                    "--data",
                    checked.to_str().unwrap(),
                ]);
                assert!(
                    out.status.success(),
                    "schema of {} (label {label:?}) on {}: {}",
                    data.display(),
                    checked.display(),
                    text(&out)
                );
            }
        }
    }
    // Without a label: a wrong type is still an error, named with its row and field.
    let out = tandem(&["schema", "infer", csv.to_str().unwrap()]);
    let schema = dir.join("fields.json");
    std::fs::write(&schema, &out.stdout).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "name,survived,sex,age,passengerClass\n\"A, Mr. B\",yes,male,old,1st\n",
    )
    .unwrap();
    let out = tandem(&[
        "validate",
        "--schema",
        schema.to_str().unwrap(),
        "--data",
        bad.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("WRONG_TYPE") && report.contains("\"age\""),
        "{report}"
    );
}
