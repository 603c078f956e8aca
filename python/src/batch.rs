//! A batch predicted on every core: the rows split into one contiguous range per thread, each
//! range read and predicted in pieces of [`PIECE`] rows (memory stays bounded by the pieces in
//! flight, not the batch), the results put back in row order.

use std::ops::Range;

use tandem_core::columnar::Columns;
use tandem_core::prediction::best_class;
use tandem_core::prep::TransformOptions;
use tandem_core::runtime::Warning;
use tandem_core::{Error, Instance, Model};

/// Rows parsed and predicted at a time by one thread.
const PIECE: usize = 4096;

/// Fewer rows than this a thread are not worth a thread.
const MIN_ROWS_PER_THREAD: usize = 2048;

/// What a batch gives back, in row order.
#[derive(Default)]
pub struct Outcome {
    /// [`Model::scores_width`] numbers a row (zeros for a failed row).
    pub scores: Vec<f64>,
    /// Classification: the index of each row's label in the class list.
    pub labels: Vec<u32>,
    /// The rows that failed (0-based) and why.
    pub errors: Vec<(usize, Error)>,
    /// Every warning, with its row (0-based).
    pub warnings: Vec<(usize, Warning)>,
}

impl Outcome {
    fn append(&mut self, mut other: Outcome) {
        self.scores.append(&mut other.scores);
        self.labels.append(&mut other.labels);
        self.errors.append(&mut other.errors);
        self.warnings.append(&mut other.warnings);
    }
}

/// Where a thread's rows come from.
pub enum Rows<'a> {
    /// A column batch, read into instances by each thread.
    Columns(&'a Columns<'a>),
    /// Instances already read (records).
    Instances(&'a [Result<Instance, Error>]),
}

impl Rows<'_> {
    fn len(&self) -> usize {
        match self {
            Rows::Columns(c) => c.rows(),
            Rows::Instances(v) => v.len(),
        }
    }
}

/// Predict every row on up to `threads` threads.
pub fn predict(
    model: &Model,
    rows: &Rows<'_>,
    options: TransformOptions,
    threads: usize,
) -> Result<Outcome, Error> {
    let n = rows.len();
    let threads = threads.clamp(1, n.div_ceil(MIN_ROWS_PER_THREAD).max(1));
    let per = n.div_ceil(threads).max(1);
    let ranges: Vec<Range<usize>> = (0..n).step_by(per).map(|a| a..(a + per).min(n)).collect();
    let parts: Vec<Result<Outcome, Error>> = if ranges.len() <= 1 {
        ranges
            .into_iter()
            .map(|r| range(model, rows, r, options))
            .collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .into_iter()
                .map(|r| s.spawn(move || range(model, rows, r, options)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Engine("a prediction thread panicked".into()))
                    })
                })
                .collect()
        })
    };
    let mut out = Outcome::default();
    for part in parts {
        out.append(part?);
    }
    Ok(out)
}

/// One thread's rows, a piece at a time.
fn range(
    model: &Model,
    rows: &Rows<'_>,
    range: Range<usize>,
    options: TransformOptions,
) -> Result<Outcome, Error> {
    let mut out = Outcome::default();
    let mut start = range.start;
    while start < range.end {
        let end = (start + PIECE).min(range.end);
        let part = match rows {
            Rows::Columns(c) => piece(
                model,
                &c.instances(model.schema(), start..end),
                start,
                options,
            ),
            Rows::Instances(v) => piece(model, &v[start..end], start, options),
        }?;
        out.append(part);
        start = end;
    }
    Ok(out)
}

/// Predict `instances`, the first of which is row `first`.
fn piece(
    model: &Model,
    instances: &[Result<Instance, Error>],
    first: usize,
    options: TransformOptions,
) -> Result<Outcome, Error> {
    let mut out = Outcome::default();
    let rows = model.batch_scores_warned(instances, options, &mut out.scores)?;
    let k = model.scores_width().max(1);
    if model.schema().classes().is_some() {
        out.labels = out.scores.chunks(k).map(|s| best_class(s) as u32).collect();
    }
    for (i, (result, warnings)) in rows.into_iter().enumerate() {
        if let Err(e) = result {
            out.errors.push((first + i, e));
        }
        out.warnings
            .extend(warnings.into_iter().map(|w| (first + i, w)));
    }
    Ok(out)
}
