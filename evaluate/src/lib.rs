//! Tandem's evaluation pipeline: the metrics of a model's predictions against true labels.
//!
//! One implementation for every place a model is scored: training's validation and test
//! splits (`tandem-train`) and `tandem evaluate` on new labelled data. Classification:
//! accuracy, balanced accuracy, macro and weighted F1, log loss, ROC AUC and average precision
//! (binary, or one-vs-rest macro), the confusion matrix and calibration (reliability curve,
//! ECE, Brier). Regression: RMSE, MAE, MAPE where defined, R² and the residuals' summary.
//! Each follows scikit-learn's definition and is checked against it on real predictions
//! (`tests/fixtures/metrics/make.py`, within 1e-9).
//!
//! The monitoring side draws the drift report ([`drift_svg`]; the statistics are
//! `tandem_core::drift`'s, shared with `tandem serve`'s `/metrics`).
//!
//! The pipeline: [`read_labelled`] reads a labelled CSV or JSON Lines file against a model's
//! schema (nothing dropped: a row whose fields or label do not read keeps its reason), and
//! [`evaluate`] predicts every readable row with the model and scores them, listing the
//! rejected rows.

mod calibration;
mod classification;
mod confusion;
mod drift_plot;
mod labelled;
mod outputs;
mod pipeline;
mod plots;
mod ranking;
mod regression;

pub use calibration::{BINS, Calibration, ReliabilityBin, calibration};
pub use classification::{ClassificationReport, classification, log_loss};
pub use confusion::Confusion;
pub use drift_plot::drift_svg;
pub use labelled::{Label, LabelError, LabelledError, LabelledRow, read_labelled};
pub use outputs::{Truth, of_outputs, probabilities, values};
pub use pipeline::{Evaluation, Rejected, Report, Scored, evaluate};
pub use plots::{Plot, plots};
pub use ranking::{average_precision, one_vs_rest, roc_auc};
pub use regression::{RESIDUAL_PERCENTILES, regression};

/// Index of the largest value (the first on ties): the predicted class.
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}
