//! Text: bag of words weighted by TF-IDF over a fitted vocabulary.
//!
//! Matches scikit-learn's `TfidfVectorizer()` defaults: lowercase, tokens are runs of two or
//! more word characters (`(?u)\b\w\w+\b`; a word character is alphanumeric or `_`), smoothed
//! idf `ln((1 + n) / (1 + df)) + 1`, raw term counts, rows L2-normalised. `min_df` and
//! `max_features` prune the vocabulary as sklearn does, except that ties at the
//! `max_features` cut keep the alphabetically first terms (sklearn's order there is
//! unspecified). Word characters follow Rust's `char::is_alphanumeric`, which agrees with
//! Python's `\w` on letters and digits of every script but also counts combining marks that
//! are Alphabetic (some Indic vowel signs, Arabic harakat) where Python splits on them.

use crate::json::{DecodeError, FromJson, Json, Obj};
use std::cell::RefCell;

use serde::Serialize;

use crate::Value;

/// Fitted state of the TF-IDF node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TfidfParams {
    /// The input field.
    pub field: String,
    /// Vocabulary, sorted; feature `i` is `vocabulary[i]`.
    pub vocabulary: Vec<String>,
    /// Inverse document frequency per vocabulary term.
    pub idf: Vec<f64>,
}

/// Lowercase and split into tokens of two or more word characters.
pub fn tokenize(text: &str) -> Vec<String> {
    tokens(&text.to_lowercase()).map(str::to_string).collect()
}

/// The tokens of already lowercased text, as slices of it (no allocation per token).
pub fn tokens(lower: &str) -> impl Iterator<Item = &str> {
    // ASCII first: most text is, and `is_alphanumeric` looks further only past it.
    lower
        .split(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && c.is_alphanumeric()))
        })
        .filter(|t| t.len() >= 2 && (t.is_ascii() || t.chars().nth(1).is_some()))
}

/// Scratch space for [`TfidfParams::transform_str`], reused across rows and nodes.
struct Scratch {
    /// The lowercased text, when lowercasing changes it.
    lower: String,
    /// One weight per vocabulary term.
    row: Vec<f64>,
    /// The terms the text has, by vocabulary index.
    seen: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            lower: String::new(),
            row: Vec::new(),
            seen: Vec::new(),
        })
    };
}

/// `text.to_lowercase()`, without allocating: `text` itself when lowercasing leaves it as it
/// is, else written into `buf`.
fn lowercase<'a>(text: &'a str, buf: &'a mut String) -> &'a str {
    let unchanged = |c: char| {
        if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else {
            let mut l = c.to_lowercase();
            l.next() == Some(c) && l.next().is_none()
        }
    };
    if text.chars().all(unchanged) {
        return text;
    }
    if text.contains('Σ') {
        // Final sigma depends on the letters around it: leave that to the standard library.
        *buf = text.to_lowercase();
    } else {
        buf.clear();
        for c in text.chars() {
            if c.is_ascii() {
                buf.push(c.to_ascii_lowercase());
            } else {
                buf.extend(c.to_lowercase());
            }
        }
    }
    buf
}

impl TfidfParams {
    /// Number of features written: one per vocabulary term.
    pub fn width(&self) -> usize {
        self.vocabulary.len()
    }

    /// The position of `term` in the (sorted) vocabulary.
    pub fn position(&self, term: &str) -> Option<usize> {
        self.vocabulary
            .binary_search_by(|v| v.as_str().cmp(term))
            .ok()
    }

    /// Append the L2-normalised TF-IDF row of `value` (all zeros for missing or no known term).
    pub fn transform_into(&self, value: &Value, out: &mut Vec<f32>) {
        self.transform_str(
            match value {
                Value::Text(t) => Some(t),
                _ => None,
            },
            &|t| self.position(t),
            out,
        );
    }

    /// [`TfidfParams::transform_into`] on a string (`None`: missing, all zeros), `find`
    /// giving a token's position in the vocabulary ([`TfidfParams::position`], or a bound
    /// column's hash index of it).
    ///
    /// The weights are counted in f64 and written as f32, exactly as ever; the row and the
    /// lowercased text live in scratch space reused from row to row.
    pub fn transform_str(
        &self,
        text: Option<&str>,
        find: &dyn Fn(&str) -> Option<usize>,
        out: &mut Vec<f32>,
    ) {
        let Some(text) = text else {
            out.extend(std::iter::repeat_n(0.0f32, self.vocabulary.len()));
            return;
        };
        SCRATCH.with_borrow_mut(|Scratch { lower, row, seen }| {
            // `row` is all zeros between calls (the terms seen are reset below), as long as
            // the longest vocabulary so far.
            let terms = self.vocabulary.len();
            if row.len() < terms {
                row.resize(terms, 0.0);
            }
            seen.clear();
            for token in tokens(lowercase(text, lower)) {
                if let Some(i) = find(token).filter(|&i| i < terms) {
                    if row[i] == 0.0 {
                        seen.push(i);
                    }
                    row[i] += 1.0;
                }
            }
            // Vocabulary order: in place for the few terms of a short text, by the merge
            // sort for a long one (an insertion sort is quadratic in the terms).
            if seen.len() <= 32 {
                for k in 1..seen.len() {
                    let mut j = k;
                    while j > 0 && seen[j - 1] > seen[j] {
                        seen.swap(j - 1, j);
                        j -= 1;
                    }
                }
            } else {
                let order = crate::order::sorted_indices(seen.len(), &|a, b| seen[a] < seen[b]);
                *seen = crate::order::permuted(seen, &order);
            }
            // Only the terms present are weighed, in vocabulary order: the zeros a dense
            // pass would add change neither the norm nor any weight, so the values are
            // bit for bit those of weighing every term.
            let base = out.len();
            out.resize(base + self.vocabulary.len(), 0.0);
            let mut squares = 0.0f64;
            for &i in seen.iter() {
                row[i] *= self.idf.get(i).copied().unwrap_or(1.0);
                squares += row[i] * row[i];
            }
            let norm = squares.sqrt();
            for &i in seen.iter() {
                let x = if norm > 0.0 { row[i] / norm } else { row[i] };
                out[base + i] = x as f32;
                row[i] = 0.0;
            }
        });
    }

    /// Fit on a training column: keep terms in at least `min_df` documents, then the
    /// `max_features` most frequent overall.
    #[cfg(feature = "fit")]
    pub fn fit(
        field: &str,
        docs: &[Option<&str>],
        min_df: usize,
        max_features: Option<usize>,
    ) -> TfidfParams {
        let mut terms = TermCounts::default();
        for doc in docs {
            terms.push(*doc);
        }
        Self::from_terms(field, &terms, min_df, max_features)
    }

    /// Fit on a column's term counts.
    #[cfg(feature = "fit")]
    pub fn from_terms(
        field: &str,
        terms: &TermCounts,
        min_df: usize,
        max_features: Option<usize>,
    ) -> TfidfParams {
        let mut kept: Vec<(String, u64)> = terms
            .documents
            .iter()
            .filter(|(_, d)| *d >= min_df.max(1) as u64)
            .map(|(t, d)| (t.to_string(), d))
            .collect();
        if let Some(limit) = max_features
            && kept.len() > limit
        {
            let tf: std::collections::HashMap<&str, u64> = terms.occurrences.iter().collect();
            let mut by_count: Vec<usize> = (0..kept.len()).collect();
            by_count.sort_by_key(|&i| {
                std::cmp::Reverse(tf.get(kept[i].0.as_str()).copied().unwrap_or(0))
            });
            let mut keep: Vec<usize> = by_count.into_iter().take(limit).collect();
            keep.sort_unstable();
            kept = keep.into_iter().map(|i| kept[i].clone()).collect();
        }
        let n = terms.docs as f64;
        TfidfParams {
            field: field.into(),
            idf: kept
                .iter()
                .map(|(_, d)| ((1.0 + n) / (1.0 + *d as f64)).ln() + 1.0)
                .collect(),
            vocabulary: kept.into_iter().map(|(t, _)| t).collect(),
        }
    }
}

/// What a vocabulary is fitted on, gathered a document at a time: in how many documents
/// each term occurs, how often it occurs overall, and how many documents there were. Exact
/// for up to [`super::summary::counts::MAX_DISTINCT`] distinct terms (memory stays bounded
/// on a text column of unique tokens); a term first seen after that is not kept.
#[cfg(feature = "fit")]
#[derive(Debug, Clone, Default)]
pub struct TermCounts {
    /// Documents holding each term.
    pub documents: super::summary::Counts,
    /// Occurrences of each term.
    pub occurrences: super::summary::Counts,
    /// Documents seen (missing ones included).
    pub docs: u64,
}

#[cfg(feature = "fit")]
impl TermCounts {
    /// Count one document (`None`: missing).
    pub fn push(&mut self, doc: Option<&str>) {
        self.docs += 1;
        let tokens = doc.map(tokenize).unwrap_or_default();
        // The document counts admit a term (up to their cap); the occurrences follow them,
        // so past the cap both keep the same terms.
        let mut seen = std::collections::BTreeSet::new();
        for t in &tokens {
            if seen.insert(t.as_str()) {
                self.documents.push(t);
            }
        }
        for t in &tokens {
            if self.documents.contains(t) {
                self.occurrences.push(t);
            }
        }
    }
}

impl FromJson for TfidfParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(TfidfParams {
            field: o.req("field")?,
            vocabulary: o.req("vocabulary")?,
            idf: o.req("idf")?,
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "fit")]
    #[test]
    fn past_the_cap_documents_and_occurrences_keep_the_same_terms() {
        let mut t = TermCounts {
            documents: super::super::summary::Counts::with_cap(2),
            occurrences: super::super::summary::Counts::with_cap(2),
            docs: 0,
        };
        t.push(Some("zz aa zz"));
        t.push(Some("bb aa"));
        let keys = |c: &super::super::summary::Counts| {
            c.iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&t.documents), [("aa".into(), 2), ("zz".into(), 1)]);
        assert_eq!(keys(&t.occurrences), [("aa".into(), 2), ("zz".into(), 2)]);
    }

    #[test]
    fn tokens_are_lowercased_word_runs_of_two_or_more() {
        assert_eq!(
            tokenize("Allen, Miss. Elisabeth Walton"),
            vec!["allen", "miss", "elisabeth", "walton"]
        );
        assert_eq!(
            tokenize("O'Brien, Mr. T J_x 12"),
            vec!["brien", "mr", "j_x", "12"]
        );
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn rows_are_l2_normalised_and_missing_is_zero() {
        let p = TfidfParams {
            field: "t".into(),
            vocabulary: vec!["a1".into(), "b2".into()],
            idf: vec![1.0, 2.0],
        };
        let mut out = Vec::new();
        p.transform_into(&Value::Text("a1 b2 zz".into()), &mut out);
        let n = 5f64.sqrt();
        assert_eq!(out, vec![(1.0 / n) as f32, (2.0 / n) as f32]);
        out.clear();
        p.transform_into(&Value::Missing, &mut out);
        assert_eq!(out, vec![0.0, 0.0]);
    }

    #[test]
    fn lowercasing_in_scratch_equals_the_standard_library() {
        let mut buf = String::new();
        for text in [
            "already lower, ascii",
            "Allen, Miss. Elisabeth Walton",
            "ÉCOLE Ünïcødé 日本 🚢",
            "İstanbul ǅemal ΣΊΣΥΦΟΣ",
            "ΟΔΟΣ Σ",
            "",
        ] {
            assert_eq!(lowercase(text, &mut buf), text.to_lowercase(), "{text}");
        }
    }

    /// The sparse weighing equals weighing every term, bit for bit, for texts with few terms
    /// and with many (past the in-place sort), in any order.
    #[test]
    fn weighing_the_present_terms_equals_weighing_every_term() {
        let vocabulary: Vec<String> = (0..100).map(|i| format!("t{i:03}")).collect();
        let idf: Vec<f64> = (0..100).map(|i| 1.0 + (i % 7) as f64 / 3.0).collect();
        let p = TfidfParams {
            field: "t".into(),
            vocabulary: vocabulary.clone(),
            idf: idf.clone(),
        };
        let dense = |text: &str| -> Vec<f32> {
            let mut row = vec![0.0f64; 100];
            for t in tokenize(text) {
                if let Some(i) = p.position(&t) {
                    row[i] += 1.0;
                }
            }
            for (x, w) in row.iter_mut().zip(&idf) {
                *x *= w;
            }
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            row.iter()
                .map(|&x| (if norm > 0.0 { x / norm } else { x }) as f32)
                .collect()
        };
        let many: Vec<String> = (0..90)
            .rev()
            .map(|i| format!("t{:03} t{:03}", i, (i * 7) % 100))
            .collect();
        for text in [
            "",
            "nothing known",
            "t005 t001 t005",
            &many.join(" "),
            "T099 t000 t099",
        ] {
            let mut got = Vec::new();
            p.transform_str(Some(text), &|t| p.position(t), &mut got);
            assert_eq!(got, dense(text), "{text:.40}");
        }
    }

    #[test]
    fn a_row_reusing_scratch_space_equals_a_fresh_row() {
        let p = TfidfParams {
            field: "t".into(),
            vocabulary: vec!["aa".into(), "bb".into(), "cc".into()],
            idf: vec![1.5, 1.0, 2.25],
        };
        let other = TfidfParams {
            field: "u".into(),
            vocabulary: vec!["zz".into()],
            idf: vec![3.0],
        };
        let mut first = Vec::new();
        p.transform_str(Some("AA bb aa CC"), &|t| p.position(t), &mut first);
        // Another node and a longer text in between: nothing may carry over.
        let mut noise = Vec::new();
        other.transform_str(Some("ZZ zz ZZ zz"), &|t| other.position(t), &mut noise);
        p.transform_str(Some("cc cc cc bb aa AA"), &|t| p.position(t), &mut noise);
        let mut again = Vec::new();
        p.transform_str(Some("AA bb aa CC"), &|t| p.position(t), &mut again);
        assert_eq!(first, again);
        let norm = (9.0f64 + 1.0 + 2.25f64.powi(2)).sqrt();
        let want: Vec<f32> = [3.0 / norm, 1.0 / norm, 2.25 / norm]
            .iter()
            .map(|&x| x as f32)
            .collect();
        assert_eq!(first, want);
    }
}
