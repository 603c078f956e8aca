//! Writes the seed corpora into `fuzz/corpus/<target>/` from the project's fixtures,
//! examples and real bundles. Run once by hand, then minimise with `cargo fuzz cmin`:
//! `cargo test -p tandem-fuzz-targets --test seeds -- --ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use tandem_core::Bundle;
use tandem_core::read::ReadOptions;
use tandem_fuzz_targets::{CONTENT_TYPES, join_parts, options_byte};

/// Lines kept of each data file: seeds stay small, so mutations stay fast.
const LINES: usize = 24;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn head(bytes: &[u8]) -> Vec<u8> {
    let mut lines = 0;
    let end = bytes
        .iter()
        .position(|&b| {
            lines += usize::from(b == b'\n');
            lines == LINES
        })
        .map_or(bytes.len(), |i| i + 1);
    bytes[..end].to_vec()
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

const BUNDLES: [(&str, &str); 4] = [
    ("nodes", "fuzz/targets/bundles/nodes.tandem"),
    ("titanic", "fuzz/targets/bundles/titanic.tandem"),
    ("cps1985", "fuzz/targets/bundles/cps1985.tandem"),
    ("v1-titanic", "tests/fixtures/v1/titanic.tandem"),
];

fn bundles() {
    for (name, path) in BUNDLES {
        let bytes = read(path);
        write("bundle_load", name, &bytes);
        write("bundle_parts", name, &join_parts(&bytes).unwrap());
        write(
            "nnef_limits",
            name,
            &Bundle::from_bytes(&bytes).unwrap().nnef,
        );
    }
}

fn with_options(decimal: char, thousands: Option<char>, delimiter: Option<char>, na: bool) -> u8 {
    let options = ReadOptions {
        na_values: if na {
            vec!["?".into(), "-".into()]
        } else {
            vec![]
        },
        thousands,
        decimal,
        delimiter,
    };
    options_byte(&options).unwrap()
}

fn files() {
    let plain = with_options('.', None, None, false);
    let cases: [(&str, &str, u8); 16] = [
        ("clean", "tests/fixtures/messy/clean.csv", plain),
        ("bom", "tests/fixtures/messy/bom.csv", plain),
        (
            "decimal-comma",
            "tests/fixtures/messy/decimal_comma.csv",
            with_options(',', None, None, false),
        ),
        (
            "duplicate-header",
            "tests/fixtures/messy/duplicate_header.csv",
            plain,
        ),
        (
            "empty-header",
            "tests/fixtures/messy/empty_header.csv",
            plain,
        ),
        ("index", "tests/fixtures/messy/index.csv", plain),
        ("jsonl", "tests/fixtures/messy/jsonl.jsonl", plain),
        (
            "markers",
            "tests/fixtures/messy/markers.csv",
            with_options('.', None, None, true),
        ),
        (
            "pipe",
            "tests/fixtures/messy/pipe.csv",
            with_options('.', None, Some('|'), false),
        ),
        ("semicolon", "tests/fixtures/messy/semicolon.csv", plain),
        (
            "tab",
            "tests/fixtures/messy/tab.tsv",
            with_options('.', None, Some('\t'), false),
        ),
        (
            "thousands",
            "tests/fixtures/messy/thousands.csv",
            with_options('.', Some(','), None, false),
        ),
        (
            "unnamed-first",
            "tests/fixtures/messy/unnamed_first.csv",
            plain,
        ),
        ("nodes", "tests/fixtures/nodes/nodes.csv", plain),
        ("cps1985", "examples/data/cps1985.csv", plain),
        ("titanic", "examples/data/titanic.csv", plain),
    ];
    for (name, path, byte) in cases {
        let mut seed = vec![byte];
        seed.extend(head(&read(path)));
        write("csv_read", name, &seed);
    }
}

fn specs() {
    for (name, path) in [
        ("titanic", "examples/titanic/tandem.toml"),
        ("cps1985", "examples/cps1985/tandem.toml"),
        ("nodes", "tests/parity/nodes.toml"),
    ] {
        write("pipeline_spec", name, &read(path));
    }
    let expressions = [
        "amount / items",
        "fare / (siblings + parents + 1)",
        "`Total Bill` - tip",
        "-(-a * 2.5e3) / ((b - c) * (d + 1))",
        "x",
        "1 / 0",
    ];
    for (i, e) in expressions.iter().enumerate() {
        write("expression", &i.to_string(), e.as_bytes());
    }
}

/// Instances and bodies for the real bundles' schemas (nodes, titanic, cps1985).
fn instances() {
    let records = [
        r#"{"when": "2021-02-19 18:40", "member": "yes", "amount": 22.9, "items": 7, "city": "Cork", "review": "refund never box refund café great"}"#,
        r#"{"name": "Bird, Miss. Ellen", "sex": "female", "age": 29, "passengerClass": "1st"}"#,
        r#"{"education": 12, "experience": 20, "age": 38, "ethnicity": "cauc", "region": "south", "gender": "male", "occupation": "office", "sector": "manufacturing", "union": false, "married": true}"#,
        r#"{"when": null, "member": 1, "amount": "1,5", "items": -1, "city": "", "review": 3}"#,
    ];
    for (i, r) in records.iter().enumerate() {
        write("instance_json", &format!("record-{i}"), r.as_bytes());
    }
    let [nodes, titanic, cps, _] = records;
    let bodies = [
        format!(r#"{{"dataframe_records": [{nodes}, {titanic}]}}"#),
        format!(r#"{{"instances": [{cps}], "params": {{"strict": true, "range": "clip"}}}}"#),
        format!(r#"{{"inputs": [{titanic}, {cps}]}}"#),
        r#"{"inputs": {"name": ["Bird, Miss. Ellen", null], "sex": ["female", "male"], "age": [29, NaN], "passengerClass": ["1st", "3rd"]}}"#.to_string(),
        r#"{"dataframe_split": {"columns": ["education", "experience", "age", "ethnicity", "region", "gender", "occupation", "sector", "union", "married"], "data": [[12, 20, 38, "cauc", "south", "male", "office", "manufacturing", false, true], [Infinity, 1, 2, "x", null, "female", "sales", "other", "yes", "no"]]}, "params": {"range": "error"}}"#.to_string(),
    ];
    for (i, b) in bodies.iter().enumerate() {
        write("instance_json", &format!("body-{i}"), b.as_bytes());
        let mut seed = vec![if i % 2 == 0 { 0 } else { 2 }];
        seed.extend_from_slice(b.as_bytes());
        write("protocol_request", &format!("json-{i}"), &seed);
    }
    assert_eq!(CONTENT_TYPES[1], "text/csv");
    for (name, path) in [
        ("nodes", "tests/fixtures/nodes/nodes.csv"),
        ("titanic", "examples/data/titanic.csv"),
        ("cps1985", "examples/data/cps1985.csv"),
    ] {
        let mut seed = vec![1];
        seed.extend(head(&read(path)));
        write("protocol_request", &format!("csv-{name}"), &seed);
    }
}

#[test]
#[ignore = "writes the seed corpora; run by hand"]
fn write_seed_corpora() {
    bundles();
    files();
    specs();
    instances();
}
