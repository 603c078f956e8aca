//! Tandem's training pipeline: a pipeline spec (or the default pipeline) → training-only
//! nodes → a seeded split → fitted shared preprocessing → a Burn MLP → ONNX, NNEF and the
//! dense kernel's weights → a bundle, verified through the runtime users get.
//!
//! A library: no command-line parsing and no run tracking here. The `tandem` binary
//! (tandem-cli) maps flags onto a plan, and records what training returns.
#![warn(missing_docs)]

pub mod export;
pub mod metrics;
pub mod net;
pub mod nodes;
pub mod pipeline;
pub mod plots;
pub mod spec;
pub mod split;
pub mod table;
pub mod trainer;

/// Describe a core error with its stable code: `[BUNDLE_CHECKSUM] checksum mismatch in ...`.
pub fn core_error(e: &tandem_core::Error) -> anyhow::Error {
    anyhow::anyhow!("[{}] {e}", e.code())
}
