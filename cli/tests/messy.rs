//! Messy real data (tests/fixtures/messy, built by its make.py from titanic.csv): every variant
//! reads, trains and predicts exactly as its clean twin, and broken files fail with errors that
//! say where and what to do.
#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

mod common;

use std::path::PathBuf;

use common::{root, scratch, tandem, text, train_json};

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/messy")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// `tandem schema infer <file> --label survived <flags>`: the schema JSON.
fn schema_of(name: &str, flags: &[&str]) -> serde_json::Value {
    let file = fixture(name);
    let mut args = vec!["schema", "infer", &file, "--label", "survived"];
    args.extend_from_slice(flags);
    let out = tandem(&args);
    assert!(out.status.success(), "{name}: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Train on the file with `flags`, then predict that same file with no flags (the bundle
/// knows how its data was read): the predictions CSV.
fn train_and_predict(name: &str, flags: &[&str]) -> String {
    let dir: PathBuf = scratch(&format!("messy-{name}"));
    let runs = dir.join("runs");
    let file = fixture(name);
    let mut args = vec![
        "--data",
        &file,
        "--label",
        "survived",
        "--max-epochs",
        "3",
        "--runs-dir",
        runs.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let summary = train_json(&args);
    let model = summary["model"].as_str().unwrap().to_string();
    let output = dir.join("predictions.csv");
    let out = tandem(&[
        "predict",
        "--model",
        &model,
        "--input",
        &file,
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{name}: {}", text(&out));
    std::fs::read_to_string(output).unwrap()
}

/// Every messy variant with the flags it needs.
const VARIANTS: [(&str, &[&str]); 9] = [
    ("markers.csv", &["--na-values", "?,-"]),
    ("thousands.csv", &["--thousands", ","]),
    ("decimal_comma.csv", &["--decimal", ","]),
    ("semicolon.csv", &[]),
    ("tab.tsv", &[]),
    ("pipe.csv", &[]),
    ("bom.csv", &[]),
    ("index.csv", &[]),
    ("jsonl.jsonl", &[]),
];

#[test]
fn every_messy_variant_infers_the_schema_of_its_clean_twin() {
    let clean = schema_of("clean.csv", &[]);
    assert_eq!(clean["fields"][2]["type"], "number", "age: {clean}");
    for (name, flags) in VARIANTS {
        assert_eq!(schema_of(name, flags), clean, "{name}");
    }
}

#[test]
fn every_messy_variant_trains_and_predicts_exactly_as_its_clean_twin() {
    let clean = train_and_predict("clean.csv", &[]);
    assert_eq!(clean.lines().count(), 329, "a prediction per row");
    for (name, flags) in VARIANTS {
        assert_eq!(train_and_predict(name, flags), clean, "{name}");
    }
}

#[test]
fn a_pandas_index_column_is_left_out_with_a_note() {
    let out = tandem(&["schema", "infer", &fixture("index.csv")]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("note: the first column is a pandas index"));
}

#[test]
fn a_file_read_as_one_column_suggests_its_delimiter() {
    let out = tandem(&[
        "schema",
        "infer",
        &fixture("semicolon.csv"),
        "--delimiter",
        ",",
    ]);
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(msg.contains("[ONE_COLUMN]"), "{msg}");
    assert!(msg.contains("--delimiter ';'"), "{msg}");
}

/// The error line of a failed command, with its code.
fn error_line(args: &[&str], code: &str) -> String {
    let out = tandem(args);
    assert!(!out.status.success(), "{args:?} must fail");
    let msg = text(&out);
    msg.lines()
        .find(|l| l.contains(code))
        .unwrap_or_else(|| panic!("no {code} in {msg}"))
        .trim_start_matches("Error: ")
        .to_string()
}

/// The same header error from `schema infer`, `init` and `train`.
fn header_error_everywhere(name: &str, code: &str) -> String {
    let file = fixture(name);
    let dir = scratch(&format!("header-{name}"));
    let spec = dir.join("tandem.toml");
    let runs = dir.join("runs");
    let infer = error_line(&["schema", "infer", &file], code);
    let init = error_line(
        &[
            "init",
            "--data",
            &file,
            "--label",
            "survived",
            "--out",
            spec.to_str().unwrap(),
        ],
        code,
    );
    let train = error_line(
        &[
            "train",
            "--data",
            &file,
            "--label",
            "survived",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        code,
    );
    assert_eq!(infer, init, "{name}");
    assert_eq!(infer, train, "{name}");
    infer
}

#[test]
fn a_duplicate_header_name_gives_both_column_numbers_in_infer_init_and_train() {
    let msg = header_error_everywhere("duplicate_header.csv", "[DUPLICATE_HEADER]");
    assert!(
        msg.contains("column 6 is named `age`, as column 4 is"),
        "{msg}"
    );
}

#[test]
fn an_empty_header_name_gives_its_column_number_in_infer_init_and_train() {
    let msg = header_error_everywhere("empty_header.csv", "[EMPTY_HEADER]");
    assert!(msg.contains("column 3 has no name"), "{msg}");
}

#[test]
fn an_unnamed_first_column_that_is_no_index_gets_the_pandas_hint() {
    let msg = header_error_everywhere("unnamed_first.csv", "[EMPTY_HEADER]");
    assert!(msg.contains("column 1 has no name"), "{msg}");
    assert!(msg.contains("to_csv(index=False)"), "{msg}");
}

#[test]
fn a_label_with_fractions_is_a_regression_and_the_task_can_be_forced() {
    let clean = fixture("clean.csv");
    let infer = |extra: &[&str]| {
        let mut args = vec!["schema", "infer", &clean, "--label", "age"];
        args.extend_from_slice(extra);
        let out = tandem(&args);
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["label"]["task"].clone()
    };
    assert_eq!(infer(&[])["kind"], "regression");
    assert_eq!(
        infer(&["--task", "classification"])["kind"],
        "classification"
    );
    let out = tandem(&[
        "schema",
        "infer",
        &clean,
        "--label",
        "sex",
        "--task",
        "regression",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("cannot be a regression"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_split_that_fails_names_the_small_class_and_its_rows() {
    let runs = scratch("messy-split").join("runs");
    let out = tandem(&[
        "train",
        "--data",
        &fixture("clean.csv"),
        "--label",
        "name",
        "--task",
        "classification",
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(msg.contains("not enough rows to split"), "{msg}");
    assert!(msg.contains("has 1 row"), "{msg}");
}

#[test]
fn init_writes_the_reading_flags_into_the_spec_so_training_reads_the_same() {
    let dir = scratch("messy-init");
    let spec = dir.join("tandem.toml");
    let out = tandem(&[
        "init",
        "--data",
        &fixture("markers.csv"),
        "--label",
        "survived",
        "--na-values",
        "?,-",
        "--out",
        spec.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&spec).unwrap();
    assert!(written.contains("na_values = [\"?\", \"-\"]"), "{written}");
    let runs = dir.join("runs");
    let s = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    assert!(s["model"].is_string());
}

#[test]
fn init_starts_iso_date_columns_as_datetime_features_and_the_spec_trains() {
    // Titanic rows with the day each passenger boarded (Southampton, Cherbourg, Queenstown).
    let dir = scratch("messy-init-dates");
    let clean = std::fs::read_to_string(root().join("examples/data/titanic.csv")).unwrap();
    let mut lines = clean.lines();
    let mut csv = format!("{},boarded\n", lines.next().unwrap());
    for (i, line) in lines.enumerate() {
        let day = ["1912-04-10", "1912-04-10", "1912-04-11"][i % 3];
        csv.push_str(&format!("{line},{day}\n"));
    }
    let data = dir.join("boarded.csv");
    std::fs::write(&data, csv).unwrap();
    let spec = dir.join("tandem.toml");
    let out = tandem(&[
        "init",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "survived",
        "--out",
        spec.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&spec).unwrap();
    assert!(
        written.contains("field = \"boarded\"\n# text\nencode = \"datetime\""),
        "{written}"
    );
    assert!(written.contains("format = \"%Y-%m-%d\""), "{written}");
    let s = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        dir.join("runs").to_str().unwrap(),
        "--max-epochs",
        "5",
    ]);
    assert!(s["model"].is_string(), "{s}");
}
