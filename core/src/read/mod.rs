//! Reading data as people write it: CSV (any of `,` `;` tab `|`, sniffed or given) and JSON
//! Lines, with pandas' missing markers, thousands separators and decimal commas.
//!
//! Every reader in Tandem goes through here, natively and in wasm (this module never touches
//! the file system: it reads bytes): training and schema inference read a [`TextTable`] with
//! [`read_table`]; prediction and validation read instances against a schema with
//! [`read_csv`] or [`read_jsonl`]. [`ReadOptions`] say how cells are written; a bundle records
//! the options its training data was read with, so a messy file predicts exactly as it
//! trained.
//!
//! - [`options`]: the options, the default missing markers and their checks.
//! - [`cells`]: one cell → a raw value (missing markers, numbers with separators).
//! - [`sniff`]: BOM, delimiter sniffing, JSON Lines detection, the one-column hint.
//! - [`header`]: empty and duplicate names, a pandas index column.
//! - [`table`]: a whole file as text cells, for inference and training.
//! - [`csv`]: CSV records → instances against a schema.
//! - [`jsonl`]: JSON Lines → text cells or instances.
//! - [`error`]: what goes wrong reading a file as a whole.

pub mod cells;
pub mod csv;
pub mod error;
pub mod header;
pub mod jsonl;
pub mod options;
pub mod sniff;
pub mod stream;
pub mod table;

pub use cells::{Columns, csv_columns, instance_from_record, is_missing, parse_number};
pub use csv::read_csv;
pub use error::ReadError;
pub use jsonl::read_jsonl;
pub use options::{DEFAULT_NA_VALUES, ReadOptions};
pub use stream::{RawRow, RowParser, RowStream, StreamFormat};
pub use table::{Format, TextTable, read_table};
