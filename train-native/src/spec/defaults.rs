//! Every default of a pipeline, named once: the spec's `Default`s, the starter spec that
//! `tandem init` writes and `tandem train`'s flags all read these, so the three cannot drift.

use tandem_core::prep::{BinStrategy, DatePart};

/// `[split] validation`: fraction held out for early stopping and validation metrics.
pub const VALIDATION: f64 = 0.2;
/// `[split] test`: fraction held out for test metrics.
pub const TEST: f64 = 0.0;
/// `[split] seed`: seed of the split, initialisation and batch order.
pub const SEED: u64 = 0;

/// `[model] hidden`: hidden layer widths.
pub const HIDDEN: &[usize] = &[32];
/// [`HIDDEN`] as the comma-separated text of `tandem train --hidden`.
pub const HIDDEN_FLAG: &str = "32";
/// `[model] learning_rate`: Adam's learning rate (bench/train-sweep.py, with the automatic
/// batch and the ensemble).
pub const LEARNING_RATE: f64 = 0.03;
/// `[model] batch_size`: rows per step, scaled to the data (`super::BatchSize`).
pub const BATCH_SIZE: super::BatchSize = super::BatchSize::Auto;
/// `[model] max_epochs`: epoch limit.
pub const MAX_EPOCHS: usize = 300;
/// `[model] patience`: early-stopping patience in epochs.
pub const PATIENCE: usize = 20;
/// `[model] weight_decay`: L2 weight decay.
pub const WEIGHT_DECAY: f64 = 0.0;
/// `[model] ensemble`: networks trained on k folds of the non-test rows and averaged
/// (bench/train-sweep.py: one network missed the scikit-learn peers on 4 of the 5 shared data
/// sets; five averaged matched or beat them on all five). 1: one network.
pub const ENSEMBLE: usize = 5;
/// `[model] lr_schedule`.
pub const LR_SCHEDULE: super::LrSchedule = super::LrSchedule::Constant;
/// The largest `[model] ensemble`.
pub const MAX_ENSEMBLE: usize = 20;

/// `[data] max_invalid_fraction`: rows that break the schema are set aside, up to this share.
pub const MAX_INVALID_FRACTION: f64 = 0.01;
/// `[data] stream_sample`: a streamed run keeps a uniform sample of this many rows of each
/// part of the split (early stopping, metrics, warnings, drift reference, background).
pub const STREAM_SAMPLE: usize = 50_000;
/// The smallest `stream_sample`.
pub const MIN_STREAM_SAMPLE: usize = 100;
/// `[explain] background`: training rows stored as the explanations' background sample.
pub const BACKGROUND: usize = tandem_core::explain::DEFAULT_BACKGROUND_ROWS;
/// The most background rows a bundle may carry (each explanation averages over all of them).
pub const MAX_BACKGROUND: usize = 1000;
/// Text features: a term must appear in at least this many training rows.
pub const TEXT_MIN_DF: usize = 2;
/// Text features: at most this many terms (most frequent first).
pub const TEXT_MAX_FEATURES: usize = 100;
/// `buckets` of a hashing feature.
pub const HASH_BUCKETS: u32 = 32;
/// `group` of an `extract`: the first capture group.
pub const EXTRACT_GROUP: usize = 1;
/// `bin_strategy` of fitted bins.
pub const BIN_STRATEGY: BinStrategy = BinStrategy::Quantile;
/// `bin_one_hot`: one column per bin.
pub const BIN_ONE_HOT: bool = true;
/// `parts` of a datetime feature.
pub const DATETIME_PARTS: [DatePart; 3] =
    [DatePart::Year, DatePart::MonthCycle, DatePart::WeekdayCycle];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_hidden_flag_spells_the_hidden_default() {
        let parsed: Vec<usize> = HIDDEN_FLAG
            .split(',')
            .map(|w| w.trim().parse().unwrap())
            .collect();
        assert_eq!(parsed, HIDDEN);
    }
}
