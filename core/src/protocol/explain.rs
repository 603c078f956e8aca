//! `POST /explain`: the explanation of each row of a scoring-protocol body, answered by the
//! same code on `tandem serve` and the edge worker.
//!
//! The body is any `/invocations` body (the four JSON formats or CSV) with at most
//! [`MAX_EXPLAIN_ROWS`] rows; its `params` take `strict` and `range` as for a prediction plus
//! `method` (`"auto"`, `"exact"`, `"sampled"`), `permutations` and `seed`. The answer is
//! `{"explanations": [...]}`, one [`explanation_json`] per row; an invalid row fails the
//! request with 400 naming it, as `/invocations` does.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::options::EXPLAIN_OPTIONS;
use super::{
    Answer, INVOCATIONS, ProtocolError, Serving, Shape, Watch, invocations_watched, read_request,
};
use crate::constants::http;
use crate::explain::Explanation;
use crate::prediction::{Prediction, classify_scores};
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
    post_watched(
        model,
        path,
        content_type,
        body,
        serving,
        expired,
        &mut |_| {},
    )
}

/// [`post_until`], handing `watch` the rows of every prediction request it answered with
/// predictions (not the explained ones).
pub fn post_watched(
    model: &Model,
    path: &str,
    content_type: &str,
    body: &[u8],
    serving: &Serving,
    expired: &dyn Fn() -> bool,
    watch: &mut Watch<'_>,
) -> Answer {
    if path == INVOCATIONS {
        invocations_watched(model, content_type, body, serving, expired, watch)
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
        Ok(body) => Answer::json(200, body),
        Err(e) => e.answer(),
    }
}

fn explain(
    model: &Model,
    content_type: &str,
    body: &[u8],
    expired: &dyn Fn() -> bool,
) -> Result<String, ProtocolError> {
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
        let explained = match row {
            Ok(x) => model
                .explain(x, options.transform, &options.explain)
                .map_err(|e| refusal(i, &e))?,
            Err(e) => return Err(refusal(i, e)),
        };
        explanations.push(explained);
    }
    let body = Explanations {
        model,
        explanations: &explanations,
    };
    serde_json::to_string(&body).map_err(|e| ProtocolError::bad(e.to_string()))
}

/// An instance error names its row; a refused explanation (no background, too costly, an
/// option out of range, a background row that does not transform) is about the request.
fn refusal(index: usize, e: &Error) -> ProtocolError {
    match e {
        Error::Explain(_) | Error::Schema(_) => ProtocolError {
            code: Some(e.code()),
            field: e.field().map(str::to_string),
            ..ProtocolError::new(400, http::BAD_REQUEST, e.to_string())
        },
        _ => ProtocolError::row(index, e),
    }
}

/// The body of a successful `POST /explain`.
struct Explanations<'a> {
    model: &'a Model,
    explanations: &'a [Explanation],
}

impl Serialize for Explanations<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        let all: Vec<ExplanationJson> = self
            .explanations
            .iter()
            .map(|e| explanation_json(self.model, e))
            .collect();
        map.serialize_entry("explanations", &all)?;
        map.end()
    }
}

/// One explanation as every surface writes it:
/// `{prediction, base, values: {field: ...}, method, background, evaluations}` with
/// `permutations` and `seed` when sampled. For classification `base` and each field's value
/// are `{class: number}` on the probability scale; for regression, numbers in the label's
/// units. `prediction` is the prediction's own JSON.
pub fn explanation_json<'a>(model: &'a Model, e: &'a Explanation) -> ExplanationJson<'a> {
    ExplanationJson {
        classes: match &model.schema().label.task {
            Task::Classification { classes } => Some(classes),
            Task::Regression => None,
        },
        e,
    }
}

/// An [`Explanation`] serialised as [`explanation_json`] says (no intermediate JSON value:
/// the wasm package turns it straight into JavaScript objects).
pub struct ExplanationJson<'a> {
    classes: Option<&'a [String]>,
    e: &'a Explanation,
}

/// Numbers per output: `{class: number}`, or the one number.
struct PerOutput<'a>(Option<&'a [String]>, &'a [f64]);

impl Serialize for PerOutput<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(classes) => {
                let mut map = s.serialize_map(Some(classes.len()))?;
                for (c, x) in classes.iter().zip(self.1) {
                    map.serialize_entry(c, x)?;
                }
                map.end()
            }
            None => s.serialize_f64(self.1.first().copied().unwrap_or(0.0)),
        }
    }
}

/// Every field's values, in schema order.
struct Values<'a>(Option<&'a [String]>, &'a Explanation);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.fields.len()))?;
        for (f, v) in self.1.fields.iter().zip(&self.1.values) {
            map.serialize_entry(f, &PerOutput(self.0, v))?;
        }
        map.end()
    }
}

impl Serialize for ExplanationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, classes) = (self.e, self.classes);
        let mut map = s.serialize_map(None)?;
        match classes {
            Some(c) => map.serialize_entry("prediction", &classify_scores(c, &e.prediction))?,
            None => map.serialize_entry(
                "prediction",
                &Prediction::Value {
                    value: e.prediction.first().copied().unwrap_or(0.0),
                },
            )?,
        }
        map.serialize_entry("base", &PerOutput(classes, &e.base))?;
        map.serialize_entry("values", &Values(classes, e))?;
        map.serialize_entry("method", if e.exact { "exact" } else { "sampled" })?;
        map.serialize_entry("background", &e.background)?;
        map.serialize_entry("evaluations", &e.evaluations)?;
        if !e.exact {
            map.serialize_entry("permutations", &e.permutations)?;
            map.serialize_entry("seed", &e.seed)?;
        }
        map.end()
    }
}
