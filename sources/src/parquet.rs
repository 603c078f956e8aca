//! Parquet (arrow-rs): read in record batches, so a file larger than memory streams. Numbers,
//! booleans and text keep their type; dates and timestamps become ISO 8601 text (what a
//! window and the date encoders read); decimals their exact digits. A list, struct or binary
//! column is refused by name: no field type reads it.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::SourceError;
use crate::cell::{Cell, Sink};

/// Rows per record batch.
const BATCH: usize = 8192;

/// The four bytes every Parquet file starts with.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Whether `path` holds Parquet (by its first bytes).
pub fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == MAGIC
}

fn error(path: &Path, e: impl std::fmt::Display) -> SourceError {
    SourceError::Query {
        source_name: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn cast(path: &Path, a: &ArrayRef, to: &DataType) -> Result<ArrayRef, SourceError> {
    arrow_cast::cast(a, to).map_err(|e| error(path, e))
}

/// A column's cells.
fn cells(path: &Path, name: &str, a: &ArrayRef) -> Result<Vec<Cell>, SourceError> {
    let n = a.len();
    let get = |i: usize, f: &dyn Fn(usize) -> Cell| if a.is_null(i) { Cell::Null } else { f(i) };
    Ok(match a.data_type() {
        DataType::Null => vec![Cell::Null; n],
        DataType::Boolean => {
            let b = a.as_boolean();
            (0..n)
                .map(|i| get(i, &|i| Cell::Bool(b.value(i))))
                .collect()
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            let c = cast(path, a, &DataType::Int64)?;
            let v = c.as_primitive::<Int64Type>();
            (0..n).map(|i| get(i, &|i| Cell::Int(v.value(i)))).collect()
        }
        DataType::UInt64 | DataType::Float64 => {
            let c = cast(path, a, &DataType::Float64)?;
            let v = c.as_primitive::<Float64Type>();
            (0..n)
                .map(|i| get(i, &|i| Cell::Float(v.value(i))))
                .collect()
        }
        DataType::Float16 | DataType::Float32 => {
            // A float32's shortest text, as the CSV it was written from holds it (0.1, not
            // 0.10000000149011612).
            let c = cast(path, a, &DataType::Float32)?;
            let v = c.as_primitive::<Float32Type>();
            (0..n)
                .map(|i| {
                    get(i, &|i| {
                        let x = v.value(i);
                        Cell::Float(x.to_string().parse().unwrap_or(f64::from(x)))
                    })
                })
                .collect()
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            let c = cast(path, a, &DataType::Utf8)?;
            let s = c.as_string::<i32>();
            (0..n)
                .map(|i| get(i, &|i| Cell::Text(s.value(i).to_string())))
                .collect()
        }
        DataType::Timestamp(unit, tz) => {
            // The instant itself (UTC), whatever zone it is shown in: no time zone database.
            let micros = timestamps_micros(path, a, *unit)?;
            let utc = tz.is_some();
            (0..n)
                .map(|i| get(i, &|i| Cell::Text(crate::window::iso(micros[i], utc))))
                .collect()
        }
        DataType::Date32
        | DataType::Date64
        | DataType::Time32(_)
        | DataType::Time64(_)
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => {
            let f = ArrayFormatter::try_new(a.as_ref(), &FormatOptions::default())
                .map_err(|e| error(path, e))?;
            (0..n)
                .map(|i| get(i, &|i| Cell::Text(f.value(i).to_string())))
                .collect()
        }
        other => {
            return Err(error(
                path,
                format!(
                    "column `{name}` is {other}, which no field type reads (numbers, booleans, text, dates and timestamps are)"
                ),
            ));
        }
    })
}

/// A timestamp column's values in microseconds since the epoch (nulls as 0).
fn timestamps_micros(path: &Path, a: &ArrayRef, unit: TimeUnit) -> Result<Vec<i64>, SourceError> {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    let values: Vec<i64> = match unit {
        TimeUnit::Second => a.as_primitive_opt::<TimestampSecondType>().map(|v| {
            v.values()
                .iter()
                .map(|s| s.saturating_mul(1_000_000))
                .collect()
        }),
        TimeUnit::Millisecond => a
            .as_primitive_opt::<TimestampMillisecondType>()
            .map(|v| v.values().iter().map(|s| s.saturating_mul(1_000)).collect()),
        TimeUnit::Microsecond => a
            .as_primitive_opt::<TimestampMicrosecondType>()
            .map(|v| v.values().to_vec()),
        TimeUnit::Nanosecond => a
            .as_primitive_opt::<TimestampNanosecondType>()
            .map(|v| v.values().iter().map(|s| s.div_euclid(1_000)).collect()),
    }
    .ok_or_else(|| error(path, "a timestamp column that is not one"))?;
    Ok(values)
}

/// Every row of the file into `sink`.
pub fn scan(path: &Path, sink: &mut dyn Sink) -> Result<(), SourceError> {
    let file = File::open(path).map_err(|e| error(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| error(path, e))?
        .with_batch_size(BATCH)
        .build()
        .map_err(|e| error(path, e))?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    sink.columns(&names)?;
    let mut row = Vec::with_capacity(names.len());
    for batch in reader {
        let batch = batch.map_err(|e| error(path, e))?;
        let columns: Vec<Vec<Cell>> = batch
            .columns()
            .iter()
            .zip(&names)
            .map(|(a, name)| cells(path, name, &Arc::clone(a)))
            .collect::<Result<_, _>>()?;
        for i in 0..batch.num_rows() {
            row.clear();
            row.extend(columns.iter().map(|c| c[i].clone()));
            sink.row(&row)?;
        }
    }
    Ok(())
}
