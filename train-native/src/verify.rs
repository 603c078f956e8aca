//! The export check: before anything is written, the encoded bundle is loaded exactly as a
//! user app loads it, and must reproduce training's features bit for bit (no train/serve
//! skew) and Burn's outputs on every validation row, on both engines (the dense kernel users
//! get by default, and tract on the NNEF graph), compared as users see them (probabilities,
//! unscaled values: [`crate::agreement`]).

use tandem_core::prep::TransformOptions;
use tandem_core::runtime::EngineChoice;
use tandem_core::{Bundle, Instance, Model};

use crate::agreement::{self, Beyond, Outputs};
use crate::error::{Error, Result};
use crate::pipeline::Fitted;
use crate::spec::ModelSpec;
use crate::trainer::forward;

/// Largest differences between the engines on the validation rows, in what users get:
/// probabilities for a classifier, unscaled values for a regressor.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportCheck {
    /// tract vs Burn.
    pub burn_vs_tract: f64,
    /// The dense kernel vs Burn.
    pub burn_vs_dense: f64,
    /// The dense kernel vs tract.
    pub dense_vs_tract: f64,
    /// The largest absolute raw output (logit or scaled value) Burn computed.
    pub largest_output: f64,
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

/// Load `bundle` from its encoded bytes and compare it with training on `valid` rows;
/// `model` (the settings it was trained with) words the advice when they disagree.
pub fn verify(
    bundle: &Bundle,
    fitted: &Fitted,
    valid: &[Instance],
    model: &ModelSpec,
) -> Result<Verified> {
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
        return Err(Error::Training(format!(
            "training diverged: the network outputs non-finite values; {}",
            advice(model)
        )));
    }
    let kind = match &fitted.target_scaling {
        Some(s) => Outputs::Values { scaling: Some(s) },
        None => Outputs::Logits {
            n: bundle.metadata.model.n_outputs,
        },
    };
    let pairs = [
        ("tract", "Burn", &outputs.tract, &outputs.burn),
        ("the dense kernel", "Burn", &outputs.dense, &outputs.burn),
        ("the dense kernel", "tract", &outputs.dense, &outputs.tract),
    ];
    let mut gaps = [0.0; 3];
    for (gap, (a_name, b_name, a, b)) in gaps.iter_mut().zip(pairs) {
        let g = agreement::compare(a, b, kind);
        *gap = g.max;
        if let Some(at) = g.beyond {
            let largest = agreement::largest_output(&outputs.burn);
            return Err(Error::ExportCheck(disagreement(
                (a_name, b_name),
                &at,
                kind,
                largest,
                model,
            )));
        }
    }
    let check = ExportCheck {
        burn_vs_tract: gaps[0],
        burn_vs_dense: gaps[1],
        dense_vs_tract: gaps[2],
        largest_output: agreement::largest_output(&outputs.burn),
    };
    Ok(Verified {
        runtime,
        outputs,
        check,
    })
}

/// What happened, in a user's words, and what to do about it.
fn disagreement(
    (a_name, b_name): (&str, &str),
    at: &Beyond,
    kind: Outputs,
    largest: f64,
    model: &ModelSpec,
) -> String {
    let what = match kind {
        Outputs::Logits { .. } => format!("the probability of class {}", at.output),
        Outputs::Values { .. } => "the predicted value".to_string(),
    };
    format!(
        "{a_name} and {b_name} give different predictions: on validation row {} {what} is \
         {} and {} (difference {:.3e}, tolerance {:.1e}), so users would not get the model \
         that was trained. The network's largest raw output is {largest:.3e}; outputs that \
         large are rounded differently by each engine. {}",
        at.row + 1,
        at.a,
        at.b,
        (at.a - at.b).abs(),
        at.tolerance,
        advice(model)
    )
}

/// The settings that keep a network's outputs moderate.
fn advice(model: &ModelSpec) -> String {
    if model.hidden.is_empty() {
        // Fitted exactly (crate::linear): no learning rate, and 0 is already a penalty.
        return format!(
            "Try a stronger weight decay (now {}: 0 means scikit-learn's default strength, \
             about 1 / rows; `--weight-decay` or `[model] weight_decay`), or scaled features \
             (`scale = \"standard\"` on numeric features).",
            model.weight_decay
        );
    }
    format!(
        "Try a lower learning rate (now {}: `--learning-rate` or `[model] learning_rate`), \
         weight decay (now {}: `--weight-decay 1e-4` or `[model] weight_decay`), or scaled \
         features (`scale = \"standard\"` on numeric features).",
        model.learning_rate, model.weight_decay
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_export_check_says_what_differs_and_what_to_do() {
        let at = Beyond {
            row: 4,
            output: 1,
            a: 0.61,
            b: 0.58,
            tolerance: tandem_core::tolerance::EXPORT_PROBABILITY_ABS,
        };
        let model = ModelSpec {
            learning_rate: 1.0,
            ..ModelSpec::default()
        };
        let m = disagreement(
            ("the dense kernel", "Burn"),
            &at,
            Outputs::Logits { n: 3 },
            2345.0,
            &model,
        );
        for part in [
            "validation row 5 the probability of class 1 is 0.61 and 0.58",
            "users would not get the model that was trained",
            "largest raw output is 2.345e3",
            "lower learning rate (now 1",
            "weight decay (now 0",
            "scale = \"standard\"",
        ] {
            assert!(m.contains(part), "{part:?} in {m}");
        }
    }
}
