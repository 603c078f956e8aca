//! A paginated JSON REST API: `rest+https://host/path?query#options`.
//!
//! Each page is fetched with the URL source's retries (backoff, `Retry-After` on 429 and 5xx,
//! a cut body retried), at most `rate` requests a second. The records are the array at the
//! `records` path of each page (`data.items`; by default the body itself when it is an array,
//! else its `data`, `items`, `results`, `records` or `rows`), each an object whose keys are
//! columns, in the order the API writes them. Paging styles:
//!
//! - `paging=page`: `?page=1`, `2`, ... (`page_param`, `start`) until a page has no records;
//! - `paging=offset`: `?offset=0`, then the records seen so far (`offset_param`);
//! - `paging=cursor`: the body's `cursor` path gives the next cursor, sent as `cursor_param`;
//! - `paging=next`: the body's `next` path gives the next page's URL;
//! - `paging=link`: the `Link: <...>; rel="next"` header (GitHub's style);
//! - `paging=none` (the default): one request.
//!
//! `page_size=N` with `size_param=limit` asks for N records a page (and a shorter page ends).
//! A bearer token comes from `TANDEM_HTTP_TOKEN` (for `TANDEM_HTTP_TOKEN_HOSTS`) or from the
//! environment variable `token_env` names; it is never part of the source.

use std::time::{Duration, Instant};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

use crate::SourceError;
use crate::cell::Sink;
use crate::file::Objects;
use crate::url::FetchOptions;

/// How the next page is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// One request.
    None,
    /// A page number parameter.
    Page,
    /// An offset parameter.
    Offset,
    /// A cursor from the body.
    Cursor,
    /// The next URL from the body.
    Next,
    /// The `Link` header.
    Link,
}

/// A REST source.
#[derive(Debug, Clone, PartialEq)]
pub struct Rest {
    /// The first page's URL (`https://...`).
    pub url: String,
    /// The records' path in a page (dotted), if not the default.
    pub records: Option<String>,
    /// Paging style.
    pub paging: Paging,
    /// The page or offset parameter name.
    pub param: String,
    /// The first page number.
    pub start: u64,
    /// The body path of the cursor or next URL.
    pub cursor: String,
    /// The parameter a cursor is sent as.
    pub cursor_param: String,
    /// Records per page to ask for, and the parameter that asks.
    pub page_size: Option<(String, u64)>,
    /// Requests per second at most.
    pub rate: Option<f64>,
    /// Pages at most (a runaway API stops here with an error).
    pub max_pages: u64,
    /// The environment variable holding a bearer token for this API.
    pub token_env: Option<String>,
}

fn invalid(url: &str, reason: impl Into<String>) -> SourceError {
    SourceError::Invalid {
        url: crate::redact(url),
        reason: reason.into(),
    }
}

impl Rest {
    /// `rest+https://host/path?query#key=value&...`.
    pub fn parse(arg: &str) -> Result<Rest, SourceError> {
        let url = arg
            .strip_prefix("rest+")
            .ok_or_else(|| invalid(arg, "a REST source starts with rest+https://"))?;
        let (url, fragment) = url.split_once('#').unwrap_or((url, ""));
        if !crate::is_url(url) {
            return Err(invalid(
                url,
                "a REST source is rest+https://... (or rest+http://)",
            ));
        }
        let mut r = Rest {
            url: url.to_string(),
            records: None,
            paging: Paging::None,
            param: String::new(),
            start: 1,
            cursor: String::new(),
            cursor_param: "cursor".into(),
            page_size: None,
            rate: None,
            max_pages: 100_000,
            token_env: None,
        };
        let mut size_param = "limit".to_string();
        let mut size = None;
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = crate::location::percent_decode(v);
            let number = |what: &str| {
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n > 0.0)
                    .ok_or_else(|| invalid(url, format!("{what}={v:?} is not a positive number")))
            };
            match k {
                "records" => r.records = Some(v),
                "paging" => {
                    r.paging = match v.as_str() {
                        "none" => Paging::None,
                        "page" => Paging::Page,
                        "offset" => Paging::Offset,
                        "cursor" => Paging::Cursor,
                        "next" => Paging::Next,
                        "link" => Paging::Link,
                        _ => {
                            return Err(invalid(
                                url,
                                format!(
                                    "paging={v:?}: one of none, page, offset, cursor, next, link"
                                ),
                            ));
                        }
                    }
                }
                "page_param" | "offset_param" => r.param = v,
                "start" => r.start = number("start")? as u64,
                "cursor" | "next" => r.cursor = v,
                "cursor_param" => r.cursor_param = v,
                "page_size" => size = Some(number("page_size")? as u64),
                "size_param" => size_param = v,
                "rate" => r.rate = Some(number("rate")?),
                "max_pages" => r.max_pages = number("max_pages")? as u64,
                "token_env" => r.token_env = Some(v),
                _ => return Err(invalid(url, format!("unknown REST option `{k}`"))),
            }
        }
        r.page_size = size.map(|n| (size_param, n));
        if r.param.is_empty() {
            r.param = if r.paging == Paging::Offset {
                "offset"
            } else {
                "page"
            }
            .into();
        }
        if matches!(r.paging, Paging::Cursor | Paging::Next) && r.cursor.is_empty() {
            return Err(invalid(
                url,
                "paging=cursor and paging=next need the body path of the next cursor or URL (cursor=meta.next)",
            ));
        }
        if r.paging == Paging::Cursor && r.cursor_param.is_empty() {
            return Err(invalid(url, "cursor_param is empty"));
        }
        Ok(r)
    }

    fn page_url(&self, extra: &[(&str, String)]) -> String {
        let mut url = self.url.clone();
        let mut params: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        if let Some((p, n)) = &self.page_size {
            params.push((p.clone(), n.to_string()));
        }
        for (k, v) in params {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&crate::location::percent_encode(&k));
            url.push('=');
            url.push_str(&crate::location::percent_encode(&v));
        }
        url
    }

    /// Every record of every page into `sink`.
    pub fn scan(&self, options: &FetchOptions, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let mut o = options.clone();
        if let Some(var) = &self.token_env {
            o.token = Some(std::env::var(var).map_err(|_| SourceError::Credentials {
                reason: format!(
                    "the environment variable {var} (the source's token_env) is not set"
                ),
            })?);
            o.token_hosts = vec![host(&self.url)];
        }
        let gap = self.rate.map(|r| Duration::from_secs_f64(1.0 / r));
        let mut objects = Objects::new(sink);
        let mut url = self.page_url(&self.first_params());
        let (mut page, mut seen) = (self.start, 0u64);
        let mut last: Option<Instant> = None;
        for n in 1.. {
            if n > self.max_pages {
                return Err(invalid(
                    &self.url,
                    format!("more than max_pages = {} pages", self.max_pages),
                ));
            }
            if let (Some(gap), Some(t)) = (gap, last) {
                std::thread::sleep(gap.saturating_sub(t.elapsed()));
            }
            last = Some(Instant::now());
            let got = crate::url::get(&url, &o, None)?.ok_or_else(|| {
                invalid(
                    &url,
                    "the server answered 304 to a request without a validator",
                )
            })?;
            let body: Json = serde_json::from_slice(&got.body).map_err(|e| SourceError::Data {
                source_name: crate::redact(&url),
                row: None,
                reason: format!("page {n} is not JSON: {e}"),
            })?;
            let path = self.records_path(&body, &url)?;
            let records = records(&got.body, &path).map_err(|e| SourceError::Data {
                source_name: crate::redact(&url),
                row: None,
                reason: format!("page {n}: the records at `{}`: {e}", path.join(".")),
            })?;
            let count = records.len() as u64;
            for members in records {
                objects.push(members)?;
            }
            seen += count;
            let short = self
                .page_size
                .as_ref()
                .is_some_and(|(_, size)| count < *size);
            let next = match self.paging {
                Paging::None => None,
                Paging::Page if count == 0 || short => None,
                Paging::Page => {
                    page += 1;
                    Some(self.page_url(&[(&self.param, page.to_string())]))
                }
                Paging::Offset if count == 0 || short => None,
                Paging::Offset => Some(self.page_url(&[(&self.param, seen.to_string())])),
                Paging::Cursor => {
                    text_at(&body, &self.cursor).map(|c| self.page_url(&[(&self.cursor_param, c)]))
                }
                Paging::Next => text_at(&body, &self.cursor).map(|u| resolve(&url, &u)),
                Paging::Link => got.next.map(|u| resolve(&url, &u)),
            };
            match next {
                Some(u)
                    if count > 0
                        || matches!(self.paging, Paging::Cursor | Paging::Next | Paging::Link) =>
                {
                    url = u
                }
                _ => break,
            }
        }
        objects.finish()
    }

    fn first_params(&self) -> Vec<(&str, String)> {
        match self.paging {
            Paging::Page => vec![(self.param.as_str(), self.start.to_string())],
            Paging::Offset => vec![(self.param.as_str(), "0".into())],
            _ => Vec::new(),
        }
    }

    fn records_path(&self, body: &Json, url: &str) -> Result<Vec<String>, SourceError> {
        if let Some(p) = &self.records {
            return Ok(p
                .split('.')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect());
        }
        match body {
            Json::Array(_) => Ok(Vec::new()),
            Json::Object(m) => ["data", "items", "results", "records", "rows"]
                .iter()
                .find(|k| m.get(**k).is_some_and(Json::is_array))
                .map(|k| vec![(*k).to_string()])
                .ok_or_else(|| {
                    invalid(
                        url,
                        format!(
                            "no records array found: name its path with #records=... (the page has {})",
                            m.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    )
                }),
            _ => Err(invalid(url, "a page is neither a JSON array nor an object")),
        }
    }
}

fn host(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A relative next URL against the page it came from.
fn resolve(base: &str, next: &str) -> String {
    if crate::is_url(next) {
        return next.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let authority = rest.split('/').next().unwrap_or("");
    if next.starts_with('/') {
        format!("{scheme}://{authority}{next}")
    } else {
        let dir = base.rsplit_once('/').map_or(base, |(d, _)| d);
        format!("{dir}/{next}")
    }
}

/// The text at a dotted path (a string or a number), if any.
fn text_at(body: &Json, path: &str) -> Option<String> {
    let v = path.split('.').try_fold(body, |v, k| v.get(k))?;
    match v {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

type Members = Vec<(String, Json)>;

/// The records at `path` of a page, each object's members in the order the page writes them.
fn records(body: &[u8], path: &[String]) -> Result<Vec<Members>, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_slice(body);
    let out = Seek(path).deserialize(&mut d)?;
    Ok(out.unwrap_or_default())
}

struct Seek<'p>(&'p [String]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = Option<Vec<Members>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Option<Vec<Members>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("an array of objects")
        } else {
            write!(f, "an object with `{}`", self.0[0])
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        if !self.0.is_empty() {
            return Err(serde::de::Error::custom(format!(
                "expected an object with `{}`",
                self.0[0]
            )));
        }
        let mut out = Vec::new();
        while let Some(o) = s.next_element::<crate::file::OrderedObject>()? {
            out.push(o.0);
        }
        Ok(Some(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let Some((head, tail)) = self.0.split_first() else {
            return Err(serde::de::Error::custom("expected an array of records"));
        };
        let mut found = None;
        while let Some(k) = m.next_key::<String>()? {
            if k == *head {
                found = m.next_value_seed(Seek(tail))?;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        found
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("no `{head}` in the page")))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_key_order_at_any_path() {
        let body =
            br#"{"meta": {"next": "c2"}, "data": {"items": [{"b": 1, "a": "x"}, {"a": null}]}}"#;
        let r = records(body, &["data".into(), "items".into()]).unwrap();
        assert_eq!(
            r[0].iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(r.len(), 2);
        assert!(records(body, &["nope".into()]).is_err());
        let v: Json = serde_json::from_slice(body).unwrap();
        assert_eq!(text_at(&v, "meta.next").as_deref(), Some("c2"));
    }

    #[test]
    fn options_parse_and_next_urls_resolve() {
        let r = Rest::parse(
            "rest+https://h/api/v1/x?a=1#paging=page&page_size=50&size_param=per_page&rate=2",
        )
        .unwrap();
        assert_eq!(r.paging, Paging::Page);
        assert_eq!(
            r.page_url(&r.first_params()),
            "https://h/api/v1/x?a=1&page=1&per_page=50"
        );
        assert!(Rest::parse("rest+https://h/x#paging=cursor").is_err());
        assert!(Rest::parse("rest+https://h/x#bogus=1").is_err());
        assert_eq!(
            resolve("https://h/api/x?p=1", "/api/x?p=2"),
            "https://h/api/x?p=2"
        );
        assert_eq!(resolve("https://h/api/x", "y?p=2"), "https://h/api/y?p=2");
    }
}
