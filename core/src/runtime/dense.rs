//! The compact dense kernel: the engine for the networks Tandem trains (stacks of Linear +
//! ReLU), a few hundred bytes of code instead of a graph runtime.
//!
//! Weights come from the bundle's `model.dense` part, written at export from the same trained
//! network as the ONNX and NNEF graphs. Layout (all integers u32, all floats f32,
//! little-endian):
//!
//! ```text
//! "TNDMDNS1"                                   8-byte magic
//! n_layers
//! n_layers × (inputs, outputs, activation)     activation: 0 none, 1 relu
//! n_layers × (weights[inputs][outputs], bias[outputs])
//! ```
//!
//! Loading checks every size and that every weight is finite, so a forward pass cannot index
//! out of bounds or manufacture a NaN from a hostile file. Results agree with tract and
//! onnxruntime within [`crate::tolerance::LOGIT_ABS`] (summation order differs), which the
//! export self-check and the parity tests verify on every bundle.

use crate::Error;
use crate::bundle::{Limit, Limits};

/// Magic bytes of a `model.dense` part.
pub const DENSE_MAGIC: &[u8; 8] = b"TNDMDNS1";
/// Largest accepted network by default, in parameters (the `parameters` bundle limit).
pub const MAX_PARAMETERS: usize = 1 << 26;
const PART: &str = crate::bundle::parts::DENSE;

/// One fully connected layer.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLayer {
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// ReLU after the affine map.
    pub relu: bool,
    /// Row-major `[inputs][outputs]` (Burn's `Linear` layout).
    pub weights: Vec<f32>,
    /// `[outputs]`.
    pub bias: Vec<f32>,
}

/// A stack of dense layers.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseNet {
    layers: Vec<DenseLayer>,
    /// Per layer, for the narrow ones (at most [`NARROW`] outputs, such as a classifier's
    /// last layer): its weights transposed, `[outputs][inputs]`, so each output is one
    /// contiguous dot product instead of a short loop per input.
    transposed: Vec<Option<Vec<f32>>>,
}

/// Widest layer computed output by output (see `DenseNet::transposed`).
const NARROW: usize = 4;

/// Inputs tested for zero together.
const ZERO_BLOCK: usize = 8;

fn bad(why: impl Into<String>) -> Error {
    Error::Engine(format!("invalid model.dense: {}", why.into()))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| bad(format!("truncated at byte {}", self.at)))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<usize, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn floats(&mut self, n: usize) -> Result<Vec<f32>, Error> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| bad("size overflow"))?)?;
        let v: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(bad("a weight is not finite"));
        }
        Ok(v)
    }
}

impl DenseNet {
    /// A network from layers; fails unless consecutive widths match and sizes are consistent.
    pub fn new(layers: Vec<DenseLayer>) -> Result<DenseNet, Error> {
        if layers.is_empty() {
            return Err(bad("no layers"));
        }
        for (i, l) in layers.iter().enumerate() {
            if l.inputs == 0 || l.outputs == 0 {
                return Err(bad(format!("layer {i} has a zero width")));
            }
            if l.weights.len() != l.inputs * l.outputs || l.bias.len() != l.outputs {
                return Err(bad(format!("layer {i} has wrongly sized weights")));
            }
            if i > 0 && layers[i - 1].outputs != l.inputs {
                return Err(bad(format!(
                    "layer {i} takes {} inputs, the layer before writes {}",
                    l.inputs,
                    layers[i - 1].outputs
                )));
            }
        }
        let transposed = layers
            .iter()
            .map(|l| {
                (l.outputs <= NARROW).then(|| {
                    (0..l.outputs)
                        .flat_map(|o| (0..l.inputs).map(move |i| (i, o)))
                        .map(|(i, o)| l.weights[i * l.outputs + o])
                        .collect()
                })
            })
            .collect();
        Ok(DenseNet { layers, transposed })
    }

    /// Encode as a `model.dense` part.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(DENSE_MAGIC);
        let u = |v: usize, out: &mut Vec<u8>| out.extend_from_slice(&(v as u32).to_le_bytes());
        u(self.layers.len(), &mut out);
        for l in &self.layers {
            u(l.inputs, &mut out);
            u(l.outputs, &mut out);
            u(usize::from(l.relu), &mut out);
        }
        for l in &self.layers {
            for x in l.weights.iter().chain(&l.bias) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Decode and check a `model.dense` part under the default limits.
    pub fn from_bytes(bytes: &[u8]) -> Result<DenseNet, Error> {
        Self::from_bytes_with(bytes, &Limits::default())
    }

    /// Decode and check a `model.dense` part: its layer count and parameter count are
    /// checked against `limits` before any weight is read.
    pub fn from_bytes_with(bytes: &[u8], limits: &Limits) -> Result<DenseNet, Error> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != DENSE_MAGIC {
            return Err(bad("bad magic bytes"));
        }
        let n = r.u32()?;
        if n == 0 {
            return Err(bad("no layers"));
        }
        limits.check(Limit::Layers, n as u64, PART)?;
        if n.saturating_mul(12) > bytes.len() - r.at {
            return Err(bad(format!("{n} layers announced, the part is too short")));
        }
        let mut shapes = Vec::with_capacity(n);
        let mut total = 0u64;
        for i in 0..n {
            let (inputs, outputs, act) = (r.u32()?, r.u32()?, r.u32()?);
            if act > 1 {
                return Err(bad(format!("layer {i}: unknown activation {act}")));
            }
            // u32 × u32 + u32 cannot overflow u64; the sum saturates.
            let layer = inputs as u64 * outputs as u64 + outputs as u64;
            total = total.saturating_add(layer);
            limits.check(Limit::Parameters, total, PART)?;
            shapes.push((inputs, outputs, act == 1));
        }
        let mut layers = Vec::with_capacity(n);
        for (inputs, outputs, relu) in shapes {
            let count = inputs
                .checked_mul(outputs)
                .ok_or_else(|| bad("size overflow"))?;
            let weights = r.floats(count)?;
            let bias = r.floats(outputs)?;
            layers.push(DenseLayer {
                inputs,
                outputs,
                relu,
                weights,
                bias,
            });
        }
        if r.at != bytes.len() {
            return Err(bad(format!("{} trailing bytes", bytes.len() - r.at)));
        }
        DenseNet::new(layers)
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.inputs)
    }

    /// Output width.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// The layers.
    pub fn layers(&self) -> &[DenseLayer] {
        &self.layers
    }

    /// Run on row-major features; returns row-major outputs.
    pub fn run(&self, features: &[f32]) -> Result<Vec<f32>, Error> {
        let width = self.inputs();
        if !features.len().is_multiple_of(width) {
            return Err(Error::Engine(format!(
                "{} feature values is not a multiple of {width}",
                features.len()
            )));
        }
        let rows = features.len() / width;
        let widest = self.layers.iter().map(|l| l.outputs).max().unwrap_or(0);
        let mut out = Vec::with_capacity(rows * self.outputs());
        // Buffers swap roles every layer: both must hold the widest of inputs and outputs.
        let size = widest.max(width);
        let (mut a, mut b) = (vec![0.0f32; size], vec![0.0f32; size]);
        for row in features.chunks_exact(width) {
            a[..width].copy_from_slice(row);
            let mut len = width;
            for (l, t) in self.layers.iter().zip(&self.transposed) {
                let next = &mut b[..l.outputs];
                if let Some(t) = t {
                    // Each output a dot product over a contiguous row of Wᵀ, summed in the
                    // same order (input 0 first) as below.
                    for ((o, w), bias) in next.iter_mut().zip(t.chunks_exact(len)).zip(&l.bias) {
                        *o = a[..len].iter().zip(w).fold(*bias, |s, (x, w)| s + x * w);
                    }
                } else {
                    next.copy_from_slice(&l.bias);
                    // out += x[i] * W[i, :]: contiguous rows of W, which vectorises
                    // (simd128); zero inputs (one-hot, TF-IDF, ReLU: titanic's 108 features
                    // hold about 5 non-zeros) are skipped, exact since weights are finite,
                    // and found a block at a time: a block is all zeros when its bits, sign
                    // aside, are.
                    for (b, block) in a[..len].chunks(ZERO_BLOCK).enumerate() {
                        if block.iter().fold(0u32, |acc, x| acc | (x.to_bits() << 1)) == 0 {
                            continue;
                        }
                        for (j, &x) in block.iter().enumerate() {
                            if x != 0.0 {
                                let i = b * ZERO_BLOCK + j;
                                let w = &l.weights[i * l.outputs..(i + 1) * l.outputs];
                                for (o, w) in next.iter_mut().zip(w) {
                                    *o += x * w;
                                }
                            }
                        }
                    }
                }
                if l.relu {
                    // `max(0.0)` as a comparison: `f32::max` is a libm call in wasm.
                    for o in next.iter_mut() {
                        *o = if *o > 0.0 { *o } else { 0.0 };
                    }
                }
                len = l.outputs;
                std::mem::swap(&mut a, &mut b);
            }
            out.extend_from_slice(&a[..len]);
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn net() -> DenseNet {
        DenseNet::new(vec![
            DenseLayer {
                inputs: 2,
                outputs: 3,
                relu: true,
                weights: vec![1.0, -1.0, 0.5, 2.0, 1.0, -0.5],
                bias: vec![0.0, 0.5, -1.0],
            },
            DenseLayer {
                inputs: 3,
                outputs: 1,
                relu: false,
                weights: vec![1.0, 2.0, 3.0],
                bias: vec![0.25],
            },
        ])
        .unwrap()
    }

    #[test]
    fn forward_matches_hand_computation() {
        // Row [1, 2]: hidden = relu([5, 1.5, -0.5]) = [5, 1.5, 0]; out = 5 + 3 + 0 + 0.25.
        let out = net().run(&[1.0, 2.0, 0.0, 0.0]).unwrap();
        assert_eq!(out, vec![8.25, 0.25 + 2.0 * 0.5]);
        // Inputs wider than every layer, over several rows (buffers swap each layer).
        let wide = DenseNet::new(vec![DenseLayer {
            inputs: 4,
            outputs: 1,
            relu: false,
            weights: vec![1.0, 1.0, 1.0, 1.0],
            bias: vec![0.0],
        }])
        .unwrap();
        assert_eq!(wide.run(&[1.0; 12]).unwrap(), vec![4.0; 3]);
    }

    #[test]
    fn round_trips_and_rejects_every_truncation_and_bad_value() {
        let n = net();
        let bytes = n.to_bytes();
        assert_eq!(DenseNet::from_bytes(&bytes).unwrap(), n);
        for len in 0..bytes.len() {
            assert!(
                DenseNet::from_bytes(&bytes[..len]).is_err(),
                "truncated to {len}"
            );
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(DenseNet::from_bytes(&extra).is_err());
        let mut nan = bytes.clone();
        let last = nan.len() - 4;
        nan[last..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(DenseNet::from_bytes(&nan).is_err());
        let mut huge = bytes.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(DenseNet::from_bytes(&huge).is_err());
        assert!(net().run(&[1.0, 2.0, 3.0]).is_err());
    }
}
