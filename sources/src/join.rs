//! Labels from elsewhere (a labelling tool's export) joined to instances by a key.
//!
//! The label source is read first into a map from key to label; instances then stream
//! through, each given its label, or none (a left join: an instance without a label is kept,
//! and training drops it as unlabelled, counted). Keys compare as text, a whole number
//! written as a float as its integer (`3`, `3.0` and `"3"` are one key; `007` stays `007`).
//! A key labelled twice with different labels is a conflict: its instances get no label
//! rather than either one. A label row without a key or a label is counted and skipped.
//! Every count is reported and recorded.

use std::collections::HashMap;

use crate::SourceError;
use crate::cell::{Cell, Sink};

/// How labels are joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinKeys {
    /// The key column, in both sources.
    pub key: String,
    /// The label column in the label source.
    pub column: String,
    /// The label's name in the joined rows (the spec's `[data] label`).
    pub label: String,
}

/// What the join found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinReport {
    /// Instance rows read.
    pub instances: u64,
    /// Label rows read.
    pub labels: u64,
    /// Instances given a label.
    pub matched: u64,
    /// Instances whose key has no label (or no key).
    pub instances_unmatched: u64,
    /// Distinct labelled keys no instance has.
    pub labels_unmatched: u64,
    /// Keys labelled twice with different labels.
    pub conflicting_keys: u64,
    /// Label rows without a key or without a label.
    pub labels_incomplete: u64,
    /// A few unmatched instance keys, to look up.
    pub unmatched_examples: Vec<String>,
}

/// The label source, by key.
#[derive(Default)]
pub struct LabelMap {
    map: HashMap<String, Entry>,
    conflicts: u64,
    rows: u64,
    incomplete: u64,
}

struct Entry {
    label: Cell,
    used: bool,
    conflict: bool,
}

/// A key as compared: trimmed, and a whole number written as a float (`3.0`, as pandas
/// writes an integer column with gaps) as the integer. Leading zeros stay (`007` is not `7`).
fn key_of(c: &Cell) -> Option<String> {
    let t = c.text()?;
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    if let Some((int, frac)) = t.split_once('.')
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
        && !int.trim_start_matches('-').is_empty()
        && int
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return Some(int.to_string());
    }
    Some(t.to_string())
}

/// A sink filling a [`LabelMap`].
pub struct Collect<'a> {
    keys: &'a JoinKeys,
    map: &'a mut LabelMap,
    at: Option<(usize, usize)>,
}

impl<'a> Collect<'a> {
    /// Collect into `map`.
    pub fn new(keys: &'a JoinKeys, map: &'a mut LabelMap) -> Self {
        Collect {
            keys,
            map,
            at: None,
        }
    }
}

impl Sink for Collect<'_> {
    fn columns(&mut self, names: &[String]) -> Result<(), SourceError> {
        let find = |n: &str| names.iter().position(|c| c == n);
        self.at = find(&self.keys.key).zip(find(&self.keys.column));
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), SourceError> {
        let Some((k, l)) = self.at else {
            return Err(SourceError::Join {
                reason: format!(
                    "the label source needs the columns `{}` (key) and `{}` (label)",
                    self.keys.key, self.keys.column
                ),
            });
        };
        self.map.rows += 1;
        let key = cells.get(k).and_then(key_of);
        let label = cells.get(l).cloned().unwrap_or(Cell::Null);
        let (Some(key), Some(text)) = (key, label.text().map(|t| t.into_owned())) else {
            self.map.incomplete += 1;
            return Ok(());
        };
        match self.map.map.get_mut(&key) {
            None => {
                self.map.map.insert(
                    key,
                    Entry {
                        label,
                        used: false,
                        conflict: false,
                    },
                );
            }
            Some(e) if e.conflict || e.label.text().as_deref() == Some(text.as_str()) => {}
            Some(e) => {
                e.conflict = true;
                self.map.conflicts += 1;
            }
        }
        Ok(())
    }
}

/// Instances given their labels, passed on.
pub struct Join<'a> {
    keys: &'a JoinKeys,
    map: &'a mut LabelMap,
    next: &'a mut dyn Sink,
    key_at: Option<usize>,
    width: usize,
    row: Vec<Cell>,
    report: JoinReport,
}

impl<'a> Join<'a> {
    /// A join of `map` onto the instances flowing to `next`.
    pub fn new(keys: &'a JoinKeys, map: &'a mut LabelMap, next: &'a mut dyn Sink) -> Self {
        Join {
            keys,
            map,
            next,
            key_at: None,
            width: 0,
            row: Vec::new(),
            report: JoinReport::default(),
        }
    }

    /// The counts, once every instance went through.
    pub fn finish(self) -> JoinReport {
        let mut r = self.report;
        r.labels = self.map.rows;
        r.conflicting_keys = self.map.conflicts;
        r.labels_incomplete = self.map.incomplete;
        r.labels_unmatched = self.map.map.values().filter(|e| !e.used).count() as u64;
        r
    }
}

impl Sink for Join<'_> {
    fn columns(&mut self, names: &[String]) -> Result<(), SourceError> {
        if names.contains(&self.keys.label) {
            return Err(SourceError::Join {
                reason: format!(
                    "the instances already have a column `{}`: the label would come from two places",
                    self.keys.label
                ),
            });
        }
        self.key_at = names.iter().position(|c| *c == self.keys.key);
        if self.key_at.is_none() {
            return Err(SourceError::Join {
                reason: format!("the instances have no key column `{}`", self.keys.key),
            });
        }
        self.width = names.len();
        let mut all = names.to_vec();
        all.push(self.keys.label.clone());
        self.next.columns(&all)
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), SourceError> {
        self.report.instances += 1;
        let key = self.key_at.and_then(|i| cells.get(i)).and_then(key_of);
        let label = match key.as_ref().and_then(|k| self.map.map.get_mut(k)) {
            Some(e) => {
                e.used = true;
                if e.conflict {
                    Cell::Null
                } else {
                    e.label.clone()
                }
            }
            None => Cell::Null,
        };
        if label == Cell::Null {
            self.report.instances_unmatched += 1;
            if self.report.unmatched_examples.len() < 5 {
                self.report
                    .unmatched_examples
                    .push(key.unwrap_or_else(|| "(no key)".into()));
            }
        } else {
            self.report.matched += 1;
        }
        self.row.clear();
        self.row.extend_from_slice(cells);
        self.row.resize(self.width, Cell::Null);
        self.row.push(label);
        self.next.row(&self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_written_integers_key_as_integers_and_zeros_stay() {
        let k = |c: Cell| key_of(&c);
        assert_eq!(k(Cell::Text(" 3.00 ".into())).as_deref(), Some("3"));
        assert_eq!(k(Cell::Float(3.0)).as_deref(), Some("3"));
        assert_eq!(k(Cell::Text("-12.0".into())).as_deref(), Some("-12"));
        assert_eq!(k(Cell::Text("007".into())).as_deref(), Some("007"));
        assert_eq!(k(Cell::Text("3.5".into())).as_deref(), Some("3.5"));
        assert_eq!(k(Cell::Text("v1.0".into())).as_deref(), Some("v1.0"));
        assert_eq!(k(Cell::Text("  ".into())), None);
    }
}
