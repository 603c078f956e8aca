//! Tandem core: everything both sides of a model share.
//!
//! - [`schema`]: the input schema (fields, types, nullability) and the label/task.
//! - [`instance`]: raw instances parsed from JSON objects or CSV rows, with structured errors.
//! - [`prep`]: preprocessing nodes. Each node's fitted `*Params` are serde data and its
//!   `transform` is plain code that compiles natively and for `wasm32-unknown-unknown`;
//!   fitting lives behind the `fit` feature, which only `tandem-train` enables.
//! - [`bundle`]: the `model.tandem` file: one self-describing, checksummed, data-only container.
//! - [`runtime`]: loads a bundle and predicts (preprocessing + the dense kernel or tract + softmax).
//! - [`protocol`]: MLflow's scoring protocol, shared by `tandem serve` and the edge worker.
//! - [`constants`]: error codes, tolerances, limits and routes, in one view for every binding.
//!
//! ```
//! use tandem_core::schema::{Field, FieldType};
//! let field = Field::new("age", FieldType::Number, true);
//! assert_eq!(field.name, "age");
//! ```
#![warn(missing_docs)]

pub mod bundle;
pub mod constants;
pub mod error;
pub mod instance;
pub mod prediction;
pub mod prep;
pub mod protocol;
pub mod runtime;
pub mod schema;
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
