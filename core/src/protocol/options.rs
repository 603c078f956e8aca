//! Call options, read by one rule wherever they come from (the `params` of a scoring request,
//! the options object of a JavaScript call): a boolean must be a boolean, a word one of its
//! words, `null` (or absent) means the default, and a key the call does not take is an error
//! (`BAD_OPTION`), never silently ignored.

use serde_json::Value as Json;

use super::RequestError;
use crate::Raw;
use crate::explain::{ExplainOptions, Method};
use crate::prep::{RangePolicy, TransformOptions};

/// An option some call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKey {
    /// `strict`: reject categories unseen in training (boolean).
    Strict,
    /// `range`: numbers outside the training range: `"warn"`, `"clip"` or `"error"`.
    Range,
    /// `errors`: how a batch reports an invalid row: `"throw"` or `"return"`.
    Errors,
    /// `output`: the shape of a scoring answer: `"full"` or `"plain"` ([`Output`]).
    Output,
    /// `method`: how an explanation is computed: `"auto"`, `"exact"` or `"sampled"`.
    Method,
    /// `permutations`: permutations an explanation samples (an integer).
    Permutations,
    /// `seed`: the seed of the sampled permutations (an integer, 0 to 2^53).
    Seed,
}

impl OptionKey {
    /// The key as callers spell it.
    pub fn name(self) -> &'static str {
        match self {
            OptionKey::Strict => "strict",
            OptionKey::Range => "range",
            OptionKey::Errors => "errors",
            OptionKey::Output => "output",
            OptionKey::Method => "method",
            OptionKey::Permutations => "permutations",
            OptionKey::Seed => "seed",
        }
    }
}

/// The options of one prediction (`predict`, `features`, a scoring request's `params`: a
/// request fails as a whole, so it has no `errors`).
pub const PREDICT_OPTIONS: &[OptionKey] = &[OptionKey::Strict, OptionKey::Range];

/// The `params` of a scoring request (`POST /invocations`).
pub const SCORING_OPTIONS: &[OptionKey] = &[OptionKey::Strict, OptionKey::Range, OptionKey::Output];

/// The `params` of an explanation request (`POST /explain`) and the options of `explain`.
pub const EXPLAIN_OPTIONS: &[OptionKey] = &[
    OptionKey::Strict,
    OptionKey::Range,
    OptionKey::Method,
    OptionKey::Permutations,
    OptionKey::Seed,
];

/// The options of a batch call (`predictBatch`, `predictColumns`, `predictCsv`).
pub const BATCH_OPTIONS: &[OptionKey] = &[OptionKey::Strict, OptionKey::Range, OptionKey::Errors];

/// How a batch reports an invalid row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowErrors {
    /// The first invalid row fails the call.
    #[default]
    Throw,
    /// An invalid row's place holds its error; the other rows are predicted.
    Return,
}

/// The shape of a scoring answer's `predictions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Output {
    /// One object per row: `{label, probabilities}` or `{value}`, with its `warnings`.
    #[default]
    Full,
    /// MLflow's plain list, for drop-in clients: one label (classification) or value
    /// (regression) per row; warnings move to a top-level `warnings` list naming their row.
    Plain,
}

impl std::str::FromStr for Output {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "full" => Ok(Output::Full),
            "plain" => Ok(Output::Plain),
            other => Err(format!("must be \"full\" or \"plain\", not {other:?}")),
        }
    }
}

/// The options of a call, read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Category and range handling.
    pub transform: TransformOptions,
    /// How a batch reports an invalid row.
    pub row_errors: RowErrors,
    /// The shape of a scoring answer (`None`: the server's default).
    pub output: Option<Output>,
    /// How to explain (method, permutations, seed).
    pub explain: ExplainOptions,
}

/// The largest integer every binding reads exactly (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A whole number in `0..=max` (a JSON or JavaScript number), else why not.
fn whole(x: f64, max: f64) -> Result<u64, String> {
    if x.fract() == 0.0 && (0.0..=max).contains(&x) {
        Ok(x as u64)
    } else {
        Err(format!("must be a whole number from 0 to {max}, not {x}"))
    }
}

impl CallOptions {
    /// Read one option; `accepted` are the keys the call takes.
    pub fn set(
        &mut self,
        accepted: &[OptionKey],
        key: &str,
        value: Raw,
    ) -> Result<(), RequestError> {
        let Some(option) = accepted.iter().copied().find(|k| k.name() == key) else {
            return Err(RequestError::UnknownOption {
                key: key.to_string(),
                known: accepted
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let wrong = |expected: &'static str, found: &Raw| RequestError::OptionType {
            key: key.to_string(),
            expected,
            found: found.describe(),
        };
        match (option, &value) {
            (_, Raw::Null) => {}
            (OptionKey::Strict, Raw::Bool(b)) => self.transform.strict_categories = *b,
            (OptionKey::Strict, other) => return Err(wrong("a boolean", other)),
            (OptionKey::Range, Raw::Str(s)) => {
                self.transform.range =
                    s.parse::<RangePolicy>()
                        .map_err(|reason| RequestError::OptionValue {
                            key: key.to_string(),
                            reason,
                        })?;
            }
            (OptionKey::Range, other) => return Err(wrong("a string", other)),
            (OptionKey::Errors, Raw::Str(s)) => {
                self.row_errors = match s.as_str() {
                    "throw" => RowErrors::Throw,
                    "return" => RowErrors::Return,
                    other => {
                        return Err(RequestError::OptionValue {
                            key: key.to_string(),
                            reason: format!("must be \"throw\" or \"return\", not {other:?}"),
                        });
                    }
                };
            }
            (OptionKey::Errors, other) => return Err(wrong("a string", other)),
            (OptionKey::Output, Raw::Str(s)) => {
                self.output =
                    Some(
                        s.parse::<Output>()
                            .map_err(|reason| RequestError::OptionValue {
                                key: key.to_string(),
                                reason,
                            })?,
                    );
            }
            (OptionKey::Output, other) => return Err(wrong("a string", other)),
            (OptionKey::Method, Raw::Str(s)) => {
                self.explain.method =
                    s.parse::<Method>()
                        .map_err(|reason| RequestError::OptionValue {
                            key: key.to_string(),
                            reason,
                        })?;
            }
            (OptionKey::Method, other) => return Err(wrong("a string", other)),
            (OptionKey::Permutations | OptionKey::Seed, Raw::Number(x)) => {
                let value =
                    whole(*x, MAX_SAFE_INTEGER).map_err(|reason| RequestError::OptionValue {
                        key: key.to_string(),
                        reason,
                    })?;
                if option == OptionKey::Seed {
                    self.explain.seed = value;
                } else {
                    self.explain.permutations = usize::try_from(value).unwrap_or(usize::MAX);
                }
            }
            (OptionKey::Permutations | OptionKey::Seed, other) => {
                return Err(wrong("a number", other));
            }
        }
        Ok(())
    }

    /// Read a JSON options object (`null` or absent: the defaults). `container` names it in
    /// errors (`params`).
    pub fn from_json(
        options: Option<&Json>,
        container: &str,
        accepted: &[OptionKey],
    ) -> Result<CallOptions, RequestError> {
        let mut o = CallOptions::default();
        match options {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (k, v) in map {
                    o.set(accepted, k, Raw::from_json(Some(v)))?;
                }
            }
            Some(other) => {
                return Err(RequestError::OptionType {
                    key: container.to_string(),
                    expected: "an object",
                    found: Raw::from_json(Some(other)).describe(),
                });
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Json, accepted: &[OptionKey]) -> Result<CallOptions, RequestError> {
        CallOptions::from_json(Some(&v), "params", accepted)
    }

    #[test]
    fn booleans_must_be_booleans() {
        let e = read(json!({ "strict": "yes" }), PREDICT_OPTIONS).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTION", Some("strict")));
        assert_eq!(
            e.to_string(),
            "`strict` must be a boolean, found string \"yes\""
        );
        let e = read(json!({ "strict": 1 }), PREDICT_OPTIONS).unwrap_err();
        assert_eq!(e.code(), "BAD_OPTION");
        let o = read(json!({ "strict": true }), PREDICT_OPTIONS).unwrap();
        assert!(o.transform.strict_categories);
    }

    #[test]
    fn unknown_keys_are_refused_and_the_known_ones_listed() {
        let e = read(json!({ "temperature": 2 }), PREDICT_OPTIONS).unwrap_err();
        assert_eq!(e.code(), "BAD_OPTION");
        assert_eq!(
            e.to_string(),
            "unknown option `temperature` (known: strict, range)"
        );
        // `errors` is a batch option only.
        let e = read(json!({ "errors": "return" }), PREDICT_OPTIONS).unwrap_err();
        assert_eq!(e.field(), Some("errors"));
        let o = read(json!({ "errors": "return" }), BATCH_OPTIONS).unwrap();
        assert_eq!(o.row_errors, RowErrors::Return);
    }

    #[test]
    fn words_must_be_one_of_theirs_and_null_means_the_default() {
        let e = read(json!({ "range": "sometimes" }), PREDICT_OPTIONS).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTION", Some("range")));
        let e = read(json!({ "errors": "maybe" }), BATCH_OPTIONS).unwrap_err();
        assert_eq!(e.code(), "BAD_OPTION");
        let o = read(json!({ "range": "clip", "strict": null }), PREDICT_OPTIONS).unwrap();
        assert_eq!(o.transform.range, RangePolicy::Clip);
        assert!(!o.transform.strict_categories);
        assert_eq!(
            CallOptions::from_json(None, "params", PREDICT_OPTIONS).unwrap(),
            CallOptions::default()
        );
    }

    #[test]
    fn output_is_a_scoring_option_full_or_plain() {
        let o = read(json!({ "output": "plain" }), SCORING_OPTIONS).unwrap();
        assert_eq!(o.output, Some(Output::Plain));
        assert_eq!(read(json!({}), SCORING_OPTIONS).unwrap().output, None);
        let e = read(json!({ "output": "list" }), SCORING_OPTIONS).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTION", Some("output")));
        assert_eq!(
            e.to_string(),
            "`output`: must be \"full\" or \"plain\", not \"list\""
        );
        let e = read(json!({ "output": true }), SCORING_OPTIONS).unwrap_err();
        assert_eq!(e.code(), "BAD_OPTION");
        // Not an option of a JavaScript prediction.
        assert!(read(json!({ "output": "plain" }), PREDICT_OPTIONS).is_err());
    }

    #[test]
    fn the_container_must_be_an_object() {
        let e = read(json!([1]), PREDICT_OPTIONS).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTION", Some("params")));
        assert_eq!(e.to_string(), "`params` must be an object, found an array");
    }
}
