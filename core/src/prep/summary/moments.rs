//! Count, mean, variance, minimum and maximum in one pass (Welford), mergeable (Chan et al.).

/// Running moments of a stream of finite numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Moments {
    /// `count` copies of `x`.
    pub fn constant(x: f64, count: u64) -> Moments {
        Moments {
            n: count,
            mean: if count == 0 { 0.0 } else { x },
            m2: 0.0,
            min: x,
            max: x,
        }
    }

    /// Add one value.
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            *self = Moments::constant(x, 1);
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Fold in another stream's moments.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let d = other.mean - self.mean;
        self.mean += d * (nb / n);
        self.m2 += other.m2 + d * d * (na * nb / n);
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Values seen.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Population variance (ddof = 0; 0 when empty).
    pub fn variance(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.m2 / self.n as f64).max(0.0)
        }
    }

    /// Smallest and largest value, if any.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.n > 0).then_some((self.min, self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_and_merges() {
        let xs: Vec<f64> = (0..10_000).map(|i| 1e6 + (i % 97) as f64 * 0.5).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        let mut all = Moments::default();
        let (mut a, mut b) = (Moments::default(), Moments::default());
        for (i, &x) in xs.iter().enumerate() {
            all.push(x);
            if i < 3000 { a.push(x) } else { b.push(x) }
        }
        a.merge(&b);
        for m in [all, a] {
            assert!((m.mean() - mean).abs() / mean < 1e-12);
            assert!((m.variance() - var).abs() / var < 1e-8);
            assert_eq!(m.range(), Some((1e6, 1e6 + 48.0)));
            assert_eq!(m.count(), 10_000);
        }
        let mut c = Moments::constant(2.0, 3);
        c.merge(&Moments::constant(4.0, 1));
        assert_eq!((c.mean(), c.variance()), (2.5, 0.75));
        assert_eq!(Moments::default().range(), None);
    }
}
