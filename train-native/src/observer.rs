//! What a training run reports while it runs: each fit's start, every epoch, its end.
//!
//! The library prints nothing; the binary draws a progress bar and records each epoch's
//! losses in the run store through this trait.

use crate::error::BoxError;
use crate::trainer::EpochLog;

/// Which fit an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Fold `fold` (1-based) of `folds` in cross-validation.
    Fold {
        /// 1-based fold number.
        fold: usize,
        /// Number of folds.
        folds: usize,
    },
    /// The fit whose network goes into the bundle.
    Final,
}

/// A pass over data read as a stream ([`crate::stream`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Summarizing every column for schema inference.
    Infer,
    /// Checking, splitting and fitting the preprocessing.
    Fit,
    /// Writing the training rows' features to the spill file.
    Spill,
}

impl Pass {
    /// What the pass does, for a progress line.
    pub fn name(self) -> &'static str {
        match self {
            Pass::Infer => "inferring the schema",
            Pass::Fit => "fitting preprocessing",
            Pass::Spill => "writing features",
        }
    }
}

/// Receives a training run's progress. Every method has a do-nothing default.
pub trait Observer {
    /// A pass over streamed data has read `rows` rows so far.
    fn rows_read(&mut self, _pass: Pass, _rows: usize) {}
    /// A pass over streamed data ended after `rows` rows.
    fn pass_finished(&mut self, _pass: Pass, _rows: usize) {}
    /// A fit starts; it runs at most `max_epochs` epochs.
    fn fit_started(&mut self, _phase: Phase, _max_epochs: usize) {}
    /// An epoch ended. An error stops training (for example: the run store went away).
    fn epoch(&mut self, _phase: Phase, _log: &EpochLog) -> Result<(), BoxError> {
        Ok(())
    }
    /// The fit ended (early stopping or the epoch limit).
    fn fit_finished(&mut self, _phase: Phase) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}
