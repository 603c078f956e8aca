//! Drift: how far new inputs are from the training data, field by raw field.
//!
//! At training, [`Reference::fit`] (feature `fit`) profiles every input field of the training
//! split into the bundle's `reference.json` part: numbers as counts in bins cut at the training
//! deciles plus the percentiles, mean and standard deviation; categories and booleans as counts
//! per value; text as counts of lengths in decile bins and the share of its tokens in the
//! training vocabulary; every field with its count of missing values. [`Reference::compare`]
//! then bins new rows the same way and reports, per field, the population stability index, the
//! Jensen-Shannon distance, the Wasserstein distance in training standard deviations (numbers),
//! the change in missing rate, unseen categories and the vocabulary hit rate (text), and a
//! status by the PSI conventions ([`Status`]). The formulas are in `docs/drift.md`, checked
//! against NumPy and SciPy by `tests/py/test_drift.py`.

mod compare;
#[cfg(feature = "fit")]
mod fit;
mod measures;

pub use compare::{Bin, DriftReport, FieldDrift};
pub use measures::{PROPORTION_FLOOR, js_distance, psi};

use serde::{Deserialize, Serialize};

/// PSI below this: stable.
pub const PSI_MODERATE: f64 = 0.1;
/// PSI from this on: drifted (between the two: a moderate shift).
pub const PSI_DRIFTED: f64 = 0.25;
/// Percentiles stored per number field (0, 1, ..., 100), for the Wasserstein distance.
pub const PERCENTILES: usize = 101;
/// Categories profiled per field, most frequent first (the rest count as `other`).
pub const MAX_CATEGORIES: usize = 100;
/// Tokens kept per text field's vocabulary, most frequent first.
pub const MAX_VOCABULARY: usize = 1000;

/// A field's status, by its PSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// PSI below [`PSI_MODERATE`].
    Stable,
    /// PSI in [`PSI_MODERATE`], [`PSI_DRIFTED`]).
    Moderate,
    /// PSI at least [`PSI_DRIFTED`].
    Drifted,
}

impl Status {
    /// The status of a PSI.
    pub fn of(psi: f64) -> Status {
        if psi >= PSI_DRIFTED {
            Status::Drifted
        } else if psi >= PSI_MODERATE {
            Status::Moderate
        } else {
            Status::Stable
        }
    }

    /// Its name, as reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Moderate => "moderate",
            Status::Drifted => "drifted",
        }
    }
}

/// The training data's profile: the `reference.json` part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Training rows profiled.
    pub rows: u64,
    /// One profile per input field, in schema order.
    pub fields: Vec<FieldReference>,
}

/// One field's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldReference {
    /// The field.
    pub field: String,
    /// Training rows where it was missing.
    pub missing: u64,
    /// What its values looked like.
    pub profile: Profile,
}

/// The values of one field in training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Profile {
    /// A number or integer field.
    Number {
        /// Interior bin edges (the training deciles, without repeats): a value `x` falls in
        /// bin `i` when `edges[i-1] < x <= edges[i]`.
        edges: Vec<f64>,
        /// Training values per bin (`edges.len() + 1`).
        counts: Vec<u64>,
        /// The 0th to 100th percentiles (linear interpolation, NumPy's default).
        percentiles: Vec<f64>,
        /// Mean.
        mean: f64,
        /// Population standard deviation.
        std: f64,
    },
    /// A category field.
    Category {
        /// The most frequent training categories (at most [`MAX_CATEGORIES`]), by count.
        categories: Vec<String>,
        /// Training rows per category.
        counts: Vec<u64>,
        /// Training rows holding another category.
        other: u64,
    },
    /// A boolean field.
    Boolean {
        /// Training rows `false`, `true`.
        counts: [u64; 2],
    },
    /// A text field.
    Text {
        /// Interior bin edges of the length in characters (training deciles).
        edges: Vec<f64>,
        /// Training values per length bin.
        counts: Vec<u64>,
        /// The most frequent training tokens (at most [`MAX_VOCABULARY`]), sorted.
        vocabulary: Vec<String>,
        /// Share of the training tokens in `vocabulary`.
        hit_rate: f64,
    },
}

fn sorted_finite(xs: &[f64]) -> bool {
    xs.iter().all(|x| x.is_finite()) && xs.windows(2).all(|w| w[0] <= w[1])
}

impl Reference {
    /// Check what [`Reference::compare`] relies on (a profile from a file may be hand-edited):
    /// one count per bin, sorted finite edges and percentiles, one count per category, a
    /// sorted vocabulary. The error says which field and why.
    pub fn check(&self) -> Result<(), String> {
        for f in &self.fields {
            let why = match &f.profile {
                Profile::Number {
                    edges,
                    counts,
                    percentiles,
                    mean,
                    std,
                } => {
                    if counts.len() != edges.len() + 1 {
                        Some("a number profile needs one count more than edges")
                    } else if !sorted_finite(edges) || !sorted_finite(percentiles) {
                        Some("edges and percentiles must be finite and ascending")
                    } else if !(mean.is_finite() && std.is_finite() && *std >= 0.0) {
                        Some("mean and std must be finite, std not negative")
                    } else {
                        None
                    }
                }
                Profile::Text {
                    edges,
                    counts,
                    vocabulary,
                    hit_rate,
                } => {
                    if counts.len() != edges.len() + 1 || !sorted_finite(edges) {
                        Some("a text profile needs ascending finite edges and one count more")
                    } else if !vocabulary.windows(2).all(|w| w[0] < w[1]) {
                        Some("the vocabulary must be sorted without repeats")
                    } else if !(0.0..=1.0).contains(hit_rate) {
                        Some("the hit rate must be between 0 and 1")
                    } else {
                        None
                    }
                }
                Profile::Category {
                    categories, counts, ..
                } => (categories.len() != counts.len())
                    .then_some("a category profile needs one count per category"),
                Profile::Boolean { .. } => None,
            };
            if let Some(why) = why {
                return Err(format!("field `{}`: {why}", f.field));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(edges: Vec<f64>, counts: Vec<u64>) -> Reference {
        Reference {
            rows: 10,
            fields: vec![FieldReference {
                field: "x".into(),
                missing: 0,
                profile: Profile::Number {
                    edges,
                    counts,
                    percentiles: vec![],
                    mean: 0.0,
                    std: 1.0,
                },
            }],
        }
    }

    #[test]
    fn a_hand_edited_profile_that_would_misbin_is_refused_naming_its_field() {
        assert_eq!(number(vec![1.0, 2.0], vec![3, 3, 4]).check(), Ok(()));
        let e = number(vec![1.0, 2.0, 3.0], vec![3, 3]).check().unwrap_err();
        assert!(e.starts_with("field `x`"), "{e}");
        assert!(number(vec![2.0, 1.0], vec![3, 3, 4]).check().is_err());
        assert!(number(vec![f64::NAN], vec![3, 3]).check().is_err());
    }
}
