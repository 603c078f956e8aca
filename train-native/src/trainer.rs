//! The training loop: mini-batch Adam on Burn's CPU backend with early stopping on the
//! validation loss, keeping the best network seen. Linear models (no hidden layer) are
//! fitted exactly instead ([`crate::linear`]).

use crate::error::{BoxError, Error, Result};
use burn::module::Module;
use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::net::Mlp;
use crate::spill::Rows;
use crate::split::SplitMix64;

/// The smallest drop in validation loss that counts as an improvement (scikit-learn's `tol`).
pub const MIN_DELTA: f64 = 1e-4;

/// Hyperparameters of one training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Rows per gradient step.
    pub batch_size: usize,
    /// Upper bound on epochs.
    pub max_epochs: usize,
    /// Stop after this many epochs without a validation-loss improvement.
    pub patience: usize,
    /// Seed for initialisation and batch order.
    pub seed: u64,
    /// L2 weight decay (0: none).
    pub weight_decay: f64,
    /// Per-class loss weights (classification with rebalancing).
    pub class_weights: Option<Vec<f32>>,
    /// Training row order per epoch before shuffling (oversampling repeats rows); empty:
    /// every row once.
    pub sample: Vec<usize>,
    /// Halve the learning rate every `patience / 4` epochs (at least 1) without an
    /// improvement (`false`: a constant rate).
    pub plateau: bool,
}

/// What the network learns from: features plus class indices or scaled targets.
pub enum Targets {
    /// Class index per row.
    Classes(Vec<usize>),
    /// Scaled regression target per row.
    Values(Vec<f32>),
}

impl Targets {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Targets::Classes(c) => c.len(),
            Targets::Values(v) => v.len(),
        }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data set already turned into feature vectors.
pub struct Dataset {
    /// Row-major features.
    pub features: Vec<f32>,
    /// Features per row.
    pub width: usize,
    /// Labels.
    pub targets: Targets,
}

/// One epoch's losses.
#[derive(Debug, Clone, Copy)]
pub struct EpochLog {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Validation loss.
    pub validation_loss: f64,
}

/// The result of training.
pub struct Trained {
    /// The best network (plain device, no autodiff).
    pub model: Mlp,
    /// Per-epoch losses.
    pub history: Vec<EpochLog>,
    /// The epoch whose weights were kept.
    pub best_epoch: usize,
    /// An ensemble's members' kept epochs (`history` and `best_epoch` are its first
    /// member's); empty for one network.
    pub member_best_epochs: Vec<usize>,
}

fn features_tensor(data: &[f32], rows: usize, width: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(data.to_vec(), [rows, width]), device)
}

fn loss(
    model: &Mlp,
    x: Tensor<2>,
    targets: &Targets,
    weights: Option<&Vec<f32>>,
    device: &Device,
) -> Tensor<1> {
    let out = model.forward(x);
    match targets {
        Targets::Classes(c) => {
            let t: Vec<i64> = c.iter().map(|&v| v as i64).collect();
            let n = t.len();
            let t = Tensor::<1, Int>::from_data(TensorData::new(t, [n]), device);
            CrossEntropyLossConfig::new()
                .with_weights(weights.cloned())
                .init(device)
                .forward(out, t)
        }
        Targets::Values(v) => {
            let n = v.len();
            let t = Tensor::<2>::from_data(TensorData::new(v.clone(), [n, 1]), device);
            MseLoss::new().forward(out, t, Reduction::Mean)
        }
    }
}

fn scalar(t: Tensor<1>) -> Result<f64> {
    let v = t
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| Error::Training(format!("cannot read loss: {e:?}")))?;
    Ok(v.first().copied().unwrap_or(f32::NAN) as f64)
}

/// A freshly initialised network for `cfg` (on the autodiff device, seeded by `cfg.seed`;
/// drawn under [`crate::net::seeded`]'s lock, so the same whatever else runs).
pub fn init(width: usize, n_out: usize, cfg: &TrainConfig) -> Mlp {
    crate::net::seeded(cfg.seed, |device| {
        Mlp::new(width, &cfg.hidden, n_out, device)
    })
}

/// Train on `train`, early-stopping on `valid`; `on_epoch` sees each epoch's losses as they
/// come (the run recorder logs them), and can stop training with an error.
pub fn train(
    train: &dyn Rows,
    valid: &Dataset,
    n_out: usize,
    cfg: &TrainConfig,
    on_epoch: &mut dyn FnMut(&EpochLog) -> std::result::Result<(), BoxError>,
) -> Result<Trained> {
    train_from(init(train.width(), n_out, cfg), train, valid, cfg, on_epoch)
}

/// [`train`] from an initialised network ([`init`]). A network without hidden layers is a
/// linear model, fitted exactly instead ([`crate::linear`]; `model` only gives its shape).
pub fn train_from(
    mut model: Mlp,
    train: &dyn Rows,
    valid: &Dataset,
    cfg: &TrainConfig,
    on_epoch: &mut dyn FnMut(&EpochLog) -> std::result::Result<(), BoxError>,
) -> Result<Trained> {
    if cfg.hidden.is_empty() {
        return crate::linear::fit(train, valid, model.outputs(), cfg, on_epoch);
    }
    let device = Device::flex().autodiff();
    let mut optim = AdamConfig::new()
        .with_weight_decay(
            (cfg.weight_decay > 0.0).then(|| WeightDecayConfig::new(cfg.weight_decay as f32)),
        )
        .init();
    let mut rng = SplitMix64::new(cfg.seed ^ 0x5EED);
    let n = train.len();
    let mut order: Vec<usize> = if cfg.sample.is_empty() {
        (0..n).collect()
    } else {
        cfg.sample.clone()
    };

    let plain = Device::flex();
    let valid_x = features_tensor(&valid.features, valid.targets.len(), valid.width, &plain);

    let mut history = Vec::new();
    let mut best: Option<(f64, usize, Mlp)> = None;
    let mut rate = cfg.learning_rate;
    let plateau = (cfg.patience / 4).max(1);
    for epoch in 1..=cfg.max_epochs {
        train.epoch_order(&mut order, &mut rng);
        let mut total = 0.0;
        let mut batches = 0usize;
        for chunk in order.chunks(cfg.batch_size.max(1)) {
            let (f, t) = train.gather(chunk)?;
            let x = features_tensor(&f, chunk.len(), train.width(), &device);
            let l = loss(&model, x, &t, cfg.class_weights.as_ref(), &device);
            total += scalar(l.clone())?;
            batches += 1;
            let grads = GradientsParams::from_grads(l.backward(), &model);
            model = optim.step(rate, model, grads);
        }
        let train_loss = total / batches.max(1) as f64;
        let validation_loss = scalar(loss(
            &model.valid(),
            valid_x.clone(),
            &valid.targets,
            cfg.class_weights.as_ref(),
            &plain,
        ))?;
        let log = EpochLog {
            epoch,
            train_loss,
            validation_loss,
        };
        on_epoch(&log).map_err(Error::Observer)?;
        history.push(log);
        if !validation_loss.is_finite() {
            break;
        }
        // Improvements under MIN_DELTA do not count (scikit-learn's `tol`): on data a network
        // separates, the validation loss creeps down for hundreds of epochs.
        let improved = best
            .as_ref()
            .is_none_or(|(b, _, _)| validation_loss < b - MIN_DELTA);
        let since = best.as_ref().map_or(0, |(_, e, _)| epoch - e);
        if improved {
            best = Some((validation_loss, epoch, model.valid()));
        } else if since >= cfg.patience {
            break;
        } else if cfg.plateau && since.is_multiple_of(plateau) {
            rate *= 0.5;
        }
    }
    let (_, best_epoch, model) =
        best.ok_or_else(|| Error::Training("training diverged in the first epoch".into()))?;
    Ok(Trained {
        model,
        history,
        best_epoch,
        member_best_epochs: Vec::new(),
    })
}

/// Run a (plain-device) network on row-major features.
pub fn forward(model: &Mlp, features: &[f32], width: usize) -> Result<Vec<f32>> {
    let rows = features.len() / width.max(1);
    let x = features_tensor(features, rows, width, &Device::flex());
    model
        .forward(x)
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| Error::Training(format!("cannot read network output: {e:?}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::spill::{SpillWriter, Target};

    /// Two noisy classes in 4 features: the same network from memory and from a spill file.
    #[test]
    fn a_spill_file_trains_the_same_network_as_memory() {
        let width = 4;
        let mut rng = SplitMix64::new(3);
        let rows = 300;
        let mut features = Vec::new();
        let mut classes = Vec::new();
        for i in 0..rows {
            let c = i % 2;
            for _ in 0..width {
                features.push(c as f32 + (rng.next_u64() % 1000) as f32 / 1000.0 - 0.5);
            }
            classes.push(c);
        }
        let memory = Dataset {
            features: features.clone(),
            width,
            targets: Targets::Classes(classes.clone()),
        };
        let mut w = SpillWriter::new(width).unwrap();
        for (r, c) in features.chunks(width).zip(&classes) {
            w.push(r, Target::Class(*c)).unwrap();
        }
        let spilled = w.finish().unwrap();
        let valid = Dataset {
            features: features[..40 * width].to_vec(),
            width,
            targets: Targets::Classes(classes[..40].to_vec()),
        };
        let cfg = TrainConfig {
            hidden: vec![8],
            learning_rate: 0.01,
            batch_size: 32,
            max_epochs: 3,
            patience: 5,
            seed: 11,
            weight_decay: 0.0,
            class_weights: None,
            sample: Vec::new(),
            plateau: false,
        };
        let a = train(&memory, &valid, 2, &cfg, &mut |_| Ok(())).unwrap();
        let b = train(&spilled, &valid, 2, &cfg, &mut |_| Ok(())).unwrap();
        let losses = |t: &Trained| {
            t.history
                .iter()
                .map(|h| (h.train_loss, h.validation_loss))
                .collect::<Vec<_>>()
        };
        assert_eq!(losses(&a), losses(&b));
        assert!(
            losses(&a)[2].0 < losses(&a)[0].0,
            "it learns: {:?}",
            losses(&a)
        );
        assert_eq!(
            forward(&a.model, &features, width).unwrap(),
            forward(&b.model, &features, width).unwrap()
        );
    }

    /// With a validation set it cannot improve on (labels unrelated to the features), the
    /// plateau schedule halves the rate after `patience / 4` stalled epochs: the runs part
    /// ways there, and both stop `patience` epochs after their best.
    #[test]
    fn the_plateau_schedule_halves_the_rate_once_validation_stalls() {
        let mut rng = SplitMix64::new(5);
        let mut features = Vec::new();
        let mut classes = Vec::new();
        for i in 0..200 {
            let c = i % 2;
            features.push(c as f32 * 2.0 - 1.0 + (rng.next_u64() % 100) as f32 / 100.0);
            features.push((rng.next_u64() % 100) as f32 / 100.0);
            classes.push(c);
        }
        let learn = Dataset {
            features,
            width: 2,
            targets: Targets::Classes(classes),
        };
        let valid = Dataset {
            features: (0..80).map(|i| (i % 7) as f32 / 7.0).collect(),
            width: 2,
            targets: Targets::Classes((0..40).map(|i| (i * 7 / 3) % 2).collect()),
        };
        let run = |plateau| {
            let cfg = TrainConfig {
                hidden: vec![4],
                learning_rate: 0.05,
                batch_size: 50,
                max_epochs: 60,
                patience: 8,
                seed: 1,
                weight_decay: 0.0,
                class_weights: None,
                sample: Vec::new(),
                plateau,
            };
            train(&learn, &valid, 2, &cfg, &mut |_| Ok(())).unwrap()
        };
        let (constant, plateau) = (run(false), run(true));
        let train_losses = |t: &Trained| t.history.iter().map(|h| h.train_loss).collect::<Vec<_>>();
        let (a, b) = (train_losses(&constant), train_losses(&plateau));
        let first_stall = constant.best_epoch + 2; // the first epoch after a halving
        assert_eq!(
            a[..first_stall - 1],
            b[..first_stall - 1],
            "same until the first halving"
        );
        assert_ne!(
            a.get(first_stall..),
            b.get(first_stall..),
            "different after it"
        );
        assert_eq!(constant.history.len(), constant.best_epoch + 8);
    }
}
