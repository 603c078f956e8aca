//! The file-reading target: CSV and JSON Lines (`tandem_core::read`) as training reads them
//! (a table of cells, then schema inference) and as prediction reads them (instances against
//! the real bundles' schemas, then predictions).

use tandem_core::prep::TransformOptions;
use tandem_core::read::{ReadOptions, read_csv, read_jsonl, read_table};
use tandem_core::schema::{InferConfig, infer_dates, infer_fields, infer_schema};

use crate::bundles::models;

const THOUSANDS: [Option<char>; 8] = [
    None,
    Some(','),
    Some('.'),
    Some(' '),
    Some('_'),
    Some('\''),
    Some('x'),
    None,
];
/// Index 7 is a delimiter [`ReadOptions::check`] refuses.
const DELIMITERS: [Option<char>; 8] = [
    None,
    Some(','),
    Some(';'),
    Some('\t'),
    Some('|'),
    Some(' '),
    Some(':'),
    Some('"'),
];
const NA_VALUES: [&str; 2] = ["?", "-"];

/// Rows predicted per file: enough to reach every node, few enough to stay fast.
const PREDICTED_ROWS: usize = 32;

/// The reading options a [`csv_read`] input's first byte encodes: bit 0 a decimal comma,
/// bits 1-3 the thousands separator, bits 4-6 the delimiter, bit 7 the extra missing markers.
pub fn options_from(byte: u8) -> ReadOptions {
    ReadOptions {
        na_values: if byte & 0x80 != 0 {
            NA_VALUES.iter().map(|s| (*s).to_string()).collect()
        } else {
            Vec::new()
        },
        thousands: THOUSANDS[usize::from((byte >> 1) & 7)],
        decimal: if byte & 1 != 0 { ',' } else { '.' },
        delimiter: DELIMITERS[usize::from((byte >> 4) & 7)],
    }
}

/// The first byte of a [`csv_read`] input that encodes these options (the first match).
pub fn options_byte(options: &ReadOptions) -> Option<u8> {
    (0..=u8::MAX).find(|&b| options_from(b) == *options)
}

/// A file as training and prediction read it; the first byte chooses the options
/// ([`options_from`]).
pub fn csv_read(data: &[u8]) {
    let Some((&choice, file)) = data.split_first() else {
        return;
    };
    let options = options_from(choice);
    if let Ok(table) = read_table(file, &options) {
        infer(&table, &options);
    }
    for model in models() {
        if let Ok(rows) = read_csv(model.schema(), file, &options) {
            predict(model, &rows);
        }
        if let Ok((_, rows)) = read_jsonl(model.schema(), file, &options) {
            predict(model, &rows);
        }
    }
}

fn infer(table: &tandem_core::read::TextTable, options: &ReadOptions) {
    let header: Vec<String> = table.header.iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let config = InferConfig {
        read: options.clone(),
        ..InferConfig::default()
    };
    let _ = infer_fields(&header, &rows, &config);
    let _ = infer_dates(&header, &rows, options);
    if let Some(label) = header.last() {
        let _ = infer_schema(&header, &rows, label, &config);
    }
}

fn predict(model: &tandem_core::Model, rows: &[Result<tandem_core::Instance, tandem_core::Error>]) {
    let rows = &rows[..rows.len().min(PREDICTED_ROWS)];
    let _ = model.predict_batch(rows, TransformOptions::default());
}
