//! `--strict` and `--range`: how `predict`, `validate` and `evaluate` treat categories unseen
//! in training and numbers outside its range, declared once.

use clap::Args;
use tandem_core::prep::{RangePolicy, TransformOptions};

/// The flags of [`TransformOptions`].
#[derive(Args)]
pub struct TransformArgs {
    /// Reject categories unseen in training (`UNKNOWN_CATEGORY`) instead of predicting with
    /// the unknown slot and a warning.
    #[arg(long)]
    strict: bool,
    /// Numbers outside the training range: `warn` (predict, and list them in `warnings`),
    /// `clip` (clamp into the range) or `error` (reject the row).
    #[arg(long, default_value = "warn")]
    range: RangePolicy,
}

impl TransformArgs {
    /// The options these flags set.
    pub fn options(&self) -> TransformOptions {
        TransformOptions {
            strict_categories: self.strict,
            range: self.range,
        }
    }
}
