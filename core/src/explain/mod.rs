//! The explanation pipeline: why this prediction, field by raw field.
//!
//! Attributions are Shapley values of the model's output (class probabilities, or the value on
//! the target's scale) where the players are the **raw input fields** a user typed: every
//! feature a field produces moves with it, a text field is one player, and a column computed
//! from several fields moves with each of them. A field outside a coalition takes the values
//! of a background sample of training rows, stored in the bundle (`background.json`): the
//! interventional Shapley values that `shap`'s exact explainer computes with an independent
//! masker over the same background.
//!
//! Up to [`DEFAULT_MAX_EXACT`] fields the values are exact (all `2^n` coalitions); above,
//! they are estimated from seeded permutations in antithetic pairs. Either way the base value
//! plus the values add up to the prediction. The same code runs natively, in the npm package,
//! at the edge and on `tandem serve` (`POST /explain`): the same seed gives the same values.

mod background;
mod error;
mod game;
mod rng;
mod shapley;

pub use background::{Background, Cell, DEFAULT_BACKGROUND_ROWS};
pub use error::ExplainError;

use crate::instance::Instance;
use crate::prep::TransformOptions;
use crate::schema::Task;
use crate::{Error, Model};

/// Fields at most for which values are exact unless told otherwise.
pub const DEFAULT_MAX_EXACT: usize = 12;
/// Fields at most for which exact values can be asked for (`2^16` coalitions).
pub const MAX_EXACT_PLAYERS: usize = 16;
/// Permutations sampled unless told otherwise (in antithetic pairs).
pub const DEFAULT_PERMUTATIONS: usize = 64;
/// The most permutations one explanation may sample.
pub const MAX_PERMUTATIONS: usize = 10_000;
/// Network evaluations one explanation may cost unless told otherwise.
pub const DEFAULT_MAX_EVALUATIONS: u64 = 1 << 20;

/// Exact or sampled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// Exact up to `max_exact` fields, sampled above.
    #[default]
    Auto,
    /// Exact (at most [`MAX_EXACT_PLAYERS`] fields).
    Exact,
    /// Sampled permutations, whatever the number of fields.
    Sampled,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Method::Auto),
            "exact" => Ok(Method::Exact),
            "sampled" => Ok(Method::Sampled),
            other => Err(format!(
                "method must be auto, exact or sampled, not {other:?}"
            )),
        }
    }
}

/// How to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Exact, sampled, or exact when the fields are few enough.
    pub method: Method,
    /// Permutations sampled (1 to [`MAX_PERMUTATIONS`]).
    pub permutations: usize,
    /// The seed of the sampled permutations.
    pub seed: u64,
    /// `Auto` is exact up to this many fields.
    pub max_exact: usize,
    /// Refuse an explanation that would run the network more times than this.
    pub max_evaluations: u64,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            method: Method::Auto,
            permutations: DEFAULT_PERMUTATIONS,
            seed: 0,
            max_exact: DEFAULT_MAX_EXACT,
            max_evaluations: DEFAULT_MAX_EVALUATIONS,
        }
    }
}

/// One instance's explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// What each number is about: the classes (probabilities), or the label (the value).
    pub outputs: Vec<String>,
    /// The mean prediction over the background rows, one number per output.
    pub base: Vec<f64>,
    /// The instance's prediction, one number per output: `base + Σ values`.
    pub prediction: Vec<f64>,
    /// Every input field, in schema order.
    pub fields: Vec<String>,
    /// Per field (as `fields`), one number per output; 0 for a field no node reads.
    pub values: Vec<Vec<f64>>,
    /// Whether the values are exact (else sampled).
    pub exact: bool,
    /// Permutations sampled (0 when exact).
    pub permutations: usize,
    /// The permutations' seed.
    pub seed: u64,
    /// Background rows the coalitions were averaged over.
    pub background: usize,
    /// Network rows evaluated.
    pub evaluations: u64,
}

impl Explanation {
    /// How far `base + Σ values` is from the prediction (largest over the outputs).
    pub fn additivity_gap(&self) -> f64 {
        (0..self.prediction.len())
            .map(|o| {
                let sum: f64 = self.values.iter().map(|v| v[o]).sum();
                (self.base[o] + sum - self.prediction[o]).abs()
            })
            .fold(0.0, f64::max)
    }
}

fn bad_option(option: &'static str, reason: String) -> Error {
    ExplainError::BadOption { option, reason }.into()
}

impl ExplainOptions {
    /// Check every option's range (`BAD_OPTION`).
    pub fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_PERMUTATIONS).contains(&self.permutations) {
            return Err(bad_option(
                "permutations",
                format!("must be 1 to {MAX_PERMUTATIONS}, not {}", self.permutations),
            ));
        }
        if self.max_exact > MAX_EXACT_PLAYERS {
            return Err(bad_option(
                "max_exact",
                format!(
                    "must be at most {MAX_EXACT_PLAYERS}, not {}",
                    self.max_exact
                ),
            ));
        }
        Ok(())
    }
}

impl Model {
    /// Explain `instance` against the bundle's background sample (`NO_BACKGROUND` if it has
    /// none). The instance goes through the same range and category policies as a prediction.
    pub fn explain(
        &self,
        instance: &Instance,
        transform: TransformOptions,
        options: &ExplainOptions,
    ) -> Result<Explanation, Error> {
        self.explain_against(instance, self.background(), transform, options)
    }

    /// Explain `instance` against `background` rows (parsed against this model's schema).
    pub fn explain_against(
        &self,
        instance: &Instance,
        background: &[Instance],
        transform: TransformOptions,
        options: &ExplainOptions,
    ) -> Result<Explanation, Error> {
        options.check()?;
        if background.is_empty() {
            return Err(ExplainError::NoBackground.into());
        }
        let n = self.schema().fields.len();
        if let Some(bad) = std::iter::once(instance)
            .chain(background)
            .find(|x| x.values.len() != n)
        {
            return Err(Error::Schema(format!(
                "an instance to explain or a background row holds {} values; the schema has {n} fields",
                bad.values.len()
            )));
        }
        // Refused before any work: the players are counted from the nodes alone.
        let players = game::players(self).len();
        let exact = match options.method {
            Method::Exact => true,
            Method::Sampled => false,
            Method::Auto => players <= options.max_exact,
        };
        check_cost(players, background.len(), exact, options)?;
        let instance = self.apply_policies(instance, transform)?;
        let prediction = self.scores_of_instance(&instance, transform)?;
        let mut game = game::Game::new(self, &instance, background)?;
        let shapley = if exact {
            shapley::exact(&mut game)?
        } else {
            shapley::sampled(&mut game, options.permutations, options.seed)?
        };
        let k = self.scores_width();
        let mut values = vec![vec![0.0; k]; self.schema().fields.len()];
        for (&field, v) in game.player_fields().iter().zip(shapley.values) {
            values[field] = v;
        }
        Ok(Explanation {
            outputs: match &self.schema().label.task {
                Task::Classification { classes } => classes.clone(),
                Task::Regression => vec![self.schema().label.name.clone()],
            },
            base: shapley.base,
            prediction,
            fields: self
                .schema()
                .fields
                .iter()
                .map(|f| f.name.clone())
                .collect(),
            values,
            exact,
            permutations: if exact { 0 } else { options.permutations },
            seed: options.seed,
            background: background.len(),
            evaluations: game.evaluations,
        })
    }
}

/// Refuse before any work an explanation over `players` fields and `rows` background rows
/// that would cost more network evaluations than allowed.
fn check_cost(
    players: usize,
    rows: usize,
    exact: bool,
    options: &ExplainOptions,
) -> Result<(), Error> {
    if exact && players > MAX_EXACT_PLAYERS {
        return Err(ExplainError::TooManyForExact {
            players,
            max: MAX_EXACT_PLAYERS,
        }
        .into());
    }
    let coalitions: u64 = if exact {
        1u64 << players
    } else {
        2 + options.permutations as u64 * players.saturating_sub(1) as u64
    };
    let evaluations = coalitions.saturating_mul(rows as u64);
    if evaluations > options.max_evaluations {
        return Err(ExplainError::TooCostly {
            evaluations,
            coalitions,
            rows: rows as u64,
            max: options.max_evaluations,
        }
        .into());
    }
    Ok(())
}
