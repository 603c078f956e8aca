//! Why an explanation was refused (each with a stable code; the instance's own errors stay
//! instance errors).

use thiserror::Error;

/// Why a model cannot explain an instance with the options given.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// The bundle carries no background sample and none was given.
    #[error(
        "this model has no background sample to explain against (trained before explanations existed, or with `background = 0`): give one (`tandem explain --background rows.csv`)"
    )]
    NoBackground,
    /// The explanation would run the network more times than allowed.
    #[error(
        "explaining this instance runs the network {evaluations} times ({coalitions} coalitions × {rows} background rows), over the limit of {max}: use fewer permutations or a smaller background"
    )]
    TooCostly {
        /// Network evaluations needed.
        evaluations: u64,
        /// Coalitions valued.
        coalitions: u64,
        /// Background rows each coalition is averaged over.
        rows: u64,
        /// The limit.
        max: u64,
    },
    /// Exact values were asked for more fields than the exact path takes.
    #[error(
        "exact Shapley values over {players} fields need 2^{players} coalitions; at most {max} fields are explained exactly: use sampled permutations"
    )]
    TooManyForExact {
        /// Fields the model reads.
        players: usize,
        /// The most the exact path takes.
        max: usize,
    },
    /// An option out of its range (`permutations: 0`).
    #[error("`{option}`: {reason}")]
    BadOption {
        /// The option.
        option: &'static str,
        /// Why the value is refused.
        reason: String,
    },
}

impl ExplainError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExplainError::NoBackground => "NO_BACKGROUND",
            ExplainError::TooCostly { .. } | ExplainError::TooManyForExact { .. } => {
                "EXPLAIN_LIMIT"
            }
            ExplainError::BadOption { .. } => "BAD_OPTION",
        }
    }
}
