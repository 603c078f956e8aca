//! Python values to raw values: an object column cell by cell ([`raw_of`]), and the buffers
//! the Python layer copies out of numpy and Arrow arrays ([`Column`]), read without a copy per
//! cell.
//!
//! A cell means what the same value means in a JSON record: `None`, NaN, `pandas.NA` and
//! `NaT` are missing; a `str` is text (a boolean field reads `"yes"`); a number is a number
//! (a category field reads `1` as `"1"`); anything else is `WRONG_TYPE` naming its type.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString, PyTuple};
use tandem_core::Raw;
use tandem_core::columnar::{Cells, Strings};

/// One column as the Python layer hands it over (`tandem_infer/_columns.py`).
pub enum Column<'py> {
    /// `("number", float64 bytes)`.
    Numbers(Bound<'py, PyBytes>),
    /// `("bool", one byte a row, validity bytes or None)`.
    Bools(Bound<'py, PyBytes>, Option<Bound<'py, PyBytes>>),
    /// `("string", offsets, large, data, validity or None, validity's bit offset)`: an Arrow
    /// string array, its offsets rebased to the rows it holds.
    Strings {
        offsets: Bound<'py, PyBytes>,
        large: bool,
        data: Bound<'py, PyBytes>,
        validity: Option<Bound<'py, PyBytes>>,
        validity_offset: usize,
    },
    /// `("object", list)`: the values, read cell by cell.
    Raws(Vec<Raw>),
}

impl<'py> Column<'py> {
    /// Read the tuple the Python layer built.
    pub fn parse(spec: &Bound<'py, PyTuple>) -> PyResult<Column<'py>> {
        let kind: String = spec.get_item(0)?.extract()?;
        let bytes = |i: usize| -> PyResult<Bound<'py, PyBytes>> {
            Ok(spec.get_item(i)?.cast_into::<PyBytes>()?)
        };
        let maybe = |i: usize| -> PyResult<Option<Bound<'py, PyBytes>>> {
            let item = spec.get_item(i)?;
            if item.is_none() {
                Ok(None)
            } else {
                Ok(Some(item.cast_into::<PyBytes>()?))
            }
        };
        Ok(match kind.as_str() {
            "number" => Column::Numbers(bytes(1)?),
            "bool" => Column::Bools(bytes(1)?, maybe(2)?),
            "string" => Column::Strings {
                offsets: bytes(1)?,
                large: spec.get_item(2)?.extract()?,
                data: bytes(3)?,
                validity: maybe(4)?,
                validity_offset: spec.get_item(5)?.extract()?,
            },
            "object" => {
                let values = spec.get_item(1)?;
                let mut raws = Vec::with_capacity(values.len().unwrap_or(0));
                for v in values.try_iter()? {
                    raws.push(raw_of(&v?));
                }
                Column::Raws(raws)
            }
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown column kind {other:?}"
                )));
            }
        })
    }

    /// The cells, borrowing the buffers.
    pub fn cells(&self) -> Cells<'_> {
        match self {
            Column::Numbers(b) => Cells::Numbers(b.as_bytes()),
            Column::Bools(values, valid) => Cells::Bools {
                values: values.as_bytes(),
                valid: valid.as_ref().map(|v| v.as_bytes()),
            },
            Column::Strings {
                offsets,
                large,
                data,
                validity,
                validity_offset,
            } => Cells::Strings(Strings {
                offsets: offsets.as_bytes(),
                large: *large,
                data: data.as_bytes(),
                validity: validity.as_ref().map(|v| v.as_bytes()),
                offset: 0,
                validity_offset: *validity_offset,
            }),
            Column::Raws(raws) => Cells::Raws(raws),
        }
    }
}

/// One Python value as a raw value.
pub fn raw_of(v: &Bound<'_, PyAny>) -> Raw {
    if v.is_none() {
        return Raw::Null;
    }
    if let Ok(s) = v.cast::<PyString>() {
        return match s.to_cow() {
            Ok(text) => Raw::Str(text.into_owned()),
            Err(_) => Raw::Other("a string that is not valid Unicode".into()),
        };
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Raw::Bool(b.is_true());
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return number(f.value());
    }
    if v.cast::<PyInt>().is_ok() {
        return match v.extract::<f64>() {
            Ok(x) => Raw::Number(x),
            Err(_) => Raw::Other("an integer too large for a 64-bit float".into()),
        };
    }
    other(v)
}

fn number(x: f64) -> Raw {
    if x.is_nan() {
        Raw::Null
    } else {
        Raw::Number(x)
    }
}

/// numpy scalars, pandas' missing markers, and everything else by its type's name.
fn other(v: &Bound<'_, PyAny>) -> Raw {
    let ty = v.get_type();
    let name = ty.name().map(|n| n.to_string()).unwrap_or_default();
    let module = ty.module().map(|m| m.to_string()).unwrap_or_default();
    match (module.as_str(), name.as_str()) {
        (_, "NAType" | "NaTType") => Raw::Null,
        ("numpy", "bool" | "bool_") => Raw::Bool(v.is_truthy().unwrap_or(false)),
        ("numpy", n) if n.starts_with("float") || n.starts_with("int") || n.starts_with("uint") => {
            v.extract::<f64>()
                .map_or_else(|_| Raw::Other(format!("a numpy {n}")), number)
        }
        // As a JSON record's message names them.
        ("builtins", "dict") => Raw::Other("an object".into()),
        ("builtins", "list" | "tuple") => Raw::Other("an array".into()),
        ("builtins", n) => Raw::Other(format!("a {n}")),
        (m, n) => Raw::Other(format!("a {m}.{n}")),
    }
}
