//! An HTTP(S) URL as a local file: downloaded once into a cache directory and revalidated with
//! the server's validators (`ETag` / `Last-Modified`: a 304 reuses the cached copy), retried
//! on connection failures, truncated bodies, 5xx and 429 (honouring `Retry-After`) with
//! exponential backoff, and checked against the URL's SHA-256 pin when it has one
//! (`https://host/data.csv#sha256=<64 hex>`). The file keeps the URL's name, so its extension
//! still says its format.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::SourceError;

/// How URLs are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Where downloads are kept (`TANDEM_CACHE_DIR`, else `$XDG_CACHE_HOME/tandem/data`, else
    /// `~/.cache/tandem/data`).
    pub cache_dir: PathBuf,
    /// Requests per URL at most.
    pub attempts: u32,
    /// The longest wait between two attempts (a longer `Retry-After` is cut to it).
    pub max_wait: Duration,
    /// The first backoff (doubled after each failed attempt).
    pub backoff: Duration,
    /// `Authorization: Bearer <token>` (`TANDEM_HTTP_TOKEN`), never part of the URL; sent only
    /// over HTTPS to the hosts of `token_hosts`.
    pub token: Option<String>,
    /// The hosts the token may go to (`TANDEM_HTTP_TOKEN_HOSTS`, comma separated).
    pub token_hosts: Vec<String>,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl FetchOptions {
    /// The settings the environment gives.
    pub fn from_env() -> FetchOptions {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let cache_dir = var("TANDEM_CACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                var("XDG_CACHE_HOME")
                    .map(PathBuf::from)
                    .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache")))
                    .unwrap_or_else(|| PathBuf::from(".cache"))
                    .join("tandem/data")
            });
        FetchOptions {
            cache_dir,
            attempts: 4,
            max_wait: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
            token: var("TANDEM_HTTP_TOKEN"),
            token_hosts: var("TANDEM_HTTP_TOKEN_HOSTS")
                .map(|h| {
                    h.split(',')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            timeout: Duration::from_secs(300),
        }
    }
}

/// A URL split into what is fetched and its pin.
struct Target<'a> {
    url: &'a str,
    pin: Option<String>,
}

fn invalid(url: &str, reason: impl Into<String>) -> SourceError {
    SourceError::Invalid {
        url: url.into(),
        reason: reason.into(),
    }
}

fn parse(arg: &str) -> Result<Target<'_>, SourceError> {
    let (url, fragment) = match arg.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (arg, None),
    };
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| invalid(url, "not a URL"))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') {
        // Never echo the credentials back.
        return Err(invalid(
            "(a URL with a user or password)",
            "credentials in a URL end up in run params and logs: give a token in TANDEM_HTTP_TOKEN instead",
        ));
    }
    if authority.is_empty() {
        return Err(invalid(url, "no host"));
    }
    let pin = match fragment {
        None => None,
        Some(f) => {
            let hex = f.strip_prefix("sha256=").ok_or_else(|| {
                invalid(
                    url,
                    format!(
                        "the fragment `#{f}` is not `#sha256=<64 hex digits>` (a download also takes encoding=, header=, columns=, quote=, delimiter=)"
                    ),
                )
            })?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(url, "the SHA-256 pin must be 64 hex digits"));
            }
            Some(hex.to_ascii_lowercase())
        }
    };
    Ok(Target { url, pin })
}

/// The cache file of `url`: a folder per URL (its SHA-256), the URL's file name inside.
fn cache_path(dir: &Path, url: &str) -> PathBuf {
    let key = tandem_core::bundle::sha256_hex(url.as_bytes());
    let name = url
        .split(['?'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .unwrap_or_else(|| "data".into());
    dir.join(&key[..32]).join(name)
}

/// What one request came back with.
enum Attempt {
    /// The body, with the validator to revalidate it by and the `Link: rel="next"` target.
    Body(Vec<u8>, Option<String>, Option<String>),
    /// 304: the cached copy is current.
    NotModified,
    /// Worth another try, after at least this long (from `Retry-After`).
    Retry(String, Option<Duration>, Option<u16>),
    /// Not worth another try.
    Fail(u16),
}

fn attempt(agent: &ureq::Agent, url: &str, o: &FetchOptions, validator: Option<&str>) -> Attempt {
    let mut req = agent
        .get(url)
        .header("Accept", "application/json, text/csv, */*");
    if let Some(t) = o
        .token
        .as_ref()
        .filter(|_| token_allowed(url, &o.token_hosts))
    {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(v) = validator {
        req = if let Some(tag) = v.strip_prefix("etag:") {
            req.header("If-None-Match", tag)
        } else {
            req.header("If-Modified-Since", v.trim_start_matches("date:"))
        };
    }
    let mut response = match req.call() {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(e.to_string(), None, None),
    };
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    match status {
        200 => {}
        304 if validator.is_some() => return Attempt::NotModified,
        429 | 500..=599 => {
            let after = header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Attempt::Retry(format!("HTTP {status}"), after, Some(status));
        }
        _ => return Attempt::Fail(status),
    }
    let declared = header("content-length").and_then(|s| s.trim().parse::<u64>().ok());
    let validator = header("etag")
        .map(|e| format!("etag:{e}"))
        .or_else(|| header("last-modified").map(|d| format!("date:{d}")));
    let next = header("link").and_then(|l| next_link(&l));
    let body = match response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()
    {
        Ok(b) => b,
        Err(e) => return Attempt::Retry(format!("the body did not arrive whole: {e}"), None, None),
    };
    match declared {
        Some(n) if n != body.len() as u64 => Attempt::Retry(
            format!("the body ended after {} of {n} bytes", body.len()),
            None,
            None,
        ),
        _ => Attempt::Body(body, validator, next),
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as GitHub and most paged APIs send it.
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().to_ascii_lowercase().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_string())
    })
}

/// Whether the token may go to `url`: a host the user listed, over HTTPS (or plain HTTP to
/// this machine's loopback, which never crosses a network).
pub(crate) fn token_allowed(url: &str, hosts: &[String]) -> bool {
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(r), _) => r,
        (None, Some(r))
            if ["127.0.0.1", "localhost", "[::1]"]
                .contains(&r.split([':', '/']).next().unwrap_or("")) =>
        {
            r
        }
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    hosts.contains(&host)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SourceError> {
    let cache = |source| SourceError::Cache {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cache)?;
    }
    let temp = path.with_extension(format!("part{}", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    });
    // A full disk leaves no partial file in the cache.
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(cache)
}

/// The local copy of `arg` (a URL, possibly pinned), downloaded or revalidated as needed.
pub fn fetch(arg: &str, o: &FetchOptions) -> Result<PathBuf, SourceError> {
    let target = parse(arg)?;
    let path = cache_path(&o.cache_dir, target.url);
    let meta = path.with_extension("validator");
    let cached = std::fs::read(&path).ok();
    let check = |bytes: &[u8]| -> Result<(), SourceError> {
        match &target.pin {
            Some(pin) => {
                let found = tandem_core::bundle::sha256_hex(bytes);
                if &found == pin {
                    Ok(())
                } else {
                    Err(SourceError::Pin {
                        url: crate::redact(target.url),
                        expected: pin.clone(),
                        found,
                    })
                }
            }
            None => Ok(()),
        }
    };
    // A pinned copy already here is the one wanted: no request at all.
    if let (Some(bytes), Some(_)) = (&cached, &target.pin)
        && check(bytes).is_ok()
    {
        return Ok(path);
    }
    let validator = cached
        .as_ref()
        .and_then(|_| std::fs::read_to_string(&meta).ok());
    match get(target.url, o, validator.as_deref())? {
        Some(got) => {
            check(&got.body)?;
            write_atomic(&path, &got.body)?;
            match got.validator {
                Some(v) => write_atomic(&meta, v.as_bytes())?,
                None => {
                    let _ = std::fs::remove_file(&meta);
                }
            }
        }
        None => {
            if let Some(bytes) = &cached {
                check(bytes)?;
            }
        }
    }
    Ok(path)
}

/// A response's body and what paging needs from its headers.
pub(crate) struct Got {
    /// The whole body.
    pub body: Vec<u8>,
    /// `ETag` / `Last-Modified`, to revalidate by.
    pub validator: Option<String>,
    /// The `Link: rel="next"` target.
    pub next: Option<String>,
}

/// The agent every request goes through.
pub(crate) fn agent(o: &FetchOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(o.timeout))
        .timeout_connect(Some(Duration::from_secs(10)))
        .user_agent(format!("tandem/{}", tandem_core::VERSION))
        .build()
        .into()
}

/// GET `url` with retries (backoff, `Retry-After`, cut bodies); `None` when the server says
/// the copy validated by `validator` is current.
pub(crate) fn get(
    url: &str,
    o: &FetchOptions,
    validator: Option<&str>,
) -> Result<Option<Got>, SourceError> {
    let agent = agent(o);
    let mut wait = o.backoff;
    let mut last = (String::new(), None);
    for n in 1..=o.attempts.max(1) {
        match attempt(&agent, url, o, validator) {
            Attempt::Body(body, validator, next) => {
                return Ok(Some(Got {
                    body,
                    validator,
                    next,
                }));
            }
            Attempt::NotModified => return Ok(None),
            Attempt::Fail(status) => {
                return Err(SourceError::Status {
                    url: crate::redact(url),
                    status,
                    attempts: n,
                });
            }
            Attempt::Retry(reason, after, status) => {
                last = (reason, status);
                if n < o.attempts {
                    std::thread::sleep(after.unwrap_or(wait).min(o.max_wait));
                    wait = (wait * 2).min(o.max_wait);
                }
            }
        }
    }
    let attempts = o.attempts.max(1);
    Err(match last {
        (_, Some(status)) => SourceError::Status {
            url: crate::redact(url),
            status,
            attempts,
        },
        (reason, None) => SourceError::Transfer {
            url: crate::redact(url),
            reason,
            attempts,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_only_over_https_to_listed_hosts() {
        let hosts = vec!["data.example.org".to_string()];
        assert!(token_allowed("https://data.example.org/x.csv", &hosts));
        assert!(token_allowed(
            "https://DATA.example.org:8443/x.csv?a=1",
            &hosts
        ));
        assert!(!token_allowed("http://data.example.org/x.csv", &hosts));
        assert!(!token_allowed("https://attacker.example/x.csv", &hosts));
        assert!(!token_allowed(
            "https://data.example.org.attacker.example/x",
            &hosts
        ));
        assert!(!token_allowed("https://data.example.org/x.csv", &[]));
    }
}
