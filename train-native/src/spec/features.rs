//! `[[feature]]` tables: the shared (training and inference) nodes, compiled against the
//! schema into core's [`ColumnConfig`]s.
//!
//! This is also the export check kedro-mlflow's `pipeline_ml_factory` performs: the inference
//! pipeline may read only instance fields and fitted state. A feature that reads the label, a
//! field the schema lacks, or anything training-only is an error naming the feature and line.

use anyhow::Result;
use serde::Deserialize;
use tandem_core::prep::{
    BinStrategy, BinsConfig, BoolParse, ColumnConfig, ColumnInput, DatePart, EncodeConfig,
    HashingParams, ImputeStrategy, NumberConfig, OneHotConfig, ScaleKind, TextOp,
};
use tandem_core::schema::{FieldType, Schema};
use toml::Spanned;

use super::LoadedSpec;

/// Default TF-IDF / counts vocabulary settings.
pub const TEXT_MIN_DF: usize = 2;
/// Default vocabulary size limit.
pub const TEXT_MAX_FEATURES: usize = 100;

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
    fn name(self) -> &'static str {
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

fn span<T>(s: &Option<Spanned<T>>) -> Option<std::ops::Range<usize>> {
    s.as_ref().map(Spanned::span)
}

fn val<T: Clone>(s: &Option<Spanned<T>>) -> Option<T> {
    s.as_ref().map(|v| v.get_ref().clone())
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
pub fn compile(spec: &LoadedSpec, schema: &Schema) -> Result<Vec<ColumnConfig>> {
    if spec.file.features.is_empty() {
        return Ok(defaults(schema, TEXT_MIN_DF, Some(TEXT_MAX_FEATURES)));
    }
    let mut out: Vec<ColumnConfig> = Vec::new();
    for (n, f) in spec.file.features.iter().enumerate() {
        let c = compile_one(spec, schema, f)
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

type Located = (std::ops::Range<usize>, String);

/// A key, where it is set (if it is), and the encoders it applies to.
type KeyUse<'a> = (&'a str, Option<std::ops::Range<usize>>, &'a [EncodeKind]);

fn compile_one(
    _spec: &LoadedSpec,
    schema: &Schema,
    spanned: &Spanned<FeatureSpec>,
) -> Result<ColumnConfig, Located> {
    let f = spanned.get_ref();
    let whole = spanned.span();
    let (input, field_kind) = match (&f.field, &f.expr) {
        (Some(field), None) => {
            let name = field.get_ref();
            let kind = schema
                .fields
                .iter()
                .find(|x| &x.name == name)
                .map(|x| x.kind)
                .ok_or_else(|| {
                    let why = if *name == schema.label.name {
                        format!("reads `{name}`, the label: the inference pipeline never sees it (export check)")
                    } else {
                        let known: Vec<&str> =
                            schema.fields.iter().map(|x| x.name.as_str()).collect();
                        format!("field `{name}` is not in the schema (fields: {})", known.join(", "))
                    };
                    (field.span(), why)
                })?;
            (ColumnInput::Field(name.clone()), Some(kind))
        }
        (None, Some(expr)) => (ColumnInput::Expr(expr.get_ref().clone()), None),
        (Some(_), Some(expr)) => {
            return Err((expr.span(), "set either `field` or `expr`, not both".into()));
        }
        (None, None) => return Err((whole, "needs a `field` or an `expr`".into())),
    };
    let name = match (&f.name, &input) {
        (Some(n), _) => n.get_ref().clone(),
        (None, ColumnInput::Field(field)) => field.clone(),
        (None, ColumnInput::Expr(_)) => {
            return Err((
                span(&f.expr).unwrap_or(whole),
                "an `expr` feature needs a `name`".into(),
            ));
        }
    };
    let boolean = match val(&f.boolean) {
        None | Some(BooleanSpec::On(false)) => None,
        Some(BooleanSpec::On(true)) => Some(BoolParse::default()),
        Some(BooleanSpec::Words {
            true_values,
            false_values,
            case_sensitive,
        }) => Some(BoolParse {
            true_values,
            false_values,
            case_sensitive,
        }),
    };
    let stringy = matches!(field_kind, Some(FieldType::Text | FieldType::Category));
    let kind = match &f.encode {
        Some(e) => *e.get_ref(),
        None if boolean.is_some() => EncodeKind::Number,
        None => field_kind.map_or(EncodeKind::Number, default_encode),
    };
    let encode_span = span(&f.encode).unwrap_or(whole.clone());

    // Keys that only make sense for some encoders.
    use EncodeKind::*;
    let applies: [KeyUse; 17] = [
        ("indicator", span(&f.indicator), &[Number]),
        ("clip", span(&f.clip), &[Number]),
        ("log1p", span(&f.log1p), &[Number]),
        ("scale", span(&f.scale), &[Number]),
        ("bins", span(&f.bins), &[Number]),
        ("bin_strategy", span(&f.bin_strategy), &[Number]),
        ("bin_one_hot", span(&f.bin_one_hot), &[Number]),
        ("min_frequency", span(&f.min_frequency), &[OneHot]),
        ("max_categories", span(&f.max_categories), &[OneHot]),
        ("buckets", span(&f.buckets), &[Hashing]),
        ("alternate_sign", span(&f.alternate_sign), &[Hashing]),
        ("min_df", span(&f.min_df), &[Tfidf, Counts]),
        ("max_features", span(&f.max_features), &[Tfidf, Counts]),
        ("format", span(&f.format), &[Datetime]),
        ("parts", span(&f.parts), &[Datetime]),
        ("impute", span(&f.impute), &[Number, OneHot, Ordinal]),
        (
            "fill_value",
            span(&f.fill_value),
            &[Number, OneHot, Ordinal],
        ),
    ];
    for (key, at, kinds) in applies {
        if let Some(at) = at
            && !kinds.contains(&kind)
        {
            let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            return Err((
                at,
                format!(
                    "`{key}` applies to encode = {}, not \"{}\"",
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    kind.name()
                ),
            ));
        }
    }
    let mut text = Vec::new();
    let string_keys = [
        ("trim", span(&f.trim)),
        ("lowercase", span(&f.lowercase)),
        ("collapse_whitespace", span(&f.collapse_whitespace)),
        ("extract", span(&f.extract)),
        ("boolean", span(&f.boolean)),
    ];
    if !stringy && let Some((key, Some(at))) = string_keys.iter().find(|(_, s)| s.is_some()) {
        return Err((
            at.clone(),
            format!("`{key}` needs a text or category field"),
        ));
    }
    if val(&f.trim) == Some(true) {
        text.push(TextOp::Trim);
    }
    if val(&f.collapse_whitespace) == Some(true) {
        text.push(TextOp::CollapseWhitespace);
    }
    if let Some(pattern) = &f.extract {
        let op = TextOp::Extract {
            pattern: pattern.get_ref().clone(),
            group: val(&f.group).unwrap_or(1),
        };
        // Compile now so a bad pattern is reported at its line.
        let probe = tandem_core::prep::ColumnParams {
            name: name.clone(),
            input: input.clone(),
            text: vec![op.clone()],
            boolean: None,
            encode: tandem_core::prep::Encode::Hashing(HashingParams {
                buckets: 1,
                alternate_sign: false,
            }),
        };
        probe.bind(schema).map_err(|e| (pattern.span(), e))?;
        text.push(op);
    } else if let Some(g) = &f.group {
        return Err((g.span(), "`group` needs `extract`".into()));
    }
    if val(&f.lowercase) == Some(true) {
        text.push(TextOp::Lowercase);
    }

    let fill = val(&f.fill_value);
    let impute = val(&f.impute);
    if impute == Some(ImputeKind::Constant) && fill.is_none() {
        return Err((
            span(&f.impute).unwrap_or(whole),
            "impute = \"constant\" needs `fill_value`".into(),
        ));
    }
    if fill.is_some() && impute.is_some_and(|i| i != ImputeKind::Constant) {
        return Err((
            span(&f.fill_value).unwrap_or(whole),
            "`fill_value` goes with impute = \"constant\"".into(),
        ));
    }
    let category_fill = |fill: Option<FillValue>| match fill {
        Some(FillValue::Text(s)) => Ok(Some(s)),
        Some(FillValue::Number(x)) => Ok(Some(x.to_string())),
        None => Ok(None),
    };
    let numeric_strategy = || -> Result<ImputeStrategy, Located> {
        Ok(match (impute, &fill) {
            (None | Some(ImputeKind::Mean), _) => ImputeStrategy::Mean,
            (Some(ImputeKind::Median), _) => ImputeStrategy::Median,
            (Some(ImputeKind::Constant), Some(FillValue::Number(x))) => {
                ImputeStrategy::Constant(*x)
            }
            (Some(ImputeKind::Constant), _) => {
                return Err((
                    span(&f.fill_value).unwrap_or(whole.clone()),
                    "a number feature needs a numeric `fill_value`".into(),
                ));
            }
            (Some(ImputeKind::MostFrequent), _) => {
                return Err((
                    span(&f.impute).unwrap_or(whole.clone()),
                    "most_frequent is for categories; numbers take mean, median or constant".into(),
                ));
            }
        })
    };
    let categorical_check = || -> Result<(), Located> {
        if matches!(impute, Some(ImputeKind::Mean | ImputeKind::Median)) {
            return Err((
                span(&f.impute).unwrap_or(whole.clone()),
                "categories take most_frequent or constant".into(),
            ));
        }
        Ok(())
    };
    let encode = match kind {
        Number => {
            if stringy && boolean.is_none() {
                return Err((encode_span, "a text or category field needs `boolean` words to be a number (or encode it as one_hot, ordinal, hashing, tfidf)".into()));
            }
            let bins = match val(&f.bins) {
                None => None,
                Some(b) => {
                    if f.scale.is_some() {
                        return Err((
                            span(&f.scale).unwrap_or(whole),
                            "`scale` and `bins` exclude each other".into(),
                        ));
                    }
                    let (edges, n_bins) = match b {
                        BinsSpec::Count(n) if (2..=1000).contains(&n) => (vec![], n),
                        BinsSpec::Edges(e)
                            if !e.is_empty()
                                && e.iter().all(|x| x.is_finite())
                                && e.windows(2).all(|w| w[0] < w[1]) =>
                        {
                            (e, 0)
                        }
                        _ => {
                            return Err((
                                span(&f.bins).unwrap_or(whole),
                                "`bins` is a count from 2 to 1000 or increasing finite edges"
                                    .into(),
                            ));
                        }
                    };
                    Some(BinsConfig {
                        edges,
                        n_bins,
                        strategy: val(&f.bin_strategy).unwrap_or(BinStrategy::Quantile),
                        one_hot: val(&f.bin_one_hot).unwrap_or(true),
                    })
                }
            };
            if let Some(c) = &f.clip {
                let [lo, hi] = *c.get_ref();
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err((c.span(), "`clip` is [low, high] with low <= high".into()));
                }
            }
            EncodeConfig::Number(NumberConfig {
                impute: numeric_strategy()?,
                indicator: val(&f.indicator).unwrap_or(false),
                clip: val(&f.clip),
                log1p: val(&f.log1p).unwrap_or(false),
                scale: match val(&f.scale) {
                    None | Some(ScaleName::Standard) => ScaleKind::Standard,
                    Some(ScaleName::None) => ScaleKind::None,
                    Some(ScaleName::MinMax) => ScaleKind::MinMax,
                    Some(ScaleName::Robust) => ScaleKind::Robust,
                },
                bins,
            })
        }
        OneHot => {
            categorical_check()?;
            EncodeConfig::OneHot {
                fill: category_fill(fill)?,
                config: OneHotConfig {
                    min_frequency: val(&f.min_frequency),
                    max_categories: val(&f.max_categories),
                },
            }
        }
        Ordinal => {
            categorical_check()?;
            EncodeConfig::Ordinal {
                fill: category_fill(fill)?,
            }
        }
        Hashing => {
            let buckets = val(&f.buckets).unwrap_or(32);
            if !(1..=1 << 20).contains(&buckets) {
                return Err((
                    span(&f.buckets).unwrap_or(whole),
                    "`buckets` must be between 1 and 1048576".into(),
                ));
            }
            EncodeConfig::Hashing(HashingParams {
                buckets,
                alternate_sign: val(&f.alternate_sign).unwrap_or(false),
            })
        }
        Tfidf | Counts => {
            if !stringy || boolean.is_some() {
                return Err((
                    encode_span,
                    format!(
                        "encode = \"{}\" needs a text or category field",
                        kind.name()
                    ),
                ));
            }
            let min_df = val(&f.min_df).unwrap_or(TEXT_MIN_DF);
            let max_features = match val(&f.max_features) {
                Some(0) => None,
                Some(n) => Some(n),
                None => Some(TEXT_MAX_FEATURES),
            };
            if kind == Tfidf {
                EncodeConfig::Tfidf {
                    min_df,
                    max_features,
                }
            } else {
                EncodeConfig::Counts {
                    min_df,
                    max_features,
                }
            }
        }
        Datetime => {
            if !stringy || boolean.is_some() {
                return Err((
                    encode_span,
                    "encode = \"datetime\" needs a text or category field".into(),
                ));
            }
            let format = val(&f.format).ok_or_else(|| {
                (
                    encode_span.clone(),
                    "encode = \"datetime\" needs a `format` such as \"%Y-%m-%d\"".to_string(),
                )
            })?;
            let parts = val(&f.parts).unwrap_or_else(|| {
                vec![DatePart::Year, DatePart::MonthCycle, DatePart::WeekdayCycle]
            });
            if parts.is_empty() {
                return Err((
                    span(&f.parts).unwrap_or(whole),
                    "`parts` must not be empty".into(),
                ));
            }
            EncodeConfig::Datetime { format, parts }
        }
    };
    if let ColumnInput::Expr(src) = &input {
        // Parse now so a bad expression is reported at its line.
        let e = tandem_core::prep::expr::Expr::parse(src)
            .map_err(|e| (span(&f.expr).unwrap_or(whole.clone()), format!("expr: {e}")))?;
        for field in e.fields() {
            match schema.fields.iter().find(|x| &x.name == field) {
                Some(x) if !matches!(x.kind, FieldType::Text | FieldType::Category) => {}
                Some(_) => {
                    return Err((
                        span(&f.expr).unwrap_or(whole),
                        format!("expr reads `{field}`, which is not numeric"),
                    ));
                }
                None if *field == schema.label.name => {
                    return Err((
                        span(&f.expr).unwrap_or(whole),
                        format!(
                            "expr reads `{field}`, the label: the inference pipeline never sees it (export check)"
                        ),
                    ));
                }
                None => {
                    return Err((
                        span(&f.expr).unwrap_or(whole),
                        format!("expr reads `{field}`, which is not in the schema"),
                    ));
                }
            }
        }
        if kind != Number {
            return Err((
                encode_span,
                "an `expr` feature is a number: encode = \"number\"".into(),
            ));
        }
    }
    Ok(ColumnConfig {
        name,
        input,
        text,
        boolean,
        encode,
    })
}
