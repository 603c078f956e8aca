//! The body of a successful `POST /invocations`: `{"predictions": [...]}`, serialised straight
//! from the batch's scores (no [`crate::Prediction`] per row, no `serde_json::Value`, no
//! copied class name). Its bytes are those of serialising each row's `Prediction` (plus
//! `warnings`) through a `Value`, which the protocol tests check.
//!
//! With [`Output::Plain`] (MLflow's shape, for drop-in clients) each row is its label or its
//! value alone, and the warnings, if any, follow the predictions as a top-level `warnings`
//! list whose entries name their `row` (MLflow clients read `predictions` and ignore the rest).

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::body::Rows;
use super::options::Output;
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
    output: Output,
}

impl<'a> Predictions<'a> {
    pub(super) fn new(
        model: &'a Model,
        rows: &'a Rows,
        options: TransformOptions,
        scores: &'a [f64],
        output: Output,
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
            output,
        }
    }

    fn scores(&self, i: usize) -> &[f64] {
        self.scores
            .get(i * self.width..(i + 1) * self.width)
            .unwrap_or_default()
    }

    /// Whether any row has a warning (plain output lists them apart).
    fn any_warning(&self) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(r, Ok(i) if self.model.has_warnings(i, self.options)))
    }
}

impl Serialize for Predictions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("predictions", &Seq(self))?;
        if self.output == Output::Plain && self.any_warning() {
            map.serialize_entry("warnings", &RowWarnings(self))?;
        }
        map.end()
    }
}

struct Seq<'p, 'a>(&'p Predictions<'a>);

impl Serialize for Seq<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut seq = s.serialize_seq(Some(p.rows.len()))?;
        for i in 0..p.rows.len() {
            match (p.output, &p.classes) {
                (Output::Full, _) => seq.serialize_element(&Row { p, i })?,
                (Output::Plain, Some(order)) => seq.serialize_element(order.label(p.scores(i)))?,
                (Output::Plain, None) => {
                    seq.serialize_element(&p.scores(i).first().copied().unwrap_or(0.0))?;
                }
            }
        }
        seq.end()
    }
}

/// Plain output's warnings: `[{row, code, field, message}, ...]` over every row.
struct RowWarnings<'p, 'a>(&'p Predictions<'a>);

impl Serialize for RowWarnings<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut seq = s.serialize_seq(None)?;
        for (index, r) in p.rows.iter().enumerate() {
            let Ok(instance) = r else { continue };
            let row = crate::error::row_number(index);
            for w in p.model.warnings(instance, p.options) {
                seq.serialize_element(&RowWarning { row, warning: &w })?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct RowWarning<'w> {
    row: usize,
    #[serde(flatten)]
    warning: &'w crate::runtime::Warning,
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
        let scores = p.scores(self.i);
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
