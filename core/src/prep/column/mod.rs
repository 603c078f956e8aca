//! A declared column: a source (one field, or an expression over fields), string stages
//! (trim, lowercase, regex extract, boolean words), then one encoder with fitted state.
//!
//! This is the node a `tandem.toml` feature compiles to. Its [`ColumnParams`] are pure data
//! in the bundle; [`ColumnParams::bind`] checks them against the schema once (field types,
//! fitted state, patterns and expressions compiled under size limits) so that transforming
//! can only fail on the instance, never on the bundle. The source part lives in `source`,
//! fitting in `fit` (feature `fit`).

#[cfg(feature = "fit")]
mod fit;
mod source;

impl FromJson for ColumnInput {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        // Externally tagged: `{"field": "age"}` or `{"expr": "..."}`.
        let o = Obj::of(value)?;
        match (o.opt::<String>("field")?, o.opt::<String>("expr")?) {
            (Some(f), None) => Ok(ColumnInput::Field(f)),
            (None, Some(e)) => Ok(ColumnInput::Expr(e)),
            _ => Err(DecodeError::new(
                "expected an object with one of `field` or `expr`",
            )),
        }
    }
}

impl FromJson for Encode {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        const ENCODERS: [&str; 7] = [
            "number", "one_hot", "ordinal", "hashing", "tfidf", "counts", "datetime",
        ];
        let o = Obj::of(value)?;
        Ok(match o.tag("encode", &ENCODERS)? {
            "number" => Encode::Number(NumberParams::from_json(value)?),
            "one_hot" => Encode::OneHot(OneHotParams::from_json(value)?),
            "ordinal" => Encode::Ordinal(OrdinalParams::from_json(value)?),
            "hashing" => Encode::Hashing(HashingParams::from_json(value)?),
            "tfidf" => Encode::Tfidf(TfidfParams::from_json(value)?),
            "counts" => Encode::Counts {
                vocabulary: o.req("vocabulary")?,
            },
            _ => Encode::Datetime(DatetimeParams::from_json(value)?),
        })
    }
}

impl FromJson for ColumnParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(ColumnParams {
            name: o.req("name")?,
            input: o.req("input")?,
            text: o.or_default("text")?,
            boolean: o.opt("boolean")?,
            encode: Encode::from_json(value)?,
        })
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;

#[cfg(feature = "fit")]
pub use fit::{ColumnConfig, ColumnFitError, ColumnFitter, EncodeConfig};
pub use source::{BoundSource, Cell};

use crate::json::{DecodeError, FromJson, Json, Obj};
use serde::Serialize;

use super::terms::TermIndex;
use super::text::{BoolParse, TextOp, lowercase};
use super::tfidf::tokens;
use super::{
    BindError, DateTime, DatetimeParams, HashingParams, NumberParams, OneHotParams, OrdinalParams,
    TfidfParams, TransformOptions, UnknownCategory, checks,
};
use crate::schema::Schema;
use crate::{InstanceError, Value};

/// Where a column's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnInput {
    /// One input field.
    Field(String),
    /// A derived number (see [`super::expr`]).
    Expr(String),
}

/// Fitted encoder of a declared column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "encode", rename_all = "snake_case")]
pub enum Encode {
    /// Numeric chain: impute, clip, log1p, scale or bucketize, missing indicator.
    Number(NumberParams),
    /// One-hot with infrequent and unknown slots.
    OneHot(OneHotParams),
    /// Index in the sorted training categories (`unknown` for unseen ones).
    Ordinal(OrdinalParams),
    /// Hashing trick.
    Hashing(HashingParams),
    /// TF-IDF over a fitted vocabulary.
    Tfidf(TfidfParams),
    /// Raw term counts over a fitted vocabulary (scikit-learn's `CountVectorizer`).
    Counts {
        /// Sorted, unique terms.
        vocabulary: Vec<String>,
    },
    /// Calendar parts of a date parsed with a format.
    Datetime(DatetimeParams),
}

/// A fitted declared column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnParams {
    /// Feature name (prefix of the output feature names; used in error messages).
    pub name: String,
    /// The source value.
    pub input: ColumnInput,
    /// String stages, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<TextOp>,
    /// Read words as booleans (1/0) after the string stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean: Option<BoolParse>,
    /// The encoder.
    #[serde(flatten)]
    pub encode: Encode,
}

/// A [`ColumnParams`] checked and resolved against a schema.
#[derive(Debug, Clone)]
pub struct BoundColumn {
    source: BoundSource,
    encode: Encode,
    width: usize,
    /// The vocabulary by hash, for the encoders that look up tokens (tfidf, counts).
    terms: Option<TermIndex>,
}

/// What an encoder reads; the one rule that matches encoders to sources, fitted or not.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reads {
    /// A number (a string only through `boolean` words).
    Number,
    /// A string: the encoder's name, for the error.
    Text(&'static str),
    /// Either: numbers are formatted as categories.
    Any,
}

impl Reads {
    /// Whether a source that `yields_string` suits this encoder.
    pub(crate) fn check(self, yields_string: bool) -> Result<(), BindError> {
        match self {
            Reads::Number => checks::needs_number(yields_string),
            Reads::Text(encoder) => checks::needs_text(encoder, yields_string),
            Reads::Any => Ok(()),
        }
    }
}

impl Encode {
    fn reads(&self) -> Reads {
        match self {
            Encode::Number(_) => Reads::Number,
            Encode::Tfidf(_) => Reads::Text("tfidf"),
            Encode::Counts { .. } => Reads::Text("counts"),
            Encode::Datetime(_) => Reads::Text("datetime"),
            Encode::OneHot(_) | Encode::Ordinal(_) | Encode::Hashing(_) => Reads::Any,
        }
    }

    /// Check the fitted state against a source that `yields_string`.
    pub fn check(&self, yields_string: bool) -> Result<(), BindError> {
        self.reads().check(yields_string)?;
        match self {
            Encode::Number(p) => p.check(),
            Encode::OneHot(p) => p.check(),
            Encode::Ordinal(p) => p.check(),
            Encode::Hashing(p) => p.check(),
            Encode::Tfidf(p) => checks::vocabulary(&p.vocabulary, Some(&p.idf)),
            Encode::Counts { vocabulary } => checks::vocabulary(vocabulary, None),
            Encode::Datetime(p) => p.check(),
        }
    }
}

/// Feature names of a vocabulary under `name`: `name~term`.
pub(crate) fn term_names(name: &str, vocabulary: &[String], out: &mut Vec<String>) {
    out.extend(vocabulary.iter().map(|t| format!("{name}~{t}")));
}

impl ColumnParams {
    /// Features written.
    pub fn width(&self) -> usize {
        match &self.encode {
            Encode::Number(p) => p.width(),
            Encode::OneHot(p) => p.width(),
            Encode::Ordinal(_) => 1,
            Encode::Hashing(p) => p.width(),
            Encode::Tfidf(p) => p.width(),
            Encode::Counts { vocabulary } => vocabulary.len(),
            Encode::Datetime(p) => p.width(),
        }
    }

    /// Check the fitted state and resolve fields, patterns and expressions in `schema`.
    pub fn bind(&self, schema: &Schema) -> Result<BoundColumn, BindError> {
        let source = BoundSource::new(
            &self.name,
            &self.input,
            &self.text,
            self.boolean.as_ref(),
            schema,
        )?;
        self.encode.check(source.yields_string())?;
        let terms = match &self.encode {
            Encode::Tfidf(p) => Some(TermIndex::new(&p.vocabulary)),
            Encode::Counts { vocabulary } => Some(TermIndex::new(vocabulary)),
            _ => None,
        };
        Ok(BoundColumn {
            source,
            encode: self.encode.clone(),
            width: self.width(),
            terms,
        })
    }

    /// Output feature names.
    pub fn feature_names(&self, out: &mut Vec<String>) {
        let name = &self.name;
        match &self.encode {
            Encode::Number(p) => p.feature_names(name, out),
            Encode::OneHot(p) => p.feature_names(name, out),
            Encode::Ordinal(_) => out.push(name.clone()),
            Encode::Hashing(p) => out.extend((0..p.width()).map(|i| format!("{name}#{i}"))),
            Encode::Tfidf(p) => term_names(name, &p.vocabulary, out),
            Encode::Counts { vocabulary } => term_names(name, vocabulary, out),
            Encode::Datetime(p) => {
                for part in &p.parts {
                    let label = serde_json::to_value(part)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    if part.width() == 2 {
                        out.push(format!("{name}.{label}.sin"));
                        out.push(format!("{name}.{label}.cos"));
                    } else {
                        out.push(format!("{name}.{label}"));
                    }
                }
            }
        }
    }
}

impl BoundColumn {
    /// The position of token `t` in this column's (sorted) `vocabulary`, by the hash index
    /// built at bind.
    fn term(&self, vocabulary: &[String], t: &str) -> Option<usize> {
        match &self.terms {
            Some(index) => index.find(vocabulary, t),
            None => vocabulary.binary_search_by(|v| v.as_str().cmp(t)).ok(),
        }
    }

    /// Features written.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The value this column's category encoder has not seen in training, if any.
    pub fn unknown(&self, values: &[Value]) -> Option<UnknownCategory> {
        let (name, field) = (&self.source.name, self.field());
        let read = || self.source.cell(values).ok().and_then(Cell::category);
        match &self.encode {
            Encode::OneHot(p) => p.unknown(field, name, read().as_deref()),
            Encode::Ordinal(p) => p.unknown(field, name, read().as_deref()),
            _ => None,
        }
    }

    /// The fitted encoder.
    pub(crate) fn encode(&self) -> &Encode {
        &self.encode
    }

    /// Whether this column reads schema field `field`.
    pub(crate) fn reads(&self, field: usize) -> bool {
        self.source.reads(field)
    }

    /// The input field (a column over an expression: its own name).
    fn field(&self) -> &str {
        self.source.field.as_deref().unwrap_or(&self.source.name)
    }

    /// Whether [`BoundColumn::unknown`] finds one, without building it.
    pub fn has_unknown(&self, values: &[Value]) -> bool {
        let read = || self.source.cell(values).ok().and_then(Cell::category);
        match &self.encode {
            Encode::OneHot(p) => read().is_some_and(|s| !p.knows(&s)),
            Encode::Ordinal(p) => read().is_some_and(|s| !p.knows(&s)),
            _ => false,
        }
    }

    /// Append this column's features for one instance.
    pub fn transform_into(
        &self,
        values: &[Value],
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let cell = self.source.cell(values)?;
        let name = &self.source.name;
        match &self.encode {
            Encode::Number(p) => {
                let v = match cell {
                    Cell::Num(x) => Some(x),
                    Cell::Missing => None,
                    Cell::Str(s) => {
                        return Err(InstanceError::WrongType {
                            field: name.clone(),
                            expected: "a number".into(),
                            found: format!("text {:?}", s.chars().take(40).collect::<String>()),
                        });
                    }
                };
                p.transform_into(v, name, out)
            }
            Encode::OneHot(p) => {
                let category = cell.category();
                if options.strict_categories
                    && let Some(u) = p.unknown(self.field(), name, category.as_deref())
                {
                    return Err(u.into_error());
                }
                p.transform_str(category.as_deref(), options, out)
            }
            Encode::Ordinal(p) => {
                let category = cell.category();
                if options.strict_categories
                    && let Some(u) = p.unknown(self.field(), name, category.as_deref())
                {
                    return Err(u.into_error());
                }
                let x = match category.as_deref().or(p.fill.as_deref()) {
                    Some(s) => p.transform(s),
                    None => p.unknown,
                };
                out.push(x as f32);
                Ok(())
            }
            Encode::Hashing(p) => {
                p.transform_into(cell.category().as_deref(), out);
                Ok(())
            }
            Encode::Tfidf(p) => {
                let find = |t: &str| self.term(&p.vocabulary, t);
                p.transform_str(cell.category().as_deref(), &find, out);
                Ok(())
            }
            Encode::Counts { vocabulary } => {
                let start = out.len();
                out.extend(std::iter::repeat_n(0.0, vocabulary.len()));
                if let Some(s) = cell.category() {
                    let lower = lowercase(&s);
                    for t in tokens(&lower) {
                        if let Some(i) = self.term(vocabulary, t) {
                            out[start + i] += 1.0;
                        }
                    }
                }
                Ok(())
            }
            Encode::Datetime(p) => match cell.category() {
                None => {
                    p.transform_into(None, out);
                    Ok(())
                }
                Some(s) => match DateTime::parse(&s, &p.format) {
                    Some(dt) => {
                        p.transform_into(Some(&dt), out);
                        Ok(())
                    }
                    None => Err(InstanceError::InvalidValue {
                        field: name.clone(),
                        value: s.chars().take(100).collect(),
                        reason: format!("does not match the date format {:?}", p.format),
                    }),
                },
            },
        }
    }
}
