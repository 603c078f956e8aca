//! One test per reason binding rejects a declared column, on a small Titanic-like schema;
//! fitting is tested in `tests/fit.rs` (feature `fit`).

#[cfg(feature = "fit")]
mod fit;

use super::*;
use crate::Instance;
use crate::prep::expr::{ExprError, Span};
use crate::prep::limits::{MAX_BIN_EDGES, MAX_DATETIME_PARTS, MAX_HASH_BUCKETS};
use crate::prep::{Bins, BucketizeParams, DatePart, Scale, StandardParams, TransformOptions};
use crate::schema::{Field, FieldType, Label, Task};

fn schema() -> Schema {
    Schema {
        fields: vec![
            Field::new("name", FieldType::Text, true),
            Field::new("fare", FieldType::Number, true),
            Field::new("sib", FieldType::Integer, true),
            Field::new("member", FieldType::Category, true),
        ],
        label: Label {
            name: "survived".into(),
            task: Task::Regression,
        },
    }
}

fn inst(name: &str, fare: Option<f64>, sib: f64, member: &str) -> Instance {
    Instance {
        values: vec![
            Value::Text(name.into()),
            fare.map_or(Value::Missing, Value::Number),
            Value::Number(sib),
            Value::Text(member.into()),
        ],
    }
}

/// A column over `input` with `encode` and no string stages.
fn column(input: ColumnInput, encode: Encode) -> ColumnParams {
    ColumnParams {
        name: "x".into(),
        input,
        text: vec![],
        boolean: None,
        encode,
    }
}

fn field(f: &str) -> ColumnInput {
    ColumnInput::Field(f.into())
}

fn expr(e: &str) -> ColumnInput {
    ColumnInput::Expr(e.into())
}

fn number() -> Encode {
    Encode::Number(NumberParams {
        fill: 0.0,
        indicator: false,
        clip: None,
        log1p: false,
        scale: Scale::None,
        bins: None,
    })
}

fn hashing(buckets: u32) -> Encode {
    Encode::Hashing(HashingParams {
        buckets,
        alternate_sign: false,
    })
}

fn bind_error(c: &ColumnParams) -> BindError {
    c.bind(&schema()).unwrap_err()
}

fn span(offset: usize, len: usize) -> Span {
    Span {
        offset,
        len,
        character: offset + 1,
    }
}

#[test]
fn reading_the_label_is_reads_label_with_where_an_expression_reads_it() {
    let e = bind_error(&column(field("survived"), number()));
    let want = BindError::ReadsLabel {
        field: "survived".into(),
        at: None,
    };
    assert_eq!((e.code(), &e), ("BIND_READS_LABEL", &want));
    let e = bind_error(&column(expr("fare / survived"), number()));
    assert_eq!(e.expr_span(), Some(7..15));
    assert_eq!(e.code(), "BIND_READS_LABEL");
}

#[test]
fn reading_an_absent_field_is_unknown_field() {
    let e = bind_error(&column(field("nope"), number()));
    assert_eq!(e.code(), "BIND_UNKNOWN_FIELD");
    assert_eq!(e.expr_span(), None);
    let e = bind_error(&column(expr("2 * `no such`"), number()));
    assert_eq!(
        e,
        BindError::UnknownField {
            field: "no such".into(),
            at: Some(span(4, 9)),
        }
    );
}

#[test]
fn an_expression_over_text_is_not_numeric_at_the_field() {
    let e = bind_error(&column(expr("fare / name"), number()));
    assert_eq!(
        e,
        BindError::NotNumeric {
            field: "name".into(),
            expr: "fare / name".into(),
            at: span(7, 4),
        }
    );
    assert_eq!(e.code(), "BIND_NOT_NUMERIC");
}

#[test]
fn an_expression_that_does_not_parse_carries_the_parse_error() {
    let e = bind_error(&column(expr("fare * (sib"), number()));
    assert_eq!(e.code(), "BIND_EXPR");
    let BindError::Expr { expr, source } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(expr, "fare * (sib");
    assert!(
        matches!(source, ExprError::UnclosedParen { .. }),
        "{source:?}"
    );
    assert_eq!(e.expr_span(), Some(7..8));
}

#[test]
fn string_stages_on_a_number_are_rejected() {
    let mut c = column(field("fare"), number());
    c.text = vec![TextOp::Trim];
    assert_eq!(bind_error(&c), BindError::StringStagesNeedText);
    let mut c = column(field("sib"), number());
    c.boolean = Some(BoolParse::default());
    assert_eq!(bind_error(&c).code(), "BIND_STRING_STAGES_NEED_TEXT");
}

#[test]
fn a_number_encoder_on_text_needs_boolean_words() {
    let e = bind_error(&column(field("member"), number()));
    assert_eq!(
        (e.code(), e),
        (
            "BIND_NUMBER_NEEDS_NUMBER",
            BindError::NumberEncoderNeedsNumber
        )
    );
    let mut words = column(field("member"), number());
    words.boolean = Some(BoolParse::default());
    assert!(words.bind(&schema()).is_ok());
}

#[test]
fn text_encoders_on_a_number_name_the_encoder() {
    let datetime = Encode::Datetime(DatetimeParams {
        field: "x".into(),
        format: "%Y".into(),
        parts: vec![DatePart::Year],
    });
    let counts = Encode::Counts { vocabulary: vec![] };
    for (encode, encoder) in [(counts, "counts"), (datetime, "datetime")] {
        let e = bind_error(&column(field("fare"), encode));
        assert_eq!(e, BindError::EncoderNeedsText { encoder });
        assert_eq!(e.code(), "BIND_ENCODER_NEEDS_TEXT");
    }
}

#[test]
fn hashing_buckets_are_bounded() {
    for buckets in [0, MAX_HASH_BUCKETS + 1] {
        let e = bind_error(&column(field("member"), hashing(buckets)));
        assert_eq!(
            e,
            BindError::BadBuckets {
                buckets,
                max: MAX_HASH_BUCKETS
            }
        );
        assert_eq!(e.code(), "BIND_BAD_BUCKETS");
    }
    assert!(
        column(field("member"), hashing(MAX_HASH_BUCKETS))
            .bind(&schema())
            .is_ok()
    );
}

#[test]
fn datetime_parts_are_bounded() {
    for n in [0, MAX_DATETIME_PARTS + 1] {
        let c = column(
            field("name"),
            Encode::Datetime(DatetimeParams {
                field: "x".into(),
                format: "%Y".into(),
                parts: vec![DatePart::Year; n],
            }),
        );
        let e = bind_error(&c);
        assert_eq!(
            e,
            BindError::BadDatetimeParts {
                n,
                max: MAX_DATETIME_PARTS
            }
        );
        assert_eq!(e.code(), "BIND_BAD_DATETIME_PARTS");
    }
}

#[test]
fn lists_that_are_binary_searched_must_be_sorted_and_unique() {
    let counts = Encode::Counts {
        vocabulary: vec!["b".into(), "a".into()],
    };
    let ordinal = Encode::Ordinal(OrdinalParams {
        categories: vec!["a".into(), "a".into()],
        unknown: -1.0,
        fill: None,
    });
    let one_hot = Encode::OneHot(OneHotParams {
        field: "x".into(),
        categories: vec!["a".into()],
        fill: "a".into(),
        infrequent: vec!["z".into(), "y".into()],
    });
    for (encode, what) in [
        (counts, "vocabulary"),
        (ordinal, "categories"),
        (one_hot, "infrequent categories"),
    ] {
        let e = bind_error(&column(field("name"), encode));
        assert_eq!(e, BindError::Unsorted { what });
        assert_eq!(e.code(), "BIND_UNSORTED");
    }
}

#[test]
fn tfidf_needs_one_finite_idf_per_term() {
    let tfidf = |idf: Vec<f64>| {
        Encode::Tfidf(TfidfParams {
            field: "x".into(),
            vocabulary: vec!["a".into(), "b".into()],
            idf,
        })
    };
    let e = bind_error(&column(field("name"), tfidf(vec![1.0])));
    assert_eq!(e, BindError::IdfMismatch { terms: 2, idf: 1 });
    assert_eq!(e.code(), "BIND_IDF_MISMATCH");
    let e = bind_error(&column(field("name"), tfidf(vec![1.0, f64::NAN])));
    assert_eq!(
        (e.code(), e.to_string().contains("idf")),
        ("BIND_NOT_FINITE", true)
    );
}

#[test]
fn fitted_numbers_must_be_finite_and_scales_non_zero() {
    let with = |f: &dyn Fn(&mut NumberParams)| {
        let mut c = column(field("fare"), number());
        if let Encode::Number(p) = &mut c.encode {
            f(p);
        }
        bind_error(&c)
    };
    let e = with(&|p| p.fill = f64::INFINITY);
    assert_eq!(
        e,
        BindError::NotFinite {
            what: "fill",
            value: f64::INFINITY
        }
    );
    assert_eq!(e.code(), "BIND_NOT_FINITE");
    let e = with(&|p| {
        p.scale = Scale::Standard(StandardParams {
            mean: 0.0,
            scale: 0.0,
        })
    });
    assert_eq!(
        (e.code(), e),
        ("BIND_BAD_SCALE", BindError::BadScale { scale: 0.0 })
    );
    let e = with(&|p| p.clip = Some([2.0, 1.0]));
    assert_eq!(
        (e.code(), e),
        (
            "BIND_BAD_CLIP",
            BindError::BadClip {
                low: 2.0,
                high: 1.0
            }
        )
    );
    let e = with(&|p| {
        p.bins = Some(Bins {
            bucketize: BucketizeParams {
                edges: vec![1.0, 0.0],
            },
            one_hot: false,
        })
    });
    assert_eq!(
        (e.code(), e),
        (
            "BIND_BAD_BIN_EDGES",
            BindError::BadBinEdges {
                n: 2,
                max: MAX_BIN_EDGES
            }
        )
    );
}

#[test]
fn a_bad_pattern_is_reported_by_bind() {
    let mut c = column(field("name"), hashing(4));
    c.text = vec![TextOp::Extract {
        pattern: "([a-z".into(),
        group: 1,
    }];
    assert_eq!(bind_error(&c).code(), "BIND_BAD_REGEX");
}

#[test]
fn input_check_reports_the_field_type_or_none_for_an_expression() {
    let s = schema();
    assert_eq!(field("member").check(&s), Ok(Some(FieldType::Category)));
    assert_eq!(expr("fare * 2").check(&s), Ok(None));
    assert_eq!(
        field("survived").check(&s).unwrap_err().code(),
        "BIND_READS_LABEL"
    );
}

#[test]
fn an_expression_column_evaluates_per_row_from_its_fields() {
    let c = column(expr("fare / (sib + 1)"), number());
    let b = c.bind(&schema()).unwrap();
    let mut out = Vec::new();
    b.transform_into(
        &inst("a", Some(30.0), 2.0, "no").values,
        TransformOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, [10.0]);
}
