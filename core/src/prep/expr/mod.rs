//! Derived numeric columns: a small arithmetic expression over input fields.
//!
//! Grammar (whitespace ignored):
//!
//! ```text
//! expr  := term (('+' | '-') term)*
//! term  := unary (('*' | '/') unary)*
//! unary := '-' unary | atom
//! atom  := number | name | '`' any text but '`' '`' | '(' expr ')'
//! name  := [A-Za-z_][A-Za-z0-9_]*
//! ```
//!
//! For example `fare / (siblings + parents + 1)` or `` `Total Bill` - tip ``. Booleans read as
//! 0/1. The result is *missing* when any field it reads is missing, or when it is not finite
//! (a division by zero), so the column's imputer decides what the model sees.
//!
//! The expression travels in the bundle as its source text and is compiled when the bundle is
//! loaded: it is data (a fixed grammar, no names but field names), never code. Length and
//! nesting are bounded so a hostile bundle cannot exhaust the stack. A parse error is an
//! [`ExprError`] carrying the byte [`Span`] of the problem.

mod error;
mod parse;

pub use error::{ExprError, Span};

use crate::Value;

/// Longest accepted expression, in bytes.
pub const MAX_EXPR_LEN: usize = 1000;

/// Deepest accepted nesting of parentheses.
pub const MAX_EXPR_DEPTH: usize = 32;

/// Evaluation stack kept on the machine stack; deeper expressions use a heap buffer.
const INLINE_STACK: usize = 16;

/// A compiled expression: postfix operations over field slots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expr {
    ops: Vec<Op>,
    fields: Vec<String>,
    /// Where each field is first read, parallel to `fields`.
    spans: Vec<Span>,
    max_stack: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(f64),
    Field(usize),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
}

impl Expr {
    /// Parse `source`; the error says what is wrong and where.
    pub fn parse(source: &str) -> Result<Expr, ExprError> {
        parse::parse(source)
    }

    /// The field names the expression reads, in first-use order, without duplicates.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Where `fields()[slot]` is first read in the source.
    pub fn field_span(&self, slot: usize) -> Option<Span> {
        self.spans.get(slot).copied()
    }

    /// Each field read with where it is first read, in first-use order.
    pub fn fields_with_spans(&self) -> impl Iterator<Item = (&str, Span)> {
        self.fields
            .iter()
            .map(String::as_str)
            .zip(self.spans.iter().copied())
    }

    /// The slot of `name`, added on first use.
    fn slot(&mut self, name: String, at: Span) -> usize {
        match self.fields.iter().position(|f| *f == name) {
            Some(i) => i,
            None => {
                self.fields.push(name);
                self.spans.push(at);
                self.fields.len() - 1
            }
        }
    }

    /// Evaluate with `values[i]` the value of `fields()[i]`.
    pub fn eval(&self, values: &[&Value]) -> Option<f64> {
        self.eval_with(|slot| values.get(slot).copied())
    }

    /// Evaluate with `value(i)` the value of `fields()[i]` (`None`: missing), without
    /// allocating for expressions of ordinary depth.
    pub fn eval_with<'v>(&self, value: impl Fn(usize) -> Option<&'v Value>) -> Option<f64> {
        if self.max_stack <= INLINE_STACK {
            self.run(&mut [0.0; INLINE_STACK], value)
        } else {
            self.run(&mut vec![0.0; self.max_stack], value)
        }
    }

    fn run<'v>(
        &self,
        stack: &mut [f64],
        value: impl Fn(usize) -> Option<&'v Value>,
    ) -> Option<f64> {
        let mut top = 0usize;
        for op in &self.ops {
            let pushed = match *op {
                Op::Const(c) => c,
                Op::Field(i) => match value(i)? {
                    Value::Number(x) => *x,
                    Value::Bool(b) => f64::from(u8::from(*b)),
                    _ => return None,
                },
                Op::Neg => {
                    let x = stack.get_mut(top.checked_sub(1)?)?;
                    *x = -*x;
                    continue;
                }
                bin => {
                    top = top.checked_sub(2)?;
                    let (a, b) = (*stack.get(top)?, *stack.get(top + 1)?);
                    match bin {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        _ => a / b,
                    }
                }
            };
            *stack.get_mut(top)? = pushed;
            top += 1;
        }
        stack
            .get(top.checked_sub(1)?)
            .copied()
            .filter(|v| v.is_finite())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
