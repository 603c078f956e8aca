//! Fitting a declared column: check the declaration, read every training row's cell, fit
//! the encoder on them, then bind the result and transform every training row once, so a
//! fitted column is known to work on the data it was fitted on.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{BoundColumn, BoundSource, Cell, ColumnInput, ColumnParams, Encode, Reads};
use crate::prep::text::{BoolParse, TextOp};
use crate::prep::{
    BindError, DatePart, DatetimeParams, HashingParams, NumberConfig, NumberParams, OneHotConfig,
    OneHotParams, OrdinalParams, TfidfParams, TransformOptions, checks,
};
use crate::schema::Schema;
use crate::{Instance, InstanceError};

/// Declared encoder (unfitted), the fitting-side twin of [`Encode`].
#[derive(Debug, Clone, PartialEq)]
pub enum EncodeConfig {
    /// Numeric chain.
    Number(NumberConfig),
    /// One-hot; `fill` is the constant for missing values (default: most frequent).
    OneHot {
        /// Constant fill.
        fill: Option<String>,
        /// Infrequent grouping.
        config: OneHotConfig,
    },
    /// Ordinal; `fill` as for one-hot.
    Ordinal {
        /// Constant fill.
        fill: Option<String>,
    },
    /// Hashing trick.
    Hashing(HashingParams),
    /// TF-IDF.
    Tfidf {
        /// Minimum document frequency.
        min_df: usize,
        /// Vocabulary size limit.
        max_features: Option<usize>,
    },
    /// Term counts.
    Counts {
        /// Minimum document frequency.
        min_df: usize,
        /// Vocabulary size limit.
        max_features: Option<usize>,
    },
    /// Date parts.
    Datetime {
        /// Parse format.
        format: String,
        /// Parts to write.
        parts: Vec<DatePart>,
    },
}

/// A declared column before fitting.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnConfig {
    /// Feature name.
    pub name: String,
    /// Source.
    pub input: ColumnInput,
    /// String stages.
    pub text: Vec<TextOp>,
    /// Boolean words.
    pub boolean: Option<BoolParse>,
    /// Encoder.
    pub encode: EncodeConfig,
}

/// Why a declared column could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnFitError {
    /// The declaration does not fit the schema (wrong field, type, pattern, expression).
    Invalid(BindError),
    /// Training row `.0` (0-based, in the rows given) cannot be used.
    Row(usize, InstanceError),
}

impl EncodeConfig {
    fn reads(&self) -> Reads {
        match self {
            EncodeConfig::Number(_) => Reads::Number,
            EncodeConfig::Tfidf { .. } => Reads::Text("tfidf"),
            EncodeConfig::Counts { .. } => Reads::Text("counts"),
            EncodeConfig::Datetime { .. } => Reads::Text("datetime"),
            EncodeConfig::OneHot { .. }
            | EncodeConfig::Ordinal { .. }
            | EncodeConfig::Hashing(_) => Reads::Any,
        }
    }

    /// Check the declaration against a source that `yields_string`, with the rules
    /// [`Encode::check`] applies to the fitted state.
    pub fn check(&self, yields_string: bool) -> Result<(), BindError> {
        self.reads().check(yields_string)?;
        match self {
            EncodeConfig::Number(c) => c.check(),
            EncodeConfig::Hashing(p) => p.check(),
            EncodeConfig::Datetime { parts, .. } => checks::datetime_parts(parts.len()),
            EncodeConfig::OneHot { .. }
            | EncodeConfig::Ordinal { .. }
            | EncodeConfig::Tfidf { .. }
            | EncodeConfig::Counts { .. } => Ok(()),
        }
    }
}

/// Most frequent (smallest on ties), as `SimpleImputer(strategy="most_frequent")`, unless
/// `fill` gives the constant.
fn fill_of(values: &[Option<String>], fill: &Option<String>) -> Option<String> {
    if fill.is_some() {
        return fill.clone();
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values.iter().flatten() {
        *counts.entry(v).or_default() += 1;
    }
    let mut best: Option<(&str, usize)> = None;
    for (c, n) in counts {
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((c, n));
        }
    }
    best.map(|(c, _)| c.to_string())
}

/// Every cell as a category (numbers formatted).
fn strings(cells: &[Cell<'_>]) -> Vec<Option<String>> {
    cells
        .iter()
        .cloned()
        .map(|c| c.category().map(Cow::into_owned))
        .collect()
}

/// The vocabulary of the cells, kept as TF-IDF keeps it.
fn vocabulary(
    name: &str,
    cells: &[Cell<'_>],
    min_df: usize,
    max_features: Option<usize>,
) -> TfidfParams {
    let values = strings(cells);
    let docs: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
    TfidfParams::fit(name, &docs, min_df, max_features)
}

impl ColumnConfig {
    /// Check the declaration against `schema` without fitting: what binding the fitted column
    /// will check, as far as it can be known before seeing data. The spec compiler calls
    /// this to report a declaration's problem at its line.
    pub fn check(&self, schema: &Schema) -> Result<BoundSource, BindError> {
        let source = BoundSource::new(
            &self.name,
            &self.input,
            &self.text,
            self.boolean.as_ref(),
            schema,
        )?;
        self.encode.check(source.yields_string())?;
        Ok(source)
    }

    /// Fit on the training rows; the fitted column is checked with [`ColumnParams::bind`].
    pub fn fit(&self, schema: &Schema, train: &[Instance]) -> Result<ColumnParams, ColumnFitError> {
        let source = self.check(schema).map_err(ColumnFitError::Invalid)?;
        let cells = train
            .iter()
            .enumerate()
            .map(|(i, inst)| {
                source
                    .cell(&inst.values)
                    .map_err(|e| ColumnFitError::Row(i, e))
            })
            .collect::<Result<Vec<Cell<'_>>, _>>()?;
        let params = ColumnParams {
            name: self.name.clone(),
            input: self.input.clone(),
            text: self.text.clone(),
            boolean: self.boolean.clone(),
            encode: self.fit_encode(&cells)?,
        };
        let bound = params.bind(schema).map_err(ColumnFitError::Invalid)?;
        transforms_every_row(&bound, train)?;
        Ok(params)
    }

    /// Fit the encoder on the training cells.
    fn fit_encode(&self, cells: &[Cell<'_>]) -> Result<Encode, ColumnFitError> {
        Ok(match &self.encode {
            EncodeConfig::Number(config) => {
                let values: Vec<Option<f64>> = cells
                    .iter()
                    .map(|c| match c {
                        Cell::Num(x) => Some(*x),
                        _ => None,
                    })
                    .collect();
                Encode::Number(
                    NumberParams::fit(config, &self.name, &values)
                        .map_err(|(i, e)| ColumnFitError::Row(i, e))?,
                )
            }
            EncodeConfig::OneHot { fill, config } => {
                let values = strings(cells);
                let fill = fill_of(&values, fill);
                let imputed: Vec<Option<&str>> = values
                    .iter()
                    .map(|v| v.as_deref().or(fill.as_deref()))
                    .collect();
                let mut p = OneHotParams::fit_with(&self.name, &imputed, config);
                p.fill = fill.unwrap_or_default();
                Encode::OneHot(p)
            }
            EncodeConfig::Ordinal { fill } => {
                let values = strings(cells);
                let fill = fill_of(&values, fill);
                let imputed: Vec<&str> = values
                    .iter()
                    .filter_map(|v| v.as_deref().or(fill.as_deref()))
                    .collect();
                let mut p = OrdinalParams::fit(&imputed);
                p.fill = fill;
                Encode::Ordinal(p)
            }
            EncodeConfig::Hashing(p) => Encode::Hashing(*p),
            EncodeConfig::Tfidf {
                min_df,
                max_features,
            } => Encode::Tfidf(vocabulary(&self.name, cells, *min_df, *max_features)),
            EncodeConfig::Counts {
                min_df,
                max_features,
            } => Encode::Counts {
                vocabulary: vocabulary(&self.name, cells, *min_df, *max_features).vocabulary,
            },
            EncodeConfig::Datetime { format, parts } => Encode::Datetime(DatetimeParams {
                field: self.name.clone(),
                format: format.clone(),
                parts: parts.clone(),
            }),
        })
    }
}

/// Every training row must transform (dates that do not parse, log1p domain, ...).
fn transforms_every_row(bound: &BoundColumn, train: &[Instance]) -> Result<(), ColumnFitError> {
    let mut scratch = Vec::with_capacity(bound.width());
    for (i, inst) in train.iter().enumerate() {
        scratch.clear();
        bound
            .transform_into(&inst.values, TransformOptions::default(), &mut scratch)
            .map_err(|e| ColumnFitError::Row(i, e))?;
    }
    Ok(())
}
