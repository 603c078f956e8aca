//! `POST /explain`: the explanation of each row of a scoring-protocol body, answered by the
//! same code on `tandem serve` and the edge worker.
//!
//! The body is any `/invocations` body (the four JSON formats or CSV) with at most
//! [`MAX_EXPLAIN_ROWS`] rows; its `params` take `strict` and `range` as for a prediction plus
//! `method` (`"auto"`, `"exact"`, `"sampled"`), `permutations` and `seed`. The answer is
//! `{"explanations": [...]}`, one [`explanation_json`] per row; an invalid row fails the
//! request with 400 naming it, as `/invocations` does.

use serde_json::{Map, Value as Json, json};

use super::options::EXPLAIN_OPTIONS;
use super::{Answer, INVOCATIONS, ProtocolError, Serving, Shape, invocations_until, read_request};
use crate::constants::http;
use crate::explain::Explanation;
use crate::prediction::classify_scores;
use crate::schema::Task;
use crate::{Error, Model};

/// The explanation route (`POST`).
pub const EXPLAIN: &str = "/explain";

/// The most rows one `POST /explain` body may hold (each costs up to a million network
/// evaluations).
pub const MAX_EXPLAIN_ROWS: usize = 100;

/// Answer a `POST` to `path` (`/invocations` or `/explain`, as [`super::route`] left it).
pub fn post_until(
    model: &Model,
    path: &str,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
    expired: &dyn Fn() -> bool,
) -> Answer {
    if path == INVOCATIONS {
        invocations_until(model, content_type, body, serving, expired)
    } else {
        explain_until(model, content_type, body, serving, expired)
    }
}

/// Answer one `POST /explain` request; `expired` is asked before each row (a server's
/// timeout stops the work, answering 504).
pub fn explain_until(
    model: &Model,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
    expired: &dyn Fn() -> bool,
) -> Answer {
    let max_rows = serving.max_rows.min(MAX_EXPLAIN_ROWS);
    if let Err(e) = Shape::of(content_type, body).check(max_rows, serving.max_cells) {
        return e.answer();
    }
    match explain(model, content_type, body, expired) {
        Ok(body) => Answer::json(200, body.to_string()),
        Err(e) => e.answer(),
    }
}

fn explain(
    model: &Model,
    content_type: &str,
    body: &[u8],
    expired: &dyn Fn() -> bool,
) -> Result<Json, ProtocolError> {
    let (rows, options) = read_request(model, content_type, body, EXPLAIN_OPTIONS)?;
    let mut explanations = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if expired() {
            return Err(ProtocolError::new(
                504,
                http::TIMEOUT,
                format!(
                    "the explanation took longer than the server's timeout (stopped after {i} of {} rows)",
                    rows.len()
                ),
            ));
        }
        let explained = row
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|x| model.explain(x, options.transform, &options.explain))
            .map_err(|e| refusal(i, &e))?;
        explanations.push(explanation_json(model, &explained));
    }
    Ok(json!({ "explanations": explanations }))
}

/// An instance error names its row; a refused explanation (no background, too costly, an
/// option out of range) is about the request.
fn refusal(index: usize, e: &Error) -> ProtocolError {
    match e {
        Error::Explain(_) => ProtocolError {
            code: Some(e.code()),
            field: e.field().map(str::to_string),
            ..ProtocolError::new(400, http::BAD_REQUEST, e.to_string())
        },
        _ => ProtocolError::row(index, e),
    }
}

/// One explanation as every surface writes it:
/// `{prediction, base, values: {field: ...}, method, background, evaluations}` with
/// `permutations` and `seed` when sampled. For classification `base` and each field's value
/// are `{class: number}` on the probability scale; for regression, numbers in the label's
/// units. `prediction` is the prediction's own JSON.
pub fn explanation_json(model: &Model, e: &Explanation) -> Json {
    let classification = matches!(model.schema().label.task, Task::Classification { .. });
    let per_output = |v: &[f64]| -> Json {
        if classification {
            Json::Object(
                e.outputs
                    .iter()
                    .zip(v)
                    .map(|(c, x)| (c.clone(), json!(x)))
                    .collect(),
            )
        } else {
            json!(v.first().copied().unwrap_or(0.0))
        }
    };
    let prediction = match &model.schema().label.task {
        Task::Classification { classes } => json!(classify_scores(classes, &e.prediction)),
        Task::Regression => json!({ "value": e.prediction.first().copied().unwrap_or(0.0) }),
    };
    let values: Map<String, Json> = e
        .fields
        .iter()
        .zip(&e.values)
        .map(|(f, v)| (f.clone(), per_output(v)))
        .collect();
    let mut out = json!({
        "prediction": prediction,
        "base": per_output(&e.base),
        "values": values,
        "method": if e.exact { "exact" } else { "sampled" },
        "background": e.background,
        "evaluations": e.evaluations,
    });
    if !e.exact {
        out["permutations"] = json!(e.permutations);
        out["seed"] = json!(e.seed);
    }
    out
}
