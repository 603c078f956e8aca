//! Parsing, evaluation and located errors of expressions.

use super::*;

fn eval(src: &str, vals: &[Value]) -> Option<f64> {
    let e = Expr::parse(src).unwrap();
    let refs: Vec<&Value> = vals.iter().collect();
    e.eval(&refs)
}

fn err(src: &str) -> ExprError {
    Expr::parse(src).unwrap_err()
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
fn deep_expressions_evaluate_past_the_inline_stack() {
    // Right-nested: every level keeps a pending left operand on the stack.
    let depth = 30;
    let src = format!("{}1{}", "1 + (".repeat(depth), ")".repeat(depth));
    let e = Expr::parse(&src).unwrap();
    assert!(e.max_stack > INLINE_STACK, "{}", e.max_stack);
    assert_eq!(e.eval(&[]), Some((depth + 1) as f64));
}

#[test]
fn eval_with_reads_values_through_the_callback() {
    let e = Expr::parse("b / (a + b)").unwrap();
    let row = [Value::Number(3.0), Value::Number(1.0)];
    // Slot 0 is `b`, slot 1 is `a`: the callback maps slots to the row's columns.
    let cols = [1usize, 0];
    assert_eq!(e.eval_with(|s| row.get(cols[s])), Some(0.25));
    assert_eq!(e.eval_with(|_| None), None);
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
        let e = err(src).to_string();
        assert!(e.contains(want), "{src:?}: {e}");
    }
    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(err(&deep).to_string().contains("deeper"));
    assert!(Expr::parse(&"a+".repeat(600)).is_err());
}

#[test]
fn a_too_long_expression_spans_the_whole_text() {
    let src = "a+".repeat(600);
    let e = err(&src);
    assert_eq!(
        e,
        ExprError::TooLong {
            len: 1200,
            max: MAX_EXPR_LEN
        }
    );
    assert_eq!((e.code(), e.span()), ("EXPR_TOO_LONG", 0..1200));
}

#[test]
fn an_empty_expression_is_empty_at_offset_zero() {
    let e = err("   ");
    assert_eq!((e.code(), e.span()), ("EXPR_EMPTY", 0..0));
}

#[test]
fn an_unfinished_expression_points_at_its_end() {
    let e = err("a + ");
    assert_eq!((e.code(), e.span()), ("EXPR_UNEXPECTED_END", 4..4));
}

#[test]
fn an_unexpected_token_is_spanned_in_bytes() {
    let e = err("a + * b");
    assert_eq!((e.code(), e.span()), ("EXPR_UNEXPECTED", 4..5));
    let e = err("a bc");
    assert_eq!(e.span(), 2..4);
    assert!(e.to_string().contains("name `bc` at character 3"), "{e}");
}

#[test]
fn an_unexpected_character_after_multibyte_text_has_byte_offset_and_character() {
    // `é` is two bytes: the `%` is byte 7 but character 6.
    let e = err("`éé` % 2");
    let ExprError::Unexpected { at, found } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(found, "`%`");
    assert_eq!((at.offset, at.len, at.character), (7, 1, 6));
}

#[test]
fn a_bad_number_spans_its_text() {
    let e = err("x + 1..2");
    assert_eq!((e.code(), e.span()), ("EXPR_BAD_NUMBER", 4..8));
    assert!(e.to_string().starts_with("`1..2` at character 5"), "{e}");
}

#[test]
fn an_unclosed_quote_points_at_the_quote() {
    let e = err("1 + `total");
    assert_eq!((e.code(), e.span()), ("EXPR_UNCLOSED_QUOTE", 4..5));
}

#[test]
fn an_empty_quoted_name_spans_both_quotes() {
    let e = err("1 + ``");
    assert_eq!((e.code(), e.span()), ("EXPR_EMPTY_NAME", 4..6));
}

#[test]
fn an_unclosed_parenthesis_points_at_it() {
    let e = err("2 * (a + b");
    assert_eq!((e.code(), e.span()), ("EXPR_UNCLOSED_PAREN", 4..5));
}

#[test]
fn nesting_past_the_limit_points_at_the_first_parenthesis_too_many() {
    let ok = format!(
        "{}a{}",
        "(".repeat(MAX_EXPR_DEPTH),
        ")".repeat(MAX_EXPR_DEPTH)
    );
    assert!(Expr::parse(&ok).is_ok());
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    let e = err(&deep);
    let at = MAX_EXPR_DEPTH;
    assert_eq!((e.code(), e.span()), ("EXPR_TOO_DEEP", at..at + 1));
}

#[test]
fn fields_in_first_use_order_with_their_spans() {
    let e = Expr::parse("b / (a + `b`)").unwrap();
    assert_eq!(e.fields(), ["b", "a"]);
    assert_eq!(e.field_span(0).map(|s| s.range()), Some(0..1));
    assert_eq!(e.field_span(1).map(|s| s.range()), Some(5..6));
    let e = Expr::parse("1 + `Total Bill`").unwrap();
    assert_eq!(e.field_span(0).map(|s| s.range()), Some(4..16));
}
