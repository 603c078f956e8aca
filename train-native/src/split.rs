//! Seeded, stratified train/validation split.
//!
//! The rule is simple enough to reimplement exactly in another language (the scikit-learn
//! reference in `bench/sklearn_reference.py` does): for each class in sorted order, take its
//! row indices in file order, Fisher–Yates shuffle them with SplitMix64 seeded by `seed`
//! (one generator for the whole split, `j = next() % (i + 1)` for `i` from `n - 1` down to 1),
//! and send the first `round(n * validation)` to validation, the next `round(n * test)` to
//! test, the rest to training. Regression uses one group.

/// SplitMix64: a tiny, well-known, portable generator.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Shuffle in place (Fisher–Yates, from the back).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Row indices of each side of a split, each sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Rows used for fitting.
    pub train: Vec<usize>,
    /// Held-out rows for early stopping and validation metrics.
    pub validation: Vec<usize>,
    /// Held-out rows never seen during training (empty without a test fraction).
    pub test: Vec<usize>,
}

/// Split rows into train/validation/test; `groups[i]` is row `i`'s class (0 for regression).
pub fn stratified_split(groups: &[usize], fraction: f64, test_fraction: f64, seed: u64) -> Split {
    let n_groups = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    let mut validation = Vec::new();
    let mut test = Vec::new();
    for g in 0..n_groups {
        let mut rows: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == g).collect();
        rng.shuffle(&mut rows);
        let n_val = (rows.len() as f64 * fraction).round() as usize;
        let n_test = ((rows.len() as f64 * test_fraction).round() as usize)
            .min(rows.len() - n_val.min(rows.len()));
        let n_val = n_val.min(rows.len());
        validation.extend_from_slice(&rows[..n_val]);
        test.extend_from_slice(&rows[n_val..n_val + n_test]);
        train.extend_from_slice(&rows[n_val + n_test..]);
    }
    train.sort_unstable();
    validation.sort_unstable();
    test.sort_unstable();
    Split {
        train,
        validation,
        test,
    }
}

/// Why a split left training or validation empty, naming the smallest classes and their
/// rows (`groups[i]` is row `i`'s class; `classes` their names, `None` for regression).
pub fn too_small(groups: &[usize], classes: Option<&[String]>, validation: f64) -> String {
    let n = groups.len();
    // `round(rows * validation)` gives a class a validation row from this many rows on.
    let needed = (0.5 / validation).ceil().max(2.0) as usize;
    let Some(classes) = classes else {
        return format!(
            "not enough rows to split: {n} rows with a validation fraction of {validation} \
             leave training or validation empty (at least {needed} rows are needed)"
        );
    };
    let mut counts: Vec<(usize, &str)> = classes
        .iter()
        .enumerate()
        .map(|(k, c)| (groups.iter().filter(|&&g| g == k).count(), c.as_str()))
        .filter(|(count, _)| *count > 0)
        .collect();
    counts.sort();
    let smallest: Vec<String> = counts
        .iter()
        .take(5)
        .map(|(count, c)| {
            format!(
                "`{c}` has {count} row{}",
                if *count == 1 { "" } else { "s" }
            )
        })
        .collect();
    let numeric = classes.iter().all(|c| c.trim().parse::<f64>().is_ok());
    let hint = if numeric {
        " If the label is a number to predict, train a regression: --task regression \
         (`task = \"regression\"` in [data])."
    } else {
        " Add rows to the small classes, or merge or drop them."
    };
    format!(
        "not enough rows to split: with a validation fraction of {validation} a class needs \
         at least {needed} rows to give validation a row; the smallest of {} classes over {n} \
         rows: {}.{hint}",
        counts.len(),
        smallest.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // Reference from the SplitMix64 paper's C code, seed 1234567.
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn a_split_that_fails_names_the_smallest_class_and_its_rows() {
        let classes: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let msg = too_small(&[0, 0, 1], Some(&classes), 0.2);
        assert!(msg.contains("`b` has 1 row, `a` has 2 rows"), "{msg}");
        assert!(msg.contains("at least 3 rows"), "{msg}");
        assert!(!msg.contains("regression"), "{msg}");
        let numbers: Vec<String> = ["1.5", "2.5"].map(String::from).to_vec();
        let msg = too_small(&[0, 1], Some(&numbers), 0.2);
        assert!(msg.contains("--task regression"), "{msg}");
        let msg = too_small(&[0, 0], None, 0.2);
        assert!(msg.contains("2 rows"), "{msg}");
    }

    #[test]
    fn split_is_stratified_disjoint_and_seeded() {
        let groups: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let s = stratified_split(&groups, 0.2, 0.0, 0);
        assert_eq!(s.validation.len(), 20);
        assert!(s.test.is_empty());
        assert_eq!(s.validation.iter().filter(|&&i| groups[i] == 1).count(), 5);
        let mut all: Vec<usize> = s.train.iter().chain(&s.validation).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(s, stratified_split(&groups, 0.2, 0.0, 0));
        assert_ne!(s, stratified_split(&groups, 0.2, 0.0, 1));
        let t = stratified_split(&groups, 0.2, 0.2, 0);
        assert_eq!(
            t.validation, s.validation,
            "adding a test split keeps validation"
        );
        assert_eq!((t.test.len(), t.train.len()), (20, 60));
        assert_eq!(t.test.iter().filter(|&&i| groups[i] == 1).count(), 5);
    }
}
