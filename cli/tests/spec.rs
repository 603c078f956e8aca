//! End-to-end tests of pipeline specs: `tandem init`, `tandem train --spec`, located spec
//! errors, the export check, and the training-only nodes' effect on real data.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

mod common;
use common::{root, scratch, tandem, text, train_json};

use std::path::Path;

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A spec over the titanic example with `body` appended (features, training nodes, ...).
fn titanic_spec(dir: &Path, body: &str) -> std::path::PathBuf {
    let data = root().join("examples/data/titanic.csv");
    let spec = dir.join("tandem.toml");
    std::fs::write(
        &spec,
        format!(
            "version = 1\n[data]\npath = {:?}\nlabel = \"survived\"\n{body}",
            data.to_str().unwrap()
        ),
    )
    .unwrap();
    spec
}

#[test]
fn init_writes_a_commented_spec_that_trains_as_is() {
    let dir = scratch("init");
    let spec = dir.join("tandem.toml");
    let data = root().join("examples/data/cps1985.csv");
    let out = tandem(&[
        "init",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "wage",
        "--out",
        spec.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&spec).unwrap();
    assert!(
        written.contains("label = \"wage\"  # inferred task: regression"),
        "{written}"
    );
    assert_eq!(
        written.lines().filter(|l| *l == "[[feature]]").count(),
        10,
        "one feature per field"
    );
    // Never overwrites without --force.
    let again = tandem(&[
        "init",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "wage",
        "--out",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("--force"));

    let runs = dir.join("runs");
    let s = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let run = Path::new(s["run_dir"].as_str().unwrap());
    assert_eq!(
        std::fs::read_to_string(run.join("artifacts/spec.toml")).unwrap(),
        written,
        "the spec is kept with the run"
    );
    assert!(s["metrics"]["validation_rmse"].as_f64().unwrap() > 0.0);
}

#[test]
fn default_pipeline_text_flags_and_a_spec_do_not_mix() {
    // Flags with a spec key override the spec (tests/training.rs); the default pipeline's
    // text settings have none (a spec sets them per feature), so they are refused with one.
    let dir = scratch("mix");
    let spec = titanic_spec(&dir, "");
    let out = tandem(&[
        "train",
        "--spec",
        spec.to_str().unwrap(),
        "--text-min-df",
        "4",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap usage error: {}",
        text(&out)
    );
    assert!(text(&out).contains("cannot be used with"), "{}", text(&out));
}

#[test]
fn spec_errors_name_file_line_and_column() {
    let dir = scratch("spec-errors");
    let cases: &[(&str, &str)] = &[
        (
            "[model]\nhiden = [4]\n",
            "tandem.toml:6:1: unknown field `hiden`",
        ),
        (
            "[[feature]]\nfield = \"age\"\nencode = \"onehot\"\n",
            "tandem.toml:7:10: unknown variant `onehot`",
        ),
        (
            "[[feature]]\nfield = \"agee\"\n",
            "tandem.toml:6:9: feature 1: field `agee` is not in the schema",
        ),
        (
            "[[feature]]\nfield = \"survived\"\n",
            "the label: the inference pipeline never sees it (export check)",
        ),
        (
            "[[feature]]\nname = \"x\"\nexpr = \"age / survived\"\n",
            "expr reads `survived`, the label",
        ),
        (
            "[[feature]]\nfield = \"sex\"\nbuckets = 4\n",
            "tandem.toml:7:11: feature 1: `buckets` applies to encode = \"hashing\", not \"one_hot\"",
        ),
        (
            "[[feature]]\nfield = \"name\"\nextract = '([a-z'\n",
            "tandem.toml:7:11: feature 1: invalid pattern",
        ),
        (
            "[[feature]]\nfield = \"age\"\nextract = 'x'\n",
            "`extract` needs a text or category field",
        ),
        (
            "[training]\nfilter = [\"agee > 3\"]\n",
            "tandem.toml:6:11: filter \"agee > 3\": `agee` is not an input field",
        ),
        ("[split]\ntest = 0.9\n", "tandem.toml:6:8: split.test"),
    ];
    for (body, want) in cases {
        let spec = titanic_spec(&dir, body);
        let out = tandem(&[
            "train",
            "--spec",
            spec.to_str().unwrap(),
            "--runs-dir",
            dir.join("runs").to_str().unwrap(),
        ]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{body}: {t}");
        assert!(t.contains(want), "{body}\nwanted: {want}\ngot: {t}");
        assert!(t.contains(" | "), "the offending line is shown: {t}");
    }
    assert!(
        !dir.join("runs").exists(),
        "no run folder for a rejected spec"
    );
}

#[test]
fn training_only_nodes_shape_the_rows_and_never_reach_the_bundle() {
    let dir = scratch("training-nodes");
    let spec = titanic_spec(
        &dir,
        "[split]\nvalidation = 0.2\ntest = 0.2\nfolds = 3\n\
         [training]\ndedupe = true\nfilter = [\"age >= 1\"]\nrebalance = \"oversample\"\n\
         winsorize = [{ field = \"age\", low = 0.05, high = 0.95 }]\n\
         [model]\nmax_epochs = 30\n",
    );
    let s = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        dir.join("runs").to_str().unwrap(),
    ]);
    let run = Path::new(s["run_dir"].as_str().unwrap());
    let params = read_json(&run.join("params.json"));
    // Independent count: rows with an age below 1 or no age at all fail `age >= 1`.
    let mut reader = csv::Reader::from_path(root().join("examples/data/titanic.csv")).unwrap();
    let age_col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "age")
        .unwrap();
    let mut filtered = 0;
    let mut kept = Vec::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        match rec[age_col].trim().parse::<f64>() {
            Ok(a) if a >= 1.0 => kept.push(rec.iter().map(str::to_string).collect::<Vec<_>>()),
            _ => filtered += 1,
        }
    }
    assert_eq!(params["dropped_by_filter"], filtered.to_string());
    let unique: std::collections::HashSet<_> = kept.iter().cloned().collect();
    assert_eq!(
        params["dropped_duplicates"],
        (kept.len() - unique.len()).to_string()
    );
    let split = read_json(&run.join("artifacts/split.json"));
    let rows = |k: &str| split[k].as_array().unwrap().len();
    assert_eq!(
        rows("train") + rows("validation") + rows("test"),
        unique.len()
    );
    let m = &s["metrics"];
    for k in [
        "test_accuracy",
        "cv_accuracy_mean",
        "cv_accuracy_std",
        "validation_accuracy",
    ] {
        assert!(m[k].as_f64().is_some(), "metric {k} in {m}");
    }
    // Only shared nodes in the bundle: the inference pipeline has no trace of training-only ones.
    let inspect = tandem(&["inspect", s["model"].as_str().unwrap()]);
    let j: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let pre = j["preprocessing"].to_string();
    for word in ["filter", "dedupe", "winsor", "oversample", "fold"] {
        assert!(!pre.contains(word), "{word} leaked into the bundle: {pre}");
    }
}

#[test]
fn declared_nodes_reject_bad_instances_with_a_code() {
    let dir = scratch("declared");
    let spec = titanic_spec(
        &dir,
        "[model]\nmax_epochs = 10\n\
         [[feature]]\nname = \"title\"\nfield = \"name\"\nextract = ',\\s*([^.]+)\\.'\nencode = \"one_hot\"\n\
         [[feature]]\nfield = \"sex\"\nboolean = { true = [\"female\"], false = [\"male\"] }\n\
         [[feature]]\nfield = \"age\"\nlog1p = true\nindicator = true\n",
    );
    let s = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        dir.join("runs").to_str().unwrap(),
    ]);
    let input = dir.join("new.csv");
    std::fs::write(
        &input,
        "name,sex,age,passengerClass\n\"Doe, Mr. John\",male,30,1st\n\"Roe, Ms. Ann\",unknown,30,1st\n\"Poe, Dr. E\",female,-5,2nd\nno comma,female,,3rd\n",
    )
    .unwrap();
    let out = tandem(&[
        "predict",
        "--model",
        s["model"].as_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        "-",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "rows were rejected: {}",
        text(&out)
    );
    let t = text(&out);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "one output row per input row: {t}");
    assert!(
        t.contains("INVALID_VALUE") && t.contains("is neither true (female) nor false (male)"),
        "{t}"
    );
    assert!(t.contains("log1p is undefined"), "{t}");
    assert!(
        lines[4].contains("yes") || lines[4].contains("no"),
        "a name without a title still predicts: {t}"
    );
}
