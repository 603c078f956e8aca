//! Named tolerances used when comparing model outputs across engines.
//!
//! Transforms are compared for exact (bitwise) equality; model outputs go through floating
//! point matrix products whose summation order differs between engines, so they get a
//! named, documented tolerance instead of a magic number.

/// Largest absolute difference allowed between class probabilities computed by two engines
/// (Burn, tract native, tract wasm, onnxruntime) on the same feature vector.
pub const PROBABILITY_ABS: f64 = 1e-5;

/// Largest absolute difference allowed between raw network outputs (logits) of two engines.
pub const LOGIT_ABS: f64 = 1e-4;

/// Largest difference allowed between the same engine's outputs built for two targets (the
/// native server and the wasm worker): `exp` in two libm builds may differ in the last bit.
/// Absolute for probabilities; relative to the value's size (at least 1) for regression.
pub const SAME_ENGINE_ABS: f64 = 1e-9;

/// The export check at training, classification: largest absolute difference allowed between
/// the class probabilities users get (softmax of each engine's logits) and training's. On
/// probabilities, not logits: a healthy network with large logits (a high learning rate)
/// rounds its logits differently per engine by more than [`LOGIT_ABS`], but the
/// probabilities, which are all a user sees, agree.
pub const EXPORT_PROBABILITY_ABS: f64 = 1e-4;

/// The export check at training, regression: largest difference allowed between the values
/// users get (unscaled) and training's, relative to the value's size; an absolute part of
/// [`LOGIT_ABS`] times the target's scale covers values near 0.
pub const EXPORT_VALUE_REL: f64 = 1e-4;
