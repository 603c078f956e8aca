//! `tandem train`'s flags, and the [`Plan`] they derive: a spec's plan with every given flag
//! overriding its spec value, or the default pipeline's plan from the flags alone. Either way
//! every setting passes the one rule ([`Plan::check`]) before any data is read.

use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use tandem_train::Plan;
use tandem_train::spec::check::SettingError;
use tandem_train::spec::defaults;
use tandem_train::spec::{ModelSpec, Rebalance};

use tandem_core::read::ReadOptions;
use tandem_core::schema::TaskKind;

use crate::commands::StoreArgs;
use crate::commands::read_args::ReadArgs;

/// What `tandem train` without `--spec` or `--data` says.
const NOTHING_TO_TRAIN: &str = "nothing to train: give a pipeline spec with `--spec tandem.toml` \
     (write a commented one for your data with `tandem init --data file.csv --label column`), \
     or `--data file.csv --label column` to train the default pipeline";

/// Arguments of `tandem train`.
#[derive(Args)]
pub struct TrainArgs {
    /// A pipeline spec (`tandem.toml`, see `tandem init`): data, label, split, training-only
    /// nodes, model and features. Every flag below that names a spec key overrides it.
    #[arg(long, conflicts_with_all = ["text_min_df", "text_max_features"])]
    spec: Option<PathBuf>,
    /// Training data: a CSV, JSON Lines or Parquet file, an HTTP(S) URL, `sqlite:FILE?table=T`,
    /// `postgres://user@host/db?query=...` or `rest+https://...` (docs/sources.md). Overrides
    /// the spec's `[data] path` / `source`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Labels from another source, joined to the data by `--join-key` (a labelling tool's
    /// export). Overrides the spec's `[data.labels] source`.
    #[arg(long, value_name = "SOURCE", requires = "join_key")]
    labels: Option<String>,
    /// The key column both sources share, for `--labels`.
    #[arg(long, value_name = "COLUMN", requires = "labels")]
    join_key: Option<String>,
    /// The label column in the `--labels` source [default: the label's name].
    #[arg(long, value_name = "COLUMN", requires = "labels")]
    labels_column: Option<String>,
    /// Only rows whose `--time-field` is at or after this ISO 8601 date or timestamp
    /// (pushed into SQL queries). Overrides `[data.window] since`.
    #[arg(long, value_name = "TIME", requires = "time_field")]
    since: Option<String>,
    /// Only rows whose `--time-field` is before this ISO 8601 date or timestamp. Overrides
    /// `[data.window] until`.
    #[arg(long, value_name = "TIME", requires = "time_field")]
    until: Option<String>,
    /// The timestamp column `--since` / `--until` apply to. Overrides `[data.window] field`.
    #[arg(long, value_name = "COLUMN")]
    time_field: Option<String>,
    /// The label column. Overrides the spec's `[data] label`.
    #[arg(long)]
    label: Option<String>,
    /// A schema JSON file overriding the inferred one (and the spec's `[data] schema`).
    #[arg(long)]
    schema: Option<PathBuf>,
    #[arg(long, help = help("Hidden layer widths, comma separated (`64,32`); `none` for logistic/linear regression", defaults::HIDDEN_FLAG, "[model] hidden"))]
    hidden: Option<String>,
    #[arg(long, allow_negative_numbers = true, help = help("Adam learning rate, in (0, 10]", defaults::LEARNING_RATE, "[model] learning_rate"))]
    learning_rate: Option<f64>,
    #[arg(long, value_parser = parse_batch, help = help("Rows per gradient step, or `auto`: 128, more on data sets past 8,192 training rows (an epoch of 64 steps, at most 2,048 rows each)", defaults::BATCH_SIZE, "[model] batch_size"))]
    batch_size: Option<tandem_train::spec::BatchSize>,
    #[arg(long, help = help("Maximum number of epochs", defaults::MAX_EPOCHS, "[model] max_epochs"))]
    max_epochs: Option<usize>,
    #[arg(long, help = help("Early stopping: epochs without a validation-loss improvement (a drop of at least 1e-4) before stopping", defaults::PATIENCE, "[model] patience"))]
    patience: Option<usize>,
    #[arg(long, allow_negative_numbers = true, help = help("L2 weight decay, in [0, 1]", defaults::WEIGHT_DECAY, "[model] weight_decay"))]
    weight_decay: Option<f64>,
    #[arg(long, help = help("Networks trained on as many folds of the non-test rows, each early-stopped on its own fold, and averaged into one (1: one network, early-stopped on the validation rows)", defaults::ENSEMBLE, "[model] ensemble"))]
    ensemble: Option<usize>,
    #[arg(long, value_parser = ["constant", "plateau"], help = help("The learning rate's schedule: `constant`, or `plateau` (halved every patience/4 epochs without a validation improvement)", defaults::LR_SCHEDULE.name(), "[model] lr_schedule"))]
    lr_schedule: Option<String>,
    #[arg(long, help = help("Seed for the split, initialisation and batch order", defaults::SEED, "[split] seed"))]
    seed: Option<u64>,
    #[arg(long, allow_negative_numbers = true, help = help("Fraction of rows held out for validation (early stopping)", defaults::VALIDATION, "[split] validation"))]
    validation_fraction: Option<f64>,
    #[arg(long, allow_negative_numbers = true, help = help("Fraction of rows held out for test metrics", defaults::TEST, "[split] test"))]
    test_fraction: Option<f64>,
    /// k-fold cross-validation on the non-test rows (2 to 50). Overrides `[split] folds`.
    #[arg(long)]
    folds: Option<usize>,
    /// Text fields: a term must appear in at least this many training rows (default pipeline
    /// only: a spec sets `min_df` per feature).
    #[arg(long, default_value_t = defaults::TEXT_MIN_DF)]
    text_min_df: usize,
    /// Text fields: keep at most this many terms per field, 0 for no limit (default pipeline
    /// only: a spec sets `max_features` per feature).
    #[arg(long, default_value_t = defaults::TEXT_MAX_FEATURES)]
    text_max_features: usize,
    #[arg(long, value_name = "ROWS", help = help("Training rows stored in the bundle as the explanations' background sample, 0 for none (they ship with the model)", defaults::BACKGROUND, "[explain] background"))]
    background: Option<usize>,
    #[arg(long, value_name = "SHARE", help = help("Rows that break the schema are set aside in quarantine.jsonl; fail past this share of the rows", defaults::MAX_INVALID_FRACTION, "[data] max_invalid_fraction"))]
    max_invalid_fraction: Option<f64>,
    /// The label's task instead of the inferred one: `classification` or `regression`
    /// (also with `--spec`, over its `task`).
    #[arg(long, value_name = "TASK")]
    task: Option<TaskKind>,
    /// Train as a stream (`on`: the data is read in passes, never held whole, training rows
    /// spilled to disk) or in memory (`off`); default: a stream for data over 256 MiB.
    /// Overrides `[data] stream`.
    #[arg(long, value_name = "on|off")]
    stream: Option<Switch>,
    #[arg(long, value_name = "ROWS", help = help("A streamed run keeps a uniform sample of this many rows of each part of the split, for early stopping, metrics, warnings and the drift reference", defaults::STREAM_SAMPLE, "[data] stream_sample"))]
    stream_sample: Option<usize>,
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
    /// Sign the bundle with this Ed25519 private key, so that loaders pinning its public
    /// key (`--public-key`, `Model.load(src, { publicKey })`) accept it: a PKCS#8 PEM file
    /// (`tandem keys new`, `openssl genpkey -algorithm ed25519`) or base64 of the raw 32-byte
    /// seed.
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    /// Also write the held-out raw instances and every engine's outputs on them (parity tests).
    #[arg(long, hide = true)]
    pub emit_parity: Option<PathBuf>,
}

/// A flag's help: what it sets, its default, and the spec key it overrides.
fn parse_batch(text: &str) -> std::result::Result<tandem_train::spec::BatchSize, String> {
    tandem_train::spec::BatchSize::parse(text)
        .ok_or_else(|| format!("{text:?} is not a number of rows or `auto`"))
}

fn help(what: &str, default: impl std::fmt::Display, key: &str) -> String {
    format!("{what} [default: {default}; overrides the spec's `{key}`]")
}

impl TrainArgs {
    /// The plan: the spec's with the given flags overriding it, or the default pipeline's
    /// from the flags; checked against the one rule for settings.
    pub fn plan(&self) -> Result<Plan> {
        let mut plan = match &self.spec {
            Some(path) => Plan::from_spec(path)?,
            None => self.default_plan()?,
        };
        self.override_plan(&mut plan)?;
        plan.check().map_err(|e| self.describe(&e))?;
        Ok(plan)
    }

    /// The default pipeline's plan, before overrides: defaults everywhere, data and label
    /// from the flags.
    fn default_plan(&self) -> Result<Plan> {
        let (Some(data), Some(label)) = (&self.data, &self.label) else {
            match (&self.data, &self.label) {
                (None, None) => bail!("{NOTHING_TO_TRAIN}"),
                (Some(_), None) => bail!(
                    "--label is required with --data (the column to predict); or give a spec with --spec"
                ),
                _ => bail!(
                    "--data is required with --label (a CSV file); or give a spec with --spec"
                ),
            }
        };
        Ok(Plan {
            data: data.clone(),
            source: None,
            window: None,
            labels: None,
            label: label.clone(),
            schema: None,
            validation: defaults::VALIDATION,
            test: defaults::TEST,
            seed: defaults::SEED,
            folds: None,
            dedupe: false,
            filters: Vec::new(),
            winsorize: Vec::new(),
            rebalance: Rebalance::None,
            model: ModelSpec::default(),
            text_min_df: self.text_min_df,
            text_max_features: (self.text_max_features > 0).then_some(self.text_max_features),
            read: ReadOptions::default(),
            task: None,
            background: defaults::BACKGROUND,
            max_invalid_fraction: defaults::MAX_INVALID_FRACTION,
            stream: None,
            stream_sample: defaults::STREAM_SAMPLE,
            spec: None,
        })
    }

    /// Every given flag replaces the plan's value.
    fn override_plan(&self, plan: &mut Plan) -> Result<()> {
        fn set<T: Clone>(slot: &mut T, flag: Option<&T>) {
            if let Some(v) = flag {
                *slot = v.clone();
            }
        }
        if let Some(d) = &self.data {
            plan.data = d.clone();
            plan.source = None;
        }
        self.override_sources(plan)?;
        set(&mut plan.background, self.background.as_ref());
        set(
            &mut plan.max_invalid_fraction,
            self.max_invalid_fraction.as_ref(),
        );
        set(&mut plan.label, self.label.as_ref());
        if let Some(s) = &self.schema {
            plan.schema = Some(s.clone());
        }
        if let Some(h) = &self.hidden {
            plan.model.hidden = parse_hidden(h)?;
        }
        let m = &mut plan.model;
        set(&mut m.learning_rate, self.learning_rate.as_ref());
        set(&mut m.batch_size, self.batch_size.as_ref());
        set(&mut m.max_epochs, self.max_epochs.as_ref());
        set(&mut m.patience, self.patience.as_ref());
        set(&mut m.weight_decay, self.weight_decay.as_ref());
        set(&mut m.ensemble, self.ensemble.as_ref());
        if let Some(name) = &self.lr_schedule {
            m.lr_schedule = tandem_train::spec::LrSchedule::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .unwrap_or(m.lr_schedule);
        }
        set(&mut plan.seed, self.seed.as_ref());
        set(&mut plan.validation, self.validation_fraction.as_ref());
        set(&mut plan.test, self.test_fraction.as_ref());
        if let Some(k) = self.folds {
            plan.folds = Some(k);
        }
        plan.read = self.read.over(&plan.read);
        plan.task = self.task.or(plan.task);
        set(&mut plan.stream_sample, self.stream_sample.as_ref());
        if let Some(s) = self.stream {
            plan.stream = Some(s == Switch::On);
        }
        Ok(())
    }

    /// `--labels` / `--join-key` and `--time-field` / `--since` / `--until` over the spec's.
    fn override_sources(&self, plan: &mut Plan) -> Result<()> {
        let label = self.label.as_ref().unwrap_or(&plan.label).clone();
        if let (Some(src), Some(key)) = (&self.labels, &self.join_key) {
            let source = tandem_sources::Source::parse(src, std::path::Path::new(""))
                .map_err(|e| anyhow!("--labels: [{}] {e}", e.code()))?;
            let keys = tandem_sources::JoinKeys {
                key: key.clone(),
                column: self.labels_column.clone().unwrap_or_else(|| label.clone()),
                label,
            };
            plan.labels = Some((source, keys));
        }
        if let Some(field) = &self.time_field {
            if self.since.is_none() && self.until.is_none() {
                bail!("--time-field needs --since and/or --until");
            }
            let w =
                tandem_sources::Window::new(field, self.since.as_deref(), self.until.as_deref())
                    .map_err(|e| anyhow!("[{}] {e}", e.code()))?;
            plan.window = Some(w);
        }
        Ok(())
    }

    /// A refused setting in the words of where it came from: the flag when one was given
    /// (or there is no spec), else the spec key.
    fn describe(&self, e: &SettingError) -> anyhow::Error {
        let flag = match e.key {
            "model.hidden" => self.hidden.is_some().then_some("--hidden"),
            "model.learning_rate" => self.learning_rate.is_some().then_some("--learning-rate"),
            "model.batch_size" => self.batch_size.is_some().then_some("--batch-size"),
            "model.max_epochs" => self.max_epochs.is_some().then_some("--max-epochs"),
            "model.weight_decay" => self.weight_decay.is_some().then_some("--weight-decay"),
            "model.ensemble" => self.ensemble.is_some().then_some("--ensemble"),
            "split.validation" => self
                .validation_fraction
                .is_some()
                .then_some("--validation-fraction"),
            "split.test" => self.test_fraction.is_some().then_some("--test-fraction"),
            "split.folds" => self.folds.is_some().then_some("--folds"),
            _ => None,
        };
        match flag {
            Some(flag) => anyhow!("{flag} {} is out of range: {}", e.value, e.accepted),
            None => anyhow!("{e}"),
        }
    }
}

fn parse_hidden(s: &str) -> Result<Vec<usize>> {
    let s = s.trim();
    if s.is_empty() {
        bail!(
            "--hidden is empty: give layer widths such as `64,32`, or `none` for logistic/linear regression"
        );
    }
    if s == "none" || s == "0" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|p| {
            let w: usize = p.trim().parse().with_context(|| {
                format!("--hidden {s}: `{p}` is not a layer width (a whole number of at least 1)")
            })?;
            if w == 0 {
                bail!("--hidden {s} is out of range: every layer width must be at least 1 (`none` for logistic/linear regression)");
            }
            Ok(w)
        })
        .collect()
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// Yes.
    On,
    /// No.
    Off,
}
