//! Reading the corpus: each kind's `cases.json`, a case's bytes (with its `expand`), the
//! real bundles the cases name.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// `tests/bad-inputs/`.
pub fn dir() -> PathBuf {
    super::common::root().join("tests/bad-inputs")
}

/// One kind's folder and its cases.
pub struct Kind {
    pub name: String,
    pub dir: PathBuf,
    pub cases: Vec<Json>,
}

/// The kind `name`, which must exist.
pub fn kind(name: &str) -> Kind {
    let dir = dir().join(name);
    let text = std::fs::read_to_string(dir.join("cases.json")).unwrap();
    let cases: Vec<Json> = serde_json::from_str(&text).unwrap();
    assert!(!cases.is_empty(), "{name}: no cases");
    Kind {
        name: name.to_string(),
        dir,
        cases,
    }
}

/// Every bundle kind: `bundles/` and any `bundles-<topic>/` holding a `cases.json`.
pub fn bundle_kinds() -> Vec<Kind> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n == "bundles" || n.starts_with("bundles-"))
        .filter(|n| dir().join(n).join("cases.json").is_file())
        .collect();
    names.sort();
    names.iter().map(|n| kind(n)).collect()
}

/// A string field of a case.
pub fn s<'a>(case: &'a Json, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Json::as_str)
}

/// The case's name, for messages.
pub fn name(kind: &Kind, case: &Json) -> String {
    format!(
        "{}/{}: {}",
        kind.name,
        s(case, "file").unwrap_or("?"),
        s(case, "name").unwrap_or("?")
    )
}

/// The case's bytes: its file, with `expand.marker` replaced by `expand.repeat` repeated
/// `expand.count` times (large inputs without large files).
pub fn bytes(kind: &Kind, case: &Json) -> Vec<u8> {
    let raw = std::fs::read(kind.dir.join(s(case, "file").unwrap())).unwrap();
    expand(raw, case)
}

pub fn expand(raw: Vec<u8>, case: &Json) -> Vec<u8> {
    let Some(e) = case.get("expand") else {
        return raw;
    };
    let marker = e["marker"].as_str().unwrap().as_bytes();
    let repeat = e["repeat"]
        .as_str()
        .unwrap()
        .repeat(e["count"].as_u64().unwrap() as usize);
    let at = raw
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("expand marker in the file");
    let mut out = raw[..at].to_vec();
    out.extend_from_slice(repeat.as_bytes());
    out.extend_from_slice(&raw[at + marker.len()..]);
    out
}

/// The real bundle a case names (`model`, default `iris`).
pub fn model_path(case: &Json) -> PathBuf {
    let name = s(case, "model").unwrap_or("iris");
    dir().join("models").join(format!("{name}.tandem"))
}

/// A model's good instance (one per model in `models/good.json`).
pub fn good_instance(model: &str) -> Json {
    let text = std::fs::read_to_string(dir().join("models/good.json")).unwrap();
    let all: Json = serde_json::from_str(&text).unwrap();
    all[model].clone()
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
