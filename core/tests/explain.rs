//! Explanations against first principles: on real bundles (titanic, cps1985, and the nodes
//! model whose `amount / items` column reads two fields), the exact values equal Shapley's
//! formula evaluated by predicting every mixed raw row through the ordinary batch path (no
//! splicing of preprocessed blocks); the sampled values converge to them; the base value plus
//! the values is the prediction; the seed fixes the sample; refusals carry their code.

use std::path::{Path, PathBuf};

use tandem_core::explain::{ExplainOptions, Explanation, Method};
use tandem_core::prep::TransformOptions;
use tandem_core::{Instance, Model, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A committed bundle and rows of the CSV it was trained on: (model, rows).
fn case(bundle: &str, csv: &str) -> (Model, Vec<Instance>) {
    let bytes = std::fs::read(root().join(bundle)).expect("bundle");
    let model = Model::load(&bytes).expect("loads");
    let file = std::fs::File::open(root().join(csv)).expect("csv");
    let rows = tandem_core::instance::read_csv(model.schema(), file)
        .expect("reads")
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    (model, rows)
}

fn titanic() -> (Model, Vec<Instance>) {
    case(
        "tests/fixtures/v1/titanic.tandem",
        "examples/data/titanic.csv",
    )
}

fn cps1985() -> (Model, Vec<Instance>) {
    case(
        "fuzz/targets/bundles/cps1985.tandem",
        "examples/data/cps1985.csv",
    )
}

fn nodes() -> (Model, Vec<Instance>) {
    case(
        "fuzz/targets/bundles/nodes.tandem",
        "tests/fixtures/nodes/nodes.csv",
    )
}

fn exact() -> ExplainOptions {
    ExplainOptions {
        method: Method::Exact,
        ..ExplainOptions::default()
    }
}

fn explain(m: &Model, x: &Instance, bg: &[Instance], o: &ExplainOptions) -> Explanation {
    m.explain_against(x, bg, TransformOptions::default(), o)
        .expect("explains")
}

/// Mean scores over `bg` of the raw rows taking `x`'s values on `fields` in `coalition`.
fn worth(m: &Model, x: &Instance, bg: &[Instance], read: &[usize], coalition: usize) -> Vec<f64> {
    let rows: Vec<Result<Instance, tandem_core::Error>> = bg
        .iter()
        .map(|b| {
            let mut values: Vec<Value> = b.values.clone();
            for (bit, &f) in read.iter().enumerate() {
                if coalition >> bit & 1 == 1 {
                    values[f] = x.values[f].clone();
                }
            }
            Ok(Instance { values })
        })
        .collect();
    let mut scores = Vec::new();
    let status = m
        .batch_scores(&rows, TransformOptions::default(), &mut scores)
        .expect("scores");
    assert!(status.iter().all(Result::is_ok));
    let k = m.scores_width();
    (0..k)
        .map(|o| scores.iter().skip(o).step_by(k).sum::<f64>() / bg.len() as f64)
        .collect()
}

/// Shapley's formula over the fields with a non-zero value (the ones the model reads).
fn brute_force(m: &Model, x: &Instance, bg: &[Instance], read: &[usize]) -> Vec<Vec<f64>> {
    let n = read.len();
    let v: Vec<Vec<f64>> = (0..1usize << n).map(|c| worth(m, x, bg, read, c)).collect();
    let fact = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
    (0..n)
        .map(|i| {
            let mut phi = vec![0.0; m.scores_width()];
            for s in (0..1usize << n).filter(|s| s >> i & 1 == 0) {
                let size = s.count_ones() as usize;
                let w = fact(size) * fact(n - size - 1) / fact(n);
                for (o, p) in phi.iter_mut().enumerate() {
                    *p += w * (v[s | 1 << i][o] - v[s][o]);
                }
            }
            phi
        })
        .collect()
}

/// The fields some node reads: every field whose value is not identically zero over rows.
fn read_fields(m: &Model) -> Vec<usize> {
    let prep = m.preprocessing().bind(m.schema()).expect("binds");
    let n = m.schema().fields.len();
    let mut read: Vec<usize> = (0..prep.node_count())
        .flat_map(|node| prep.node_fields(node, n))
        .collect();
    read.sort_unstable();
    read.dedup();
    read
}

/// `n` rows spread over the file (the files are sorted by some field: titanic by class).
fn spread(rows: &[Instance], n: usize) -> Vec<Instance> {
    rows.iter()
        .step_by(rows.len() / n)
        .take(n)
        .cloned()
        .collect()
}

fn check_against_brute_force((model, rows): (Model, Vec<Instance>), explained: usize) {
    let bg = &spread(&rows, 12);
    let read = read_fields(&model);
    for x in rows.iter().skip(40).step_by(7).take(explained) {
        let e = explain(&model, x, bg, &exact());
        assert!(e.exact);
        assert!(e.additivity_gap() < 1e-9, "gap {}", e.additivity_gap());
        let want = brute_force(&model, x, bg, &read);
        for (j, &f) in read.iter().enumerate() {
            for (got, want) in e.values[f].iter().zip(&want[j]) {
                assert!(
                    (got - want).abs() < 1e-12,
                    "field {}: {got} vs {want}",
                    e.fields[f]
                );
            }
        }
        for (f, v) in e.values.iter().enumerate() {
            if !read.contains(&f) {
                assert!(v.iter().all(|x| *x == 0.0), "unread field {f} has {v:?}");
            }
        }
    }
}

#[test]
fn exact_values_equal_shapleys_formula_on_raw_rows_for_titanic() {
    check_against_brute_force(titanic(), 10);
}

#[test]
fn exact_values_equal_shapleys_formula_on_raw_rows_for_cps1985() {
    check_against_brute_force(cps1985(), 3);
}

#[test]
fn a_column_over_two_fields_moves_with_each_of_them() {
    // nodes.tandem's `amount / items` column: a coalition holding one of the two fields
    // transforms the mixed row, which the splice must get right.
    let (model, rows) = nodes();
    let read = read_fields(&model);
    assert!(read.len() >= 5, "{read:?}");
    check_against_brute_force((model, rows), 3);
}

#[test]
fn sampled_values_converge_to_the_exact_ones() {
    // A network with a hidden layer (cps1985 is linear: every order gives the exact values).
    let (model, rows) = nodes();
    let (bg, x) = (&spread(&rows, 16), &rows[45]);
    let want = explain(&model, x, bg, &exact());
    let error = |permutations| {
        let e = explain(
            &model,
            x,
            bg,
            &ExplainOptions {
                method: Method::Sampled,
                permutations,
                seed: 3,
                ..ExplainOptions::default()
            },
        );
        assert!(!e.exact);
        assert!(e.additivity_gap() < 1e-9);
        e.values
            .iter()
            .zip(&want.values)
            .map(|(a, b)| (a[0] - b[0]).abs())
            .fold(0.0, f64::max)
    };
    let errors: Vec<f64> = [4, 64, 1024].into_iter().map(error).collect();
    println!("max error at 4 / 64 / 1024 permutations: {errors:?}");
    assert!(errors[1] < errors[0] && errors[2] < errors[1], "{errors:?}");
    let scale = want.values.iter().map(|v| v[0].abs()).fold(0.0, f64::max);
    assert!(
        errors[2] < 0.05 * scale,
        "{errors:?} vs largest value {scale}"
    );
}

#[test]
fn the_seed_fixes_the_sample_and_the_bundle_background_is_the_default() {
    let (model, rows) = cps1985();
    let sampled = |seed| ExplainOptions {
        method: Method::Sampled,
        permutations: 8,
        seed,
        ..ExplainOptions::default()
    };
    let a = explain(&model, &rows[5], &rows[..8], &sampled(1));
    assert_eq!(a, explain(&model, &rows[5], &rows[..8], &sampled(1)));
    assert_ne!(
        a.values,
        explain(&model, &rows[5], &rows[..8], &sampled(2)).values
    );
    // This bundle predates background samples.
    let e = model
        .explain(
            &rows[5],
            TransformOptions::default(),
            &ExplainOptions::default(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "NO_BACKGROUND");
}

#[test]
fn refusals_name_the_limit_or_the_option() {
    let (model, rows) = titanic();
    let x = &rows[0];
    let costly = ExplainOptions {
        max_evaluations: 100,
        ..exact()
    };
    let e = model
        .explain_against(x, &rows[..40], TransformOptions::default(), &costly)
        .unwrap_err();
    assert_eq!(e.code(), "EXPLAIN_LIMIT");
    // Three fields read (sex, age, class: this default pipeline keeps no term of the names).
    assert!(
        e.to_string().contains("320 times (8 coalitions × 40"),
        "{e}"
    );
    let zero = ExplainOptions {
        permutations: 0,
        ..ExplainOptions::default()
    };
    let e = model
        .explain_against(x, &rows[..10], TransformOptions::default(), &zero)
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("BAD_OPTION", Some("permutations")));
    let e = model
        .explain_against(x, &[], TransformOptions::default(), &exact())
        .unwrap_err();
    assert_eq!(e.code(), "NO_BACKGROUND");
}
