//! A data set as a command reads it: instances from one source, optionally inside a time
//! window and joined with labels from another, handed over as one local file.
//!
//! A CSV or JSON Lines file (local or downloaded) read as it is goes to the command untouched,
//! so its reading options apply as always. Anything else (Parquet, a database, an API, a
//! window, a join) streams into a temporary JSON Lines file, row by row in bounded memory
//! (the label map aside), removed when the [`Materialized`] is dropped. Every command reads
//! that file exactly as it reads a file written by hand, so all sources share one reader.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::SourceError;
use crate::cell::{JsonlWriter, Sink};
use crate::join::{Collect, Join, JoinKeys, JoinReport, LabelMap};
use crate::location::{Location, Source};
use crate::sql::Query;
use crate::url::FetchOptions;
use crate::window::{Window, WindowCounts, WindowFilter};

/// Instances, a window, labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Where the instances are.
    pub source: Source,
    /// Only rows inside this window.
    pub window: Option<Window>,
    /// Labels from another source, joined by a key.
    pub labels: Option<(Source, JoinKeys)>,
}

/// What reading found, for the user and the run's record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The instances' source, as shown.
    pub source: String,
    /// Rows handed to the command (when the source was converted).
    pub rows: Option<u64>,
    /// The window and what it kept.
    pub window: Option<(Window, WindowCounts)>,
    /// The labels' source and what the join found.
    pub join: Option<(String, JoinReport)>,
    /// What the user should know (a query without an order).
    pub notes: Vec<String>,
}

impl Report {
    /// The report as run params (names and values), for the tracking store.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = vec![("data".to_string(), self.source.clone())];
        if let Some(n) = self.rows {
            p.push(("data_rows_read".into(), n.to_string()));
        }
        if let Some((w, c)) = &self.window {
            p.push(("window_field".into(), w.field.clone()));
            if let Some(s) = w.since {
                p.push(("window_since".into(), crate::window::iso(s, true)));
            }
            if let Some(u) = w.until {
                p.push(("window_until".into(), crate::window::iso(u, true)));
            }
            p.push(("window_rows_kept".into(), c.kept.to_string()));
            p.push(("window_rows_outside".into(), c.outside.to_string()));
            p.push((
                "window_rows_without_time".into(),
                (c.missing + c.unreadable).to_string(),
            ));
        }
        if let Some((src, j)) = &self.join {
            p.push(("labels".into(), src.clone()));
            p.push(("labels_rows".into(), j.labels.to_string()));
            p.push(("labels_matched".into(), j.matched.to_string()));
            p.push((
                "instances_without_label".into(),
                j.instances_unmatched.to_string(),
            ));
            p.push((
                "labels_without_instance".into(),
                j.labels_unmatched.to_string(),
            ));
            p.push((
                "labels_conflicting_keys".into(),
                j.conflicting_keys.to_string(),
            ));
        }
        p
    }

    /// What the user should read, one line each (nothing for a file read as is).
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.notes.clone();
        if let Some(n) = self.rows {
            out.push(format!("read {n} rows from {}", self.source));
        }
        if let Some((w, c)) = &self.window {
            let bound = |t: Option<i64>| t.map_or("…".into(), |t| crate::window::iso(t, true));
            out.push(format!(
                "window {} in [{}, {}): kept {}, outside {}, no time {}, unreadable time {}",
                w.field,
                bound(w.since),
                bound(w.until),
                c.kept,
                c.outside,
                c.missing,
                c.unreadable
            ));
        }
        if let Some((src, j)) = &self.join {
            let examples = if j.unmatched_examples.is_empty() {
                String::new()
            } else {
                format!(
                    " (keys {}{})",
                    j.unmatched_examples.join(", "),
                    if j.instances_unmatched > 5 {
                        ", ..."
                    } else {
                        ""
                    }
                )
            };
            let line = format!(
                "labels from {src}: {} of {} instances labelled; {} without a label{examples}; {} labels without an instance; {} {} labelled twice differently",
                j.matched,
                j.instances,
                j.instances_unmatched,
                j.labels_unmatched,
                j.conflicting_keys,
                if j.conflicting_keys == 1 {
                    "key"
                } else {
                    "keys"
                }
            );
            out.push(line);
        }
        out
    }
}

/// The data set as one local file.
pub struct Materialized {
    path: PathBuf,
    _temp: Option<tempfile::TempPath>,
    /// What reading found.
    pub report: Report,
}

impl Materialized {
    /// The file to read.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for Materialized {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Materialized {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// A note for a SQL source whose rows come in no defined order: a table, or a query without
/// ORDER BY. The split follows the rows' order, so the same data could split differently.
fn unordered(source: &Source) -> Option<String> {
    let query = match &source.location {
        Location::Sqlite { query, .. } | Location::Postgres { query, .. } => query,
        _ => return None,
    };
    let ordered = match query {
        Query::Table(_) => false,
        Query::Sql(q) => q
            .to_ascii_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w == ["order", "by"]),
    };
    (!ordered).then(|| {
        format!(
            "{}: SQL promises no row order without ORDER BY (PostgreSQL returns a table's rows as they sit on disk), and the split follows the order: order the query by a key for a repeatable run",
            source.display
        )
    })
}

/// Every row of `source` into `sink`, the window pushed into SQL where there is SQL.
pub fn scan(
    source: &Source,
    window: Option<&Window>,
    options: &FetchOptions,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let file = |path: &Path, sink: &mut dyn Sink| {
        if crate::parquet::is_parquet(path) {
            crate::parquet::scan(path, sink)
        } else {
            crate::file::scan(path, source.delimiter, &source.dialect, sink)
        }
    };
    match &source.location {
        Location::File(p) => file(p, sink),
        Location::Url(u) => file(&crate::url::fetch(u, options)?, sink),
        Location::Sqlite { path, query } => crate::sqlite::scan(path, query, window, sink),
        Location::Postgres { uri, query } => crate::postgres::scan(
            uri,
            &source.display,
            &source.credentials,
            query,
            window,
            sink,
        ),
        Location::Rest(r) => r.scan(options, sink),
    }
}

impl Dataset {
    fn scan_windowed(
        &self,
        options: &FetchOptions,
        sink: &mut dyn Sink,
    ) -> Result<Option<WindowCounts>, SourceError> {
        match &self.window {
            Some(w) => {
                let mut filter = WindowFilter::new(w, sink);
                scan(&self.source, Some(w), options, &mut filter)?;
                Ok(Some(filter.counts))
            }
            None => scan(&self.source, None, options, sink).map(|()| None),
        }
    }

    /// Instances alone, from one source.
    pub fn of(source: Source) -> Dataset {
        Dataset {
            source,
            window: None,
            labels: None,
        }
    }

    /// A CSV file (local or fetched) in another dialect as a temporary plain CSV file, record
    /// for record (a ragged record is quarantined by the reader as in any CSV file); `None`
    /// for any other source.
    fn transcoded(
        &self,
        options: &FetchOptions,
        report: &mut Report,
    ) -> Result<Option<Materialized>, SourceError> {
        let path = match &self.source.location {
            Location::File(p) => p.clone(),
            Location::Url(u) => crate::url::fetch(u, options)?,
            _ => return Ok(None),
        };
        if crate::parquet::is_parquet(&path) {
            return Ok(None);
        }
        let (file, temp_path) = temp_file(".csv")?;
        let out = BufWriter::with_capacity(1 << 16, file);
        let source = &self.source;
        let Some(rows) = crate::file::transcode(&path, source.delimiter, &source.dialect, out)?
        else {
            return Ok(None);
        };
        report.rows = Some(rows);
        Ok(Some(Materialized {
            path: temp_path.to_path_buf(),
            _temp: Some(temp_path),
            report: report.clone(),
        }))
    }

    /// The data set as a local file: as it is, or converted into a temporary JSON Lines file.
    pub fn materialize(&self, options: &FetchOptions) -> Result<Materialized, SourceError> {
        let mut report = Report {
            source: self.source.display.clone(),
            notes: unordered(&self.source).into_iter().collect(),
            ..Report::default()
        };
        let plain = self.source.dialect.is_default() && self.source.delimiter.is_none();
        if self.window.is_none() && self.labels.is_none() && plain {
            let as_is = match &self.source.location {
                Location::File(p) if !crate::parquet::is_parquet(p) => Some(p.clone()),
                Location::Url(u) => {
                    let p = crate::url::fetch(u, options)?;
                    (!crate::parquet::is_parquet(&p)).then_some(p)
                }
                _ => None,
            };
            if let Some(path) = as_is {
                return Ok(Materialized {
                    path,
                    _temp: None,
                    report,
                });
            }
        }
        if self.window.is_none()
            && self.labels.is_none()
            && let Some(done) = self.transcoded(options, &mut report)?
        {
            return Ok(done);
        }
        let (file, temp_path) = temp_file(".jsonl")?;
        let shown = temp_path.display().to_string();
        let mut writer = JsonlWriter::new(BufWriter::with_capacity(1 << 16, file), shown);
        let mut labels = LabelMap::default();
        if let Some((src, keys)) = &self.labels {
            scan(src, None, options, &mut Collect::new(keys, &mut labels))?;
        }
        let (window_counts, join_report) = match &self.labels {
            Some((src, keys)) => {
                let mut join = Join::new(keys, &mut labels, &mut writer);
                let counts = self.scan_windowed(options, &mut join)?;
                (counts, Some((src.display.clone(), join.finish())))
            }
            None => (self.scan_windowed(options, &mut writer)?, None),
        };
        let rows = writer.rows;
        writer.finish()?;
        report.rows = Some(rows);
        report.window = self.window.clone().zip(window_counts);
        report.join = join_report;
        if rows == 0 {
            return Err(SourceError::Data {
                source_name: self.source.display.clone(),
                row: None,
                reason: format!(
                    "no rows to read{}",
                    report
                        .lines()
                        .get(1)
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default()
                ),
            });
        }
        Ok(Materialized {
            path: temp_path.to_path_buf(),
            _temp: Some(temp_path),
            report,
        })
    }
}

/// A temporary file for a converted source (removed with its path).
fn temp_file(suffix: &str) -> Result<(std::fs::File, tempfile::TempPath), SourceError> {
    let temp = tempfile::Builder::new()
        .prefix("tandem-source-")
        .suffix(suffix)
        .tempfile()
        .map_err(|source| SourceError::Write {
            path: std::env::temp_dir().display().to_string(),
            source,
        })?;
    Ok(temp.into_parts())
}
