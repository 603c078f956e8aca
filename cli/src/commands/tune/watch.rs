//! The search on the terminal: a bar over the budget (its time, else its trials) with the
//! trial count and the best score so far, and a line for each new best or failed trial.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tandem_train::tune::{Budget, Objective, Trial};

use super::report::line;

/// The bar and what it has seen.
pub struct Watch {
    bar: ProgressBar,
    quiet: bool,
    started: Instant,
    timed: bool,
    best: Option<(f64, usize)>,
}

impl Watch {
    /// A bar for `budget` (none when `quiet`).
    pub fn new(quiet: bool, budget: Budget) -> Watch {
        let style = |template: &str| {
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ")
        };
        let (bar, timed) = match (quiet, budget.seconds, budget.trials) {
            (true, _, _) => (ProgressBar::hidden(), false),
            (false, Some(s), _) => {
                let bar = ProgressBar::new(s.ceil() as u64);
                bar.set_style(style("searching [{bar:30}] {pos}/{len} s  {msg}"));
                (bar, true)
            }
            (false, None, n) => {
                let bar = ProgressBar::new(n.unwrap_or(0) as u64);
                bar.set_style(style("searching [{bar:30}] {pos}/{len} trials  {msg}"));
                (bar, false)
            }
        };
        bar.enable_steady_tick(Duration::from_millis(250));
        Watch {
            bar,
            quiet,
            started: Instant::now(),
            timed,
            best: None,
        }
    }

    /// A trial ended.
    pub fn trial(&mut self, t: &Trial, objective: &Objective) {
        let improved = t
            .score
            .is_some_and(|s| self.best.is_none_or(|(b, _)| objective.better(s, b)));
        if let (true, Some(s)) = (improved, t.score) {
            self.best = Some((s, t.number));
        }
        let position = if self.timed {
            self.started.elapsed().as_secs()
        } else {
            t.number as u64
        };
        self.bar.set_position(position);
        if let Some((b, n)) = self.best {
            self.bar.set_message(format!(
                "{} trials, best {} {b:.4} (trial {n})",
                t.number, objective.metric
            ));
        }
        if !(improved || t.error.is_some()) {
            return;
        }
        self.say(&line(t, objective, if improved { "  *" } else { "" }));
    }

    /// A line above the bar (on stderr as is when there is no bar).
    pub fn say(&self, text: &str) {
        if !self.quiet {
            self.warn(text);
        }
    }

    /// A line above the bar, even when quiet.
    pub fn warn(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
