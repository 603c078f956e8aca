//! A mergeable quantile sketch in bounded memory (KLL: Karnin, Lang and Liberty, "Optimal
//! Quantile Approximation in Streams", 2016).
//!
//! Items sit in levels; an item at level `h` stands for `2^h` values. When the levels hold
//! more than their capacities (`k` at the top, two thirds of that one level down, and so
//! on, at least 2), the lowest full level is sorted and every other item (from a coin-flip
//! offset) moves up one level. With `k = 2048` the rank of a returned quantile is within
//! [`RANK_ERROR`] of the true rank (a fraction of the count) with high probability, in
//! about `3k` items whatever the stream's length. The coin is a fixed-seed generator, so
//! the same stream gives the same sketch: a refit gives the same bundle.

/// Items kept at the top level.
pub const K: usize = 2048;

/// The stated rank error of [`QuantileSketch::quantile`], as a fraction of the count.
pub const RANK_ERROR: f64 = 0.002;

/// The sketch.
#[derive(Debug, Clone)]
pub struct QuantileSketch {
    levels: Vec<Vec<f64>>,
    /// Values added many times at once (a fill counted once per missing row), kept beside
    /// the levels as exact point masses: putting them in the levels would add a level per
    /// bit of the weight and squeeze every level below it.
    masses: Vec<(f64, u64)>,
    n: u64,
    min: f64,
    max: f64,
    coin: u64,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        QuantileSketch {
            levels: vec![Vec::new()],
            masses: Vec::new(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            coin: 0x9e37_79b9_7f4a_7c15,
        }
    }
}

impl QuantileSketch {
    /// Values seen.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Add one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        self.levels[0].push(x);
        self.compress();
    }

    /// Add `weight` copies of `x`, exactly (a point mass beside the levels).
    pub fn push_weighted(&mut self, x: f64, weight: u64) {
        if weight == 0 {
            return;
        }
        self.n += weight;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        self.add_mass(x, weight);
    }

    fn add_mass(&mut self, x: f64, weight: u64) {
        match self
            .masses
            .iter_mut()
            .find(|(v, _)| v.total_cmp(&x).is_eq())
        {
            Some((_, w)) => *w += weight,
            None => self.masses.push((x, weight)),
        }
    }

    /// Fold in another sketch.
    pub fn merge(&mut self, other: &QuantileSketch) {
        if other.n == 0 {
            return;
        }
        while self.levels.len() < other.levels.len() {
            self.levels.push(Vec::new());
        }
        for (mine, theirs) in self.levels.iter_mut().zip(&other.levels) {
            mine.extend_from_slice(theirs);
        }
        for &(x, w) in &other.masses {
            self.add_mass(x, w);
        }
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.compress();
    }

    fn capacity(&self, level: usize) -> usize {
        let depth = (self.levels.len() - 1 - level) as i32;
        ((K as f64 * (2.0f64 / 3.0).powi(depth)).ceil() as usize).max(2)
    }

    fn flip(&mut self) -> usize {
        // splitmix64
        self.coin = self.coin.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.coin;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) & 1) as usize
    }

    /// Compact the lowest over-full level until every level fits.
    fn compress(&mut self) {
        loop {
            let Some(h) = (0..self.levels.len()).find(|&h| self.levels[h].len() > self.capacity(h))
            else {
                return;
            };
            if h + 1 == self.levels.len() {
                self.levels.push(Vec::new());
            }
            let mut items = std::mem::take(&mut self.levels[h]);
            items.sort_by(f64::total_cmp);
            // An odd one out stays where it is, so the total weight is kept exactly.
            let odd = (items.len() % 2 == 1).then(|| items.pop()).flatten();
            let offset = self.flip();
            let promoted: Vec<f64> = items.iter().skip(offset).step_by(2).copied().collect();
            self.levels[h + 1].extend(promoted);
            self.levels[h].extend(odd);
        }
    }

    /// The `q`-quantile (`q` in [0, 1]): the value at rank `q * (n - 1)`, the minimum and the
    /// maximum exactly at 0 and 1; 0 for an empty sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        if q <= 0.0 {
            return self.min;
        }
        if q >= 1.0 {
            return self.max;
        }
        let mut items: Vec<(f64, u64)> = self
            .levels
            .iter()
            .enumerate()
            .flat_map(|(h, l)| l.iter().map(move |&x| (x, 1u64 << h)))
            .chain(self.masses.iter().copied())
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let target = q * (self.n - 1) as f64;
        let mut seen = 0u64;
        for (x, w) in &items {
            seen += w;
            if seen as f64 > target {
                return x.clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Items held (memory is about 8 bytes each).
    pub fn items(&self) -> usize {
        self.levels.iter().map(Vec::len).sum::<usize>() + self.masses.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank_error(sorted: &[f64], x: f64, q: f64) -> f64 {
        // Where x sits among the exact values, against where the quantile should sit.
        let lo = sorted.partition_point(|&v| v < x) as f64;
        let hi = sorted.partition_point(|&v| v <= x) as f64;
        let want = q * (sorted.len() - 1) as f64;
        let n = sorted.len() as f64;
        if want < lo {
            (lo - want) / n
        } else if want > hi {
            (want - hi) / n
        } else {
            0.0
        }
    }

    #[test]
    fn quantiles_stay_within_the_stated_rank_error_in_bounded_memory() {
        // A skewed stream (log-normal-like wages) with ties and an ordered run.
        let mut state = 1u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut xs: Vec<f64> = (0..2_000_000)
            .map(|i| {
                if i % 10 == 0 {
                    7.5
                } else if i < 200_000 {
                    i as f64
                } else {
                    (3.0 * next()).exp().round()
                }
            })
            .collect();
        let mut sketch = QuantileSketch::default();
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        for (i, &x) in xs.iter().enumerate() {
            sketch.push(x);
            if i % 3 == 0 { a.push(x) } else { b.push(x) }
        }
        a.merge(&b);
        xs.sort_by(f64::total_cmp);
        for s in [&sketch, &a] {
            assert_eq!(s.count(), 2_000_000);
            assert!(s.items() < 4 * K, "{} items", s.items());
            for q in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
                let e = rank_error(&xs, s.quantile(q), q);
                assert!(e <= RANK_ERROR, "q {q}: rank error {e}");
            }
            assert_eq!(s.quantile(0.0), xs[0]);
            assert_eq!(s.quantile(1.0), xs[xs.len() - 1]);
        }
    }

    #[test]
    fn weights_count_exactly_and_small_streams_are_exact() {
        let mut s = QuantileSketch::default();
        for x in [3.0, 1.0, 2.0] {
            s.push(x);
        }
        s.push_weighted(10.0, 5);
        assert_eq!(s.count(), 8);
        // Ranks 0..7: 1, 2, 3, 10 x5.
        assert_eq!(s.quantile(0.2), 2.0);
        assert_eq!(s.quantile(0.5), 10.0);
        assert_eq!(QuantileSketch::default().quantile(0.5), 0.0);
        // A large mass beside a stream leaves the stream's items (and accuracy) alone.
        let mut mixed = QuantileSketch::default();
        for i in 0..600_000 {
            mixed.push(f64::from(i % 1000));
        }
        let before = mixed.items();
        mixed.push_weighted(-1.0, 257_000);
        assert_eq!(mixed.items(), before + 1);
        let median = mixed.quantile(0.5);
        // 857,000 values: 257,000 at -1, then 0..999 600 times each; rank 428,499.5 is
        // value (428,499.5 - 257,000) / 600 = 285.8.
        assert!(
            (median - 285.8).abs() <= RANK_ERROR * 857_000.0 / 600.0 + 1.0,
            "{median}"
        );
        let mut big = QuantileSketch::default();
        big.push_weighted(1.0, 1 << 40);
        big.push(0.0);
        assert_eq!(big.count(), (1 << 40) + 1);
        assert_eq!(big.quantile(0.5), 1.0);
    }
}
