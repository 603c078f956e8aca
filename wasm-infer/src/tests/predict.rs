//! Predictions of the golden bundle through the exported API: `predict`, `predictBatch`,
//! `predictColumns`, `predictCsv`, `features` and `invocations` all give the recorded results.

use serde_json::Value;
use tandem_core::tolerance::PROBABILITY_ABS;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{GOLDEN, expected, get, js, json, load};
use crate::Model;

fn model() -> Model {
    load(GOLDEN, None).unwrap()
}

/// The fixture's instances as one JS array.
fn instances() -> JsValue {
    js(&expected()["instances"].to_string())
}

/// `got` is the recorded prediction `want`: same label, probabilities within tolerance.
#[track_caller]
fn same_prediction(row: usize, got: &Value, want: &Value) {
    assert_eq!(got["label"], want["label"], "row {row}");
    let want = want["probabilities"].as_object().unwrap();
    let got = got["probabilities"].as_object().unwrap();
    assert_eq!(got.len(), want.len(), "row {row}: the same classes");
    for (class, p) in want {
        let d = (p.as_f64().unwrap() - got[class].as_f64().unwrap()).abs();
        assert!(d <= PROBABILITY_ABS, "row {row} class {class}: off by {d}");
    }
}

#[track_caller]
fn same_predictions(got: &Value) {
    let want = expected()["predictions"].as_array().unwrap().clone();
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), want.len());
    assert!(
        want.len() >= 10,
        "the fixture has enough rows to mean something"
    );
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        same_prediction(i, g, w);
    }
}

#[wasm_bindgen_test]
fn predict_gives_the_recorded_prediction_for_every_golden_instance() {
    let model = model();
    let fixture = expected();
    let rows = fixture["instances"].as_array().unwrap();
    let want = fixture["predictions"].as_array().unwrap();
    for (i, (instance, want)) in rows.iter().zip(want).enumerate() {
        let got = model
            .predict(&js(&instance.to_string()), &JsValue::UNDEFINED)
            .unwrap();
        same_prediction(i, &json(&got), want);
    }
}

#[wasm_bindgen_test]
fn predict_batch_gives_the_recorded_predictions_in_one_call() {
    let got = model()
        .predict_batch(&instances(), &JsValue::UNDEFINED)
        .unwrap();
    same_predictions(&json(&got));
}

#[wasm_bindgen_test]
fn predict_columns_and_predict_csv_agree_with_predict_batch() {
    let model = model();
    let rows = expected()["instances"].as_array().unwrap().clone();
    let fields = ["name", "sex", "age", "passengerClass"];
    let mut columns = serde_json::Map::new();
    for f in fields {
        columns.insert(f.into(), rows.iter().map(|r| r[f].clone()).collect());
    }
    let got = model
        .predict_columns(&js(&Value::Object(columns).to_string()), &JsValue::NULL)
        .unwrap();
    same_predictions(&json(&got));

    let mut csv = fields.join(",") + "\n";
    for r in &rows {
        let cells: Vec<String> = fields
            .iter()
            .map(|f| match &r[*f] {
                Value::String(s) => format!("\"{}\"", s.replace('"', "\"\"")),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        csv += &(cells.join(",") + "\n");
    }
    let got = model.predict_csv(&csv, &JsValue::NULL).unwrap();
    same_predictions(&json(&got));
}

#[wasm_bindgen_test]
fn a_batch_with_errors_returned_predicts_the_good_rows_and_marks_the_bad_one() {
    let model = model();
    let good = expected()["instances"][0].to_string();
    let batch = js(&format!(
        r#"[{good}, {{"name": "X", "age": "old"}}, {good}]"#
    ));
    let got = json(
        &model
            .predict_batch(&batch, &js(r#"{"errors": "return"}"#))
            .unwrap(),
    );
    let want = &expected()["predictions"][0];
    same_prediction(0, &got[0], want);
    same_prediction(2, &got[2], want);
    assert_eq!(got[1]["error"]["code"], "WRONG_TYPE");
    assert_eq!(got[1]["error"]["field"], "age");
    assert_eq!(got[1]["error"]["row"], 2);
}

#[wasm_bindgen_test]
fn features_have_the_width_the_network_expects() {
    let model = model();
    let width = json(&model.metadata().unwrap())["model"]["n_features"]
        .as_u64()
        .unwrap();
    let first = js(&expected()["instances"][0].to_string());
    let f = model.features(&first, &JsValue::UNDEFINED).unwrap();
    assert_eq!(u64::from(f.length()), width);
    assert!(f.to_vec().iter().all(|x| x.is_finite()));
}

#[wasm_bindgen_test]
fn invocations_answer_the_mlflow_protocol_with_the_recorded_predictions() {
    let body = serde_json::json!({ "dataframe_records": expected()["instances"] }).to_string();
    let answer = model()
        .invocations(
            "application/json",
            body.as_bytes(),
            &JsValue::UNDEFINED,
            None,
        )
        .unwrap();
    assert_eq!(get(&answer, "status").as_f64(), Some(200.0));
    let text = get(&answer, "body").as_string().unwrap();
    let reply: Value = serde_json::from_str(&text).unwrap();
    same_predictions(&reply["predictions"]);
}
