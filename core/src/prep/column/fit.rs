//! Fitting a declared column: check the declaration, read every training row's cell, fit
//! the encoder on them, then bind the result and transform every training row once, so a
//! fitted column is known to work on the data it was fitted on.

use super::{BoundColumn, BoundSource, Cell, ColumnInput, ColumnParams, Encode, Reads};
use crate::prep::summary::Counts;
use crate::prep::text::{BoolParse, TextOp};
use crate::prep::{
    BindError, DatePart, DatetimeParams, HashingParams, NumberConfig, NumberFit, OneHotConfig,
    OneHotParams, OrdinalParams, TermCounts, TfidfParams, TransformOptions, checks,
};
use crate::schema::Schema;
use crate::{Instance, InstanceError, Value};

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
        let mut fitter = self.fitter(schema)?;
        for inst in train {
            fitter.push(&inst.values)?;
        }
        let params = fitter.finish()?;
        let bound = params.bind(schema).map_err(ColumnFitError::Invalid)?;
        transforms_every_row(&bound, train)?;
        Ok(params)
    }

    /// Start fitting on rows given one at a time ([`ColumnFitter::push`]), in memory bounded
    /// whatever their number (the summaries of [`crate::prep::summary`]).
    pub fn fitter(&self, schema: &Schema) -> Result<ColumnFitter, ColumnFitError> {
        let source = self.check(schema).map_err(ColumnFitError::Invalid)?;
        let categories = || (Counts::default(), 0);
        let acc = match &self.encode {
            EncodeConfig::Number(config) => {
                Acc::Number(Box::new(NumberFit::new(config, &self.name)))
            }
            EncodeConfig::OneHot { fill, config } => Acc::OneHot {
                fill: fill.clone(),
                config: *config,
                seen: categories(),
            },
            EncodeConfig::Ordinal { fill } => Acc::Ordinal {
                fill: fill.clone(),
                seen: categories(),
            },
            EncodeConfig::Tfidf {
                min_df,
                max_features,
            } => Acc::Terms {
                idf: true,
                min_df: *min_df,
                max_features: *max_features,
                terms: TermCounts::default(),
            },
            EncodeConfig::Counts {
                min_df,
                max_features,
            } => Acc::Terms {
                idf: false,
                min_df: *min_df,
                max_features: *max_features,
                terms: TermCounts::default(),
            },
            EncodeConfig::Hashing(p) => Acc::Fixed(Encode::Hashing(*p)),
            EncodeConfig::Datetime { format, parts } => {
                Acc::Fixed(Encode::Datetime(DatetimeParams {
                    field: self.name.clone(),
                    format: format.clone(),
                    parts: parts.clone(),
                }))
            }
        };
        Ok(ColumnFitter {
            config: self.clone(),
            source,
            acc,
            rows: 0,
        })
    }
}

/// What an encoder's fit gathers from the rows, with the declaration it finishes with.
#[derive(Debug, Clone)]
enum Acc {
    Number(Box<NumberFit>),
    /// Present values' counts and the number missing.
    OneHot {
        fill: Option<String>,
        config: OneHotConfig,
        seen: (Counts, u64),
    },
    Ordinal {
        fill: Option<String>,
        seen: (Counts, u64),
    },
    /// TF-IDF (`idf`) or term counts.
    Terms {
        idf: bool,
        min_df: usize,
        max_features: Option<usize>,
        terms: TermCounts,
    },
    /// Nothing to learn (hashing, date parts).
    Fixed(Encode),
}

/// A declared column being fitted, fed one training row at a time.
#[derive(Debug, Clone)]
pub struct ColumnFitter {
    config: ColumnConfig,
    source: BoundSource,
    acc: Acc,
    rows: usize,
}

impl ColumnFitter {
    /// The next training row's values (in schema order); an error names the row, counted
    /// from 0 in the rows pushed.
    pub fn push(&mut self, values: &[Value]) -> Result<(), ColumnFitError> {
        let row = self.rows;
        self.rows += 1;
        let cell = self
            .source
            .cell(values)
            .map_err(|e| ColumnFitError::Row(row, e))?;
        match &mut self.acc {
            Acc::Number(fit) => {
                let value = match cell {
                    Cell::Num(x) => Some(x),
                    _ => None,
                };
                fit.push(value)
                    .map_err(|(i, e)| ColumnFitError::Row(i, e))?;
            }
            Acc::OneHot { seen, .. } | Acc::Ordinal { seen, .. } => match cell.category() {
                Some(c) => seen.0.push(&c),
                None => seen.1 += 1,
            },
            Acc::Terms { terms, .. } => terms.push(cell.category().as_deref()),
            Acc::Fixed(_) => {}
        }
        Ok(())
    }

    /// The fitted column (not yet bound).
    pub fn finish(self) -> Result<ColumnParams, ColumnFitError> {
        let name = &self.config.name;
        // Most frequent (smallest on ties), as `SimpleImputer(strategy="most_frequent")`,
        // unless `fill` gives the constant; missing cells then count as the fill.
        let fill_of = |fill: Option<String>, counts: &Counts| {
            fill.or_else(|| counts.most_frequent().map(str::to_string))
        };
        let encode = match self.acc {
            Acc::Number(fit) => {
                Encode::Number(fit.finish().map_err(|(i, e)| ColumnFitError::Row(i, e))?)
            }
            Acc::OneHot {
                fill,
                config,
                seen: (mut counts, missing),
            } => {
                let fill = fill_of(fill, &counts);
                if let Some(f) = &fill {
                    counts.push_n(f, missing);
                }
                let mut p = OneHotParams::from_counts(name, &counts, &config);
                p.fill = fill.unwrap_or_default();
                Encode::OneHot(p)
            }
            Acc::Ordinal {
                fill,
                seen: (counts, missing),
            } => {
                let fill = fill_of(fill, &counts);
                let imputed = fill.as_deref().filter(|_| missing > 0);
                let mut p =
                    OrdinalParams::from_categories(counts.iter().map(|(c, _)| c).chain(imputed));
                p.fill = fill;
                Encode::Ordinal(p)
            }
            Acc::Terms {
                idf,
                min_df,
                max_features,
                terms,
            } => {
                let p = TfidfParams::from_terms(name, &terms, min_df, max_features);
                if idf {
                    Encode::Tfidf(p)
                } else {
                    Encode::Counts {
                        vocabulary: p.vocabulary,
                    }
                }
            }
            Acc::Fixed(encode) => encode,
        };
        Ok(ColumnParams {
            name: self.config.name.clone(),
            input: self.config.input.clone(),
            text: self.config.text.clone(),
            boolean: self.config.boolean.clone(),
            encode,
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
