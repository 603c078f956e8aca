//! Rough native cost of the inference pipeline on a bundle's parity rows (for profiling the
//! wasm package: compare with `bench/npm-vs-ort.mjs`).
//!
//!     cargo run --release -p tandem-core --example transform_cost -- <model.tandem> <instances.jsonl>
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tandem_core::Model;
use tandem_core::prep::TransformOptions;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = Model::load(&std::fs::read(&args[1]).expect("bundle")).expect("load");
    let rows: Vec<_> = std::fs::read_to_string(&args[2])
        .expect("instances")
        .lines()
        .map(|l| model.parse(&serde_json::from_str(l).unwrap()).unwrap())
        .collect();
    let n = 200_000;
    let t = std::time::Instant::now();
    let mut sink = 0.0f32;
    for i in 0..n {
        sink += model
            .features(&rows[i % rows.len()], TransformOptions::default())
            .unwrap()[0];
    }
    let features = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    let t = std::time::Instant::now();
    for i in 0..n {
        let batch = [Ok(rows[i % rows.len()].clone())];
        let mut out = Vec::new();
        model
            .batch_scores(&batch, TransformOptions::default(), &mut out)
            .unwrap();
        sink += out[0] as f32;
    }
    let scores = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!("features {features:.2} us, features + network + softmax {scores:.2} us ({sink})");
}
