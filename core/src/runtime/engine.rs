//! The tract engine: runs the bundle's NNEF graph on a `[batch, n_features]` f32 tensor.

use std::sync::Arc;

use tract_nnef::prelude::*;

use crate::Error;

/// A loaded, optimised NNEF graph.
pub struct TractEngine {
    plan: Arc<TypedRunnableModel>,
    n_features: usize,
    n_outputs: usize,
}

impl std::fmt::Debug for TractEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TractEngine")
            .field("n_features", &self.n_features)
            .field("n_outputs", &self.n_outputs)
            .finish()
    }
}

fn engine_err(context: &str, e: impl std::fmt::Display) -> Error {
    Error::Engine(format!("{context}: {e}"))
}

impl TractEngine {
    /// Load an NNEF tar (as written by `tandem train`).
    pub fn load_nnef(
        tar: &[u8],
        n_features: usize,
        n_outputs: usize,
    ) -> Result<TractEngine, Error> {
        let mut cursor = std::io::Cursor::new(tar);
        let model = tract_nnef::nnef()
            .model_for_read(&mut cursor)
            .map_err(|e| engine_err("cannot read the NNEF graph", e))?;
        if model.inputs.len() != 1 || model.outputs.len() != 1 {
            return Err(Error::Engine(format!(
                "the graph must have one input and one output, found {} and {}",
                model.inputs.len(),
                model.outputs.len()
            )));
        }
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(|e| engine_err("cannot optimise the graph", e))?;
        Ok(TractEngine {
            plan,
            n_features,
            n_outputs,
        })
    }

    /// Run on row-major features; returns row-major outputs (`n * n_outputs`).
    pub fn run(&self, features: &[f32]) -> Result<Vec<f32>, Error> {
        if features.is_empty() {
            return Ok(Vec::new());
        }
        if !features.len().is_multiple_of(self.n_features) {
            return Err(Error::Engine(format!(
                "{} feature values is not a multiple of {}",
                features.len(),
                self.n_features
            )));
        }
        let n = features.len() / self.n_features;
        let input = Tensor::from_shape(&[n, self.n_features], features)
            .map_err(|e| engine_err("cannot build the input tensor", e))?;
        let outputs = self
            .plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| engine_err("run failed", e))?;
        let out = outputs
            .first()
            .ok_or_else(|| Error::Engine("the graph returned nothing".into()))?;
        let view = out
            .to_plain_array_view::<f32>()
            .map_err(|e| engine_err("unexpected output type", e))?;
        let values: Vec<f32> = view.iter().copied().collect();
        if values.len() != n * self.n_outputs {
            return Err(Error::Engine(format!(
                "expected {} outputs, the graph returned {}",
                n * self.n_outputs,
                values.len()
            )));
        }
        Ok(values)
    }
}
