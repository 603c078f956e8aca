//! The HTTP side of the MLflow store: one blocking client (ureq, rustls), retries with
//! backoff on transient failures, MLflow's error bodies turned into typed errors, and the
//! credentials MLflow's own client reads from the environment.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::tls::{Env, tls_config, warn_if_credentials_in_clear};
use crate::{Error, Result};

/// The largest JSON answer we read (a run with thousands of metrics fits easily).
pub(super) const MAX_JSON_ANSWER: u64 = 64 << 20;
/// The largest artifact we download.
pub(super) const MAX_ARTIFACT: u64 = 2 << 30;

/// An MLflow tracking server.
pub struct MlflowStore {
    pub(super) base: String,
    agent: ureq::Agent,
    auth: Option<String>,
    retries: u32,
    /// Results asked for per page of a search.
    pub(super) page_size: usize,
    /// Run id -> artifact root: fixed when a run is created, asked for once per run.
    pub(super) artifact_roots: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The HTTP methods of MLflow's REST API that the store calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: reads.
    Get,
    /// `POST`: creates and updates.
    Post,
    /// `PUT`: artifact uploads.
    Put,
    /// `DELETE`: alias removal.
    Delete,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        })
    }
}

/// How one attempt failed.
enum Failure {
    /// No connection: the server cannot have acted on the request.
    NotSent(String),
    /// Sent, but no complete answer: the server may have acted on it.
    Lost(String),
    /// The answer is larger than the call accepts.
    TooLarge,
    /// The TLS handshake failed (an untrusted certificate, a refused client certificate):
    /// retrying cannot help.
    Tls(String),
}

pub(super) enum Body<'a> {
    None,
    Json(&'a Json),
    Bytes(&'a [u8]),
}

/// `http://user:password@host/...` without the password, for messages.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[authority_end..]),
        None => uri.to_string(),
    }
}

impl MlflowStore {
    /// A client for the server at `uri` (`http://host:port[/prefix]` or https), configured by
    /// MLflow's environment variables (credentials, TLS, retries, timeout).
    pub fn new(uri: &str) -> Result<MlflowStore> {
        Self::with_env(uri, &|k| std::env::var(k).ok())
    }

    /// [`MlflowStore::new`] reading its environment variables through `env`.
    pub fn with_env(uri: &str, env: Env) -> Result<MlflowStore> {
        let invalid = |reason: &str| Error::InvalidTrackingUri {
            uri: redact(uri),
            reason: reason.to_string(),
        };
        let base = uri.trim_end_matches('/');
        let rest = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"))
            .ok_or_else(|| {
                invalid(
                    "expected http://host:port or https://host (or use --runs-dir for a local store)",
                )
            })?;
        if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
            return Err(invalid("no host"));
        }
        // `http://user:password@host`: the credentials go into a header, never into messages.
        let scheme = &base[..base.len() - rest.len()];
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let base = format!("{scheme}{host}{path}");
        let env_num = |k: &str, d: u64| env(k).and_then(|v| v.trim().parse().ok()).unwrap_or(d);
        let timeout = Duration::from_secs(env_num("MLFLOW_HTTP_REQUEST_TIMEOUT", 120));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(10)))
            .user_agent(format!("tandem/{}", tandem_core::VERSION))
            .tls_config(tls_config(env)?)
            .build()
            .into();
        let auth = if let Some(token) = env("MLFLOW_TRACKING_TOKEN") {
            Some(format!("Bearer {token}"))
        } else if let (Some(u), Some(p)) = (
            env("MLFLOW_TRACKING_USERNAME"),
            env("MLFLOW_TRACKING_PASSWORD"),
        ) {
            Some(format!("Basic {}", base64(format!("{u}:{p}").as_bytes())))
        } else {
            userinfo.map(|u| format!("Basic {}", base64(u.as_bytes())))
        };
        warn_if_credentials_in_clear(&base, auth.is_some());
        Ok(MlflowStore {
            base,
            agent,
            auth,
            retries: u32::try_from(env_num("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 3))
                .unwrap_or(u32::MAX),
            page_size: super::paging::page_size(env("TANDEM_MLFLOW_PAGE_SIZE")),
            artifact_roots: Default::default(),
        })
    }

    /// One call. Transient failures (no connection, 429, and for idempotent calls also a lost
    /// answer or a 5xx) are retried with exponential backoff. A call that creates something
    /// (`runs/create`, `model-versions/create`, ...) is not resent once the server may have
    /// acted on it: a retry would create a duplicate.
    pub(super) fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body,
        limit: u64,
    ) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let endpoint = path
            .trim_start_matches("api/2.0/mlflow/")
            .trim_start_matches("api/2.0/")
            .to_string();
        let idempotent = !endpoint.ends_with("/create");
        let mut attempt = 0;
        loop {
            let outcome = self.call_once(method, &url, query, &body, limit);
            let transient = match &outcome {
                Err(Failure::NotSent(_)) => true,
                Err(Failure::Lost(_)) => idempotent,
                Err(Failure::TooLarge | Failure::Tls(_)) => false,
                Ok((status, _)) => *status == 429 || (*status >= 500 && idempotent),
            };
            if transient && attempt < self.retries {
                std::thread::sleep(Duration::from_millis(500 << attempt.min(6)));
                attempt += 1;
                continue;
            }
            let (status, bytes) = match outcome {
                Ok(answer) => answer,
                Err(Failure::TooLarge) => {
                    return Err(Error::TooLarge {
                        method,
                        endpoint,
                        limit,
                    });
                }
                Err(Failure::Tls(reason)) => {
                    return Err(Error::Tls {
                        server: self.base.clone(),
                        method,
                        endpoint,
                        reason,
                    });
                }
                Err(Failure::NotSent(reason) | Failure::Lost(reason)) => {
                    return Err(Error::Unreachable {
                        server: self.base.clone(),
                        method,
                        endpoint,
                        reason,
                    });
                }
            };
            if (200..300).contains(&status) {
                return Ok(bytes);
            }
            return Err(refusal(method, endpoint, status, &bytes));
        }
    }

    fn call_once(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: &Body,
        limit: u64,
    ) -> Result<(u16, Vec<u8>), Failure> {
        let with = |mut r: ureq::RequestBuilder<ureq::typestate::WithoutBody>| {
            for (k, v) in query {
                r = r.query(*k, *v);
            }
            match &self.auth {
                Some(a) => r.header("Authorization", a),
                None => r,
            }
        };
        let with_body = |mut r: ureq::RequestBuilder<ureq::typestate::WithBody>| {
            for (k, v) in query {
                r = r.query(*k, *v);
            }
            if let Some(a) = &self.auth {
                r = r.header("Authorization", a);
            }
            match body {
                Body::Json(j) => r
                    .header("Content-Type", "application/json")
                    .send(j.to_string()),
                Body::Bytes(b) => r
                    .header("Content-Type", "application/octet-stream")
                    .send(*b),
                Body::None => r.send_empty(),
            }
        };
        let response = match method {
            Method::Get => with(self.agent.get(url)).call(),
            Method::Delete => with(self.agent.delete(url)).call(),
            Method::Post => with_body(self.agent.post(url)),
            Method::Put => with_body(self.agent.put(url)),
        };
        let mut response = response.map_err(|e| match &e {
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                Failure::NotSent(e.to_string())
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                Failure::NotSent(e.to_string())
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
                Failure::Tls(e.to_string())
            }
            // rustls reports a failed handshake as invalid data on the socket.
            ureq::Error::Io(io)
                if io.kind() == std::io::ErrorKind::InvalidData && url.starts_with("https://") =>
            {
                Failure::Tls(io.to_string())
            }
            _ => Failure::Lost(e.to_string()),
        })?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Failure::TooLarge,
                e => Failure::Lost(e.to_string()),
            })?;
        Ok((status, bytes))
    }

    /// A call to MLflow's REST API (`path` under `api/2.0/mlflow/`), its JSON answer read into
    /// `T` (an empty answer reads as `{}`).
    pub(super) fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Json>,
    ) -> Result<T> {
        let bytes = self.call(
            method,
            &format!("api/2.0/mlflow/{path}"),
            query,
            body.map_or(Body::None, Body::Json),
            MAX_JSON_ANSWER,
        )?;
        let text: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        serde_json::from_slice(text).map_err(|e| match e.classify() {
            // JSON, but not the shape MLflow documents.
            serde_json::error::Category::Data => Error::BadAnswer {
                endpoint: path.into(),
                reason: e.to_string(),
            },
            _ => Error::NotMlflow {
                method,
                endpoint: path.into(),
                status: 200,
                excerpt: excerpt(&bytes),
            },
        })
    }
}

/// The error for a non-2xx answer: MLflow's error body if it is one.
fn refusal(method: Method, endpoint: String, status: u16, bytes: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error_code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(b) => Error::Mlflow {
            method,
            endpoint,
            status,
            error_code: b.error_code,
            message: b.message,
        },
        Err(_) => Error::NotMlflow {
            method,
            endpoint,
            status,
            excerpt: excerpt(bytes),
        },
    }
}

pub(super) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(super) fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    s.trim().to_string()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn uris_must_be_http() {
        assert!(MlflowStore::new("ftp://x").is_err());
        assert!(MlflowStore::new("http://").is_err());
        assert!(MlflowStore::new("localhost:5000").is_err());
        assert!(MlflowStore::new("http://127.0.0.1:5000/").is_ok());
        // Credentials in the URI go to a header, never into messages or tags.
        let s = MlflowStore::new("https://alice:s3cret@mlflow.example:443/prefix").unwrap();
        assert_eq!(s.base, "https://mlflow.example:443/prefix");
        assert_eq!(s.auth.as_deref(), Some("Basic YWxpY2U6czNjcmV0"));
        let bad = MlflowStore::new("http://alice:s3cret@ host").err().unwrap();
        assert!(!bad.to_string().contains("s3cret"), "{bad}");
        assert_eq!(bad.code(), "INVALID_TRACKING_URI");
    }

    #[test]
    fn mlflow_error_bodies_become_typed_errors() {
        let e = refusal(
            Method::Get,
            "registered-models/alias".into(),
            404,
            br#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no model"}"#,
        );
        assert_eq!(e.mlflow_code(), Some("RESOURCE_DOES_NOT_EXIST"));
        assert_eq!(
            e.to_string(),
            "MLflow GET registered-models/alias: HTTP 404 RESOURCE_DOES_NOT_EXIST: no model"
        );
        let e = refusal(
            Method::Post,
            "runs/create".into(),
            502,
            b"<html>bad gateway</html>",
        );
        assert_eq!(e.code(), "MLFLOW_NOT_JSON");
        assert!(e.to_string().contains("not MLflow JSON"), "{e}");
    }
}
