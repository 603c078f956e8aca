//! Property tests: nothing a user can send makes the core panic, and every bit of a bundle is
//! covered by a checksum.

use proptest::prelude::*;
use serde_json::{Map, Value as Json};
use tandem_core::prep::TransformOptions;
use tandem_core::{Bundle, Model};

fn golden() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/v1/titanic.tandem");
    std::fs::read(path).expect("golden bundle")
}

fn model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| Model::load(&golden()).expect("golden bundle loads"))
}

/// Arbitrary JSON values, nested a few levels, with numbers including huge ones.
fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Json::Number)),
        any::<i64>().prop_map(|i| Json::Number(i.into())),
        ".{0,12}".prop_map(Json::String),
        prop_oneof![
            Just("1st"),
            Just("2nd"),
            Just("3rd"),
            Just("male"),
            Just("female")
        ]
        .prop_map(|s| Json::String(s.into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|kv| Json::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Instances shaped like titanic rows, with every field possibly absent or of any type.
fn titanic_like() -> impl Strategy<Value = Json> {
    let field = prop_oneof![3 => json(), 1 => Just(Json::Null)];
    (field.clone(), field.clone(), field.clone(), field).prop_map(|(name, sex, age, class)| {
        let mut m = Map::new();
        for (k, v) in [
            ("name", name),
            ("sex", sex),
            ("age", age),
            ("passengerClass", class),
        ] {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        }
        Json::Object(m)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsing_and_predicting_any_json_never_panics(j in prop_oneof![json(), titanic_like()]) {
        let m = model();
        if let Ok(inst) = m.parse(&j) {
            for strict in [false, true] {
                let options = TransformOptions { strict_categories: strict, ..TransformOptions::default() };
                if let Ok(f) = m.features(&inst, options) {
                    prop_assert_eq!(f.len(), m.metadata().model.n_features);
                    prop_assert!(f.iter().all(|x| x.is_finite()));
                    match m.predict(&inst, options) {
                        // Either real probabilities...
                        Ok(p) => {
                            let v = serde_json::to_value(p).expect("serialize");
                            let sum: f64 = v["probabilities"].as_object().expect("classes").values().map(|p| p.as_f64().unwrap_or(f64::NAN)).sum();
                            prop_assert!((sum - 1.0).abs() < 1e-9);
                        }
                        // ...or, for inputs that overflow the network, a clear error: never NaN.
                        Err(e) => prop_assert_eq!(e.code(), "NON_FINITE_OUTPUT"),
                    }
                }
            }
        }
    }

    #[test]
    fn any_bytes_as_a_bundle_are_an_error_not_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(Bundle::from_bytes(&bytes).is_err());
    }

    #[test]
    fn csv_of_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut data = b"name,sex,age,passengerClass\n".to_vec();
        data.extend_from_slice(&bytes);
        if let Ok(rows) = tandem_core::instance::read_csv(model().schema(), data.as_slice()) {
            for r in rows.into_iter().flatten() {
                let _ = model().predict(&r, TransformOptions::default());
            }
        }
    }
}

/// Exhaustive, not sampled: all 100,896 bits of the golden bundle, one flip at a time.
#[test]
fn every_single_bit_flip_is_detected() {
    let mut bytes = golden();
    assert!(
        Bundle::from_bytes(&bytes).is_ok(),
        "the golden bundle loads as is"
    );
    let mut missed = Vec::new();
    for bit in 0..bytes.len() * 8 {
        bytes[bit / 8] ^= 1 << (bit % 8);
        if Bundle::from_bytes(&bytes).is_ok() {
            missed.push(bit);
        }
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    assert!(
        missed.is_empty(),
        "{} flipped bits went unnoticed, first ones: {:?}",
        missed.len(),
        &missed[..missed.len().min(10)]
    );
}

/// Exhaustive too: every proper prefix of the golden bundle, from empty to one byte short.
#[test]
fn every_truncation_is_detected() {
    let bytes = golden();
    assert!(
        Bundle::from_bytes(&bytes).is_ok(),
        "the golden bundle loads as is"
    );
    let missed: Vec<usize> = (0..bytes.len())
        .filter(|&len| Bundle::from_bytes(&bytes[..len]).is_ok())
        .collect();
    assert!(missed.is_empty(), "truncations that load: {missed:?}");
}

#[cfg(feature = "fit")]
mod fit {
    use super::*;
    use tandem_core::Value;
    use tandem_core::prep::{ColumnConfig, ColumnFitError, ColumnInput, EncodeConfig};
    use tandem_core::schema::{Field, FieldType, Label, Schema, Task};
    use tandem_core::{Instance, Preprocessor};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("x", FieldType::Number, true),
                Field::new("c", FieldType::Category, true),
                Field::new("b", FieldType::Boolean, true),
                Field::new("t", FieldType::Text, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Classification {
                    classes: vec!["a".into(), "b".into()],
                },
            },
        }
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Missing),
            (-1e308f64..1e308).prop_map(Value::Number),
            prop_oneof![
                Just(0.0),
                Just(1.0),
                Just(-1.0),
                Just(1e308),
                Just(-1e308),
                Just(f64::MIN_POSITIVE)
            ]
            .prop_map(Value::Number),
        ]
    }

    fn category() -> impl Strategy<Value = Value> {
        prop_oneof![Just(Value::Missing), "\\PC{0,8}".prop_map(Value::Text)]
    }

    fn boolean() -> impl Strategy<Value = Value> {
        prop_oneof![Just(Value::Missing), any::<bool>().prop_map(Value::Bool)]
    }

    fn text() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Missing),
            "(\\PC{0,6} ){0,4}".prop_map(Value::Text)
        ]
    }

    fn row() -> impl Strategy<Value = Instance> {
        (number(), category(), boolean(), text()).prop_map(|(x, c, b, t)| Instance {
            values: vec![x, c, b, t],
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn fit_on_any_column_never_panics_and_transforms_stay_finite(
            train in prop::collection::vec(row(), 0..40),
            probe in row(),
        ) {
            let s = schema();
            let p = Preprocessor::fit(&s, &train);
            let bound = p.bind(&s).expect("fitted nodes bind");
            for strict in [false, true] {
                if let Ok(f) = bound.transform(&probe, TransformOptions { strict_categories: strict, ..TransformOptions::default() }) {
                    prop_assert_eq!(f.len(), bound.width());
                    prop_assert!(f.iter().all(|v| v.is_finite()), "{:?} -> {:?}", probe, f);
                }
            }
            // Fitted state survives the bundle's JSON encoding unchanged.
            let back = Preprocessor::from_part(&serde_json::to_vec(&p).expect("ser")).expect("de");
            prop_assert_eq!(back, p);
        }
    }

    /// One declaration of every kind of declared node, over the fields of `schema()`.
    #[allow(
        clippy::too_many_lines,
        reason = "a table, one declaration per node kind: splitting it would hide the list"
    )]
    fn declarations() -> Vec<ColumnConfig> {
        use tandem_core::prep::{
            BinStrategy, BinsConfig, BoolParse, DatePart, HashingParams, ImputeStrategy,
            NumberConfig, OneHotConfig, ScaleKind, TextOp,
        };
        let col =
            |name: &str, input: ColumnInput, text: Vec<TextOp>, boolean, encode| ColumnConfig {
                name: name.into(),
                input,
                text,
                boolean,
                encode,
            };
        let f = |n: &str| ColumnInput::Field(n.into());
        let number = |impute, clip, log1p, scale, bins| {
            EncodeConfig::Number(NumberConfig {
                impute,
                indicator: true,
                clip,
                log1p,
                scale,
                bins,
            })
        };
        vec![
            col(
                "a",
                f("x"),
                vec![],
                None,
                number(ImputeStrategy::Median, None, false, ScaleKind::Robust, None),
            ),
            col(
                "b",
                f("x"),
                vec![],
                None,
                number(
                    ImputeStrategy::Mean,
                    Some([-0.5, 1e300]),
                    true,
                    ScaleKind::MinMax,
                    None,
                ),
            ),
            col(
                "c",
                f("x"),
                vec![],
                None,
                number(
                    ImputeStrategy::Constant(-1.0),
                    None,
                    false,
                    ScaleKind::Standard,
                    Some(BinsConfig {
                        edges: vec![],
                        n_bins: 4,
                        strategy: BinStrategy::Quantile,
                        one_hot: true,
                    }),
                ),
            ),
            col(
                "d",
                f("x"),
                vec![],
                None,
                number(
                    ImputeStrategy::Mean,
                    None,
                    false,
                    ScaleKind::None,
                    Some(BinsConfig {
                        edges: vec![],
                        n_bins: 3,
                        strategy: BinStrategy::Uniform,
                        one_hot: false,
                    }),
                ),
            ),
            col(
                "e",
                ColumnInput::Expr("x / (b + x) - 2 * x".into()),
                vec![],
                None,
                number(ImputeStrategy::Mean, None, false, ScaleKind::Standard, None),
            ),
            col(
                "f",
                f("c"),
                vec![TextOp::Trim, TextOp::Lowercase],
                Some(BoolParse::default()),
                number(ImputeStrategy::Mean, None, false, ScaleKind::None, None),
            ),
            col(
                "g",
                f("c"),
                vec![TextOp::CollapseWhitespace],
                None,
                EncodeConfig::OneHot {
                    fill: None,
                    config: OneHotConfig {
                        min_frequency: Some(2),
                        max_categories: Some(3),
                    },
                },
            ),
            col(
                "h",
                f("x"),
                vec![],
                None,
                EncodeConfig::Ordinal {
                    fill: Some("zz".into()),
                },
            ),
            col(
                "i",
                f("c"),
                vec![],
                None,
                EncodeConfig::Hashing(HashingParams {
                    buckets: 5,
                    alternate_sign: true,
                }),
            ),
            col(
                "j",
                f("t"),
                vec![TextOp::Extract {
                    pattern: r"(\w+)\s".into(),
                    group: 1,
                }],
                None,
                EncodeConfig::OneHot {
                    fill: Some("none".into()),
                    config: OneHotConfig::default(),
                },
            ),
            col(
                "k",
                f("t"),
                vec![],
                None,
                EncodeConfig::Tfidf {
                    min_df: 1,
                    max_features: Some(5),
                },
            ),
            col(
                "l",
                f("t"),
                vec![],
                None,
                EncodeConfig::Counts {
                    min_df: 2,
                    max_features: None,
                },
            ),
            col(
                "m",
                f("t"),
                vec![],
                None,
                EncodeConfig::Datetime {
                    format: "%Y-%m-%d".into(),
                    parts: vec![DatePart::Year, DatePart::WeekdayCycle],
                },
            ),
            col(
                "n",
                f("b"),
                vec![],
                None,
                EncodeConfig::OneHot {
                    fill: None,
                    config: OneHotConfig::default(),
                },
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn declared_nodes_never_panic_on_any_column_or_instance(
            train in prop::collection::vec(row(), 0..30),
            probe in row(),
        ) {
            let s = schema();
            for decl in declarations() {
                let fitted = match decl.fit(&s, &train) {
                    Ok(p) => p,
                    // A row the node cannot use (a date that does not parse, log1p of -5):
                    // a structured error naming the row, not a panic.
                    Err(ColumnFitError::Row(i, e)) => {
                        prop_assert!(i < train.len() && !e.code().is_empty());
                        continue;
                    }
                    Err(ColumnFitError::Invalid(why)) => {
                        return Err(TestCaseError::fail(format!("{}: declaration rejected: {why}", decl.name)));
                    }
                };
                let bound = fitted.bind(&s).expect("fitted nodes bind");
                let mut out = Vec::new();
                match bound.transform_into(&probe.values, TransformOptions::default(), &mut out) {
                    Ok(()) => {
                        prop_assert_eq!(out.len(), bound.width(), "{}", decl.name);
                        prop_assert!(out.iter().all(|v| v.is_finite()), "{}: {:?} -> {:?}", decl.name, probe, out);
                    }
                    Err(e) => prop_assert!(!e.code().is_empty()),
                }
                let p = Preprocessor { steps: vec![tandem_core::prep::Step::Column(fitted)] };
                let back = Preprocessor::from_part(&serde_json::to_vec(&p).expect("ser")).expect("de");
                prop_assert_eq!(back, p);
            }
        }
    }
}
