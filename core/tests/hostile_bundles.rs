//! Checksum-valid hostile bundles: a bundle's checksums are written by whoever writes it, so
//! each bundle here is re-encoded with fresh ones and must be refused by a limit
//! (`BUNDLE_LIMIT`, naming it) or a precise existing code, before the loader allocates or
//! recurses for what it asks; the real bundle still loads and predicts afterwards.
//!
//! The same bundles make the shared corpus `tests/bad-inputs/bundles-hostile/`:
//! `BLESS=1 cargo test -p tandem-core --test hostile_bundles` rewrites it; without BLESS the
//! test checks that the corpus is what these builders make.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tandem_core::bundle::{Limit, Limits, parts};
use tandem_core::prep::{ColumnInput, ColumnParams, Encode, HashingParams, Step};
use tandem_core::runtime::{DENSE_MAGIC, EngineChoice, LoadOptions};
use tandem_core::{Bundle, Error, Model};

fn fixture_bytes() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/v1/titanic.tandem");
    std::fs::read(path).expect("fixture")
}

fn titanic() -> Bundle {
    Bundle::from_bytes(&fixture_bytes()).expect("fixture decodes")
}

/// The fixture's parts as (name, media type, bytes), in file order.
fn raw_parts() -> Vec<(String, String, Vec<u8>)> {
    let bytes = fixture_bytes();
    let manifest = Bundle::manifest(&bytes).unwrap();
    let mlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let data = &bytes[16 + mlen + 32..];
    manifest
        .parts
        .iter()
        .map(|p| {
            let (at, len) = (p.offset as usize, p.length as usize);
            (
                p.name.clone(),
                p.media_type.clone(),
                data[at..at + len].to_vec(),
            )
        })
        .collect()
}

/// Encode parts with fresh checksums.
fn encode(parts: &[(String, String, Vec<u8>)]) -> Vec<u8> {
    let parts: Vec<(&str, &str, Vec<u8>)> = parts
        .iter()
        .map(|(n, m, b)| (n.as_str(), m.as_str(), b.clone()))
        .collect();
    Bundle::encode_parts("0.1.0", "2026-11-28T14:19:18Z", &parts).unwrap()
}

/// The fixture with part `name` replaced by `bytes`.
fn with_part(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    let mut parts = raw_parts();
    let slot = parts.iter_mut().find(|p| p.0 == name).expect("the part");
    slot.2 = bytes;
    encode(&parts)
}

/// The fixture with its manifest edited, the header checksum recomputed.
fn with_manifest(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let bytes = fixture_bytes();
    let mlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut manifest: Value = serde_json::from_slice(&bytes[16..16 + mlen]).unwrap();
    edit(&mut manifest);
    let text = serde_json::to_vec(&manifest).unwrap();
    let mut out = bytes[..8].to_vec();
    out.extend_from_slice(&bytes[8..12]);
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(&text);
    let sum = tandem_core::bundle::sha256_hex(&out);
    out.extend((0..32).map(|i| u8::from_str_radix(&sum[2 * i..2 * i + 2], 16).unwrap()));
    out.extend_from_slice(&bytes[16 + mlen + 32..]);
    out
}

/// A tar of `entries` (ustar headers with valid checksums), as tract's reader expects.
fn tar(entries: &[(&str, &[u8], Option<usize>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data, claimed) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        let size = format!("{:011o}", claimed.unwrap_or(data.len()));
        h[124..135].copy_from_slice(size.as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// A `.dat` tensor header for f32 `dims` followed by `data`.
fn tensor(dims: &[u32], stated: u32, data: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 128];
    h[..4].copy_from_slice(&[0x4e, 0xef, 1, 0]);
    h[4..8].copy_from_slice(&stated.to_le_bytes());
    h[8..12].copy_from_slice(&(dims.len() as u32).to_le_bytes());
    for (i, d) in dims.iter().enumerate() {
        h[12 + 4 * i..16 + 4 * i].copy_from_slice(&d.to_le_bytes());
    }
    h[44..48].copy_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(data);
    h
}

/// The fixture's NNEF graph text.
fn graph_text() -> String {
    let bytes = titanic().nnef;
    let at = bytes
        .windows(8)
        .position(|w| w == b"version ")
        .expect("graph text");
    let end = at + bytes[at..].iter().position(|&b| b == 0).unwrap();
    String::from_utf8(bytes[at..end].to_vec()).unwrap()
}

fn with_nnef(nnef: Vec<u8>) -> Vec<u8> {
    let mut b = titanic();
    b.nnef = nnef;
    b.dense = None;
    b.to_bytes().unwrap()
}

fn dense_header(layers: &[(u32, u32)]) -> Vec<u8> {
    let mut out = DENSE_MAGIC.to_vec();
    out.extend_from_slice(&(layers.len() as u32).to_le_bytes());
    for (i, o) in layers {
        for v in [*i, *o, 1] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

fn with_dense(dense: Vec<u8>) -> Vec<u8> {
    let mut b = titanic();
    b.dense = Some(dense);
    b.to_bytes().unwrap()
}

/// One hostile bundle: its name, its bytes, the code and (for BUNDLE_LIMIT) the limit it trips
/// under the default limits.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    code: &'static str,
    limit: Option<&'static str>,
}

fn case(name: &'static str, bytes: Vec<u8>, limit: &'static str) -> Case {
    Case {
        name,
        bytes,
        code: "BUNDLE_LIMIT",
        limit: Some(limit),
    }
}

fn invalid(name: &'static str, bytes: Vec<u8>) -> Case {
    Case {
        name,
        bytes,
        code: "BUNDLE_INVALID",
        limit: None,
    }
}

/// Every hostile bundle that trips a default limit (small files: the shared corpus).
fn cases() -> Vec<Case> {
    let wide_hashing = |i: usize| {
        Step::Column(ColumnParams {
            name: format!("h{i}"),
            input: ColumnInput::Field("sex".into()),
            text: vec![],
            boolean: None,
            encode: Encode::Hashing(HashingParams {
                buckets: u32::MAX,
                alternate_sign: false,
            }),
        })
    };
    let wide = tandem_core::Preprocessor {
        steps: (0..256).map(wide_hashing).collect(),
    };
    let wide = with_part(parts::PREPROCESSING, serde_json::to_vec(&wide).unwrap());
    let mut many_parts = raw_parts();
    for i in 0..64 {
        many_parts.push((format!("extra{i}"), "text/plain".into(), vec![b'x']));
    }
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let graph = graph_text();
    let deep_graph = graph.replace("add(node_1", &format!("add({}node_1", "(".repeat(10_000)));
    let unary = graph.replace("add(node_1", &format!("add({}node_1", "- ".repeat(10_000)));
    let foreign = graph.replace(
        "add(node_1, node_2_0)",
        "add(tile(node_1, repeats = [100000, 100000]), node_2_0)",
    );
    vec![
        case(
            "part-length-2-pow-40",
            with_manifest(|m| m["parts"][4]["length"] = json!(1u64 << 40)),
            "part_bytes",
        ),
        case("65-parts", encode(&many_parts), "parts"),
        case("feature-width-2-pow-40", wide, "feature_width"),
        case(
            "dense-4-billion-parameters",
            with_dense(dense_header(&[(65_536, 65_536)])),
            "parameters",
        ),
        case(
            "dense-65-layers",
            with_dense(dense_header(&[(8, 8); 65])),
            "layers",
        ),
        case(
            "json-10000-deep",
            with_part(parts::METADATA, deep_json.into_bytes()),
            "json_depth",
        ),
        case(
            "nnef-10000-brackets",
            with_nnef(tar(&[("graph.nnef", deep_graph.as_bytes(), None)])),
            "nnef_nesting",
        ),
        case(
            "nnef-10000-unary-minus",
            with_nnef(tar(&[("graph.nnef", unary.as_bytes(), None)])),
            "nnef_operators",
        ),
        case(
            "nnef-foreign-tile",
            with_nnef(tar(&[("graph.nnef", foreign.as_bytes(), None)])),
            "nnef_foreign_ops",
        ),
        case(
            "nnef-tensor-16-gib",
            with_nnef(tar(&[
                ("graph.nnef", graph.as_bytes(), None),
                ("w.dat", &tensor(&[65_536, 65_536], 0, &[]), None),
            ])),
            "tensor_bytes",
        ),
        invalid(
            "nnef-gzip",
            with_nnef(vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xc1, 1, 1]),
        ),
        invalid(
            "nnef-entry-size-lies",
            with_nnef(tar(&[("graph.nnef", graph.as_bytes(), Some(10_000_000))])),
        ),
        invalid(
            "nnef-tensor-size-lies",
            with_nnef(tar(&[
                ("graph.nnef", graph.as_bytes(), None),
                ("w.dat", &tensor(&[8, 32], 1024, &[0; 16]), None),
            ])),
        ),
        invalid(
            "nnef-nested-archive",
            with_nnef(tar(&[
                ("graph.nnef", graph.as_bytes(), None),
                ("sub.nnef.tar", &[0; 512], None),
            ])),
        ),
    ]
}

/// The real bundle still loads and predicts.
fn the_real_bundle_still_works(options: &LoadOptions) {
    let model = Model::load_options(&fixture_bytes(), options).expect("the real bundle loads");
    let row = json!({"name": "Allen", "sex": "female", "age": 30, "passengerClass": "1st"});
    let inst = model.parse(&row).unwrap();
    model.predict(&inst, Default::default()).expect("predicts");
}

fn refused(bytes: &[u8], options: &LoadOptions) -> Error {
    let e = Model::load_options(bytes, options).expect_err("a hostile bundle is refused");
    the_real_bundle_still_works(options);
    e
}

#[test]
fn every_hostile_bundle_is_refused_with_its_code_and_limit() {
    for c in cases() {
        let e = refused(&c.bytes, &LoadOptions::default());
        assert_eq!(e.code(), c.code, "{}: {e}", c.name);
        if let Some(limit) = c.limit {
            let m = e.to_string();
            assert!(m.contains(&format!("`{limit}`")), "{}: {m}", c.name);
            assert!(m.contains(&format!("--bundle-limit {limit}=N")), "{m}");
        }
        assert!(
            c.bytes.len() < 50_000,
            "{} is {} bytes",
            c.name,
            c.bytes.len()
        );
    }
}

fn lowered(limit: Limit, value: u64) -> LoadOptions {
    let mut limits = Limits::default();
    limits.set(limit, value);
    LoadOptions::default().limits(limits)
}

#[test]
fn a_lowered_limit_refuses_what_the_default_accepts_and_names_both_values() {
    let len = fixture_bytes().len() as u64;
    let e = Model::load_options(&fixture_bytes(), &lowered(Limit::BundleBytes, len - 1))
        .expect_err("one byte over");
    let m = e.to_string();
    assert_eq!(e.code(), "BUNDLE_LIMIT");
    assert!(
        m.contains(&len.to_string()) && m.contains(&(len - 1).to_string()),
        "{m}"
    );
    for (limit, value) in [
        (Limit::PartBytes, 7167),
        (Limit::JsonBytes, 1000),
        (Limit::FeatureWidth, 7),
        (Limit::NnefGraphBytes, 1000),
        (Limit::TensorBytes, 1000),
        (Limit::Parts, 4),
        (Limit::NnefEntries, 3),
        (Limit::JsonDepth, 2),
        (Limit::NnefNesting, 2),
    ] {
        let e = Model::load_options(&fixture_bytes(), &lowered(limit, value)).expect_err("over");
        assert!(e.to_string().contains(limit.name()), "{e}");
    }
    the_real_bundle_still_works(&LoadOptions::default());
}

#[test]
fn a_long_vocabulary_string_is_refused_before_the_part_is_parsed() {
    let mut prep: Value = serde_json::from_slice(
        &raw_parts()
            .into_iter()
            .find(|p| p.0 == parts::PREPROCESSING)
            .unwrap()
            .2,
    )
    .unwrap();
    prep["steps"][0]["categories"][0] = json!("m".repeat(5000));
    let bytes = with_part(parts::PREPROCESSING, serde_json::to_vec(&prep).unwrap());
    let e = refused(&bytes, &lowered(Limit::StringBytes, 4096));
    assert_eq!(e.code(), "BUNDLE_LIMIT", "{e}");
    assert!(e.to_string().contains("preprocessing.json"), "{e}");
    // Under the default limit the string is read, and the part then fails its own checks
    // (its categories are no longer sorted).
    let e = refused(&bytes, &LoadOptions::default());
    assert_eq!(e.code(), "BUNDLE_INVALID", "{e}");
}

#[test]
fn raising_a_limit_lets_the_bundle_through_the_check() {
    let foreign = graph_text().replace(
        "node_7 = add(node_5, node_6_0)",
        "node_7 = add(copy(node_5), node_6_0)",
    );
    let ok = with_nnef(tar(&[("graph.nnef", foreign.as_bytes(), None)]));
    // `copy` is a known operation: the check passes, and tract then misses the weights.
    assert_ne!(Model::load(&ok).unwrap_err().code(), "BUNDLE_LIMIT");
    let tile = graph_text().replace(
        "node_7 = add(node_5, node_6_0)",
        "node_7 = add(tile(node_5, repeats = [1, 1]), node_6_0)",
    );
    let e = Model::load(&with_nnef(tar(&[("graph.nnef", tile.as_bytes(), None)]))).unwrap_err();
    assert_eq!(e.code(), "BUNDLE_LIMIT");
    let opted_in = lowered(Limit::NnefForeignOps, 1);
    let e = Model::load_options(
        &with_nnef(tar(&[("graph.nnef", tile.as_bytes(), None)])),
        &opted_in,
    )
    .unwrap_err();
    assert_ne!(e.code(), "BUNDLE_LIMIT", "{e}");
    let mut limits = Limits::default();
    limits.set_named("parameters", 1 << 33).unwrap();
    let e = Model::load_options(
        &with_dense(dense_header(&[(65_536, 65_536)])),
        &LoadOptions::default().limits(limits),
    )
    .unwrap_err();
    assert_eq!(
        e.code(),
        "ENGINE",
        "past the limit, the missing weights: {e}"
    );
}

#[test]
fn the_real_graph_passes_the_check_and_runs_on_tract() {
    tandem_core::runtime::check_nnef(&titanic().nnef, &Limits::default()).unwrap();
    let model = Model::load_with(&fixture_bytes(), EngineChoice::Tract).unwrap();
    assert_eq!(model.engine(), "tract");
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-inputs/bundles-hostile")
}

#[test]
fn the_shared_corpus_is_what_the_builders_make() {
    let cases = cases();
    let listing: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut v =
                json!({"name": c.name, "file": format!("{}.tandem", c.name), "code": c.code});
            if let Some(limit) = c.limit {
                v["limit"] = json!(limit);
            }
            v
        })
        .collect();
    let text = serde_json::to_string_pretty(&listing).unwrap() + "\n";
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(corpus()).unwrap();
        for c in &cases {
            std::fs::write(corpus().join(format!("{}.tandem", c.name)), &c.bytes).unwrap();
        }
        std::fs::write(corpus().join("cases.json"), &text).unwrap();
        return;
    }
    assert_eq!(
        std::fs::read_to_string(corpus().join("cases.json")).unwrap(),
        text,
        "BLESS=1 to update"
    );
    for c in &cases {
        let file = std::fs::read(corpus().join(format!("{}.tandem", c.name))).unwrap();
        assert!(file == c.bytes, "{} differs: BLESS=1 to update", c.name);
    }
}
