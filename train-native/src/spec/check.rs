//! The one rule for training settings, whether they come from a spec or from flags: every
//! hyperparameter and split setting is checked before any data is read, and a refusal names
//! the setting, its value and the accepted range.
//!
//! Keys are the spec's dotted names (`model.learning_rate`); `tandem train` maps them onto
//! its flags (`--learning-rate`), a spec onto `file:line:column` ([`key_span`]).

use std::ops::Range;

use super::{ModelSpec, defaults};

/// Largest learning rate accepted: Adam steps beyond it only diverge.
pub const MAX_LEARNING_RATE: f64 = 10.0;
/// Largest weight decay accepted (a decay of 1 already erases the weights every step).
pub const MAX_WEIGHT_DECAY: f64 = 1.0;
/// Widest hidden layer accepted: a network is shipped to browsers, and a width past this
/// is a typo (`[1000000000]` asks Burn for tens of GB before the first epoch).
pub const MAX_HIDDEN_WIDTH: usize = 16_384;
/// Most weights accepted between consecutive hidden layers, summed (2^26: 256 MB of f32).
pub const MAX_HIDDEN_WEIGHTS: usize = 1 << 26;
/// Fewest and most cross-validation folds.
pub const FOLDS: (usize, usize) = (2, 50);

/// A setting outside its accepted range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key} = {value} is out of range: {accepted}")]
pub struct SettingError {
    /// The spec's dotted key (`model.learning_rate`).
    pub key: &'static str,
    /// The value given, as written back.
    pub value: String,
    /// What is accepted.
    pub accepted: String,
}

impl SettingError {
    fn new(key: &'static str, value: impl ToString, accepted: impl Into<String>) -> Self {
        SettingError {
            key,
            value: value.to_string(),
            accepted: accepted.into(),
        }
    }

    /// The key without its table (`learning_rate`).
    pub fn name(&self) -> &'static str {
        self.key.rsplit('.').next().unwrap_or(self.key)
    }
}

impl ModelSpec {
    /// The one rule for network settings, whether they come from a spec or from flags.
    pub fn check(&self) -> Result<(), SettingError> {
        if let Some(w) = self.hidden.iter().find(|w| **w == 0) {
            return Err(SettingError::new(
                "model.hidden",
                format!("{:?} (a width of {w})", self.hidden),
                "every layer width must be at least 1 (`[]` for logistic / linear regression)",
            ));
        }
        if let Some(w) = self.hidden.iter().find(|w| **w > MAX_HIDDEN_WIDTH) {
            return Err(SettingError::new(
                "model.hidden",
                format!("{:?} (a width of {w})", self.hidden),
                format!("every layer width must be at most {MAX_HIDDEN_WIDTH}"),
            ));
        }
        let weights = self.hidden.windows(2).fold(0usize, |sum, w| {
            sum.saturating_add(w[0].saturating_mul(w[1]))
        });
        if weights > MAX_HIDDEN_WEIGHTS {
            return Err(SettingError::new(
                "model.hidden",
                format!("{:?} ({weights} weights between its layers)", self.hidden),
                format!("the weights between its layers must be at most {MAX_HIDDEN_WEIGHTS}"),
            ));
        }
        let lr = self.learning_rate;
        if !(lr > 0.0 && lr <= MAX_LEARNING_RATE) {
            return Err(SettingError::new(
                "model.learning_rate",
                lr,
                format!("it must be greater than 0 and at most {MAX_LEARNING_RATE}"),
            ));
        }
        if self.batch_size == super::BatchSize::Rows(0) {
            return Err(SettingError::new(
                "model.batch_size",
                0,
                "it must be at least 1 row",
            ));
        }
        if self.max_epochs == 0 {
            return Err(SettingError::new(
                "model.max_epochs",
                0,
                "it must be at least 1",
            ));
        }
        let wd = self.weight_decay;
        if !(0.0..=MAX_WEIGHT_DECAY).contains(&wd) {
            return Err(SettingError::new(
                "model.weight_decay",
                wd,
                format!("it must be at least 0 and at most {MAX_WEIGHT_DECAY}"),
            ));
        }
        let max = super::defaults::MAX_ENSEMBLE;
        if !(1..=max).contains(&self.ensemble) {
            return Err(SettingError::new(
                "model.ensemble",
                self.ensemble,
                format!("it must be between 1 (one network) and {max}"),
            ));
        }
        // The ensemble is exported as one network k times as wide, its deeper layers
        // block-diagonal (k² times the weights): that network must fit the same limits.
        let k = self.ensemble;
        let widest = self.hidden.iter().max().map_or(0, |w| w.saturating_mul(k));
        let merged = weights.saturating_mul(k.saturating_mul(k));
        if k > 1 && (widest > MAX_HIDDEN_WIDTH || merged > MAX_HIDDEN_WEIGHTS) {
            return Err(SettingError::new(
                "model.ensemble",
                k,
                format!(
                    "{k} networks of {:?} are exported as one network {k} times as wide \
                     ({widest} units, {merged} weights between its layers), which must be at \
                     most {MAX_HIDDEN_WIDTH} units and {MAX_HIDDEN_WEIGHTS} weights: use fewer \
                     networks or narrower layers",
                    self.hidden
                ),
            ));
        }
        Ok(())
    }
}

/// The split's rule: validation in (0, 1), test in [0, 1) with validation + test below 1,
/// folds between [`FOLDS`].
pub fn split(validation: f64, test: f64, folds: Option<usize>) -> Result<(), SettingError> {
    if !(validation > 0.0 && validation < 1.0) {
        return Err(SettingError::new(
            "split.validation",
            validation,
            "it must be between 0 and 1 (both excluded)",
        ));
    }
    if !(test >= 0.0 && validation + test < 1.0) {
        return Err(SettingError::new(
            "split.test",
            test,
            format!(
                "it must be at least 0, and validation + test below 1 (validation is {validation})"
            ),
        ));
    }
    if let Some(k) = folds
        && !(FOLDS.0..=FOLDS.1).contains(&k)
    {
        return Err(SettingError::new(
            "split.folds",
            k,
            format!("it must be between {} and {}", FOLDS.0, FOLDS.1),
        ));
    }
    Ok(())
}

impl crate::plan::Plan {
    /// Every setting of the plan against the one rule (the split's, then the network's).
    pub fn check(&self) -> Result<(), SettingError> {
        split(self.validation, self.test, self.folds)?;
        if !(0.0..=1.0).contains(&self.max_invalid_fraction) {
            return Err(SettingError::new(
                "data.max_invalid_fraction",
                self.max_invalid_fraction,
                "it must be between 0 and 1".to_string(),
            ));
        }
        if self.stream_sample < defaults::MIN_STREAM_SAMPLE {
            return Err(SettingError::new(
                "data.stream_sample",
                self.stream_sample,
                format!("it must be at least {}", defaults::MIN_STREAM_SAMPLE),
            ));
        }
        if self.background > defaults::MAX_BACKGROUND {
            return Err(SettingError::new(
                "explain.background",
                self.background,
                format!("it must be at most {}", defaults::MAX_BACKGROUND),
            ));
        }
        self.model.check()
    }
}

/// Where the value of `key` (dotted: `model.learning_rate`) is written in `source`: the
/// value after `=` on the key's line inside its table, else the table header, else nothing.
pub fn key_span(source: &str, key: &str) -> Range<usize> {
    let (table, name) = key.split_once('.').unwrap_or(("", key));
    let header = format!("[{table}]");
    let mut in_table = table.is_empty();
    let mut header_span = 0..0;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('[') {
            in_table = trimmed.starts_with(&header);
            if in_table {
                header_span = offset + indent..offset + indent + header.len();
            }
        } else if in_table
            && let Some(rest) = trimmed.strip_prefix(name)
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let value_text = value.split('#').next().unwrap_or("").trim();
            let start =
                offset + line.len() - value.len() + (value.len() - value.trim_start().len());
            return start..start + value_text.len();
        }
        offset += line.len();
    }
    header_span
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn model(edit: impl FnOnce(&mut ModelSpec)) -> Result<(), SettingError> {
        let mut m = ModelSpec::default();
        edit(&mut m);
        m.check()
    }

    #[test]
    fn the_default_settings_pass_the_check() {
        assert_eq!(ModelSpec::default().check(), Ok(()));
        assert_eq!(split(0.2, 0.0, None), Ok(()));
    }

    #[test]
    fn each_out_of_range_hyperparameter_is_refused_by_name_with_its_range() {
        let cases: Vec<(Result<(), SettingError>, &str, &str)> = vec![
            (
                model(|m| m.learning_rate = -1.0),
                "model.learning_rate",
                "-1",
            ),
            (model(|m| m.learning_rate = 0.0), "model.learning_rate", "0"),
            (
                model(|m| m.learning_rate = f64::NAN),
                "model.learning_rate",
                "NaN",
            ),
            (
                model(|m| m.learning_rate = 11.0),
                "model.learning_rate",
                "11",
            ),
            (
                model(|m| m.batch_size = super::super::BatchSize::Rows(0)),
                "model.batch_size",
                "0",
            ),
            (model(|m| m.ensemble = 0), "model.ensemble", "0"),
            (model(|m| m.ensemble = 21), "model.ensemble", "21"),
            (
                model(|m| {
                    m.hidden = vec![4000];
                    m.ensemble = 5;
                }),
                "model.ensemble",
                "5",
            ),
            (
                model(|m| {
                    m.hidden = vec![2048, 2048];
                    m.ensemble = 5;
                }),
                "model.ensemble",
                "5",
            ),
            (model(|m| m.max_epochs = 0), "model.max_epochs", "0"),
            (
                model(|m| m.weight_decay = -0.1),
                "model.weight_decay",
                "-0.1",
            ),
            (
                model(|m| m.weight_decay = f64::INFINITY),
                "model.weight_decay",
                "inf",
            ),
            (model(|m| m.hidden = vec![8, 0]), "model.hidden", "[8, 0]"),
            (
                model(|m| m.hidden = vec![1_000_000_000]),
                "model.hidden",
                "[1000000000]",
            ),
            (
                model(|m| m.hidden = vec![16_384, 16_384]),
                "model.hidden",
                "[16384, 16384]",
            ),
            (split(0.0, 0.0, None), "split.validation", "0"),
            (split(0.5, 0.5, None), "split.test", "0.5"),
            (split(0.2, -0.1, None), "split.test", "-0.1"),
            (split(0.2, 0.0, Some(1)), "split.folds", "1"),
        ];
        for (result, key, value) in cases {
            let e = result.unwrap_err();
            assert_eq!(e.key, key);
            assert!(e.value.starts_with(value), "{e}");
            let text = e.to_string();
            assert!(text.starts_with(&format!("{key} = {value}")), "{text}");
            assert!(
                text.contains("it must be") || text.contains("must be"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_learning_rate_of_ten_and_a_linear_model_are_accepted() {
        assert_eq!(model(|m| m.learning_rate = MAX_LEARNING_RATE), Ok(()));
        assert_eq!(model(|m| m.hidden = Vec::new()), Ok(()));
        // The widest one network may be (an ensemble's merged network must fit too).
        let one = |hidden: Vec<usize>| {
            model(|m| {
                m.hidden = hidden;
                m.ensemble = 1;
            })
        };
        assert_eq!(one(vec![MAX_HIDDEN_WIDTH]), Ok(()));
        assert_eq!(one(vec![4096, 4096, 4096]), Ok(()));
        assert_eq!(model(|m| m.hidden = vec![MAX_HIDDEN_WIDTH / 5]), Ok(()));
        assert_eq!(model(|m| m.patience = 0), Ok(()));
    }

    #[test]
    fn key_span_points_at_the_value_in_its_table() {
        let src = "version = 1\n[split]\nseed = 3\n[model]\nseed = 9\nlearning_rate = -1  # no\n";
        let at = key_span(src, "model.learning_rate");
        assert_eq!(&src[at], "-1");
        let at = key_span(src, "split.seed");
        assert_eq!(&src[at], "3");
        let at = key_span(src, "model.batch_size");
        assert_eq!(&src[at], "[model]", "an absent key points at its table");
        assert_eq!(key_span(src, "training.dedupe"), 0..0);
    }
}
