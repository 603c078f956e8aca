//! The pipeline spec, `tandem.toml`: data source, label, split, training-only nodes, model,
//! and the shared feature nodes. See `docs/pipeline-spec.md` for every key.
//!
//! Validation happens in two passes, both reporting `file:line:column` with the offending
//! line: the TOML parser with `deny_unknown_fields` (syntax, unknown keys, wrong types, bad
//! enum values), then [`features::compile`] against the schema (keys that do not apply to
//! the chosen encoder, then core's own binding checks: fields that do not exist, features
//! that read the label, expressions and patterns that do not compile, limits).
//! Every default lives in [`defaults`].

mod batch;
pub mod check;
mod compile;
pub mod defaults;
mod error;

pub use error::SpecError;
pub mod features;
pub mod init;
mod locate;
pub mod sources;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tandem_core::read::ReadOptions;
use tandem_core::schema::TaskKind;
use toml::Spanned;

pub use batch::BatchSize;

/// The only spec version this build reads.
pub const SPEC_VERSION: u32 = 1;

/// A parsed `tandem.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Spec format version (1).
    pub version: Spanned<u32>,
    /// Where the training data comes from.
    pub data: DataSpec,
    /// How rows are split.
    #[serde(default)]
    pub split: SplitSpec,
    /// Training-only nodes.
    #[serde(default)]
    pub training: TrainingSpec,
    /// The network and its optimiser.
    #[serde(default)]
    pub model: ModelSpec,
    /// The explanation pipeline's settings.
    #[serde(default)]
    pub explain: ExplainSpec,
    /// Shared nodes, one per feature, in output order. None: every field with its default.
    #[serde(default, rename = "feature")]
    pub features: Vec<Spanned<features::FeatureSpec>>,
}

/// `[data]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// The data file, relative to the spec (or a URL): the same as `source`.
    pub path: Option<Spanned<String>>,
    /// Where the instances are: a named source (`[data.sources.NAME]`) or any data argument
    /// (a path, `sqlite:...`, `postgres://...`, `rest+https://...`).
    pub source: Option<Spanned<String>>,
    /// Named sources.
    #[serde(default)]
    pub sources: std::collections::BTreeMap<String, sources::NamedSource>,
    /// Labels joined from another source by a key.
    pub labels: Option<sources::LabelsSpec>,
    /// Only rows whose timestamp falls in this window.
    pub window: Option<sources::WindowSpec>,
    /// Label column.
    pub label: Spanned<String>,
    /// Optional schema JSON (else inferred from the data).
    pub schema: Option<Spanned<String>>,
    /// The label's task (`classification` or `regression`) instead of the inferred one.
    pub task: Option<TaskKind>,
    /// Further cells read as missing, on top of pandas' defaults (`["?", "-"]`).
    #[serde(default)]
    pub na_values: Vec<String>,
    /// Thousands separator in numbers (`","` for `1,234,567`).
    pub thousands: Option<char>,
    /// Decimal mark (`"."` by default, `","` for `3,5`).
    pub decimal: Option<char>,
    /// CSV delimiter (default: sniffed among `,` `;` tab `|`).
    pub delimiter: Option<char>,
    /// The share of rows that may break the schema (set aside in `quarantine.jsonl`) before
    /// the run fails.
    pub max_invalid_fraction: Option<f64>,
    /// Train as a stream (`true`), in memory (`false`); unset: a stream for a file over
    /// 256 MiB.
    pub stream: Option<bool>,
    /// A streamed run's sample of each part of the split, in rows.
    pub stream_sample: Option<usize>,
}

impl DataSpec {
    /// The instances' source argument (`source`, else `path`), with its place in the spec.
    pub fn source_arg(&self) -> Option<&Spanned<String>> {
        self.source.as_ref().or(self.path.as_ref())
    }

    /// The reading options these keys declare.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            na_values: self.na_values.clone(),
            thousands: self.thousands,
            decimal: self.decimal.unwrap_or('.'),
            delimiter: self.delimiter,
        }
    }
}

/// `[split]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitSpec {
    /// Fraction held out for early stopping and validation metrics.
    pub validation: Spanned<f64>,
    /// Fraction held out for test metrics (never seen during training).
    pub test: Spanned<f64>,
    /// Seed of the split, initialisation and batch order.
    pub seed: u64,
    /// k-fold cross-validation on the non-test rows (reported as `cv_*` metrics).
    pub folds: Option<Spanned<usize>>,
}

impl Default for SplitSpec {
    fn default() -> Self {
        SplitSpec {
            validation: Spanned::new(0..0, defaults::VALIDATION),
            test: Spanned::new(0..0, defaults::TEST),
            seed: defaults::SEED,
            folds: None,
        }
    }
}

/// `[explain]`: what the bundle carries for explanations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExplainSpec {
    /// Training rows stored in the bundle as the explanations' background sample (drawn
    /// with the split's seed); 0 for none. They ship with the model, to browsers too.
    pub background: usize,
}

impl Default for ExplainSpec {
    fn default() -> Self {
        ExplainSpec {
            background: defaults::BACKGROUND,
        }
    }
}

/// `[training]`: nodes that only exist in the training pipeline.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSpec {
    /// Drop exact duplicate rows (all used fields and the label), keeping the first.
    pub dedupe: bool,
    /// Keep only rows where every condition holds (`age >= 0`, `sex == "male"`,
    /// `cabin is not missing`).
    pub filter: Vec<Spanned<String>>,
    /// Clamp training rows' values to quantiles fitted on the training split.
    pub winsorize: Vec<Spanned<Winsorize>>,
    /// Class rebalancing.
    pub rebalance: Option<Spanned<Rebalance>>,
}

/// One winsorized field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Winsorize {
    /// A numeric field.
    pub field: String,
    /// Lower quantile in [0, 1].
    #[serde(default)]
    pub low: f64,
    /// Upper quantile in [0, 1].
    #[serde(default = "one")]
    pub high: f64,
}

fn one() -> f64 {
    1.0
}

/// How the learning rate moves during training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    /// The same rate throughout.
    Constant,
    /// Halved every `patience / 4` epochs (at least 1) without a validation improvement.
    Plateau,
}

impl LrSchedule {
    /// Every schedule, by name.
    pub const ALL: [LrSchedule; 2] = [LrSchedule::Constant, LrSchedule::Plateau];

    /// The name a spec and the run's params use.
    pub fn name(self) -> &'static str {
        match self {
            LrSchedule::Constant => "constant",
            LrSchedule::Plateau => "plateau",
        }
    }
}

/// Class rebalancing strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rebalance {
    /// Nothing.
    None,
    /// Weight the loss by `n / (k * count(class))` (scikit-learn's "balanced").
    ClassWeights,
    /// Repeat minority-class training rows (seeded) until every class is as large as the
    /// largest.
    Oversample,
}

/// `[model]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSpec {
    /// Hidden layer widths; `[]` is logistic / linear regression.
    pub hidden: Vec<usize>,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Rows per step (`auto`: scaled to the data, [`BatchSize`]).
    pub batch_size: BatchSize,
    /// Epoch limit.
    pub max_epochs: usize,
    /// Early-stopping patience in epochs.
    pub patience: usize,
    /// L2 weight decay added by the optimiser.
    pub weight_decay: f64,
    /// Networks in the averaged ensemble (1: one network; see `defaults::ENSEMBLE`).
    pub ensemble: usize,
    /// The learning rate's schedule.
    pub lr_schedule: LrSchedule,
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec {
            hidden: defaults::HIDDEN.to_vec(),
            learning_rate: defaults::LEARNING_RATE,
            batch_size: defaults::BATCH_SIZE,
            max_epochs: defaults::MAX_EPOCHS,
            patience: defaults::PATIENCE,
            weight_decay: defaults::WEIGHT_DECAY,
            ensemble: defaults::ENSEMBLE,
            lr_schedule: defaults::LR_SCHEDULE,
        }
    }
}

/// A spec file with its source, for located error messages.
#[derive(Debug)]
pub struct LoadedSpec {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text (saved with the run).
    pub source: String,
    /// Parsed content.
    pub file: SpecFile,
}

impl LoadedSpec {
    /// Read and validate the structure of `path`.
    pub fn load(path: &Path) -> Result<LoadedSpec, SpecError> {
        let source = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file = Self::parse(path, &source)?;
        Ok(LoadedSpec {
            path: path.to_path_buf(),
            source,
            file,
        })
    }

    /// Parse spec text (`path` names it in errors).
    pub fn parse(path: &Path, source: &str) -> Result<SpecFile, SpecError> {
        let here = |span: Range<usize>, msg: &str| SpecError::Invalid {
            message: located(path, source, span, msg),
        };
        let file: SpecFile =
            toml::from_str(source).map_err(|e| here(e.span().unwrap_or(0..0), e.message()))?;
        if *file.version.get_ref() != SPEC_VERSION {
            return Err(here(
                file.version.span(),
                &format!(
                    "spec version {} is not supported (this tandem reads version {SPEC_VERSION})",
                    file.version.get_ref()
                ),
            ));
        }
        let sp = &file.split;
        let folds = sp.folds.as_ref().map(|k| *k.get_ref());
        if let Err(e) = check::split(*sp.validation.get_ref(), *sp.test.get_ref(), folds) {
            let span = match e.key {
                "split.validation" => sp.validation.span(),
                "split.test" => sp.test.span(),
                _ => sp.folds.as_ref().map_or(0..0, Spanned::span),
            };
            return Err(here(span, &e.to_string()));
        }
        for w in &file.training.winsorize {
            let r = w.get_ref();
            if !(0.0 <= r.low && r.low < r.high && r.high <= 1.0) {
                return Err(here(w.span(), "winsorize needs 0 <= low < high <= 1"));
            }
        }
        if let Err(e) = file.model.check() {
            return Err(here(check::key_span(source, e.key), &e.to_string()));
        }
        Ok(file)
    }

    /// A located error in this spec.
    pub fn error(&self, span: Range<usize>, msg: &str) -> SpecError {
        SpecError::Invalid {
            message: located(&self.path, &self.source, span, msg),
        }
    }

    /// The data file, resolved relative to the spec's folder.
    pub fn relative(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(p)
        }
    }
}

/// Characters of a spec line an error shows at most: a longer line is cut to a window around
/// the span (a 1 MiB value would otherwise be echoed, with a caret line as long).
const SHOWN_LINE: usize = 120;
/// Characters of the line shown before the span when the line is cut.
const SHOWN_BEFORE: usize = 40;
/// Characters of a message shown at most: one quoting a huge value is cut in the middle.
const SHOWN_MESSAGE: usize = 400;

/// `path:line:column: message`, then the line and a caret under the span; long lines and
/// messages are cut (`…`) so that an error stays a few lines whatever the spec holds.
pub fn located(path: &Path, source: &str, span: Range<usize>, msg: &str) -> String {
    let start = floor_char(source, span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line_no = source[..start].matches('\n').count() + 1;
    let col = source[line_start..start].chars().count() + 1;
    let width = source[start..floor_char(source, span.end.clamp(start, line_end))]
        .chars()
        .count()
        .max(1);
    let (text, caret_at, width) = window(&source[line_start..line_end], col - 1, width);
    format!(
        "{}:{line_no}:{col}: {}\n    |\n{line_no:>3} | {text}\n    | {}{}",
        path.display(),
        cut_middle(msg, SHOWN_MESSAGE),
        " ".repeat(caret_at),
        "^".repeat(width)
    )
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `line` cut to [`SHOWN_LINE`] characters around the span starting at character `at`,
/// `width` wide: the text shown, where the caret starts in it and its width.
fn window(line: &str, at: usize, width: usize) -> (String, usize, usize) {
    let len = line.chars().count();
    if len <= SHOWN_LINE {
        return (line.to_string(), at, width);
    }
    let from = at.saturating_sub(SHOWN_BEFORE).min(len - SHOWN_LINE);
    let to = from + SHOWN_LINE;
    let shown: String = line.chars().skip(from).take(SHOWN_LINE).collect();
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < len { "…" } else { "" };
    let caret_at = at - from + lead.chars().count();
    (
        format!("{lead}{shown}{tail}"),
        caret_at,
        width.min(to - at).max(1),
    )
}

/// `text` with its middle replaced by `…` when longer than `most` characters.
fn cut_middle(text: &str, most: usize) -> String {
    let len = text.chars().count();
    if len <= most {
        return text.to_string();
    }
    let keep_tail = most / 4;
    let head: String = text.chars().take(most - keep_tail).collect();
    let tail: String = text.chars().skip(len - keep_tail).collect();
    format!("{head}… ({} characters cut) …{tail}", len - most)
}

#[cfg(test)]
mod feature_errors;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        format!(
            "{:#}",
            LoadedSpec::parse(Path::new("t.toml"), src).unwrap_err()
        )
    }

    const DATA: &str = "version = 1\n[data]\npath = \"d.csv\"\nlabel = \"y\"\n";

    #[test]
    fn an_error_on_a_huge_line_shows_a_window_and_a_short_caret() {
        // A 1 MiB key: the error names it, but stays a few hundred bytes.
        let key = "k".repeat(1 << 20);
        let e = err(&format!("{DATA}{key} = 1\n"));
        assert!(e.len() < 2000, "{} bytes", e.len());
        assert!(e.starts_with("t.toml:5:1: "), "{}", &e[..200]);
        assert!(e.contains("characters cut"), "the message is cut: {e}");
        let lines: Vec<&str> = e.lines().collect();
        let (shown, carets) = (lines[2], lines[3]);
        assert!(shown.ends_with('…'), "{shown}");
        // The caret stays under the key, within the window.
        let at = carets.find('^').expect("a caret");
        assert_eq!(shown.chars().nth(at), Some('k'), "{shown}\n{carets}");
        assert!(carets.len() <= SHOWN_LINE + 10);
    }

    #[test]
    fn a_span_far_into_a_long_line_is_shown_with_what_precedes_it() {
        let source = format!("x = \"{}\" # {}\n", "a".repeat(500), "b".repeat(500));
        let at = source.find('#').expect("the comment");
        let e = located(Path::new("t.toml"), &source, at..at + 1, "here");
        let lines: Vec<&str> = e.lines().collect();
        assert!(e.starts_with(&format!("t.toml:1:{}: here", at + 1)), "{e}");
        assert!(
            lines[2].starts_with("  1 | …") && lines[2].ends_with('…'),
            "{}",
            lines[2]
        );
        let caret = lines[3].find('^').expect("a caret");
        assert_eq!(lines[2].chars().nth(caret), Some('#'), "{e}");
        // Short lines and messages are shown whole.
        let short = located(Path::new("t.toml"), "a = 1\n", 4..5, "why");
        assert_eq!(short, "t.toml:1:5: why\n    |\n  1 | a = 1\n    |     ^");
    }

    #[test]
    fn minimal_spec_gets_defaults() {
        let s = LoadedSpec::parse(Path::new("t.toml"), DATA).unwrap();
        assert_eq!(*s.split.validation.get_ref(), 0.2);
        assert_eq!(s.model.hidden, vec![32]);
        assert!(s.features.is_empty());
    }

    #[test]
    fn errors_point_at_the_line() {
        let e = err(&format!("{DATA}[model]\nhiden = [3]\n"));
        assert!(e.starts_with("t.toml:6:1: unknown field `hiden`"), "{e}");
        let e = err(&format!("{DATA}[split]\nvalidation = 1.5\n"));
        assert!(e.starts_with("t.toml:6:14:"), "{e}");
        assert!(e.contains("^^^"), "{e}");
        let e = err("version = 2\n[data]\npath = \"d\"\nlabel = \"y\"\n");
        assert!(e.starts_with("t.toml:1:11: spec version 2"), "{e}");
        let e = err(&format!("{DATA}[training]\nrebalance = \"smote\"\n"));
        assert!(e.contains("t.toml:6:13") && e.contains("oversample"), "{e}");
        let e = err("version = 1\n[data]\npath = \"d.csv\"\n");
        assert!(e.contains("missing field `label`"), "{e}");
    }
}
