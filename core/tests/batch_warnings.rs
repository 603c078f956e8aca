//! `Model::predict_batch_warned` (what `tandem predict` calls): the same predictions as
//! `predict_batch` and the same warnings as `Model::warnings` on every row, while the
//! category checks run only for rows whose features show an unseen category.

use serde_json::{Value as Json, json};
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::runtime::EngineChoice;
use tandem_core::{Bundle, Instance, Model};

fn titanic() -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/v1/titanic.tandem");
    let bundle = Bundle::from_bytes(&std::fs::read(path).expect("golden bundle")).expect("decodes");
    Model::from_bundle(bundle, EngineChoice::Auto).expect("loads")
}

#[test]
fn warned_batches_predict_and_warn_as_row_by_row() {
    let model = titanic();
    let rows: Vec<Json> = vec![
        json!({"name": "Allen, Miss. Elisabeth", "sex": "female", "age": 29, "passengerClass": "1st"}),
        json!({"name": "Doe, Mr. John", "sex": "robot", "age": 40, "passengerClass": "3rd"}),
        json!({"name": "Roe, Mrs. Jane", "sex": null, "age": 30, "passengerClass": "2nd"}),
        json!({"name": "Old, Mr. Man", "sex": "male", "age": 300, "passengerClass": "4th"}),
        json!({"name": "Bad, Mr. Type", "sex": "male", "age": "old", "passengerClass": "1st"}),
        json!({"name": "Poe, Mr. Edgar", "sex": "male", "age": null, "passengerClass": null}),
        json!({"name": "", "sex": "female", "age": -5, "passengerClass": "5th"}),
    ];
    let instances: Vec<Result<Instance, tandem_core::Error>> = rows
        .iter()
        .map(|r| Instance::from_json(model.schema(), r))
        .collect();
    let mut unknown_rows = 0;
    for strict in [false, true] {
        for range in [RangePolicy::Warn, RangePolicy::Clip, RangePolicy::Error] {
            let options = TransformOptions {
                strict_categories: strict,
                range,
            };
            let plain = model.predict_batch(&instances, options).expect("batch");
            let warned = model
                .predict_batch_warned(&instances, options)
                .expect("batch");
            assert_eq!(warned.len(), instances.len());
            for (i, ((p, w), q)) in warned.iter().zip(&plain).enumerate() {
                let show =
                    |r: &Result<tandem_core::Prediction, tandem_core::Error>| format!("{r:?}");
                assert_eq!(show(p), show(q), "row {i} {options:?}");
                let want = match (&instances[i], q) {
                    (Ok(x), Ok(_)) => model.warnings(x, options),
                    _ => Vec::new(),
                };
                assert_eq!(w, &want, "row {i} {options:?}");
                unknown_rows += usize::from(w.iter().any(|w| w.code == "UNKNOWN_CATEGORY"));
            }
        }
    }
    assert!(
        unknown_rows >= 6,
        "the rows with unseen categories warn: {unknown_rows}"
    );
}
