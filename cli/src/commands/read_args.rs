//! The reading flags every command that reads data shares (`train`, `init`, `schema infer`,
//! `predict`, `validate`): missing markers, number formats and the delimiter.

use clap::Args;
use tandem_core::read::ReadOptions;

/// How the input file writes its cells. Each flag given replaces the value it would
/// otherwise take (a spec's `[data]` keys, or the options a bundle was trained with).
#[derive(Args, Debug, Clone, Default)]
pub struct ReadArgs {
    /// Further cells read as missing, comma separated, on top of pandas' defaults (`NA`,
    /// `NaN`, `n/a`, `#N/A`, `null`, ...): `--na-values '?,-'`.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "MARKERS",
        allow_hyphen_values = true
    )]
    pub na_values: Option<Vec<String>>,
    /// The thousands separator in numbers: `--thousands ,` reads `1,234,567`.
    #[arg(long, value_name = "CHAR")]
    pub thousands: Option<char>,
    /// The decimal mark: `.` (default) or `,` (`--decimal ,` reads `3,5`).
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<char>,
    /// The CSV delimiter (default: sniffed among `,` `;` tab `|`); `tab` for a tab.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<char>,
}

fn parse_delimiter(s: &str) -> Result<char, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok('\t'),
        _ => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!("`{s}` is not one character (use , ; tab |)")),
            }
        }
    }
}

impl ReadArgs {
    /// `base` with every flag given put over it.
    pub fn over(&self, base: &ReadOptions) -> ReadOptions {
        ReadOptions {
            na_values: self
                .na_values
                .clone()
                .unwrap_or_else(|| base.na_values.clone()),
            thousands: self.thousands.or(base.thousands),
            decimal: self.decimal.unwrap_or(base.decimal),
            delimiter: self.delimiter.or(base.delimiter),
        }
    }

    /// The options these flags alone declare.
    pub fn options(&self) -> ReadOptions {
        self.over(&ReadOptions::default())
    }
}
