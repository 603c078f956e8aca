//! The network Tandem trains: a multi-layer perceptron (ReLU hidden layers, linear output).
//! Zero hidden layers is logistic regression (classification) or linear regression.

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{Error, Result};

/// Burn's random numbers come from one process-wide generator: whoever seeds it must draw
/// before anyone else seeds it again.
static SEEDING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A network made by `make` on the autodiff device seeded with `seed`, its parameters drawn
/// before the generator is released (Burn draws a parameter's initial values when they are
/// first computed). Networks made so are the same whatever else runs in the process.
pub fn seeded(seed: u64, make: impl FnOnce(&Device) -> Mlp) -> Mlp {
    let _guard = SEEDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let device = Device::flex().autodiff();
    device.seed(seed);
    let model = make(&device);
    for (linear, _) in model.layers() {
        let _ = linear.weight.val().into_data();
        if let Some(b) = &linear.bias {
            let _ = b.val().into_data();
        }
    }
    model
}

/// A dense layer with these weights (`[n_in][n_out]`, row-major) and biases.
fn layer(weight: Vec<f32>, bias: Vec<f32>, n_in: usize, n_out: usize, device: &Device) -> Linear {
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(weight, [n_in, n_out]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(bias, [n_out]),
            device,
        ))),
    }
}

/// The MLP.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    output: Linear,
}

impl Mlp {
    /// A freshly initialised network.
    pub fn new(n_in: usize, hidden: &[usize], n_out: usize, device: &Device) -> Mlp {
        let mut layers = Vec::with_capacity(hidden.len());
        let mut width = n_in;
        for &h in hidden {
            layers.push(LinearConfig::new(width, h).init(device));
            width = h;
        }
        Mlp {
            hidden: layers,
            output: LinearConfig::new(width, n_out).init(device),
        }
    }

    /// The layers in order, each with whether a ReLU follows it.
    pub fn layers(&self) -> impl Iterator<Item = (&Linear, bool)> {
        self.hidden
            .iter()
            .map(|l| (l, true))
            .chain(std::iter::once((&self.output, false)))
    }

    /// Logits (classification) or the scaled value (regression), shape `[batch, n_out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let mut x = x;
        for layer in &self.hidden {
            x = relu(layer.forward(x));
        }
        self.output.forward(x)
    }

    /// One network whose output is the mean of `members`' outputs (an ensemble's logits or
    /// scaled values, averaged), on the plain device. The members share their shape: their
    /// first hidden layers sit side by side over the shared input, deeper hidden layers are
    /// block-diagonal (each member only sees its own units), and the output layer sums every
    /// member's contribution divided by their number. Exported like any network (dense
    /// kernel, ONNX, NNEF), with hidden widths multiplied by the member count.
    pub fn average(members: &[Mlp]) -> Result<Mlp> {
        let first = members
            .first()
            .ok_or_else(|| Error::Training("an ensemble needs a member".into()))?;
        let k = members.len();
        let shapes: Vec<[usize; 2]> = first.layers().map(|(l, _)| l.weight.val().dims()).collect();
        let device = Device::flex();
        let read = |t: Tensor<1>| -> Result<Vec<f32>> {
            t.into_data()
                .try_to_vec::<f32>()
                .map_err(|e| Error::Training(format!("cannot read weights: {e:?}")))
        };
        let mut layers: Vec<Linear> = Vec::with_capacity(shapes.len());
        for (depth, &[inputs, outputs]) in shapes.iter().enumerate() {
            let last = depth + 1 == shapes.len();
            // Merged shape: the input is shared by the first layer only; the output layer
            // keeps the task's width.
            let m_in = if depth == 0 { inputs } else { inputs * k };
            let m_out = if last { outputs } else { outputs * k };
            let mut weight = vec![0.0f32; m_in * m_out];
            let mut bias = vec![0.0f32; m_out];
            for (i, member) in members.iter().enumerate() {
                let (linear, _) = member
                    .layers()
                    .nth(depth)
                    .ok_or_else(|| Error::Training("ensemble members differ in depth".into()))?;
                if linear.weight.val().dims() != [inputs, outputs] {
                    return Err(Error::Training("ensemble members differ in shape".into()));
                }
                let w = read(linear.weight.val().reshape([inputs * outputs]))?;
                let b = match &linear.bias {
                    Some(b) => read(b.val())?,
                    None => vec![0.0; outputs],
                };
                let row0 = if depth == 0 { 0 } else { i * inputs };
                let col0 = if last { 0 } else { i * outputs };
                for r in 0..inputs {
                    for c in 0..outputs {
                        let v = w[r * outputs + c];
                        // Without hidden layers every member's output layer reads the same
                        // inputs: their weights add up.
                        weight[(row0 + r) * m_out + col0 + c] +=
                            if last { v / k as f32 } else { v };
                    }
                }
                for c in 0..outputs {
                    if last {
                        bias[c] += b[c] / k as f32;
                    } else {
                        bias[col0 + c] = b[c];
                    }
                }
            }
            layers.push(layer(weight, bias, m_in, m_out, &device));
        }
        let output = layers
            .pop()
            .ok_or_else(|| Error::Training("a network has an output layer".into()))?;
        Ok(Mlp {
            hidden: layers,
            output,
        })
    }

    /// A network without hidden layers with these weights (`[n_in][n_out]`, row-major) and
    /// biases, on the plain device: a linear model fitted outside Burn ([`crate::linear`]).
    pub fn linear(n_in: usize, n_out: usize, weight: Vec<f32>, bias: Vec<f32>) -> Mlp {
        Mlp {
            hidden: Vec::new(),
            output: layer(weight, bias, n_in, n_out, &Device::flex()),
        }
    }

    /// Width of the output: classes, or 1 for a regression.
    pub fn outputs(&self) -> usize {
        self.output.weight.val().dims()[1]
    }

    /// Hidden layer widths.
    pub fn hidden_widths(&self) -> Vec<usize> {
        self.hidden
            .iter()
            .map(|l| l.weight.val().dims()[1])
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn outputs(m: &Mlp, x: &[f32], width: usize) -> Vec<f32> {
        crate::trainer::forward(m, x, width).unwrap()
    }

    /// The merged network computes the members' mean output, for one and two hidden layers
    /// and for none.
    #[test]
    fn the_average_network_is_the_mean_of_its_members() {
        let x: Vec<f32> = (0..5 * 7)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
            .collect();
        for hidden in [vec![], vec![6], vec![4, 3]] {
            let members: Vec<Mlp> = (0..3)
                .map(|m| seeded(m, |device| Mlp::new(7, &hidden, 2, device)).valid())
                .collect();
            let merged = Mlp::average(&members).unwrap();
            assert_eq!(
                merged.hidden_widths(),
                hidden.iter().map(|h| h * 3).collect::<Vec<_>>()
            );
            let want: Vec<f32> = (0..5 * 2)
                .map(|j| members.iter().map(|m| outputs(m, &x, 7)[j]).sum::<f32>() / 3.0)
                .collect();
            for (g, w) in outputs(&merged, &x, 7).iter().zip(&want) {
                assert!((g - w).abs() < 1e-5, "{hidden:?}: {g} vs {w}");
            }
        }
    }
}
