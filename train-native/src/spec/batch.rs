//! `[model] batch_size`: rows per gradient step, a number or `"auto"` (the default), which
//! scales with the data: [`AUTO_MIN`] rows up to [`AUTO_MIN`] × [`AUTO_STEPS`] training rows
//! (every shared data set of bench/train-sweep.py, where 128 rows with a 0.03 learning rate
//! matched the scikit-learn peers), then as many as make an epoch [`AUTO_STEPS`] steps, up to
//! [`AUTO_MAX`]: a large data set takes as many steps per epoch, not more.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// The smallest automatic batch.
pub const AUTO_MIN: usize = 128;
/// Steps per epoch an automatic batch aims at, on large data sets.
pub const AUTO_STEPS: usize = 64;
/// The largest automatic batch.
pub const AUTO_MAX: usize = 2048;

/// Rows per gradient step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchSize {
    /// Scaled to the training rows ([`BatchSize::rows`]).
    Auto,
    /// Exactly this many rows (the last step of an epoch takes what is left).
    Rows(usize),
}

impl BatchSize {
    /// The rows per step for `train_rows` training rows.
    pub fn rows(self, train_rows: usize) -> usize {
        match self {
            BatchSize::Rows(n) => n,
            BatchSize::Auto => (train_rows / AUTO_STEPS).clamp(AUTO_MIN, AUTO_MAX),
        }
    }

    /// As a spec writes it: `"auto"` (quoted) or the number.
    pub fn toml(self) -> String {
        match self {
            BatchSize::Auto => "\"auto\"".into(),
            BatchSize::Rows(n) => n.to_string(),
        }
    }

    /// `auto` or the number, as the CLI and a run's params write it.
    pub fn parse(text: &str) -> Option<BatchSize> {
        match text.trim() {
            "auto" => Some(BatchSize::Auto),
            n => n.parse().ok().map(BatchSize::Rows),
        }
    }
}

impl fmt::Display for BatchSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchSize::Auto => f.write_str("auto"),
            BatchSize::Rows(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for BatchSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BatchSize, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = BatchSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of rows or \"auto\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BatchSize, E> {
                usize::try_from(v)
                    .map(BatchSize::Rows)
                    .map_err(|_| E::custom(format!("{v} is not a number of rows")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BatchSize, E> {
                usize::try_from(v)
                    .map(BatchSize::Rows)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BatchSize, E> {
                match v {
                    "auto" => Ok(BatchSize::Auto),
                    other => Err(E::custom(format!(
                        "{other:?}: a number of rows or \"auto\""
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn auto_scales_with_the_training_rows_between_its_bounds() {
        assert_eq!(BatchSize::Auto.rows(100), AUTO_MIN);
        assert_eq!(BatchSize::Auto.rows(AUTO_MIN * AUTO_STEPS), AUTO_MIN);
        assert_eq!(BatchSize::Auto.rows(43_000), 671);
        assert_eq!(BatchSize::Auto.rows(10_000_000), AUTO_MAX);
        assert_eq!(BatchSize::Rows(7).rows(43_000), 7);
    }

    #[test]
    fn reads_a_number_or_auto_and_nothing_else() {
        #[derive(Deserialize)]
        struct M {
            batch_size: BatchSize,
        }
        let read = |s: &str| toml::from_str::<M>(s).map(|m| m.batch_size);
        assert_eq!(read("batch_size = 64").unwrap(), BatchSize::Rows(64));
        assert_eq!(read("batch_size = \"auto\"").unwrap(), BatchSize::Auto);
        assert!(read("batch_size = \"big\"").is_err());
        assert!(read("batch_size = -3").is_err());
        assert!(read("batch_size = 1.5").is_err());
        assert_eq!(BatchSize::parse("auto"), Some(BatchSize::Auto));
        assert_eq!(BatchSize::parse("32"), Some(BatchSize::Rows(32)));
        assert_eq!(BatchSize::parse("x"), None);
        assert_eq!(BatchSize::Auto.to_string(), "auto");
    }
}
