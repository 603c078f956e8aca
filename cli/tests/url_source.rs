//! Data at a URL, as a user gives it: `tandem train --data https://...` and `tandem predict
//! --input https://...#sha256=...` against a local HTTP server give the same fitted model and
//! predictions as the local file; the run records the URL and the data's SHA-256; a wrong pin
//! or credentials in the URL are refused (and the secret never printed).

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::{command, scratch, text};

/// Serve `body` to every GET, forever (the test process ends it).
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    base
}

#[test]
fn train_and_predict_from_a_url_equal_the_local_file() {
    let dir = scratch("url-source");
    let file = common::root().join("examples/data/titanic.csv");
    let bytes = std::fs::read(&file).unwrap();
    let sha = tandem_core::bundle::sha256_hex(&bytes);
    let url = format!("{}/data/titanic.csv", serve(bytes));
    let run = |args: &[&str]| {
        command()
            .env("TANDEM_CACHE_DIR", dir.join("cache"))
            .args(args)
            .output()
            .unwrap()
    };
    let runs = dir.join("runs");
    let train = |data: &str| {
        let out = run(&[
            "train",
            "--data",
            data,
            "--label",
            "survived",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--max-epochs",
            "5",
            "--quiet",
            "--json",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let remote = train(&url);
    let local = train(file.to_str().unwrap());
    assert_eq!(
        remote["metrics"], local["metrics"],
        "same data, same seed, same model"
    );
    let run_dir = std::path::PathBuf::from(remote["run_dir"].as_str().unwrap());
    let params = std::fs::read_to_string(run_dir.join("params.json")).unwrap();
    assert!(params.contains(&url) && params.contains(&sha), "{params}");

    let model = remote["model"].as_str().unwrap();
    let predict = |input: &str| run(&["predict", "--model", model, "--input", input]);
    let pinned = predict(&format!("{url}#sha256={sha}"));
    assert!(pinned.status.success(), "{}", text(&pinned));
    assert_eq!(pinned.stdout, predict(file.to_str().unwrap()).stdout);

    let wrong = predict(&format!("{url}#sha256={}", "0".repeat(64)));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("[URL_PIN]"), "{}", text(&wrong));
    let secret = predict("https://ada:hunter2@example.invalid/titanic.csv");
    assert!(text(&secret).contains("[URL_INVALID]"), "{}", text(&secret));
    assert!(!text(&secret).contains("hunter2"), "{}", text(&secret));
}
