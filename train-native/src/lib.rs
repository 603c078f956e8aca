//! Tandem's training pipeline: a pipeline spec (or the default pipeline) → training-only
//! nodes → a seeded split → fitted shared preprocessing → a Burn MLP → ONNX, NNEF and the
//! dense kernel's weights → a bundle, verified through the runtime users get.
//!
//! A library: no command-line parsing and no run tracking here. The `tandem` binary
//! (tandem-cli) maps flags onto a [`Plan`], and records what training returns:
//!
//! ```text
//! Plan ──prepare──► Prepared ──train──► Outcome (bundle, metrics, artifacts)
//!        read, training-only       fit (folds, final) → export → verify → evaluate
//!        row nodes, split
//! ```
#![warn(missing_docs)]

pub mod agreement;
pub mod artifacts;
pub mod ensemble;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod linear;
pub mod net;
pub mod nodes;
pub mod observer;
pub mod params;
pub mod pipeline;
pub mod plan;
pub mod plots;
pub mod prepare;
pub mod run;
mod sign;
pub mod spec;
pub mod spill;
pub mod split;
pub mod stream;
pub mod table;
pub mod trainer;
pub mod tune;
pub mod verify;
pub mod warnings;

pub use error::{Error, Result};
pub use plan::Plan;
pub use prepare::{Prepared, prepare, prepare_observed};
pub use run::{Outcome, train};
