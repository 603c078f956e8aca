//! End-to-end tests of training settings: checked before any data is read, flags that
//! override a spec, what a run logs so `runs compare` shows what changed, the data's
//! warnings, the export check at a high learning rate, and the help every subcommand gives.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

mod common;
use common::{example, json_of, scratch, tandem, text, train_json};

use std::path::{Path, PathBuf};

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A titanic spec in `dir` with `body` appended.
fn titanic_spec(dir: &Path, name: &str, body: &str) -> PathBuf {
    let spec = dir.join(name);
    std::fs::write(
        &spec,
        format!(
            "version = 1\n[data]\npath = {:?}\nlabel = \"survived\"\n{body}",
            example("titanic.csv")
        ),
    )
    .unwrap();
    spec
}

#[test]
fn out_of_range_hyperparameters_are_refused_by_flag_value_and_range_before_the_data_is_read() {
    let dir = scratch("settings-flags");
    let runs = dir.join("runs");
    // The data file does not exist: a refusal that names the setting came before reading it.
    let cases: &[(&[&str], &str)] = &[
        (
            &["--learning-rate", "-1"],
            "--learning-rate -1 is out of range: it must be greater than 0 and at most 10",
        ),
        (
            &["--learning-rate", "0"],
            "--learning-rate 0 is out of range",
        ),
        (
            &["--learning-rate", "NaN"],
            "--learning-rate NaN is out of range",
        ),
        (
            &["--learning-rate", "11"],
            "--learning-rate 11 is out of range",
        ),
        (
            &["--batch-size", "0"],
            "--batch-size 0 is out of range: it must be at least 1",
        ),
        (&["--max-epochs", "0"], "--max-epochs 0 is out of range"),
        (
            &["--weight-decay", "-0.5"],
            "--weight-decay -0.5 is out of range: it must be at least 0 and at most 1",
        ),
        (&["--hidden", ""], "--hidden is empty"),
        (&["--hidden", "8,0"], "--hidden 8,0 is out of range"),
        (
            &["--validation-fraction", "1.5"],
            "--validation-fraction 1.5 is out of range: it must be between 0 and 1",
        ),
        (
            &["--test-fraction", "0.9"],
            "--test-fraction 0.9 is out of range",
        ),
        (
            &["--folds", "1"],
            "--folds 1 is out of range: it must be between 2 and 50",
        ),
        (
            &["--ensemble", "0"],
            "--ensemble 0 is out of range: it must be between 1 (one network) and 20",
        ),
        (&["--ensemble", "21"], "--ensemble 21 is out of range"),
    ];
    for (flags, want) in cases {
        let mut args = vec![
            "train",
            "--data",
            "no-such-file.csv",
            "--label",
            "y",
            "--runs-dir",
            runs.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        let out = tandem(&args);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {t}");
        assert!(t.contains(want), "{flags:?}\nwanted: {want}\ngot: {t}");
        assert!(!t.contains("no-such-file"), "the data was read first: {t}");
    }
    assert!(!runs.exists(), "no run for refused settings");
}

#[test]
fn an_out_of_range_setting_in_a_spec_is_located_at_its_value() {
    let dir = scratch("settings-spec");
    let spec = dir.join("tandem.toml");
    std::fs::write(
        &spec,
        "version = 1\n[data]\npath = \"no-such-file.csv\"\nlabel = \"y\"\n\
         [model]\nbatch_size = 16\nlearning_rate = -1\n",
    )
    .unwrap();
    let out = tandem(&["train", "--spec", spec.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("tandem.toml:7:17: model.learning_rate = -1 is out of range: it must be greater than 0 and at most 10"),
        "{t}"
    );
}

#[test]
fn a_flag_fixes_an_out_of_range_spec_value_it_overrides() {
    // The spec is valid; a flag sets an invalid value: the message names the flag.
    let dir = scratch("settings-override");
    let spec = titanic_spec(&dir, "tandem.toml", "[model]\nmax_epochs = 5\n");
    let out = tandem(&[
        "train",
        "--spec",
        spec.to_str().unwrap(),
        "--batch-size",
        "0",
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("--batch-size 0 is out of range"), "{t}");
}

#[test]
fn train_without_a_spec_or_data_points_at_spec_and_init() {
    let out = tandem(&["train"]);
    let t = text(&out);
    assert_ne!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("--spec tandem.toml"), "{t}");
    assert!(t.contains("tandem init --data"), "{t}");
}

#[test]
fn every_flag_with_a_spec_key_overrides_the_spec() {
    let dir = scratch("overrides");
    let spec = titanic_spec(
        &dir,
        "tandem.toml",
        "[split]\nvalidation = 0.2\nseed = 1\n\
         [model]\nhidden = [8]\nlearning_rate = 0.01\nbatch_size = 32\nmax_epochs = 4\npatience = 20\nweight_decay = 0.0\n",
    );
    let copy = dir.join("copy.csv");
    std::fs::copy(example("titanic.csv"), &copy).unwrap();
    let runs = dir.join("runs");
    let base = train_json(&[
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let overrides: &[(&str, &str, &str)] = &[
        ("--data", copy.to_str().unwrap(), "data"),
        ("--label", "sex", "label"),
        ("--hidden", "4,3", "hidden"),
        ("--learning-rate", "0.05", "learning_rate"),
        ("--batch-size", "16", "batch_size"),
        ("--max-epochs", "3", "max_epochs"),
        ("--patience", "2", "patience"),
        ("--weight-decay", "0.001", "weight_decay"),
        ("--seed", "7", "seed"),
        ("--validation-fraction", "0.25", "validation_fraction"),
        ("--test-fraction", "0.1", "test_fraction"),
        ("--folds", "2", "folds"),
    ];
    let mut args = vec![
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
    ];
    for (flag, value, _) in overrides {
        args.extend([*flag, *value]);
    }
    let s = train_json(&args);
    let params = read_json(&Path::new(s["run_dir"].as_str().unwrap()).join("params.json"));
    let before = read_json(&Path::new(base["run_dir"].as_str().unwrap()).join("params.json"));
    for (flag, value, key) in overrides {
        assert_eq!(params[key], *value, "{flag} sets param {key}: {params}");
        assert_ne!(before[key], params[key], "{flag} changed {key}");
    }
}

#[test]
fn runs_compare_shows_the_spec_hash_and_the_feature_that_changed() {
    let dir = scratch("compare-features");
    let runs = dir.join("runs");
    let body = "[model]\nmax_epochs = 3\n[[feature]]\nfield = \"sex\"\n[[feature]]\nfield = \"passengerClass\"\n";
    let a = titanic_spec(&dir, "a.toml", body);
    let b = titanic_spec(
        &dir,
        "b.toml",
        &format!("{body}[[feature]]\nfield = \"age\"\n"),
    );
    let run = |spec: &Path| {
        train_json(&[
            "--spec",
            spec.to_str().unwrap(),
            "--runs-dir",
            runs.to_str().unwrap(),
        ])["run_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (ra, rb) = (run(&a), run(&b));
    let out = tandem(&[
        "runs",
        "compare",
        &ra,
        &rb,
        "--runs-dir",
        runs.to_str().unwrap(),
        "--json",
    ]);
    let j = json_of(&out);
    let params = &j["compare"]["params"];
    assert_eq!(params["features"][0], "sex,passengerClass", "{params}");
    assert_eq!(params["features"][1], "sex,passengerClass,age", "{params}");
    let sha = |spec: &Path| tandem_core::bundle::sha256_hex(&std::fs::read(spec).unwrap());
    assert_eq!(params["spec_sha256"][0], sha(&a).as_str());
    assert_eq!(params["spec_sha256"][1], sha(&b).as_str());
    let table = text(&tandem(&[
        "runs",
        "compare",
        &ra,
        &rb,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]));
    let differs = table.split("same in every run").next().unwrap();
    assert!(
        differs.contains("param features") && differs.contains("param spec_sha256"),
        "{table}"
    );
}

/// A column computed from a record.
type Derived<'a> = (&'a str, &'a dyn Fn(&csv::StringRecord) -> String);

/// `file` from examples/data with extra columns computed from each record (header, value).
fn with_columns(dir: &Path, file: &str, extra: &[Derived]) -> PathBuf {
    let mut reader = csv::Reader::from_path(example(file)).unwrap();
    let out = dir.join(file);
    let mut writer = csv::Writer::from_path(&out).unwrap();
    let mut header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    header.extend(extra.iter().map(|(h, _)| h.to_string()));
    writer.write_record(&header).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let mut row: Vec<String> = rec.iter().map(str::to_string).collect();
        row.extend(extra.iter().map(|(_, f)| f(&rec)));
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    out
}

#[test]
fn training_warns_about_a_constant_an_empty_and_a_label_leaking_column() {
    let dir = scratch("warnings-classification");
    // titanic: survived is column 1; `outcome` restates it, `ship` is one value throughout,
    // `notes` is never filled in.
    let data = with_columns(
        &dir,
        "titanic.csv",
        &[
            ("outcome", &|r| {
                if &r[1] == "yes" {
                    "saved".into()
                } else {
                    "lost".into()
                }
            }),
            ("ship", &|_| "titanic".into()),
            ("notes", &|_| String::new()),
        ],
    );
    let runs = dir.join("runs");
    let mut cmd = common::command();
    let out = cmd
        .args([
            "train",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "survived",
        ])
        .args([
            "--max-epochs",
            "3",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "warning [LABEL_LEAK] outcome: `outcome` alone predicts the label `survived`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning [CONSTANT_COLUMN] ship: `ship` is \"titanic\" in all"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning [EMPTY_COLUMN] notes: `notes` is missing in all"),
        "{stderr}"
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(&str, &str)> = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["code"].as_str().unwrap(), w["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("LABEL_LEAK", "outcome"),
            ("CONSTANT_COLUMN", "ship"),
            ("EMPTY_COLUMN", "notes")
        ]
    );
    let recorded =
        read_json(&Path::new(s["run_dir"].as_str().unwrap()).join("artifacts/warnings.json"));
    assert_eq!(recorded, s["warnings"], "the run records the warnings");
    assert!(
        recorded[0]["message"]
            .as_str()
            .unwrap()
            .contains("Remove the feature")
    );
}

#[test]
fn the_example_data_sets_train_without_warnings() {
    let dir = scratch("warnings-clean");
    for (file, label) in [
        ("titanic.csv", "survived"),
        ("iris.csv", "target"),
        ("cps1985.csv", "wage"),
    ] {
        let s = train_json(&[
            "--data",
            &example(file),
            "--label",
            label,
            "--max-epochs",
            "3",
            "--runs-dir",
            dir.join("runs").to_str().unwrap(),
        ]);
        assert_eq!(s["warnings"], serde_json::json!([]), "{file}");
    }
}

#[test]
fn training_warns_about_a_numeric_column_that_restates_a_regression_target() {
    let dir = scratch("warnings-regression");
    // cps1985: wage is column 0; `pay_in_cents` is the wage with a little noise.
    let data = with_columns(
        &dir,
        "cps1985.csv",
        &[("pay_in_cents", &|r| {
            let wage: f64 = r[0].parse().unwrap();
            let noise = (r[1].len() % 3) as f64;
            format!("{}", wage * 100.0 + noise)
        })],
    );
    let s = train_json(&[
        "--data",
        data.to_str().unwrap(),
        "--label",
        "wage",
        "--max-epochs",
        "3",
        "--runs-dir",
        dir.join("runs").to_str().unwrap(),
    ]);
    let w = &s["warnings"][0];
    assert_eq!(w["code"], "LABEL_LEAK", "{s}");
    assert_eq!(w["field"], "pay_in_cents");
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .contains("correlation of 1.0000"),
        "{w}"
    );
}

#[test]
fn a_healthy_model_trained_at_learning_rate_one_is_exported() {
    // Large logits round differently per engine; the probabilities users get agree.
    let dir = scratch("learning-rate-one");
    for (file, label) in [("iris.csv", "target"), ("titanic.csv", "survived")] {
        let s = train_json(&[
            "--data",
            &example(file),
            "--label",
            label,
            "--learning-rate",
            "1",
            "--runs-dir",
            dir.join("runs").to_str().unwrap(),
        ]);
        let accuracy = s["metrics"]["validation_accuracy"].as_f64().unwrap();
        assert!(accuracy > 0.7, "{file}: {s}");
    }
}

/// Every subcommand path: `train`, `runs list`, ...
fn subcommands() -> Vec<Vec<&'static str>> {
    let mut all: Vec<Vec<&str>> = ["init", "train", "predict", "serve", "inspect", "validate"]
        .into_iter()
        .map(|c| vec![c])
        .collect();
    for (parent, children) in [
        ("schema", &["infer"][..]),
        ("runs", &["list", "show", "compare"][..]),
        ("models", &["register", "alias", "list"][..]),
    ] {
        all.push(vec![parent]);
        all.extend(children.iter().map(|c| vec![parent, *c]));
    }
    all
}

#[test]
fn every_subcommand_help_has_an_example() {
    let listed = text(&tandem(&["--help"]));
    for path in subcommands() {
        if path.len() == 1 {
            assert!(
                listed.contains(&format!("  {}", path[0])),
                "{path:?} missing from --help"
            );
        }
        let mut args = path.clone();
        args.push("--help");
        let out = tandem(&args);
        let t = text(&out);
        assert!(out.status.success(), "{path:?}: {t}");
        assert!(
            t.contains("Example"),
            "{path:?} --help has no example:\n{t}"
        );
        assert!(
            t.contains(&format!("tandem {}", path.join(" "))),
            "{path:?}: the example runs it:\n{t}"
        );
    }
}

#[test]
fn every_command_that_takes_a_model_lists_every_model_uri_kind() {
    for cmd in ["predict", "serve", "inspect", "validate"] {
        let t = text(&tandem(&[cmd, "--help"]));
        for kind in [
            ".tandem",
            "run folder",
            "runs:/<run id>",
            "runs:/<run id>/<artifact path>",
            "models:/<name>/<version>",
            "models:/<name>/latest",
            "models:/<name>@<alias>",
        ] {
            assert!(t.contains(kind), "{cmd} --help lacks {kind}:\n{t}");
        }
    }
}

#[test]
fn train_help_says_that_flags_override_the_spec() {
    let t = text(&tandem(&["train", "--help"]));
    for key in [
        "[model] learning_rate",
        "[split] seed",
        "[model] batch_size",
    ] {
        assert!(
            t.contains(&format!("overrides the spec's `{key}`")),
            "{key}:\n{t}"
        );
    }
}

/// The defaults train an ensemble of five networks, one per fold of the training and
/// validation rows, averaged into one (five times as wide) that every engine runs; the
/// batch is scaled to the data; the params say all of it. `--ensemble 1` trains one
/// network as before.
#[test]
fn the_default_model_is_an_averaged_ensemble_and_its_params_say_so() {
    let dir = scratch("ensemble-defaults");
    let runs = dir.join("runs");
    let iris = example("iris.csv");
    let args = [
        "--data",
        iris.as_str(),
        "--label",
        "target",
        "--runs-dir",
        runs.to_str().unwrap(),
    ];
    let run = train_json(&args);
    let params = read_json(&PathBuf::from(run["run_dir"].as_str().unwrap()).join("params.json"));
    assert_eq!(params["ensemble"], "5");
    assert_eq!(params["batch_size"], "auto");
    assert_eq!(params["batch_rows"], "128");
    assert_eq!(params["lr_schedule"], "constant");
    assert_eq!(params["learning_rate"], "0.03");
    let epochs: Vec<&str> = params["member_best_epochs"]
        .as_str()
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(epochs.len(), 5, "{params}");
    assert_eq!(epochs[0], params["best_epoch"].as_str().unwrap());
    let model = run["model"].as_str().unwrap();
    let inspect = json_of(&tandem(&["inspect", model]));
    assert_eq!(
        inspect["metadata"]["model"]["hidden_layers"],
        serde_json::json!([160])
    );
    // Out-of-fold validation: on iris, as good as one network's.
    let accuracy = run["metrics"]["validation_accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.9, "{accuracy}");

    let mut one = args.to_vec();
    one.extend([
        "--ensemble",
        "1",
        "--batch-size",
        "32",
        "--lr-schedule",
        "plateau",
    ]);
    let run = train_json(&one);
    let params = read_json(&PathBuf::from(run["run_dir"].as_str().unwrap()).join("params.json"));
    assert_eq!(params["ensemble"], "1");
    assert_eq!(params["batch_size"], "32");
    assert_eq!(params["batch_rows"], "32");
    assert_eq!(params["lr_schedule"], "plateau");
    assert!(params.get("member_best_epochs").is_none(), "{params}");
    let inspect = json_of(&tandem(&["inspect", run["model"].as_str().unwrap()]));
    assert_eq!(
        inspect["metadata"]["model"]["hidden_layers"],
        serde_json::json!([32])
    );

    let out = tandem(&[
        "train",
        "--data",
        iris.as_str(),
        "--label",
        "target",
        "--batch-size",
        "big",
    ]);
    assert!(
        text(&out).contains("\"big\" is not a number of rows or `auto`"),
        "{}",
        text(&out)
    );
}

/// `--hidden none` is logistic regression fitted exactly: Adam's rate and batch size do not
/// change the model, the run says so, and on breast_cancer it scores as
/// LogisticRegression does (0.97-0.98 on held-out rows).
#[test]
fn a_linear_model_is_fitted_exactly_whatever_adams_settings() {
    let runs = scratch("linear-exact");
    let data = example("breast_cancer.csv");
    let train = |rate: &str, batch: &str| {
        let out = tandem(&[
            "train",
            "--data",
            data.as_str(),
            "--label",
            "target",
            "--hidden",
            "none",
            "--ensemble",
            "1",
            "--learning-rate",
            rate,
            "--batch-size",
            batch,
            "--runs-dir",
            runs.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    let slow = train("0.001", "16");
    let fast = train("0.5", "512");
    assert!(slow.contains("linear model fitted exactly"), "{slow}");
    // Everything but the run id and the time is the same.
    let metrics = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("accuracy") || l.contains("log_loss"))
            .map(String::from)
            .collect()
    };
    assert_eq!(metrics(&slow), metrics(&fast));
    let accuracy: f64 = metrics(&slow)
        .iter()
        .find(|l| l.trim_start().starts_with("accuracy"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .parse()
        .unwrap();
    assert!(accuracy >= 0.96, "validation accuracy {accuracy}\n{slow}");
}
