//! The source part of a declared column: its input (a field, or an expression over fields)
//! resolved against a schema, then its string stages and boolean words.
//!
//! This is the per-row hot path of every declared column: a value that no stage changes is
//! borrowed from the instance all the way to the encoder, and an expression is evaluated
//! without a per-row allocation.

use std::borrow::Cow;

use super::ColumnInput;
use crate::prep::expr::Expr;
use crate::prep::text::{BoolParse, CompiledOp, TextOp};
use crate::prep::{BindError, checks};
use crate::schema::{FieldType, Schema};
use crate::{InstanceError, Value};

/// A column's value between its source and its encoder (borrowing the instance's text
/// unless a string stage rewrote it).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Missing (absent, null, unmatched extraction, undefined expression).
    Missing,
    /// A number.
    Num(f64),
    /// A string.
    Str(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    /// The value as a category: text as is, numbers formatted (`1`, `2.5`).
    pub(crate) fn category(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Missing => None,
            Cell::Num(x) => Some(number_text(x)),
            Cell::Str(s) => Some(s),
        }
    }
}

/// A number as a category's text, exactly as `f64`'s `Display` writes it: a boolean's 0 and 1
/// (one-hot over a boolean field, every row) without formatting, whole numbers as integers.
fn number_text<'a>(x: f64) -> Cow<'a, str> {
    if x == 0.0 {
        Cow::Borrowed(if x.is_sign_positive() { "0" } else { "-0" })
    } else if x == 1.0 {
        Cow::Borrowed("1")
    } else if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Cow::Owned((x as i64).to_string())
    } else {
        Cow::Owned(x.to_string())
    }
}

#[derive(Debug, Clone)]
enum BoundInput {
    Field(usize),
    Expr(Expr, Vec<usize>),
}

fn is_string(kind: FieldType) -> bool {
    matches!(kind, FieldType::Text | FieldType::Category)
}

impl ColumnInput {
    /// Check that the inference pipeline can read this input from `schema`: the field is an
    /// input field (not the label), or the expression parses and reads only numeric input
    /// fields. Returns the input field's type (`None` for an expression, which is a number).
    pub fn check(&self, schema: &Schema) -> Result<Option<FieldType>, BindError> {
        let (input, _) = self.resolve(schema)?;
        Ok(match input {
            BoundInput::Field(i) => Some(schema.fields[i].kind),
            BoundInput::Expr(..) => None,
        })
    }

    /// The resolved input and whether it is a string.
    fn resolve(&self, schema: &Schema) -> Result<(BoundInput, bool), BindError> {
        match self {
            ColumnInput::Field(f) => {
                let i = checks::field_index(schema, f, None)?;
                Ok((BoundInput::Field(i), is_string(schema.fields[i].kind)))
            }
            ColumnInput::Expr(src) => {
                let e = Expr::parse(src).map_err(|source| BindError::Expr {
                    expr: src.clone(),
                    source,
                })?;
                let mut idx = Vec::with_capacity(e.fields().len());
                for (f, at) in e.fields_with_spans() {
                    let i = checks::field_index(schema, f, Some(at))?;
                    if is_string(schema.fields[i].kind) {
                        return Err(BindError::NotNumeric {
                            field: f.to_string(),
                            expr: src.clone(),
                            at,
                        });
                    }
                    idx.push(i);
                }
                Ok((BoundInput::Expr(e, idx), false))
            }
        }
    }
}

/// The source part of a column, resolved against a schema (used by fitting too).
#[derive(Debug, Clone)]
pub struct BoundSource {
    pub(super) name: String,
    /// The input field's name when the input is one field (not an expression).
    pub(super) field: Option<String>,
    input: BoundInput,
    string_input: bool,
    ops: Vec<CompiledOp>,
    boolean: Option<BoolParse>,
}

impl BoundSource {
    /// Resolve `input` and compile the string stages.
    pub fn new(
        name: &str,
        input: &ColumnInput,
        text: &[TextOp],
        boolean: Option<&BoolParse>,
        schema: &Schema,
    ) -> Result<BoundSource, BindError> {
        let (input, string_input) = input.resolve(schema)?;
        if !string_input && (!text.is_empty() || boolean.is_some()) {
            return Err(BindError::StringStagesNeedText);
        }
        let ops = text
            .iter()
            .map(TextOp::compile)
            .collect::<Result<Vec<_>, _>>()?;
        let field = match &input {
            BoundInput::Field(i) => Some(schema.fields[*i].name.clone()),
            BoundInput::Expr(..) => None,
        };
        Ok(BoundSource {
            name: name.to_string(),
            field,
            input,
            string_input,
            ops,
            boolean: boolean.cloned(),
        })
    }

    /// Whether this source reads schema field `field`.
    pub(crate) fn reads(&self, field: usize) -> bool {
        match &self.input {
            BoundInput::Field(i) => *i == field,
            BoundInput::Expr(_, idx) => idx.contains(&field),
        }
    }

    /// Whether the value reaching the encoder is a string (else a number).
    pub fn yields_string(&self) -> bool {
        self.string_input && self.boolean.is_none()
    }

    /// The value of this column for one instance.
    pub fn cell<'a>(&self, values: &'a [Value]) -> Result<Cell<'a>, InstanceError> {
        let cell = match &self.input {
            BoundInput::Field(i) => match values.get(*i) {
                None | Some(Value::Missing) => Cell::Missing,
                Some(Value::Number(x)) => Cell::Num(*x),
                Some(Value::Bool(b)) => Cell::Num(f64::from(u8::from(*b))),
                Some(Value::Text(s)) => Cell::Str(Cow::Borrowed(s)),
            },
            BoundInput::Expr(e, idx) => e
                .eval_with(|slot| idx.get(slot).and_then(|&i| values.get(i)))
                .map_or(Cell::Missing, Cell::Num),
        };
        let Cell::Str(mut s) = cell else {
            return Ok(cell);
        };
        for op in &self.ops {
            match op.apply(s) {
                Some(next) => s = next,
                None => return Ok(Cell::Missing),
            }
        }
        match &self.boolean {
            None => Ok(Cell::Str(s)),
            Some(b) => b
                .parse(&s)
                .map(Cell::Num)
                .ok_or_else(|| InstanceError::InvalidValue {
                    field: self.name.clone(),
                    value: s.chars().take(100).collect(),
                    reason: b.describe(),
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn a_number_category_reads_as_display_writes_it() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            42.0,
            -17.0,
            0.5,
            1.25,
            1e15,
            -8.9e15,
            9.5e15,
            1e16,
            1e300,
            1e-7,
            f64::NAN,
            f64::INFINITY,
            3.0e10,
        ] {
            assert_eq!(number_text(x), x.to_string(), "{x}");
        }
    }
}
