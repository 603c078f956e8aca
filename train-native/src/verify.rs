//! The export check: before anything is written, the encoded bundle is loaded exactly as a
//! user app loads it, and must reproduce training's features bit for bit (no train/serve
//! skew) and Burn's outputs on every validation row, on both engines (the dense kernel users
//! get by default, and tract on the NNEF graph).

use tandem_core::prep::TransformOptions;
use tandem_core::runtime::EngineChoice;
use tandem_core::{Bundle, Instance, Model, tolerance};

use crate::error::{Error, Result};
use crate::pipeline::Fitted;
use crate::trainer::forward;

/// Largest absolute output differences between the engines on the validation rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportCheck {
    /// tract vs Burn.
    pub burn_vs_tract: f64,
    /// The dense kernel vs Burn.
    pub burn_vs_dense: f64,
    /// The dense kernel vs tract.
    pub dense_vs_tract: f64,
}

impl ExportCheck {
    /// The largest of the three.
    pub fn max(&self) -> f64 {
        self.burn_vs_tract
            .max(self.burn_vs_dense)
            .max(self.dense_vs_tract)
    }
}

/// Every engine's raw outputs on the validation rows (row-major).
#[derive(Debug, Clone, Default)]
pub struct EngineOutputs {
    /// Burn's forward pass.
    pub burn: Vec<f32>,
    /// The dense kernel (what users get by default).
    pub dense: Vec<f32>,
    /// tract on the NNEF graph.
    pub tract: Vec<f32>,
}

/// A bundle that passed the export check.
pub struct Verified {
    /// The bundle as users load it, on the dense kernel.
    pub runtime: Model,
    /// The outputs compared.
    pub outputs: EngineOutputs,
    /// How far apart they were.
    pub check: ExportCheck,
}

/// Load `bundle` from its encoded bytes and compare it with training on `valid` rows.
pub fn verify(bundle: &Bundle, fitted: &Fitted, valid: &[Instance]) -> Result<Verified> {
    let encoded = bundle.to_bytes()?;
    // `Auto`, what users get, picks the dense kernel whenever the bundle has `model.dense`;
    // asking for it explicitly makes a bundle that cannot run there an error.
    let runtime = Model::load_with(&encoded, EngineChoice::Dense).map_err(|e| {
        Error::ExportCheck(format!(
            "the bundle does not load on the dense kernel: [{}] {e}",
            e.code()
        ))
    })?;
    same_features(&runtime, fitted, valid)?;
    let tract = Model::load_with(&encoded, EngineChoice::Tract)?;
    let features = &fitted.valid.features;
    let outputs = EngineOutputs {
        burn: forward(&fitted.trained.model, features, fitted.valid.width)?,
        dense: runtime.raw_outputs(features)?,
        tract: tract.raw_outputs(features)?,
    };
    let all = [&outputs.burn, &outputs.dense, &outputs.tract];
    if all.iter().any(|o| o.iter().any(|x| !x.is_finite())) {
        return Err(Error::Training(
            "training diverged: the network outputs non-finite values (try a smaller --learning-rate)".into(),
        ));
    }
    let check = ExportCheck {
        burn_vs_tract: max_abs_diff(&outputs.burn, &outputs.tract),
        burn_vs_dense: max_abs_diff(&outputs.burn, &outputs.dense),
        dense_vs_tract: max_abs_diff(&outputs.dense, &outputs.tract),
    };
    for (what, d) in [
        ("tract and Burn", check.burn_vs_tract),
        ("the dense kernel and Burn", check.burn_vs_dense),
        ("the dense kernel and tract", check.dense_vs_tract),
    ] {
        if d > tolerance::LOGIT_ABS {
            return Err(Error::ExportCheck(format!(
                "{what} outputs differ by {d:e}"
            )));
        }
    }
    Ok(Verified {
        runtime,
        outputs,
        check,
    })
}

/// The runtime's preprocessing must write exactly training's features on every row.
fn same_features(runtime: &Model, fitted: &Fitted, valid: &[Instance]) -> Result<()> {
    let width = fitted.valid.width;
    for (i, inst) in valid.iter().enumerate() {
        let f = runtime.features(inst, TransformOptions::default())?;
        let expected = &fitted.valid.features[i * width..(i + 1) * width];
        if f.iter()
            .map(|x| x.to_bits())
            .ne(expected.iter().map(|x| x.to_bits()))
        {
            return Err(Error::ExportCheck(format!(
                "the bundle's preprocessing differs from training's on validation row {i}"
            )));
        }
    }
    Ok(())
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() as f64)
        .fold(0.0, f64::max)
}
