//! Data where it lives (issue 16): the example data read from a CSV file, Parquet written by
//! pandas, the embedded SQLite database, a real PostgreSQL server (Debian's, started here on
//! a free loopback port with a password) and a paged REST API (a local server that answers
//! 429 and 500 on the way) trains the same fitted state and the same network, and predicts
//! the same; no password reaches any artifact of the run. A time window and labels joined
//! from a labelling tool's export are checked row by row against the fixture files.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{command, root, scratch, text};

const PASSWORD: &str = "s3cret-Tandem-pw";
const API_TOKEN: &str = "api-t0ken-Tandem";

/// A PostgreSQL server of its own, stopped when dropped.
struct Postgres {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
}

fn as_postgres(bin: &Path, args: &[&str]) -> Command {
    // initdb refuses to run as root: run the server as the package's `postgres` user then.
    if unsafe_is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn pg_bin() -> PathBuf {
    let lib = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(lib)
        .expect("PostgreSQL from Debian's packages (scripts/setup installs it)")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("an initdb under /usr/lib/postgresql")
}

impl Postgres {
    fn start() -> Postgres {
        let bin = pg_bin();
        let dir = std::env::temp_dir().join(format!("tandem-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if unsafe_is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let data = dir.join("data");
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "tandem",
                "--auth=scram-sha-256",
                "--pwfile",
                pwfile.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "initdb: {}", text(&out));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            dir.display()
        );
        let out = as_postgres(
            &bin.join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                dir.join("log").to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "pg_ctl start: {}", text(&out));
        Postgres { dir, port, bin }
    }

    fn psql(&self, sql: &str) {
        let out = Command::new("psql")
            .env("PGPASSWORD", PASSWORD)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "tandem",
            ])
            .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "psql {sql}: {}", text(&out));
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        )
        .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The example CSV's rows as JSON objects (typed as an API would send them).
fn titanic_records() -> Vec<String> {
    let mut rdr = csv::Reader::from_path(root().join("examples/data/titanic.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let members: Vec<String> = header
                .iter()
                .zip(r.iter())
                .map(|(k, v)| {
                    let value = if k == "age" {
                        if v.is_empty() {
                            "null".into()
                        } else {
                            v.to_string()
                        }
                    } else {
                        serde_json::to_string(v).unwrap()
                    };
                    format!("{}:{value}", serde_json::to_string(k).unwrap())
                })
                .collect();
            format!("{{{}}}", members.join(","))
        })
        .collect()
}

/// A paged API over the example rows: `?cursor=N` gives 250 rows from N and
/// `meta.next`; the first request is answered 429 (Retry-After: 0) and the second page's
/// first request 500, so both retries are on the path.
fn serve_api() -> (String, Arc<Mutex<Vec<String>>>) {
    let records = titanic_records();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut line = String::new();
            let mut auth = String::new();
            while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                if line.to_ascii_lowercase().starts_with("authorization:") {
                    auth = line.trim().to_string();
                }
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let n = {
                let mut l = seen.lock().unwrap();
                l.push(format!("{path} {auth}"));
                l.len()
            };
            let start: usize = path
                .split("cursor=")
                .nth(1)
                .map_or(0, |c| c.split('&').next().unwrap().parse().unwrap());
            let (status, body) = if n == 1 {
                ("429 Too Many Requests\r\nRetry-After: 0", String::new())
            } else if start == 250
                && !seen.lock().unwrap()[..n - 1]
                    .iter()
                    .any(|p| p.contains("cursor=250"))
            {
                ("500 Internal Server Error", String::new())
            } else {
                let end = (start + 250).min(records.len());
                let next = if end < records.len() {
                    format!("\"{end}\"")
                } else {
                    "null".into()
                };
                (
                    "200 OK",
                    format!(
                        "{{\"meta\":{{\"next\":{next}}},\"data\":[{}]}}",
                        records[start..end].join(",")
                    ),
                )
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    (base, log)
}

/// Every file under `dir`, read as bytes.
fn all_files(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
}

/// The bundle's parts that training fitted (everything but the metadata, which names the
/// source and the time), by name and SHA-256.
fn fitted_parts(model: &str) -> Vec<(String, String)> {
    let bytes = std::fs::read(model).unwrap();
    let manifest = tandem_core::bundle::Bundle::manifest(&bytes).unwrap();
    manifest
        .parts
        .iter()
        .filter(|p| p.name != "metadata.json")
        .map(|p| (p.name.clone(), p.sha256.clone()))
        .collect()
}

#[test]
fn every_source_trains_the_same_model_and_no_password_is_recorded() {
    let dir = scratch("sources");
    let runs = dir.join("runs");
    let pg = Postgres::start();
    let pg_uri = same_model_from_every_source(&pg, &dir, &runs);
    no_password_anywhere(&dir, &runs, &pg_uri);
    window_and_labels_from_postgres_and_a_file(&pg, &runs);
}

/// Train on every source; the PostgreSQL source's URI is returned.
fn same_model_from_every_source(pg: &Postgres, dir: &Path, runs: &Path) -> String {
    pg.psql(
        "CREATE TABLE passengers (name text, survived text, sex text, age double precision, \"passengerClass\" text, id serial)",
    );
    let csv = root().join("examples/data/titanic.csv");
    pg.psql(&format!(
        "\\copy passengers (name, survived, sex, age, \"passengerClass\") FROM '{}' WITH (FORMAT csv, HEADER true)",
        csv.display()
    ));
    let (api, log) = serve_api();

    let train = |data: &str| {
        let out = command()
            .current_dir(root())
            .env("PGPASSWORD", PASSWORD)
            .env("PASSENGERS_API_TOKEN", API_TOKEN)
            .env("TANDEM_CACHE_DIR", dir.join("cache"))
            .args(["train", "--data", data, "--label", "survived", "--runs-dir"])
            .arg(runs)
            .args(["--max-epochs", "3", "--quiet", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{data}: {}", text(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let predict = |model: &str| {
        let out = command()
            .args(["predict", "--model", model, "--input"])
            .arg(&csv)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        out.stdout
    };
    let reference = train("examples/data/titanic.csv");
    let want_parts = fitted_parts(reference["model"].as_str().unwrap());
    let want_predictions = predict(reference["model"].as_str().unwrap());
    // A table has no order of its own (PostgreSQL fills free space anywhere), and the split
    // follows the rows' order: the query orders them, as the note on an unordered query says.
    let pg_uri = format!(
        "postgres://tandem@127.0.0.1:{}/postgres?query=SELECT%20name,survived,sex,age,%22passengerClass%22%20FROM%20passengers%20ORDER%20BY%20id",
        pg.port
    );
    for source in [
        "tests/fixtures/sources/titanic.parquet".to_string(),
        // An old spreadsheet export: windows-1252, no header, `;` and `'` quotes.
        "tests/fixtures/sources/titanic-latin1.csv#encoding=windows-1252&columns=name,survived,sex,age,passengerClass&quote=%27&delimiter=;".to_string(),
        "sqlite:examples/data/titanic.db?table=passengers".to_string(),
        pg_uri.clone(),
        format!(
            "rest+{api}/passengers#paging=cursor&cursor=meta.next&records=data&token_env=PASSENGERS_API_TOKEN"
        ),
    ] {
        let run = train(&source);
        assert_eq!(run["metrics"], reference["metrics"], "{source}");
        let model = run["model"].as_str().unwrap();
        assert_eq!(fitted_parts(model), want_parts, "{source}: fitted state");
        assert_eq!(predict(model), want_predictions, "{source}: predictions");
        let params = std::fs::read_to_string(
            Path::new(run["run_dir"].as_str().unwrap()).join("params.json"),
        )
        .unwrap();
        let params: HashMap<String, String> = serde_json::from_str(&params).unwrap();
        assert_eq!(params["data_rows_read"], "1309", "{source}");
    }
    let requests = log.lock().unwrap().clone();
    assert_eq!(requests.len(), 8, "429, 6 pages, one 500: {requests:?}");
    assert!(
        requests
            .iter()
            .all(|r| r.ends_with(&format!("Bearer {API_TOKEN}"))),
        "the token from the variable the source names: {requests:?}"
    );

    pg_uri
}

/// The password went to the server (scram) and nowhere else.
fn no_password_anywhere(dir: &Path, runs: &Path, pg_uri: &str) {
    let mut files = Vec::new();
    all_files(runs, &mut files);
    assert!(files.len() > 20);
    for (path, bytes) in &files {
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "{} holds the password",
            path.display()
        );
    }
    // Without it the server refuses, and the message names the source, not a secret.
    let out = command()
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", dir.join("none"))
        .args(["schema", "infer", pg_uri, "--label", "survived"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("[SOURCE_QUERY]"), "{}", text(&out));
    // A password in the URI is refused before anything connects, and never echoed.
    let bad = pg_uri.replace("tandem@", &format!("tandem:{PASSWORD}@"));
    let out = command()
        .args(["schema", "infer", &bad, "--label", "survived"])
        .output()
        .unwrap();
    assert!(text(&out).contains("[URL_INVALID]"), "{}", text(&out));
    assert!(!text(&out).contains(PASSWORD), "{}", text(&out));
}

/// The window is pushed into PostgreSQL's query and means the same there as on a file.
fn window_and_labels_from_postgres_and_a_file(pg: &Postgres, runs: &Path) {
    pg.psql("CREATE TABLE instances (passenger_id int, recorded_at timestamptz, name text, sex text, age double precision, \"passengerClass\" text)");
    pg.psql(&format!(
        "\\copy instances FROM '{}' WITH (FORMAT csv, HEADER true)",
        root()
            .join("tests/fixtures/sources/instances.csv")
            .display()
    ));
    let windowed = |data: &str| {
        let out = command()
            .current_dir(root())
            .env("PGPASSWORD", PASSWORD)
            .args(["train", "--data", data, "--label", "survived"])
            .args([
                "--labels",
                "tests/fixtures/sources/labels.csv",
                "--join-key",
                "passenger_id",
            ])
            .args([
                "--time-field",
                "recorded_at",
                "--since",
                "1912-04-05",
                "--until",
                "1912-04-15T00:00:00+00:00",
            ])
            .arg("--runs-dir")
            .arg(runs)
            .args(["--max-epochs", "2", "--quiet", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{data}: {}", text(&out));
        let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let params = std::fs::read_to_string(
            Path::new(run["run_dir"].as_str().unwrap()).join("params.json"),
        )
        .unwrap();
        let mut params: HashMap<String, String> = serde_json::from_str(&params).unwrap();
        params.retain(|k, _| {
            k.starts_with("window_")
                || k.starts_with("labels")
                || k.contains("label")
                || k == "data_rows_read"
                || k.ends_with("_rows")
        });
        (run["metrics"].clone(), params)
    };
    let (from_file, file_params) = windowed("tests/fixtures/sources/instances.csv");
    let (from_pg, mut pg_params) = windowed(&format!(
        "postgres://tandem@127.0.0.1:{}/postgres?query=SELECT%20*%20FROM%20instances%20ORDER%20BY%20passenger_id",
        pg.port
    ));
    assert_eq!(from_pg, from_file, "the same window, the same rows");
    // The file's rows outside the window were read and dropped; PostgreSQL never sent them.
    assert_eq!(
        pg_params.remove("window_rows_outside").as_deref(),
        Some("0")
    );
    let mut file_only = file_params.clone();
    file_only.remove("window_rows_outside");
    let strip = |m: &mut HashMap<String, String>| {
        m.remove("labels");
        m.remove("data_rows_read");
    };
    strip(&mut pg_params);
    strip(&mut file_only);
    assert_eq!(pg_params, file_only);
    check_window_and_join(&file_params);
}

/// The window's and join's counts, recomputed here from the fixture files row by row.
fn check_window_and_join(params: &HashMap<String, String>) {
    let fixtures = root().join("tests/fixtures/sources");
    let mut labels: HashMap<String, Vec<String>> = HashMap::new();
    let mut rdr = csv::Reader::from_path(fixtures.join("labels.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        labels
            .entry(r[0].to_string())
            .or_default()
            .push(r[1].to_string());
    }
    let mut rdr = csv::Reader::from_path(fixtures.join("instances.csv")).unwrap();
    let (mut kept, mut outside, mut matched, mut unmatched) = (0, 0, 0, 0);
    let mut used = std::collections::HashSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let day: u32 = r[1][8..10].parse().unwrap();
        if !(5..15).contains(&day) {
            outside += 1;
            continue;
        }
        kept += 1;
        match labels.get(&r[0]) {
            Some(l) => {
                used.insert(r[0].to_string());
                let distinct: std::collections::HashSet<_> = l.iter().collect();
                if distinct.len() == 1 {
                    matched += 1
                } else {
                    unmatched += 1
                }
            }
            None => unmatched += 1,
        }
    }
    let conflicting = labels
        .values()
        .filter(|l| l.iter().collect::<std::collections::HashSet<_>>().len() > 1)
        .count();
    assert_eq!(conflicting, 1);
    let want = [
        ("window_rows_kept", kept),
        ("window_rows_outside", outside),
        ("labels_matched", matched),
        ("instances_without_label", unmatched),
        ("labels_without_instance", labels.len() - used.len()),
        ("labels_conflicting_keys", conflicting),
        ("dropped_missing_label", unmatched),
    ];
    for (k, v) in want {
        assert_eq!(
            params.get(k).map(String::as_str),
            Some(v.to_string().as_str()),
            "{k}: {params:?}"
        );
    }
    assert_eq!(params["window_since"], "1912-04-05T00:00:00Z");
}

/// A spec naming its sources (a multi-line query on the SQLite file, labels from a table of
/// the same database), with a window: the same run as the flags on the CSV exports.
#[test]
fn a_spec_names_its_sources_window_and_labels() {
    let dir = scratch("spec-sources");
    let runs = dir.join("runs");
    let fixtures = root().join("tests/fixtures/sources");
    std::fs::copy(fixtures.join("etl.db"), dir.join("etl.db")).unwrap();
    let spec = dir.join("tandem.toml");
    std::fs::write(
        &spec,
        r#"version = 1

[data]
source = "passengers"
label = "survived"

[data.sources.passengers]
uri = "sqlite:etl.db"
query = """
SELECT *
FROM instances
ORDER BY passenger_id
"""

[data.sources.reviews]
uri = "sqlite:etl.db?table=labels"

[data.labels]
source = "reviews"
key = "passenger_id"

[data.window]
field = "recorded_at"
since = "1912-04-05"
until = "1912-04-15"

[model]
max_epochs = 2
"#,
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = command()
            .current_dir(root())
            .args(args)
            .arg("--runs-dir")
            .arg(&runs)
            .args(["--quiet", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let params =
            std::fs::read_to_string(Path::new(v["run_dir"].as_str().unwrap()).join("params.json"))
                .unwrap();
        let params: HashMap<String, String> = serde_json::from_str(&params).unwrap();
        (v, params)
    };
    let (from_spec, params) = run(&["train", "--spec", spec.to_str().unwrap()]);
    let (from_flags, _) = run(&[
        "train",
        "--data",
        "tests/fixtures/sources/instances.csv",
        "--label",
        "survived",
        "--labels",
        "tests/fixtures/sources/labels.csv",
        "--join-key",
        "passenger_id",
        "--time-field",
        "recorded_at",
        "--since",
        "1912-04-05",
        "--until",
        "1912-04-15",
        "--max-epochs",
        "2",
    ]);
    assert_eq!(from_spec["metrics"], from_flags["metrics"]);
    assert_eq!(
        fitted_parts(from_spec["model"].as_str().unwrap()),
        fitted_parts(from_flags["model"].as_str().unwrap())
    );
    assert!(
        params["data"].contains("ORDER BY passenger_id"),
        "{params:?}"
    );
    assert!(params["labels"].starts_with("sqlite:"), "{params:?}");
    // SQLite kept the rows outside the window to itself; the rest is the file's count.
    let mut params = params;
    assert_eq!(params["window_rows_outside"], "0");
    let outside = 1309 - params["window_rows_kept"].parse::<usize>().unwrap();
    params.insert("window_rows_outside".into(), outside.to_string());
    check_window_and_join(&params);

    // Both `path` and `source` is an error located in the spec.
    let both = dir.join("both.toml");
    std::fs::write(
        &both,
        "version = 1\n[data]\npath = \"x.csv\"\nsource = \"sqlite:etl.db?table=instances\"\nlabel = \"survived\"\n",
    )
    .unwrap();
    let out = command()
        .args(["train", "--spec", both.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("both.toml:4:10"), "{}", text(&out));
    assert!(text(&out).contains("not both"), "{}", text(&out));
}

/// Text in another encoding reads as its UTF-8 twin once named, and fails with a hint if not.
#[test]
fn a_file_in_another_encoding_predicts_as_its_utf8_twin() {
    let dir = scratch("dialect");
    let runs = dir.join("runs");
    let out = command()
        .current_dir(root())
        .args([
            "train",
            "--data",
            "examples/data/titanic.csv",
            "--label",
            "survived",
        ])
        .arg("--runs-dir")
        .arg(&runs)
        .args(["--max-epochs", "2", "--quiet", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model = run["model"].as_str().unwrap().to_string();
    // Names with letters outside ASCII, as the passenger list writes some of them.
    let utf8 = "name,sex,age,passengerClass\n\
                \"Aubart, Mme. Léontine Pauline\",female,24,1st\n\
                \"Sjöblom, Miss. Anna Sofia\",female,18,3rd\n\
                \"Nakid, Mr. Saïd\",male,20,3rd\n";
    let plain = dir.join("utf8.csv");
    std::fs::write(&plain, utf8).unwrap();
    // The same rows in windows-1252 (é, ö, ï are one byte each there, as in Latin-1), without
    // the header, quoted with `'`.
    let legacy: Vec<u8> = utf8
        .lines()
        .skip(1)
        .flat_map(|l| {
            format!("{}\r\n", l.replace('"', "'"))
                .chars()
                .collect::<Vec<_>>()
        })
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let old = dir.join("old.csv");
    std::fs::write(&old, &legacy).unwrap();
    let predict = |input: &str| {
        command()
            .args(["predict", "--model", &model, "--input", input])
            .output()
            .unwrap()
    };
    let want = predict(plain.to_str().unwrap());
    assert!(want.status.success(), "{}", text(&want));
    let got = predict(&format!(
        "{}#encoding=windows-1252&columns=name,sex,age,passengerClass&quote=%27",
        old.display()
    ));
    assert!(got.status.success(), "{}", text(&got));
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&want.stdout).lines().count(), 4);

    // Unnamed, the encoding is that row's error, and the message says what to write.
    let header_and_legacy: Vec<u8> = b"name,sex,age,passengerClass\n"
        .iter()
        .copied()
        .chain(legacy.iter().map(|&b| if b == b'\'' { b'"' } else { b }))
        .collect();
    std::fs::write(&old, header_and_legacy).unwrap();
    let out = command()
        .args(["schema", "infer"])
        .arg(&old)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("#encoding=windows-1252"),
        "{}",
        text(&out)
    );
    // The output may not be the input, options or not.
    let out = command()
        .args(["predict", "--model", &model, "--input"])
        .arg(format!("{}#encoding=windows-1252", old.display()))
        .arg("--output")
        .arg(&old)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        std::fs::read(&old).unwrap().starts_with(b"name,sex"),
        "the input survives"
    );
    // An option Tandem does not know is refused, naming it.
    let out = predict(&format!("{}#colour=red", old.display()));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unknown option `colour=red`"),
        "{}",
        text(&out)
    );
}
