//! Property tests: nothing a user can send makes the core panic, and every bit of a bundle is
//! covered by a checksum.

use proptest::prelude::*;
use serde_json::{Map, Value as Json};
use tandem_core::prep::TransformOptions;
use tandem_core::{Bundle, Instance, Model};

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
    fn every_single_bit_flip_is_detected(bit in 0usize..(12_612 * 8)) {
        let mut bytes = golden();
        let bit = bit % (bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(Bundle::from_bytes(&bytes).is_err(), "bit {} flipped went unnoticed", bit);
    }

    #[test]
    fn every_truncation_is_detected(len in 0usize..12_612) {
        let bytes = golden();
        let len = len % bytes.len();
        prop_assert!(Bundle::from_bytes(&bytes[..len]).is_err());
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

#[cfg(feature = "fit")]
mod fit {
    use super::*;
    use tandem_core::Preprocessor;
    use tandem_core::Value;
    use tandem_core::schema::{Field, FieldType, Label, Schema, Task};

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
            let back: Preprocessor = serde_json::from_str(&serde_json::to_string(&p).expect("ser")).expect("de");
            prop_assert_eq!(back, p);
        }
    }
}
