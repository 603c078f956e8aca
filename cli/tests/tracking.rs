//! The embedded run store and registry, end to end through the `tandem` command: runs,
//! per-epoch metrics, tags, `runs list|show|compare`, `models register|alias|list`,
//! `runs:/` and `models:/` retrieval, SIGKILL at any moment, concurrent trainings, bad URIs
//! and a tracking server that answers garbage.

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;
use common::{command, json_of, root, scratch, tandem, text};

fn titanic() -> String {
    root()
        .join("examples/data/titanic.csv")
        .to_str()
        .unwrap()
        .to_string()
}

/// `tandem train` on titanic into the store `runs`, quiet, plus `extra`.
fn train_cmd(runs: &Path, extra: &[&str]) -> std::process::Command {
    let mut c = command();
    c.args([
        "train",
        "--data",
        &titanic(),
        "--label",
        "survived",
        "--quiet",
    ])
    .args(["--runs-dir", runs.to_str().unwrap()])
    .args(extra);
    c
}

fn train_in(runs: &Path, extra: &[&str]) -> serde_json::Value {
    let mut c = train_cmd(runs, &["--max-epochs", "12", "--json"]);
    json_of(&c.args(extra).output().unwrap())
}

fn sample_csv(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(titanic()).unwrap();
    let path = dir.join("sample.csv");
    std::fs::write(&path, text.lines().take(40).collect::<Vec<_>>().join("\n")).unwrap();
    path
}

fn predict(model: &str, runs: &Path, input: &Path) -> String {
    let out = tandem(&[
        "predict",
        "--model",
        model,
        "--runs-dir",
        runs.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "predict {model}: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn cmd_json(runs: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--runs-dir", runs.to_str().unwrap(), "--json"]);
    json_of(&tandem(&all))
}

fn ok(runs: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--runs-dir", runs.to_str().unwrap()]);
    let out = tandem(&all);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn runs_metrics_and_registry_in_the_local_store() {
    let dir = scratch("tracking-local");
    let runs = dir.join("runs");
    let a = train_in(&runs, &["--experiment", "titanic", "--seed", "1"]);
    let b = train_in(
        &runs,
        &["--experiment", "titanic", "--seed", "2", "--hidden", "8"],
    );
    let (ida, idb) = (a["run_id"].as_str().unwrap(), b["run_id"].as_str().unwrap());

    let list = cmd_json(&runs, &["runs", "list", "--experiment", "titanic"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [idb, ida], "newest first");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "FINISHED")
    );

    let show = cmd_json(&runs, &["runs", "show", ida]);
    let run = &show["run"];
    assert_eq!(run["params"]["seed"], "1");
    assert_eq!(
        run["metrics"]["validation_accuracy"],
        a["metrics"]["validation_accuracy"]
    );
    let tags = &run["tags"];
    assert_eq!(tags["tandem.data_sha256"], run["params"]["data_sha256"]);
    assert_eq!(tags["tandem.schema_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(tags["tandem.version"], env!("CARGO_PKG_VERSION"));
    // Every epoch's losses, step by step.
    let history = show["history"]["validation_loss"].as_array().unwrap();
    assert_eq!(history.len() as u64, a["epochs_run"].as_u64().unwrap());
    let steps: Vec<u64> = history.iter().map(|p| p[0].as_u64().unwrap()).collect();
    assert_eq!(steps, (1..=steps.len() as u64).collect::<Vec<_>>());

    let cmp = cmd_json(&runs, &["runs", "compare", ida, idb]);
    assert_eq!(
        cmp["compare"]["params"]["seed"],
        serde_json::json!(["1", "2"])
    );
    assert_eq!(
        cmp["compare"]["params"]["hidden"],
        serde_json::json!(["32", "8"])
    );
    let table = ok(&runs, &["runs", "compare", ida, idb]);
    assert!(table.starts_with("differs"), "{table}");
    assert!(table.contains("param seed"), "{table}");

    // Registry: two versions, an alias that moves, predictions that follow it.
    let v1 = cmd_json(
        &runs,
        &["models", "register", "--run", ida, "--name", "titanic"],
    );
    let v2 = cmd_json(
        &runs,
        &["models", "register", "--run", idb, "--name", "titanic"],
    );
    assert_eq!(
        (v1["version"].as_u64(), v2["version"].as_u64()),
        (Some(1), Some(2))
    );
    ok(&runs, &["models", "alias", "titanic", "champion", "1"]);
    let input = sample_csv(&dir);
    let by_run_a = predict(a["model"].as_str().unwrap(), &runs, &input);
    let by_run_b = predict(&format!("runs:/{idb}"), &runs, &input);
    assert_ne!(by_run_a, by_run_b, "two different models");
    assert_eq!(predict("models:/titanic@champion", &runs, &input), by_run_a);
    assert_eq!(predict("models:/titanic/2", &runs, &input), by_run_b);
    assert_eq!(predict("models:/titanic/latest", &runs, &input), by_run_b);
    ok(&runs, &["models", "alias", "titanic", "champion", "2"]);
    assert_eq!(predict("models:/titanic@champion", &runs, &input), by_run_b);
    let models = cmd_json(&runs, &["models", "list"]);
    assert_eq!(models[0]["aliases"]["champion"], 2);
    assert_eq!(
        models[0]["versions"][1]["aliases"],
        serde_json::json!(["champion"])
    );
    ok(
        &runs,
        &["models", "alias", "titanic", "champion", "--delete"],
    );
    let gone = tandem(&[
        "predict",
        "--model",
        "models:/titanic@champion",
        "--runs-dir",
        runs.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(!gone.status.success());
    assert!(
        text(&gone).contains("has no alias `champion`"),
        "{}",
        text(&gone)
    );
}

/// Every run in the store is readable; a FINISHED run has a loadable bundle; a visible
/// bundle is always complete.
fn check_store(runs: &Path) -> Vec<serde_json::Value> {
    let list = cmd_json(runs, &["runs", "list", "--max", "1000"]);
    let list = list.as_array().unwrap().clone();
    for r in &list {
        let id = r["run_id"].as_str().unwrap();
        let status = r["status"].as_str().unwrap();
        assert!(
            status != "RUNNING",
            "run {id} of a dead process reads as RUNNING"
        );
        let bundle = runs.join(id).join("artifacts/model/model.tandem");
        if status == "FINISHED" {
            assert!(bundle.is_file(), "FINISHED run {id} without its bundle");
        }
        if bundle.is_file() {
            let out = tandem(&["inspect", bundle.to_str().unwrap()]);
            assert!(
                out.status.success(),
                "a visible bundle is broken: {}",
                text(&out)
            );
        }
        for entry in walk(&runs.join(id).join("artifacts")) {
            let name = entry.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                !name.contains(".tmp-") || name.starts_with('.'),
                "temporary file visible: {name}"
            );
        }
    }
    list
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn sigkill_while_writing_the_bundle_leaves_no_half_artifact() {
    let dir = scratch("tracking-kill-artifact");
    let runs = dir.join("runs");
    let data = titanic();
    for file in ["model.tandem", "run.json", "MLmodel"] {
        let out = train_cmd(&runs, &["--max-epochs", "5"])
            .env("TANDEM_FAILPOINT", format!("kill-while-writing:{file}"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(9),
            "killed while writing {file}: {}",
            text(&out)
        );
    }
    let list = check_store(&runs);
    // run.json is first written when the run starts: that kill leaves a run folder without
    // run.json, which is not a run; the two others are runs that read as KILLED.
    assert_eq!(list.len(), 2, "{list:?}");
    for r in &list {
        assert_eq!(r["status"], "KILLED");
        let id = r["run_id"].as_str().unwrap();
        assert!(!runs.join(id).join("artifacts/model/model.tandem").exists());
        let out = tandem(&[
            "predict",
            "--model",
            &format!("runs:/{id}"),
            "--runs-dir",
            runs.to_str().unwrap(),
            "--input",
            &data,
        ]);
        assert!(!out.status.success());
        assert!(
            text(&out).contains("has no artifact `model/model.tandem`"),
            "{}",
            text(&out)
        );
    }
    // The store still takes new runs.
    let ok = train_in(&runs, &[]);
    assert!(
        check_store(&runs)
            .iter()
            .any(|r| r["run_id"] == ok["run_id"] && r["status"] == "FINISHED")
    );
}

#[test]
fn sigkill_at_any_moment_leaves_a_readable_store() {
    let dir = scratch("tracking-kill-sweep");
    let runs = dir.join("runs");
    for delay_ms in [0u64, 5, 20, 60, 120, 250, 500, 900, 1500] {
        let mut child = train_cmd(&runs, &["--max-epochs", "60", "--patience", "60"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        check_store(&runs);
    }
    let list = check_store(&runs);
    let statuses: BTreeSet<&str> = list.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert!(
        statuses.contains("KILLED"),
        "no kill landed mid-run: {statuses:?}"
    );
}

#[test]
fn concurrent_trainings_and_registrations_share_one_store() {
    let dir = scratch("tracking-concurrent");
    let runs = dir.join("runs");
    let children: Vec<_> = (0..4)
        .map(|seed| {
            train_cmd(
                &runs,
                &["--max-epochs", "8", "--json", "--experiment", "race"],
            )
            .args(["--seed", &seed.to_string()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let ids: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            json_of(&out)["run_id"].as_str().unwrap().to_string()
        })
        .collect();
    let list = check_store(&runs);
    assert_eq!(list.len(), 4);
    let experiments: BTreeSet<&str> = list
        .iter()
        .map(|r| r["experiment_id"].as_str().unwrap())
        .collect();
    assert_eq!(experiments.len(), 1, "one experiment `race`, created once");
    let regs: Vec<_> = ids
        .iter()
        .map(|id| {
            command()
                .args([
                    "models", "register", "--run", id, "--name", "race", "--json",
                ])
                .args(["--runs-dir", runs.to_str().unwrap()])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let versions: BTreeSet<u64> = regs
        .into_iter()
        .map(|c| {
            json_of(&c.wait_with_output().unwrap())["version"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(versions, BTreeSet::from([1, 2, 3, 4]));
}

/// `out` failed with the store's stable code first (the outermost: a malformed URI, whatever
/// part of it is wrong), as docs/tracking.md lists it, and a message containing `expect`.
#[track_caller]
fn wrong(out: &std::process::Output, code: &str, expect: &str, what: &str) {
    let said = text(out);
    assert_eq!(out.status.code(), Some(1), "{what}: {said}");
    assert!(said.contains(expect), "{what}: {said}");
    let head = format!("error: [{code}] ");
    assert!(said.starts_with(&head), "{what}: want {head}, got {said}");
}

const UNKNOWN_RUN: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn bad_model_uris_are_clear_errors_with_their_codes() {
    let dir = scratch("tracking-bad-uris");
    let runs = dir.join("runs");
    let r = runs.to_str().unwrap();
    let data = titanic();
    let unknown = UNKNOWN_RUN;
    for (model, code, expect) in [
        ("runs:/", "INVALID_MODEL_URI", "malformed run id"),
        ("runs:/xyz", "INVALID_MODEL_URI", "malformed run id"),
        (
            &format!("runs:/{unknown}") as &str,
            "RUN_NOT_FOUND",
            "unknown run id",
        ),
        (
            "runs:/0123456789abcdef0123456789abcdef/../../x",
            "INVALID_MODEL_URI",
            "invalid artifact path",
        ),
        ("models:/", "INVALID_MODEL_URI", "malformed model URI"),
        (
            "models:/titanic",
            "INVALID_MODEL_URI",
            "malformed model URI",
        ),
        ("models:/titanic@", "INVALID_MODEL_URI", "invalid alias"),
        (
            "models:/titanic/0",
            "INVALID_MODEL_URI",
            "malformed model URI",
        ),
        (
            "models:/ghost/1",
            "MODEL_NOT_FOUND",
            "unknown registered model `ghost`",
        ),
        (
            "models:/ghost@champion",
            "MODEL_NOT_FOUND",
            "unknown registered model `ghost`",
        ),
        (
            "s3://bucket/model",
            "UNSUPPORTED_URI_SCHEME",
            "unsupported model URI scheme",
        ),
        ("no/such/file.tandem", "IO", "cannot read model"),
    ] {
        let out = tandem(&[
            "predict",
            "--model",
            model,
            "--runs-dir",
            r,
            "--input",
            &data,
        ]);
        wrong(&out, code, expect, model);
    }
}

#[test]
fn unknown_ids_and_bad_names_are_clear_errors_with_their_codes() {
    let dir = scratch("tracking-bad-ids");
    let runs = dir.join("runs");
    let r = runs.to_str().unwrap();
    let data = titanic();
    let unknown = UNKNOWN_RUN;
    for (args, code, expect) in [
        (
            vec!["runs", "show", unknown],
            "RUN_NOT_FOUND",
            "unknown run id",
        ),
        (
            vec!["runs", "show", "nothex"],
            "MALFORMED_RUN_ID",
            "malformed run id",
        ),
        (
            vec!["models", "register", "--run", unknown, "--name", "m"],
            "RUN_NOT_FOUND",
            "unknown run id",
        ),
        (
            vec!["models", "register", "--run", unknown, "--name", "../x"],
            "INVALID_NAME",
            "invalid model name",
        ),
        (
            vec!["models", "alias", "m", "latest", "1"],
            "INVALID_NAME",
            "invalid alias",
        ),
        (
            vec![
                "train",
                "--data",
                &data,
                "--label",
                "survived",
                "--tracking-uri",
                "ftp://x",
            ],
            "INVALID_TRACKING_URI",
            "malformed tracking URI",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--runs-dir", r]);
        wrong(&tandem(&all), code, expect, &format!("{args:?}"));
    }
}

/// A server that answers every request with `answer`, until the test ends.
fn garbage_server(answer: &'static str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = s.read(&mut buf);
            let _ = s.write_all(answer.as_bytes());
        }
    });
    port
}

#[test]
fn a_tracking_server_that_answers_garbage_fails_fast_and_clearly() {
    let dir = scratch("tracking-garbage");
    let runs = dir.join("runs");
    let html = garbage_server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\nConnection: close\r\n\r\n<html>not mlflow</ht",
    );
    let broken = garbage_server("this is not HTTP at all\r\n\r\n");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for (port, expect) in [
        (html, "not MLflow JSON"),
        (broken, "cannot reach the MLflow server"),
        (closed, "cannot reach the MLflow server"),
    ] {
        let uri = format!("http://127.0.0.1:{port}");
        let out = train_cmd(&runs, &["--tracking-uri", &uri])
            .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{uri}: {}", text(&out));
        assert!(text(&out).contains(expect), "{uri}: {}", text(&out));
        let out = command()
            .args(["runs", "list", "--tracking-uri", &uri])
            .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{uri}: {}", text(&out));
    }
    // Failing before training: nothing was recorded locally.
    assert!(check_store(&runs).is_empty());
}

/// `tandem serve --model models:/name@alias` follows the alias: under continuous requests,
/// moving the alias swaps the model with no failed request.
#[test]
fn serve_follows_a_moving_alias_without_failing_requests() {
    use std::io::BufRead;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let dir = scratch("tracking-serve-alias");
    let runs = dir.join("runs");
    let a = train_in(&runs, &["--seed", "1"]);
    let b = train_in(&runs, &["--seed", "2", "--hidden", "8"]);
    let (ida, idb) = (a["run_id"].as_str().unwrap(), b["run_id"].as_str().unwrap());
    ok(&runs, &["models", "register", "--run", ida, "--name", "t"]);
    ok(&runs, &["models", "register", "--run", idb, "--name", "t"]);
    ok(&runs, &["models", "alias", "t", "champion", "1"]);

    let mut server = command()
        .args([
            "serve",
            "--model",
            "models:/t@champion",
            "--port",
            "0",
            "--poll-seconds",
            "0.2",
        ])
        .args(["--runs-dir", runs.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.split_whitespace().last().unwrap().to_string();
    let body = r#"{"dataframe_records": [{"name": "Doe, Mr. John", "sex": "male", "age": 40, "passengerClass": "3rd"}]}"#;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let predict = |agent: &ureq::Agent| -> (u16, String) {
        let mut r = agent
            .post(format!("{url}/invocations"))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let version = |agent: &ureq::Agent| -> serde_json::Value {
        let mut r = agent.get(format!("{url}/version")).call().unwrap();
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    let (_, before) = predict(&agent);
    assert_eq!(version(&agent)["model_version"], 1);
    assert_eq!(version(&agent)["run_id"], ida);

    let stop = AtomicBool::new(false);
    let (sent, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let moved = std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let agent = agent.clone();
                while !stop.load(Ordering::Relaxed) {
                    let (status, _) = predict(&agent);
                    sent.fetch_add(1, Ordering::Relaxed);
                    if status != 200 {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        ok(&runs, &["models", "alias", "t", "champion", "2"]);
        let moved = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            version(&agent)["model_version"] == 2
        });
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        moved
    });
    assert!(moved, "the server did not follow the alias");
    assert_eq!(version(&agent)["run_id"], idb);
    let (status, after) = predict(&agent);
    assert_eq!(status, 200);
    assert_ne!(before, after, "predictions come from the new version");
    assert!(sent.load(Ordering::Relaxed) > 20);
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "requests failed during the swap"
    );
    let _ = server.kill();
    let _ = server.wait();
}
