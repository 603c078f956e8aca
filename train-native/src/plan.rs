//! A training plan: everything one run needs, read from a pipeline spec or built from flags.
//!
//! The binary parses its flags into a raw form and derives a [`Plan`] from them (as ripgrep
//! does); a spec file derives one with [`Plan::from_spec`]. Everything after this point reads
//! only the plan.

use std::ops::Range;
use std::path::{Path, PathBuf};

use tandem_core::read::ReadOptions;
use tandem_core::schema::TaskKind;

use crate::error::{Error, Result};
use crate::spec::defaults::{TEXT_MAX_FEATURES, TEXT_MIN_DF};
use crate::spec::{LoadedSpec, ModelSpec, Rebalance, Winsorize};

/// Everything a training run needs.
#[derive(Debug)]
pub struct Plan {
    /// Training data (CSV with a header row).
    pub data: PathBuf,
    /// The label column.
    pub label: String,
    /// A schema JSON file overriding the inferred one.
    pub schema: Option<PathBuf>,
    /// Fraction of rows held out for validation (early stopping, validation metrics).
    pub validation: f64,
    /// Fraction of rows held out for test metrics.
    pub test: f64,
    /// Seed of the split, initialisation and batch order.
    pub seed: u64,
    /// k-fold cross-validation on the non-test rows.
    pub folds: Option<usize>,
    /// Training-only: drop exact duplicate rows.
    pub dedupe: bool,
    /// Training-only: row filters, with their place in the spec.
    pub filters: Vec<(String, Range<usize>)>,
    /// Training-only: winsorized fields, with their place in the spec.
    pub winsorize: Vec<(Winsorize, Range<usize>)>,
    /// Training-only: class rebalancing.
    pub rebalance: Rebalance,
    /// The network and its optimiser.
    pub model: ModelSpec,
    /// Default pipeline: a text term must appear in at least this many training rows.
    pub text_min_df: usize,
    /// Default pipeline: at most this many terms per text field.
    pub text_max_features: Option<usize>,
    /// How the data's cells are written (missing markers, number formats, delimiter).
    pub read: ReadOptions,
    /// The label's task, when given (else inferred).
    pub task: Option<TaskKind>,
    /// Training rows kept in the bundle as the explanations' background (0: none).
    pub background: usize,
    /// The share of rows that may break the schema (quarantined) before the run fails.
    pub max_invalid_fraction: f64,
    /// The spec the plan came from, if any (its features replace the default pipeline).
    pub spec: Option<LoadedSpec>,
}

impl Plan {
    /// The plan a `tandem.toml` declares.
    pub fn from_spec(path: &Path) -> Result<Plan> {
        let spec = LoadedSpec::load(path)?;
        let f = &spec.file;
        Ok(Plan {
            // A URL stays a URL (fetched when the data is read); a path is relative to the spec.
            data: if tandem_sources::is_url(f.data.path.get_ref()) {
                f.data.path.get_ref().into()
            } else {
                spec.relative(f.data.path.get_ref())
            },
            label: f.data.label.get_ref().clone(),
            schema: f.data.schema.as_ref().map(|s| spec.relative(s.get_ref())),
            validation: *f.split.validation.get_ref(),
            test: *f.split.test.get_ref(),
            seed: f.split.seed,
            folds: f.split.folds.as_ref().map(|k| *k.get_ref()),
            dedupe: f.training.dedupe,
            filters: spanned(&f.training.filter),
            winsorize: spanned(&f.training.winsorize),
            rebalance: f
                .training
                .rebalance
                .as_ref()
                .map_or(Rebalance::None, |r| *r.get_ref()),
            model: ModelSpec {
                hidden: f.model.hidden.clone(),
                ..f.model
            },
            text_min_df: TEXT_MIN_DF,
            text_max_features: Some(TEXT_MAX_FEATURES),
            read: f.data.read_options(),
            task: f.data.task,
            background: f.explain.background,
            max_invalid_fraction: f
                .data
                .max_invalid_fraction
                .unwrap_or(crate::spec::defaults::MAX_INVALID_FRACTION),
            spec: Some(spec),
        })
    }

    /// An error located in the spec when there is one.
    pub fn error(&self, span: Range<usize>, msg: &str) -> Error {
        Error::Plan(match &self.spec {
            Some(s) => crate::spec::located(&s.path, &s.source, span, msg),
            None => msg.to_string(),
        })
    }

    /// The file the run comes from: the spec, or else the data.
    pub fn source_file(&self) -> &Path {
        self.spec
            .as_ref()
            .map_or(self.data.as_path(), |s| s.path.as_path())
    }

    /// The folder of [`Plan::source_file`] (for the git commit recorded with the run).
    pub fn source_dir(&self) -> &Path {
        self.source_file()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// A readable run name: the spec's folder (for `tandem.toml`) or file stem, and `stamp`.
    pub fn run_name(&self, stamp: &str) -> String {
        let stem = self
            .source_file()
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "run".into());
        let stem = if stem == "tandem" {
            self.spec
                .as_ref()
                .and_then(|s| s.path.parent()?.file_name())
                .map_or(stem.clone(), |d| d.to_string_lossy().to_string())
        } else {
            stem
        };
        format!("{stem}-{stamp}")
    }
}

fn spanned<T: Clone>(items: &[toml::Spanned<T>]) -> Vec<(T, Range<usize>)> {
    items
        .iter()
        .map(|x| (x.get_ref().clone(), x.span()))
        .collect()
}
