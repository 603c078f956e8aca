//! A bundle whose preprocessing was edited by hand, with its checksums recomputed so that
//! only binding can tell, is an invalid bundle (`BUNDLE_INVALID`) naming the node and the
//! rule it breaks, never a `SCHEMA` error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use tandem_core::error::BundleError;
use tandem_core::prep::{
    BindError, ColumnInput, ColumnParams, Encode, ExprError, HashingParams, Step, TextOp,
};
use tandem_core::{Bundle, Error, Model};

fn titanic() -> Bundle {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/v1/titanic.tandem");
    Bundle::from_bytes(&std::fs::read(path).expect("fixture")).expect("fixture decodes")
}

/// Load the fixture after `edit`; the node it broke and why.
fn load_edited(edit: impl FnOnce(&mut Bundle)) -> (usize, String, BindError) {
    let mut bundle = titanic();
    edit(&mut bundle);
    let bytes = bundle.to_bytes().expect("re-encodes with fresh checksums");
    let e = Model::load(&bytes).expect_err("an invalid node is rejected");
    assert_eq!(e.code(), "BUNDLE_INVALID", "{e}");
    match e {
        Error::Bundle(BundleError::InvalidNode { node, name, source }) => (node, name, source),
        other => panic!("not an invalid node: {other:?}"),
    }
}

/// The index of the first step of the fixture matching `pick`.
fn position(pick: impl Fn(&Step) -> bool) -> usize {
    titanic()
        .preprocessing
        .steps
        .iter()
        .position(pick)
        .expect("the fixture has such a node")
}

fn a_column(input: ColumnInput, text: Vec<TextOp>) -> Step {
    Step::Column(ColumnParams {
        name: "edited".into(),
        input,
        text,
        boolean: None,
        encode: Encode::Hashing(HashingParams {
            buckets: 4,
            alternate_sign: false,
        }),
    })
}

#[test]
fn the_unedited_fixture_loads() {
    assert!(Model::load(&titanic().to_bytes().unwrap()).is_ok());
}

#[test]
fn a_node_reading_a_field_the_schema_lacks_names_the_node() {
    let i = position(|s| matches!(s, Step::Numeric(_)));
    let (node, name, why) = load_edited(|b| {
        if let Step::Numeric(p) = &mut b.preprocessing.steps[i] {
            p.field = "agee".into();
        }
    });
    assert_eq!((node, name.as_str()), (i + 1, "agee"));
    assert_eq!(why.code(), "BIND_UNKNOWN_FIELD");
}

#[test]
fn a_node_reading_the_label_is_rejected() {
    let i = position(|s| matches!(s, Step::Numeric(_)));
    let (_, _, why) = load_edited(|b| {
        let label = b.schema.label.name.clone();
        if let Step::Numeric(p) = &mut b.preprocessing.steps[i] {
            p.field = label;
        }
    });
    assert_eq!(why.code(), "BIND_READS_LABEL");
}

#[test]
fn a_zero_scale_is_rejected_before_it_divides() {
    let i = position(|s| matches!(s, Step::Numeric(_)));
    let (_, _, why) = load_edited(|b| {
        if let Step::Numeric(p) = &mut b.preprocessing.steps[i] {
            p.scale = 0.0;
        }
    });
    assert_eq!(why, BindError::BadScale { scale: 0.0 });
}

#[test]
fn unsorted_categories_are_rejected_before_they_are_searched() {
    let i = position(|s| matches!(s, Step::OneHot(p) if p.categories.len() > 1));
    let (node, _, why) = load_edited(|b| {
        if let Step::OneHot(p) = &mut b.preprocessing.steps[i] {
            p.categories.reverse();
        }
    });
    assert_eq!(node, i + 1);
    assert_eq!(why.code(), "BIND_UNSORTED");
}

#[test]
fn a_declared_column_with_a_bad_pattern_is_rejected() {
    let (node, name, why) = load_edited(|b| {
        let pattern = TextOp::Extract {
            pattern: "([a-z".into(),
            group: 1,
        };
        b.preprocessing.steps[0] = a_column(ColumnInput::Field("sex".into()), vec![pattern]);
    });
    assert_eq!((node, name.as_str()), (1, "edited"));
    assert_eq!(why.code(), "BIND_BAD_REGEX");
}

#[test]
fn a_declared_expression_that_does_not_parse_says_where() {
    let (_, _, why) = load_edited(|b| {
        b.preprocessing.steps[0] = a_column(ColumnInput::Expr("age * (2".into()), vec![]);
    });
    let BindError::Expr { source, .. } = &why else {
        panic!("{why:?}")
    };
    assert!(
        matches!(source, ExprError::UnclosedParen { .. }),
        "{source:?}"
    );
    assert_eq!(why.expr_span(), Some(6..7));
}

#[test]
fn the_message_names_the_node_and_the_reason() {
    let i = position(|s| matches!(s, Step::Numeric(_)));
    let mut bundle = titanic();
    if let Step::Numeric(p) = &mut bundle.preprocessing.steps[i] {
        p.scale = 0.0;
    }
    let e = Model::load(&bundle.to_bytes().unwrap()).unwrap_err();
    let field = bundle.preprocessing.steps[i].field().to_string();
    assert_eq!(
        e.to_string(),
        format!(
            "invalid preprocessing node {} (`{field}`): fitted scale is 0; it must be finite and non-zero",
            i + 1
        )
    );
}

/// Load the fixture after `edit` to its metadata; the reason the metadata part is refused.
fn load_edited_metadata(edit: impl FnOnce(&mut Bundle)) -> String {
    let mut bundle = titanic();
    edit(&mut bundle);
    let bytes = bundle.to_bytes().expect("re-encodes with fresh checksums");
    let e = Model::load(&bytes).expect_err("metadata that disagrees is rejected");
    assert_eq!(e.code(), "BUNDLE_INVALID", "{e}");
    match e {
        Error::Bundle(BundleError::Invalid { part, reason }) => {
            assert_eq!(part, "metadata.json");
            reason
        }
        other => panic!("not an invalid metadata part: {other:?}"),
    }
}

#[test]
fn a_feature_count_edited_in_the_metadata_is_an_invalid_bundle() {
    let reason = load_edited_metadata(|b| b.metadata.model.n_features += 1);
    assert!(reason.contains("features but the model takes"), "{reason}");
}

#[test]
fn an_output_count_edited_in_the_metadata_is_an_invalid_bundle() {
    let reason = load_edited_metadata(|b| b.metadata.model.n_outputs += 1);
    assert!(reason.contains("outputs but the task needs"), "{reason}");
}

/// The fixture with its preprocessing part replaced by `edit` of its JSON, other parts as
/// they are, every checksum recomputed; the load error's code and message.
fn load_with_preprocessing(edit: impl FnOnce(&mut serde_json::Value)) -> (String, String) {
    let b = titanic();
    let mut prep = serde_json::to_value(&b.preprocessing).unwrap();
    edit(&mut prep);
    let json = |v: &dyn erased::Json| v.bytes();
    let mut parts: Vec<(&str, &str, Vec<u8>)> = vec![
        ("schema.json", "application/json", json(&b.schema)),
        ("preprocessing.json", "application/json", json(&prep)),
        ("metadata.json", "application/json", json(&b.metadata)),
        ("model.onnx", "application/onnx", b.onnx.clone()),
        ("model.nnef.tar", "application/x-tar", b.nnef.clone()),
    ];
    if let Some(dense) = &b.dense {
        parts.push(("model.dense", "application/x-tandem-dense", dense.clone()));
    }
    let bytes = Bundle::encode_parts("0.1.0", "2026-12-06T00:00:00Z", &parts).unwrap();
    let e = Model::load(&bytes).expect_err("a part that does not read is rejected");
    (e.code().to_string(), e.to_string())
}

mod erased {
    /// Anything serialisable, as JSON bytes (one helper for the three JSON parts).
    pub trait Json {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn bytes(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap()
        }
    }
}

#[test]
fn a_part_that_does_not_read_names_the_part_the_path_and_the_reason() {
    // The fixture's second node is `numeric` (age).
    let (code, message) = load_with_preprocessing(|p| p["steps"][1]["node"] = "cubic".into());
    assert_eq!(code, "BUNDLE_INVALID");
    assert!(
        message.contains("preprocessing.json")
            && message
                .contains("steps[1].node: unknown variant `cubic`, expected one of `numeric`"),
        "{message}"
    );
    let (code, message) = load_with_preprocessing(|p| {
        p["steps"][1]
            .as_object_mut()
            .unwrap()
            .remove("fill")
            .unwrap();
    });
    assert_eq!(code, "BUNDLE_INVALID");
    assert!(
        message.contains("steps[1]: missing field `fill`"),
        "{message}"
    );
    let (_, message) = load_with_preprocessing(|p| p["steps"][1]["mean"] = "0".into());
    assert!(
        message.contains("steps[1].mean: expected a number, found a string"),
        "{message}"
    );
}
