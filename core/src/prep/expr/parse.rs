//! Lexer and recursive-descent parser of the expression grammar (see [`super`]), producing
//! postfix operations and recording where each token and field name sits in the text.

use super::error::{ExprError, Span};
use super::{Expr, MAX_EXPR_DEPTH, MAX_EXPR_LEN, Op};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(char),
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Name(n) => format!("name `{n}`"),
        Tok::Sym(c) => format!("`{c}`"),
    }
}

/// Parse `source` into postfix operations.
pub(super) fn parse(source: &str) -> Result<Expr, ExprError> {
    if source.len() > MAX_EXPR_LEN {
        return Err(ExprError::TooLong {
            len: source.len(),
            max: MAX_EXPR_LEN,
        });
    }
    let toks = lex(source)?;
    if toks.is_empty() {
        return Err(ExprError::Empty);
    }
    let end = Span {
        offset: source.len(),
        len: 0,
        character: source.chars().count() + 1,
    };
    let mut p = Parser {
        toks,
        pos: 0,
        end,
        out: Expr::default(),
    };
    p.expr(0)?;
    if let Some((at, t)) = p.toks.get(p.pos) {
        return Err(ExprError::Unexpected {
            found: describe(t),
            at: *at,
        });
    }
    p.out.max_stack = stack_depth(&p.out.ops);
    Ok(p.out)
}

/// The deepest the evaluation stack gets running `ops`.
fn stack_depth(ops: &[Op]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for op in ops {
        match op {
            Op::Const(_) | Op::Field(_) => depth += 1,
            Op::Neg => {}
            _ => depth = depth.saturating_sub(1),
        }
        max = max.max(depth);
    }
    max
}

/// Characters of the text with their byte offsets; index `i` is character `i + 1`.
struct Lexer<'s> {
    src: &'s str,
    chars: Vec<(usize, char)>,
    i: usize,
}

impl Lexer<'_> {
    fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.src.len(), |&(b, _)| b)
    }

    fn is(&self, i: usize, f: impl Fn(char) -> bool) -> bool {
        self.chars.get(i).is_some_and(|&(_, c)| f(c))
    }

    /// The span from character `start` to the current position.
    fn span(&self, start: usize) -> Span {
        let offset = self.byte(start);
        Span {
            offset,
            len: self.byte(self.i) - offset,
            character: start + 1,
        }
    }

    fn number(&mut self) -> Result<(Span, Tok), ExprError> {
        let start = self.i;
        while self.is(self.i, |d| d.is_ascii_digit() || d == '.') {
            self.i += 1;
        }
        // Exponent: 1e-3, 2E5.
        if self.is(self.i, |d| d == 'e' || d == 'E') {
            let save = self.i;
            self.i += 1;
            if self.is(self.i, |d| d == '+' || d == '-') {
                self.i += 1;
            }
            if self.is(self.i, |d| d.is_ascii_digit()) {
                while self.is(self.i, |d| d.is_ascii_digit()) {
                    self.i += 1;
                }
            } else {
                self.i = save;
            }
        }
        let at = self.span(start);
        let text = &self.src[at.range()];
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok((at, Tok::Num(n))),
            _ => Err(ExprError::BadNumber {
                text: text.to_string(),
                at,
            }),
        }
    }

    fn name(&mut self) -> (Span, Tok) {
        let start = self.i;
        while self.is(self.i, |d| d.is_ascii_alphanumeric() || d == '_') {
            self.i += 1;
        }
        let at = self.span(start);
        (at, Tok::Name(self.src[at.range()].to_string()))
    }

    fn quoted(&mut self) -> Result<(Span, Tok), ExprError> {
        let start = self.i;
        let close = self.chars[start + 1..]
            .iter()
            .position(|&(_, d)| d == '`')
            .ok_or(ExprError::UnclosedQuote {
                at: Span {
                    offset: self.byte(start),
                    len: 1,
                    character: start + 1,
                },
            })?;
        let name = &self.src[self.byte(start) + 1..self.byte(start + 1 + close)];
        self.i = start + close + 2;
        let at = self.span(start);
        if name.is_empty() {
            return Err(ExprError::EmptyName { at });
        }
        Ok((at, Tok::Name(name.to_string())))
    }
}

fn lex(src: &str) -> Result<Vec<(Span, Tok)>, ExprError> {
    let mut lx = Lexer {
        src,
        chars: src.char_indices().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(&(_, c)) = lx.chars.get(lx.i) {
        if c.is_whitespace() {
            lx.i += 1;
        } else if "+-*/()".contains(c) {
            let start = lx.i;
            lx.i += 1;
            out.push((lx.span(start), Tok::Sym(c)));
        } else if c.is_ascii_digit() || c == '.' {
            out.push(lx.number()?);
        } else if c.is_ascii_alphabetic() || c == '_' {
            out.push(lx.name());
        } else if c == '`' {
            out.push(lx.quoted()?);
        } else {
            let start = lx.i;
            lx.i += 1;
            return Err(ExprError::Unexpected {
                found: format!("`{c}`"),
                at: lx.span(start),
            });
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Span, Tok)>,
    pos: usize,
    end: Span,
    out: Expr,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn expr(&mut self, depth: usize) -> Result<(), ExprError> {
        self.term(depth)?;
        while let Some(Tok::Sym(c @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            self.term(depth)?;
            self.out.ops.push(if c == '+' { Op::Add } else { Op::Sub });
        }
        Ok(())
    }

    fn term(&mut self, depth: usize) -> Result<(), ExprError> {
        self.unary(depth)?;
        while let Some(Tok::Sym(c @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            self.unary(depth)?;
            self.out.ops.push(if c == '*' { Op::Mul } else { Op::Div });
        }
        Ok(())
    }

    fn unary(&mut self, depth: usize) -> Result<(), ExprError> {
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

    fn atom(&mut self, depth: usize) -> Result<(), ExprError> {
        let Some((at, tok)) = self.toks.get(self.pos).cloned() else {
            return Err(ExprError::UnexpectedEnd { at: self.end });
        };
        self.pos += 1;
        match tok {
            Tok::Num(n) => self.out.ops.push(Op::Const(n)),
            Tok::Name(name) => {
                let slot = self.out.slot(name, at);
                self.out.ops.push(Op::Field(slot));
            }
            Tok::Sym('(') => {
                if depth >= MAX_EXPR_DEPTH {
                    return Err(ExprError::TooDeep {
                        max: MAX_EXPR_DEPTH,
                        at,
                    });
                }
                self.expr(depth + 1)?;
                match self.toks.get(self.pos) {
                    Some((_, Tok::Sym(')'))) => self.pos += 1,
                    _ => return Err(ExprError::UnclosedParen { at }),
                }
            }
            other => {
                return Err(ExprError::Unexpected {
                    found: describe(&other),
                    at,
                });
            }
        }
        Ok(())
    }
}
