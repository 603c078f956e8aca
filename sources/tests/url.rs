//! URLs against a local HTTP server that misbehaves on cue: a 429 with Retry-After, a 500
//! then success, a body cut short, a 404; the cache revalidated with ETag (304), the SHA-256
//! pin enforced, credentials in a URL refused.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tandem_sources::url::{FetchOptions, fetch};

const BODY: &str = "name,age\nAda,36\nAlan,41\n";

/// A server answering each request with the next scripted answer; records the requests'
/// heads.
fn serve(script: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (stream, answer) in listener.incoming().zip(script) {
            let mut stream = stream.unwrap();
            let mut head = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            log.lock().unwrap().push(head);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (base, seen)
}

fn ok(body: &str, etag: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn status(code: u16, extra: &str) -> String {
    format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n")
}

fn options(name: &str) -> FetchOptions {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("sources")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    FetchOptions {
        cache_dir: dir,
        attempts: 3,
        max_wait: Duration::from_secs(2),
        backoff: Duration::from_millis(50),
        token: None,
        token_hosts: Vec::new(),
        timeout: Duration::from_secs(10),
    }
}

#[test]
fn a_download_is_cached_and_revalidated_with_its_etag() {
    let (base, seen) = serve(vec![ok(BODY, "\"v1\""), status(304, "")]);
    let o = options("etag");
    let url = format!("{base}/data/people.csv");
    let path = fetch(&url, &o).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), BODY);
    assert!(
        path.ends_with("people.csv"),
        "the extension is kept: {}",
        path.display()
    );
    assert_eq!(fetch(&url, &o).unwrap(), path);
    let seen = seen.lock().unwrap();
    assert!(
        seen[1]
            .to_ascii_lowercase()
            .contains("if-none-match: \"v1\""),
        "{}",
        seen[1]
    );
}

#[test]
fn retries_honour_retry_after_and_survive_a_500_and_a_cut_body() {
    let cut = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        BODY.len(),
        &BODY[..10]
    );
    let (base, seen) = serve(vec![
        status(429, "Retry-After: 1\r\n"),
        status(500, ""),
        ok(BODY, "\"a\""),
    ]);
    let started = Instant::now();
    let path = fetch(&format!("{base}/a.csv"), &options("retry")).unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), BODY);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (base, _) = serve(vec![cut.clone(), ok(BODY, "\"b\"")]);
    let path = fetch(&format!("{base}/b.csv"), &options("cut")).unwrap();
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        BODY,
        "the cut body was fetched again"
    );

    let (base, _) = serve(vec![cut.clone(), cut.clone(), cut]);
    let e = fetch(&format!("{base}/c.csv"), &options("cut-always")).unwrap_err();
    assert_eq!(e.code(), "URL_TRANSFER", "{e}");
    assert!(e.to_string().contains("3 attempts"), "{e}");

    let (base, seen) = serve(vec![status(404, "")]);
    let e = fetch(&format!("{base}/missing.csv"), &options("404")).unwrap_err();
    assert_eq!(e.code(), "URL_STATUS");
    assert_eq!(seen.lock().unwrap().len(), 1, "a 404 is not retried");
}

#[test]
fn the_pin_is_enforced_and_credentials_are_refused() {
    let digest = tandem_core::bundle::sha256_hex(BODY.as_bytes());
    let (base, seen) = serve(vec![ok(BODY, "\"x\""), ok("name,age\nEve,1\n", "\"y\"")]);
    let o = options("pin");
    let url = format!("{base}/p.csv#sha256={digest}");
    let path = fetch(&url, &o).unwrap();
    // Pinned and cached: no request the second time.
    assert_eq!(fetch(&url, &o).unwrap(), path);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let other = format!("{base}/q.csv#sha256={digest}");
    let e = fetch(&other, &o).unwrap_err();
    assert_eq!(e.code(), "URL_PIN", "{e}");

    let e = fetch("https://user:secret@example.invalid/d.csv", &o).unwrap_err();
    assert_eq!(e.code(), "URL_INVALID");
    assert!(!e.to_string().contains("secret"), "{e}");
    let e = fetch(&format!("{base}/d.csv#md5=00"), &o).unwrap_err();
    assert_eq!(e.code(), "URL_INVALID");
}
