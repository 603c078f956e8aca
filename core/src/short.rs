//! Numbers as messages print them: as written when that is short (`201.5`, `1234567`),
//! without float noise otherwise (`0.30000001192092896` → `0.3`: six significant digits),
//! exponent form only for very large or very small values. Every message that shows a number
//! a user sent or training saw goes through [`number`].

/// Significant digits beyond which a number is float noise rather than what someone wrote.
const WRITTEN_DIGITS: usize = 10;

/// `x` for a message: its shortest form when that has at most ten significant digits, else
/// six; `1e300` style beyond 1e15 or below 1e-4; `NaN`, `inf` and `-inf` as Rust writes them.
pub fn number(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return if x == 0.0 { "0".into() } else { x.to_string() };
    }
    let exact = x.to_string();
    let digits = exact
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|&c| c == '0')
        .count();
    let value = if digits <= WRITTEN_DIGITS {
        x
    } else {
        format!("{x:.5e}").parse().unwrap_or(x)
    };
    if (1e-4..1e15).contains(&value.abs()) {
        value.to_string()
    } else {
        format!("{value:e}")
    }
}

/// A closed range `[min, max]` for a message.
pub fn range(min: f64, max: f64) -> String {
    format!("[{}, {}]", number(min), number(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_drop_float_noise_and_keep_integers() {
        assert_eq!(number(f64::from(0.3f32)), "0.3");
        assert_eq!(number(201.5), "201.5");
        assert_eq!(number(80.0), "80");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1234567.0), "1234567");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(0.00012345678), "0.00012345678");
        assert_eq!(number(1.0 / 3.0), "0.333333");
    }

    #[test]
    fn very_large_and_very_small_numbers_use_exponents() {
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(-2.5e-9), "-2.5e-9");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn ranges_print_both_bounds_short() {
        assert_eq!(range(0.42, 80.0), "[0.42, 80]");
    }
}
