//! The `instances` kind in this process: one instance to `Model::predict`, or a body to the
//! scoring protocol; then the model's good instance must give the answer it gave first.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value as Json;
use tandem_core::protocol::{self, CallOptions, PREDICT_OPTIONS};
use tandem_core::{Instance, Model};

use super::corpus::{self, s};

/// One in-process test at a time: the allocator's peak is global.
pub fn lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Each model the cases name, loaded once, with its good instance's first answer.
#[derive(Default)]
pub struct Models {
    loaded: HashMap<String, (Model, Json, String)>,
}

impl Models {
    pub fn get(&mut self, case: &Json) -> &Model {
        let name = s(case, "model").unwrap_or("iris").to_string();
        &self
            .loaded
            .entry(name.clone())
            .or_insert_with(|| {
                let model = Model::load(&corpus::read(&corpus::model_path(case))).unwrap();
                let good = corpus::good_instance(&name);
                let answer = predict_json(&model, &good);
                (model, good, answer)
            })
            .0
    }

    /// The good instance on the same `Model` still gives its first answer.
    pub fn check_good(&self, case: &Json) {
        let (model, good, answer) = &self.loaded[s(case, "model").unwrap_or("iris")];
        assert_eq!(
            &predict_json(model, good),
            answer,
            "{}",
            s(case, "name").unwrap()
        );
    }
}

/// A prediction as JSON text (bit-exact numbers).
pub fn predict_json(model: &Model, instance: &Json) -> String {
    let inst = Instance::from_json(model.schema(), instance).unwrap();
    let p = model.predict(&inst, Default::default()).unwrap();
    serde_json::to_string(&p).unwrap()
}

/// What a case gave: its code, the message, the HTTP status and the row (protocol cases).
pub type Got = (String, String, Option<u64>, Option<Json>);

pub fn run(model: &Model, case: &Json, bytes: Vec<u8>) -> Got {
    match s(case, "mode").unwrap() {
        "predict" => predict(model, case, &bytes),
        "invocations" => invocations(model, case, &bytes),
        other => panic!("mode {other}"),
    }
}

fn predict(model: &Model, case: &Json, bytes: &[u8]) -> Got {
    let options_json = match s(case, "options_json") {
        Some(t) => Some(serde_json::from_str::<Json>(t).unwrap()),
        None => case.get("options").cloned(),
    };
    let options = match CallOptions::from_json(options_json.as_ref(), "options", PREDICT_OPTIONS) {
        Ok(o) => o,
        Err(e) => return (e.code().to_string(), e.to_string(), None, None),
    };
    let json: Json = serde_json::from_slice(bytes).expect("a predict case is valid JSON");
    let result = Instance::from_json(model.schema(), &json)
        .and_then(|inst| model.predict(&inst, options.transform));
    match result {
        Ok(p) => (
            "(predicted)".into(),
            serde_json::to_string(&p).unwrap(),
            None,
            None,
        ),
        Err(e) => (e.code().to_string(), e.to_string(), None, None),
    }
}

fn invocations(model: &Model, case: &Json, bytes: &[u8]) -> Got {
    let answer = protocol::invocations(model, s(case, "content_type").unwrap_or(""), bytes);
    if answer.status == 200 {
        return ("(predicted)".into(), answer.body, Some(200), None);
    }
    let body: Json = serde_json::from_str(&answer.body).unwrap();
    let code = body
        .get("code")
        .or_else(|| body.get("error_code"))
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    (
        code,
        answer.body.clone(),
        Some(u64::from(answer.status)),
        body.get("row").cloned(),
    )
}
