//! A fitted vocabulary's terms by hash, for the encoders that look up every token of a text
//! (TF-IDF and counts): one hash and, almost always, one comparison per token, where a binary
//! search of a sorted vocabulary compared strings about log2(terms) times. Built when a
//! column is bound; never serialized (the bundle keeps the sorted vocabulary).

/// An open-addressing table of vocabulary indices, keyed by FNV-1a of the term's bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TermIndex {
    /// `EMPTY` or an index into the vocabulary; the length is a power of two, at least twice
    /// the vocabulary's, so probes stay short and always reach an empty slot.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl TermIndex {
    /// The index of `vocabulary` (at most `u32::MAX - 1` terms: the bundle limits keep
    /// vocabularies far smaller).
    pub(crate) fn new(vocabulary: &[String]) -> TermIndex {
        let size = (vocabulary.len().saturating_mul(2))
            .next_power_of_two()
            .max(8);
        let mut slots = vec![EMPTY; size];
        let mask = size - 1;
        for (i, term) in vocabulary.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            let mut at = fnv1a(term) as usize & mask;
            while slots[at] != EMPTY {
                at = (at + 1) & mask;
            }
            slots[at] = i;
        }
        TermIndex { slots }
    }

    /// The position of `token` in `vocabulary` (the one this index was built from).
    pub(crate) fn find(&self, vocabulary: &[String], token: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = fnv1a(token) as usize & mask;
        loop {
            let slot = *self.slots.get(at)?;
            if slot == EMPTY {
                return None;
            }
            let i = slot as usize;
            if vocabulary.get(i).is_some_and(|t| t == token) {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_term_and_nothing_else() {
        for n in [0usize, 1, 3, 8, 100, 1000] {
            let vocab: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
            let index = TermIndex::new(&vocab);
            for (i, t) in vocab.iter().enumerate() {
                assert_eq!(index.find(&vocab, t), Some(i));
            }
            for miss in ["", "t", "x1", "t1000000", "T1"] {
                assert_eq!(index.find(&vocab, miss), None, "{miss} in {n}");
            }
            // Agrees with the binary search it replaces.
            for probe in ["t5", "t50", "t500", "zz"] {
                assert_eq!(
                    index.find(&vocab, probe),
                    vocab.iter().position(|t| t == probe)
                );
            }
        }
    }
}
