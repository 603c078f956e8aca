//! Exact counts of distinct values, up to a cap on how many distinct values are kept.

use std::collections::BTreeMap;

/// Distinct values kept before new ones are only counted as overflow.
pub const MAX_DISTINCT: usize = 1_000_000;

/// How often each value occurs; past [`MAX_DISTINCT`] distinct values, a value not yet seen
/// is counted in [`Counts::overflow`] instead of being kept. Values already kept go on being
/// counted exactly, so a frequent value is never lost once seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    counts: BTreeMap<String, u64>,
    overflow: u64,
    cap: usize,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            counts: BTreeMap::new(),
            overflow: 0,
            cap: MAX_DISTINCT,
        }
    }
}

impl Counts {
    /// Counts keeping at most `cap` distinct values.
    pub fn with_cap(cap: usize) -> Self {
        Counts {
            cap,
            ..Counts::default()
        }
    }

    /// Whether `value` is kept.
    pub fn contains(&self, value: &str) -> bool {
        self.counts.contains_key(value)
    }

    /// Count `value` once.
    pub fn push(&mut self, value: &str) {
        self.push_n(value, 1);
    }

    /// Count `value` `n` times.
    pub fn push_n(&mut self, value: &str, n: u64) {
        if n == 0 {
            return;
        }
        if let Some(c) = self.counts.get_mut(value) {
            *c += n;
        } else if self.counts.len() < self.cap {
            self.counts.insert(value.to_string(), n);
        } else {
            self.overflow += n;
        }
    }

    /// Values and their counts, in value order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.counts.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Distinct values kept.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.overflow == 0
    }

    /// Values counted after the cap, not kept.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The most frequent value (the smallest on ties), as `SimpleImputer(strategy=
    /// "most_frequent")`.
    pub fn most_frequent(&self) -> Option<&str> {
        let mut best: Option<(&str, u64)> = None;
        for (c, n) in self.iter() {
            if best.is_none_or(|(_, b)| n > b) {
                best = Some((c, n));
            }
        }
        best.map(|(c, _)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_exact_and_ties_go_to_the_smallest() {
        let mut c = Counts::default();
        for v in ["b", "a", "b", "a", "c"] {
            c.push(v);
        }
        assert_eq!(c.most_frequent(), Some("a"));
        c.push_n("c", 2);
        assert_eq!(c.most_frequent(), Some("c"));
        assert_eq!(c.iter().collect::<Vec<_>>(), [("a", 2), ("b", 2), ("c", 3)]);
        assert_eq!(Counts::default().most_frequent(), None);
    }
}
