//! Training an ensemble: one network per fold of the non-test rows, each trained on the other
//! folds and early-stopped on its own, on every core at once; then averaged into one network
//! ([`Mlp::average`]) that every engine runs as any other.
//!
//! Why the default (`[model] ensemble = 5`, bench/train-sweep.py): on small tabular sets one
//! network's test accuracy moves by whole rows with its seed and with which rows happened to
//! be held out for early stopping; five networks that each hold out a different fifth use
//! every row for training and average that noise away.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{BoxError, Error, Result};
use crate::net::Mlp;
use crate::trainer::{self, Dataset, EpochLog, TrainConfig, Trained};

/// One member's data and settings.
pub struct Member {
    /// The rows it learns from.
    pub train: Dataset,
    /// The rows it early-stops on (by default its held-out fold, which it alone predicts out
    /// of fold).
    pub held: Dataset,
    /// Its settings (its own seed, class weights, oversampling).
    pub config: TrainConfig,
}

/// Each member's rows, as positions, from k folds (`(learn, held)` per fold, each sorted):
/// what it learns from and what it early-stops on. Member m learns from every fold but m and
/// early-stops on fold m; with `stop_apart` it early-stops on fold m + 1 instead (which it
/// then does not learn from), so fold m neither teaches it nor chooses its epoch.
pub fn member_rows(
    folds: &[(Vec<usize>, Vec<usize>)],
    stop_apart: bool,
) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    let k = folds.len();
    if stop_apart && k < 3 {
        return Err(Error::Plan(format!(
            "cross-validating with early stopping apart needs at least 3 folds, not {k}"
        )));
    }
    let mut out = Vec::with_capacity(k);
    for (m, (learn, held)) in folds.iter().enumerate() {
        if learn.is_empty() || held.is_empty() {
            return Err(Error::Plan(format!(
                "an ensemble of {k} networks needs at least {k} training and validation rows"
            )));
        }
        if stop_apart {
            let stop = &folds[(m + 1) % k].1;
            let rest: Vec<usize> = learn
                .iter()
                .copied()
                .filter(|p| stop.binary_search(p).is_err())
                .collect();
            out.push((rest, stop.clone()));
        } else {
            out.push((learn.clone(), held.clone()));
        }
    }
    Ok(out)
}

/// Train every member, on up to `threads` threads; `on_epoch` sees the first member's
/// epochs (the progress a run reports and records). Members are initialised in order before
/// any trains (seeding is process-wide), so the result does not depend on the thread count.
pub fn train(
    members: &[Member],
    n_out: usize,
    threads: usize,
    on_epoch: &mut dyn FnMut(&EpochLog) -> std::result::Result<(), BoxError>,
) -> Result<Vec<Trained>> {
    let inits: Vec<Mutex<Option<Mlp>>> = members
        .iter()
        .map(|m| Mutex::new(Some(trainer::init(m.train.width, n_out, &m.config))))
        .collect();
    let results: Vec<Mutex<Option<Result<Trained>>>> =
        members.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(1);
    // A failed member (or the observer stopping the run) stops members not yet started.
    let failed = AtomicBool::new(false);
    let run =
        |i: usize, on_epoch: &mut dyn FnMut(&EpochLog) -> std::result::Result<(), BoxError>| {
            let m = &members[i];
            let model = inits[i].lock().ok().and_then(|mut g| g.take());
            let r = match model {
                Some(model) => trainer::train_from(model, &m.train, &m.held, &m.config, on_epoch),
                None => Err(Error::Training(format!("member {i} was taken twice"))),
            };
            if r.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            if let Ok(mut slot) = results[i].lock() {
                *slot = Some(r);
            }
        };
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= members.len() || failed.load(Ordering::Relaxed) {
                break;
            }
            run(i, &mut |_| Ok(()));
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads.clamp(1, members.len().max(1)) {
            s.spawn(work);
        }
        if !members.is_empty() {
            run(0, on_epoch);
        }
        work();
    });
    results
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(Error::Training(format!("member {i} did not train"))))
        })
        .collect()
}

/// Threads for training: every core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::split::SplitMix64;
    use crate::trainer::Targets;

    #[test]
    fn members_early_stop_on_their_fold_or_apart_from_it() {
        let groups = vec![0usize; 23];
        let folds = crate::nodes::kfold(&groups, 5, 7);
        let own = member_rows(&folds, false).unwrap();
        let apart = member_rows(&folds, true).unwrap();
        for m in 0..5 {
            let held = &folds[m].1;
            assert_eq!(own[m], (folds[m].0.clone(), held.clone()));
            let (learn, stop) = &apart[m];
            assert_eq!(stop, &folds[(m + 1) % 5].1);
            // Fold m shaped nothing; every other row either teaches or stops.
            assert!(learn.iter().chain(stop).all(|p| !held.contains(p)));
            assert!(learn.iter().all(|p| !stop.contains(p)));
            assert_eq!(learn.len() + stop.len() + held.len(), 23);
        }
        let two = crate::nodes::kfold(&groups, 2, 7);
        assert!(member_rows(&two, true).is_err());
        assert!(member_rows(&two, false).is_ok());
    }

    fn data(rows: usize, seed: u64) -> Dataset {
        let mut rng = SplitMix64::new(seed);
        let mut features = Vec::new();
        let mut classes = Vec::new();
        for i in 0..rows {
            let c = i % 3;
            for _ in 0..4 {
                features.push(c as f32 + (rng.next_u64() % 1000) as f32 / 500.0 - 1.0);
            }
            classes.push(c);
        }
        Dataset {
            features,
            width: 4,
            targets: Targets::Classes(classes),
        }
    }

    fn members() -> Vec<Member> {
        (0..4u64)
            .map(|m| Member {
                train: data(120, m),
                held: data(30, 100 + m),
                config: TrainConfig {
                    hidden: vec![8],
                    learning_rate: 0.03,
                    batch_size: 32,
                    max_epochs: 5,
                    patience: 3,
                    seed: m,
                    weight_decay: 0.0,
                    class_weights: None,
                    sample: Vec::new(),
                    plateau: false,
                },
            })
            .collect()
    }

    /// Members start from their own seeds whatever runs them: one thread or several give
    /// the same networks, and the averaged one is their mean.
    #[test]
    fn the_thread_count_does_not_change_the_members() {
        let outputs = |threads: usize| {
            let trained = train(&members(), 3, threads, &mut |_| Ok(())).unwrap();
            let probe = data(10, 999);
            trained
                .iter()
                .map(|t| trainer::forward(&t.model, &probe.features, 4).unwrap())
                .collect::<Vec<_>>()
        };
        let one = outputs(1);
        assert_eq!(one, outputs(2));
        assert_eq!(one, outputs(4));
        assert_ne!(one[0], one[1], "members differ");
    }
}
