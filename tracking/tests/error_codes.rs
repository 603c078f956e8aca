//! docs/tracking.md lists every code `tandem_tracking::Error::code` can return, once, and
//! nothing else: the table users read is the code's own list.

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The codes `Error::code` returns: each `=> "CODE"` arm of its match.
fn codes_in_source() -> Vec<String> {
    let source = read("src/error.rs");
    let start = source.find("pub fn code(&self)").expect("Error::code");
    let body = &source[start..];
    let end = body.find("\n    }\n").expect("the end of Error::code");
    body[..end]
        .split("=> \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The codes of the `## Error codes` table of docs/tracking.md.
fn codes_in_docs() -> Vec<String> {
    let docs = read("../docs/tracking.md");
    let start = docs.find("## Error codes").expect("an Error codes section");
    docs[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_tracking_error_code_is_documented_once_and_only_those() {
    let source = codes_in_source();
    let docs = codes_in_docs();
    assert!(
        source.len() >= 30,
        "found {} codes in Error::code",
        source.len()
    );
    let unique: BTreeSet<_> = source.iter().collect();
    assert_eq!(unique.len(), source.len(), "a code used twice: {source:?}");
    assert_eq!(
        docs, source,
        "docs/tracking.md's table, in Error::code's order"
    );
}
