//! MLflow's scoring protocol (`tandem_core::protocol`), as `tandem serve` and the edge worker
//! answer it: every input format, `params`, every error body, and the GET routes.
//!
//! The model is the golden v1 titanic bundle (classification); a regression model is made
//! from it by swapping in a one-output dense network.

use std::sync::OnceLock;

use serde_json::{Value as Json, json};
use tandem_core::constants::{MAX_BATCH_ROWS, MAX_BODY_BYTES, MAX_REQUEST_CELLS, MAX_REQUEST_ROWS};
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::protocol::{self, Answer, Serving};
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

/// The golden bundle's preprocessing with a linear one-output network: a regression model.
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

/// The golden fixture's instances (JSON records).
fn rows() -> Vec<Json> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/v1/titanic.expected.json");
    let doc: Json =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    doc["instances"].as_array().expect("instances").clone()
}

fn fields(model: &Model) -> Vec<String> {
    model
        .schema()
        .fields
        .iter()
        .map(|f| f.name.clone())
        .collect()
}

/// What the protocol must answer for `rows`, built the long way: each row through
/// `Model::predict`, serialised through a `serde_json::Value`, with its range warnings.
fn expected(model: &Model, rows: &[Json], options: TransformOptions) -> String {
    let predictions: Vec<Json> = rows
        .iter()
        .map(|r| {
            let inst = model.parse(r).expect("row parses");
            let mut v = serde_json::to_value(model.predict(&inst, options).expect("predicts"))
                .expect("json");
            let warnings = model.warnings(&inst, options);
            if !warnings.is_empty() {
                v["warnings"] = serde_json::to_value(warnings).expect("json");
            }
            v
        })
        .collect();
    json!({ "predictions": predictions }).to_string()
}

fn post(model: &Model, content_type: &str, body: &str) -> Answer {
    protocol::invocations(model, content_type, body.as_bytes())
}

fn post_json(model: &Model, body: &Json) -> Answer {
    post(model, "application/json", &body.to_string())
}

/// The status and parsed body of an error answer.
fn error(answer: &Answer) -> (u16, Json) {
    assert_eq!(answer.content_type, "application/json");
    (
        answer.status,
        serde_json::from_str(&answer.body).expect("an error body is JSON"),
    )
}

fn columns_of(model: &Model, rows: &[Json]) -> Json {
    fields(model)
        .into_iter()
        .map(|f| {
            let col: Vec<Json> = rows.iter().map(|r| r[&f].clone()).collect();
            (f, Json::Array(col))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn split_of(columns: &[String], rows: &[Json]) -> Json {
    let data: Vec<Json> = rows
        .iter()
        .map(|r| Json::Array(columns.iter().map(|c| r[c].clone()).collect()))
        .collect();
    json!({ "dataframe_split": { "columns": columns, "data": data } })
}

fn csv_of(model: &Model, rows: &[Json]) -> String {
    let fields = fields(model);
    let mut out = fields.join(",") + "\n";
    for r in rows {
        let cells: Vec<String> = fields
            .iter()
            .map(|f| match &r[f] {
                Json::Null => String::new(),
                Json::String(s) => format!("\"{}\"", s.replace('"', "\"\"")),
                other => other.to_string(),
            })
            .collect();
        out += &(cells.join(",") + "\n");
    }
    out
}

#[test]
fn every_input_format_answers_the_bytes_of_predicting_each_row() {
    let model = titanic();
    let rows = rows();
    let want = expected(model, &rows, TransformOptions::default());
    let mut reversed = fields(model);
    reversed.reverse();
    let mut with_extra = fields(model);
    with_extra.push("survived".into());
    let bodies = [
        ("dataframe_records", json!({ "dataframe_records": rows })),
        ("instances", json!({ "instances": rows })),
        ("inputs (records)", json!({ "inputs": rows })),
        (
            "inputs (columns)",
            json!({ "inputs": columns_of(model, &rows) }),
        ),
        ("dataframe_split", split_of(&fields(model), &rows)),
        (
            "dataframe_split, columns reversed",
            split_of(&reversed, &rows),
        ),
        (
            "dataframe_split, an extra column",
            split_of(&with_extra, &rows),
        ),
    ];
    for (what, body) in bodies {
        let a = post_json(model, &body);
        assert_eq!(
            (a.status, a.content_type),
            (200, "application/json"),
            "{what}: {}",
            a.body
        );
        assert_eq!(a.body, want, "{what}");
    }
    let mut indexed = split_of(&fields(model), &rows);
    indexed["dataframe_split"]["index"] = json!((0..rows.len()).collect::<Vec<_>>());
    assert_eq!(
        post_json(model, &indexed).body,
        want,
        "dataframe_split with index"
    );
    for ct in ["text/csv", "text/csv; charset=utf-8", "TEXT/CSV"] {
        assert_eq!(post(model, ct, &csv_of(model, &rows)).body, want, "{ct}");
    }
    let charset = post(
        model,
        "application/json; charset=utf-8",
        &json!({ "instances": rows }).to_string(),
    );
    assert_eq!(charset.body, want);
}

#[test]
fn a_repeated_dataframe_split_column_counts_its_last_value_as_an_object_would() {
    let model = titanic();
    let row = rows()[0].clone();
    let mut columns = fields(model);
    columns.push("sex".into());
    let mut data: Vec<Json> = columns.iter().map(|c| row[c].clone()).collect();
    let other = if row["sex"] == "male" {
        "female"
    } else {
        "male"
    };
    *data.last_mut().expect("cell") = json!(other);
    let body = json!({ "dataframe_split": { "columns": columns, "data": [data] } });
    let mut last_wins = row.clone();
    last_wins["sex"] = json!(other);
    assert_eq!(
        post_json(model, &body).body,
        expected(model, &[last_wins], TransformOptions::default())
    );
}

#[test]
fn regression_answers_values_and_out_of_range_numbers_carry_warnings() {
    let model = regression();
    let mut rows = rows();
    rows[1]["age"] = json!(500.0);
    let a = post_json(model, &json!({ "dataframe_records": rows }));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, expected(model, &rows, TransformOptions::default()));
    let doc: Json = serde_json::from_str(&a.body).expect("JSON");
    assert!(doc["predictions"][0]["value"].is_f64());
    assert_eq!(doc["predictions"][1]["warnings"][0]["code"], "OUT_OF_RANGE");
    assert_eq!(doc["predictions"][1]["warnings"][0]["field"], "age");
    assert!(doc["predictions"][0].get("warnings").is_none());
}

#[test]
fn params_set_the_range_policy_and_strict_categories() {
    let model = titanic();
    let mut rows = rows();
    rows[0]["age"] = json!(500.0);
    let clip = post_json(
        model,
        &json!({ "instances": rows, "params": { "range": "clip", "strict": false } }),
    );
    let options = TransformOptions {
        range: RangePolicy::Clip,
        ..TransformOptions::default()
    };
    assert_eq!(clip.body, expected(model, &rows, options));
    assert_ne!(
        clip.body,
        expected(model, &rows, TransformOptions::default())
    );
    let nulls = post_json(
        model,
        &json!({ "instances": rows, "params": { "range": null, "strict": null } }),
    );
    assert_eq!(
        nulls.body,
        expected(model, &rows, TransformOptions::default())
    );
    let no_params = post_json(model, &json!({ "instances": rows, "params": null }));
    assert_eq!(no_params.body, nulls.body);

    let (status, body) = error(&post_json(
        model,
        &json!({ "instances": rows, "params": { "range": "error" } }),
    ));
    assert_eq!(status, 400);
    assert_eq!(
        (&body["code"], &body["row"], &body["field"]),
        (&json!("OUT_OF_RANGE"), &json!(1), &json!("age"))
    );

    rows[0]["age"] = json!(30.0);
    rows[2]["sex"] = json!("§never-seen§");
    let lenient = post_json(model, &json!({ "instances": rows }));
    assert_eq!(lenient.status, 200);
    let (status, body) = error(&post_json(
        model,
        &json!({ "instances": rows, "params": { "strict": true } }),
    ));
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error_code": "BAD_REQUEST",
            "code": "UNKNOWN_CATEGORY",
            "row": 3,
            "field": "sex",
            "message": body["message"],
        })
    );
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .starts_with("row 3: ")
    );
}

#[test]
fn options_follow_one_rule_booleans_are_booleans_and_unknown_keys_are_refused() {
    let model = titanic();
    let rows = rows();
    let cases = [
        (
            json!({ "strict": "yes" }),
            "params: `strict` must be a boolean, found string \"yes\"",
            "strict",
        ),
        (
            json!({ "strict": 1 }),
            "params: `strict` must be a boolean, found number 1",
            "strict",
        ),
        (
            json!({ "range": 3 }),
            "params: `range` must be a string, found number 3",
            "range",
        ),
        (
            json!({ "range": "sometimes" }),
            "params: `range`: range policy must be warn, clip or error, not \"sometimes\"",
            "range",
        ),
        (
            json!({ "temperature": 2 }),
            "params: unknown option `temperature` (known: strict, range, output)",
            "temperature",
        ),
        (
            json!({ "errors": "return" }),
            "params: unknown option `errors` (known: strict, range, output)",
            "errors",
        ),
        (
            json!([true]),
            "params: `params` must be an object, found an array",
            "params",
        ),
    ];
    for (params, message, field) in cases {
        let (status, body) = error(&post_json(
            model,
            &json!({ "instances": rows, "params": params }),
        ));
        assert_eq!(status, 400, "{params}");
        assert_eq!(
            body,
            json!({ "error_code": "BAD_REQUEST", "code": "BAD_OPTION", "field": field, "message": message }),
            "{params}"
        );
    }
}

#[test]
fn every_malformed_body_is_a_400_that_says_what_is_wrong() {
    let model = titanic();
    let rows = rows();
    let names = fields(model);
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "invalid JSON body: "),
        (
            "[1, 2]".into(),
            "the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs",
        ),
        (
            json!({ "params": {} }).to_string(),
            "the body needs one of dataframe_split, dataframe_records, instances, inputs",
        ),
        (
            json!({ "instances": [], "inputs": [] }).to_string(),
            "the body has instances and inputs; exactly one is allowed",
        ),
        (
            json!({ "instances": [], "columns": [] }).to_string(),
            "unknown key `columns`: the body holds one of dataframe_split, dataframe_records, instances, inputs and optionally params",
        ),
        (
            json!({ "instances": {} }).to_string(),
            "`instances` has the wrong shape (see the MLflow scoring protocol)",
        ),
        (
            json!({ "dataframe_split": [] }).to_string(),
            "`dataframe_split` has the wrong shape (see the MLflow scoring protocol)",
        ),
        (
            json!({ "dataframe_split": { "data": [] } }).to_string(),
            "dataframe_split needs `columns` (an array of names)",
        ),
        (
            json!({ "dataframe_split": { "columns": [1], "data": [] } }).to_string(),
            "dataframe_split.columns must be strings",
        ),
        (
            json!({ "dataframe_split": { "columns": names } }).to_string(),
            "dataframe_split needs `data` (an array of rows)",
        ),
        (
            json!({ "dataframe_split": { "columns": names, "data": [{}] } }).to_string(),
            "dataframe_split.data[0] is not an array",
        ),
        (
            json!({ "dataframe_split": { "columns": names, "data": [[1]] } }).to_string(),
            "dataframe_split.data[0] has 1 values for 4 columns",
        ),
    ];
    for (body, message) in &cases {
        let (status, got) = error(&post(model, "application/json", body));
        assert_eq!(status, 400, "{body}");
        assert_eq!(got["error_code"], "BAD_REQUEST", "{body}");
        let m = got["message"].as_str().expect("message");
        assert!(m.starts_with(message), "{body}: {m}");
        assert!(got.get("code").is_none(), "{body}");
    }
    let ragged = format!("{}\n1,2,3,4,5\n", names.join(","));
    let (_, got) = error(&post(model, "text/csv", &ragged));
    // Read as `tandem predict` reads a file: the malformed record is row 1, code CSV.
    assert!(
        got["message"]
            .as_str()
            .expect("message")
            .starts_with("CSV row 1: "),
        "{got}"
    );
    assert_eq!((&got["code"], &got["row"]), (&json!("CSV"), &json!(1)));
    assert_eq!(rows.len(), 14);
}

#[test]
fn an_invalid_row_fails_the_request_naming_its_row_field_and_code() {
    let model = titanic();
    let mut rows = rows();
    rows[1]["age"] = json!("old");
    for body in [
        json!({ "dataframe_records": rows }),
        json!({ "inputs": columns_of(model, &rows) }),
        split_of(&fields(model), &rows),
    ] {
        let (status, got) = error(&post_json(model, &body));
        assert_eq!(status, 400);
        assert_eq!(
            got,
            json!({
                "error_code": "BAD_REQUEST",
                "code": "WRONG_TYPE",
                "row": 2,
                "field": "age",
                "message": "row 2: field `age` expects a number, found string \"old\"",
            })
        );
    }
    let (_, got) = error(&post_json(model, &json!({ "instances": [rows[0], null] })));
    assert_eq!(
        (&got["code"], &got["row"]),
        (&json!("NOT_AN_OBJECT"), &json!(2))
    );
    assert!(got.get("field").is_none());
    let mut csv_rows = self::rows();
    csv_rows[2]["age"] = json!("old");
    let (_, got) = error(&post(model, "text/csv", &csv_of(model, &csv_rows)));
    assert_eq!(
        (&got["code"], &got["row"], &got["field"]),
        (&json!("WRONG_TYPE"), &json!(3), &json!("age"))
    );
}

#[test]
fn columns_must_be_arrays_of_one_length() {
    let model = titanic();
    let rows = rows();
    let mut columns = columns_of(model, &rows);
    columns["age"] = json!([1, 2]);
    let (status, got) = error(&post_json(model, &json!({ "inputs": columns })));
    assert_eq!(status, 400);
    assert_eq!(got["code"], "COLUMN_LENGTH");
    assert_eq!(got["field"], "age");
    columns["age"] = json!(3);
    let (_, got) = error(&post_json(model, &json!({ "inputs": columns })));
    assert_eq!(got["code"], "NOT_AN_ARRAY");
    assert_eq!(got["message"], "inputs: column `age` is not an array");
    // Keys outside the schema are ignored, as in a record; an absent field's column is an
    // error (a_column_batch_lacking_fields_...).
    let mut columns = columns_of(model, &rows);
    columns["survived"] = json!("not even an array");
    assert_eq!(post_json(model, &json!({ "inputs": columns })).status, 200);
    let (_, got) = error(&post_json(model, &json!({ "inputs": {} })));
    assert_eq!(got["code"], "MISSING_FIELD");
}

#[test]
fn a_body_past_the_default_row_or_value_limit_is_413_before_it_is_parsed() {
    let model = titanic();
    let records = format!(
        "{{\"instances\": [{}{{}}]}}",
        "{},".repeat(MAX_REQUEST_ROWS)
    );
    let (status, got) = error(&post(model, "application/json", &records));
    assert_eq!((status, &got["error_code"]), (413, &json!("TOO_MANY_ROWS")));
    assert!(
        got["message"]
            .as_str()
            .unwrap_or("")
            .contains("at most 100000")
    );
    // Ten values per record, fewer records than the row limit.
    let record = format!(
        "{{{}}}",
        (0..10)
            .map(|i| format!("\"f{i}\": 0"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let wide = format!("[{}]", vec![record; MAX_REQUEST_CELLS / 10].join(","));
    let (status, got) = error(&post(
        model,
        "application/json",
        &format!("{{\"instances\": {wide}}}"),
    ));
    assert_eq!(
        (status, &got["error_code"]),
        (413, &json!("TOO_MANY_CELLS"))
    );
    // A CSV body: its records after the header.
    let csv = format!("age\n{}", "1\n".repeat(MAX_REQUEST_ROWS + 1));
    assert_eq!(
        error(&post(model, "text/csv", &csv)).1["error_code"],
        "TOO_MANY_ROWS"
    );
    // Within the limits, the same kind of body is answered.
    let fine = format!("{{\"instances\": [{}{{}}]}}", "{},".repeat(99));
    assert_eq!(post(model, "application/json", &fine).status, 200);
}

#[test]
fn a_batch_past_the_row_limit_is_refused_before_any_row_is_read() {
    // A server whose request limits let more rows through than one batch takes.
    let unbounded = Serving {
        max_rows: usize::MAX,
        max_cells: usize::MAX,
        ..Serving::default()
    };
    let post_json = |body: &Json| {
        protocol::invocations_for(
            titanic(),
            "application/json",
            body.to_string().as_bytes(),
            &unbounded,
        )
    };
    let ages = vec![json!(1); MAX_BATCH_ROWS + 1];
    let (status, got) = error(&post_json(&json!({ "inputs": { "age": ages } })));
    assert_eq!(status, 400);
    assert_eq!(got["code"], "BATCH_TOO_LARGE");
    let data = vec![json!([]); MAX_BATCH_ROWS + 1];
    let (_, got) = error(&post_json(
        &json!({ "dataframe_split": { "columns": [], "data": data } }),
    ));
    assert_eq!(got["code"], "BATCH_TOO_LARGE");
}

#[test]
fn other_media_types_are_a_415() {
    let model = titanic();
    for (ct, shown) in [("text/plain", "\"text/plain\""), ("", "\"(none)\"")] {
        let (status, got) = error(&post(model, ct, "hello"));
        assert_eq!(status, 415);
        assert_eq!(
            got,
            json!({
                "error_code": "UNSUPPORTED_MEDIA_TYPE",
                "message": format!("content type {shown} is not supported; use one of: application/json, text/csv"),
            })
        );
    }
}

#[test]
fn empty_batches_answer_no_predictions() {
    let model = titanic();
    let no_rows: serde_json::Map<String, Json> =
        fields(model).into_iter().map(|f| (f, json!([]))).collect();
    for body in [json!({ "instances": [] }), json!({ "inputs": no_rows })] {
        let a = post_json(model, &body);
        assert_eq!((a.status, a.body.as_str()), (200, r#"{"predictions":[]}"#));
    }
    let header_only = fields(titanic()).join(",") + "\n";
    assert_eq!(
        post(model, "text/csv", &header_only).body,
        r#"{"predictions":[]}"#
    );
}

fn get(model: &Model, path: &str, serving: &Serving) -> Answer {
    protocol::route(model, "GET", path, 0, serving).expect("a GET is always answered")
}

#[test]
fn get_routes_answer_the_model_as_every_server_does() {
    let model = titanic();
    let meta = model.metadata();
    let plain = Serving::default();
    let ping = get(model, "/ping", &plain);
    assert_eq!(
        (ping.status, ping.content_type, ping.body.as_str()),
        (200, "text/plain; charset=utf-8", "")
    );
    let health = get(model, "/health", &plain);
    assert_eq!(
        (health.status, health.content_type),
        (200, "application/json")
    );
    assert_eq!(
        health.body,
        format!(r#"{{"status":"ok","run_id":"{}"}}"#, meta.run_id)
    );
    assert_eq!(
        get(model, "/schema", &plain).body,
        serde_json::to_string(model.schema()).expect("schema")
    );
    assert_eq!(
        get(model, "/metadata", &plain).body,
        serde_json::to_string(meta).expect("metadata")
    );
    let version: Json = serde_json::from_str(&get(model, "/version", &plain).body).expect("JSON");
    assert_eq!(
        version,
        json!({
            "tandem": tandem_core::VERSION,
            "bundle_written_by": meta.tandem_version,
            "run_id": meta.run_id,
            "model": null,
            "model_version": null,
        })
    );
    let served = Serving {
        model: Some("models:/titanic@prod"),
        model_version: Some(3),
        ..Serving::default()
    };
    let version: Json = serde_json::from_str(&get(model, "/version", &served).body).expect("JSON");
    assert_eq!(
        (&version["model"], &version["model_version"]),
        (&json!("models:/titanic@prod"), &json!(3))
    );
    for path in protocol::GET_ROUTES {
        let answer = get(model, path, &plain);
        assert_eq!(answer.status, 200, "{path}");
        // HEAD is answered as GET; the server sends only the headers.
        assert_eq!(
            protocol::route(model, "HEAD", path, 0, &plain),
            Some(answer),
            "{path}"
        );
    }
}

#[test]
fn unknown_paths_are_a_404_whatever_the_method_and_bodies_past_the_limit_a_413() {
    let model = titanic();
    let plain = Serving::default();
    for (method, path) in [
        ("GET", "/nope"),
        ("POST", "/invocation"),
        ("OPTIONS", "/nope"),
        ("GET", "/"),
    ] {
        let (status, body) =
            error(&protocol::route(model, method, path, 0, &plain).expect("answered"));
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({ "error_code": "ENDPOINT_NOT_FOUND", "message": format!("no route for {method} {path}") })
        );
    }
    assert_eq!(
        protocol::route(model, "POST", "/invocations", MAX_BODY_BYTES, &plain),
        None
    );
    let (status, body) = error(
        &protocol::route(model, "POST", "/invocations", MAX_BODY_BYTES + 1, &plain).expect("413"),
    );
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!({ "error_code": "REQUEST_TOO_LARGE", "message": format!("the body is larger than {MAX_BODY_BYTES} bytes") })
    );
    let small = Serving {
        max_body_bytes: 10,
        ..Serving::default()
    };
    assert_eq!(
        protocol::route(model, "POST", "/invocations", 11, &small).map(|a| a.status),
        Some(413)
    );
    assert_eq!(
        protocol::route(model, "POST", "/invocations", 10, &small),
        None
    );
}
