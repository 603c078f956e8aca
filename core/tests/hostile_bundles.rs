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
    ]
    .into_iter()
    .chain(nnef_cases())
    .collect()
}

/// The NNEF cases: archives and graph texts that would make tract slow, deep or large.
fn nnef_cases() -> Vec<Case> {
    let graph = graph_text();
    let deep_graph = graph.replace("add(node_1", &format!("add({}node_1", "(".repeat(10_000)));
    let unary = graph.replace("add(node_1", &format!("add({}node_1", "- ".repeat(10_000)));
    let with_lines = |line: &dyn Fn(usize) -> String| {
        let lines: String = (0..1000).map(line).collect();
        graph.replace("  logits = node_7;", &format!("{lines}  logits = node_7;"))
    };
    let statements = with_lines(&|i| format!("  node_x{i} = add(node_1, node_2_0);\n"));
    let reassigned = with_lines(&|_| "  node_x = add(node_1, node_2_0);\n".to_string());
    let foreign = graph.replace(
        "add(node_1, node_2_0)",
        "add(tile(node_1, repeats = [100000, 100000]), node_2_0)",
    );
    vec![
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
        case(
            "nnef-1000-statements",
            with_nnef(tar(&[("graph.nnef", statements.as_bytes(), None)])),
            "nnef_statements",
        ),
        invalid(
            "nnef-name-assigned-1000-times",
            with_nnef(tar(&[("graph.nnef", reassigned.as_bytes(), None)])),
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

/// The fixture's NNEF archive with `graph.nnef` replaced by `graph` (its tensors kept).
fn with_graph(graph: &str) -> Vec<u8> {
    let nnef = titanic().nnef;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut at = 0;
    while let Some(header) = nnef.get(at..at + 512).filter(|h| h[0] != 0) {
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_string();
        let size_field = String::from_utf8_lossy(&header[124..136]);
        let size =
            usize::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
                .unwrap();
        let data = nnef[at + 512..at + 512 + size].to_vec();
        entries.push((
            name,
            if data.starts_with(b"version ") {
                graph.as_bytes().to_vec()
            } else {
                data
            },
        ));
        at += 512 + size.div_ceil(512) * 512;
    }
    assert!(entries.len() > 1, "the graph and its tensors");
    let borrowed: Vec<(&str, &[u8], Option<usize>)> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice(), None))
        .collect();
    with_nnef(tar(&borrowed))
}

/// The largest `k` for which `graph(k)` passes the NNEF check under the default limits, and
/// proof that it is the limit: `graph(k + 1)` is refused by `limit`.
fn at_the_limit(graph: impl Fn(usize) -> String, limit: &str) -> String {
    let check = |k: usize| {
        let nnef = tar(&[("graph.nnef", graph(k).as_bytes(), None)]);
        tandem_core::runtime::check_nnef(&nnef, &Limits::default())
    };
    let k = (0..10_000)
        .take_while(|&k| check(k).is_ok())
        .last()
        .expect("the plain graph passes");
    let e = check(k + 1).expect_err("one more is refused");
    assert!(e.to_string().contains(limit), "{e}");
    graph(k)
}

/// Load `graph` (in the fixture's archive) on tract on a thread with 256 KiB of stack (a
/// quarter of wasm's 1 MiB, an eighth of a native thread's 2 MiB) and predict one row; the
/// time it took is printed.
fn predict_on_tract(what: &str, graph: String) -> Result<tandem_core::Prediction, String> {
    let row = json!({"name": "Allen", "sex": "female", "age": 30, "passengerClass": "1st"});
    let what = what.to_string();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let started = std::time::Instant::now();
            let loaded = Model::load_with(&with_graph(&graph), EngineChoice::Tract);
            eprintln!(
                "{what}: {} bytes of graph answered by tract in {:?} ({})",
                graph.len(),
                started.elapsed(),
                if loaded.is_ok() { "loaded" } else { "refused" }
            );
            let model = loaded.map_err(|e| e.to_string())?;
            let inst = model.parse(&row).map_err(|e| e.to_string())?;
            model
                .predict(&inst, Default::default())
                .map_err(|e| e.to_string())
        })
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

/// The NNEF limits exist because tract's loader is slow or deep on some graphs (see
/// core/src/runtime/nnef_graph.rs). Graphs at exactly the default nesting, operators and
/// statements load on tract within a small stack and predict what the plain graph does (the
/// nesting is of parentheses, the operators multiplications by 1, the statements copies of a
/// layer's addition: the same value). The worst shape measured, unary minus inside
/// parentheses at both limits, which tract parses and then cannot translate, is answered (an
/// error, not a hang or an overflow). The load times are printed: the limits were set from
/// them (docs/bundle-format.md).
#[test]
fn graphs_at_the_nnef_limits_load_on_tract_within_a_small_stack() {
    let plain = graph_text();
    let in_add = |with: String| plain.replace("add(node_1", &format!("add({with}"));
    let nested = at_the_limit(
        |k| in_add(format!("{}node_1{}", "(".repeat(k), ")".repeat(k))),
        "nnef_nesting",
    );
    let multiplied = at_the_limit(
        |k| in_add(format!("node_1{}", " * 1.0".repeat(k))),
        "nnef_operators",
    );
    let statements = at_the_limit(
        |k| {
            let extra: String = (0..k)
                .map(|i| format!("  node_x{i} = add(node_1, node_2_0);\n"))
                .collect();
            plain.replace("  logits = node_7;", &format!("{extra}  logits = node_7;"))
        },
        "nnef_statements",
    );
    let want = predict_on_tract("plain", plain.clone()).expect("the plain graph predicts");
    for (what, graph) in [
        ("nesting", nested),
        ("operators", multiplied),
        ("statements", statements),
    ] {
        assert_ne!(graph, plain);
        assert_eq!(predict_on_tract(what, graph).as_ref(), Ok(&want), "{what}");
    }
    let nesting = Limits::default().get(Limit::NnefNesting) as usize;
    let operators = Limits::default().get(Limit::NnefOperators) as usize;
    let depth = nesting - 2; // inside the graph's { and add( )
    let worst = in_add(format!(
        "{}{}node_1{}",
        "-(".repeat(depth),
        "- ".repeat(operators - depth),
        ")".repeat(depth)
    ));
    let nnef = tar(&[("graph.nnef", worst.as_bytes(), None)]);
    tandem_core::runtime::check_nnef(&nnef, &Limits::default()).expect("at the limits");
    let answered = predict_on_tract("unary minus in parentheses", worst);
    assert!(
        answered.is_ok() || answered.as_ref().is_err_and(|e| e.contains("NNEF")),
        "{answered:?}"
    );
    // The largest graph text: one literal of numbers up to nnef_graph_bytes.
    let most = Limits::default().get(Limit::NnefGraphBytes) as usize;
    let numbers = "0.5, ".repeat((most - plain.len()) / 5 - 2);
    let literal = plain.replace("[[0.0]]", &format!("[[{numbers}0.5]]"));
    assert!(
        literal.len() <= most && literal.len() > most - 16,
        "{}",
        literal.len()
    );
    // Answered (its shape does not fit the layer: an error at run time), without a panic or
    // an overflow, which would fail the thread's join.
    let answered = predict_on_tract("the largest literal", literal);
    assert!(answered.is_err_and(|e| e.contains("Max")));
}

#[test]
fn a_name_assigned_twice_in_the_graph_is_refused_before_tract() {
    let plain = graph_text();
    let again = plain.replace(
        "  logits = node_7;",
        "  node_3 = add(node_1, node_2_0);\n  logits = node_7;",
    );
    let e = Model::load(&with_graph(&again)).unwrap_err();
    assert_eq!(e.code(), "BUNDLE_INVALID", "{e}");
    assert!(e.to_string().contains("`node_3` is assigned twice"), "{e}");
    // Keyword arguments repeat names freely; only statements count.
    tandem_core::runtime::check_nnef(&titanic().nnef, &Limits::default()).unwrap();
}
