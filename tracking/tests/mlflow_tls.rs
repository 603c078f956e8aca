//! The MLflow client against a real local HTTPS endpoint (Python's `http.server` wrapped in
//! TLS, certificates made by `openssl`): MLflow's TLS environment variables decide whom it
//! trusts and what it presents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a panic is a failed test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tandem_tracking::Store;
use tandem_tracking::mlflow::MlflowStore;

/// A tiny HTTPS server answering `{}` to every call (an empty MLflow: no experiments, no runs).
/// Arguments: certificate, key, and optionally the CA its clients must be signed by.
const SERVER: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def reply(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    do_GET = do_POST = reply
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
if len(sys.argv) > 3:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;

struct Server {
    child: Child,
    uri: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&Path]) -> Server {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SERVER)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("the server prints its port");
    Server {
        child,
        uri: format!("https://127.0.0.1:{port}"),
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate (with its key in the
/// same file, as MLFLOW_TRACKING_CLIENT_CERT_PATH takes it), all signed by the CA.
fn certificates(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-tls-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=tandem test CA",
        ],
    );
    for (name, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        ),
        (
            "client",
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        ),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        openssl(
            &dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
    let both = [
        std::fs::read(dir.join("client.pem")).unwrap(),
        std::fs::read(dir.join("client.key")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("client-with-key.pem"), both).unwrap();
    dir
}

/// List runs on `uri` with exactly these MLflow variables set (and no retries).
fn list_runs(uri: &str, vars: &[(&str, &Path)]) -> Result<usize, tandem_tracking::Error> {
    let mut env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.display().to_string()))
        .collect();
    env.insert("MLFLOW_HTTP_REQUEST_MAX_RETRIES".into(), "0".into());
    let store = MlflowStore::with_env(uri, &|k| env.get(k).cloned())?;
    Ok(store.runs(None, 10)?.len())
}

#[test]
fn mlflow_tls_variables_decide_whom_the_client_trusts_and_what_it_presents() {
    let dir = certificates("trust");
    let server = serve(&[&dir.join("server.pem"), &dir.join("server.key")]);
    let uri = server.uri.as_str();

    // An untrusted (private CA) certificate: a clear TLS error, not retried.
    let e = list_runs(uri, &[]).unwrap_err();
    assert_eq!(e.code(), "MLFLOW_TLS", "{e}");
    let text = e.to_string();
    assert!(text.contains("MLFLOW_TRACKING_SERVER_CERT_PATH"), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");

    // Trusting the CA, or skipping verification, works.
    let ca = dir.join("ca.pem");
    assert_eq!(
        list_runs(uri, &[("MLFLOW_TRACKING_SERVER_CERT_PATH", &ca)]).unwrap(),
        0
    );
    let yes = Path::new("true");
    assert_eq!(
        list_runs(uri, &[("MLFLOW_TRACKING_INSECURE_TLS", yes)]).unwrap(),
        0
    );

    // Both at once is refused, as MLflow refuses it; a file that is no PEM is named.
    let e = list_runs(
        uri,
        &[
            ("MLFLOW_TRACKING_SERVER_CERT_PATH", &ca),
            ("MLFLOW_TRACKING_INSECURE_TLS", yes),
        ],
    )
    .unwrap_err();
    assert_eq!(e.code(), "MLFLOW_TLS_CONFIG");
    let csr = dir.join("server.ext");
    let e = list_runs(uri, &[("MLFLOW_TRACKING_SERVER_CERT_PATH", &csr)]).unwrap_err();
    assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_server_that_asks_for_a_client_certificate_gets_the_one_mlflow_variables_name() {
    let dir = certificates("mtls");
    let server = serve(&[
        &dir.join("server.pem"),
        &dir.join("server.key"),
        &dir.join("ca.pem"),
    ]);
    let uri = server.uri.as_str();
    let ca = dir.join("ca.pem");
    let trust = ("MLFLOW_TRACKING_SERVER_CERT_PATH", ca.as_path());
    let e = list_runs(uri, &[trust]).unwrap_err();
    assert!(
        matches!(e.code(), "MLFLOW_TLS" | "MLFLOW_UNREACHABLE"),
        "{e}"
    );
    let client = dir.join("client-with-key.pem");
    assert_eq!(
        list_runs(uri, &[trust, ("MLFLOW_TRACKING_CLIENT_CERT_PATH", &client)]).unwrap(),
        0
    );
    // A certificate without its key is refused before any call.
    let no_key = dir.join("client.pem");
    let e = list_runs(uri, &[trust, ("MLFLOW_TRACKING_CLIENT_CERT_PATH", &no_key)]).unwrap_err();
    assert_eq!(e.code(), "MLFLOW_TLS_CONFIG");
    assert!(e.to_string().contains("holds no private key"), "{e}");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}
