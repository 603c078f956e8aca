//! Paged REST APIs against a local server: every paging style (page numbers, offsets, a
//! cursor in the body, a next URL in the body, the Link header), a short page ending the
//! reading, a rate limit kept, a token sent from the variable the source names, and clear
//! errors for a records path that is not there or a page that is not JSON.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tandem_sources::cell::{Cell, Sink};
use tandem_sources::rest::Rest;
use tandem_sources::url::FetchOptions;

/// 7 records `{"id": i, "name": "n<i>"}`.
fn record(i: usize) -> String {
    format!("{{\"id\":{i},\"name\":\"n{i}\"}}")
}

/// A server computing each answer from the request's path; returns the base URL and the
/// request lines and Authorization headers seen.
fn serve(answer: fn(&str, &str) -> (Vec<String>, String)) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            let (mut line, mut auth) = (String::new(), String::new());
            while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                if line.to_ascii_lowercase().starts_with("authorization:") {
                    auth = line.trim().to_string();
                }
                line.clear();
            }
            log.lock()
                .unwrap()
                .push(format!("{path} {auth}").trim().to_string());
            let (headers, body) = answer(&base_of(&stream), &path);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
                body.len(),
                headers
                    .iter()
                    .map(|h| format!("{h}\r\n"))
                    .collect::<String>()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    (base, seen)
}

fn base_of(stream: &std::net::TcpStream) -> String {
    format!("http://{}", stream.local_addr().unwrap())
}

fn param(path: &str, name: &str) -> Option<usize> {
    path.split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

/// Collected rows.
#[derive(Default)]
struct Rows {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Sink for Rows {
    fn columns(&mut self, names: &[String]) -> Result<(), tandem_sources::SourceError> {
        self.columns = names.to_vec();
        Ok(())
    }
    fn row(&mut self, cells: &[Cell]) -> Result<(), tandem_sources::SourceError> {
        self.rows.push(cells.to_vec());
        Ok(())
    }
}

fn options() -> FetchOptions {
    FetchOptions {
        cache_dir: std::env::temp_dir(),
        attempts: 2,
        max_wait: Duration::from_millis(100),
        backoff: Duration::from_millis(10),
        token: None,
        token_hosts: Vec::new(),
        timeout: Duration::from_secs(10),
    }
}

fn read(arg: &str) -> Result<Rows, tandem_sources::SourceError> {
    let mut rows = Rows::default();
    Rest::parse(arg)?.scan(&options(), &mut rows)?;
    Ok(rows)
}

fn ids(rows: &Rows) -> Vec<i64> {
    rows.rows
        .iter()
        .map(|r| match r[0] {
            Cell::Int(i) => i,
            _ => -1,
        })
        .collect()
}

const N: usize = 7;

#[test]
fn page_numbers_and_offsets_read_every_record_once() {
    // Pages of 3 from page 1; an empty page after the last.
    let (base, log) = serve(|_, path| {
        let page = param(path, "page").unwrap_or(1);
        let body: Vec<String> = ((page - 1) * 3..(page * 3).min(N)).map(record).collect();
        (vec![], format!("{{\"items\":[{}]}}", body.join(",")))
    });
    let rows = read(&format!("rest+{base}/x#paging=page")).unwrap();
    assert_eq!(rows.columns, ["id", "name"]);
    assert_eq!(ids(&rows), (0..7).collect::<Vec<_>>());
    assert_eq!(
        log.lock().unwrap().len(),
        4,
        "3 full pages and an empty one"
    );

    // Offsets with a page size: the short page ends it, without an empty request.
    let (base, log) = serve(|_, path| {
        let from = param(path, "offset").unwrap_or(0);
        let size = param(path, "limit").unwrap();
        let body: Vec<String> = (from..(from + size).min(N)).map(record).collect();
        (vec![], format!("[{}]", body.join(",")))
    });
    let rows = read(&format!("rest+{base}/x?q=1#paging=offset&page_size=3")).unwrap();
    assert_eq!(ids(&rows), (0..7).collect::<Vec<_>>());
    let seen = log.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "/x?q=1&offset=0&limit=3",
            "/x?q=1&offset=3&limit=3",
            "/x?q=1&offset=6&limit=3"
        ]
    );
}

#[test]
fn cursors_next_urls_and_link_headers_are_followed() {
    let (base, _) = serve(|_, path| {
        let from = param(path, "after").unwrap_or(0);
        let end = (from + 4).min(N);
        let body: Vec<String> = (from..end).map(record).collect();
        let next = if end < N {
            format!("\"{end}\"")
        } else {
            "null".into()
        };
        (
            vec![],
            format!(
                "{{\"meta\":{{\"cursor\":{next}}},\"data\":{{\"rows\":[{}]}}}}",
                body.join(",")
            ),
        )
    });
    let rows = read(&format!(
        "rest+{base}/x#paging=cursor&cursor=meta.cursor&cursor_param=after&records=data.rows"
    ))
    .unwrap();
    assert_eq!(ids(&rows), (0..7).collect::<Vec<_>>());

    let (base, _) = serve(|_, path| {
        let from = param(path, "p").unwrap_or(0);
        let end = (from + 5).min(N);
        let body: Vec<String> = (from..end).map(record).collect();
        let next = if end < N {
            format!("\"/x?p={end}\"")
        } else {
            "null".into()
        };
        (
            vec![],
            format!("{{\"next\":{next},\"results\":[{}]}}", body.join(",")),
        )
    });
    assert_eq!(
        ids(&read(&format!("rest+{base}/x#paging=next&next=next")).unwrap()),
        (0..7).collect::<Vec<_>>()
    );

    let (base, _) = serve(|base, path| {
        let from = param(path, "p").unwrap_or(0);
        let end = (from + 2).min(N);
        let body: Vec<String> = (from..end).map(record).collect();
        let link = if end < N {
            vec![format!(
                "Link: <{base}/x?p=0>; rel=\"first\", <{base}/x?p={end}>; rel=\"next\""
            )]
        } else {
            vec![]
        };
        (link, format!("[{}]", body.join(",")))
    });
    assert_eq!(
        ids(&read(&format!("rest+{base}/x#paging=link")).unwrap()),
        (0..7).collect::<Vec<_>>()
    );
}

#[test]
fn the_rate_limit_is_kept_and_a_token_variable_must_exist() {
    let (base, _) = serve(|_, path| {
        let page = param(path, "page").unwrap_or(1);
        let body = if page <= 3 {
            record(page)
        } else {
            String::new()
        };
        (vec![], format!("[{body}]"))
    });
    let started = Instant::now();
    let rows = read(&format!("rest+{base}/x#paging=page&rate=10")).unwrap();
    assert_eq!(ids(&rows), [1, 2, 3]);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "4 requests at 10/s take at least 0.3 s"
    );
    // The token itself is checked end to end (cli/tests/sources.rs), where the variable is
    // the child process's own.
    let e = read(&format!("rest+{base}/x#token_env=TANDEM_TEST_NOT_SET"))
        .err()
        .unwrap();
    assert_eq!(e.code(), "SOURCE_CREDENTIALS");
}

#[test]
fn a_missing_records_path_and_a_page_that_is_not_json_say_so() {
    let (base, _) = serve(|_, path| {
        if path.contains("bad") {
            (vec![], "<html>oops</html>".into())
        } else {
            (vec![], "{\"count\": 1, \"things\": [{\"a\": 1}]}".into())
        }
    });
    let e = read(&format!("rest+{base}/x")).err().unwrap();
    assert!(e.to_string().contains("count, things"), "{e}");
    let e = read(&format!("rest+{base}/x#records=stuff")).err().unwrap();
    assert!(e.to_string().contains("no `stuff`"), "{e}");
    let e = read(&format!("rest+{base}/bad")).err().unwrap();
    assert_eq!(e.code(), "SOURCE_DATA");
    assert!(e.to_string().contains("not JSON"), "{e}");
    let rows = read(&format!("rest+{base}/x#records=things")).unwrap();
    assert_eq!(rows.rows, vec![vec![Cell::Int(1)]]);
}
