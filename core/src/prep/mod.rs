//! Preprocessing: turn a raw [`Instance`] into the model's feature vector.
//!
//! Each node lives in its own file with its fitted `*Params` (serde data, travelling in the
//! bundle) and its `transform`. Fitting is behind the `fit` feature: the wasm package cannot
//! even compile it, so the inference pipeline can only *apply* state fitted at training time.
//!
//! The [`Preprocessor`] is the shared part of the training and inference pipelines: training
//! calls [`BoundPreprocessor::transform`] on every row before the network sees it, and the runtime
//! calls the very same function natively and in wasm.

mod bind_error;
mod bucketize;
mod categorical;
mod checks;
mod column;
mod datetime;
pub mod expr;
mod hashing;
mod impute;
pub mod limits;
mod minmax;
mod missing;
mod node;
mod number;
#[cfg(feature = "fit")]
mod number_fit;
mod numeric;
mod ordinal;
mod robust;
mod standard;
#[cfg(feature = "fit")]
pub mod stats;
#[cfg(feature = "fit")]
pub mod summary;
mod terms;
mod text;
mod tfidf;
mod unknown;

pub use bind_error::BindError;
pub use bucketize::{BinStrategy, BucketizeParams};
pub use categorical::{OneHotConfig, OneHotParams};
pub use column::{BoundColumn, BoundSource, Cell, ColumnInput, ColumnParams, Encode};
#[cfg(feature = "fit")]
pub use column::{ColumnConfig, ColumnFitError, ColumnFitter, EncodeConfig};
pub use datetime::{DatePart, DateTime, DatetimeParams};
pub use expr::ExprError;
pub use hashing::{HashingParams, murmur3_32};
pub use impute::{ImputeParams, ImputeStrategy};
pub use minmax::MinMaxParams;
pub use number::{Bins, NumberParams, Scale};
#[cfg(feature = "fit")]
pub use number::{BinsConfig, NumberConfig, ScaleKind};
#[cfg(feature = "fit")]
pub use number_fit::NumberFit;
pub use numeric::NumericParams;
pub use ordinal::OrdinalParams;
pub use robust::RobustParams;
pub use standard::StandardParams;
pub use text::{BoolParse, TextOp};
#[cfg(feature = "fit")]
pub use tfidf::TermCounts;
pub use tfidf::{TfidfParams, tokenize};
pub use unknown::{MAX_LISTED_CATEGORIES, UnknownCategory};

use serde::Serialize;

use crate::instance::Instance;
use crate::json::{DecodeError, FromJson, Json, Obj};
use crate::schema::Schema;
use crate::{Error, InstanceError};

/// One fitted, shared preprocessing node applied to one input field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Step {
    /// Numeric impute (mean) + standardize; booleans read as 0/1.
    Numeric(NumericParams),
    /// Categorical impute (most frequent) + one-hot with an explicit unknown slot.
    OneHot(OneHotParams),
    /// Text: TF-IDF over a fitted vocabulary.
    Tfidf(TfidfParams),
    /// A column declared in a pipeline spec: source, string stages, encoder.
    Column(ColumnParams),
}

impl FromJson for Step {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(
            match o.tag("node", &["numeric", "one_hot", "tfidf", "column"])? {
                "numeric" => Step::Numeric(NumericParams::from_json(value)?),
                "one_hot" => Step::OneHot(OneHotParams::from_json(value)?),
                "tfidf" => Step::Tfidf(TfidfParams::from_json(value)?),
                _ => Step::Column(ColumnParams::from_json(value)?),
            },
        )
    }
}

impl Step {
    /// The node's name: its input field, or a declared column's name.
    pub fn field(&self) -> &str {
        match self {
            Step::Numeric(p) => &p.field,
            Step::OneHot(p) => &p.field,
            Step::Tfidf(p) => &p.field,
            Step::Column(p) => &p.name,
        }
    }

    /// Check fitted state that came from a file: what `transform` relies on must hold
    /// (finite non-zero scales, sorted unique category and vocabulary lists, one idf per term).
    /// A declared column is checked against the schema in [`ColumnParams::bind`].
    pub fn check(&self) -> Result<(), BindError> {
        match self {
            Step::Numeric(p) => p.check(),
            Step::OneHot(p) => p.check(),
            Step::Tfidf(p) => checks::vocabulary(&p.vocabulary, Some(&p.idf)),
            Step::Column(_) => Ok(()),
        }
    }

    /// Resolve this node's field in `schema` and check its state.
    fn bind(&self, schema: &Schema) -> Result<Bound, BindError> {
        if let Step::Column(c) = self {
            return Ok(Bound::Column(c.bind(schema)?));
        }
        let idx = checks::field_index(schema, self.field(), None)?;
        self.check()?;
        Ok(Bound::Field(idx, self.clone()))
    }

    /// Number of features this node writes.
    pub fn width(&self) -> usize {
        match self {
            Step::Numeric(_) => 1,
            Step::OneHot(p) => p.width(),
            Step::Tfidf(p) => p.width(),
            Step::Column(p) => p.width(),
        }
    }
}

/// How strictly the runtime treats inputs a fitted node has never seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransformOptions {
    /// Reject unknown categories instead of mapping them to the unknown slot.
    pub strict_categories: bool,
    /// What to do with numbers outside the training range (applied by the runtime's
    /// [`crate::Model`] before transforming; the nodes themselves extrapolate).
    pub range: RangePolicy,
}

/// What the runtime does with a number outside the range seen in training.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RangePolicy {
    /// Use it as is and report a warning.
    #[default]
    Warn,
    /// Clamp it into the training range.
    Clip,
    /// Reject the instance (`OUT_OF_RANGE`).
    Error,
}

impl std::str::FromStr for RangePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warn" => Ok(RangePolicy::Warn),
            "clip" => Ok(RangePolicy::Clip),
            "error" => Ok(RangePolicy::Error),
            other => Err(format!(
                "range policy must be warn, clip or error, not {other:?}"
            )),
        }
    }
}

/// The fitted preprocessing pipeline: one node per used field, in feature order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preprocessor {
    /// The nodes, in the order their features appear in the vector.
    pub steps: Vec<Step>,
}

impl FromJson for Preprocessor {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        Ok(Preprocessor {
            steps: Obj::of(value)?.req("steps")?,
        })
    }
}

impl Preprocessor {
    /// Read `preprocessing.json` as a bundle holds it (what [`Preprocessor`] serialises to),
    /// under the default JSON limits: the bundle loader's own path.
    pub fn from_part(bytes: &[u8]) -> Result<Self, crate::error::BundleError> {
        crate::bundle::read_part(
            crate::bundle::parts::PREPROCESSING,
            bytes,
            &crate::bundle::Limits::default(),
        )
    }

    /// The format a declared datetime column parses `field` with, when one reads the field as
    /// it is (no string stages before it): how a binding writes a date value (a pandas
    /// `datetime64` column) as the text the bundle expects.
    pub fn date_format(&self, field: &str) -> Option<&str> {
        self.steps.iter().find_map(|step| match step {
            Step::Column(ColumnParams {
                input: ColumnInput::Field(f),
                text,
                encode: Encode::Datetime(p),
                ..
            }) if f == field && text.is_empty() => Some(p.format.as_str()),
            _ => None,
        })
    }
}

/// A [`Preprocessor`] resolved against a schema: each node knows its field's index.
#[derive(Debug, Clone)]
pub struct BoundPreprocessor {
    steps: Vec<Bound>,
    width: usize,
    /// Where a category encoder writes a category it has not seen: (feature, value there).
    unknown_slots: Vec<(usize, f32)>,
}

#[derive(Debug, Clone)]
enum Bound {
    Field(usize, Step),
    Column(BoundColumn),
}

impl Preprocessor {
    /// Resolve every node's field in `schema` and check its state; the error
    /// ([`Error::Bind`]) names the first node that does not bind and why.
    pub fn bind(&self, schema: &Schema) -> Result<BoundPreprocessor, Error> {
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(n, step)| {
                step.bind(schema).map_err(|source| Error::Bind {
                    node: n + 1,
                    name: step.field().to_string(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let width = self.steps.iter().map(Step::width).sum();
        let unknown_slots = unknown::slots(&steps);
        Ok(BoundPreprocessor {
            steps,
            width,
            unknown_slots,
        })
    }

    /// The summed width of the nodes, without overflow: what a bundle declares, checked
    /// against the `feature_width` limit before binding or any buffer is sized from it.
    pub fn declared_width(&self) -> u64 {
        self.steps
            .iter()
            .fold(0u64, |sum, step| sum.saturating_add(step.width() as u64))
    }

    /// Names of the output features (`age`, `sex=female`, `sex=<unknown>`).
    pub fn feature_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for step in &self.steps {
            match step {
                Step::Numeric(p) => out.push(p.field.clone()),
                Step::OneHot(p) => p.feature_names(&p.field, &mut out),
                Step::Tfidf(p) => column::term_names(&p.field, &p.vocabulary, &mut out),
                Step::Column(p) => p.feature_names(&mut out),
            }
        }
        out
    }
}

impl BoundPreprocessor {
    /// Length of the feature vector.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Append the feature vector of `instance` to `out`.
    ///
    /// On error nothing is appended.
    pub fn transform_into(
        &self,
        instance: &Instance,
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let start = out.len();
        for bound in &self.steps {
            if let Err(e) = bound.transform_into(&instance.values, options, out) {
                out.truncate(start);
                return Err(e);
            }
        }
        Ok(())
    }

    /// The feature vector of `instance`.
    pub fn transform(
        &self,
        instance: &Instance,
        options: TransformOptions,
    ) -> Result<Vec<f32>, InstanceError> {
        let mut out = Vec::with_capacity(self.width);
        self.transform_into(instance, options, &mut out)?;
        Ok(out)
    }
}

/// Settings for fitting the default node set.
#[cfg(feature = "fit")]
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    /// A text term must appear in at least this many training rows.
    pub text_min_df: usize,
    /// Keep at most this many text terms per field (most frequent first).
    pub text_max_features: Option<usize>,
}

#[cfg(feature = "fit")]
impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            text_min_df: 2,
            text_max_features: Some(100),
        }
    }
}

#[cfg(feature = "fit")]
mod fit {
    use super::*;
    use crate::Value;
    use crate::schema::FieldType;

    impl Preprocessor {
        /// Fit one node per usable field on the training rows only.
        ///
        /// Numbers, integers and booleans get impute(mean) + standardize; categories get
        /// impute(most frequent) + one-hot with an unknown slot; text gets TF-IDF over the
        /// terms found in at least `text_min_df` rows (the `text_max_features` most frequent);
        /// a text field with no such term writes no feature.
        pub fn fit(schema: &Schema, train: &[Instance]) -> Preprocessor {
            Self::fit_with(schema, train, &FitConfig::default())
        }

        /// [`Preprocessor::fit`] with explicit settings.
        pub fn fit_with(schema: &Schema, train: &[Instance], config: &FitConfig) -> Preprocessor {
            let mut steps = Vec::new();
            for (idx, field) in schema.fields.iter().enumerate() {
                let column = train
                    .iter()
                    .map(|i| i.values.get(idx).unwrap_or(&Value::Missing));
                match field.kind {
                    FieldType::Number | FieldType::Integer | FieldType::Boolean => {
                        let values: Vec<Option<f64>> = column.map(numeric::as_f64).collect();
                        steps.push(Step::Numeric(NumericParams::fit(&field.name, &values)));
                    }
                    FieldType::Category => {
                        let values: Vec<Option<&str>> = column
                            .map(|v| match v {
                                Value::Text(s) => Some(s.as_str()),
                                _ => None,
                            })
                            .collect();
                        steps.push(Step::OneHot(OneHotParams::fit(&field.name, &values)));
                    }
                    FieldType::Text => {
                        let docs: Vec<Option<&str>> = column
                            .map(|v| match v {
                                Value::Text(s) => Some(s.as_str()),
                                _ => None,
                            })
                            .collect();
                        let p = TfidfParams::fit(
                            &field.name,
                            &docs,
                            config.text_min_df,
                            config.text_max_features,
                        );
                        if p.width() > 0 {
                            steps.push(Step::Tfidf(p));
                        }
                    }
                }
            }
            Preprocessor { steps }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Field, FieldType, Label, Task};

    #[test]
    fn bind_rejects_fitted_state_transform_cannot_use() {
        let schema = Schema {
            fields: vec![
                Field::new("x", FieldType::Number, true),
                Field::new("c", FieldType::Category, true),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        let numeric = |scale| {
            Step::Numeric(NumericParams {
                field: "x".into(),
                fill: 0.0,
                mean: 0.0,
                scale,
            })
        };
        assert!(
            Preprocessor {
                steps: vec![numeric(1.0)]
            }
            .bind(&schema)
            .is_ok()
        );
        for bad in [0.0, f64::NAN, f64::INFINITY] {
            let e = Preprocessor {
                steps: vec![numeric(bad)],
            }
            .bind(&schema)
            .unwrap_err();
            assert_eq!(e.code(), "SCHEMA");
        }
        let unsorted = Step::OneHot(OneHotParams {
            field: "c".into(),
            categories: vec!["b".into(), "a".into()],
            fill: "a".into(),
            infrequent: vec![],
        });
        assert!(
            Preprocessor {
                steps: vec![unsorted]
            }
            .bind(&schema)
            .is_err()
        );
    }

    #[test]
    fn bind_names_the_node_and_the_rule_it_breaks() {
        let schema = Schema {
            fields: vec![Field::new("x", FieldType::Number, true)],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        let numeric = |field: &str| {
            Step::Numeric(NumericParams {
                field: field.into(),
                fill: 0.0,
                mean: 0.0,
                scale: 1.0,
            })
        };
        let e = Preprocessor {
            steps: vec![numeric("x"), numeric("y")],
        }
        .bind(&schema)
        .unwrap_err();
        let want = Error::Bind {
            node: 2,
            name: "y".into(),
            source: BindError::ReadsLabel {
                field: "y".into(),
                at: None,
            },
        };
        assert_eq!(e, want);
        assert_eq!(
            e.to_string(),
            "preprocessing node 2 (`y`) is invalid: reads `y`, the label: the inference pipeline never sees it"
        );
        assert_eq!(e.clone().in_bundle().code(), "BUNDLE_INVALID");
    }
}
