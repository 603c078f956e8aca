//! The input schema: which fields an instance has, their types and nullability, and the label.
//!
//! The schema is the only contract between etl_app, ml_app and user_app. It travels inside
//! every bundle and is what a user app builds forms and validates input from.

#[cfg(feature = "fit")]
mod infer;
#[cfg(feature = "fit")]
pub use infer::{
    ColumnSummary, InferConfig, TaskKind, infer_dates, infer_fields, infer_schema, infer_task,
    iso_date_format,
};

use serde::{Deserialize, Serialize};

use crate::json::decode::unit_variant;
use crate::json::{DecodeError, FromJson, Json, Obj};

use crate::Error;

/// The type of a raw field, as users know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// A real number.
    Number,
    /// A whole number.
    Integer,
    /// One of a set of labels (`"1st"`, `"female"`).
    Category,
    /// True or false (`"yes"`/`"no"`, `"true"`/`"false"`, `1`/`0` in CSV).
    Boolean,
    /// Free text (a name, a description).
    Text,
}

impl FieldType {
    /// Human name used in error messages.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Number => "a number",
            FieldType::Integer => "an integer",
            FieldType::Category => "a category (string)",
            FieldType::Boolean => "a boolean",
            FieldType::Text => "a string",
        }
    }
}

/// One input field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The field's name, as in the CSV header or the JSON key.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Whether the value may be absent (null, empty CSV cell).
    pub nullable: bool,
    /// Categories observed in the training data (categorical fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Smallest value observed in the training data (numeric fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value observed in the training data (numeric fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Field {
    /// A field with no observed statistics.
    pub fn new(name: impl Into<String>, kind: FieldType, nullable: bool) -> Self {
        Field {
            name: name.into(),
            kind,
            nullable,
            categories: None,
            min: None,
            max: None,
        }
    }

    /// The range seen in training, `[min, max]`, when both bounds were recorded.
    pub fn range(&self) -> Option<(f64, f64)> {
        self.min.zip(self.max)
    }

    /// The training range when `x` lies outside it; `None` when `x` is inside it or no
    /// range was recorded. The one out-of-range rule: the runtime's warnings and its `clip`
    /// and `error` policies, and `tandem validate`, all ask this.
    pub fn out_of_range(&self, x: f64) -> Option<(f64, f64)> {
        self.range().filter(|&(min, max)| x < min || x > max)
    }

    /// `x` clamped into the training range (as is without one).
    pub fn clamp(&self, x: f64) -> f64 {
        match self.range() {
            // max/min rather than clamp: never panics, even on an inverted range.
            Some((min, max)) => x.max(min).min(max),
            None => x,
        }
    }
}

/// What the model predicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Task {
    /// Pick one of `classes` (sorted, as they appear in the label column).
    Classification {
        /// The class labels, in the order of the model's outputs.
        classes: Vec<String>,
    },
    /// Predict a real value.
    Regression,
}

/// The label column and the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// The label column's name.
    pub name: String,
    /// The task.
    pub task: Task,
}

/// What reading an instance needs of a schema: its input fields. Both a model's [`Schema`]
/// and the etl_app's [`InstanceSchema`] (fields without a label) have them, so every reader
/// takes either.
pub trait FieldSet {
    /// The input fields, in order.
    fn fields(&self) -> &[Field];

    /// The input field named `name`.
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

impl FieldSet for Schema {
    fn fields(&self) -> &[Field] {
        &self.fields
    }
}

/// The etl_app's contract: what an instance must look like, with or without the label a
/// model adds (`tandem schema infer` without `--label` writes one; a model's schema reads as
/// one too). `tandem validate --schema` checks instances against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceSchema {
    /// Input fields, in a stable order.
    pub fields: Vec<Field>,
    /// The label, when the file names one (instances never hold it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

impl FieldSet for InstanceSchema {
    fn fields(&self) -> &[Field] {
        &self.fields
    }
}

impl InstanceSchema {
    /// The checks of [`Schema::validate`]: the fields', and the label's when there is one.
    pub fn validate(&self) -> Result<(), Error> {
        match &self.label {
            Some(label) => Schema {
                fields: self.fields.clone(),
                label: label.clone(),
            }
            .validate(),
            None => check_fields(&self.fields).map(|_| ()),
        }
    }
}

/// Names present and unique, ranges finite and ordered; the names seen.
fn check_fields(fields: &[Field]) -> Result<std::collections::BTreeSet<&str>, Error> {
    let mut seen = std::collections::BTreeSet::new();
    for f in fields {
        if f.name.is_empty() {
            return Err(Error::Schema("a field has an empty name".into()));
        }
        if !seen.insert(f.name.as_str()) {
            return Err(Error::Schema(format!("field `{}` appears twice", f.name)));
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && !(min.is_finite() && max.is_finite() && min <= max)
        {
            return Err(Error::Schema(format!(
                "field `{}` has an invalid range [{min}, {max}]",
                f.name
            )));
        }
    }
    Ok(seen)
}

/// The input schema plus the label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// Input fields, in a stable order.
    pub fields: Vec<Field>,
    /// The label and task.
    pub label: Label,
}

impl Schema {
    /// Check internal consistency: unique names, label not an input, classes present.
    pub fn validate(&self) -> Result<(), Error> {
        let seen = check_fields(&self.fields)?;
        if seen.contains(self.label.name.as_str()) {
            return Err(Error::Schema(format!(
                "label `{}` is also an input field",
                self.label.name
            )));
        }
        if let Task::Classification { classes } = &self.label.task
            && classes.len() < 2
        {
            return Err(Error::Schema(format!(
                "classification label `{}` needs at least 2 classes, found {}",
                self.label.name,
                classes.len()
            )));
        }
        if let Task::Classification { classes } = &self.label.task {
            let mut seen = std::collections::BTreeSet::new();
            // Each class is a key of a prediction's probabilities: two of one name would
            // collapse into one and the label could name either.
            if let Some(c) = classes.iter().find(|c| !seen.insert(c.as_str())) {
                return Err(Error::Schema(format!(
                    "classification label `{}` lists class {c:?} twice",
                    self.label.name
                )));
            }
        }
        Ok(())
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The class labels for classification, or `None` for regression.
    pub fn classes(&self) -> Option<&[String]> {
        match &self.label.task {
            Task::Classification { classes } => Some(classes),
            Task::Regression => None,
        }
    }
}

impl FromJson for FieldType {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        unit_variant(
            value,
            &[
                ("number", FieldType::Number),
                ("integer", FieldType::Integer),
                ("category", FieldType::Category),
                ("boolean", FieldType::Boolean),
                ("text", FieldType::Text),
            ],
        )
    }
}

impl FromJson for Field {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Field {
            name: o.req("name")?,
            kind: o.req("type")?,
            nullable: o.req("nullable")?,
            categories: o.opt("categories")?,
            min: o.opt("min")?,
            max: o.opt("max")?,
        })
    }
}

impl FromJson for Task {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(match o.tag("kind", &["classification", "regression"])? {
            "classification" => Task::Classification {
                classes: o.req("classes")?,
            },
            _ => Task::Regression,
        })
    }
}

impl FromJson for Label {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Label {
            name: o.req("name")?,
            task: o.req("task")?,
        })
    }
}

impl FromJson for Schema {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(Schema {
            fields: o.req("fields")?,
            label: o.req("label")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_decoder_reads_a_schema_as_serde_does() {
        // Schemas are read by serde from users' files and by the tree decoder from bundles.
        for text in [
            r#"{"fields": [{"name": "age", "type": "number", "nullable": true, "min": 0, "max": 80.5},
                {"name": "class", "type": "category", "nullable": false, "categories": ["1st", "2nd"]},
                {"name": "n", "type": "integer", "nullable": false, "min": null, "extra": 1},
                {"name": "ok", "type": "boolean", "nullable": true}, {"name": "t", "type": "text", "nullable": true}],
               "label": {"name": "y", "task": {"kind": "classification", "classes": ["no", "yes"]}}}"#,
            r#"{"label": {"task": {"kind": "regression"}, "name": "y"}, "fields": []}"#,
        ] {
            let ours: Schema = crate::json::decode::from_slice(text.as_bytes()).unwrap();
            let theirs: Schema = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs);
        }
        for bad in [
            r#"{"fields": [{"name": "a", "type": "float", "nullable": true}], "label": {"name": "y", "task": {"kind": "regression"}}}"#,
            r#"{"fields": [{"name": "a", "type": "number"}], "label": {"name": "y", "task": {"kind": "regression"}}}"#,
            r#"{"fields": [], "label": {"name": "y", "task": {"kind": "clustering"}}}"#,
            r#"{"fields": [], "label": {"name": "y", "task": {"kind": "classification"}}}"#,
        ] {
            assert!(
                crate::json::decode::from_slice::<Schema>(bad.as_bytes()).is_err(),
                "{bad}"
            );
            assert!(serde_json::from_str::<Schema>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_must_be_ordered_and_finite() {
        let mut f = Field::new("x", FieldType::Number, false);
        f.min = Some(10.0);
        f.max = Some(0.0);
        let schema = Schema {
            fields: vec![f],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        assert_eq!(schema.validate().unwrap_err().code(), "SCHEMA");
    }

    #[test]
    fn a_class_listed_twice_is_refused() {
        let schema = Schema {
            fields: vec![Field::new("x", FieldType::Number, false)],
            label: Label {
                name: "y".into(),
                task: Task::Classification {
                    classes: vec!["a".into(), "b".into(), "a".into()],
                },
            },
        };
        let e = schema.validate().unwrap_err();
        assert_eq!(e.code(), "SCHEMA");
        assert!(e.to_string().contains("class \"a\" twice"), "{e}");
    }

    #[test]
    fn out_of_range_needs_both_bounds_and_a_value_outside_them() {
        let mut f = Field::new("x", FieldType::Number, false);
        assert_eq!(f.out_of_range(1e9), None, "no range recorded");
        f.min = Some(0.0);
        assert_eq!(f.out_of_range(-1.0), None, "one bound is not a range");
        assert_eq!(f.clamp(-1.0), -1.0);
        f.max = Some(10.0);
        assert_eq!(f.out_of_range(-1.0), Some((0.0, 10.0)));
        assert_eq!(f.out_of_range(11.0), Some((0.0, 10.0)));
        assert_eq!(f.out_of_range(0.0), None, "bounds are inside");
        assert_eq!(f.out_of_range(10.0), None);
        assert_eq!(
            (f.clamp(-1.0), f.clamp(11.0), f.clamp(5.0)),
            (0.0, 10.0, 5.0)
        );
    }
}
