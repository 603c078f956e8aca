//! Training progress on the terminal (a bar per fit) and each epoch's losses in the run store.

use indicatif::{ProgressBar, ProgressStyle};
use tandem_tracking::Metric;
use tandem_tracking::recorder::Recorder;
use tandem_train::error::BoxError;
use tandem_train::observer::{Observer, Pass, Phase};
use tandem_train::trainer::EpochLog;

/// Draws the bar (unless quiet) and records the final fit's epochs.
pub struct Progress<'a> {
    rec: &'a mut Recorder,
    quiet: bool,
    bar: ProgressBar,
}

impl<'a> Progress<'a> {
    /// Report into `rec`; no bar when `quiet`.
    pub fn new(rec: &'a mut Recorder, quiet: bool) -> Self {
        Progress {
            rec,
            quiet,
            bar: ProgressBar::hidden(),
        }
    }
}

impl Observer for Progress<'_> {
    fn fit_started(&mut self, phase: Phase, max_epochs: usize) {
        if self.quiet {
            return;
        }
        self.bar = ProgressBar::new(max_epochs as u64);
        self.bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} epochs  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.bar.set_prefix(match phase {
            Phase::Final => "training".to_string(),
            Phase::Fold { fold, folds } => format!("fold {fold}/{folds}"),
        });
    }

    fn epoch(&mut self, phase: Phase, log: &EpochLog) -> Result<(), BoxError> {
        self.bar.set_position(log.epoch as u64);
        self.bar.set_message(format!(
            "train loss {:.4}  validation loss {:.4}",
            log.train_loss, log.validation_loss
        ));
        if phase != Phase::Final {
            return Ok(());
        }
        let t = tandem_tracking::now_ms();
        let m = |key: &str, value: f64| Metric {
            key: key.into(),
            value,
            step: log.epoch as i64,
            timestamp: t,
        };
        let finite: Vec<Metric> = [
            m("train_loss", log.train_loss),
            m("validation_loss", log.validation_loss),
        ]
        .into_iter()
        .filter(|m| m.value.is_finite())
        .collect();
        self.rec.epoch(&finite).map_err(Into::into)
    }

    fn fit_finished(&mut self, _phase: Phase) {
        self.bar.finish_and_clear();
    }
}

/// A spinner per pass over streamed data, with rows read and the rate.
pub struct Reading {
    quiet: bool,
    bar: ProgressBar,
}

impl Reading {
    /// Report on the terminal unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        Reading {
            quiet,
            bar: ProgressBar::hidden(),
        }
    }
}

impl Observer for Reading {
    fn rows_read(&mut self, pass: Pass, rows: usize) {
        if self.quiet {
            return;
        }
        if self.bar.is_hidden() {
            self.bar = ProgressBar::new_spinner();
            self.bar.set_style(
                ProgressStyle::with_template("{prefix} {spinner} {human_pos} rows ({per_sec})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            self.bar.set_prefix(pass.name());
        }
        self.bar.set_position(rows as u64);
    }

    fn pass_finished(&mut self, pass: Pass, rows: usize) {
        self.bar.finish_and_clear();
        self.bar = ProgressBar::hidden();
        if !self.quiet {
            eprintln!("{}: {rows} rows", pass.name());
        }
    }
}
