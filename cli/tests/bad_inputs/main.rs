//! The bad-input corpus (`tests/bad-inputs/`, its README says how to add a case): every case
//! gets its specific error code within bounded time and memory, and what it was sent to still
//! works afterwards.
//!
//! - `files`: `tandem predict` and `tandem validate` on CSV / JSON Lines (the debug binary,
//!   under an address-space limit and a watchdog; peak RSS asserted).
//! - `specs`: `tandem train --spec` on a 30-row slice of iris.
//! - `instances`: `Model::predict` and the scoring protocol in this process, then the good
//!   instance on the same `Model` gives the answer it gave before any bad case.
//! - `bundles` and every `bundles-<topic>/`: `Model::load` in this process, then the real
//!   bundle still loads and predicts as before.
//!
//! In-process cases are measured by a counting allocator ([`alloc`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alloc;
mod bounded;
#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod instances;

use serde_json::Value as Json;

use corpus::{Kind, s};

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

/// No in-process case may allocate more at its peak (the model, a 3 MB body and its rows).
const IN_PROCESS_PEAK_MIB: usize = 256;

#[test]
fn the_corpus_holds_at_least_250_cases_each_with_a_file_and_a_code() {
    let mut total = 0;
    let mut kinds: Vec<Kind> = ["files", "instances", "http", "specs"]
        .iter()
        .map(|k| corpus::kind(k))
        .collect();
    kinds.extend(corpus::bundle_kinds());
    for kind in &kinds {
        for case in &kind.cases {
            let file = s(case, "file").expect("a file");
            assert!(
                kind.dir.join(file).is_file(),
                "{}",
                corpus::name(kind, case)
            );
            let code = s(case, "code").expect("a code");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}: code {code}",
                corpus::name(kind, case)
            );
        }
        total += kind.cases.len();
    }
    assert!(total >= 250, "{total} cases");
}

#[test]
fn bad_files_get_their_code_from_predict_and_validate_within_time_and_memory() {
    let kind = corpus::kind("files");
    let scratch = common::scratch("bad-inputs-files");
    let mut worst = (0u64, std::time::Duration::ZERO);
    for case in &kind.cases {
        let name = corpus::name(&kind, case);
        let input = scratch.join(s(case, "file").unwrap());
        std::fs::write(&input, corpus::bytes(&kind, case)).unwrap();
        let out = scratch.join("out.jsonl");
        let _ = std::fs::remove_file(&out);
        let model = corpus::model_path(case).display().to_string();
        let mut args: Vec<String> = match s(case, "command").unwrap() {
            "predict" => vec![
                "predict".into(),
                "--model".into(),
                model,
                "--input".into(),
                input.display().to_string(),
                "--output".into(),
                out.display().to_string(),
            ],
            "validate" => vec![
                "validate".into(),
                "--schema".into(),
                model,
                "--data".into(),
                input.display().to_string(),
                "--json".into(),
            ],
            other => panic!("{name}: command {other}"),
        };
        args.extend(extra_args(case));
        let ran = bounded::tandem(&args, &scratch, 1024);
        check_bounds(&name, &ran, &mut worst);
        let code = s(case, "code").unwrap();
        let exit = case["exit"].as_i64().unwrap() as i32;
        assert_eq!(ran.code, Some(exit), "{name}: {}", ran.stderr);
        if exit == 1 {
            assert!(
                ran.stderr.contains(&format!("[{code}]")),
                "{name}: {}",
                ran.stderr
            );
            continue;
        }
        let lines = if out.is_file() {
            std::fs::read_to_string(&out).unwrap()
        } else {
            ran.stdout.clone()
        };
        let first = lines
            .lines()
            .map(|l| serde_json::from_str::<Json>(l).unwrap())
            .map(|l| {
                if l.get("error").is_some() {
                    l["error"].clone().with_row(&l)
                } else {
                    l
                }
            })
            .find(|l| l.get("code").is_some() && l.get("level").is_none_or(|v| v == "error"))
            .unwrap_or_else(|| panic!("{name}: no rejected row in {lines}"));
        assert_eq!(first["code"], code, "{name}: {first}");
        if let Some(row) = case.get("row") {
            assert_eq!(&first["row"], row, "{name}: {first}");
        }
    }
    eprintln!(
        "files: {} cases, peak RSS {} KiB, slowest {:?}",
        kind.cases.len(),
        worst.0,
        worst.1
    );
}

trait WithRow {
    fn with_row(self, line: &Json) -> Json;
}

impl WithRow for Json {
    /// A predict output line's error, with the line's row.
    fn with_row(mut self, line: &Json) -> Json {
        self["row"] = line["row"].clone();
        self
    }
}

/// The start of a long message (a 1 MiB line is echoed with its carets).
fn head(text: &str) -> &str {
    let end = text.char_indices().nth(2000).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

fn extra_args(case: &Json) -> Vec<String> {
    case.get("args")
        .and_then(Json::as_array)
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn check_bounds(name: &str, ran: &bounded::Ran, worst: &mut (u64, std::time::Duration)) {
    assert!(
        ran.peak_rss_kib < bounded::RSS_LIMIT_MIB << 10,
        "{name}: peak RSS {} KiB",
        ran.peak_rss_kib
    );
    worst.0 = worst.0.max(ran.peak_rss_kib);
    worst.1 = worst.1.max(ran.elapsed);
}

#[test]
fn bad_specs_are_refused_with_their_code_within_time_and_memory() {
    let kind = corpus::kind("specs");
    let scratch = common::scratch("bad-inputs-specs");
    std::fs::copy(kind.dir.join("tiny.csv"), scratch.join("tiny.csv")).unwrap();
    let mut worst = (0u64, std::time::Duration::ZERO);
    for case in &kind.cases {
        let name = corpus::name(&kind, case);
        let file = s(case, "file").unwrap();
        std::fs::write(scratch.join(file), corpus::bytes(&kind, case)).unwrap();
        let args: Vec<String> = ["train", "--spec", file, "--runs-dir", "runs", "--quiet"]
            .map(String::from)
            .to_vec();
        let ran = bounded::tandem(&args, &scratch, 2048);
        check_bounds(&name, &ran, &mut worst);
        assert_eq!(ran.code, Some(1), "{name}: {}{}", ran.stdout, ran.stderr);
        let want = match s(case, "code").unwrap() {
            "SPEC" => format!("error: {file}:{}: ", s(case, "at").unwrap()),
            "SPEC_READ" => format!("error: cannot read spec {file}"),
            "DATA" => "error: ".to_string(),
            code => format!("error: [{code}]"),
        };
        assert!(
            ran.stderr.starts_with(&want),
            "{name}: want {want:?}, got {}",
            head(&ran.stderr)
        );
        let message = s(case, "message").unwrap_or("");
        assert!(
            ran.stderr.contains(message),
            "{name}: want {message:?} in {}",
            head(&ran.stderr)
        );
    }
    eprintln!(
        "specs: {} cases, peak RSS {} KiB, slowest {:?}",
        kind.cases.len(),
        worst.0,
        worst.1
    );
}

#[test]
fn bad_instances_get_their_code_natively_and_the_model_still_predicts() {
    let _guard = instances::lock();
    let kind = corpus::kind("instances");
    let mut models = instances::Models::default();
    for case in &kind.cases {
        let name = corpus::name(&kind, case);
        let model = models.get(case);
        let before = alloc::reset_peak();
        let got = instances::run(model, case, corpus::bytes(&kind, case));
        let took = alloc::peak() - before;
        assert!(
            took < IN_PROCESS_PEAK_MIB << 20,
            "{name}: {took} bytes at the peak"
        );
        assert_eq!(got.0, s(case, "code").unwrap(), "{name}: {}", got.1);
        if let Some(status) = case.get("status") {
            assert_eq!(got.2, status.as_u64(), "{name}: {}", got.1);
        }
        if let Some(row) = case.get("row") {
            assert_eq!(got.3.as_ref(), Some(row), "{name}: {}", got.1);
        }
        models.check_good(case);
    }
}

#[test]
fn bad_bundles_of_every_bundle_kind_are_refused_and_loading_still_works() {
    let _guard = instances::lock();
    let kinds = corpus::bundle_kinds();
    let good = corpus::read(&corpus::dir().join("models/iris.tandem"));
    let instance = corpus::good_instance("iris");
    let answer = instances::predict_json(&tandem_core::Model::load(&good).unwrap(), &instance);
    let base = corpus::dir().join("bundles/base.tandem");
    tandem_core::Model::load(&corpus::read(&base)).expect("the base of the mutations loads");
    // Every case runs; the wrong codes are listed together.
    let mut wrong = Vec::new();
    for kind in &kinds {
        for case in &kind.cases {
            let name = corpus::name(kind, case);
            let bytes = corpus::bytes(kind, case);
            let start = std::time::Instant::now();
            let before = alloc::reset_peak();
            let result = tandem_core::Model::load(&bytes);
            let took = alloc::peak() - before;
            assert!(
                took < IN_PROCESS_PEAK_MIB << 20,
                "{name}: {took} bytes at the peak"
            );
            assert!(
                start.elapsed().as_secs() < bounded::LIMIT_SECONDS,
                "{name}: {:?}",
                start.elapsed()
            );
            let e = result.err().unwrap_or_else(|| panic!("{name}: loaded"));
            let want = s(case, "code").unwrap();
            if e.code() != want {
                wrong.push(format!("{name}: expected {want}, got {}: {e}", e.code()));
            }
            let again = tandem_core::Model::load(&good).unwrap();
            assert_eq!(instances::predict_json(&again, &instance), answer, "{name}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
