//! The expression target: the derived-column grammar (`tandem_core::prep::expr`), its error
//! spans, and evaluation.

use tandem_core::Value;
use tandem_core::prep::expr::Expr;

/// Values an expression's fields take in turn (missing, booleans, numbers at the edges).
const VALUES: [fn() -> Value; 7] = [
    || Value::Number(2.5),
    || Value::Number(0.0),
    || Value::Number(-1e308),
    || Value::Bool(true),
    || Value::Missing,
    || Value::Number(f64::MAX),
    || Value::Text("7".into()),
];

/// Expression text (not UTF-8: nothing to do, as specs and bundles are UTF-8).
///
/// Every span the parser reports must be a range of the text on character boundaries:
/// `tandem train` slices the spec with it to point at the error.
pub fn expression(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    match Expr::parse(source) {
        Err(e) => {
            let span = e.span();
            assert!(
                source.get(span.clone()).is_some(),
                "error span {span:?} is not a range of the {}-byte text",
                source.len()
            );
            let _ = e.to_string();
        }
        Ok(expr) => {
            for (name, span) in expr.fields_with_spans() {
                assert!(
                    source.get(span.range()).is_some(),
                    "span {span:?} of field `{name}` is not a range of the text"
                );
            }
            let n = expr.fields().len();
            for shift in 0..VALUES.len() {
                let values: Vec<Value> = (0..n)
                    .map(|i| VALUES[(i + shift) % VALUES.len()]())
                    .collect();
                let refs: Vec<&Value> = values.iter().collect();
                let _ = expr.eval(&refs);
            }
        }
    }
}
