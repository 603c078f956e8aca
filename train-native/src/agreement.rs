//! Whether two engines agree, in what users get: class probabilities (softmax of the logits)
//! for a classifier, unscaled values for a regressor. Logits themselves are not compared: a
//! healthy network trained at a high learning rate has large logits, which float32 engines
//! round differently by more than any absolute tolerance, while the probabilities agree.
//!
//! Tolerances are core's named ones: [`tolerance::EXPORT_PROBABILITY_ABS`] on probabilities;
//! [`tolerance::EXPORT_VALUE_REL`] relative to a value plus [`tolerance::LOGIT_ABS`] times the
//! target's scale on values.

use tandem_core::bundle::TargetScaling;
use tandem_core::prediction::softmax;
use tandem_core::tolerance;

/// What the outputs mean to a user.
#[derive(Debug, Clone, Copy)]
pub enum Outputs<'a> {
    /// Logits, `n` per row, turned into probabilities.
    Logits {
        /// Classes (outputs per row).
        n: usize,
    },
    /// One scaled value per row, unscaled with the target's scaling (if any).
    Values {
        /// The target's scaling.
        scaling: Option<&'a TargetScaling>,
    },
}

/// The largest disagreement between two engines on the same rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gap {
    /// Largest absolute difference, in user units (probability or value).
    pub max: f64,
    /// The first row and output where the difference exceeds its tolerance, with both
    /// user-unit values and the tolerance there.
    pub beyond: Option<Beyond>,
}

/// Where two engines disagree beyond the tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beyond {
    /// Row (0-based, in the compared rows).
    pub row: usize,
    /// Output (class index; 0 for a value).
    pub output: usize,
    /// The first engine's probability or value.
    pub a: f64,
    /// The second engine's.
    pub b: f64,
    /// The tolerance at that value.
    pub tolerance: f64,
}

/// Compare `a` and `b` (row-major raw outputs of the same rows) as users see them.
pub fn compare(a: &[f32], b: &[f32], outputs: Outputs) -> Gap {
    let mut gap = Gap::default();
    let mut note = |row: usize, output: usize, x: f64, y: f64, tolerance: f64| {
        let d = (x - y).abs();
        gap.max = gap.max.max(d);
        let within = d <= tolerance; // false for NaN
        if gap.beyond.is_none() && !within {
            gap.beyond = Some(Beyond {
                row,
                output,
                a: x,
                b: y,
                tolerance,
            });
        }
    };
    match outputs {
        Outputs::Logits { n } => {
            let n = n.max(1);
            for (row, (ra, rb)) in a.chunks(n).zip(b.chunks(n)).enumerate() {
                for (c, (x, y)) in softmax(ra).into_iter().zip(softmax(rb)).enumerate() {
                    note(row, c, x, y, tolerance::EXPORT_PROBABILITY_ABS);
                }
            }
        }
        Outputs::Values { scaling } => {
            let (mean, scale) = scaling.map_or((0.0, 1.0), |s| (s.mean, s.scale));
            for (row, (x, y)) in a.iter().zip(b).enumerate() {
                let (x, y) = (*x as f64 * scale + mean, *y as f64 * scale + mean);
                let tol = tolerance::LOGIT_ABS * scale.abs()
                    + tolerance::EXPORT_VALUE_REL * x.abs().max(y.abs());
                note(row, 0, x, y, tol);
            }
        }
    }
    gap
}

/// The largest absolute raw output (a logit or a scaled value): what makes engines round
/// differently.
pub fn largest_output(outputs: &[f32]) -> f64 {
    outputs.iter().map(|x| x.abs() as f64).fold(0.0, f64::max)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn large_logits_rounded_differently_agree_on_probabilities() {
        // Logits in the thousands, off by 1e-3 between engines (float32 sums in another
        // order): far beyond LOGIT_ABS, yet the probabilities users get are the same.
        let a = [2400.0f32, -1800.0, 35.5, 1200.0, 1150.0, -4.0];
        let b = [2400.002f32, -1800.001, 35.5, 1200.001, 1150.0, -4.0];
        let raw = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs() as f64)
            .fold(0.0, f64::max);
        assert!(raw > tolerance::LOGIT_ABS, "the logits do differ: {raw}");
        let gap = compare(&a, &b, Outputs::Logits { n: 3 });
        assert_eq!(gap.beyond, None, "{gap:?}");
    }

    #[test]
    fn a_broken_export_is_refused_with_the_row_and_both_probabilities() {
        // The second row's logits are swapped, as a wrongly transposed weight would do.
        let a = [1.0f32, 2.0, 0.5, 3.0, 0.1, -1.0];
        let b = [1.0f32, 2.0, 0.5, 0.1, 3.0, -1.0];
        let gap = compare(&a, &b, Outputs::Logits { n: 3 });
        let at = gap.beyond.unwrap();
        assert_eq!((at.row, at.output), (1, 0));
        assert!((at.a - at.b).abs() > 0.5, "{at:?}");
        assert!(gap.max > tolerance::EXPORT_PROBABILITY_ABS);
    }

    #[test]
    fn regression_values_compare_relative_to_their_size_after_unscaling() {
        let scaling = TargetScaling {
            mean: 50_000.0,
            scale: 20_000.0,
        };
        let outputs = Outputs::Values {
            scaling: Some(&scaling),
        };
        // 1e-6 apart in scaled units: 0.02 in dollars on ~90 000, well within 1e-4 relative.
        let gap = compare(&[2.0f32, -1.0], &[2.000_001, -1.0], outputs);
        assert_eq!(gap.beyond, None, "{gap:?}");
        // 0.01 apart in scaled units: 200 dollars, beyond it.
        let gap = compare(&[2.0f32, -1.0], &[2.01, -1.0], outputs);
        let at = gap.beyond.unwrap();
        assert_eq!(at.row, 0);
        assert!(
            (at.a - 90_000.0).abs() < 1.0 && (at.b - 90_200.0).abs() < 1.0,
            "{at:?}"
        );
    }

    #[test]
    fn a_non_finite_output_never_passes() {
        let gap = compare(&[f32::NAN], &[1.0], Outputs::Values { scaling: None });
        assert!(gap.beyond.is_some());
    }
}
