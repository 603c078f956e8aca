//! Peer check against scikit-learn: Tandem's nodes, fitted on the same real columns, must give
//! scikit-learn's outputs within 1e-6 (`tests/fixtures/sklearn/nodes.json`, written by
//! `tests/sklearn/make_fixtures.py`). Every fixture case is its own test
//! (`matches_scikit_learn::<column>::<case>`), and one more test keeps that list and the fixture
//! in step.
#![cfg(feature = "fit")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use serde_json::Value;
use tandem_core::Instance;
use tandem_core::Value as Cell;
use tandem_core::prep::{
    BinStrategy, BucketizeParams, ImputeParams, ImputeStrategy, MinMaxParams, OrdinalParams,
    RobustParams, StandardParams, TfidfParams,
};
use tandem_core::prep::{
    ColumnConfig, ColumnInput, EncodeConfig, HashingParams, NumberConfig, ScaleKind,
};
use tandem_core::prep::{OneHotConfig, OneHotParams, TransformOptions};
use tandem_core::schema::{Field, FieldType, Label, Schema, Task};

const TOLERANCE: f64 = 1e-6;

fn numbers(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(Value::as_f64).collect()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn present(v: &Value) -> Vec<f64> {
    numbers(v).into_iter().flatten().collect()
}

/// Fit a scaler on the present training values and apply it to the probes.
fn scaler<P>(
    case: &Value,
    fit: impl Fn(&[f64]) -> P,
    transform: impl Fn(&P, f64) -> f64,
) -> Vec<f64> {
    let p = fit(&present(&case["train"]));
    present(&case["probe"])
        .into_iter()
        .map(|x| transform(&p, x))
        .collect()
}

fn close(name: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = TOLERANCE * w.abs().max(1.0);
        assert!(
            (g - w).abs() <= tol,
            "{name}: probe {i}: tandem {g} vs scikit-learn {w}"
        );
    }
}

/// The fixture, parsed once and shared by every case's test.
fn fixture() -> &'static Value {
    static FIXTURE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/sklearn/nodes.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn cases() -> &'static [Value] {
    fixture()["cases"].as_array().unwrap()
}

/// Fit the case's node as scikit-learn did and compare the outputs.
fn check(name: &str) {
    let case = cases()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name}: no such case in nodes.json"));
    match case["node"].as_str().unwrap() {
        "tfidf" => check_tfidf(name, case),
        "one_hot" => check_one_hot(name, case),
        "counts" => check_counts(name, case),
        "hashing" => check_hashing(name, case),
        "number_chain" => check_number_chain(name, case),
        "datetime" => check_datetime(name, case),
        node => check_scalar(name, node, case),
    }
}

/// The nodes that map one value to one number: imputers, scalers, bucketizer, ordinal.
fn check_scalar(name: &str, node: &str, case: &Value) {
    let want: Vec<f64> = case["expected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let got: Vec<f64> = match node {
        "impute" => {
            let strategy = match case["config"]["strategy"].as_str().unwrap() {
                "mean" => ImputeStrategy::Mean,
                "median" => ImputeStrategy::Median,
                _ => ImputeStrategy::Constant(case["config"]["value"].as_f64().unwrap()),
            };
            let p = ImputeParams::fit(strategy, &numbers(&case["train"]));
            numbers(&case["probe"])
                .into_iter()
                .map(|x| p.transform(x))
                .collect()
        }
        "standard" => scaler(case, StandardParams::fit, StandardParams::transform),
        "minmax" => scaler(case, MinMaxParams::fit, MinMaxParams::transform),
        "robust" => scaler(case, RobustParams::fit, RobustParams::transform),
        "bucketize" => {
            let strategy = match case["config"]["strategy"].as_str().unwrap() {
                "quantile" => BinStrategy::Quantile,
                _ => BinStrategy::Uniform,
            };
            let bins = case["config"]["bins"].as_u64().unwrap() as usize;
            let p = BucketizeParams::fit(&strategy, bins, &present(&case["train"]));
            let edges: Vec<f64> = present(&case["edges"]);
            close(&format!("{name} edges"), &p.edges, &edges);
            present(&case["probe"])
                .into_iter()
                .map(|x| p.transform(x) as f64)
                .collect()
        }
        "ordinal" => {
            let train: Vec<&str> = strs(&case["train"]);
            let p = OrdinalParams::fit(&train);
            case["probe"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| p.transform(v.as_str().unwrap()))
                .collect()
        }
        other => panic!("{name}: unknown node {other}"),
    };
    close(name, &got, &want);
}

/// One `#[test]` per fixture case, in one module per column: `cargo test` names each failing
/// case, and a failure hides no other. A case's test name is its fixture name unless given
/// (`rust_name = "fixture_name"`, for names that are not snake case).
macro_rules! peer_cases {
    ($($column:ident = $prefix:literal [$($case:ident $(= $name:literal)?),* $(,)?])*) => {
        /// Each test: this column's node, fitted by Tandem, gives scikit-learn's outputs.
        mod matches_scikit_learn {
            $(mod $column {
                $(#[test]
                fn $case() {
                    crate::check(concat!($prefix, "/", peer_cases!(@name $case $($name)?)));
                })*
            })*
        }
        /// Every case the macro made a test for, by fixture name.
        const LISTED: &[&str] = &[$($(concat!($prefix, "/", peer_cases!(@name $case $($name)?))),*),*];
    };
    (@name $case:ident) => { stringify!($case) };
    (@name $case:ident $name:literal) => { $name };
}

peer_cases! {
    titanic_age = "titanic.age" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4, chain_median_log1p_standard,
    ]
    cps1985_wage = "cps1985.wage" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4, chain_mean_clip_log1p_robust,
    ]
    cps1985_experience = "cps1985.experience" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4, chain_mean_clip_standard,
    ]
    cps1985_education = "cps1985.education" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4,
    ]
    breast_cancer_mean_area = "breast_cancer.mean_area" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4, chain_median_log1p_min_max,
    ]
    iris_petal_width_cm = "iris.petal_width_cm" [
        impute_mean, impute_median, impute_constant, standard, minmax, robust,
        kbins_quantile_5, kbins_quantile_10, kbins_uniform_4,
    ]
    titanic_passenger_class = "titanic.passengerClass" [
        ordinal,
        one_hot_all = "one_hot_minNone_maxNone",
        one_hot_min_frequency_40 = "one_hot_min40_maxNone",
        one_hot_max_categories_3 = "one_hot_minNone_max3",
        one_hot_min_frequency_30_max_categories_4 = "one_hot_min30_max4",
        one_hot_max_categories_1 = "one_hot_minNone_max1",
    ]
    cps1985_occupation = "cps1985.occupation" [
        ordinal,
        one_hot_all = "one_hot_minNone_maxNone",
        one_hot_min_frequency_40 = "one_hot_min40_maxNone",
        one_hot_max_categories_3 = "one_hot_minNone_max3",
        one_hot_min_frequency_30_max_categories_4 = "one_hot_min30_max4",
        one_hot_max_categories_1 = "one_hot_minNone_max1",
        hashing_8_buckets = "hashing_8_False",
    ]
    cps1985_sector = "cps1985.sector" [
        ordinal,
        hashing_3_buckets_alternate_sign = "hashing_3_True",
    ]
    cps1985_ethnicity = "cps1985.ethnicity" [
        one_hot_all = "one_hot_minNone_maxNone",
        one_hot_min_frequency_40 = "one_hot_min40_maxNone",
        one_hot_max_categories_3 = "one_hot_minNone_max3",
        one_hot_min_frequency_30_max_categories_4 = "one_hot_min30_max4",
        one_hot_max_categories_1 = "one_hot_minNone_max1",
    ]
    titanic_name = "titanic.name" [
        tfidf_min_df_1, tfidf_min_df_2, tfidf_min_df_5, counts_min_df_1, counts_min_df_3,
        hashing_64_buckets_alternate_sign = "hashing_64_True",
        hashing_1000_buckets = "hashing_1000_False",
    ]
    datetime = "datetime" [python_strftime_parts = "python"]
}

#[test]
fn every_fixture_case_has_its_own_test_and_all_twelve_node_kinds_are_covered() {
    let cases = cases();
    assert!(cases.len() >= 50);
    let in_fixture: std::collections::BTreeSet<&str> =
        cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(in_fixture.len(), cases.len(), "case names are unique");
    let listed: std::collections::BTreeSet<&str> = LISTED.iter().copied().collect();
    assert_eq!(listed.len(), LISTED.len(), "no case is listed twice");
    assert_eq!(
        in_fixture.difference(&listed).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "fixture cases without a test: add them to peer_cases!"
    );
    assert_eq!(
        listed.difference(&in_fixture).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "tests of cases the fixture no longer has"
    );
    let kinds: std::collections::BTreeSet<&str> =
        cases.iter().map(|c| c["node"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 12, "every node kind is covered: {kinds:?}");
}

fn check_datetime(name: &str, case: &Value) {
    use tandem_core::prep::{DatePart, DateTime, DatetimeParams};
    let format = case["config"]["format"].as_str().unwrap();
    let node = DatetimeParams {
        field: "t".into(),
        format: format.into(),
        parts: vec![
            DatePart::Year,
            DatePart::Month,
            DatePart::Day,
            DatePart::Weekday,
            DatePart::DayOfYear,
            DatePart::Hour,
            DatePart::Minute,
        ],
    };
    let probes = case["probe"].as_array().unwrap();
    assert!(probes.len() > 1900);
    for (text, want) in probes.iter().zip(case["expected"].as_array().unwrap()) {
        let text = text.as_str().unwrap();
        let parsed = DateTime::parse(text, format);
        match want.as_array() {
            None => assert!(parsed.is_none(), "{name}: {text:?} should not parse"),
            Some(parts) => {
                let mut row = Vec::new();
                node.transform_into(
                    Some(&parsed.unwrap_or_else(|| panic!("{name}: {text:?} should parse"))),
                    &mut row,
                );
                let want: Vec<f32> = parts.iter().map(|v| v.as_f64().unwrap() as f32).collect();
                assert_eq!(row, want, "{name}: {text}");
            }
        }
    }
}

fn check_one_hot(name: &str, case: &Value) {
    let train: Vec<&str> = strs(&case["train"]);
    let opt = |k: &str| case["config"][k].as_u64().map(|v| v as usize);
    let config = OneHotConfig {
        min_frequency: opt("min_frequency"),
        max_categories: opt("max_categories"),
    };
    let values: Vec<Option<&str>> = train.iter().map(|s| Some(*s)).collect();
    let p = OneHotParams::fit_with("c", &values, &config);
    let want_infrequent: Vec<String> = case["infrequent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        p.infrequent, want_infrequent,
        "{name}: infrequent categories"
    );
    for (probe, want) in case["probe"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["expected"].as_array().unwrap())
    {
        let mut row = Vec::new();
        p.transform_into(
            &Cell::Text(probe.as_str().unwrap().into()),
            TransformOptions::default(),
            &mut row,
        )
        .unwrap();
        // Tandem's last column is the unknown slot, which scikit-learn does not have.
        assert_eq!(
            row.pop(),
            Some(0.0),
            "{name}: a training category is never unknown"
        );
        let got: Vec<f64> = row.iter().map(|&x| x as f64).collect();
        let want: Vec<f64> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got, want, "{name}: {probe}");
    }
}

fn check_tfidf(name: &str, case: &Value) {
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let train = strs(&case["train"]);
    let docs: Vec<Option<&str>> = train.iter().map(|s| Some(s.as_str())).collect();
    let min_df = case["config"]["min_df"].as_u64().unwrap() as usize;
    let p = TfidfParams::fit("name", &docs, min_df, None);
    assert_eq!(
        p.vocabulary,
        strs(&case["vocabulary"]),
        "{name}: vocabulary"
    );
    close(&format!("{name} idf"), &p.idf, &present(&case["idf"]));
    for (i, (doc, want)) in strs(&case["probe"])
        .iter()
        .zip(case["expected"].as_array().unwrap())
        .enumerate()
    {
        let mut row = Vec::new();
        p.transform_into(&Cell::Text(doc.clone()), &mut row);
        let mut dense = vec![0.0f64; row.len()];
        for (k, v) in want.as_object().unwrap() {
            dense[k.parse::<usize>().unwrap()] = v.as_f64().unwrap();
        }
        let got: Vec<f64> = row.iter().map(|&x| x as f64).collect();
        // Rows are stored as f32 features: compare at f32 precision.
        for (j, (g, w)) in got.iter().zip(&dense).enumerate() {
            assert!(
                (g - w).abs() <= 1e-6,
                "{name}: probe {i} term {j}: tandem {g} vs scikit-learn {w}"
            );
        }
    }
}

/// Fit a declared column (the spec's node) on `train` values of one field `x`, then return its
/// features for each probe value.
fn column_features(
    kind: FieldType,
    train: &[Cell],
    probe: &[Cell],
    encode: EncodeConfig,
) -> Vec<Vec<f32>> {
    let schema = Schema {
        fields: vec![Field::new("x", kind, true)],
        label: Label {
            name: "y".into(),
            task: Task::Regression,
        },
    };
    let rows: Vec<Instance> = train
        .iter()
        .map(|v| Instance {
            values: vec![v.clone()],
        })
        .collect();
    let decl = ColumnConfig {
        name: "x".into(),
        input: ColumnInput::Field("x".into()),
        text: vec![],
        boolean: None,
        encode,
    };
    let params = decl.fit(&schema, &rows).unwrap();
    let bound = params.bind(&schema).unwrap();
    probe
        .iter()
        .map(|v| {
            let mut out = Vec::new();
            bound
                .transform_into(
                    std::slice::from_ref(v),
                    TransformOptions::default(),
                    &mut out,
                )
                .unwrap();
            out
        })
        .collect()
}

fn text_cells(v: &Value) -> Vec<Cell> {
    strs(v)
        .into_iter()
        .map(|s| Cell::Text(s.to_string()))
        .collect()
}

fn sparse_rows(name: &str, got: &[Vec<f32>], want: &Value) {
    for (i, (row, want)) in got.iter().zip(want.as_array().unwrap()).enumerate() {
        let mut dense = vec![0.0f64; row.len()];
        for (k, v) in want.as_object().unwrap() {
            dense[k.parse::<usize>().unwrap()] = v.as_f64().unwrap();
        }
        for (j, (g, w)) in row.iter().zip(&dense).enumerate() {
            assert!(
                (*g as f64 - w).abs() <= 1e-6,
                "{name}: probe {i} column {j}: tandem {g} vs scikit-learn {w}"
            );
        }
    }
}

fn check_counts(name: &str, case: &Value) {
    let min_df = case["config"]["min_df"].as_u64().unwrap() as usize;
    let got = column_features(
        FieldType::Text,
        &text_cells(&case["train"]),
        &text_cells(&case["probe"]),
        EncodeConfig::Counts {
            min_df,
            max_features: None,
        },
    );
    assert_eq!(
        got[0].len(),
        case["vocabulary"].as_array().unwrap().len(),
        "{name}"
    );
    sparse_rows(name, &got, &case["expected"]);
}

fn check_hashing(name: &str, case: &Value) {
    let config = &case["config"];
    let got = column_features(
        FieldType::Category,
        &[],
        &text_cells(&case["probe"]),
        EncodeConfig::Hashing(HashingParams {
            buckets: config["buckets"].as_u64().unwrap() as u32,
            alternate_sign: config["alternate_sign"].as_bool().unwrap(),
        }),
    );
    sparse_rows(name, &got, &case["expected"]);
}

fn check_number_chain(name: &str, case: &Value) {
    let config = &case["config"];
    let cells = |v: &Value| -> Vec<Cell> {
        numbers(v)
            .into_iter()
            .map(|x| x.map_or(Cell::Missing, Cell::Number))
            .collect()
    };
    let clip = config["clip"]
        .as_array()
        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]);
    let encode = EncodeConfig::Number(NumberConfig {
        impute: match config["impute"].as_str().unwrap() {
            "mean" => ImputeStrategy::Mean,
            _ => ImputeStrategy::Median,
        },
        indicator: true,
        clip,
        log1p: config["log1p"].as_bool().unwrap(),
        scale: match config["scale"].as_str().unwrap() {
            "standard" => ScaleKind::Standard,
            "min_max" => ScaleKind::MinMax,
            _ => ScaleKind::Robust,
        },
        bins: None,
    });
    let got = column_features(
        FieldType::Number,
        &cells(&case["train"]),
        &cells(&case["probe"]),
        encode,
    );
    for (i, (row, want)) in got
        .iter()
        .zip(case["expected"].as_array().unwrap())
        .enumerate()
    {
        let want: Vec<f64> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let got: Vec<f64> = row.iter().map(|&x| x as f64).collect();
        // Features are f32: compare at f32 precision, relative to the value's size.
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                "{name}: probe {i}: tandem {got:?} vs scikit-learn {want:?}"
            );
        }
    }
}
