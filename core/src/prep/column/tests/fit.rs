//! Fitting declared columns on a small Titanic-like table, and checking declarations before
//! fitting with the rules binding applies afterwards.

use super::*;
use crate::prep::NumberConfig;

fn rows() -> Vec<Instance> {
    vec![
        inst("Allen, Miss. Elisabeth", Some(100.0), 0.0, "yes"),
        inst("Allison, Master. Hudson", Some(150.0), 2.0, "no"),
        inst("Brown, Mr. John", None, 1.0, "Yes"),
        inst("Smith, Mr. Adam", Some(8.0), 0.0, "no"),
    ]
}

fn features(c: &ColumnParams, i: &Instance) -> Result<Vec<f32>, InstanceError> {
    let b = c.bind(&schema()).unwrap();
    let mut out = Vec::new();
    b.transform_into(&i.values, TransformOptions::default(), &mut out)?;
    assert_eq!(out.len(), b.width());
    Ok(out)
}

#[test]
fn title_from_name_one_hot() {
    let decl = ColumnConfig {
        name: "title".into(),
        input: ColumnInput::Field("name".into()),
        text: vec![TextOp::Extract {
            pattern: r",\s*([^.]+)\.".into(),
            group: 1,
        }],
        boolean: None,
        encode: EncodeConfig::OneHot {
            fill: None,
            config: Default::default(),
        },
    };
    let c = decl.fit(&schema(), &rows()).unwrap();
    let Encode::OneHot(p) = &c.encode else {
        panic!()
    };
    assert_eq!(p.categories, ["Master", "Miss", "Mr"]);
    assert_eq!(
        features(&c, &inst("X, Dr. Y", None, 0.0, "no")).unwrap(),
        [0.0, 0.0, 0.0, 1.0]
    );
    // No match → missing → the most frequent title.
    assert_eq!(
        features(&c, &inst("nobody", None, 0.0, "no")).unwrap(),
        [0.0, 0.0, 1.0, 0.0]
    );
    let json = serde_json::to_string(&c).unwrap();
    let back: ColumnParams = crate::json::decode::from_slice(json.as_bytes()).unwrap();
    assert_eq!(back, c);
}

#[test]
fn derived_ratio_with_indicator() {
    let decl = ColumnConfig {
        name: "fare_per_person".into(),
        input: ColumnInput::Expr("fare / (sib + 1)".into()),
        text: vec![],
        boolean: None,
        encode: EncodeConfig::Number(NumberConfig {
            indicator: true,
            scale: crate::prep::ScaleKind::None,
            ..NumberConfig::default()
        }),
    };
    let c = decl.fit(&schema(), &rows()).unwrap();
    assert_eq!(
        features(&c, &inst("a", Some(30.0), 2.0, "no")).unwrap(),
        [10.0, 0.0]
    );
    let fill = (100.0 + 50.0 + 8.0) / 3.0;
    assert_eq!(
        features(&c, &inst("a", None, 2.0, "no")).unwrap(),
        [fill as f32, 1.0]
    );
}

#[test]
fn boolean_words_and_their_errors() {
    let decl = ColumnConfig {
        name: "member".into(),
        input: ColumnInput::Field("member".into()),
        text: vec![],
        boolean: Some(BoolParse::default()),
        encode: EncodeConfig::Number(NumberConfig {
            scale: crate::prep::ScaleKind::None,
            ..NumberConfig::default()
        }),
    };
    let c = decl.fit(&schema(), &rows()).unwrap();
    assert_eq!(features(&c, &inst("a", None, 0.0, "YES")).unwrap(), [1.0]);
    let e = features(&c, &inst("a", None, 0.0, "maybe")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_VALUE", Some("member")));
    let mut bad = rows();
    bad.push(inst("a", None, 0.0, "perhaps"));
    assert!(matches!(
        decl.fit(&schema(), &bad),
        Err(ColumnFitError::Row(4, _))
    ));
}

#[test]
fn declarations_that_cannot_work_are_rejected_with_a_reason() {
    let mk = |input: ColumnInput, encode: EncodeConfig| ColumnConfig {
        name: "x".into(),
        input,
        text: vec![],
        boolean: None,
        encode,
    };
    let number = EncodeConfig::Number(NumberConfig::default());
    for (decl, want) in [
        (
            mk(ColumnInput::Field("survived".into()), number.clone()),
            "the label",
        ),
        (
            mk(ColumnInput::Field("nope".into()), number.clone()),
            "not an input field",
        ),
        (
            mk(ColumnInput::Field("name".into()), number.clone()),
            "numeric input",
        ),
        (
            mk(ColumnInput::Expr("fare / name".into()), number.clone()),
            "not numeric",
        ),
        (mk(ColumnInput::Expr("fare /".into()), number), "ends"),
        (
            mk(
                ColumnInput::Field("fare".into()),
                EncodeConfig::Tfidf {
                    min_df: 1,
                    max_features: None,
                },
            ),
            "text input",
        ),
    ] {
        match decl.fit(&schema(), &rows()) {
            Err(ColumnFitError::Invalid(e)) => assert!(e.to_string().contains(want), "{e}"),
            other => panic!("{want}: {other:?}"),
        }
    }
}

#[test]
fn declarations_are_checked_before_fitting_with_the_same_rules() {
    let decl = |input: ColumnInput, encode: EncodeConfig| ColumnConfig {
        name: "x".into(),
        input,
        text: vec![],
        boolean: None,
        encode,
    };
    let bins = |edges: Vec<f64>, n_bins: usize| {
        EncodeConfig::Number(NumberConfig {
            bins: Some(crate::prep::BinsConfig {
                edges,
                n_bins,
                strategy: crate::prep::BinStrategy::Quantile,
                one_hot: true,
            }),
            ..NumberConfig::default()
        })
    };
    let check = |c: ColumnConfig| c.check(&schema()).map(|_| ()).map_err(|e| e.code());
    assert_eq!(
        check(decl(field("fare"), bins(vec![], 1))),
        Err("BIND_BAD_BIN_COUNT")
    );
    assert_eq!(check(decl(field("fare"), bins(vec![], 5))), Ok(()));
    assert_eq!(
        check(decl(field("fare"), bins(vec![2.0, 2.0], 0))),
        Err("BIND_BAD_BIN_EDGES"),
        "user edges strictly increase"
    );
    let clip = EncodeConfig::Number(NumberConfig {
        clip: Some([f64::NAN, 1.0]),
        ..NumberConfig::default()
    });
    assert_eq!(check(decl(field("fare"), clip)), Err("BIND_BAD_CLIP"));
    let hash = EncodeConfig::Hashing(HashingParams {
        buckets: 0,
        alternate_sign: false,
    });
    assert_eq!(check(decl(field("member"), hash)), Err("BIND_BAD_BUCKETS"));
    let parts = EncodeConfig::Datetime {
        format: "%Y".into(),
        parts: vec![],
    };
    assert_eq!(
        check(decl(field("name"), parts)),
        Err("BIND_BAD_DATETIME_PARTS")
    );
    let tfidf = EncodeConfig::Tfidf {
        min_df: 1,
        max_features: None,
    };
    assert_eq!(
        check(decl(expr("fare + 1"), tfidf)),
        Err("BIND_ENCODER_NEEDS_TEXT")
    );
}
