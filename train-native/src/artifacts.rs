//! A run's artifacts besides the bundle, rendered from its [`Outcome`]: the loss history,
//! the metrics, the split and the plots. The caller decides where they are stored.

use serde_json::{Value as Json, json};

use crate::prepare::Prepared;
use crate::run::Outcome;

impl Outcome {
    /// `history.csv`: one row per epoch.
    pub fn history_csv(&self) -> String {
        std::iter::once("epoch,train_loss,validation_loss\n".to_string())
            .chain(
                self.history
                    .iter()
                    .map(|h| format!("{},{},{}\n", h.epoch, h.train_loss, h.validation_loss)),
            )
            .collect()
    }

    /// `metrics.json`: metrics per split, how training went, the export check.
    pub fn metrics_json(&self) -> Json {
        let m = &self.metrics;
        json!({
            "train": m.train,
            "validation": m.validation,
            "test": m.test,
            "cross_validation": m.cross_validation,
            "best_epoch": self.best_epoch,
            "epochs_run": self.history.len(),
            "train_seconds": self.train_seconds,
            "export_max_abs_diff_burn_vs_tract": self.check.burn_vs_tract,
            "export_max_abs_diff_burn_vs_dense": self.check.burn_vs_dense,
            "export_max_abs_diff_dense_vs_tract": self.check.dense_vs_tract,
            "export_largest_output": self.check.largest_output,
        })
    }

    /// The plots (file name, SVG) the model card's evidence supports.
    pub fn plots(&self) -> Vec<(&'static str, String)> {
        crate::plots::all(
            self.bundle.metadata.evaluation.as_ref(),
            &self.bundle.schema,
        )
    }
}

/// `split.json`: which data rows went where, and what the training-only nodes dropped.
pub fn split_json(prepared: &Prepared) -> Json {
    let rows = |idx: &[usize]| -> Vec<usize> {
        idx.iter().map(|&i| prepared.rows.source_rows[i]).collect()
    };
    let split = &prepared.split;
    let mut out = json!({
        "rows": "1-based data rows of the training file",
        "train": rows(&split.train),
        "validation": rows(&split.validation),
        "test": rows(&split.test),
        "dropped_missing_label": prepared.dropped.missing_label,
        "dropped_by_filter": prepared.dropped.by_filter,
        "dropped_duplicates": prepared.dropped.duplicates,
        "quarantined": prepared.quarantined.iter().map(|q| q.row).collect::<Vec<_>>(),
    });
    if let Some(s) = &prepared.streamed {
        // A streamed run holds samples of its parts: the lists are those, the counts all.
        out["rows"] = json!(
            "1-based data rows of the training file: a uniform sample of each part (the run \
             was streamed; a row's part is drawn from a seeded hash of its row number)"
        );
        out["counts"] = json!({"train": s.parts[0], "validation": s.parts[1], "test": s.parts[2]});
    }
    out
}
