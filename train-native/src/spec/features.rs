//! `[[feature]]` tables: the shared (training and inference) nodes, compiled against the
//! schema into core's [`ColumnConfig`]s.
//!
//! This is also the export check kedro-mlflow's `pipeline_ml_factory` performs: the inference
//! pipeline may read only instance fields and fitted state. A feature that reads the label, a
//! field the schema lacks, or anything training-only is an error naming the feature and line.
//! The rules are core's ([`ColumnConfig::check`]); this module only places them.

use serde::Deserialize;
use tandem_core::prep::{
    BinStrategy, ColumnConfig, ColumnInput, DatePart, EncodeConfig, NumberConfig, OneHotConfig,
};
use tandem_core::schema::{FieldType, Schema};
use toml::Spanned;

pub use super::defaults::{TEXT_MAX_FEATURES, TEXT_MIN_DF};
use super::{LoadedSpec, SpecError};

/// The encoder a feature uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodeKind {
    /// Numeric chain.
    Number,
    /// One-hot.
    OneHot,
    /// Ordinal index.
    Ordinal,
    /// Hashing trick.
    Hashing,
    /// TF-IDF.
    Tfidf,
    /// Term counts.
    Counts,
    /// Date parts.
    Datetime,
}

impl EncodeKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            EncodeKind::Number => "number",
            EncodeKind::OneHot => "one_hot",
            EncodeKind::Ordinal => "ordinal",
            EncodeKind::Hashing => "hashing",
            EncodeKind::Tfidf => "tfidf",
            EncodeKind::Counts => "counts",
            EncodeKind::Datetime => "datetime",
        }
    }
}

/// How missing values are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputeKind {
    /// Mean (numbers).
    Mean,
    /// Median (numbers).
    Median,
    /// Most frequent (categories).
    MostFrequent,
    /// `fill_value`.
    Constant,
}

/// Scaler names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleName {
    /// None.
    None,
    /// Standard.
    Standard,
    /// Min-max.
    MinMax,
    /// Robust.
    Robust,
}

/// `bins = 5` (fitted) or `bins = [18, 40, 65]` (fixed inner edges).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum BinsSpec {
    /// Number of fitted bins.
    Count(usize),
    /// Fixed edges.
    Edges(Vec<f64>),
}

/// `boolean = true` (default words) or a table of words.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum BooleanSpec {
    /// Default words when true.
    On(bool),
    /// Explicit words.
    Words {
        /// Words read as true.
        #[serde(rename = "true")]
        true_values: Vec<String>,
        /// Words read as false.
        #[serde(rename = "false")]
        false_values: Vec<String>,
        /// Compare exactly.
        #[serde(default)]
        case_sensitive: bool,
    },
}

/// A constant fill: number or string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    /// For numbers.
    Number(f64),
    /// For categories.
    Text(String),
}

/// One `[[feature]]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    /// Feature name (defaults to `field`).
    pub name: Option<Spanned<String>>,
    /// Input field.
    pub field: Option<Spanned<String>>,
    /// Derived numeric expression over fields.
    pub expr: Option<Spanned<String>>,
    /// Encoder (default from the field type).
    pub encode: Option<Spanned<EncodeKind>>,
    /// Trim whitespace.
    pub trim: Option<Spanned<bool>>,
    /// Lowercase.
    pub lowercase: Option<Spanned<bool>>,
    /// Collapse whitespace runs.
    pub collapse_whitespace: Option<Spanned<bool>>,
    /// Regex extraction.
    pub extract: Option<Spanned<String>>,
    /// Capture group for `extract` (default 1).
    pub group: Option<Spanned<usize>>,
    /// Parse boolean words.
    pub boolean: Option<Spanned<BooleanSpec>>,
    /// Missing-value strategy.
    pub impute: Option<Spanned<ImputeKind>>,
    /// Constant for `impute = "constant"`.
    pub fill_value: Option<Spanned<FillValue>>,
    /// Missing-indicator column.
    pub indicator: Option<Spanned<bool>>,
    /// Fixed clip range.
    pub clip: Option<Spanned<[f64; 2]>>,
    /// `ln(1 + x)`.
    pub log1p: Option<Spanned<bool>>,
    /// Scaler.
    pub scale: Option<Spanned<ScaleName>>,
    /// Bucketize.
    pub bins: Option<Spanned<BinsSpec>>,
    /// How fitted bins are placed.
    pub bin_strategy: Option<Spanned<BinStrategy>>,
    /// One column per bin (default) or the bin index.
    pub bin_one_hot: Option<Spanned<bool>>,
    /// One-hot: categories seen fewer times are grouped.
    pub min_frequency: Option<Spanned<usize>>,
    /// One-hot: column limit.
    pub max_categories: Option<Spanned<usize>>,
    /// Hashing: number of buckets.
    pub buckets: Option<Spanned<u32>>,
    /// Hashing: signed values.
    pub alternate_sign: Option<Spanned<bool>>,
    /// Text: minimum document frequency.
    pub min_df: Option<Spanned<usize>>,
    /// Text: vocabulary size limit.
    pub max_features: Option<Spanned<usize>>,
    /// Datetime: parse format.
    pub format: Option<Spanned<String>>,
    /// Datetime: parts written.
    pub parts: Option<Spanned<Vec<DatePart>>>,
}

/// The default encoder for a field type.
pub fn default_encode(kind: FieldType) -> EncodeKind {
    match kind {
        FieldType::Number | FieldType::Integer | FieldType::Boolean => EncodeKind::Number,
        FieldType::Category => EncodeKind::OneHot,
        FieldType::Text => EncodeKind::Tfidf,
    }
}

/// Every schema field with its default node (what `tandem train --data --label` uses).
pub fn defaults(schema: &Schema, min_df: usize, max_features: Option<usize>) -> Vec<ColumnConfig> {
    schema
        .fields
        .iter()
        .map(|f| {
            let encode = match default_encode(f.kind) {
                EncodeKind::Number => EncodeConfig::Number(NumberConfig::default()),
                EncodeKind::OneHot => EncodeConfig::OneHot {
                    fill: None,
                    config: OneHotConfig::default(),
                },
                _ => EncodeConfig::Tfidf {
                    min_df,
                    max_features,
                },
            };
            ColumnConfig {
                name: f.name.clone(),
                input: ColumnInput::Field(f.name.clone()),
                text: vec![],
                boolean: None,
                encode,
            }
        })
        .collect()
}

/// Compile the spec's features (or every field's default when there are none).
pub fn compile(spec: &LoadedSpec, schema: &Schema) -> Result<Vec<ColumnConfig>, SpecError> {
    if spec.file.features.is_empty() {
        return Ok(defaults(schema, TEXT_MIN_DF, Some(TEXT_MAX_FEATURES)));
    }
    let mut out: Vec<ColumnConfig> = Vec::new();
    for (n, f) in spec.file.features.iter().enumerate() {
        let c = super::compile::compile_one(&spec.source, schema, f)
            .map_err(|(span, msg)| spec.error(span, &format!("feature {}: {msg}", n + 1)))?;
        if let Some(prev) = out.iter().position(|p| p.name == c.name) {
            return Err(spec.error(
                f.span(),
                &format!(
                    "feature {}: name `{}` is already used by feature {}",
                    n + 1,
                    c.name,
                    prev + 1
                ),
            ));
        }
        out.push(c);
    }
    Ok(out)
}
