//! End-to-end tests of `tandem tune`: every trial a child run of the tuning run in the store,
//! the winner chosen by either documented rule and trained in the tuning run, a search that
//! repeats with `--trials`, budgets, and settings refused before any data is read.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

mod common;
use common::{example, json_of, scratch, tandem, text};

use std::path::Path;

use serde_json::Value;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tune(runs: &Path, data: &str, label: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "tune",
        "--data",
        data,
        "--label",
        label,
        "--runs-dir",
        runs.to_str().unwrap(),
        "--json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    json_of(&tandem(&args))
}

/// The last value of `key` in a local run's metrics.jsonl.
fn metric(run_dir: &Path, key: &str) -> Option<f64> {
    std::fs::read_to_string(run_dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .rev()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|m| m["key"] == key)
        .map(|m| m["value"].as_f64().unwrap())
}

/// The one-standard-error rule, checked from the outside: the winner is within one standard
/// error of the best score, no trial within it is smaller, and none as small scores better.
fn assert_one_standard_error(trials: &[Value], winner: &Value) {
    let best_score = trials
        .iter()
        .map(|t| t["score"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    let best = trials
        .iter()
        .find(|t| t["score"].as_f64().unwrap() == best_score)
        .unwrap();
    let bound = best_score + best["scores"]["cv_log_loss_std"].as_f64().unwrap() / 5f64.sqrt();
    let units = |t: &Value| -> u64 {
        t["settings"]["hidden"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap())
            .sum()
    };
    let layers = |t: &Value| t["settings"]["hidden"].as_array().unwrap().len();
    let score = |t: &Value| t["score"].as_f64().unwrap();
    assert!(score(winner) <= bound);
    for other in trials {
        if score(other) <= bound {
            let size = (units(other), layers(other));
            assert!(
                size >= (units(winner), layers(winner)),
                "{other} is smaller than {winner}"
            );
            if size == (units(winner), layers(winner)) {
                assert!(
                    score(other) >= score(winner),
                    "{other} is as small and better"
                );
            }
        }
    }
}

/// `runs list` hides a search's 6 trials (a minute of tuning makes hundreds) and says so;
/// `--all` shows them as trials with their headline. The winner's `tune/model.toml`, pasted
/// into a spec, trains the same model.
fn assert_listing_and_model_toml(dir: &Path, parent: &str, s: &Value) {
    let runs = dir.join("runs");
    let run_dir = runs.join(parent);
    let iris = example("iris.csv");
    let out = tandem(&["runs", "list", "--runs-dir", runs.to_str().unwrap()]);
    let listing = text(&out);
    assert!(listing.contains(parent), "{listing}");
    assert_eq!(listing.matches(" trial ").count(), 0, "{listing}");
    assert!(listing.contains("(6 tuning trials not shown: `tandem runs list --all`)"));
    let out = tandem(&[
        "runs",
        "list",
        "--all",
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let listing = text(&out);
    assert_eq!(listing.matches(" trial ").count(), 6, "{listing}");
    assert!(listing.contains("cv_accuracy_mean"), "{listing}");

    // The winner's `[model]` is kept as a spec section: a spec with it trains the same model.
    let model_toml = std::fs::read_to_string(run_dir.join("artifacts/tune/model.toml")).unwrap();
    let spec = dir.join("tandem.toml");
    std::fs::write(
        &spec,
        format!(
            "version = 1\n[data]\npath = {iris:?}\nlabel = \"target\"\n[split]\ntest = 0.2\n{model_toml}"
        ),
    )
    .unwrap();
    let again = json_of(&tandem(&[
        "train",
        "--spec",
        spec.to_str().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
        "--json",
        "--quiet",
    ]));
    assert_eq!(again["metrics"], s["metrics"], "{model_toml}");
}

#[test]
fn every_trial_is_a_child_run_and_the_winner_is_trained_in_the_tuning_run() {
    let dir = scratch("tune-children");
    let runs = dir.join("runs");
    let iris = example("iris.csv");
    let s = tune(
        &runs,
        &iris,
        "target",
        &["--trials", "6", "--budget", "0", "--test-fraction", "0.2"],
    );
    let parent = s["run_id"].as_str().unwrap();
    let t = &s["tune"];
    let trials = t["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 6);
    assert_eq!(t["metric"], "cv_log_loss_mean");
    assert_eq!(t["repeats"], 5);
    // Trial 1 is the defaults, trial 2 the same without a hidden layer.
    let settings = |i: usize| &trials[i]["settings"];
    assert_eq!(settings(0)["hidden"], serde_json::json!([32]));
    assert_eq!(settings(0)["learning_rate"], 0.03);
    assert_eq!(settings(0)["max_epochs"], 300);
    assert_eq!(settings(1)["hidden"], serde_json::json!([]));
    assert_eq!(settings(1)["learning_rate"], 0.03);

    for trial in trials {
        let id = trial["run_id"].as_str().unwrap();
        let run_dir = runs.join(id);
        let tags = read_json(&run_dir.join("tags.json"));
        assert_eq!(tags["mlflow.parentRunId"], parent, "{trial}");
        assert_eq!(tags["tandem.kind"], "trial");
        assert_eq!(tags["tandem.tune.trial"], trial["trial"].to_string());
        assert_eq!(read_json(&run_dir.join("run.json"))["status"], "FINISHED");
        let params = read_json(&run_dir.join("params.json"));
        let lr: f64 = params["learning_rate"].as_str().unwrap().parse().unwrap();
        assert_eq!(Some(lr), trial["settings"]["learning_rate"].as_f64());
        assert_eq!(params["ensemble"], "5");
        let score = trial["score"].as_f64().unwrap();
        assert_eq!(metric(&run_dir, "cv_log_loss_mean"), Some(score));
        assert!(score.is_finite() && score > 0.0);
        // 5 networks per repeat, 5 repeats on iris's 120 non-test rows.
        assert_eq!(trial["member_best_epochs"].as_array().unwrap().len(), 25);
        assert_eq!(params["cv_repeats"], "5");
    }

    let winner = trials
        .iter()
        .find(|x| x["trial"] == t["best_trial"])
        .unwrap();
    // `--select best` (the default): the first of the lowest log losses.
    let lowest = trials
        .iter()
        .map(|t| t["score"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    let first = trials.iter().find(|t| t["score"].as_f64() == Some(lowest));
    assert_eq!(first, Some(winner));
    assert_eq!(t["select"], "best");

    // The tuning run holds the winner's model, trained with its settings.
    let run_dir = runs.join(parent);
    let params = read_json(&run_dir.join("params.json"));
    let won = &winner["settings"];
    for key in ["learning_rate", "weight_decay", "max_epochs"] {
        let param: f64 = params[key].as_str().unwrap().parse().unwrap();
        assert_eq!(Some(param), won[key].as_f64(), "{key}");
    }
    assert_eq!(params["tune_trials"], "6");
    assert_eq!(params["tune_best_trial"], winner["trial"].to_string());
    let tags = read_json(&run_dir.join("tags.json"));
    assert_eq!(tags["tandem.tune.best_run_id"], winner["run_id"]);
    assert!(tags.get("mlflow.parentRunId").is_none());
    assert_eq!(
        metric(&run_dir, "tune_cv_log_loss_mean"),
        winner["score"].as_f64()
    );
    let recorded = read_json(&run_dir.join("artifacts/tune/trials.json"));
    assert_eq!(recorded["trials"], t["trials"]);
    // It predicts iris: the held-out test rows, scored by the bundle users get.
    let test_accuracy = s["metrics"]["test_accuracy"].as_f64().unwrap();
    assert!(test_accuracy >= 0.9, "test accuracy {test_accuracy}");
    let model = format!("runs:/{parent}");
    let out = tandem(&[
        "predict",
        "--model",
        &model,
        "--runs-dir",
        runs.to_str().unwrap(),
        "--input",
        &iris,
        "--output",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 151);

    assert_listing_and_model_toml(&dir, parent, &s);
}

#[test]
fn select_smallest_takes_the_smallest_network_within_one_standard_error() {
    let dir = scratch("tune-smallest");
    let s = tune(
        &dir.join("runs"),
        &example("iris.csv"),
        "target",
        &["--trials", "8", "--select", "smallest", "--repeats", "1"],
    );
    let t = &s["tune"];
    assert_eq!(t["select"], "smallest");
    let trials = t["trials"].as_array().unwrap();
    let winner = trials
        .iter()
        .find(|x| x["trial"] == t["best_trial"])
        .unwrap();
    assert_one_standard_error(trials, winner);
}

#[test]
fn a_search_repeats_with_trials_and_a_tiny_budget_runs_one_trial() {
    let dir = scratch("tune-repeat");
    let runs = dir.join("runs");
    let data = example("cps1985.csv");
    let a = tune(&runs, &data, "wage", &["--trials", "3", "--budget", "0"]);
    let b = tune(&runs, &data, "wage", &["--trials", "4", "--budget", "0"]);
    let (ta, tb) = (&a["tune"]["trials"], &b["tune"]["trials"]);
    assert_eq!(a["tune"]["metric"], "cv_rmse_mean");
    // cps1985: 534 rows, none held for test: 4 repeats; `--repeats` sets it.
    assert_eq!(a["tune"]["repeats"], 4);
    for i in 0..3 {
        assert_eq!(ta[i]["settings"], tb[i]["settings"], "trial {i}");
        assert_eq!(ta[i]["score"], tb[i]["score"], "trial {i}");
    }
    assert_eq!(tb.as_array().unwrap().len(), 4);
    // A budget the first trial uses up: that one trial, and its settings trained.
    let c = tune(&runs, &data, "wage", &["--budget", "0.001"]);
    assert_eq!(c["tune"]["trials"].as_array().unwrap().len(), 1);
    assert_eq!(c["tune"]["best_trial"], 1);
    // `--metric` picks by another cross-validation metric.
    let d = tune(
        &runs,
        &data,
        "wage",
        &[
            "--trials",
            "2",
            "--budget",
            "0",
            "--metric",
            "r2",
            "--repeats",
            "2",
        ],
    );
    assert_eq!(d["tune"]["repeats"], 2);
    let epochs = d["tune"]["trials"][0]["member_best_epochs"]
        .as_array()
        .unwrap();
    assert_eq!(epochs.len(), 10);
    assert_eq!(d["tune"]["metric"], "cv_r2_mean");
    assert_eq!(d["tune"]["maximize"], true);
}

#[test]
fn bad_tune_settings_are_clear_errors() {
    let dir = scratch("tune-bad");
    let runs = dir.join("runs");
    let runs = runs.to_str().unwrap();
    let iris = example("iris.csv");
    let missing = dir.join("missing.csv");
    let missing = missing.to_str().unwrap();
    // Refused before the (missing) data is read.
    for (args, expect) in [
        (vec!["--budget", "0"], "give --trials N"),
        (vec!["--trials", "0"], "--trials 0 tries nothing"),
        (vec!["--budget", "5h"], "is not a time"),
        (vec!["--budget", "-3"], "is not a time"),
        (
            vec!["--ensemble", "2"],
            "(--ensemble) must be at least 3, not 2",
        ),
        (
            vec!["--metric", "acuracy"],
            "--metric acuracy is not a metric tune can optimise",
        ),
        (vec!["--folds", "3"], "drop --folds"),
        (vec!["--stream", "on"], "cannot train a stream"),
        (vec!["--repeats", "0"], "0 is not in 1..=20"),
        (
            vec!["--learning-rate", "0"],
            "--learning-rate 0 is out of range",
        ),
    ] {
        let mut all = vec![
            "tune",
            "--data",
            missing,
            "--label",
            "target",
            "--runs-dir",
            runs,
        ];
        all.extend_from_slice(&args);
        let out = tandem(&all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(expect), "{args:?}: {}", text(&out));
    }
    // A metric of the other task names the ones that fit.
    let out = tandem(&[
        "tune",
        "--data",
        &iris,
        "--label",
        "target",
        "--runs-dir",
        runs,
        "--metric",
        "rmse",
    ]);
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(
        msg.contains("cannot tune for `rmse` on a classification label: choose one of accuracy"),
        "{msg}"
    );
    // That run was created (the label's task is known once the data is read): it is FAILED.
    let failed = std::fs::read_dir(runs)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("run.json")).ok())
        .filter(|r| r.contains("\"FAILED\""))
        .count();
    assert_eq!(failed, 1);
}
