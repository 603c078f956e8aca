//! The confusion matrix and what is read off it: accuracy, balanced accuracy, F1 (macro and
//! weighted), each with scikit-learn's conventions for classes absent from some rows.

use serde::Serialize;

/// `counts[true][predicted]` over `n` classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Rows: the true class; columns: the predicted one.
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    /// Count `(truth, predicted)` pairs of class indices below `n_classes` (others are
    /// ignored: the caller checked them).
    pub fn new(truth: &[usize], predicted: &[usize], n_classes: usize) -> Self {
        let mut counts = vec![vec![0usize; n_classes]; n_classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            if let Some(cell) = counts.get_mut(t).and_then(|row| row.get_mut(p)) {
                *cell += 1;
            }
        }
        Confusion { counts }
    }

    fn tp(&self, c: usize) -> f64 {
        self.counts[c][c] as f64
    }

    /// Rows whose true class is `c` (the class's support).
    fn actual(&self, c: usize) -> usize {
        self.counts[c].iter().sum()
    }

    /// Rows predicted as `c`.
    fn predicted(&self, c: usize) -> usize {
        self.counts.iter().map(|row| row[c]).sum()
    }

    fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Share of rows predicted right.
    pub fn accuracy(&self) -> f64 {
        let right: f64 = (0..self.counts.len()).map(|c| self.tp(c)).sum();
        right / self.total().max(1) as f64
    }

    /// Mean recall over the classes present in the truth (scikit-learn's
    /// `balanced_accuracy_score`).
    pub fn balanced_accuracy(&self) -> f64 {
        let recalls: Vec<f64> = (0..self.counts.len())
            .filter(|&c| self.actual(c) > 0)
            .map(|c| self.tp(c) / self.actual(c) as f64)
            .collect();
        mean(&recalls)
    }

    /// F1 of class `c` (0 when it is neither true nor predicted anywhere).
    fn f1(&self, c: usize) -> f64 {
        let denominator = (self.actual(c) + self.predicted(c)) as f64;
        if denominator == 0.0 {
            0.0
        } else {
            2.0 * self.tp(c) / denominator
        }
    }

    /// The classes present in the truth or the predictions: the ones scikit-learn averages
    /// over when it is not given the labels.
    fn present(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.counts.len()).filter(|&c| self.actual(c) + self.predicted(c) > 0)
    }

    /// Unweighted mean F1 over the present classes (`f1_score(average="macro")`).
    pub fn f1_macro(&self) -> f64 {
        let f1s: Vec<f64> = self.present().map(|c| self.f1(c)).collect();
        mean(&f1s)
    }

    /// Mean F1 weighted by each class's support (`f1_score(average="weighted")`).
    pub fn f1_weighted(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        let weighted: f64 = self
            .present()
            .map(|c| self.f1(c) * self.actual(c) as f64)
            .sum();
        weighted / total as f64
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_absent_from_truth_and_predictions_is_not_averaged_in() {
        // Class 2 exists but appears nowhere: per class F1 6/7 and 8/9, as scikit-learn.
        let c = Confusion::new(&[0, 0, 0, 1, 1, 1, 1, 0], &[0, 0, 1, 1, 1, 1, 1, 0], 3);
        assert!((c.f1_macro() - (6.0 / 7.0 + 8.0 / 9.0) / 2.0).abs() < 1e-12);
        assert!((c.accuracy() - 7.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_class_only_predicted_counts_as_zero_in_the_macro_mean() {
        let c = Confusion::new(&[0, 0, 0, 1, 1, 1], &[0, 0, 2, 1, 1, 1], 3);
        assert!((c.f1_macro() - (0.8 + 1.0 + 0.0) / 3.0).abs() < 1e-12);
        // Its support is 0, so the weighted mean ignores it.
        assert!((c.f1_weighted() - (0.8 * 3.0 + 1.0 * 3.0) / 6.0).abs() < 1e-12);
        // Balanced accuracy: recalls of the true classes 0 and 1.
        assert!((c.balanced_accuracy() - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
    }
}
