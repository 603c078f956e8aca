//! Bad instances and bad options: a `TandemError` with a stable `code`, the `field` it
//! concerns and, in a batch, the row's `index`; never a trap, and the model stays usable.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{GOLDEN, expected, get, js, json, load, thrown};
use crate::Model;

fn model() -> Model {
    load(GOLDEN, None).unwrap()
}

/// The first golden instance with one field replaced (by a JSON value).
fn good_with(field: &str, value: &str) -> JsValue {
    let mut instance = expected()["instances"][0].clone();
    instance[field] = serde_json::from_str(value).unwrap();
    js(&instance.to_string())
}

fn good() -> JsValue {
    js(&expected()["instances"][0].to_string())
}

#[wasm_bindgen_test]
fn something_other_than_an_object_is_not_an_object() {
    let model = model();
    for value in ["null", "\"a string\"", "[1, 2]", "42"] {
        thrown(
            model.predict(&js(value), &JsValue::UNDEFINED),
            "NOT_AN_OBJECT",
            None,
        );
    }
}

#[wasm_bindgen_test]
fn field_errors_name_the_field() {
    let model = model();
    let none = &JsValue::UNDEFINED;
    // A missing value is imputed by the node (no error); a value of no usable type is refused.
    assert!(model.predict(&good_with("sex", "null"), none).is_ok());
    thrown(
        model.predict(&good_with("sex", "[1]"), none),
        "WRONG_TYPE",
        Some("sex"),
    );
    thrown(
        model.predict(&good_with("age", "\"29\""), none),
        "WRONG_TYPE",
        Some("age"),
    );
    thrown(
        model.predict(&good_with("age", "{\"deep\": [1]}"), none),
        "WRONG_TYPE",
        Some("age"),
    );
    let nan = good();
    Reflect::set(&nan, &"age".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    thrown(model.predict(&nan, none), "NOT_FINITE", Some("age"));
}

#[wasm_bindgen_test]
fn options_decide_about_unknown_categories_and_out_of_range_numbers() {
    let model = model();
    let unknown = good_with("passengerClass", "\"9th\"");
    assert!(model.predict(&unknown, &JsValue::UNDEFINED).is_ok());
    thrown(
        model.predict(&unknown, &js(r#"{"strict": true}"#)),
        "UNKNOWN_CATEGORY",
        Some("passengerClass"),
    );
    let old = good_with("age", "200");
    let warned = json(&model.predict(&old, &JsValue::UNDEFINED).unwrap());
    assert_eq!(warned["warnings"][0]["code"], "OUT_OF_RANGE");
    assert_eq!(warned["warnings"][0]["field"], "age");
    thrown(
        model.predict(&old, &js(r#"{"range": "error"}"#)),
        "OUT_OF_RANGE",
        Some("age"),
    );
    thrown(
        model.predict(&old, &js(r#"{"range": "sometimes"}"#)),
        "BAD_OPTION",
        Some("range"),
    );
}

#[wasm_bindgen_test]
fn a_batch_names_the_index_of_its_first_bad_row() {
    let model = model();
    let none = &JsValue::UNDEFINED;
    thrown(model.predict_batch(&good(), none), "NOT_AN_ARRAY", None);
    let good = expected()["instances"][0].to_string();
    let batch = js(&format!(
        r#"[{good}, {{"name": "X"}}, {{"age": "x"}}, null]"#
    ));
    let err = thrown(model.predict_batch(&batch, none), "WRONG_TYPE", Some("age"));
    assert_eq!(get(&err, "index").as_f64(), Some(2.0));
    assert_eq!(
        get(&err, "row").as_f64(),
        Some(3.0),
        "rows are numbered from 1"
    );
    thrown(
        model.predict_batch(&batch, &js(r#"{"errors": "maybe"}"#)),
        "BAD_OPTION",
        Some("errors"),
    );
}

#[wasm_bindgen_test]
fn the_model_still_predicts_after_every_kind_of_error() {
    let model = model();
    let before = json(&model.predict(&good(), &JsValue::UNDEFINED).unwrap());
    for bad in ["null", "[[]]", r#"{"age": "x", "sex": 1}"#] {
        assert!(model.predict(&js(bad), &JsValue::UNDEFINED).is_err());
        assert!(model.predict_batch(&js(bad), &JsValue::UNDEFINED).is_err());
    }
    let after = json(&model.predict(&good(), &JsValue::UNDEFINED).unwrap());
    assert_eq!(before, after);
}
