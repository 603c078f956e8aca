//! MLflow's scoring protocol as MLflow's own clients speak it, against `tandem_core::protocol`
//! (what `tandem serve` and the edge worker answer): bare `NaN` / `Infinity` tokens in every
//! JSON format, column batches that lack a field, the plain output shape, and the HTTP
//! methods and CORS headers of every route.

use std::sync::OnceLock;

use serde_json::{Value as Json, json};
use tandem_core::protocol::{self, Answer, Output, Serving};
use tandem_core::runtime::{DenseLayer, DenseNet, EngineChoice};
use tandem_core::schema::Task;
use tandem_core::{Bundle, Model};

fn golden() -> Bundle {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/v1/titanic.tandem");
    Bundle::from_bytes(&std::fs::read(path).expect("golden bundle")).expect("decodes")
}

fn titanic() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_bundle(golden(), EngineChoice::Auto).expect("loads"))
}

/// The golden preprocessing with a one-output linear network (as in `protocol.rs`).
fn regression() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut b = golden();
        let n = b.metadata.model.n_features;
        let net = DenseNet::new(vec![DenseLayer {
            inputs: n,
            outputs: 1,
            relu: false,
            weights: (0..n).map(|i| 0.01 * i as f32).collect(),
            bias: vec![0.5],
        }])
        .expect("network");
        b.schema.label.task = Task::Regression;
        b.metadata.model.n_outputs = 1;
        b.metadata.target = Some(tandem_core::bundle::TargetScaling {
            mean: 30.0,
            scale: 12.5,
        });
        b.dense = Some(net.to_bytes());
        Model::from_bundle(b, EngineChoice::Dense).expect("regression model loads")
    })
}

/// The golden fixture's instances.
fn rows() -> Vec<Json> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/v1/titanic.expected.json");
    let doc: Json =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    doc["instances"].as_array().expect("instances").clone()
}

const FIELDS: [&str; 4] = ["name", "sex", "age", "passengerClass"];

fn post(model: &Model, body: &str) -> Answer {
    protocol::invocations(model, "application/json", body.as_bytes())
}

fn body_of(a: &Answer) -> Json {
    serde_json::from_str(&a.body).expect("JSON body")
}

/// `rows` as a JSON `dataframe_split` text with `age` spelled by `age(i)` (bare tokens
/// cannot be built with `json!`).
fn split_text(rows: &[Json], age: impl Fn(usize) -> String) -> String {
    let data: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "[{}, {}, {}, {}]",
                r["name"],
                r["sex"],
                age(i),
                r["passengerClass"]
            )
        })
        .collect();
    format!(
        r#"{{"dataframe_split": {{"columns": {}, "data": [{}]}}}}"#,
        json!(FIELDS),
        data.join(", ")
    )
}

#[test]
fn nan_tokens_are_missing_values_in_every_json_format_as_mlflow_reads_them() {
    let model = titanic();
    let rows = rows();
    // What null (a missing age) predicts, row by row.
    let nulls: Vec<Json> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["age"] = Json::Null;
            r
        })
        .collect();
    let want = post(model, &json!({ "dataframe_records": nulls }).to_string());
    assert_eq!(want.status, 200, "{}", want.body);
    let records = |key: &str| {
        let texts: Vec<String> = nulls
            .iter()
            .map(|r| r.to_string().replace(r#""age":null"#, r#""age":NaN"#))
            .collect();
        format!(r#"{{"{key}": [{}]}}"#, texts.join(","))
    };
    let columns = {
        let cols: Vec<String> = FIELDS
            .iter()
            .map(|f| {
                let cells: Vec<String> = nulls
                    .iter()
                    .map(|r| {
                        if *f == "age" {
                            "NaN".into()
                        } else {
                            r[f].to_string()
                        }
                    })
                    .collect();
                format!(r#""{f}": [{}]"#, cells.join(","))
            })
            .collect();
        format!(r#"{{"inputs": {{{}}}}}"#, cols.join(","))
    };
    for (what, text) in [
        ("dataframe_split", split_text(&rows, |_| "NaN".into())),
        ("dataframe_records", records("dataframe_records")),
        ("instances", records("instances")),
        ("inputs (records)", records("inputs")),
        ("inputs (columns)", columns),
    ] {
        assert!(text.contains("NaN"), "{what}");
        assert_eq!(post(model, &text), want, "{what}");
    }
}

#[test]
fn infinity_tokens_are_refused_as_not_finite_naming_the_field_and_row() {
    let model = titanic();
    let rows = rows();
    for token in ["Infinity", "-Infinity"] {
        let text = split_text(&rows, |i| {
            if i == 2 {
                token.to_string()
            } else {
                rows[i]["age"].to_string()
            }
        });
        let a = post(model, &text);
        assert_eq!(a.status, 400, "{token}");
        let got = body_of(&a);
        assert_eq!(
            (&got["code"], &got["row"], &got["field"]),
            (&json!("NOT_FINITE"), &json!(3), &json!("age")),
            "{token}"
        );
        assert!(got["message"].as_str().expect("message").contains("finite"));
        let record = format!(
            r#"{{"instances": [{{"name": "A", "sex": "male", "age": {token}, "passengerClass": "1st"}}]}}"#
        );
        assert_eq!(body_of(&post(model, &record))["code"], "NOT_FINITE");
    }
}

#[test]
fn strings_spelling_nan_or_infinity_are_values_not_tokens() {
    let model = titanic();
    // "NaN" in a text field is a name; in a number field it stays a wrong type.
    let named = r#"{"instances": [{"name": "NaN Infinity", "sex": "male", "age": NaN, "passengerClass": "1st"}]}"#;
    assert_eq!(post(model, named).status, 200);
    let typed =
        r#"{"instances": [{"name": "x", "sex": "male", "age": "NaN", "passengerClass": "1st"}]}"#;
    assert_eq!(body_of(&post(model, typed))["code"], "WRONG_TYPE");
    // Anything else stays invalid JSON.
    let bad = post(model, r#"{"instances": [{"age": nan}]}"#);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("invalid JSON body"));
}

#[test]
fn a_column_batch_lacking_fields_is_refused_naming_every_absent_column() {
    let model = titanic();
    let rows = rows();
    let two: Vec<Json> = rows.iter().map(|r| json!([r["name"], r["sex"]])).collect();
    let split = json!({ "dataframe_split": { "columns": ["name", "sex"], "data": two } });
    let inputs = json!({ "inputs": { "name": ["a"], "sex": ["male"] } });
    let want = "2 columns are missing: `age`, `passengerClass`; every field of the model needs a column (null cells for missing values)";
    for (what, answer) in [
        ("dataframe_split", post(model, &split.to_string())),
        ("inputs", post(model, &inputs.to_string())),
        (
            "the CSV body",
            protocol::invocations(model, "text/csv", b"name,sex\na,male\n"),
        ),
    ] {
        let got = body_of(&answer);
        assert_eq!(answer.status, 400, "{what}");
        // A CSV body is read as `tandem predict` reads a file, with the file's wording.
        let want = if what == "the CSV body" {
            "the header has no column for 2 fields: `age`, `passengerClass`; every field of the model needs a column (leave cells empty for missing values)"
        } else {
            want
        };
        assert_eq!(
            got,
            json!({ "error_code": "BAD_REQUEST", "code": "MISSING_FIELD", "field": "age", "message": format!("{what}: {want}") }),
            "{what}"
        );
    }
}

#[test]
fn a_record_without_a_key_is_missing_that_value_in_that_row_only() {
    let model = titanic();
    let rows = rows();
    let mut without: Vec<Json> = rows[..3].to_vec();
    let mut nulled = without.clone();
    without[1].as_object_mut().expect("object").remove("age");
    nulled[1]["age"] = Json::Null;
    let a = post(model, &json!({ "dataframe_records": without }).to_string());
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a,
        post(model, &json!({ "dataframe_records": nulled }).to_string())
    );
}

#[test]
fn plain_output_answers_mlflow_lists_of_labels_or_values() {
    let rows = rows();
    let full = body_of(&post(titanic(), &json!({ "instances": rows }).to_string()));
    let labels: Vec<Json> = full["predictions"]
        .as_array()
        .expect("predictions")
        .iter()
        .map(|p| p["label"].clone())
        .collect();
    let plain = post(
        titanic(),
        &json!({ "instances": rows, "params": { "output": "plain" } }).to_string(),
    );
    let plain = body_of(&plain);
    assert_eq!(plain["predictions"], json!(labels));
    // Nothing is dropped: the rows the full answer warns about are listed by row number.
    let warned: Vec<Json> = full["predictions"]
        .as_array()
        .expect("predictions")
        .iter()
        .enumerate()
        .filter(|(_, p)| p.get("warnings").is_some())
        .map(|(i, _)| json!(i + 1))
        .collect();
    assert!(!warned.is_empty(), "the rows hold an unknown category");
    let listed: Vec<Json> = plain["warnings"]
        .as_array()
        .expect("plain warnings")
        .iter()
        .map(|w| w["row"].clone())
        .collect();
    assert_eq!(listed, warned);
    let full = body_of(&post(
        regression(),
        &json!({ "instances": rows }).to_string(),
    ));
    let values: Vec<Json> = full["predictions"]
        .as_array()
        .expect("predictions")
        .iter()
        .map(|p| p["value"].clone())
        .collect();
    let plain = body_of(&post(
        regression(),
        &json!({ "instances": rows, "params": { "output": "plain" } }).to_string(),
    ));
    assert_eq!(plain["predictions"], json!(values));
}

#[test]
fn a_server_default_output_applies_unless_the_request_says_otherwise() {
    let model = titanic();
    let rows = rows();
    let server = Serving {
        output: Output::Plain,
        ..Serving::default()
    };
    let call = |params: Json| {
        let body = json!({ "instances": rows[..2], "params": params }).to_string();
        body_of(&protocol::invocations_for(
            model,
            "application/json",
            body.as_bytes(),
            &server,
        ))
    };
    assert!(call(json!({}))["predictions"][0].is_string());
    assert!(call(json!({ "output": "full" }))["predictions"][0].is_object());
    let csv = protocol::invocations_for(
        model,
        "text/csv",
        b"name,sex,age,passengerClass\nA,male,30,1st\n",
        &server,
    );
    assert!(body_of(&csv)["predictions"][0].is_string());
}

#[test]
fn plain_output_keeps_warnings_as_a_top_level_list_naming_their_row() {
    let model = titanic();
    let mut rows = rows()[..3].to_vec();
    rows[1]["age"] = json!(1000);
    let full = body_of(&post(model, &json!({ "instances": rows }).to_string()));
    let warning = full["predictions"][1]["warnings"][0].clone();
    assert_eq!(warning["code"], "OUT_OF_RANGE");
    let plain = body_of(&post(
        model,
        &json!({ "instances": rows, "params": { "output": "plain" } }).to_string(),
    ));
    let mut want = warning.clone();
    want["row"] = json!(2);
    assert_eq!(plain["warnings"], json!([want]));
    assert!(plain["predictions"][1].is_string());
    let quiet = body_of(&post(
        model,
        &json!({ "instances": rows[..1], "params": { "output": "plain" } }).to_string(),
    ));
    assert!(quiet.get("warnings").is_none());
}

#[test]
fn head_is_answered_as_get_on_every_get_route() {
    let model = titanic();
    let plain = Serving::default();
    for path in protocol::GET_ROUTES {
        let get = protocol::route(model, "GET", path, 0, &plain).expect("answered");
        assert_eq!(get.status, 200, "{path}");
        assert_eq!(
            protocol::route(model, "HEAD", path, 0, &plain),
            Some(get),
            "{path}"
        );
    }
}

#[test]
fn another_method_on_a_known_path_is_a_405_listing_the_allowed_ones() {
    let model = titanic();
    let plain = Serving::default();
    for (method, path, allow) in [
        ("GET", "/invocations", "POST, OPTIONS"),
        ("HEAD", "/invocations", "POST, OPTIONS"),
        ("PUT", "/invocations", "POST, OPTIONS"),
        ("POST", "/ping", "GET, HEAD, OPTIONS"),
        ("DELETE", "/metadata", "GET, HEAD, OPTIONS"),
    ] {
        let a = protocol::route(model, method, path, 0, &plain).expect("answered");
        assert_eq!(
            (a.status, a.header("allow")),
            (405, Some(allow)),
            "{method} {path}"
        );
        assert_eq!(
            body_of(&a),
            json!({ "error_code": "METHOD_NOT_ALLOWED", "message": format!("{path} does not answer {method}; it answers {allow}") })
        );
    }
}

#[test]
fn options_on_a_known_path_is_a_204_with_allow_and_no_cors_without_a_policy() {
    let model = titanic();
    let plain = Serving::default();
    for (path, allow) in [
        ("/invocations", "POST, OPTIONS"),
        ("/schema", "GET, HEAD, OPTIONS"),
    ] {
        let a = protocol::route(model, "OPTIONS", path, 0, &plain).expect("answered");
        assert_eq!((a.status, a.body.as_str()), (204, ""));
        assert_eq!(a.headers, vec![("allow", allow.to_string())]);
        // No policy: no CORS header, whatever the origin.
        let same = protocol::with_cors(a.clone(), "OPTIONS", Some("https://app.example"), &plain);
        assert_eq!(same, a);
    }
}

#[test]
fn a_cors_policy_answers_preflights_and_marks_answers_for_allowed_origins_only() {
    let model = titanic();
    let origins = vec!["https://app.example".to_string()];
    let listed = Serving {
        cors_origins: &origins,
        ..Serving::default()
    };
    let options = protocol::route(model, "OPTIONS", "/invocations", 0, &listed).expect("204");
    let pre = protocol::with_cors(
        options.clone(),
        "OPTIONS",
        Some("https://app.example"),
        &listed,
    );
    let h = |a: &Answer, n: &str| a.header(n).map(str::to_string);
    assert_eq!(
        h(&pre, "access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(
        h(&pre, "access-control-allow-methods").as_deref(),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        h(&pre, "access-control-allow-headers").as_deref(),
        Some("Content-Type")
    );
    assert_eq!(h(&pre, "access-control-max-age").as_deref(), Some("600"));
    assert_eq!(h(&pre, "vary").as_deref(), Some("Origin"));
    // An answer to the real request carries the origin, not the preflight headers.
    let posted = protocol::with_cors(
        post(model, &json!({ "instances": rows()[..1] }).to_string()),
        "POST",
        Some("https://app.example"),
        &listed,
    );
    assert_eq!(
        h(&posted, "access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    assert!(posted.header("access-control-allow-methods").is_none());
    // Another origin, or none: nothing allowed.
    for origin in [Some("https://evil.example"), None] {
        let other = protocol::with_cors(options.clone(), "OPTIONS", origin, &listed);
        assert!(
            other.header("access-control-allow-origin").is_none(),
            "{origin:?}"
        );
    }
    let star = vec!["*".to_string()];
    let any = Serving {
        cors_origins: &star,
        ..Serving::default()
    };
    let a = protocol::with_cors(options, "OPTIONS", Some("https://x.example"), &any);
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    assert!(a.header("vary").is_none());
}
