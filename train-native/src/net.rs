//! The network Tandem trains: a multi-layer perceptron (ReLU hidden layers, linear output).
//! Zero hidden layers is logistic regression (classification) or linear regression.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

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
}
