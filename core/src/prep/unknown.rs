//! Unknown categories: a value a fitted category node (one-hot, ordinal) never saw in
//! training. The node still encodes it (the unknown slot, the unknown code), so a
//! prediction is made; the runtime reports it as an `UNKNOWN_CATEGORY` warning, or rejects
//! it with strict categories. Both name the value and every known category.

use super::{Bound, BoundPreprocessor, Encode, OneHotParams, OrdinalParams, Step};
use crate::instance::Instance;
use crate::{Error, InstanceError, Value};

/// At most this many known categories are listed in one message; a longer list ends with
/// how many more there are.
pub const MAX_LISTED_CATEGORIES: usize = 100;

/// A category value a node has not seen in training.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownCategory {
    /// The input field the value came from (a declared column over an expression: its name).
    pub field: String,
    /// The node's name: its input field, or a declared column's name (`title`).
    pub feature: String,
    /// The value the node read (after a declared column's string stages).
    pub value: String,
    /// Every category the node knows, sorted.
    pub known: Vec<String>,
}

impl UnknownCategory {
    /// The sentence used by warnings and strict errors.
    pub fn describe(&self) -> String {
        let of = if self.feature == self.field {
            String::new()
        } else {
            format!(" of feature `{}`", self.feature)
        };
        format!(
            "{:?} is not a category{of} seen in training (known: {})",
            shown(&self.value),
            list(&self.known)
        )
    }

    /// The strict-mode rejection.
    pub fn into_error(self) -> InstanceError {
        InstanceError::UnknownCategory {
            known: list(&self.known),
            field: self.field,
            value: shown(&self.value),
        }
    }
}

/// A value cut to 100 characters for messages.
fn shown(value: &str) -> String {
    value.chars().take(100).collect()
}

/// The known categories as one comma-separated list, cut after [`MAX_LISTED_CATEGORIES`].
pub(crate) fn list(known: &[String]) -> String {
    let mut out = known
        .iter()
        .take(MAX_LISTED_CATEGORIES)
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if known.len() > MAX_LISTED_CATEGORIES {
        out.push_str(&format!(
            " and {} more",
            known.len() - MAX_LISTED_CATEGORIES
        ));
    }
    out
}

impl OneHotParams {
    /// Whether `value` is a training category (frequent or grouped as infrequent).
    pub fn knows(&self, value: &str) -> bool {
        let find = |list: &[String]| list.binary_search_by(|c| c.as_str().cmp(value)).is_ok();
        find(&self.categories) || find(&self.infrequent)
    }

    /// Every training category, sorted.
    pub fn known(&self) -> Vec<String> {
        let all: Vec<&String> = self.categories.iter().chain(&self.infrequent).collect();
        let order = crate::order::sorted_indices(all.len(), &|a, b| all[a] < all[b]);
        order.into_iter().map(|i| all[i].clone()).collect()
    }

    /// `value` as an unknown category of this node, if it is one (`None`: missing, filled).
    pub(crate) fn unknown(
        &self,
        field: &str,
        feature: &str,
        value: Option<&str>,
    ) -> Option<UnknownCategory> {
        let v = value?;
        (!self.knows(v)).then(|| UnknownCategory {
            field: field.to_string(),
            feature: feature.to_string(),
            value: v.to_string(),
            known: self.known(),
        })
    }
}

impl OrdinalParams {
    /// Whether `value` is a training category.
    pub fn knows(&self, value: &str) -> bool {
        self.categories
            .binary_search_by(|c| c.as_str().cmp(value))
            .is_ok()
    }

    /// `value` as an unknown category of this node, if it is one (`None`: missing).
    pub(crate) fn unknown(
        &self,
        field: &str,
        feature: &str,
        value: Option<&str>,
    ) -> Option<UnknownCategory> {
        let v = value?;
        (!self.knows(v)).then(|| UnknownCategory {
            field: field.to_string(),
            feature: feature.to_string(),
            value: v.to_string(),
            known: self.categories.clone(),
        })
    }
}

/// The feature each category encoder writes an unseen category to, and the value it writes
/// there: a one-hot block's `<unknown>` column (1), an ordinal code's `unknown` value.
pub(super) fn slots(steps: &[Bound]) -> Vec<(usize, f32)> {
    let mut at = 0;
    let mut out = Vec::new();
    for bound in steps {
        let width = match bound {
            Bound::Column(c) => c.width(),
            Bound::Field(_, step) => step.width(),
        };
        match bound {
            Bound::Column(c) => match c.encode() {
                Encode::OneHot(p) => out.push((at + p.width() - 1, 1.0)),
                Encode::Ordinal(p) => out.push((at, p.unknown as f32)),
                _ => {}
            },
            Bound::Field(_, Step::OneHot(p)) => out.push((at + p.width() - 1, 1.0)),
            Bound::Field(..) => {}
        }
        at += width;
    }
    out
}

impl BoundPreprocessor {
    /// Whether the features of one row (as [`BoundPreprocessor::transform_into`] wrote them)
    /// may hold a category not seen in training. `false` is certain: a value no encoder
    /// knows always lands in its unknown slot; `true` asks
    /// [`BoundPreprocessor::unknown_categories`] (a missing value filled with an unseen
    /// category lands there too, and is no unknown category).
    pub fn may_have_unknown(&self, features: &[f32]) -> bool {
        self.unknown_slots
            .iter()
            .any(|&(i, v)| features.get(i).is_none_or(|&x| x == v))
    }

    /// Every value of `instance` that a category node has not seen in training, in feature
    /// order. A node that cannot read its value (an error the transform reports) adds none.
    pub fn unknown_categories(&self, instance: &Instance) -> Vec<UnknownCategory> {
        self.steps
            .iter()
            .filter_map(|bound| match bound {
                Bound::Column(c) => c.unknown(&instance.values),
                Bound::Field(idx, Step::OneHot(p)) => match instance.values.get(*idx) {
                    Some(Value::Text(s)) => p.unknown(&p.field, &p.field, Some(s)),
                    _ => None,
                },
                Bound::Field(..) => None,
            })
            .collect()
    }

    /// Whether [`BoundPreprocessor::unknown_categories`] would report anything.
    pub fn has_unknown_categories(&self, instance: &Instance) -> bool {
        self.steps.iter().any(|bound| match bound {
            Bound::Column(c) => c.has_unknown(&instance.values),
            Bound::Field(idx, Step::OneHot(p)) => {
                matches!(instance.values.get(*idx), Some(Value::Text(s)) if !p.knows(s))
            }
            Bound::Field(..) => false,
        })
    }

    /// With strict categories: the first unknown category as an error.
    pub fn reject_unknown(&self, instance: &Instance) -> Result<(), Error> {
        match self.unknown_categories(instance).into_iter().next() {
            Some(u) => Err(u.into_error().into()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::prep::{ColumnInput, ColumnParams, Encode, Preprocessor, TextOp, TransformOptions};
    use crate::schema::{Field, FieldType, Label, Schema, Task};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("sex", FieldType::Category, false),
                Field::new("name", FieldType::Text, false),
            ],
            label: Label {
                name: "survived".into(),
                task: Task::Regression,
            },
        }
    }

    fn one_hot(field: &str, categories: &[&str]) -> OneHotParams {
        OneHotParams {
            field: field.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            fill: categories[0].into(),
            infrequent: vec![],
        }
    }

    /// `sex` one-hot, and the title inside `name` (a regex extract) one-hot.
    fn bound() -> BoundPreprocessor {
        let title = ColumnParams {
            name: "title".into(),
            input: ColumnInput::Field("name".into()),
            text: vec![TextOp::Extract {
                pattern: r",\s*([^.]+)\.".into(),
                group: 1,
            }],
            boolean: None,
            encode: Encode::OneHot(one_hot("title", &["Miss", "Mr", "Mrs"])),
        };
        Preprocessor {
            steps: vec![
                Step::OneHot(one_hot("sex", &["female", "male"])),
                Step::Column(title),
            ],
        }
        .bind(&schema())
        .expect("binds")
    }

    fn inst(sex: Option<&str>, name: &str) -> Instance {
        Instance {
            values: vec![
                sex.map_or(Value::Missing, |s| Value::Text(s.into())),
                Value::Text(name.into()),
            ],
        }
    }

    #[test]
    fn a_capitalised_category_is_unknown_and_the_message_lists_every_known_one() {
        let b = bound();
        let x = inst(Some("Female"), "Allen, Miss. Elisabeth");
        assert!(b.has_unknown_categories(&x));
        let found = b.unknown_categories(&x);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "sex");
        assert_eq!(
            found[0].describe(),
            r#""Female" is not a category seen in training (known: "female", "male")"#
        );
    }

    #[test]
    fn a_declared_column_names_its_input_field_and_its_feature() {
        let b = bound();
        let x = inst(Some("male"), "Aubart, Mme. Leontine");
        let found = b.unknown_categories(&x);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].field.as_str(), found[0].feature.as_str()),
            ("name", "title")
        );
        assert!(
            found[0]
                .describe()
                .starts_with(r#""Mme" is not a category of feature `title`"#)
        );
    }

    #[test]
    fn known_and_missing_values_are_not_unknown() {
        let b = bound();
        for x in [
            inst(Some("female"), "Allen, Miss. E"),
            inst(None, "no title here"),
        ] {
            assert!(!b.has_unknown_categories(&x));
            assert!(b.unknown_categories(&x).is_empty());
        }
    }

    #[test]
    fn strict_categories_reject_with_the_same_list_in_every_node() {
        let b = bound();
        let strict = TransformOptions {
            strict_categories: true,
            ..TransformOptions::default()
        };
        let e = b
            .transform(&inst(Some("Female"), "Allen, Miss. E"), strict)
            .unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_CATEGORY");
        assert_eq!(e.field(), Some("sex"));
        assert!(
            e.to_string().contains(r#"(known: "female", "male")"#),
            "{e}"
        );
        let e = b
            .transform(&inst(Some("male"), "Aubart, Mme. L"), strict)
            .unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert!(e.to_string().contains(r#""Miss", "Mr", "Mrs""#), "{e}");
    }

    #[test]
    fn long_category_lists_end_with_how_many_more() {
        let known: Vec<String> = (0..MAX_LISTED_CATEGORIES + 7)
            .map(|i| format!("c{i:03}"))
            .collect();
        let text = list(&known);
        assert!(text.ends_with(" and 7 more"), "{text}");
        assert_eq!(text.matches(", ").count(), MAX_LISTED_CATEGORIES - 1);
    }
}
