//! Training rows the loop draws its batches from: in memory ([`crate::trainer::Dataset`]) or
//! in a spill file ([`SpillFile`]), so a training set larger than memory can still be fed to
//! the network a batch at a time.
//!
//! A spill file holds each row's features as little-endian `f32`s, row after row; the targets
//! (4 to 8 bytes a row) stay in memory. Rows are read a block ([`BLOCK_BYTES`] of features)
//! at a time into a cache of [`WINDOW_BLOCKS`] blocks, and an epoch visits the blocks in a
//! shuffled order, a window of [`WINDOW_BLOCKS`] blocks at a time with the rows of a window shuffled together (the shuffle
//! buffer of tf.data and WebDataset): each batch reads from memory, each block is read from
//! disk once an epoch, and batches still mix rows from all over the file. A file of at most
//! one window's rows is shuffled as a whole, exactly as rows in memory are.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::split::SplitMix64;
use crate::trainer::{Dataset, Targets};

/// Features read from a spill file at once, in bytes (a block: at least 64 rows).
pub const BLOCK_BYTES: usize = 1 << 20;
/// Blocks whose rows an epoch shuffles together (and the cache holds: 16 MiB).
pub const WINDOW_BLOCKS: usize = 16;

/// Rows in a block of rows of `width` features.
pub fn block_rows(width: usize) -> usize {
    (BLOCK_BYTES / (width.max(1) * 4)).max(64)
}

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
    /// Rearrange `order` (row indices, each as often as an epoch visits it) into the next
    /// epoch's order: a shuffle.
    fn epoch_order(&self, order: &mut Vec<usize>, rng: &mut SplitMix64) {
        rng.shuffle(order);
    }
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
    /// One row's bytes, reused.
    bytes: Vec<u8>,
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
            bytes: Vec::with_capacity(width * 4),
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
        self.bytes.clear();
        for x in features {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
        self.out
            .write_all(&self.bytes)
            .map_err(|e| spill_error(&e))?;
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
            file: Mutex::new(Cache {
                file,
                blocks: Vec::new(),
            }),
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
    file: Mutex<Cache>,
    width: usize,
    targets: Targets,
}

/// The file and the blocks read last (at most [`WINDOW_BLOCKS`], oldest first).
struct Cache {
    file: File,
    blocks: Vec<(usize, Vec<f32>)>,
}

impl Cache {
    /// Block `b`'s features, read from the file unless cached.
    fn block(&mut self, b: usize, width: usize, rows: usize) -> Result<&[f32]> {
        if let Some(at) = self.blocks.iter().position(|(k, _)| *k == b) {
            return Ok(&self.blocks[at].1);
        }
        let block = block_rows(width);
        let first = b * block;
        let n = block.min(rows - first);
        let mut bytes = vec![0u8; n * width * 4];
        self.file
            .seek(SeekFrom::Start((first * width * 4) as u64))
            .and_then(|_| self.file.read_exact(&mut bytes))
            .map_err(|e| spill_error(&e))?;
        let features = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if self.blocks.len() >= WINDOW_BLOCKS {
            self.blocks.remove(0);
        }
        self.blocks.push((b, features));
        Ok(&self.blocks[self.blocks.len() - 1].1)
    }
}

impl Rows for SpillFile {
    fn len(&self) -> usize {
        self.targets.len()
    }
    fn width(&self) -> usize {
        self.width
    }
    fn gather(&self, idx: &[usize]) -> Result<(Vec<f32>, Targets)> {
        let w = self.width;
        let n = self.len();
        let block = block_rows(w);
        let mut f = Vec::with_capacity(idx.len() * w);
        let mut cache = self
            .file
            .lock()
            .map_err(|_| Error::Training("spill file: a reader panicked".into()))?;
        for &i in idx {
            if i >= n {
                return Err(Error::Training(format!(
                    "spill file: row {i} of {n} asked for"
                )));
            }
            let at = (i % block) * w;
            f.extend_from_slice(&cache.block(i / block, w, n)?[at..at + w]);
        }
        Ok((f, targets_of(&self.targets, idx)))
    }
    fn epoch_order(&self, order: &mut Vec<usize>, rng: &mut SplitMix64) {
        let block = block_rows(self.width);
        if self.len() <= block * WINDOW_BLOCKS {
            rng.shuffle(order);
            return;
        }
        let rows = std::mem::take(order);
        let mut grouped = vec![0usize; rows.len()];
        // Rows grouped by block (stable: a counting sort), the blocks shuffled, then the rows
        // of each window of blocks shuffled together.
        let blocks = self.len().div_ceil(block);
        let mut start = vec![0usize; blocks + 1];
        for &r in &rows {
            start[r / block + 1] += 1;
        }
        for b in 0..blocks {
            start[b + 1] += start[b];
        }
        let mut next = start.clone();
        for &r in &rows {
            let b = r / block;
            grouped[next[b]] = r;
            next[b] += 1;
        }
        drop(rows);
        let mut visit: Vec<usize> = (0..blocks).collect();
        rng.shuffle(&mut visit);
        order.reserve(grouped.len());
        for window in visit.chunks(WINDOW_BLOCKS) {
            let from = order.len();
            for &b in window {
                order.extend_from_slice(&grouped[start[b]..start[b + 1]]);
            }
            rng.shuffle(&mut order[from..]);
        }
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

    #[test]
    fn a_large_spill_file_visits_every_row_once_a_window_at_a_time() {
        let width = 64;
        let block = block_rows(width);
        let rows = block * WINDOW_BLOCKS * 2 + 100;
        let mut w = SpillWriter::new(width).unwrap();
        let mut row = vec![-1.0f32; width];
        for i in 0..rows {
            row[0] = i as f32;
            w.push(&row, Target::Value(i as f32)).unwrap();
        }
        let spilled = w.finish().unwrap();
        let all: Vec<usize> = (0..rows).collect();
        let mut order = all.clone();
        spilled.epoch_order(&mut order, &mut SplitMix64::new(5));
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, all, "each row once");
        assert_ne!(order, all, "shuffled");
        // The first window (one of its blocks may be the short last one) reads at most
        // WINDOW_BLOCKS blocks.
        let window = block * (WINDOW_BLOCKS - 1);
        let blocks: std::collections::BTreeSet<usize> =
            order[..window].iter().map(|r| r / block).collect();
        assert!(blocks.len() <= WINDOW_BLOCKS, "{}", blocks.len());
        // Batches read back the rows they name, across block boundaries.
        for batch in order.chunks(1000).take(40) {
            let (f, t) = spilled.gather(batch).unwrap();
            let Targets::Values(v) = t else {
                panic!("values")
            };
            for (k, &r) in batch.iter().enumerate() {
                assert_eq!(f[k * width], r as f32);
                assert_eq!(v[k], r as f32);
            }
        }
        assert!(spilled.gather(&[rows]).is_err());
    }
}
