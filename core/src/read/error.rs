//! What goes wrong reading a file as a whole (its header, its delimiter, the options).

use thiserror::Error;

/// Why a file cannot be read as a table. Row-level problems are [`crate::Error::Csv`] and
/// [`crate::Error::Json`]; these concern the whole file.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A header name is empty (or pandas' placeholder for one, `Unnamed: 3`).
    #[error("column {column} has no name in the header{}", empty_hint(*column, name))]
    EmptyHeader {
        /// 1-based column number.
        column: usize,
        /// The name as written (`""`, `"Unnamed: 0"`).
        name: String,
    },
    /// Two columns have the same name.
    #[error("column {column} is named `{name}`, as column {first} is: header names must be unique")]
    DuplicateHeader {
        /// The name.
        name: String,
        /// 1-based column number of the second one.
        column: usize,
        /// 1-based column number of the first one.
        first: usize,
    },
    /// The file reads as a single column whose name holds another delimiter.
    #[error(
        "the file reads as one column (`{header}`) with the delimiter {delimiter:?}; it looks \
         delimited by {suggested:?}: set the delimiter to {suggested:?} (--delimiter '{suggested}')"
    )]
    OneColumn {
        /// The header as read (cut to 60 characters).
        header: String,
        /// The delimiter used.
        delimiter: char,
        /// The delimiter the header suggests.
        suggested: char,
    },
    /// The header lacks columns the model reads: every row would lack them, so the file is
    /// refused rather than predicted from imputed values.
    #[error(
        "the header has no column for {}: {}; every field of the model needs a column (leave \
         cells empty for missing values)",
        count_fields(missing.len()),
        missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumns {
        /// Every absent field, in schema order.
        missing: Vec<String>,
    },
    /// A column handed over as buffers (the Python package's column batches) does not hold
    /// the rows it claims.
    #[error("column `{column}` is malformed: {reason}")]
    BadColumn {
        /// The column.
        column: String,
        /// What does not add up.
        reason: String,
    },
    /// The file has no header row.
    #[error("the file is empty: it needs a header row")]
    Empty,
    /// The reading options contradict themselves or cannot be used.
    #[error("reading option `{option}`: {reason}")]
    BadOption {
        /// The option (`decimal`, `thousands`, `delimiter`, `na_values`).
        option: &'static str,
        /// Why.
        reason: String,
    },
}

fn count_fields(n: usize) -> String {
    if n == 1 {
        "1 field".into()
    } else {
        format!("{n} fields")
    }
}

fn empty_hint(column: usize, name: &str) -> String {
    let shown = if name.is_empty() {
        String::new()
    } else {
        format!(" (`{name}`)")
    };
    if column == 1 {
        format!(
            "{shown}: the first column looks like a pandas index; write the file with \
             `to_csv(index=False)`, or name or remove the column"
        )
    } else {
        format!("{shown}: name every column")
    }
}

impl ReadError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::EmptyHeader { .. } => "EMPTY_HEADER",
            ReadError::DuplicateHeader { .. } => "DUPLICATE_HEADER",
            ReadError::OneColumn { .. } => "ONE_COLUMN",
            ReadError::MissingColumns { .. } => "MISSING_FIELD",
            ReadError::Empty => "EMPTY_FILE",
            ReadError::BadColumn { .. } => "BAD_COLUMN",
            ReadError::BadOption { .. } => "BAD_READ_OPTION",
        }
    }

    /// The field the error concerns, if any (the first absent one).
    pub fn field(&self) -> Option<&str> {
        match self {
            ReadError::MissingColumns { missing } => missing.first().map(String::as_str),
            ReadError::BadColumn { column, .. } => Some(column),
            _ => None,
        }
    }

    /// The 1-based column the error concerns, if any.
    pub fn column(&self) -> Option<usize> {
        match self {
            ReadError::EmptyHeader { column, .. } | ReadError::DuplicateHeader { column, .. } => {
                Some(*column)
            }
            _ => None,
        }
    }
}
