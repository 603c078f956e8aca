//! Linear models (no hidden layer) fitted exactly: L-BFGS on the whole training set, down to
//! the optimum of the penalised mean loss, instead of mini-batch Adam stopped early.
//!
//! The objective is the mean training loss (cross-entropy over the logits, weighted by the
//! class weights, or the squared error of the scaled target) plus `weight_decay / 2 · ‖W‖²`.
//! Unlike Adam's weight decay, the bias is not penalised, as in scikit-learn's
//! `LogisticRegression` and `Ridge`. With `weight_decay = 0` the strength is scikit-learn's
//! default, so 0 is not "none" here (and penalises more than a small `weight_decay`):
//! separable classes have no finite unpenalised optimum. The default is `2 / rows` for a
//! value (`alpha = 1`, the loss being the squared error without a half) and for two classes
//! (`C = 1`: the two softmax outputs split scikit-learn's one logit, `w₁ − w₀ = coef`, whose
//! penalty is then half of `‖W‖²`'s), `1 / rows` for more (`C = 1`, multinomial); rows count
//! by their class weights.
//!
//! The problem is convex, so the start (zero) does not matter and there is nothing to stop
//! early: `max_epochs` bounds the iterations (one pass over the rows each, rarely two), and
//! the fit ends when the largest gradient entry falls under [`GRADIENT_TOLERANCE`], the
//! objective stops moving, or not even a plain gradient step decreases it. Each iteration is
//! logged as an epoch, with the validation loss.

use crate::error::{BoxError, Error, Result};
use crate::net::Mlp;
use crate::spill::Rows;
use crate::trainer::{Dataset, EpochLog, Targets, TrainConfig, Trained};

/// The fit has converged when no gradient entry exceeds this: tight enough that the weights
/// of breast_cancer's 30 correlated features are within 1e-4 of the optimum (at 1e-6 they
/// were not); scikit-learn's `tol` for lbfgs is 1e-4.
pub const GRADIENT_TOLERANCE: f64 = 1e-7;
/// L-BFGS keeps this many correction pairs.
const MEMORY: usize = 10;
/// Rows gathered at a time on a pass.
const CHUNK: usize = 4096;
/// Armijo's sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;

/// The penalised mean loss over a set of rows, for parameters laid out as the output layer's
/// weight (`[width][outputs]`, row-major) followed by its bias.
struct Objective<'a> {
    rows: &'a dyn Rows,
    order: Vec<usize>,
    width: usize,
    outputs: usize,
    class_weights: Option<&'a [f32]>,
    /// The L2 strength on the weights.
    penalty: f64,
}

/// The value of the data term (the mean loss alone), and of the whole objective.
#[derive(Debug, Clone, Copy)]
struct Value {
    data: f64,
    total: f64,
}

impl Objective<'_> {
    fn parameters(&self) -> usize {
        (self.width + 1) * self.outputs
    }

    /// The objective at `theta`, with its gradient written into `grad` when one is given
    /// (the validation loss needs none).
    fn eval(&self, theta: &[f64], mut grad: Option<&mut [f64]>) -> Result<Value> {
        let (w, k) = (self.width, self.outputs);
        if let Some(grad) = grad.as_deref_mut() {
            grad.fill(0.0);
        }
        let (weights, bias) = theta.split_at(w * k);
        let mut z = vec![0.0f64; k];
        let mut sum = 0.0f64;
        let mut total_weight = 0.0f64;
        for chunk in self.order.chunks(CHUNK) {
            let (features, targets) = self.rows.gather(chunk)?;
            for r in 0..chunk.len() {
                let x = &features[r * w..(r + 1) * w];
                z.copy_from_slice(bias);
                for (j, &xj) in x.iter().enumerate() {
                    if xj != 0.0 {
                        let xj = f64::from(xj);
                        for (zc, wc) in z.iter_mut().zip(&weights[j * k..(j + 1) * k]) {
                            *zc += xj * wc;
                        }
                    }
                }
                let weight = row_loss(&mut z, &targets, r, self.class_weights, &mut sum)?;
                total_weight += weight;
                // `z` now holds d(weighted loss)/d(logit).
                let Some(grad) = grad.as_deref_mut() else {
                    continue;
                };
                let (gw, gb) = grad.split_at_mut(w * k);
                for (j, &xj) in x.iter().enumerate() {
                    if xj != 0.0 {
                        let xj = f64::from(xj);
                        for (g, dz) in gw[j * k..(j + 1) * k].iter_mut().zip(&z) {
                            *g += xj * dz;
                        }
                    }
                }
                for (g, dz) in gb.iter_mut().zip(&z) {
                    *g += dz;
                }
            }
        }
        if total_weight <= 0.0 {
            return Err(Error::Training("a linear fit needs training rows".into()));
        }
        if let Some(grad) = grad {
            grad.iter_mut().for_each(|g| *g /= total_weight);
            for (g, &wv) in grad[..w * k].iter_mut().zip(weights) {
                *g += self.penalty * wv;
            }
        }
        let data = sum / total_weight;
        let square: f64 = weights.iter().map(|v| v * v).sum();
        Ok(Value {
            data,
            total: data + 0.5 * self.penalty * square,
        })
    }

    /// scikit-learn's default strength for these rows (module docs): `2 / rows` for a value
    /// or two classes, `1 / rows` for more (rows weighted by their class weights).
    fn default_penalty(&self) -> Result<f64> {
        let mut classes = 0.0;
        for chunk in self.order.chunks(CHUNK) {
            match self.rows.gather(chunk)?.1 {
                Targets::Classes(c) => {
                    classes += c
                        .iter()
                        .map(|&y| class_weight(self.class_weights, y))
                        .sum::<f64>()
                }
                Targets::Values(_) => return Ok(2.0 / self.order.len() as f64),
            }
        }
        let per_row = if self.outputs == 2 { 2.0 } else { 1.0 };
        Ok(per_row / classes.max(1.0))
    }
}

fn class_weight(weights: Option<&[f32]>, class: usize) -> f64 {
    weights
        .and_then(|w| w.get(class))
        .map_or(1.0, |&v| f64::from(v))
}

/// Adds row `r`'s weighted loss to `sum`, turns `z` (its logits) into the weighted loss's
/// derivative by each logit, and returns the row's weight.
fn row_loss(
    z: &mut [f64],
    targets: &Targets,
    r: usize,
    class_weights: Option<&[f32]>,
    sum: &mut f64,
) -> Result<f64> {
    match targets {
        Targets::Classes(c) => {
            let y = c[r];
            if y >= z.len() {
                return Err(Error::Training(format!(
                    "class index {y} outside the model's {} outputs",
                    z.len()
                )));
            }
            let weight = class_weight(class_weights, y);
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let norm: f64 = z.iter().map(|v| (v - max).exp()).sum();
            let log_norm = max + norm.ln();
            *sum += weight * (log_norm - z[y]);
            for (c, v) in z.iter_mut().enumerate() {
                let p = (*v - log_norm).exp();
                *v = weight * (p - if c == y { 1.0 } else { 0.0 });
            }
            Ok(weight)
        }
        Targets::Values(v) => {
            // One output: the scaled target (MseLoss's mean over rows and outputs).
            let residual = z[0] - f64::from(v[r]);
            *sum += residual * residual;
            z[0] = 2.0 * residual;
            z[1..].iter_mut().for_each(|d| *d = 0.0);
            Ok(1.0)
        }
    }
}

/// The mean (weighted) loss of `theta` on `data`, without the penalty; NaN without rows.
fn data_loss(theta: &[f64], data: &Dataset, outputs: usize, cfg: &TrainConfig) -> Result<f64> {
    if data.targets.is_empty() {
        return Ok(f64::NAN);
    }
    let objective = Objective {
        rows: data,
        order: (0..data.targets.len()).collect(),
        width: data.width,
        outputs,
        class_weights: cfg.class_weights.as_deref(),
        penalty: 0.0,
    };
    Ok(objective.eval(theta, None)?.data)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The L-BFGS direction `-H g` from the stored correction pairs (the two-loop recursion).
fn direction(g: &[f64], pairs: &[(Vec<f64>, Vec<f64>, f64)]) -> Vec<f64> {
    let mut q: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= a * yi);
        alphas.push(a);
    }
    if let Some((s, y, _)) = pairs.last() {
        let gamma = dot(s, y) / dot(y, y);
        q.iter_mut().for_each(|qi| *qi *= gamma);
    }
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        q.iter_mut().zip(s).for_each(|(qi, si)| *qi += (a - b) * si);
    }
    q
}

/// A line search along `direction` from `from`.
struct Step<'a> {
    from: &'a [f64],
    value: f64,
    direction: &'a [f64],
    /// The objective's slope along `direction` (negative).
    slope: f64,
    /// Whether `direction` carries curvature (L-BFGS), so that a unit step is its natural
    /// length; the bare gradient has none and starts as a move of at most 1.
    curved: bool,
}

impl Step<'_> {
    /// Backtracking from the first step to the first that decreases the objective enough
    /// (Armijo); writes the point into `at` and its gradient into `grad`. `None`: no step
    /// decreases it.
    fn search(
        &self,
        objective: &Objective<'_>,
        at: &mut [f64],
        grad: &mut [f64],
    ) -> Result<Option<Value>> {
        let largest = self.direction.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let mut step = if self.curved {
            1.0
        } else {
            (1.0 / largest).min(1.0)
        };
        loop {
            at.iter_mut()
                .zip(self.from.iter().zip(self.direction))
                .for_each(|(c, (t, d))| *c = t + step * d);
            let v = objective.eval(at, Some(grad))?;
            if v.total.is_finite() && v.total <= self.value + ARMIJO * step * self.slope {
                return Ok(Some(v));
            }
            step *= 0.5;
            if step < 1e-12 {
                return Ok(None);
            }
        }
    }
}

/// Fit the linear model on `train`, logging each iteration with its loss on `valid`.
pub fn fit(
    train: &dyn Rows,
    valid: &Dataset,
    outputs: usize,
    cfg: &TrainConfig,
    on_epoch: &mut dyn FnMut(&EpochLog) -> std::result::Result<(), BoxError>,
) -> Result<Trained> {
    let order: Vec<usize> = if cfg.sample.is_empty() {
        (0..train.len()).collect()
    } else {
        cfg.sample.clone()
    };
    let mut objective = Objective {
        rows: train,
        order,
        width: train.width(),
        outputs,
        class_weights: cfg.class_weights.as_deref(),
        penalty: 0.0,
    };
    objective.penalty = if cfg.weight_decay > 0.0 {
        cfg.weight_decay
    } else {
        objective.default_penalty()?
    };
    let n = objective.parameters();
    let mut theta = vec![0.0f64; n];
    let mut grad = vec![0.0f64; n];
    let mut value = objective.eval(&theta, Some(&mut grad))?;
    if !value.total.is_finite() {
        return Err(Error::Training(
            "the training loss is not finite at zero weights".into(),
        ));
    }
    let mut pairs: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let mut history = Vec::new();
    let mut next_grad = vec![0.0f64; n];
    // Iterations, restarts from the gradient included.
    for _ in 0..cfg.max_epochs.max(1) {
        let mut d = direction(&grad, &pairs);
        let mut slope = dot(&grad, &d);
        if slope >= 0.0 {
            pairs.clear();
            d = grad.iter().map(|v| -v).collect();
            slope = dot(&grad, &d);
        }
        let mut candidate = vec![0.0f64; n];
        let step = Step {
            from: &theta,
            value: value.total,
            direction: &d,
            slope,
            curved: !pairs.is_empty(),
        };
        let Some(next) = step.search(&objective, &mut candidate, &mut next_grad)? else {
            if pairs.is_empty() {
                // Not even a gradient step decreases it: the optimum, to machine precision.
                break;
            }
            // The curvature pairs led nowhere: start again from the gradient.
            pairs.clear();
            continue;
        };
        let s: Vec<f64> = candidate.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = next_grad.iter().zip(&grad).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            if pairs.len() == MEMORY {
                pairs.remove(0);
            }
            pairs.push((s, y, 1.0 / sy));
        }
        let moved = value.total - next.total;
        theta = candidate;
        std::mem::swap(&mut grad, &mut next_grad);
        value = next;
        let log = EpochLog {
            epoch: history.len() + 1,
            train_loss: value.data,
            validation_loss: data_loss(&theta, valid, outputs, cfg)?,
        };
        on_epoch(&log).map_err(Error::Observer)?;
        history.push(log);
        let largest = grad.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if largest <= GRADIENT_TOLERANCE || moved <= 1e-12 * value.total.abs().max(1.0) {
            break;
        }
    }
    if history.is_empty() {
        // Zero weights were already the optimum: no step was taken.
        let log = EpochLog {
            epoch: 1,
            train_loss: value.data,
            validation_loss: data_loss(&theta, valid, outputs, cfg)?,
        };
        on_epoch(&log).map_err(Error::Observer)?;
        history.push(log);
    }
    let width = objective.width;
    let weight: Vec<f32> = theta[..width * outputs].iter().map(|&v| v as f32).collect();
    let bias: Vec<f32> = theta[width * outputs..].iter().map(|&v| v as f32).collect();
    Ok(Trained {
        model: Mlp::linear(width, outputs, weight, bias),
        best_epoch: history.len(),
        history,
        member_best_epochs: Vec::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    fn reference() -> Json {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/linear_reference.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Columns `features` of examples/data/`name`, standardised with the population standard
    /// deviation (as the fixture's script does), and column `label` as read.
    fn table(name: &str, features: &[String], label: &str) -> (Vec<f32>, Vec<String>) {
        let path = format!("{}/../examples/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut reader = csv::Reader::from_path(path).unwrap();
        let header = reader.headers().unwrap().clone();
        let at = |k: &str| header.iter().position(|h| h == k).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let n = records.len() as f64;
        let mut x = vec![0.0f64; records.len() * features.len()];
        for (j, f) in features.iter().enumerate() {
            let col: Vec<f64> = records.iter().map(|r| r[at(f)].parse().unwrap()).collect();
            let mean = col.iter().sum::<f64>() / n;
            let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            for (i, v) in col.iter().enumerate() {
                x[i * features.len() + j] = (v - mean) / sd;
            }
        }
        let labels = records.iter().map(|r| r[at(label)].to_string()).collect();
        (x.iter().map(|&v| v as f32).collect(), labels)
    }

    fn config() -> TrainConfig {
        TrainConfig {
            hidden: Vec::new(),
            learning_rate: 0.03,
            batch_size: 32,
            max_epochs: 1000,
            patience: 20,
            seed: 0,
            weight_decay: 0.0,
            class_weights: None,
            sample: Vec::new(),
            plateau: false,
        }
    }

    fn strings(v: &Json) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    }

    fn numbers(v: &Json) -> Vec<f64> {
        let flat = |v: &Json| -> Vec<f64> {
            match v.as_array() {
                Some(a) => a.iter().flat_map(numbers).collect(),
                None => vec![v.as_f64().unwrap()],
            }
        };
        flat(v)
    }

    fn weights(m: &Mlp) -> (Vec<f32>, Vec<f32>) {
        let (layer, _) = m.layers().next().unwrap();
        let w = layer.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let b = layer
            .bias
            .as_ref()
            .unwrap()
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        (w, b)
    }

    /// With the default strength, the fit is scikit-learn's `LogisticRegression()` on the
    /// wine data: the same weights and the same class probabilities.
    #[test]
    fn classes_fit_as_scikit_learns_logistic_regression() {
        let want = &reference()["wine"];
        let features = strings(&want["features"]);
        let classes = strings(&want["classes"]);
        let (x, labels) = table("wine.csv", &features, "target");
        let y: Vec<usize> = labels
            .iter()
            .map(|l| classes.iter().position(|c| c == l).unwrap())
            .collect();
        let data = Dataset {
            features: x.clone(),
            width: features.len(),
            targets: Targets::Classes(y),
        };
        let mut logged = 0;
        let fitted = fit(&data, &data, 3, &config(), &mut |_| {
            logged += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(fitted.history.len(), logged);
        assert!(
            fitted.history.len() < 1000,
            "converged: {}",
            fitted.history.len()
        );
        let (w, _) = weights(&fitted.model);
        assert_eq!(w.len(), numbers(&want["weight"]).len());
        for (got, want) in w.iter().zip(numbers(&want["weight"])) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-4,
                "weight {got} vs {want}"
            );
        }
        let logits =
            crate::trainer::forward(&fitted.model, &x[..5 * features.len()], features.len())
                .unwrap();
        for (row, want) in logits
            .chunks(3)
            .zip(numbers(&want["probabilities"]).chunks(3))
        {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f64> = row.iter().map(|v| f64::from(v - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            for (p, q) in e.iter().zip(want) {
                assert!((p / sum - q).abs() < 1e-5, "probability {} vs {q}", p / sum);
            }
        }
    }

    /// With the default strength, the fit is scikit-learn's `Ridge()`, on three collinear
    /// columns of cps1985 (an unpenalised fit has no unique answer there).
    #[test]
    fn values_fit_as_scikit_learns_ridge() {
        let want = &reference()["cps1985"];
        let features = strings(&want["features"]);
        let (x, wage) = table("cps1985.csv", &features, "wage");
        let wage: Vec<f64> = wage.iter().map(|v| v.parse().unwrap()).collect();
        let n = wage.len() as f64;
        let mean = wage.iter().sum::<f64>() / n;
        let sd = (wage.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let y = wage.iter().map(|v| ((v - mean) / sd) as f32).collect();
        let data = Dataset {
            features: x,
            width: 3,
            targets: Targets::Values(y),
        };
        let fitted = fit(&data, &data, 1, &config(), &mut |_| Ok(())).unwrap();
        let (w, _) = weights(&fitted.model);
        assert_eq!(w.len(), 3);
        for (got, want) in w.iter().zip(numbers(&want["weight"])) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-4,
                "weight {got} vs {want}"
            );
        }
    }

    /// Two classes: the two outputs' difference is scikit-learn's one logit, weights and
    /// intercept, at its default `C = 1` (breast_cancer, 30 features).
    #[test]
    fn two_classes_fit_as_scikit_learns_binary_logistic_regression() {
        let want = &reference()["breast_cancer"];
        let features = strings(&want["features"]);
        let (x, labels) = table("breast_cancer.csv", &features, "target");
        let classes = strings(&want["classes"]);
        let y: Vec<usize> = labels
            .iter()
            .map(|l| classes.iter().position(|c| c == l).unwrap())
            .collect();
        let data = Dataset {
            features: x,
            width: features.len(),
            targets: Targets::Classes(y),
        };
        let fitted = fit(&data, &data, 2, &config(), &mut |_| Ok(())).unwrap();
        let (w, b) = weights(&fitted.model);
        let coef = numbers(&want["coef"]);
        assert_eq!(w.len(), 2 * coef.len());
        for (j, want) in coef.iter().enumerate() {
            let got = f64::from(w[2 * j + 1] - w[2 * j]);
            assert!((got - want).abs() < 1e-4, "feature {j}: {got} vs {want}");
        }
        let intercept = f64::from(b[1] - b[0]);
        assert!(
            (intercept - want["intercept"].as_f64().unwrap()).abs() < 1e-4,
            "{intercept}"
        );
    }

    /// The gradient the solver follows is the objective's: central differences agree, with
    /// class weights and a penalty, at a point away from the optimum.
    #[test]
    fn the_gradient_is_the_objectives() {
        let features: Vec<String> = ["alcohol", "malic_acid", "ash", "hue"]
            .map(String::from)
            .to_vec();
        let (x, labels) = table("wine.csv", &features, "target");
        let y: Vec<usize> = labels
            .iter()
            .map(|l| usize::from(l.as_bytes()[l.len() - 1] - b'0'))
            .collect();
        let data = Dataset {
            features: x,
            width: 4,
            targets: Targets::Classes(y),
        };
        let weights = [0.5f32, 2.0, 1.0];
        let objective = Objective {
            rows: &data,
            order: (0..data.targets.len()).chain(0..7).collect(),
            width: 4,
            outputs: 3,
            class_weights: Some(&weights),
            penalty: 0.05,
        };
        let theta: Vec<f64> = (0..15).map(|i| ((i * 7 % 5) as f64 - 2.0) / 3.0).collect();
        let mut grad = vec![0.0; 15];
        objective.eval(&theta, Some(&mut grad)).unwrap();
        for i in 0..15 {
            let h = 1e-6;
            let mut up = theta.clone();
            up[i] += h;
            let mut down = theta.clone();
            down[i] -= h;
            let numeric = (objective.eval(&up, None).unwrap().total
                - objective.eval(&down, None).unwrap().total)
                / (2.0 * h);
            assert!(
                (numeric - grad[i]).abs() < 1e-6,
                "parameter {i}: {numeric} vs {}",
                grad[i]
            );
        }
    }
}
