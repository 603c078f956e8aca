//! The schema contract as a CLI user meets it: what `predict` warns about or rejects, and
//! `validate` reporting exactly that, on titanic rows written the ways people write them.
#![allow(clippy::unwrap_used, clippy::panic)] // Test code: a panic is a failed test.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{root, scratch, tandem, text, train_json};

fn model() -> &'static str {
    static MODEL: OnceLock<String> = OnceLock::new();
    MODEL.get_or_init(|| {
        let runs = scratch("contract-runs");
        let data = root().join("examples/data/titanic.csv");
        let s = train_json(&[
            "--data",
            data.to_str().unwrap(),
            "--label",
            "survived",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--max-epochs",
            "30",
        ]);
        s["model"].as_str().unwrap().to_string()
    })
}

/// Real titanic passengers, then the same rows as people mistype them.
const ROWS: &str = concat!(
    "name,sex,age,passengerClass\n",
    "\"Allen, Miss. Elisabeth Walton\",female,29,1st\n", // 1 clean
    "\"Allen, Miss. Elisabeth Walton\",Female,29,1st\n", // 2 capitalised category
    "\"Allison, Master. Hudson Trevor\",male,200,1st\n", // 3 out of range
    "\"Allison, Miss. Helen Loraine\",,2,1st\n",         // 4 missing: imputed
    "\"Allison, Mr. Hudson Joshua Creighton\",male,thirty,1st\n", // 5 wrong type
    "\"Andrews, Mr. Thomas Jr\",male,39,1\n",            // 6 a class written as a number
    "\"Anderson, Mr. Harry\",male,-5,first\n",           // 7 both
);

fn input(name: &str) -> PathBuf {
    let path = scratch(name).join("rows.csv");
    std::fs::write(&path, ROWS).unwrap();
    path
}

/// `(row, level, code, field)` of every error and warning `predict` writes (JSON Lines).
fn predicted(path: &Path, extra: &[&str]) -> BTreeSet<(u64, String, String, String)> {
    let out_path = path.with_file_name("out.jsonl");
    let mut args = vec![
        "predict",
        "--model",
        model(),
        "--input",
        path.to_str().unwrap(),
        "--output",
        out_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = tandem(&args);
    assert!(matches!(out.status.code(), Some(0 | 2)), "{}", text(&out));
    let mut found = BTreeSet::new();
    for line in std::fs::read_to_string(&out_path).unwrap().lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let row = j["row"].as_u64().unwrap();
        if let Some(e) = j.get("error") {
            let field = e["field"].as_str().unwrap_or("").to_string();
            found.insert((
                row,
                "error".into(),
                e["code"].as_str().unwrap().into(),
                field,
            ));
        }
        for w in j["warnings"].as_array().into_iter().flatten() {
            let (code, field) = (w["code"].as_str().unwrap(), w["field"].as_str().unwrap());
            found.insert((row, "warning".into(), code.into(), field.into()));
        }
    }
    found
}

fn validated(path: &Path, extra: &[&str]) -> BTreeSet<(u64, String, String, String)> {
    let mut args = vec![
        "validate",
        "--schema",
        model(),
        "--data",
        path.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = tandem(&args);
    assert!(matches!(out.status.code(), Some(0 | 2)), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                j["row"].as_u64().unwrap(),
                j["level"].as_str().unwrap().to_string(),
                j["code"].as_str().unwrap().to_string(),
                j["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn validate_reports_exactly_what_predict_warns_about_or_rejects() {
    let path = input("validate-is-predict");
    for extra in [
        &[][..],
        &["--strict"][..],
        &["--range", "clip"][..],
        &["--range", "error"][..],
        &["--strict", "--range", "error"][..],
    ] {
        let p = predicted(&path, extra);
        assert!(!p.is_empty(), "{extra:?}: the rows hold problems");
        assert_eq!(validated(&path, extra), p, "{extra:?}");
    }
}

#[test]
fn unknown_categories_warn_by_default_and_strict_rejects_them() {
    let path = input("unknown-categories");
    let lenient = predicted(&path, &[]);
    let w = |row: u64, field: &str| {
        (
            row,
            "warning".into(),
            "UNKNOWN_CATEGORY".into(),
            field.into(),
        )
    };
    for (row, field) in [(2, "sex"), (6, "passengerClass"), (7, "passengerClass")] {
        assert!(lenient.contains(&w(row, field)), "row {row}: {lenient:?}");
    }
    assert!(
        !lenient.iter().any(|(row, ..)| *row == 1 || *row == 4),
        "{lenient:?}"
    );
    let strict = predicted(&path, &["--strict"]);
    let e = |row: u64, field: &str| (row, "error".into(), "UNKNOWN_CATEGORY".into(), field.into());
    for (row, field) in [(2, "sex"), (6, "passengerClass")] {
        assert!(strict.contains(&e(row, field)), "row {row}: {strict:?}");
    }
}

#[test]
fn warnings_name_every_known_category_and_what_a_clipped_number_became() {
    let path = input("messages");
    let out_path = path.with_file_name("out.jsonl");
    let out = tandem(&[
        "predict",
        "--model",
        model(),
        "--input",
        path.to_str().unwrap(),
        "--output",
        out_path.to_str().unwrap(),
        "--range",
        "clip",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sex = &lines[1]["warnings"][0];
    assert_eq!(
        sex["message"],
        r#""Female" is not a category seen in training (known: "female", "male")"#
    );
    let age = &lines[2]["warnings"][0];
    assert_eq!(age["code"], "OUT_OF_RANGE");
    let message = age["message"].as_str().unwrap();
    let rest = message
        .strip_prefix("200 is outside the training range [")
        .unwrap_or_else(|| panic!("{message}"));
    let (range, clipped) = rest.split_once("]; clipped to ").unwrap();
    let (_, max) = range.split_once(", ").unwrap();
    assert_eq!(clipped, max, "{message}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("categories not seen in training"),
        "{stderr}"
    );
}

#[test]
fn a_missing_value_is_accepted_where_the_node_imputes() {
    let path = input("imputes");
    let found = predicted(&path, &[]);
    assert!(!found.iter().any(|(row, ..)| *row == 4), "{found:?}");
}

#[test]
fn a_file_lacking_columns_is_refused_naming_every_absent_one_by_predict_and_validate() {
    // Two of the model's four inputs: predicting would impute the rest for every row and give
    // every row the same answer, so the file is refused as a whole.
    let path = scratch("lacking-columns").join("rows.csv");
    std::fs::write(
        &path,
        "name,passengerClass\n\"Allen, Miss. E\",1st\n\"Doe, Mr. J\",3rd\n",
    )
    .unwrap();
    let out_path = path.with_file_name("out.csv");
    for args in [
        vec![
            "predict",
            "--model",
            model(),
            "--input",
            path.to_str().unwrap(),
            "--output",
            out_path.to_str().unwrap(),
        ],
        vec![
            "validate",
            "--schema",
            model(),
            "--data",
            path.to_str().unwrap(),
        ],
    ] {
        let out = tandem(&args);
        assert!(!out.status.success(), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("MISSING_FIELD"), "{err}");
        assert!(
            err.contains("no column for 2 fields: `sex`, `age`"),
            "{err}"
        );
    }
    assert!(!out_path.exists(), "nothing is written for a refused file");
}

#[test]
fn a_number_that_does_not_read_names_the_reading_option_that_would_read_it() {
    let path = scratch("number-hints").join("rows.csv");
    std::fs::write(
        &path,
        "name;sex;age;passengerClass\n\"Doe, Mr. J\";male;?;1st\n\"Roe, Mrs. A\";female;1.234,5;3rd\n",
    )
    .unwrap();
    let out_path = path.with_file_name("out.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "predict",
            "--model",
            model(),
            "--input",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(&["--output", out_path.to_str().unwrap()]);
        args.extend_from_slice(extra);
        tandem(&args)
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("declare it: --na-values '?'"), "{err}");
    assert!(
        err.contains("read with --thousands '.' --decimal ','"),
        "{err}"
    );
    // Following the hints, both rows predict.
    let out = run(&["--na-values", "?", "--thousands", ".", "--decimal", ","]);
    assert!(out.status.success(), "{}", text(&out));
}
