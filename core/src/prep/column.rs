//! A declared column: a source (one field, or an expression over fields), string stages
//! (trim, lowercase, regex extract, boolean words), then one encoder with fitted state.
//!
//! This is the node a `tandem.toml` feature compiles to. Its [`ColumnParams`] are pure data
//! in the bundle; [`ColumnParams::bind`] checks them against the schema once (field types,
//! fitted state, patterns and expressions compiled under size limits) so that transforming
//! can only fail on the instance, never on the bundle.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::expr::Expr;
use super::text::{BoolParse, CompiledOp, TextOp};
use super::tfidf::tokens;
use super::{
    DateTime, DatetimeParams, HashingParams, NumberParams, OneHotParams, OrdinalParams,
    TfidfParams, TransformOptions,
};
use crate::schema::{FieldType, Schema};
use crate::{InstanceError, Value};

/// Where a column's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnInput {
    /// One input field.
    Field(String),
    /// A derived number (see [`super::expr`]).
    Expr(String),
}

/// Fitted encoder of a declared column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// A column's value between its source and its encoder (borrowing the instance's text
/// unless a string stage rewrote it).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Missing (absent, null, unmatched extraction, undefined expression).
    Missing,
    /// A number.
    Num(f64),
    /// A string.
    Str(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    /// The value as a category: text as is, numbers formatted (`1`, `2.5`).
    fn category(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Missing => None,
            Cell::Num(x) => Some(Cow::Owned(x.to_string())),
            Cell::Str(s) => Some(s),
        }
    }
}

#[derive(Debug, Clone)]
enum BoundInput {
    Field(usize),
    Expr(Expr, Vec<usize>),
}

/// The source part of a column, resolved against a schema (used by fitting too).
#[derive(Debug, Clone)]
pub struct BoundSource {
    name: String,
    input: BoundInput,
    string_input: bool,
    ops: Vec<CompiledOp>,
    boolean: Option<BoolParse>,
}

/// A [`ColumnParams`] checked and resolved against a schema.
#[derive(Debug, Clone)]
pub struct BoundColumn {
    source: BoundSource,
    encode: Encode,
    width: usize,
}

fn sorted_unique(v: &[String]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

impl BoundSource {
    /// Resolve `input` and compile the string stages.
    pub fn new(
        name: &str,
        input: &ColumnInput,
        text: &[TextOp],
        boolean: Option<&BoolParse>,
        schema: &Schema,
    ) -> Result<BoundSource, String> {
        let find = |f: &str| {
            schema
                .fields
                .iter()
                .position(|x| x.name == f)
                .ok_or_else(|| {
                    if f == schema.label.name {
                        format!("reads `{f}`, the label: the inference pipeline never sees it")
                    } else {
                        format!("reads `{f}`, which is not an input field of the schema")
                    }
                })
        };
        let (input, string_input) = match input {
            ColumnInput::Field(f) => {
                let i = find(f)?;
                let kind = schema.fields[i].kind;
                (
                    BoundInput::Field(i),
                    matches!(kind, FieldType::Text | FieldType::Category),
                )
            }
            ColumnInput::Expr(src) => {
                let e = Expr::parse(src).map_err(|e| format!("expression {src:?}: {e}"))?;
                let mut idx = Vec::new();
                for f in e.fields() {
                    let i = find(f)?;
                    if matches!(schema.fields[i].kind, FieldType::Text | FieldType::Category) {
                        return Err(format!(
                            "expression {src:?} reads `{f}`, which is not numeric"
                        ));
                    }
                    idx.push(i);
                }
                (BoundInput::Expr(e, idx), false)
            }
        };
        if !string_input && (!text.is_empty() || boolean.is_some()) {
            return Err(
                "string stages (text, extract, boolean) need a text or category input".into(),
            );
        }
        let ops = text
            .iter()
            .map(TextOp::compile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BoundSource {
            name: name.to_string(),
            input,
            string_input,
            ops,
            boolean: boolean.cloned(),
        })
    }

    /// Whether the value reaching the encoder is a string (else a number).
    pub fn yields_string(&self) -> bool {
        self.string_input && self.boolean.is_none()
    }

    /// The value of this column for one instance.
    pub fn cell<'a>(&self, values: &'a [Value]) -> Result<Cell<'a>, InstanceError> {
        let missing = Value::Missing;
        let cell = match &self.input {
            BoundInput::Field(i) => match values.get(*i) {
                None | Some(Value::Missing) => Cell::Missing,
                Some(Value::Number(x)) => Cell::Num(*x),
                Some(Value::Bool(b)) => Cell::Num(f64::from(u8::from(*b))),
                Some(Value::Text(s)) => Cell::Str(Cow::Borrowed(s)),
            },
            BoundInput::Expr(e, idx) => {
                let refs: Vec<&Value> = idx
                    .iter()
                    .map(|i| values.get(*i).unwrap_or(&missing))
                    .collect();
                e.eval(&refs).map_or(Cell::Missing, Cell::Num)
            }
        };
        let Cell::Str(mut s) = cell else {
            return Ok(cell);
        };
        for op in &self.ops {
            match op.apply(s.into_owned()) {
                Some(next) => s = Cow::Owned(next),
                None => return Ok(Cell::Missing),
            }
        }
        match &self.boolean {
            None => Ok(Cell::Str(s)),
            Some(b) => b
                .parse(&s)
                .map(Cell::Num)
                .ok_or_else(|| InstanceError::InvalidValue {
                    field: self.name.clone(),
                    value: s.chars().take(100).collect(),
                    reason: b.describe(),
                }),
        }
    }
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
    pub fn bind(&self, schema: &Schema) -> Result<BoundColumn, String> {
        let source = BoundSource::new(
            &self.name,
            &self.input,
            &self.text,
            self.boolean.as_ref(),
            schema,
        )?;
        let string = source.yields_string();
        match &self.encode {
            Encode::Number(p) => {
                if string {
                    return Err(
                        "a number encoder needs a numeric input (or `boolean` words)".into(),
                    );
                }
                p.check()?;
            }
            Encode::OneHot(p) => {
                if !sorted_unique(&p.categories) || !sorted_unique(&p.infrequent) {
                    return Err("categories must be sorted and unique".into());
                }
            }
            Encode::Ordinal(p) => {
                if !sorted_unique(&p.categories) || !p.unknown.is_finite() {
                    return Err("categories must be sorted and unique, unknown finite".into());
                }
            }
            Encode::Hashing(p) => {
                if p.buckets == 0 || p.buckets > 1 << 20 {
                    return Err("hashing needs between 1 and 1048576 buckets".into());
                }
            }
            Encode::Tfidf(p) => {
                if !string {
                    return Err("tfidf needs a text input".into());
                }
                if !sorted_unique(&p.vocabulary)
                    || p.idf.len() != p.vocabulary.len()
                    || p.idf.iter().any(|x| !x.is_finite())
                {
                    return Err(
                        "vocabulary must be sorted and unique, one finite idf per term".into(),
                    );
                }
            }
            Encode::Counts { vocabulary } => {
                if !string {
                    return Err("counts need a text input".into());
                }
                if !sorted_unique(vocabulary) {
                    return Err("vocabulary must be sorted and unique".into());
                }
            }
            Encode::Datetime(p) => {
                if !string {
                    return Err("datetime needs a text input".into());
                }
                if p.parts.is_empty() || p.parts.len() > 64 {
                    return Err("datetime needs between 1 and 64 parts".into());
                }
            }
        }
        Ok(BoundColumn {
            source,
            encode: self.encode.clone(),
            width: self.width(),
        })
    }

    /// Output feature names.
    pub fn feature_names(&self, out: &mut Vec<String>) {
        let name = &self.name;
        match &self.encode {
            Encode::Number(p) => p.feature_names(name, out),
            Encode::OneHot(p) => {
                out.extend(p.categories.iter().map(|c| format!("{name}={c}")));
                if !p.infrequent.is_empty() {
                    out.push(format!("{name}=<infrequent>"));
                }
                out.push(format!("{name}=<unknown>"));
            }
            Encode::Ordinal(_) => out.push(name.clone()),
            Encode::Hashing(p) => out.extend((0..p.width()).map(|i| format!("{name}#{i}"))),
            Encode::Tfidf(p) => out.extend(p.vocabulary.iter().map(|t| format!("{name}~{t}"))),
            Encode::Counts { vocabulary } => {
                out.extend(vocabulary.iter().map(|t| format!("{name}~{t}")))
            }
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
    /// Features written.
    pub fn width(&self) -> usize {
        self.width
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
            Encode::OneHot(p) => p.transform_str(cell.category().as_deref(), options, out),
            Encode::Ordinal(p) => {
                let x = match cell.category().as_deref().or(p.fill.as_deref()) {
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
                p.transform_str(cell.category().as_deref(), out);
                Ok(())
            }
            Encode::Counts { vocabulary } => {
                let start = out.len();
                out.extend(std::iter::repeat_n(0.0, vocabulary.len()));
                if let Some(s) = cell.category() {
                    let lower = s.to_lowercase();
                    for t in tokens(&lower) {
                        if let Ok(i) = vocabulary.binary_search_by(|v| v.as_str().cmp(t)) {
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

/// Declared encoder (unfitted), the fitting-side twin of [`Encode`].
#[cfg(feature = "fit")]
#[derive(Debug, Clone, PartialEq)]
pub enum EncodeConfig {
    /// Numeric chain.
    Number(super::NumberConfig),
    /// One-hot; `fill` is the constant for missing values (default: most frequent).
    OneHot {
        /// Constant fill.
        fill: Option<String>,
        /// Infrequent grouping.
        config: super::OneHotConfig,
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
        parts: Vec<super::DatePart>,
    },
}

/// A declared column before fitting.
#[cfg(feature = "fit")]
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
#[cfg(feature = "fit")]
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnFitError {
    /// The declaration does not fit the schema (wrong field, type, pattern, expression).
    Invalid(String),
    /// Training row `.0` (0-based, in the rows given) cannot be used.
    Row(usize, InstanceError),
}

#[cfg(feature = "fit")]
impl ColumnConfig {
    /// Fit on the training rows; the fitted column is checked with [`ColumnParams::bind`].
    pub fn fit(
        &self,
        schema: &Schema,
        train: &[crate::Instance],
    ) -> Result<ColumnParams, ColumnFitError> {
        use std::collections::BTreeMap;
        let source = BoundSource::new(
            &self.name,
            &self.input,
            &self.text,
            self.boolean.as_ref(),
            schema,
        )
        .map_err(ColumnFitError::Invalid)?;
        let cells = train
            .iter()
            .enumerate()
            .map(|(i, inst)| {
                source
                    .cell(&inst.values)
                    .map_err(|e| ColumnFitError::Row(i, e))
            })
            .collect::<Result<Vec<Cell<'_>>, _>>()?;
        let strings = || -> Vec<Option<String>> {
            cells
                .iter()
                .cloned()
                .map(|c| c.category().map(Cow::into_owned))
                .collect()
        };
        // Most frequent (smallest on ties), as SimpleImputer(strategy="most_frequent").
        let fill_of = |values: &[Option<String>], fill: &Option<String>| -> Option<String> {
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
        };
        let encode = match &self.encode {
            EncodeConfig::Number(config) => {
                if source.yields_string() {
                    return Err(ColumnFitError::Invalid(
                        "a number encoder needs a numeric input (or `boolean` words)".into(),
                    ));
                }
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
                let values = strings();
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
                let values = strings();
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
            } => {
                let values = strings();
                let docs: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
                Encode::Tfidf(TfidfParams::fit(&self.name, &docs, *min_df, *max_features))
            }
            EncodeConfig::Counts {
                min_df,
                max_features,
            } => {
                let values = strings();
                let docs: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
                let vocabulary =
                    TfidfParams::fit(&self.name, &docs, *min_df, *max_features).vocabulary;
                Encode::Counts { vocabulary }
            }
            EncodeConfig::Datetime { format, parts } => Encode::Datetime(DatetimeParams {
                field: self.name.clone(),
                format: format.clone(),
                parts: parts.clone(),
            }),
        };
        let params = ColumnParams {
            name: self.name.clone(),
            input: self.input.clone(),
            text: self.text.clone(),
            boolean: self.boolean.clone(),
            encode,
        };
        let bound = params.bind(schema).map_err(ColumnFitError::Invalid)?;
        // Every training row must transform (dates that do not parse, log1p domain, ...).
        let mut scratch = Vec::with_capacity(bound.width());
        for (i, inst) in train.iter().enumerate() {
            scratch.clear();
            bound
                .transform_into(&inst.values, TransformOptions::default(), &mut scratch)
                .map_err(|e| ColumnFitError::Row(i, e))?;
        }
        Ok(params)
    }
}

#[cfg(all(test, feature = "fit"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::schema::{Field, Label, Task};
    use crate::{Instance, prep::NumberConfig};

    fn schema() -> Schema {
        Schema {
            fields: vec![
                Field::new("name", FieldType::Text, true),
                Field::new("fare", FieldType::Number, true),
                Field::new("sib", FieldType::Integer, true),
                Field::new("member", FieldType::Category, true),
            ],
            label: Label {
                name: "survived".into(),
                task: Task::Regression,
            },
        }
    }

    fn inst(name: &str, fare: Option<f64>, sib: f64, member: &str) -> Instance {
        Instance {
            values: vec![
                Value::Text(name.into()),
                fare.map_or(Value::Missing, Value::Number),
                Value::Number(sib),
                Value::Text(member.into()),
            ],
        }
    }

    fn rows() -> Vec<Instance> {
        vec![
            inst("Allen, Miss. Elisabeth", Some(100.0), 0.0, "yes"),
            inst("Allison, Master. Hudson", Some(150.0), 2.0, "no"),
            inst("Brown, Mr. John", None, 1.0, "Yes"),
            inst("Smith, Mr. Adam", Some(8.0), 0.0, "no"),
        ]
    }

    fn features(c: &ColumnParams, i: &Instance) -> Result<Vec<f32>, InstanceError> {
        let b = c.bind(&schema()).unwrap();
        let mut out = Vec::new();
        b.transform_into(&i.values, TransformOptions::default(), &mut out)?;
        assert_eq!(out.len(), b.width());
        Ok(out)
    }

    #[test]
    fn title_from_name_one_hot() {
        let decl = ColumnConfig {
            name: "title".into(),
            input: ColumnInput::Field("name".into()),
            text: vec![TextOp::Extract {
                pattern: r",\s*([^.]+)\.".into(),
                group: 1,
            }],
            boolean: None,
            encode: EncodeConfig::OneHot {
                fill: None,
                config: Default::default(),
            },
        };
        let c = decl.fit(&schema(), &rows()).unwrap();
        let Encode::OneHot(p) = &c.encode else {
            panic!()
        };
        assert_eq!(p.categories, ["Master", "Miss", "Mr"]);
        assert_eq!(
            features(&c, &inst("X, Dr. Y", None, 0.0, "no")).unwrap(),
            [0.0, 0.0, 0.0, 1.0]
        );
        // No match → missing → the most frequent title.
        assert_eq!(
            features(&c, &inst("nobody", None, 0.0, "no")).unwrap(),
            [0.0, 0.0, 1.0, 0.0]
        );
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<ColumnParams>(&json).unwrap(), c);
    }

    #[test]
    fn derived_ratio_with_indicator() {
        let decl = ColumnConfig {
            name: "fare_per_person".into(),
            input: ColumnInput::Expr("fare / (sib + 1)".into()),
            text: vec![],
            boolean: None,
            encode: EncodeConfig::Number(NumberConfig {
                indicator: true,
                scale: crate::prep::ScaleKind::None,
                ..NumberConfig::default()
            }),
        };
        let c = decl.fit(&schema(), &rows()).unwrap();
        assert_eq!(
            features(&c, &inst("a", Some(30.0), 2.0, "no")).unwrap(),
            [10.0, 0.0]
        );
        let fill = (100.0 + 50.0 + 8.0) / 3.0;
        assert_eq!(
            features(&c, &inst("a", None, 2.0, "no")).unwrap(),
            [fill as f32, 1.0]
        );
    }

    #[test]
    fn boolean_words_and_their_errors() {
        let decl = ColumnConfig {
            name: "member".into(),
            input: ColumnInput::Field("member".into()),
            text: vec![],
            boolean: Some(BoolParse::default()),
            encode: EncodeConfig::Number(NumberConfig {
                scale: crate::prep::ScaleKind::None,
                ..NumberConfig::default()
            }),
        };
        let c = decl.fit(&schema(), &rows()).unwrap();
        assert_eq!(features(&c, &inst("a", None, 0.0, "YES")).unwrap(), [1.0]);
        let e = features(&c, &inst("a", None, 0.0, "maybe")).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_VALUE", Some("member")));
        let mut bad = rows();
        bad.push(inst("a", None, 0.0, "perhaps"));
        assert!(matches!(
            decl.fit(&schema(), &bad),
            Err(ColumnFitError::Row(4, _))
        ));
    }

    #[test]
    fn declarations_that_cannot_work_are_rejected_with_a_reason() {
        let mk = |input: ColumnInput, encode: EncodeConfig| ColumnConfig {
            name: "x".into(),
            input,
            text: vec![],
            boolean: None,
            encode,
        };
        let number = EncodeConfig::Number(NumberConfig::default());
        for (decl, want) in [
            (
                mk(ColumnInput::Field("survived".into()), number.clone()),
                "the label",
            ),
            (
                mk(ColumnInput::Field("nope".into()), number.clone()),
                "not an input field",
            ),
            (
                mk(ColumnInput::Field("name".into()), number.clone()),
                "numeric input",
            ),
            (
                mk(ColumnInput::Expr("fare / name".into()), number.clone()),
                "not numeric",
            ),
            (mk(ColumnInput::Expr("fare /".into()), number), "ends"),
            (
                mk(
                    ColumnInput::Field("fare".into()),
                    EncodeConfig::Tfidf {
                        min_df: 1,
                        max_features: None,
                    },
                ),
                "text input",
            ),
        ] {
            match decl.fit(&schema(), &rows()) {
                Err(ColumnFitError::Invalid(e)) => assert!(e.contains(want), "{e}"),
                other => panic!("{want}: {other:?}"),
            }
        }
    }
}
