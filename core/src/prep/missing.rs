//! Which fields accept a missing value: the fitted nodes decide, not whether training
//! happened to see gaps. A field is nullable when every node reading it imputes (or encodes
//! "missing" itself); a field no node reads is nullable too (its value is never used). Every
//! node Tandem fits today imputes; the match below is where a node that cannot must say so.

use super::{Bound, BoundColumn, BoundPreprocessor, Encode, Step};
use crate::schema::Schema;

impl Bound {
    pub(super) fn reads(&self, field: usize) -> bool {
        match self {
            Bound::Field(i, _) => *i == field,
            Bound::Column(c) => c.reads(field),
        }
    }

    fn imputes(&self) -> bool {
        match self {
            // Numeric: the training mean; one-hot: the most frequent category; TF-IDF: an
            // empty document.
            Bound::Field(_, Step::Numeric(_) | Step::OneHot(_) | Step::Tfidf(_)) => true,
            Bound::Field(_, Step::Column(_)) => true,
            Bound::Column(c) => c.imputes(),
        }
    }
}

impl BoundColumn {
    fn imputes(&self) -> bool {
        match self.encode() {
            // Number: its fill; one-hot and ordinal: their fill or unknown slot; hashing and
            // text encoders: no token; datetime: its missing encoding.
            Encode::Number(_)
            | Encode::OneHot(_)
            | Encode::Ordinal(_)
            | Encode::Hashing(_)
            | Encode::Tfidf(_)
            | Encode::Counts { .. }
            | Encode::Datetime(_) => true,
        }
    }
}

impl BoundPreprocessor {
    /// Whether a missing value of schema field `field` is accepted.
    pub fn accepts_missing(&self, field: usize) -> bool {
        self.steps
            .iter()
            .filter(|b| b.reads(field))
            .all(Bound::imputes)
    }

    /// `schema` with each field's `nullable` set by the nodes ([`Self::accepts_missing`]).
    pub fn nullability(&self, mut schema: Schema) -> Schema {
        for (i, f) in schema.fields.iter_mut().enumerate() {
            f.nullable = self.accepts_missing(i);
        }
        schema
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::prep::{NumericParams, Preprocessor, Step};
    use crate::schema::{Field, FieldType, Label, Schema, Task};

    #[test]
    fn a_field_without_gaps_in_training_accepts_missing_because_its_node_imputes() {
        // Training saw no gap in `age` (nullable false), but the node fills with the mean;
        // `unused` is read by no node.
        let schema = Schema {
            fields: vec![
                Field::new("age", FieldType::Number, false),
                Field::new("unused", FieldType::Number, false),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        let prep = Preprocessor {
            steps: vec![Step::Numeric(NumericParams {
                field: "age".into(),
                fill: 30.0,
                mean: 30.0,
                scale: 10.0,
            })],
        };
        let bound = prep.bind(&schema).expect("binds");
        let schema = bound.nullability(schema);
        assert!(schema.fields.iter().all(|f| f.nullable));
    }
}
