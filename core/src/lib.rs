//! Tandem core: everything both sides of a model share.
//!
//! The main use: load a `model.tandem` bundle from bytes and predict raw instances, natively
//! exactly as the wasm package does in JavaScript.
//!
//! ```
//! use tandem_core::prep::TransformOptions;
//! use tandem_core::{Model, Prediction};
//!
//! // A bundle written by `tandem train` (the frozen v1 golden fixture of the titanic model).
//! let bytes = include_bytes!("../../tests/fixtures/v1/titanic.tandem");
//! let model = Model::load(bytes)?; // checks the magic, version and every part's SHA-256
//!
//! // One raw instance, as users know it: field name -> value, checked against the schema.
//! let raw = serde_json::json!({
//!     "name": "Bird, Miss. Ellen",
//!     "sex": "female",
//!     "age": 29,
//!     "passengerClass": "1st",
//! });
//! let instance = model.parse(&raw)?;
//! match model.predict(&instance, TransformOptions::default())? {
//!     Prediction::Class { label, probabilities } => {
//!         assert_eq!(label, "yes");
//!         assert!((probabilities["yes"] + probabilities["no"] - 1.0).abs() < 1e-9);
//!     }
//!     Prediction::Value { value } => panic!("titanic is a classification, got {value}"),
//! }
//!
//! // A bad instance is a typed error with a stable code and the field concerned.
//! let wrong = serde_json::json!({ "name": "Bird, Miss. Ellen", "age": "old" });
//! let Err(error) = model.parse(&wrong) else {
//!     panic!("an age that is not a number must be rejected");
//! };
//! assert_eq!(error.code(), "WRONG_TYPE");
//! assert_eq!(error.field(), Some("age"));
//!
//! // An absent key is a missing value, which the fitted nodes impute; a category never seen
//! // in training is predicted with a warning that lists the known ones.
//! let unusual = model.parse(&serde_json::json!({ "name": "Bird, Miss. Ellen", "sex": "Female" }))?;
//! let warnings = model.warnings(&unusual, TransformOptions::default());
//! assert_eq!(warnings[0].code, "UNKNOWN_CATEGORY");
//! assert_eq!(warnings[0].field, "sex");
//! # Ok::<(), tandem_core::Error>(())
//! ```
//!
//! - [`schema`]: the input schema (fields, types, nullability) and the label/task.
//! - [`instance`]: raw instances parsed from JSON objects or CSV rows, with structured errors.
//! - [`columnar`]: column batches in Arrow's layout (the Python package's pandas and pyarrow
//!   input), read into instances by the same checks.
//! - [`read`]: reading files as people write them (CSV dialects, missing markers, number
//!   formats, JSON Lines), natively and in wasm.
//! - [`prep`]: preprocessing nodes. Each node's fitted `*Params` are serde data and its
//!   `transform` is plain code that compiles natively and for `wasm32-unknown-unknown`;
//!   fitting lives behind the `fit` feature, which only `tandem-train` enables.
//! - [`bundle`]: the `model.tandem` file: one self-describing, checksummed, data-only container.
//! - [`runtime`]: loads a bundle and predicts (preprocessing + the dense kernel or tract + softmax).
//! - [`protocol`]: MLflow's scoring protocol, shared by `tandem serve` and the edge worker.
//! - [`constants`]: error codes, tolerances, limits and routes, in one view for every binding.
#![warn(missing_docs)]

pub mod bundle;
pub mod columnar;
pub mod constants;
pub mod drift;
pub mod error;
pub mod explain;
pub mod instance;
mod json;
mod order;
pub mod prediction;
pub mod prep;
pub mod protocol;
pub mod read;
pub mod runtime;
pub mod schema;
pub mod short;
pub mod time;
pub mod tolerance;

pub use bundle::{Bundle, Metadata};
pub use error::{Error, InstanceError};
pub use instance::{Instance, Raw, Value};
pub use prediction::Prediction;
pub use prep::Preprocessor;
pub use runtime::Model;
pub use schema::{Field, FieldType, Label, Schema, Task};

/// The version of this crate, recorded in every bundle it writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
