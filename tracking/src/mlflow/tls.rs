//! MLflow's TLS and credential environment variables, read as MLflow's Python client reads
//! them, and the warnings about what they weaken.
//!
//! - `MLFLOW_TRACKING_SERVER_CERT_PATH`: a PEM bundle of the CAs to trust instead of the
//!   bundled web roots (a private CA, a self-signed server).
//! - `MLFLOW_TRACKING_INSECURE_TLS=true`: no certificate verification at all (a warning,
//!   once); not together with `MLFLOW_TRACKING_SERVER_CERT_PATH` (MLflow refuses that too).
//! - `MLFLOW_TRACKING_CLIENT_CERT_PATH`: a PEM file holding the client certificate (chain)
//!   and its unencrypted private key, for servers that ask for one (mutual TLS).

use std::sync::Once;

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use crate::{Error, Result};

const SERVER_CERT: &str = "MLFLOW_TRACKING_SERVER_CERT_PATH";
const INSECURE: &str = "MLFLOW_TRACKING_INSECURE_TLS";
const CLIENT_CERT: &str = "MLFLOW_TRACKING_CLIENT_CERT_PATH";

/// How the client reads its environment: `std::env::var` in use, a map in tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The TLS configuration MLflow's environment (`env`) asks for.
pub(super) fn tls_config(env: Env) -> Result<TlsConfig> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let insecure = match var(INSECURE).map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        Some(v) => {
            return Err(Error::TlsConfig {
                variable: INSECURE,
                reason: format!("`{v}` is not one of true, false, 1, 0"),
            });
        }
    };
    let mut config = TlsConfig::builder();
    match (insecure, var(SERVER_CERT)) {
        (true, Some(_)) => {
            return Err(Error::TlsConfig {
                variable: SERVER_CERT,
                reason: format!(
                    "must not be set when {INSECURE} is true (trust a CA, or skip verification: not both)"
                ),
            });
        }
        (true, None) => {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "warning: {INSECURE} is set: the MLflow server's TLS certificate is not verified, so anyone on the network path can read and alter what is sent (credentials, bundles)"
                );
            });
            config = config.disable_verification(true);
        }
        (false, Some(path)) => {
            let certs = certificates(SERVER_CERT, &path)?;
            config = config.root_certs(RootCerts::new_with_certs(&certs));
        }
        (false, None) => {}
    }
    if let Some(path) = var(CLIENT_CERT) {
        config = config.client_cert(Some(client_cert(&path)?));
    }
    Ok(config.build())
}

/// The PEM items of the file `variable` names.
fn pem_items(variable: &'static str, path: &str) -> Result<Vec<PemItem<'static>>> {
    let bad = |reason: String| Error::TlsConfig { variable, reason };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read {path}: {e}")))?;
    ureq::tls::parse_pem(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("{path} is not valid PEM: {e}")))
}

/// The certificates of a PEM file (a CA bundle).
fn certificates(variable: &'static str, path: &str) -> Result<Vec<Certificate<'static>>> {
    let certs: Vec<Certificate<'static>> = pem_items(variable, path)?
        .into_iter()
        .filter_map(|item| match item {
            PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::TlsConfig {
            variable,
            reason: format!("{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
        });
    }
    Ok(certs)
}

/// A client certificate chain and its key, from one PEM file.
fn client_cert(path: &str) -> Result<ClientCert> {
    let mut certs = Vec::new();
    let mut key: Option<PrivateKey<'static>> = None;
    for item in pem_items(CLIENT_CERT, path)? {
        match item {
            PemItem::Certificate(c) => certs.push(c),
            PemItem::PrivateKey(k) => key = key.or(Some(k)),
            _ => {}
        }
    }
    match (certs.is_empty(), key) {
        (false, Some(key)) => Ok(ClientCert::new_with_certs(&certs, key)),
        (true, _) => Err(Error::TlsConfig {
            variable: CLIENT_CERT,
            reason: format!("{path} holds no PEM certificate"),
        }),
        (false, None) => Err(Error::TlsConfig {
            variable: CLIENT_CERT,
            reason: format!(
                "{path} holds no private key: put the certificate and its unencrypted private key in one PEM file"
            ),
        }),
    }
}

/// Warn (once per process) when credentials are about to go in clear text: an `http://` base
/// whose host is not the local machine.
pub(super) fn warn_if_credentials_in_clear(base: &str, has_credentials: bool) {
    let Some(rest) = base.strip_prefix("http://") else {
        return;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if !has_credentials || is_loopback(authority) {
        return;
    }
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        eprintln!(
            "warning: MLflow credentials (MLFLOW_TRACKING_TOKEN, a user name and password) go to {authority} over plain http, readable by anyone on the network path: use an https:// tracking URI"
        );
    });
}

/// Whether `host[:port]` names this machine (`localhost`, `127.x.y.z`, `[::1]`).
pub(super) fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_loopback() {
        for local in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.3.4.5",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(is_loopback(local), "{local}");
        }
        for remote in [
            "mlflow.example:5000",
            "10.0.0.1",
            "[2001:db8::1]:5000",
            "localhost.evil.example",
        ] {
            assert!(!is_loopback(remote), "{remote}");
        }
    }
}
