//! Training rows the loop draws its batches from: in memory ([`crate::trainer::Dataset`]) or
//! in a spill file ([`SpillFile`]), so a training set larger than memory can still be fed to
//! the network a batch at a time.
//!
//! A spill file holds each row's features as little-endian `f32`s, row after row; the targets
//! (4 to 8 bytes a row) stay in memory. A batch reads its rows by position.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::trainer::{Dataset, Targets};

/// Rows a training loop can draw batches from.
pub trait Rows {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether there is no row.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Features per row.
    fn width(&self) -> usize;
    /// The features (row-major) and targets of rows `idx`, in that order.
    fn gather(&self, idx: &[usize]) -> Result<(Vec<f32>, Targets)>;
}

fn targets_of(targets: &Targets, idx: &[usize]) -> Targets {
    match targets {
        Targets::Classes(c) => Targets::Classes(idx.iter().map(|&i| c[i]).collect()),
        Targets::Values(v) => Targets::Values(idx.iter().map(|&i| v[i]).collect()),
    }
}

impl Rows for Dataset {
    fn len(&self) -> usize {
        self.targets.len()
    }
    fn width(&self) -> usize {
        self.width
    }
    fn gather(&self, idx: &[usize]) -> Result<(Vec<f32>, Targets)> {
        let w = self.width;
        let mut f = Vec::with_capacity(idx.len() * w);
        for &i in idx {
            f.extend_from_slice(&self.features[i * w..(i + 1) * w]);
        }
        Ok((f, targets_of(&self.targets, idx)))
    }
}

/// Writes rows into a temporary spill file.
pub struct SpillWriter {
    out: BufWriter<File>,
    width: usize,
    classes: Vec<usize>,
    values: Vec<f32>,
}

fn spill_error(e: &std::io::Error) -> Error {
    Error::Training(format!("spill file: {e}"))
}

impl SpillWriter {
    /// A new spill file (in the system's temporary folder, removed when dropped) for rows
    /// of `width` features.
    pub fn new(width: usize) -> Result<Self> {
        let file = tempfile::tempfile().map_err(|e| spill_error(&e))?;
        Ok(SpillWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            width,
            classes: Vec::new(),
            values: Vec::new(),
        })
    }

    /// Append a row: its features (`width` of them) and its class or value.
    pub fn push(&mut self, features: &[f32], target: Target) -> Result<()> {
        if features.len() != self.width {
            return Err(Error::Training(format!(
                "spill file: a row of {} features, not {}",
                features.len(),
                self.width
            )));
        }
        for x in features {
            self.out
                .write_all(&x.to_le_bytes())
                .map_err(|e| spill_error(&e))?;
        }
        match target {
            Target::Class(c) => self.classes.push(c),
            Target::Value(v) => self.values.push(v),
        }
        Ok(())
    }

    /// The rows written, ready to be read back.
    pub fn finish(self) -> Result<SpillFile> {
        let file = self.out.into_inner().map_err(|e| spill_error(e.error()))?;
        let targets = if self.values.is_empty() {
            Targets::Classes(self.classes)
        } else {
            Targets::Values(self.values)
        };
        Ok(SpillFile {
            file: Mutex::new(file),
            width: self.width,
            targets,
        })
    }
}

/// One row's target.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A class index.
    Class(usize),
    /// A (scaled) value.
    Value(f32),
}

/// Rows in a spill file.
pub struct SpillFile {
    file: Mutex<File>,
    width: usize,
    targets: Targets,
}

impl Rows for SpillFile {
    fn len(&self) -> usize {
        self.targets.len()
    }
    fn width(&self) -> usize {
        self.width
    }
    fn gather(&self, idx: &[usize]) -> Result<(Vec<f32>, Targets)> {
        let row_bytes = self.width * 4;
        let mut bytes = vec![0u8; row_bytes];
        let mut f = Vec::with_capacity(idx.len() * self.width);
        let mut file = self
            .file
            .lock()
            .map_err(|_| Error::Training("spill file: a reader panicked".into()))?;
        for &i in idx {
            file.seek(SeekFrom::Start((i * row_bytes) as u64))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(|e| spill_error(&e))?;
            f.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
        Ok((f, targets_of(&self.targets, idx)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_spill_file_gives_back_what_memory_holds() {
        let width = 3;
        let features: Vec<f32> = (0..30).map(|i| i as f32 * 0.5 - 3.0).collect();
        let classes: Vec<usize> = (0..10).map(|i| i % 3).collect();
        let memory = Dataset {
            features: features.clone(),
            width,
            targets: Targets::Classes(classes.clone()),
        };
        let mut w = SpillWriter::new(width).unwrap();
        for (row, c) in features.chunks(width).zip(&classes) {
            w.push(row, Target::Class(*c)).unwrap();
        }
        assert!(w.push(&[1.0], Target::Class(0)).is_err());
        let spilled = w.finish().unwrap();
        assert_eq!(spilled.len(), 10);
        let idx = [7, 0, 9, 3, 3];
        let (a, ta) = memory.gather(&idx).unwrap();
        let (b, tb) = spilled.gather(&idx).unwrap();
        assert_eq!(a, b);
        let (Targets::Classes(ta), Targets::Classes(tb)) = (ta, tb) else {
            panic!("classes")
        };
        assert_eq!(ta, tb);
    }
}
