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
//! nesting are bounded so a hostile bundle cannot exhaust the stack.

use crate::Value;

/// Longest accepted expression, in bytes.
pub const MAX_EXPR_LEN: usize = 1000;
const MAX_DEPTH: usize = 32;

/// A compiled expression: postfix operations over field slots.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    ops: Vec<Op>,
    fields: Vec<String>,
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(char),
}

impl Expr {
    /// Parse `source`; the error says what is wrong and at which character.
    pub fn parse(source: &str) -> Result<Expr, String> {
        if source.len() > MAX_EXPR_LEN {
            return Err(format!(
                "expression is {} bytes, more than {MAX_EXPR_LEN}",
                source.len()
            ));
        }
        let toks = lex(source)?;
        let mut p = Parser {
            toks,
            pos: 0,
            out: Expr {
                ops: Vec::new(),
                fields: Vec::new(),
            },
        };
        if p.toks.is_empty() {
            return Err("expression is empty".into());
        }
        p.expr(0)?;
        if let Some((at, t)) = p.toks.get(p.pos) {
            return Err(format!(
                "unexpected {} at character {}",
                describe(t),
                at + 1
            ));
        }
        Ok(p.out)
    }

    /// The field names the expression reads, in first-use order, without duplicates.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Evaluate with `values[i]` the value of `fields()[i]`.
    pub fn eval(&self, values: &[&Value]) -> Option<f64> {
        let mut stack: Vec<f64> = Vec::with_capacity(8);
        for op in &self.ops {
            let v = match *op {
                Op::Const(c) => c,
                Op::Field(i) => match values.get(i)? {
                    Value::Number(x) => *x,
                    Value::Bool(b) => f64::from(u8::from(*b)),
                    _ => return None,
                },
                Op::Neg => -stack.pop()?,
                bin => {
                    let b = stack.pop()?;
                    let a = stack.pop()?;
                    match bin {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        _ => a / b,
                    }
                }
            };
            stack.push(v);
        }
        stack.pop().filter(|v| v.is_finite())
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Name(n) => format!("name `{n}`"),
        Tok::Sym(c) => format!("`{c}`"),
    }
}

fn lex(s: &str) -> Result<Vec<(usize, Tok)>, String> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        let pos = s[..at].chars().count();
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push((pos, Tok::Sym(c)));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            while chars
                .get(i)
                .is_some_and(|&(_, d)| d.is_ascii_digit() || d == '.')
            {
                i += 1;
            }
            // Exponent: 1e-3, 2E5.
            if chars.get(i).is_some_and(|&(_, d)| d == 'e' || d == 'E') {
                let save = i;
                i += 1;
                if chars.get(i).is_some_and(|&(_, d)| d == '+' || d == '-') {
                    i += 1;
                }
                if chars.get(i).is_some_and(|&(_, d)| d.is_ascii_digit()) {
                    while chars.get(i).is_some_and(|&(_, d)| d.is_ascii_digit()) {
                        i += 1;
                    }
                } else {
                    i = save;
                }
            }
            let end = chars.get(i).map_or(s.len(), |&(b, _)| b);
            let text = &s[at..end];
            let n: f64 = text
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("`{text}` at character {} is not a number", pos + 1))?;
            out.push((pos, Tok::Num(n)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i;
            while chars
                .get(end)
                .is_some_and(|&(_, d)| d.is_ascii_alphanumeric() || d == '_')
            {
                end += 1;
            }
            let e = chars.get(end).map_or(s.len(), |&(b, _)| b);
            out.push((pos, Tok::Name(s[at..e].to_string())));
            i = end;
        } else if c == '`' {
            let close = chars[i + 1..]
                .iter()
                .position(|&(_, d)| d == '`')
                .ok_or_else(|| format!("unclosed ` at character {}", pos + 1))?;
            let (b, _) = chars[i + 1 + close];
            let name = &s[at + 1..b];
            if name.is_empty() {
                return Err(format!("empty field name at character {}", pos + 1));
            }
            out.push((pos, Tok::Name(name.to_string())));
            i += close + 2;
        } else {
            return Err(format!("unexpected `{c}` at character {}", pos + 1));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    out: Expr,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn expr(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("expression nests deeper than {MAX_DEPTH} levels"));
        }
        self.term(depth)?;
        while let Some(Tok::Sym(c @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            self.term(depth)?;
            self.out.ops.push(if c == '+' { Op::Add } else { Op::Sub });
        }
        Ok(())
    }

    fn term(&mut self, depth: usize) -> Result<(), String> {
        self.unary(depth)?;
        while let Some(Tok::Sym(c @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            self.unary(depth)?;
            self.out.ops.push(if c == '*' { Op::Mul } else { Op::Div });
        }
        Ok(())
    }

    fn unary(&mut self, depth: usize) -> Result<(), String> {
        let mut negations = 0usize;
        while let Some(Tok::Sym('-')) = self.peek() {
            self.pos += 1;
            negations += 1;
        }
        self.atom(depth)?;
        if negations % 2 == 1 {
            self.out.ops.push(Op::Neg);
        }
        Ok(())
    }

    fn atom(&mut self, depth: usize) -> Result<(), String> {
        let Some((at, tok)) = self.toks.get(self.pos).cloned() else {
            return Err("expression ends where a value was expected".into());
        };
        self.pos += 1;
        match tok {
            Tok::Num(n) => self.out.ops.push(Op::Const(n)),
            Tok::Name(name) => {
                let slot = match self.out.fields.iter().position(|f| *f == name) {
                    Some(i) => i,
                    None => {
                        self.out.fields.push(name);
                        self.out.fields.len() - 1
                    }
                };
                self.out.ops.push(Op::Field(slot));
            }
            Tok::Sym('(') => {
                self.expr(depth + 1)?;
                match self.toks.get(self.pos) {
                    Some((_, Tok::Sym(')'))) => self.pos += 1,
                    _ => return Err(format!("`(` at character {} is never closed", at + 1)),
                }
            }
            other => {
                return Err(format!(
                    "unexpected {} at character {}",
                    describe(&other),
                    at + 1
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn eval(src: &str, vals: &[Value]) -> Option<f64> {
        let e = Expr::parse(src).unwrap();
        let refs: Vec<&Value> = vals.iter().collect();
        e.eval(&refs)
    }

    #[test]
    fn precedence_parentheses_and_unary_minus() {
        let n = Value::Number;
        assert_eq!(eval("a + b * 2", &[n(1.0), n(3.0)]), Some(7.0));
        assert_eq!(eval("(a + b) * 2", &[n(1.0), n(3.0)]), Some(8.0));
        assert_eq!(eval("a - b - 1", &[n(10.0), n(3.0)]), Some(6.0));
        assert_eq!(eval("a / b / 2", &[n(8.0), n(2.0)]), Some(2.0));
        assert_eq!(eval("--a * -2", &[n(3.0)]), Some(-6.0));
        assert_eq!(eval("1.5e1 + a", &[n(1.0)]), Some(16.0));
        assert_eq!(eval("`Total Bill` / tip", &[n(10.0), n(2.0)]), Some(5.0));
        assert_eq!(eval("a + a", &[n(2.0)]), Some(4.0));
        assert_eq!(eval("a + b", &[Value::Bool(true), n(1.0)]), Some(2.0));
    }

    #[test]
    fn missing_inputs_and_non_finite_results_are_missing() {
        assert_eq!(
            eval("a / b", &[Value::Number(1.0), Value::Number(0.0)]),
            None
        );
        assert_eq!(eval("a + 1", &[Value::Missing]), None);
        assert_eq!(eval("a + 1", &[Value::Text("x".into())]), None);
    }

    #[test]
    fn errors_say_where() {
        for (src, want) in [
            ("", "empty"),
            ("a +", "ends"),
            ("a + * b", "character 5"),
            ("(a + b", "never closed"),
            ("a b", "character 3"),
            ("a % b", "`%` at character 3"),
            ("`a", "unclosed"),
            ("1..2", "not a number"),
        ] {
            let e = Expr::parse(src).unwrap_err();
            assert!(e.contains(want), "{src:?}: {e}");
        }
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(Expr::parse(&deep).unwrap_err().contains("deeper"));
        assert!(Expr::parse(&"a+".repeat(600)).is_err());
    }

    #[test]
    fn fields_in_first_use_order() {
        let e = Expr::parse("b / (a + b)").unwrap();
        assert_eq!(e.fields(), ["b", "a"]);
    }
}
