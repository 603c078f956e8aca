//! Export the trained network: ONNX (for interop) and NNEF (what the runtime loads).
//!
//! burn-onnx captures the forward pass into an ONNX graph with a symbolic batch axis but
//! names its input and output after capture ids (`tensor_109`); we rename them to the stable
//! names the bundle metadata promises, using the ONNX protobuf types tract exposes. tract then
//! translates the ONNX graph once, natively, into NNEF, so that the wasm runtime only needs
//! tract-core + tract-nnef ("translate once, ship only the runtime").

use burn::tensor::{Device, Tensor};
use burn_onnx::export::{AxisSpec, InputSpec, OnnxExporter};
use prost::Message;
use tract_onnx::prelude::*;

use crate::error::{Error, Result};
use crate::net::Mlp;

/// The graph's input name in every bundle.
pub const INPUT: &str = "features";

/// The `model.dense` part: the same weights for the compact dense kernel.
pub fn to_dense(model: &Mlp) -> Result<Vec<u8>> {
    let floats = |t: Tensor<1>| -> Result<Vec<f32>> {
        t.into_data()
            .try_to_vec::<f32>()
            .map_err(|e| Error::Export(format!("cannot read weights: {e:?}")))
    };
    let mut layers = Vec::new();
    for (linear, relu) in model.layers() {
        let w = linear.weight.val();
        let [inputs, outputs] = w.dims();
        let weights = floats(w.reshape([inputs * outputs]))?;
        let bias = match &linear.bias {
            Some(b) => floats(b.val())?,
            None => vec![0.0; outputs],
        };
        layers.push(tandem_core::runtime::DenseLayer {
            inputs,
            outputs,
            relu,
            weights,
            bias,
        });
    }
    let net = tandem_core::runtime::DenseNet::new(layers)
        .map_err(|e| Error::Export(format!("cannot build the dense kernel: {e}")))?;
    Ok(net.to_bytes())
}

/// Export `model` (plain device) to ONNX bytes with input `features` and output `output`.
pub fn to_onnx(model: &Mlp, n_features: usize, output: &str) -> Result<Vec<u8>> {
    let device = Device::flex();
    let sample = Tensor::<2>::zeros([2, n_features], &device);
    let check = Tensor::<2>::zeros([3, n_features], &device);
    let specs = [InputSpec::new([
        AxisSpec::dynamic("batch"),
        AxisSpec::Static,
    ])];
    let onnx = OnnxExporter::new()
        .export_dynamic(model, sample, check, &specs, Mlp::forward)
        .map_err(|e| Error::Export(format!("ONNX export failed: {e}")))?;
    rename_io(onnx.as_bytes(), INPUT, output)
}

/// Rename the single graph input and output, and every node edge that uses them.
pub fn rename_io(onnx: &[u8], input: &str, output: &str) -> Result<Vec<u8>> {
    let mut proto = tract_onnx::pb::ModelProto::decode(onnx)
        .map_err(|e| Error::Export(format!("cannot decode the exported ONNX: {e}")))?;
    let graph = proto
        .graph
        .as_mut()
        .ok_or_else(|| Error::Export("exported ONNX has no graph".into()))?;
    let initializers: std::collections::HashSet<String> =
        graph.initializer.iter().map(|t| t.name.clone()).collect();
    let inputs: Vec<usize> = (0..graph.input.len())
        .filter(|&i| !initializers.contains(&graph.input[i].name))
        .collect();
    if inputs.len() != 1 || graph.output.len() != 1 {
        return Err(Error::Export(format!(
            "expected one input and one output, found {} and {}",
            inputs.len(),
            graph.output.len()
        )));
    }
    let old_in = std::mem::replace(&mut graph.input[inputs[0]].name, input.to_string());
    let old_out = std::mem::replace(&mut graph.output[0].name, output.to_string());
    for node in &mut graph.node {
        for name in node.input.iter_mut().chain(node.output.iter_mut()) {
            if *name == old_in {
                *name = input.to_string();
            } else if *name == old_out {
                *name = output.to_string();
            }
        }
    }
    for vi in &mut graph.value_info {
        if vi.name == old_in {
            vi.name = input.to_string();
        } else if vi.name == old_out {
            vi.name = output.to_string();
        }
    }
    graph.name = "tandem_mlp".into();
    proto.producer_name = "tandem".into();
    proto.producer_version = env!("CARGO_PKG_VERSION").into();
    Ok(proto.encode_to_vec())
}

/// Translate ONNX bytes into an NNEF tar with tract (decluttered, not optimised: optimised
/// ops have no NNEF serializer). Deterministic: the tar's entries carry a fixed time, so the
/// same data and seed give a byte-identical part (a reproducible bundle), whenever trained.
pub fn onnx_to_nnef(onnx: &[u8]) -> Result<Vec<u8>> {
    let tract = |what: &str| {
        let what = what.to_string();
        move |e: TractError| Error::Export(format!("tract cannot {what}: {e}"))
    };
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(onnx))
        .map_err(tract("read the exported ONNX"))?
        .into_typed()
        .map_err(tract("type the ONNX graph"))?
        .into_decluttered()
        .map_err(tract("declutter the ONNX graph"))?;
    let tar = tract_nnef::nnef()
        .write_to_tar_with_config(&model, Vec::new(), false, true)
        .map_err(tract("write NNEF"))?;
    Ok(tar)
}
