//! End-to-end tests of the `tandem` command on real data: train, predict, and every kind of
//! bad input the spine promises to reject with a clear, structured error.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

mod common;
use common::{root, scratch, tandem, text, train_json};

/// Train the titanic example once (it has a text field, categories and missing ages).
fn titanic() -> &'static (PathBuf, serde_json::Value) {
    static RUN: OnceLock<(PathBuf, serde_json::Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let runs = scratch("titanic-runs");
        let data = root().join("examples/data/titanic.csv");
        let summary = train_json(&[
            "--data",
            data.to_str().unwrap(),
            "--label",
            "survived",
            "--runs-dir",
            runs.to_str().unwrap(),
        ]);
        (runs, summary)
    })
}

fn model_path() -> String {
    titanic().1["model"].as_str().unwrap().to_string()
}

fn predict_csv(name: &str, csv: &str, extra: &[&str]) -> (Output, String) {
    let dir = scratch(name);
    let input = dir.join("in.csv");
    let output = dir.join("out.csv");
    std::fs::write(&input, csv).unwrap();
    let model = model_path();
    let mut args = vec![
        "predict",
        "--model",
        &model,
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = tandem(&args);
    let written = std::fs::read_to_string(&output).unwrap_or_default();
    (out, written)
}

#[test]
fn train_writes_a_run_with_a_32_hex_id_and_sane_metrics() {
    let (runs, summary) = titanic();
    let id = summary["run_id"].as_str().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    for f in [
        "artifacts/model/model.tandem",
        "artifacts/model/model.onnx",
        "artifacts/model/schema.json",
        "artifacts/model/MLmodel",
        "artifacts/model/requirements.txt",
        "artifacts/model/python_env.yaml",
        "artifacts/model/conda.yaml",
        "artifacts/metrics.json",
        "artifacts/history.csv",
        "artifacts/split.json",
        "artifacts/plots/loss.svg",
        "artifacts/plots/confusion.svg",
        "params.json",
        "tags.json",
        "run.json",
        "metrics.jsonl",
    ] {
        assert!(runs.join(id).join(f).is_file(), "missing {f}");
    }
    let acc = summary["metrics"]["validation_accuracy"].as_f64().unwrap();
    assert!(acc > 0.70 && acc <= 1.0, "validation accuracy {acc}");
}

#[test]
fn predict_by_path_and_by_run_id_agree() {
    let (runs, summary) = titanic();
    let csv = "name,sex,age,passengerClass\n\"Allen, Miss. Elisabeth Walton\",female,29,1st\n\"Doe, Mr. John\",male,,3rd\n";
    let (out, by_path) = predict_csv("by-path", csv, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let lines: Vec<&str> = by_path.lines().collect();
    assert_eq!(
        lines[0],
        "row,prediction,probability_no,probability_yes,error_code,error_field,error,warnings"
    );
    assert!(
        lines[1].starts_with("1,yes,"),
        "a first-class woman survives: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("2,no,"),
        "a third-class man does not: {}",
        lines[2]
    );

    let dir = scratch("by-id");
    std::fs::write(dir.join("in.csv"), csv).unwrap();
    let uri = format!("runs:/{}", summary["run_id"].as_str().unwrap());
    let out = tandem(&[
        "predict",
        "--model",
        &uri,
        "--runs-dir",
        runs.to_str().unwrap(),
        "--input",
        dir.join("in.csv").to_str().unwrap(),
        "--output",
        dir.join("out.csv").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv")).unwrap(),
        by_path
    );
}

#[test]
fn bad_rows_are_reported_with_row_and_field_and_nothing_is_lost() {
    let csv = concat!(
        "name,sex,age,passengerClass\n",
        "\"A, Mr. B\",male,30,1st\n",     // 1: fine
        "\"A, Mr. B\",male,thirty,1st\n", // 2: wrong type
        "\"A, Mr. B\",,30,1st
",           // 3: missing: its node imputes
        "\"A, Mr. B\",male,inf,1st
",      // 4: infinite (NaN is a missing marker, as in pandas)
        "\"A, Mr. B\",male,30\n",         // 5: malformed row (too few fields)
        "\"A, Mr. B\",male,30,9th\n",     // 6: unknown category (unknown slot, warned)
    );
    let (out, written) = predict_csv("bad-rows", csv, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(written.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 6, "one output row per input row");
    let code = |i: usize| rows[i][4].as_str();
    let field = |i: usize| rows[i][5].as_str();
    assert_eq!((code(0), rows[0][1].is_empty()), ("", false));
    assert_eq!((code(1), field(1)), ("WRONG_TYPE", "age"));
    // `sex` had no gaps in training, but its node imputes: a missing value is accepted.
    assert_eq!((code(2), rows[2][1].is_empty()), ("", false));
    assert_eq!((code(3), field(3)), ("NOT_FINITE", "age"));
    assert_eq!(code(4), "CSV");
    assert_eq!(
        code(5),
        "",
        "unknown categories use the unknown slot by default"
    );
    let warnings = |i: usize| rows[i].last().unwrap().as_str();
    assert_eq!(
        warnings(5),
        "UNKNOWN_CATEGORY:passengerClass",
        "and are warned"
    );
    assert_eq!(warnings(0), "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 2") && err.contains("field `age`"),
        "{err}"
    );

    let (out, written) = predict_csv("strict", csv, &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let last = written.lines().last().unwrap().to_string();
    assert!(
        last.contains("UNKNOWN_CATEGORY") && last.contains("passengerClass"),
        "{last}"
    );
}

#[test]
fn json_lines_input_and_output() {
    let dir = scratch("jsonl");
    let input = dir.join("in.jsonl");
    std::fs::write(
        &input,
        "{\"name\":\"X\",\"sex\":\"female\",\"age\":29,\"passengerClass\":\"1st\"}\n\n{\"name\":\"Y\",\"sex\":\"male\",\"age\":\"old\",\"passengerClass\":\"2nd\"}\nnot json\n",
    )
    .unwrap();
    let output = dir.join("out.jsonl");
    let model = model_path();
    let out = tandem(&[
        "predict",
        "--model",
        &model,
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["prediction"]["label"], "yes");
    let p = &lines[0]["prediction"]["probabilities"];
    assert!((p["yes"].as_f64().unwrap() + p["no"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(lines[1]["error"]["code"], "WRONG_TYPE");
    assert_eq!(lines[1]["error"]["field"], "age");
    assert_eq!(lines[2]["error"]["code"], "JSON");
    let rows: Vec<u64> = lines.iter().map(|l| l["row"].as_u64().unwrap()).collect();
    assert_eq!(
        rows,
        [1, 3, 4],
        "rows are line numbers; the blank line 2 is skipped"
    );
}

#[test]
fn corrupt_bundles_are_refused_with_a_code() {
    let bytes = std::fs::read(model_path()).unwrap();
    let dir = scratch("corrupt");
    let input = dir.join("in.csv");
    std::fs::write(&input, "name,sex,age,passengerClass\nX,male,3,1st\n").unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            bytes[..bytes.len() / 2].to_vec(),
            "BUNDLE_TRUNCATED",
        ),
        (
            "flipped",
            {
                let mut b = bytes.clone();
                let at = b.len() - 100; // inside the last part (the NNEF graph)
                b[at] ^= 0x01;
                b
            },
            "BUNDLE_CHECKSUM",
        ),
        (
            "manifest-flip",
            {
                let mut b = bytes.clone();
                b[40] ^= 0x20;
                b
            },
            "BUNDLE_CHECKSUM",
        ),
        (
            "not-a-bundle",
            b"hello world, not a model".to_vec(),
            "BUNDLE_BAD_MAGIC",
        ),
        (
            "future-version",
            {
                let mut b = bytes.clone();
                b[8] = 99;
                b
            },
            "BUNDLE_VERSION",
        ),
        ("empty", Vec::new(), "BUNDLE_BAD_MAGIC"),
    ];
    for (name, data, code) in cases {
        let path = dir.join(format!("{name}.tandem"));
        std::fs::write(&path, data).unwrap();
        let out = tandem(&[
            "predict",
            "--model",
            path.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{name}: expected {code} in {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn malformed_model_uris_and_unknown_runs_fail_cleanly() {
    for uri in ["runs:/nothex", "runs:/0123456789abcdef0123456789abcdef"] {
        let out = tandem(&[
            "predict",
            "--model",
            uri,
            "--input",
            "x.csv",
            "--runs-dir",
            "/nonexistent",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("malformed model URI") || err.contains("unknown run id"),
            "{err}"
        );
    }
}

#[test]
fn zero_hidden_layers_is_logistic_regression_and_regression_works() {
    let runs = scratch("other-runs");
    let data = root().join("examples/data/cps1985.csv");
    let s = train_json(&[
        "--data",
        data.to_str().unwrap(),
        "--label",
        "wage",
        "--hidden",
        "none",
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let rmse = s["metrics"]["validation_rmse"].as_f64().unwrap();
    assert!(rmse > 1.0 && rmse < 8.0, "cps1985 wage RMSE {rmse}");
    let inspect = tandem(&["inspect", s["model"].as_str().unwrap()]);
    let j: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(
        j["metadata"]["model"]["hidden_layers"],
        serde_json::json!([])
    );
    assert_eq!(j["schema"]["label"]["task"]["kind"], "regression");
    assert_eq!(j["manifest"]["format_version"], 1);
}

#[test]
fn training_data_errors_name_the_row() {
    let dir = scratch("bad-train");
    let data = dir.join("bad.csv");
    std::fs::write(&data, "x,y\n1,a\n2,b\n3\n4,a\n").unwrap();
    let out = tandem(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "y",
        "--runs-dir",
        dir.to_str().unwrap(),
    ]);
    // A ragged record is set aside (one of four rows is past the 1% allowed), named by row.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("[CSV] row 3: 1 cells where the header has 2"),
        "{}",
        text(&out)
    );
    std::fs::write(&data, "x,y\n1,a\n2,b\n").unwrap();
    let out = tandem(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "nope",
        "--runs-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(text(&out).contains("label column `nope`"), "{}", text(&out));
}

#[test]
fn a_schema_file_overrides_inference() {
    let dir = scratch("schema-override");
    let data = root().join("examples/data/iris.csv");
    // Declare petal_width_cm a category: the bundle must then one-hot it instead of scaling it.
    let schema = serde_json::json!({
        "fields": [
            {"name": "sepal_length_cm", "type": "number", "nullable": false},
            {"name": "sepal_width_cm", "type": "number", "nullable": false},
            {"name": "petal_length_cm", "type": "number", "nullable": true},
            {"name": "petal_width_cm", "type": "category", "nullable": false}
        ],
        "label": {"name": "target", "task": {"kind": "classification", "classes": ["setosa", "versicolor", "virginica"]}}
    });
    let path = dir.join("schema.json");
    std::fs::write(&path, schema.to_string()).unwrap();
    let s = train_json(&[
        "--data",
        data.to_str().unwrap(),
        "--label",
        "target",
        "--schema",
        path.to_str().unwrap(),
        "--runs-dir",
        dir.to_str().unwrap(),
        "--max-epochs",
        "20",
    ]);
    let inspect = tandem(&["inspect", s["model"].as_str().unwrap()]);
    let j: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    // The file's types are kept; whether a field accepts a missing value follows its node
    // (every node here imputes), not the file's record of gaps.
    let mut want = schema.clone();
    for f in want["fields"].as_array_mut().unwrap() {
        f["nullable"] = serde_json::json!(true);
    }
    assert_eq!(j["schema"], want);
    let nodes: Vec<&str> = j["preprocessing"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["node"], "column");
            s["encode"].as_str().unwrap()
        })
        .collect();
    assert_eq!(nodes, ["number", "number", "number", "one_hot"]);

    let out = tandem(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "sepal_length_cm",
        "--schema",
        path.to_str().unwrap(),
        "--runs-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("has label `target`"), "{}", text(&out));
}

#[test]
fn free_text_names_become_tfidf_features_with_the_titles() {
    let inspect = tandem(&["inspect", &model_path()]);
    assert!(inspect.status.success(), "{}", text(&inspect));
    let j: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let steps = j["preprocessing"]["steps"].as_array().unwrap();
    let tfidf = steps
        .iter()
        .find(|s| s["encode"] == "tfidf")
        .expect("a tfidf node for `name`");
    assert_eq!(tfidf["input"]["field"], "name");
    let vocab: Vec<&str> = tfidf["vocabulary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(vocab.len(), 100, "--text-max-features default");
    for title in ["mr", "mrs", "miss", "master"] {
        assert!(vocab.contains(&title), "{title} in {vocab:?}");
    }
    assert_eq!(
        j["metadata"]["feature_names"].as_array().unwrap().len(),
        j["metadata"]["model"]["n_features"].as_u64().unwrap() as usize
    );
}

#[test]
fn schema_infer_describes_every_column() {
    let data = root().join("examples/data/titanic.csv");
    let out = tandem(&["schema", "infer", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(&str, &str, bool)> = j["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["type"].as_str().unwrap(),
                f["nullable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("name", "text", false),
            ("survived", "boolean", false),
            ("sex", "category", false),
            ("age", "number", true),
            ("passengerClass", "category", false)
        ]
    );
    assert_eq!(j["fields"][3]["max"], 80.0);
    let out = tandem(&[
        "schema",
        "infer",
        data.to_str().unwrap(),
        "--label",
        "survived",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j["label"]["task"]["classes"],
        serde_json::json!(["no", "yes"])
    );
    assert_eq!(j["fields"].as_array().unwrap().len(), 4);
}

#[test]
fn validate_reports_every_bad_row_against_a_bundle_schema() {
    let dir = scratch("validate");
    let data = dir.join("new.csv");
    std::fs::write(
        &data,
        "name,sex,age,passengerClass\nA,male,30,1st\nB,male,200,1st\nC,,3,1st\nD,female,x,1st\nE,female,3,4th\nF,female\n",
    )
    .unwrap();
    let out = tandem(&[
        "validate",
        "--schema",
        &model_path(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(u64, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["row"].as_u64().unwrap(),
                l["level"].as_str().unwrap(),
                l["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, "warning", "OUT_OF_RANGE"),
            (4, "error", "WRONG_TYPE"),
            (5, "warning", "UNKNOWN_CATEGORY"),
            (6, "error", "CSV"),
        ]
    );
    std::fs::write(&data, "name,sex,age,passengerClass\nA,male,30,1st\n").unwrap();
    let out = tandem(&[
        "validate",
        "--schema",
        &model_path(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn out_of_range_numbers_warn_clip_or_fail_as_asked() {
    // The training range of `age` is [0.1667, 80].
    let csv = "name,sex,age,passengerClass\nA,male,30,1st\nB,male,200,1st\n";
    let (out, written) = predict_csv("range-warn", csv, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let rows: Vec<&str> = written.lines().collect();
    assert!(
        rows[1].ends_with(','),
        "no warning for an in-range row: {}",
        rows[1]
    );
    assert!(rows[2].ends_with("OUT_OF_RANGE:age"), "{}", rows[2]);

    let (out, clipped) = predict_csv("range-clip", csv, &["--range", "clip"]);
    assert!(out.status.success(), "{}", text(&out));
    let (_, at_max) = predict_csv(
        "range-max",
        "name,sex,age,passengerClass\nB,male,80,1st\n",
        &[],
    );
    let probs = |s: &str, line: usize| {
        s.lines()
            .nth(line)
            .unwrap()
            .split(',')
            .skip(1)
            .take(3)
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        probs(&clipped, 2),
        probs(&at_max, 1),
        "200 clips to the training maximum 80"
    );

    let (out, failed) = predict_csv("range-error", csv, &["--range", "error"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        failed.lines().nth(2).unwrap().contains("OUT_OF_RANGE,age"),
        "{failed}"
    );

    let (out, _) = predict_csv("range-bad", csv, &["--range", "sometimes"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap rejects the value: {}",
        text(&out)
    );
}

#[test]
fn rows_without_a_label_are_dropped_and_counted() {
    let dir = scratch("no-label");
    let src = std::fs::read_to_string(root().join("examples/data/iris.csv")).unwrap();
    // Blank the label of every 10th row.
    let data: String = src
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i > 0 && i % 10 == 0 {
                format!("{},\n", l.rsplit_once(',').unwrap().0)
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = dir.join("iris.csv");
    std::fs::write(&path, data).unwrap();
    let s = train_json(&[
        "--data",
        path.to_str().unwrap(),
        "--label",
        "target",
        "--runs-dir",
        dir.to_str().unwrap(),
        "--max-epochs",
        "30",
    ]);
    let run = Path::new(s["run_dir"].as_str().unwrap());
    let split: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("artifacts/split.json")).unwrap())
            .unwrap();
    assert_eq!(split["dropped_missing_label"], 15);
    let used: Vec<u64> = split["train"]
        .as_array()
        .unwrap()
        .iter()
        .chain(split["validation"].as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(used.len(), 135);
    assert!(
        used.iter().all(|r| r % 10 != 0),
        "dropped rows are not used"
    );
}
