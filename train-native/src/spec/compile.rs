//! One `[[feature]]` table → core's [`ColumnConfig`].
//!
//! The spec's own rules come first (which keys go together, which apply to the chosen
//! encoder, defaults); every rule about what the inference pipeline can bind (fields, the
//! label, expressions, patterns, encoders against inputs, limits) is core's
//! ([`ColumnInput::check`], [`ColumnConfig::check`]), and [`super::locate`] places its errors
//! at the key that caused them.

use std::ops::Range;

use tandem_core::prep::{
    BinsConfig, BoolParse, ColumnConfig, ColumnInput, EncodeConfig, HashingParams, ImputeStrategy,
    NumberConfig, OneHotConfig, ScaleKind, TextOp,
};
use tandem_core::schema::Schema;
use toml::Spanned;

use super::defaults;
use super::features::{
    BinsSpec, BooleanSpec, EncodeKind, FeatureSpec, FillValue, ImputeKind, ScaleName,
    default_encode,
};

/// An error with the bytes of the spec it concerns.
pub(super) type Located = (Range<usize>, String);

/// A key, where it is set (if it is), and the encoders it applies to.
type KeyUse<'a> = (&'a str, Option<Range<usize>>, &'a [EncodeKind]);

pub(super) fn span<T>(s: &Option<Spanned<T>>) -> Option<Range<usize>> {
    s.as_ref().map(Spanned::span)
}

fn val<T: Clone>(s: &Option<Spanned<T>>) -> Option<T> {
    s.as_ref().map(|v| v.get_ref().clone())
}

/// One feature table being compiled, with what its errors need to be placed.
pub(super) struct Feature<'a> {
    /// The table.
    pub f: &'a FeatureSpec,
    /// The whole table's bytes.
    pub whole: Range<usize>,
    /// The spec's text (to place an error inside an `expr` string).
    pub source: &'a str,
    /// The schema features are compiled against.
    pub schema: &'a Schema,
}

impl Feature<'_> {
    /// Where key `s` is set, else the whole table.
    pub fn at<T>(&self, s: &Option<Spanned<T>>) -> Range<usize> {
        span(s).unwrap_or_else(|| self.whole.clone())
    }

    /// Where `encode` is set, else the whole table.
    pub fn encode_at(&self) -> Range<usize> {
        self.at(&self.f.encode)
    }
}

/// Compile one feature table against `schema`; `source` is the spec's text.
pub(super) fn compile_one(
    source: &str,
    schema: &Schema,
    spanned: &Spanned<FeatureSpec>,
) -> Result<ColumnConfig, Located> {
    let ft = Feature {
        f: spanned.get_ref(),
        whole: spanned.span(),
        source,
        schema,
    };
    let input = ft.input()?;
    let field_kind = input.check(schema).map_err(|e| ft.locate(&e))?;
    let name = ft.name(&input)?;
    let boolean = ft.boolean();
    let kind = match &ft.f.encode {
        Some(e) => *e.get_ref(),
        None if boolean.is_some() => EncodeKind::Number,
        None => field_kind.map_or(EncodeKind::Number, default_encode),
    };
    ft.keys_apply(kind)?;
    let text = ft.string_stages()?;
    let encode = ft.encoder(kind)?;
    if matches!(input, ColumnInput::Expr(_)) && kind != EncodeKind::Number {
        return Err((
            ft.encode_at(),
            "an `expr` feature is a number: encode = \"number\"".into(),
        ));
    }
    let config = ColumnConfig {
        name,
        input,
        text,
        boolean,
        encode,
    };
    config.check(schema).map_err(|e| ft.locate(&e))?;
    Ok(config)
}

impl Feature<'_> {
    /// `field` or `expr`, exactly one of them.
    fn input(&self) -> Result<ColumnInput, Located> {
        match (&self.f.field, &self.f.expr) {
            (Some(field), None) => Ok(ColumnInput::Field(field.get_ref().clone())),
            (None, Some(expr)) => Ok(ColumnInput::Expr(expr.get_ref().clone())),
            (Some(_), Some(expr)) => {
                Err((expr.span(), "set either `field` or `expr`, not both".into()))
            }
            (None, None) => Err((self.whole.clone(), "needs a `field` or an `expr`".into())),
        }
    }

    /// `name`, defaulting to the field's.
    fn name(&self, input: &ColumnInput) -> Result<String, Located> {
        match (&self.f.name, input) {
            (Some(n), _) => Ok(n.get_ref().clone()),
            (None, ColumnInput::Field(field)) => Ok(field.clone()),
            (None, ColumnInput::Expr(_)) => Err((
                self.at(&self.f.expr),
                "an `expr` feature needs a `name`".into(),
            )),
        }
    }

    fn boolean(&self) -> Option<BoolParse> {
        match val(&self.f.boolean) {
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
        }
    }

    /// Keys that only make sense for some encoders are set only for those.
    fn keys_apply(&self, kind: EncodeKind) -> Result<(), Located> {
        use EncodeKind::*;
        let f = self.f;
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
                let names: Vec<String> =
                    kinds.iter().map(|k| format!("\"{}\"", k.name())).collect();
                return Err((
                    at,
                    format!(
                        "`{key}` applies to encode = {}, not \"{}\"",
                        names.join(" or "),
                        kind.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The string keys that turn a stage on, in the order the docs list them.
    pub fn string_keys(&self) -> impl Iterator<Item = (&'static str, Range<usize>)> {
        let f = self.f;
        let on = |s: &Option<Spanned<bool>>| span(s).filter(|_| val(s) == Some(true));
        let boolean = span(&f.boolean).filter(|_| self.boolean().is_some());
        [
            ("trim", on(&f.trim)),
            ("lowercase", on(&f.lowercase)),
            ("collapse_whitespace", on(&f.collapse_whitespace)),
            ("extract", span(&f.extract)),
            ("boolean", boolean),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
    }

    /// String stages in their fixed order: trim, collapse whitespace, extract, lowercase.
    fn string_stages(&self) -> Result<Vec<TextOp>, Located> {
        let f = self.f;
        let mut text = Vec::new();
        if val(&f.trim) == Some(true) {
            text.push(TextOp::Trim);
        }
        if val(&f.collapse_whitespace) == Some(true) {
            text.push(TextOp::CollapseWhitespace);
        }
        match (&f.extract, &f.group) {
            (Some(pattern), group) => text.push(TextOp::Extract {
                pattern: pattern.get_ref().clone(),
                group: val(group).unwrap_or(defaults::EXTRACT_GROUP),
            }),
            (None, Some(g)) => return Err((g.span(), "`group` needs `extract`".into())),
            (None, None) => {}
        }
        if val(&f.lowercase) == Some(true) {
            text.push(TextOp::Lowercase);
        }
        Ok(text)
    }

    /// The encoder with its settings and defaults.
    fn encoder(&self, kind: EncodeKind) -> Result<EncodeConfig, Located> {
        let f = self.f;
        Ok(match kind {
            EncodeKind::Number => EncodeConfig::Number(self.number()?),
            EncodeKind::OneHot => EncodeConfig::OneHot {
                fill: self.category_fill()?,
                config: OneHotConfig {
                    min_frequency: val(&f.min_frequency),
                    max_categories: val(&f.max_categories),
                },
            },
            EncodeKind::Ordinal => EncodeConfig::Ordinal {
                fill: self.category_fill()?,
            },
            EncodeKind::Hashing => EncodeConfig::Hashing(HashingParams {
                buckets: val(&f.buckets).unwrap_or(defaults::HASH_BUCKETS),
                alternate_sign: val(&f.alternate_sign).unwrap_or(false),
            }),
            EncodeKind::Tfidf | EncodeKind::Counts => {
                let min_df = val(&f.min_df).unwrap_or(defaults::TEXT_MIN_DF);
                let max_features = match val(&f.max_features) {
                    Some(0) => None,
                    Some(n) => Some(n),
                    None => Some(defaults::TEXT_MAX_FEATURES),
                };
                if kind == EncodeKind::Tfidf {
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
            EncodeKind::Datetime => EncodeConfig::Datetime {
                format: val(&f.format).ok_or_else(|| {
                    (
                        self.encode_at(),
                        "encode = \"datetime\" needs a `format` such as \"%Y-%m-%d\"".to_string(),
                    )
                })?,
                parts: val(&f.parts).unwrap_or_else(|| defaults::DATETIME_PARTS.to_vec()),
            },
        })
    }

    /// `impute` and `fill_value` go together only as impute = "constant".
    fn impute(&self) -> Result<(Option<ImputeKind>, Option<FillValue>), Located> {
        let (impute, fill) = (val(&self.f.impute), val(&self.f.fill_value));
        if impute == Some(ImputeKind::Constant) && fill.is_none() {
            return Err((
                self.at(&self.f.impute),
                "impute = \"constant\" needs `fill_value`".into(),
            ));
        }
        if fill.is_some() && impute.is_some_and(|i| i != ImputeKind::Constant) {
            return Err((
                self.at(&self.f.fill_value),
                "`fill_value` goes with impute = \"constant\"".into(),
            ));
        }
        Ok((impute, fill))
    }

    /// The constant fill of a one-hot or ordinal feature (numbers formatted as categories).
    fn category_fill(&self) -> Result<Option<String>, Located> {
        let (impute, fill) = self.impute()?;
        if matches!(impute, Some(ImputeKind::Mean | ImputeKind::Median)) {
            return Err((
                self.at(&self.f.impute),
                "categories take most_frequent or constant".into(),
            ));
        }
        Ok(match fill {
            Some(FillValue::Text(s)) => Some(s),
            Some(FillValue::Number(x)) => Some(x.to_string()),
            None => None,
        })
    }

    /// The numeric chain; its clip range and bins are checked by core.
    fn number(&self) -> Result<NumberConfig, Located> {
        let f = self.f;
        let impute = match self.impute()? {
            (None | Some(ImputeKind::Mean), _) => ImputeStrategy::Mean,
            (Some(ImputeKind::Median), _) => ImputeStrategy::Median,
            (Some(ImputeKind::Constant), Some(FillValue::Number(x))) => ImputeStrategy::Constant(x),
            (Some(ImputeKind::Constant), _) => {
                return Err((
                    self.at(&f.fill_value),
                    "a number feature needs a numeric `fill_value`".into(),
                ));
            }
            (Some(ImputeKind::MostFrequent), _) => {
                return Err((
                    self.at(&f.impute),
                    "most_frequent is for categories; numbers take mean, median or constant".into(),
                ));
            }
        };
        if f.bins.is_some() && f.scale.is_some() {
            return Err((
                self.at(&f.scale),
                "`scale` and `bins` exclude each other".into(),
            ));
        }
        let bins = val(&f.bins).map(|b| {
            let (edges, n_bins) = match b {
                BinsSpec::Count(n) => (vec![], n),
                BinsSpec::Edges(e) => (e, 0),
            };
            BinsConfig {
                edges,
                n_bins,
                strategy: val(&f.bin_strategy).unwrap_or(defaults::BIN_STRATEGY),
                one_hot: val(&f.bin_one_hot).unwrap_or(defaults::BIN_ONE_HOT),
            }
        });
        Ok(NumberConfig {
            impute,
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

    /// The schema's field names, for "not in the schema" messages.
    pub fn known_fields(&self) -> String {
        let names: Vec<&str> = self.schema.fields.iter().map(|x| x.name.as_str()).collect();
        names.join(", ")
    }
}
