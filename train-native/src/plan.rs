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
use crate::spec::{LoadedSpec, ModelSpec, Rebalance, Winsorize, sources};

/// Everything a training run needs.
#[derive(Debug)]
pub struct Plan {
    /// Training data as the user named it (a path, a URL, a `sqlite:` / `postgres://` /
    /// `rest+https://` source, or a spec's named source as shown).
    pub data: PathBuf,
    /// The instances' source when a spec resolved it (named sources carry credentials'
    /// locations); else `data` is parsed.
    pub source: Option<tandem_sources::Source>,
    /// Only rows whose timestamp falls in this window.
    pub window: Option<tandem_sources::Window>,
    /// Labels joined from another source by a key.
    pub labels: Option<(tandem_sources::Source, tandem_sources::JoinKeys)>,
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
    /// Train as a stream (`Some(true)`), in memory (`Some(false)`), or decide by the data's
    /// size (`None`: a stream above [`crate::stream::STREAM_ABOVE`] bytes).
    pub stream: Option<bool>,
    /// A streamed run keeps a uniform sample of this many rows of each part of the split.
    pub stream_sample: usize,
    /// The spec the plan came from, if any (its features replace the default pipeline).
    pub spec: Option<LoadedSpec>,
}

impl Plan {
    /// The plan a `tandem.toml` declares.
    pub fn from_spec(path: &Path) -> Result<Plan> {
        let spec = LoadedSpec::load(path)?;
        let f = &spec.file;
        let at = |span: Range<usize>, msg: String| {
            Error::Plan(crate::spec::located(&spec.path, &spec.source, span, &msg))
        };
        let arg = match (&f.data.path, &f.data.source) {
            (Some(_), Some(s)) => {
                return Err(at(
                    s.span(),
                    "[data] takes `path` or `source`, not both".into(),
                ));
            }
            _ => f.data.source_arg().ok_or_else(|| {
                at(
                    0..0,
                    "[data] needs `path` (a file) or `source` (a named source or URI)".into(),
                )
            })?,
        };
        let base = spec.path.parent().unwrap_or(Path::new("."));
        let source = sources::resolve(arg.get_ref(), &f.data.sources, base)
            .map_err(|e| at(arg.span(), format!("[{}] {e}", e.code())))?;
        let label = f.data.label.get_ref();
        let labels = f
            .data
            .labels
            .as_ref()
            .map(|l| sources::labels(l, label, &f.data.sources, base))
            .transpose()
            .map_err(|e| at(0..0, format!("[data.labels] [{}] {e}", e.code())))?;
        let window = f
            .data
            .window
            .as_ref()
            .map(sources::window)
            .transpose()
            .map_err(|e| at(0..0, format!("[data.window] [{}] {e}", e.code())))?;
        Ok(Plan {
            data: PathBuf::from(&source.display),
            source: Some(source),
            window,
            labels,
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
            stream: f.data.stream,
            stream_sample: f
                .data
                .stream_sample
                .unwrap_or(crate::spec::defaults::STREAM_SAMPLE),
            spec: Some(spec),
        })
    }

    /// The data set the plan reads: its source (parsed from `data` unless a spec resolved
    /// it), window and labels.
    pub fn dataset(&self) -> Result<tandem_sources::Dataset> {
        let source = match &self.source {
            Some(s) => s.clone(),
            None => tandem_sources::Source::parse(&self.data.to_string_lossy(), Path::new(""))?,
        };
        Ok(tandem_sources::Dataset {
            source,
            window: self.window.clone(),
            labels: self.labels.clone(),
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
