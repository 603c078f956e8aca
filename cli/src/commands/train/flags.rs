//! `tandem train`'s flags, and the [`Plan`] they derive.

use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use tandem_train::Plan;
use tandem_train::spec::defaults;
use tandem_train::spec::{ModelSpec, Rebalance};

use tandem_core::read::ReadOptions;
use tandem_core::schema::TaskKind;

use crate::commands::StoreArgs;
use crate::commands::read_args::ReadArgs;

/// Arguments of `tandem train`.
#[derive(Args)]
pub struct TrainArgs {
    /// A pipeline spec (`tandem.toml`, see `tandem init`): data, label, split, training-only
    /// nodes, model and features. Replaces every flag below up to `--text-max-features`.
    #[arg(long, conflicts_with_all = ["data", "label", "schema", "hidden", "learning_rate",
        "batch_size", "max_epochs", "patience", "seed", "validation_fraction",
        "text_min_df", "text_max_features"])]
    spec: Option<PathBuf>,
    /// Training data (CSV with a header row).
    #[arg(long, required_unless_present = "spec")]
    data: Option<PathBuf>,
    /// The label column.
    #[arg(long, required_unless_present = "spec")]
    label: Option<String>,
    /// A schema JSON file overriding the inferred one.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Hidden layer widths, comma separated; `none` for logistic/linear regression.
    #[arg(long, default_value = defaults::HIDDEN_FLAG)]
    hidden: String,
    /// Adam learning rate.
    #[arg(long, default_value_t = defaults::LEARNING_RATE)]
    learning_rate: f64,
    /// Rows per gradient step.
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    batch_size: usize,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = defaults::MAX_EPOCHS)]
    max_epochs: usize,
    /// Early stopping: epochs without validation-loss improvement before stopping.
    #[arg(long, default_value_t = defaults::PATIENCE)]
    patience: usize,
    /// Seed for the split, initialisation and batch order.
    #[arg(long, default_value_t = defaults::SEED)]
    seed: u64,
    /// Fraction of rows held out for validation.
    #[arg(long, default_value_t = defaults::VALIDATION)]
    validation_fraction: f64,
    /// Text fields: a term must appear in at least this many training rows.
    #[arg(long, default_value_t = defaults::TEXT_MIN_DF)]
    text_min_df: usize,
    /// Text fields: keep at most this many terms per field (0: no limit).
    #[arg(long, default_value_t = defaults::TEXT_MAX_FEATURES)]
    text_max_features: usize,
    /// The label's task instead of the inferred one: `classification` or `regression`
    /// (also with `--spec`, over its `task`).
    #[arg(long, value_name = "TASK")]
    task: Option<TaskKind>,
    /// How the data file writes its cells (also with `--spec`, over its `[data]` keys).
    #[command(flatten)]
    read: ReadArgs,
    /// Where the run is recorded: the local store, and MLflow with `--tracking-uri`.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Experiment to record the run in (created if needed).
    #[arg(long, env = "MLFLOW_EXPERIMENT_NAME", default_value = "Default")]
    pub experiment: String,
    /// A name for the run (default: the spec or data file's name and the time).
    #[arg(long)]
    pub run_name: Option<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the run summary as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the held-out raw instances and every engine's outputs on them (parity tests).
    #[arg(long, hide = true)]
    pub emit_parity: Option<PathBuf>,
}

impl TrainArgs {
    /// The plan: the spec's, or the default pipeline's from the flags; the reading flags
    /// and `--task` apply to both.
    pub fn plan(&self) -> Result<Plan> {
        let mut plan = self.base_plan()?;
        plan.read = self.read.over(&plan.read);
        plan.task = self.task.or(plan.task);
        Ok(plan)
    }

    fn base_plan(&self) -> Result<Plan> {
        if let Some(path) = &self.spec {
            return Ok(Plan::from_spec(path)?);
        }
        if !(0.0 < self.validation_fraction && self.validation_fraction < 1.0) {
            bail!("--validation-fraction must be between 0 and 1");
        }
        let plan = Plan {
            data: self
                .data
                .clone()
                .ok_or_else(|| anyhow!("--data is required"))?,
            label: self
                .label
                .clone()
                .ok_or_else(|| anyhow!("--label is required"))?,
            schema: self.schema.clone(),
            validation: self.validation_fraction,
            test: defaults::TEST,
            seed: self.seed,
            folds: None,
            dedupe: false,
            filters: Vec::new(),
            winsorize: Vec::new(),
            rebalance: Rebalance::None,
            model: ModelSpec {
                hidden: parse_hidden(&self.hidden)?,
                learning_rate: self.learning_rate,
                batch_size: self.batch_size,
                max_epochs: self.max_epochs,
                patience: self.patience,
                weight_decay: defaults::WEIGHT_DECAY,
            },
            text_min_df: self.text_min_df,
            text_max_features: (self.text_max_features > 0).then_some(self.text_max_features),
            read: ReadOptions::default(),
            task: None,
            spec: None,
        };
        plan.model.check().map_err(|why| {
            anyhow!("{why} (--hidden, --batch-size, --max-epochs, --learning-rate)")
        })?;
        Ok(plan)
    }
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
