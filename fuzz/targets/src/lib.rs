//! The bodies of Tandem's fuzz targets (issue 14), as ordinary functions.
//!
//! Each target takes arbitrary bytes and drives one parser of untrusted input. It may return
//! errors (that is what the parsers are for); it must never panic, hang or allocate without
//! bound. Two callers:
//! - the cargo-fuzz harness in `fuzz/` (nightly, libFuzzer): one `fuzz_target!` per function;
//! - `tests/replay.rs` here (stable, plain `cargo test`): every file of `fuzz/corpus/<target>/`
//!   and `fuzz/regressions/<target>/` through its function, so CI replays what fuzzing found.
//!
//! See `docs/fuzzing.md` for the targets, how to run them and the documented runs.

mod bundle;
mod bundles;
mod expr;
mod protocol;
mod read;
mod spec;

pub use bundle::{PART_ORDER, PART_SEPARATOR, bundle_load, bundle_parts, join_parts, nnef_limits};
pub use expr::expression;
pub use protocol::{CONTENT_TYPES, instance_json, protocol_request};
pub use read::{csv_read, options_byte, options_from};
pub use spec::pipeline_spec;

/// How many of the real bundles the targets drive load (all three while the format holds).
pub fn real_models() -> usize {
    bundles::models().len()
}

/// A fuzz target: bytes in, nothing out; it must not panic, hang or allocate without bound.
pub type Target = fn(&[u8]);

/// Every target by its cargo-fuzz name (the file name in `fuzz/fuzz_targets/`).
pub const TARGETS: [(&str, Target); 8] = [
    ("bundle_load", bundle_load),
    ("bundle_parts", bundle_parts),
    ("instance_json", instance_json),
    ("csv_read", csv_read),
    ("pipeline_spec", pipeline_spec),
    ("expression", expression),
    ("protocol_request", protocol_request),
    ("nnef_limits", nnef_limits),
];
