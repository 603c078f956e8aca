//! The NNEF graph text (`graph.nnef`) checked before tract parses it: one pass outside strings
//! and comments over its bracket nesting, operator characters, statements and invocations.
//!
//! Measured on tract 0.23's loader (debug build; core/tests/hostile_bundles.rs prints the
//! figures): its parser backtracks, so its time grows about 2x per level of parentheses and
//! faster still for unary minus inside them (`-(-(-(…)))`: 8 levels take 1.3 s, 16 plain minus
//! signs 1.7 s), and building the graph is superlinear in statements (10 000 of them: 8 s) and
//! far worse when a name is assigned again (400 times: 1.6 s, 1000: 22 s). Tandem's graphs
//! nest 3 deep, hold no operator characters, about 15 statements plus 6 per layer, and assign
//! every name once, so the defaults of `nnef_nesting`, `nnef_operators` and `nnef_statements`
//! sit just above that, and a name assigned twice (NNEF allows one assignment) is refused.

use std::collections::HashSet;

use crate::Error;
use crate::bundle::{Limit, Limits};
use crate::error::BundleError;

/// The operations Tandem's NNEF graphs (and graphs of the same kind: dense layers,
/// element-wise activations) use; anything else counts against `nnef_foreign_ops`.
const KNOWN_OPS: [&str; 26] = [
    "external",
    "tract_core_external",
    "variable",
    "matmul",
    "linear",
    "add",
    "sub",
    "mul",
    "div",
    "max",
    "min",
    "relu",
    "sigmoid",
    "tanh",
    "exp",
    "log",
    "softmax",
    "neg",
    "copy",
    "tract_core_cast",
    "clamp",
    "select",
    // Shape bookkeeping tract writes around a layer (a network without hidden layers, say).
    "unsqueeze",
    "squeeze",
    "reshape",
    "transpose",
];

/// What one pass over the graph text has counted so far.
struct Scan<'a> {
    text: &'a str,
    limits: &'a Limits,
    part: &'a str,
    depth: u64,
    operators: u64,
    statements: u64,
    foreign: u64,
    /// Names assigned in the current body (`graph` or `fragment`).
    assigned: HashSet<&'a str>,
}

/// Check the graph text `text` (the entry `part`) against `limits`.
pub(super) fn check_graph(text: &str, limits: &Limits, part: &str) -> Result<(), Error> {
    let mut scan = Scan {
        text,
        limits,
        part,
        depth: 0,
        operators: 0,
        statements: 0,
        foreign: 0,
        assigned: HashSet::new(),
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = scan.step(i)?;
    }
    Ok(())
}

impl<'a> Scan<'a> {
    /// Read the token at `i`; the offset after it.
    fn step(&mut self, i: usize) -> Result<usize, Error> {
        let bytes = self.text.as_bytes();
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                return Ok(i
                    + 1
                    + bytes[i + 1..]
                        .iter()
                        .position(|&c| c == b)
                        .map_or(bytes.len() - i - 1, |p| p + 1));
            }
            b'#' => {
                return Ok(i + bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .unwrap_or(bytes.len() - i));
            }
            b'(' | b'[' | b'{' => {
                self.depth += 1;
                self.limits
                    .check(Limit::NnefNesting, self.depth, self.part)?;
            }
            b')' | b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.assigned.clear();
                }
            }
            b';' => {
                self.statements += 1;
                self.limits
                    .check(Limit::NnefStatements, self.statements, self.part)?;
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => return Ok(i + 2),
            b'-' if is_sign(bytes, i) => {}
            b'+' | b'-' | b'*' | b'/' | b'^' | b'!' | b'<' | b'>' | b'|' | b'&' => {
                self.operators += 1;
                self.limits
                    .check(Limit::NnefOperators, self.operators, self.part)?;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => return self.word(i),
            _ => {}
        }
        Ok(i + 1)
    }

    /// The word starting at `start`: an invocation of an operation (foreign or known), a
    /// name assigned in a body, or anything else; the offset after it.
    fn word(&mut self, start: usize) -> Result<usize, Error> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = start;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let word = &text[start..i];
        let i = skip_type_argument(bytes, i);
        if is_invocation(bytes, i) && !is_definition(text, start) && !KNOWN_OPS.contains(&word) {
            self.foreign += 1;
            let at = format!("{} (operation `{word}`)", self.part);
            self.limits
                .check(Limit::NnefForeignOps, self.foreign, &at)?;
        }
        // A statement's name: directly in a body (keyword arguments are deeper), before `=`.
        if self.depth == 1 && is_assignment(bytes, i) && !self.assigned.insert(word) {
            return Err(BundleError::Invalid {
                part: self.part.into(),
                reason: format!(
                    "`{word}` is assigned twice (an NNEF graph assigns each name once; tract's \
                     loader slows down sharply on names assigned again)"
                ),
            }
            .into());
        }
        Ok(i)
    }
}

/// A `-` that is a number's sign: a digit follows, and what precedes is `[`, `(`, `,`, `=`
/// or an exponent's `e` (`1e-5`).
fn is_sign(bytes: &[u8], i: usize) -> bool {
    let next_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
    let exponent = i >= 2
        && matches!(bytes[i - 1], b'e' | b'E')
        && (bytes[i - 2].is_ascii_digit() || bytes[i - 2] == b'.');
    let before = bytes[..i].iter().rev().find(|b| !b.is_ascii_whitespace());
    next_digit && (exponent || matches!(before, Some(b'[' | b'(' | b',' | b'=')))
}

/// Past a type argument right after a word (`variable<scalar>`, `tensor<integer>`): its
/// angle brackets are not comparison operators.
fn skip_type_argument(bytes: &[u8], end: usize) -> usize {
    if bytes.get(end) != Some(&b'<') {
        return end;
    }
    let inner = bytes[end + 1..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'));
    match inner {
        Some(p) if p > 0 && bytes.get(end + 1 + p) == Some(&b'>') => end + p + 2,
        _ => end,
    }
}

/// The first byte after white space from `end`.
fn next_byte(bytes: &[u8], end: usize) -> Option<(usize, u8)> {
    bytes[end..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|p| (end + p, bytes[end + p]))
}

/// Whether the word ending before `end` is invoked: `(` follows.
fn is_invocation(bytes: &[u8], end: usize) -> bool {
    next_byte(bytes, end).is_some_and(|(_, b)| b == b'(')
}

/// Whether the word ending before `end` is assigned: `=` follows, not `==`.
fn is_assignment(bytes: &[u8], end: usize) -> bool {
    next_byte(bytes, end).is_some_and(|(at, b)| b == b'=' && bytes.get(at + 1) != Some(&b'='))
}

/// Whether the word at `start` is the name in `graph name(` or `fragment name(`.
fn is_definition(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end();
    before.ends_with("graph") || before.ends_with("fragment")
}
