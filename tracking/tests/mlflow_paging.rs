//! The MLflow client against a real `mlflow server` (PyPI's, on 127.0.0.1 with a sqlite
//! backend and proxied artifacts, as `tests/py/test_mlflow.py` starts it): searches page past
//! one page with MLflow's `page_token`, and the registry records and checks each bundle's
//! SHA-256.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a panic is a failed test.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tandem_tracking::mlflow::{BUNDLE_SHA256_TAG, MlflowStore};
use tandem_tracking::uri::ModelUri;
use tandem_tracking::{Status, Store, StoreConfig};

struct Server {
    child: Child,
    uri: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server and every process it started (uvicorn, the job runner, its consumers),
        // each by its id, found before any dies (orphans are re-parented).
        let mut pids = descendants(self.child.id());
        pids.push(self.child.id());
        let _ = Command::new("kill")
            .arg("-KILL")
            .args(pids.iter().map(u32::to_string))
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every process descended from `pid`, from `ps`.
fn descendants(pid: u32) -> Vec<u32> {
    let out = Command::new("ps")
        .args(["-eo", "pid=,ppid="])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let pairs: Vec<(u32, u32)> = out
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|n| n.parse::<u32>().ok());
            Some((it.next()??, it.next()??))
        })
        .collect();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            pairs
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mlflow_server() -> Server {
    let dir = std::env::temp_dir().join(format!("tandem-mlflow-paging-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new("python3")
        .args([
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--workers",
            "1",
        ])
        .args(["--port", &port.to_string()])
        .arg("--backend-store-uri")
        .arg(format!("sqlite:///{}/mlflow.db", dir.display()))
        .arg("--serve-artifacts")
        .arg("--artifacts-destination")
        .arg(dir.join("artifacts"))
        .env("MLFLOW_ENABLE_TELEMETRY", "false")
        .env("DO_NOT_TRACK", "1")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("python3 -m mlflow server starts");
    let server = Server {
        child,
        uri: format!("http://127.0.0.1:{port}"),
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if ureq::get(&format!("{}/health", server.uri)).call().is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!(
        "mlflow server did not start: {}",
        std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default()
    );
}

/// A client of `uri` that asks for `page` results per page.
fn client(uri: &str, page: usize) -> MlflowStore {
    let env: HashMap<&str, String> = HashMap::from([("TANDEM_MLFLOW_PAGE_SIZE", page.to_string())]);
    MlflowStore::with_env(uri, &|k| env.get(k).cloned()).unwrap()
}

#[test]
fn searches_page_past_one_page_and_registry_versions_are_checked_against_their_hash() {
    let server = mlflow_server();
    let s = client(&server.uri, 3);
    let e = s.experiment("paging").unwrap();
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = s.create_run(&e, &format!("run-{i}"), &[]).unwrap();
        s.end_run(&id, Status::Finished).unwrap();
        ids.push(id);
    }
    // 8 runs in pages of 3: every run once, newest first.
    let runs = s.runs(Some("paging"), 100).unwrap();
    let mut listed: Vec<String> = runs.iter().map(|r| r.run_id.clone()).collect();
    assert_eq!(listed.len(), 8);
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 8);
    assert_eq!(s.runs(Some("paging"), 5).unwrap().len(), 5);
    // Every experiment, paged (Default and paging, in pages of 1).
    assert_eq!(client(&server.uri, 1).runs(None, 100).unwrap().len(), 8);

    // A registry larger than a page: 5 models, one with 7 versions.
    let bundle = b"a bundle".as_slice();
    s.put_artifact(&ids[0], "model/model.tandem", bundle)
        .unwrap();
    for name in ["m1", "m2", "m3", "m4"] {
        s.register(name, &ids[0], "model").unwrap();
    }
    for _ in 0..7 {
        s.register("many", &ids[0], "model").unwrap();
    }
    let listing = s.models().unwrap();
    let mut names: Vec<&str> = listing.models.iter().map(|m| m.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["m1", "m2", "m3", "m4", "many"]);
    let many = listing.models.iter().find(|m| m.name == "many").unwrap();
    let versions: Vec<u64> = many.versions.iter().map(|v| v.version).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(s.latest_version("many").unwrap().version, 7);

    // Each version carries the bundle's SHA-256 as a tag; resolution checks it.
    let sha = tandem_tracking::ids::sha256_hex(bundle);
    assert_eq!(
        s.version("many", 7).unwrap().bundle_sha256.as_deref(),
        Some(sha.as_str())
    );
    assert!(
        many.versions
            .iter()
            .all(|v| v.bundle_sha256.as_deref() == Some(sha.as_str()))
    );
    let stores = StoreConfig {
        tracking_uri: Some(server.uri.clone()),
        runs_dir: server.dir.join("unused"),
    };
    s.set_alias("many", "champion", 7).unwrap();
    let alias = ModelUri::parse("models:/many@champion").unwrap();
    assert_eq!(alias.resolve(&stores).unwrap().bytes, bundle);
    // The artifact replaced after registration: refused by every registry URI.
    s.put_artifact(&ids[0], "model/model.tandem", b"another bundle")
        .unwrap();
    for uri in [
        "models:/many@champion",
        "models:/many/latest",
        "models:/m1/1",
    ] {
        let e = ModelUri::parse(uri)
            .unwrap()
            .resolve(&stores)
            .err()
            .unwrap();
        assert_eq!(e.code(), "BUNDLE_TAMPERED", "{uri}: {e}");
    }
    assert_eq!(BUNDLE_SHA256_TAG, "tandem.bundle_sha256");
}
