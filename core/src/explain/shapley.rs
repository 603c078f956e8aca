//! Shapley values of a cooperative game whose worth is a vector (one number per output),
//! exactly over all coalitions or estimated from sampled permutations.
//!
//! The game is anything that can value a batch of coalitions ([`Worth`]); the explanation's
//! game ([`super::game`]) values a coalition of raw fields by splicing preprocessed blocks.
//! Both estimators are efficient by construction: the values plus `v(∅)` add up to `v(N)`
//! (exactly in real arithmetic; to rounding in floating point).

use super::ExplainError;
use super::rng::SplitMix64;
use crate::Error;

/// A game: the worth of coalitions of `players()` players, each a vector of `outputs()`.
pub(crate) trait Worth {
    /// Number of players.
    fn players(&self) -> usize;
    /// Numbers per worth.
    fn outputs(&self) -> usize;
    /// The worth of each coalition (`true`: the player is in), appended to `out` in order,
    /// `outputs()` numbers each.
    fn worth(&mut self, coalitions: &[Vec<bool>], out: &mut Vec<f64>) -> Result<(), Error>;
}

/// Shapley values, `values[player][output]`, and the empty coalition's worth.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shapley {
    pub base: Vec<f64>,
    pub full: Vec<f64>,
    pub values: Vec<Vec<f64>>,
}

/// Coalitions valued per call to the game (bounds the memory of one batch).
const CHUNK: usize = 256;

fn mask(bits: usize, n: usize) -> Vec<bool> {
    (0..n).map(|i| bits >> i & 1 == 1).collect()
}

/// `|S|! (n - |S| - 1)! / n!` for every coalition size `|S|` in `0..n`.
fn weights(n: usize) -> Vec<f64> {
    // Computed as 1 / (n * C(n-1, s)), which stays exact far longer than the factorials.
    (0..n)
        .map(|s| {
            let mut choose = 1.0_f64;
            for j in 0..s {
                choose = choose * (n - 1 - j) as f64 / (j + 1) as f64;
            }
            1.0 / (n as f64 * choose)
        })
        .collect()
}

/// Exact Shapley values over all `2^n` coalitions (`n` at most [`super::MAX_EXACT_PLAYERS`]).
pub(crate) fn exact(game: &mut dyn Worth) -> Result<Shapley, Error> {
    let (n, k) = (game.players(), game.outputs());
    if n > super::MAX_EXACT_PLAYERS {
        return Err(ExplainError::TooManyForExact {
            players: n,
            max: super::MAX_EXACT_PLAYERS,
        }
        .into());
    }
    let total = 1usize << n;
    let mut v = Vec::with_capacity(total * k);
    let mut start = 0;
    while start < total {
        let end = (start + CHUNK).min(total);
        let batch: Vec<Vec<bool>> = (start..end).map(|b| mask(b, n)).collect();
        game.worth(&batch, &mut v)?;
        start = end;
    }
    let w = weights(n);
    let at = |bits: usize, o: usize| v[bits * k + o];
    let mut values = vec![vec![0.0; k]; n];
    for (i, value) in values.iter_mut().enumerate() {
        for bits in (0..total).filter(|b| b >> i & 1 == 0) {
            let weight = w[(bits as u32).count_ones() as usize];
            for (o, x) in value.iter_mut().enumerate() {
                *x += weight * (at(bits | 1 << i, o) - at(bits, o));
            }
        }
    }
    Ok(Shapley {
        base: v[..k].to_vec(),
        full: v[(total - 1) * k..].to_vec(),
        values,
    })
}

/// Shapley values estimated from `permutations` orders of the players drawn with `seed`,
/// in antithetic pairs (each order, then its reverse): the mean marginal contribution of
/// each player when it joins the players before it.
pub(crate) fn sampled(
    game: &mut dyn Worth,
    permutations: usize,
    seed: u64,
) -> Result<Shapley, Error> {
    let (n, k) = (game.players(), game.outputs());
    let mut ends = Vec::with_capacity(2 * k);
    game.worth(&[vec![false; n], vec![true; n]], &mut ends)?;
    let (base, full) = (ends[..k].to_vec(), ends[k..].to_vec());
    let mut values = vec![vec![0.0; k]; n];
    let mut rng = SplitMix64::new(seed);
    let mut order = Vec::new();
    let mut prefixes = Vec::with_capacity(n.saturating_sub(1));
    let mut worth = Vec::with_capacity(n.saturating_sub(1) * k);
    for p in 0..permutations {
        if p % 2 == 0 {
            order = rng.permutation(n);
        } else {
            order.reverse();
        }
        // The worth of each proper, non-empty prefix; the empty and full ones are known.
        prefixes.clear();
        let mut coalition = vec![false; n];
        for &player in order.iter().take(n.saturating_sub(1)) {
            coalition[player] = true;
            prefixes.push(coalition.clone());
        }
        worth.clear();
        game.worth(&prefixes, &mut worth)?;
        let mut before = base.as_slice();
        for (j, &player) in order.iter().enumerate() {
            let after = if j + 1 == n {
                full.as_slice()
            } else {
                &worth[j * k..(j + 1) * k]
            };
            for (o, x) in values[player].iter_mut().enumerate() {
                *x += after[o] - before[o];
            }
            before = after;
        }
    }
    let scale = 1.0 / permutations.max(1) as f64;
    for value in &mut values {
        for x in value.iter_mut() {
            *x *= scale;
        }
    }
    Ok(Shapley { base, full, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// v(S) = sum of the members' weights + 2·[0 and 1 both in] + 3·[all three in]: each
    /// player's Shapley value is its weight plus an equal share of each bonus it takes part in.
    struct Bonus;

    impl Worth for Bonus {
        fn players(&self) -> usize {
            3
        }
        fn outputs(&self) -> usize {
            2
        }
        fn worth(&mut self, coalitions: &[Vec<bool>], out: &mut Vec<f64>) -> Result<(), Error> {
            for c in coalitions {
                let w: f64 = [1.0, 10.0, 100.0]
                    .iter()
                    .zip(c)
                    .filter(|(_, in_)| **in_)
                    .map(|(w, _)| w)
                    .sum();
                let bonus = 2.0 * f64::from(u8::from(c[0] && c[1]))
                    + 3.0 * f64::from(u8::from(c.iter().all(|x| *x)));
                out.extend([w + bonus, -(w + bonus)]);
            }
            Ok(())
        }
    }

    #[test]
    fn exact_values_share_interactions_equally() {
        let s = exact(&mut Bonus).unwrap();
        let want = [1.0 + 1.0 + 1.0, 10.0 + 1.0 + 1.0, 100.0 + 1.0];
        for (v, w) in s.values.iter().zip(want) {
            assert!((v[0] - w).abs() < 1e-12, "{v:?} vs {w}");
            assert!((v[1] + w).abs() < 1e-12);
        }
        assert_eq!(s.base, vec![0.0, 0.0]);
        assert_eq!(s.full, vec![116.0, -116.0]);
    }

    #[test]
    fn every_permutation_of_three_players_gives_the_exact_values() {
        // Six permutations in antithetic pairs cover all six orders only by chance; the
        // estimate is exact in expectation and additive always.
        let s = sampled(&mut Bonus, 6, 3).unwrap();
        let sum: f64 = s.values.iter().map(|v| v[0]).sum();
        assert!((sum + s.base[0] - s.full[0]).abs() < 1e-12);
        let many = sampled(&mut Bonus, 20_000, 3).unwrap();
        let e = exact(&mut Bonus).unwrap();
        for (a, b) in many.values.iter().zip(&e.values) {
            assert!((a[0] - b[0]).abs() < 0.05, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn weights_sum_to_one_over_coalitions() {
        for n in 1..=20 {
            let w = weights(n);
            // Σ_s C(n-1, s) w(s) = 1.
            let mut choose = 1.0;
            let mut total = 0.0;
            for (s, ws) in w.iter().enumerate() {
                total += choose * ws;
                choose = choose * (n - 1 - s) as f64 / (s + 1) as f64;
            }
            assert!((total - 1.0).abs() < 1e-12, "n = {n}: {total}");
        }
    }
}
