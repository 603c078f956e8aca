//! `tandem train`: CSV → schema → split → fit preprocessing → Burn MLP → ONNX + NNEF →
//! bundle, verified by running the bundle through the same runtime users get.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde_json::{Value as Json, json};
use tandem_core::bundle::{Metadata, ModelInfo, TargetScaling};
use tandem_core::instance::{csv_columns, is_missing_cell};
use tandem_core::prep::{FitConfig, TransformOptions};
use tandem_core::schema::{InferConfig, infer_schema};
use tandem_core::{
    Bundle, Instance, Model, Prediction, Preprocessor, Schema, Task, Value, tolerance,
};

use crate::run::{new_run_id, now_rfc3339};
use crate::split::stratified_split;
use crate::table::Table;
use crate::trainer::{Dataset, Targets, TrainConfig, forward, train};
use crate::{export, metrics};

/// Arguments of `tandem train`.
#[derive(Args)]
pub struct TrainArgs {
    /// Training data (CSV with a header row).
    #[arg(long)]
    data: PathBuf,
    /// The label column.
    #[arg(long)]
    label: String,
    /// A schema JSON file overriding the inferred one.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Hidden layer widths, comma separated; `none` for logistic/linear regression.
    #[arg(long, default_value = "32")]
    hidden: String,
    /// Adam learning rate.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
    /// Rows per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 300)]
    max_epochs: usize,
    /// Early stopping: epochs without validation-loss improvement before stopping.
    #[arg(long, default_value_t = 20)]
    patience: usize,
    /// Seed for the split, initialisation and batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fraction of rows held out for validation.
    #[arg(long, default_value_t = 0.2)]
    validation_fraction: f64,
    /// Text fields: a term must appear in at least this many training rows.
    #[arg(long, default_value_t = 2)]
    text_min_df: usize,
    /// Text fields: keep at most this many terms per field (0: no limit).
    #[arg(long, default_value_t = 100)]
    text_max_features: usize,
    /// Folder holding run folders.
    #[arg(long, default_value = "tandem-runs")]
    runs_dir: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the run summary as JSON on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the held-out raw instances and every engine's outputs on them (parity tests).
    #[arg(long, hide = true)]
    emit_parity: Option<PathBuf>,
}

fn parse_hidden(s: &str) -> Result<Vec<usize>> {
    let s = s.trim();
    if s.is_empty() || s == "none" || s == "0" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|p| {
            let w: usize = p
                .trim()
                .parse()
                .with_context(|| format!("--hidden: `{p}` is not a width"))?;
            if w == 0 {
                bail!("--hidden: a layer width must be at least 1");
            }
            Ok(w)
        })
        .collect()
}

fn instance_json(schema: &Schema, inst: &Instance) -> Json {
    let mut map = serde_json::Map::new();
    for (f, v) in schema.fields.iter().zip(&inst.values) {
        let j = match v {
            Value::Missing => Json::Null,
            Value::Number(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
        };
        map.insert(f.name.clone(), j);
    }
    Json::Object(map)
}

/// Run `tandem train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let hidden = parse_hidden(&args.hidden)?;
    if !(0.0 < args.validation_fraction && args.validation_fraction < 1.0) {
        bail!("--validation-fraction must be between 0 and 1");
    }
    let table = Table::read(&args.data)?;
    let label_col = table.column(&args.label).ok_or_else(|| {
        anyhow!(
            "label column `{}` is not in {}",
            args.label,
            args.data.display()
        )
    })?;
    let schema = match &args.schema {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let s: Schema = serde_json::from_str(&text)
                .with_context(|| format!("invalid schema {}", path.display()))?;
            s.validate().map_err(|e| super::core_error(&e))?;
            if s.label.name != args.label {
                bail!(
                    "schema {} has label `{}`, not `{}`",
                    path.display(),
                    s.label.name,
                    args.label
                );
            }
            s
        }
        None => infer_schema(
            &table.header_strings(),
            &table.row_strings(),
            &args.label,
            &InferConfig::default(),
        )
        .map_err(|e| super::core_error(&e))?,
    };

    // Parse every row into a typed instance and a target.
    let columns = csv_columns(&schema, &table.header);
    let mut instances = Vec::with_capacity(table.rows.len());
    let mut classes_idx = Vec::new();
    let mut values = Vec::new();
    // Training-only node: rows without a label cannot teach anything and are dropped
    // (counted and reported); `source_rows[i]` is the file row of instance `i`.
    let mut source_rows = Vec::with_capacity(table.rows.len());
    let mut dropped_no_label = 0usize;
    for (i, rec) in table.rows.iter().enumerate() {
        let row = i + 1;
        if is_missing_cell(rec.get(label_col).unwrap_or("")) {
            dropped_no_label += 1;
            continue;
        }
        source_rows.push(row);
        let inst = Instance::from_csv_record(&schema, &columns, rec)
            .map_err(|e| super::core_error(&e.at_row(row)))
            .with_context(|| format!("{}", args.data.display()))?;
        let cell = rec.get(label_col).unwrap_or("").trim();
        match &schema.label.task {
            Task::Classification { classes } => {
                let k = classes.iter().position(|c| c == cell).ok_or_else(|| {
                    anyhow!(
                        "{}: row {row}: label {cell:?} is not one of the schema's classes",
                        args.data.display()
                    )
                })?;
                classes_idx.push(k);
            }
            Task::Regression => {
                let v: f64 = cell
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| {
                        anyhow!(
                            "{}: row {row}: label {cell:?} is not a finite number",
                            args.data.display()
                        )
                    })?;
                values.push(v);
            }
        }
        instances.push(inst);
    }

    if dropped_no_label > 0 && !args.json {
        eprintln!("dropped {dropped_no_label} rows with a missing label");
    }
    let (n_out, groups) = match &schema.label.task {
        Task::Classification { classes } => (classes.len(), classes_idx.clone()),
        Task::Regression => (1, vec![0; instances.len()]),
    };
    let split = stratified_split(&groups, args.validation_fraction, args.seed);
    if split.train.is_empty() || split.validation.is_empty() {
        bail!("not enough rows to split ({} rows)", instances.len());
    }
    let pick = |idx: &[usize]| {
        idx.iter()
            .map(|&i| instances[i].clone())
            .collect::<Vec<_>>()
    };
    let train_inst = pick(&split.train);
    let valid_inst = pick(&split.validation);

    // Fit the shared preprocessing on the training rows only, then transform both sides.
    let fit_config = FitConfig {
        text_min_df: args.text_min_df,
        text_max_features: (args.text_max_features > 0).then_some(args.text_max_features),
    };
    let preprocessing = Preprocessor::fit_with(&schema, &train_inst, &fit_config);
    let bound = preprocessing
        .bind(&schema)
        .map_err(|e| super::core_error(&e))?;
    let width = bound.width();
    let featurize = |rows: &[Instance]| -> Result<Vec<f32>> {
        let mut out = Vec::with_capacity(rows.len() * width);
        for r in rows {
            bound
                .transform_into(r, TransformOptions::default(), &mut out)
                .map_err(|e| super::core_error(&e.into()))?;
        }
        Ok(out)
    };
    let train_x = featurize(&train_inst)?;
    let valid_x = featurize(&valid_inst)?;

    let target_scaling = match &schema.label.task {
        Task::Regression => {
            let t: Vec<f64> = split.train.iter().map(|&i| values[i]).collect();
            let mean = t.iter().sum::<f64>() / t.len() as f64;
            let std = (t.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / t.len() as f64).sqrt();
            Some(TargetScaling {
                mean,
                scale: if std > 0.0 { std } else { 1.0 },
            })
        }
        Task::Classification { .. } => None,
    };
    let targets = |idx: &[usize]| match (&schema.label.task, &target_scaling) {
        (Task::Regression, Some(s)) => Targets::Values(
            idx.iter()
                .map(|&i| ((values[i] - s.mean) / s.scale) as f32)
                .collect(),
        ),
        _ => Targets::Classes(idx.iter().map(|&i| classes_idx[i]).collect()),
    };
    let train_ds = Dataset {
        features: train_x,
        width,
        targets: targets(&split.train),
    };
    let valid_ds = Dataset {
        features: valid_x,
        width,
        targets: targets(&split.validation),
    };

    let config = TrainConfig {
        hidden: hidden.clone(),
        learning_rate: args.learning_rate,
        batch_size: args.batch_size,
        max_epochs: args.max_epochs,
        patience: args.patience,
        seed: args.seed,
        quiet: args.quiet || args.json,
    };
    let started = std::time::Instant::now();
    let trained = train(&train_ds, &valid_ds, n_out, &config)?;
    let train_seconds = started.elapsed().as_secs_f64();

    // Export and assemble the bundle.
    let output_name = if n_out == 1 && target_scaling.is_some() {
        "value"
    } else {
        "logits"
    };
    let onnx = export::to_onnx(&trained.model, width, output_name)?;
    let nnef = export::onnx_to_nnef(&onnx)?;
    let run_id = new_run_id(&table.sha256);
    let params: BTreeMap<String, String> = [
        ("data", args.data.display().to_string()),
        ("data_sha256", table.sha256.clone()),
        ("label", args.label.clone()),
        (
            "hidden",
            if hidden.is_empty() {
                "none".into()
            } else {
                args.hidden.clone()
            },
        ),
        ("learning_rate", args.learning_rate.to_string()),
        ("batch_size", args.batch_size.to_string()),
        ("max_epochs", args.max_epochs.to_string()),
        ("patience", args.patience.to_string()),
        ("seed", args.seed.to_string()),
        ("validation_fraction", args.validation_fraction.to_string()),
        ("text_min_df", args.text_min_df.to_string()),
        ("text_max_features", args.text_max_features.to_string()),
        ("optimizer", "adam".into()),
        ("backend", "burn-flex".into()),
        ("epochs_run", trained.history.len().to_string()),
        ("best_epoch", trained.best_epoch.to_string()),
        ("train_rows", split.train.len().to_string()),
        ("dropped_missing_label", dropped_no_label.to_string()),
        ("validation_rows", split.validation.len().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut bundle = Bundle {
        schema: schema.clone(),
        preprocessing: preprocessing.clone(),
        metadata: Metadata {
            run_id: run_id.clone(),
            created: now_rfc3339(),
            tandem_version: tandem_core::VERSION.into(),
            metrics: BTreeMap::new(),
            params,
            feature_names: preprocessing.feature_names(),
            model: ModelInfo {
                input: export::INPUT.into(),
                output: output_name.into(),
                n_features: width,
                n_outputs: n_out,
                hidden_layers: hidden.clone(),
                activation: "relu".into(),
            },
            target: target_scaling,
        },
        onnx,
        nnef,
    };

    // Evaluate through the runtime users get (tract on the NNEF graph), and check it agrees
    // with Burn's own forward pass before anything is written.
    // The runtime is loaded from the encoded bytes, exactly as a user app will load it, and
    // must reproduce the training features bit for bit (no train/serve skew).
    let encoded = bundle
        .to_bytes()
        .map_err(|e| super::core_error(&e.into()))?;
    let runtime = Model::load(&encoded).map_err(|e| super::core_error(&e))?;
    for (i, inst) in valid_inst.iter().enumerate() {
        let f = runtime
            .features(inst, TransformOptions::default())
            .map_err(|e| super::core_error(&e))?;
        let expected = &valid_ds.features[i * width..(i + 1) * width];
        if f.iter()
            .map(|x| x.to_bits())
            .ne(expected.iter().map(|x| x.to_bits()))
        {
            bail!(
                "export check failed: the bundle's preprocessing differs from training's on validation row {i}"
            );
        }
    }
    let burn_valid = forward(&trained.model, &valid_ds.features, width)?;
    let tract_valid = runtime
        .raw_outputs(&valid_ds.features)
        .map_err(|e| super::core_error(&e))?;
    let max_diff = burn_valid
        .iter()
        .zip(&tract_valid)
        .map(|(a, b)| (a - b).abs() as f64)
        .fold(0.0, f64::max);
    if burn_valid
        .iter()
        .chain(&tract_valid)
        .any(|x| !x.is_finite())
    {
        bail!(
            "training diverged: the network outputs non-finite values (try a smaller --learning-rate)"
        );
    }
    if max_diff > tolerance::LOGIT_ABS {
        bail!("export check failed: tract and Burn outputs differ by {max_diff:e}");
    }
    let evaluate = |ds: &Dataset, idx: &[usize]| -> Result<BTreeMap<String, f64>> {
        let preds = runtime
            .predict_features(&ds.features)
            .map_err(|e| super::core_error(&e))?;
        Ok(match &schema.label.task {
            Task::Classification { classes } => {
                let probs: Vec<Vec<f64>> = preds
                    .iter()
                    .map(|p| match p {
                        Prediction::Class { probabilities, .. } => {
                            classes.iter().map(|c| probabilities[c]).collect()
                        }
                        Prediction::Value { .. } => Vec::new(),
                    })
                    .collect();
                let truth: Vec<usize> = idx.iter().map(|&i| classes_idx[i]).collect();
                metrics::classification(&probs, &truth, classes.len())
            }
            Task::Regression => {
                let pred: Vec<f64> = preds
                    .iter()
                    .map(|p| match p {
                        Prediction::Value { value } => *value,
                        Prediction::Class { .. } => f64::NAN,
                    })
                    .collect();
                let truth: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
                metrics::regression(&pred, &truth)
            }
        })
    };
    let train_metrics = evaluate(&train_ds, &split.train)?;
    let valid_metrics = evaluate(&valid_ds, &split.validation)?;
    for (k, v) in &train_metrics {
        bundle.metadata.metrics.insert(format!("train_{k}"), *v);
    }
    for (k, v) in &valid_metrics {
        bundle
            .metadata
            .metrics
            .insert(format!("validation_{k}"), *v);
    }
    if let Some((k, v)) = bundle.metadata.metrics.iter().find(|(_, v)| !v.is_finite()) {
        bail!("metric {k} is {v}: refusing to write a bundle with a non-finite metric");
    }
    let bytes = bundle
        .to_bytes()
        .map_err(|e| super::core_error(&e.into()))?;

    // Write the run folder: files land under a temporary name, then move into place.
    let run_dir = args.runs_dir.join(&run_id);
    std::fs::create_dir_all(&run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;
    let history_csv: String = std::iter::once("epoch,train_loss,validation_loss\n".to_string())
        .chain(
            trained
                .history
                .iter()
                .map(|h| format!("{},{},{}\n", h.epoch, h.train_loss, h.validation_loss)),
        )
        .collect();
    let metrics_json = json!({
        "train": train_metrics,
        "validation": valid_metrics,
        "best_epoch": trained.best_epoch,
        "epochs_run": trained.history.len(),
        "train_seconds": train_seconds,
        "export_max_abs_diff_burn_vs_tract": max_diff,
    });
    let split_json = json!({
        "rows": "1-based data rows of the training file",
        "train": split.train.iter().map(|&i| source_rows[i]).collect::<Vec<_>>(),
        "validation": split.validation.iter().map(|&i| source_rows[i]).collect::<Vec<_>>(),
        "dropped_missing_label": dropped_no_label,
    });
    write_atomic(&run_dir.join("model.onnx"), &bundle.onnx)?;
    write_atomic(
        &run_dir.join("schema.json"),
        &serde_json::to_vec_pretty(&schema)?,
    )?;
    write_atomic(
        &run_dir.join("params.json"),
        &serde_json::to_vec_pretty(&bundle.metadata.params)?,
    )?;
    write_atomic(
        &run_dir.join("metrics.json"),
        &serde_json::to_vec_pretty(&metrics_json)?,
    )?;
    write_atomic(&run_dir.join("history.csv"), history_csv.as_bytes())?;
    write_atomic(
        &run_dir.join("split.json"),
        &serde_json::to_vec(&split_json)?,
    )?;
    write_atomic(&run_dir.join("model.tandem"), &bytes)?;

    if let Some(dir) = &args.emit_parity {
        emit_parity(
            dir,
            &schema,
            &valid_inst,
            &valid_ds,
            &burn_valid,
            &runtime,
            n_out,
        )?;
    }

    let summary = json!({
        "run_id": run_id,
        "run_dir": run_dir,
        "model": run_dir.join("model.tandem"),
        "metrics": bundle.metadata.metrics,
        "best_epoch": trained.best_epoch,
        "epochs_run": trained.history.len(),
    });
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_summary(
            &run_id,
            &run_dir,
            &train_metrics,
            &valid_metrics,
            &trained,
            train_seconds,
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(
    run_id: &str,
    run_dir: &Path,
    train: &BTreeMap<String, f64>,
    valid: &BTreeMap<String, f64>,
    trained: &crate::trainer::Trained,
    seconds: f64,
) {
    println!("run {run_id}");
    println!(
        "  {} epochs in {seconds:.2}s, kept epoch {} (lowest validation loss)",
        trained.history.len(),
        trained.best_epoch
    );
    println!("  {:<12} {:>10} {:>12}", "metric", "train", "validation");
    for (k, v) in valid {
        println!(
            "  {k:<12} {:>10.4} {v:>12.4}",
            train.get(k).copied().unwrap_or(f64::NAN)
        );
    }
    println!("  bundle: {}", run_dir.join("model.tandem").display());
}

/// Write a file so that readers never see it half-written: temp file, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!(
        "{}.tmp-{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot sync {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} into place", path.display()))?;
    Ok(())
}

fn emit_parity(
    dir: &Path,
    schema: &Schema,
    instances: &[Instance],
    ds: &Dataset,
    burn_outputs: &[f32],
    runtime: &Model,
    n_out: usize,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut jsonl = String::new();
    for inst in instances {
        jsonl.push_str(&serde_json::to_string(&instance_json(schema, inst))?);
        jsonl.push('\n');
    }
    let width = ds.width;
    let rows: Vec<Json> = instances
        .iter()
        .enumerate()
        .map(|(i, inst)| {
            let features = &ds.features[i * width..(i + 1) * width];
            let burn = &burn_outputs[i * n_out..(i + 1) * n_out];
            let prediction = runtime
                .predict(inst, TransformOptions::default())
                .map(|p| serde_json::to_value(p).unwrap_or(Json::Null))
                .unwrap_or(Json::Null);
            json!({
                "feature_bits": features.iter().map(|f| f.to_bits()).collect::<Vec<_>>(),
                "features": features,
                "burn_outputs": burn,
                "burn_probabilities": tandem_core::prediction::softmax(burn),
                "native_prediction": prediction,
            })
        })
        .collect();
    write_atomic(&dir.join("instances.jsonl"), jsonl.as_bytes())?;
    write_atomic(
        &dir.join("reference.json"),
        &serde_json::to_vec(&json!({ "task": schema.label.task, "rows": rows }))?,
    )?;
    Ok(())
}
