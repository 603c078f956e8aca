//! The body of a successful `POST /invocations`: `{"predictions": [...]}`, serialised straight
//! from the batch's scores (no [`crate::Prediction`] per row, no `serde_json::Value`, no
//! copied class name). Its bytes are those of serialising each row's `Prediction` (plus
//! `warnings`) through a `Value`, which the protocol tests check.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::body::Rows;
use crate::Model;
use crate::prediction::ClassOrder;
use crate::prep::TransformOptions;
use crate::schema::Task;

/// Every row of a batch that predicted without error.
pub(super) struct Predictions<'a> {
    model: &'a Model,
    rows: &'a Rows,
    /// The options the rows were predicted with (they decide which findings are warnings).
    options: TransformOptions,
    /// `width` scores per row.
    scores: &'a [f64],
    width: usize,
    /// `None` for regression.
    classes: Option<ClassOrder<'a>>,
}

impl<'a> Predictions<'a> {
    pub(super) fn new(
        model: &'a Model,
        rows: &'a Rows,
        options: TransformOptions,
        scores: &'a [f64],
    ) -> Self {
        let classes = match &model.schema().label.task {
            Task::Classification { classes } => Some(ClassOrder::new(classes)),
            Task::Regression => None,
        };
        Predictions {
            options,
            model,
            rows,
            scores,
            width: model.scores_width(),
            classes,
        }
    }
}

impl Serialize for Predictions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("predictions", &Seq(self))?;
        map.end()
    }
}

struct Seq<'p, 'a>(&'p Predictions<'a>);

impl Serialize for Seq<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut seq = s.serialize_seq(Some(p.rows.len()))?;
        for i in 0..p.rows.len() {
            seq.serialize_element(&Row { p, i })?;
        }
        seq.end()
    }
}

/// One row: `{label, probabilities}` or `{value}`, then `warnings` if any (the keys in the
/// order a JSON object sorts them).
struct Row<'p, 'a> {
    p: &'p Predictions<'a>,
    i: usize,
}

impl Serialize for Row<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.p;
        let scores = p
            .scores
            .get(self.i * p.width..(self.i + 1) * p.width)
            .unwrap_or_default();
        let mut map = s.serialize_map(None)?;
        match &p.classes {
            Some(order) => {
                map.serialize_entry("label", order.label(scores))?;
                map.serialize_entry("probabilities", &order.probabilities(scores))?;
            }
            None => map.serialize_entry("value", &scores.first().copied().unwrap_or(0.0))?,
        }
        if let Some(Ok(instance)) = p.rows.get(self.i)
            && p.model.has_warnings(instance, p.options)
        {
            map.serialize_entry("warnings", &p.model.warnings(instance, p.options))?;
        }
        map.end()
    }
}
