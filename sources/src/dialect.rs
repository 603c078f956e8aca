//! How a CSV file writes its text, when not as Tandem reads by default (UTF-8, a header row,
//! `"` quotes): its encoding, a missing header, another quote character.
//!
//! A file with such options is written out as JSON Lines on the way in ([`crate::dataset`]),
//! so every command reads it as it reads any other file. The options are given after a `#`
//! in the data argument (`old.csv#encoding=windows-1252&header=none`), beside a download's
//! pin (`https://host/x.csv#sha256=...&encoding=latin1`), or as keys of a spec's named source.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, Encoding};

use crate::SourceError;

/// A CSV file's text conventions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dialect {
    /// The text encoding; `None` is UTF-8 (a UTF-8 or UTF-16 byte order mark still wins).
    pub encoding: Option<&'static Encoding>,
    /// `Some(names)`: the file has no header row; its columns are these names, or
    /// `column_1`, `column_2`, ... where fewer are given.
    pub no_header: Option<Vec<String>>,
    /// The quote character (`"` by default).
    pub quote: Option<u8>,
}

impl Dialect {
    /// Whether the file reads as Tandem reads any CSV file.
    pub fn is_default(&self) -> bool {
        self.encoding.is_none_or(|e| e == encoding_rs::UTF_8)
            && self.no_header.is_none()
            && self.quote.is_none_or(|q| q == b'"')
    }

    /// The encoding named `label` (WHATWG labels: `utf-8`, `latin1`, `windows-1252`,
    /// `utf-16le`, `shift_jis`, ...).
    pub fn set_encoding(&mut self, label: &str) -> Result<(), String> {
        let e = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            format!("unknown encoding `{label}` (try utf-8, latin1, windows-1252, utf-16le)")
        })?;
        self.encoding = Some(e);
        Ok(())
    }

    /// `header=yes|no` (also true/false, present/none).
    pub fn set_header(&mut self, value: &str) -> Result<(), String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "present" | "1" => {
                if self.no_header.as_ref().is_some_and(|c| !c.is_empty()) {
                    return Err(
                        "header=yes contradicts columns=, which names a file without a header"
                            .into(),
                    );
                }
                self.no_header = None;
            }
            "no" | "false" | "none" | "0" => {
                self.no_header.get_or_insert_with(Vec::new);
            }
            other => return Err(format!("header must be yes or no, not `{other}`")),
        }
        Ok(())
    }

    /// Column names for a file without a header row (implies `header=no`).
    pub fn set_columns(&mut self, names: Vec<String>) {
        self.no_header = Some(names);
    }

    /// The quote character: one ASCII character.
    pub fn set_quote(&mut self, value: &str) -> Result<(), String> {
        match value.as_bytes() {
            [q] if q.is_ascii() && !q.is_ascii_alphanumeric() => {
                self.quote = Some(*q);
                Ok(())
            }
            _ => Err(format!(
                "the quote must be one ASCII punctuation character, not `{value}`"
            )),
        }
    }

    /// Apply one `key=value` option; `Ok(false)` when the key is not a dialect option.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<bool, String> {
        match key {
            "encoding" => self.set_encoding(value)?,
            "header" => self.set_header(value)?,
            "columns" => {
                let names: Vec<String> = value
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                if names.is_empty() {
                    return Err("columns= names no column (or write header=no)".into());
                }
                self.set_columns(names);
            }
            "quote" => self.set_quote(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The header for a file without one, `width` cells wide.
    pub fn names(&self, width: usize) -> Option<Vec<String>> {
        self.no_header.as_ref().map(|given| {
            (0..width.max(given.len()))
                .map(|i| {
                    given
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("column_{}", i + 1))
                })
                .collect()
        })
    }

    /// `input` as UTF-8 text.
    pub fn decode<R: Read + Send + 'static>(&self, input: R) -> Box<dyn Read + Send> {
        match self.encoding {
            Some(e) if e != encoding_rs::UTF_8 => Box::new(Decode::new(input, e)),
            _ => Box::new(input),
        }
    }
}

/// A file argument's dialect options: those after its `#`, with the pairs that are not
/// dialect options (a download's `sha256=`) handed back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// Encoding, header, quote.
    pub dialect: Dialect,
    /// `delimiter=`.
    pub delimiter: Option<char>,
    /// Every other `key=value` pair, as written.
    pub rest: Vec<String>,
}

/// Split `name.csv#k=v&...` into the argument before the first `#` and its options (values
/// may hold a `#`: `quote=#`); an argument that names an existing file as a whole, or has no
/// `key=value` after its `#`, is all path.
pub fn split_options(arg: &str) -> Result<(&str, Options), SourceError> {
    let Some((path, fragment)) = arg.split_once('#') else {
        return Ok((arg, Options::default()));
    };
    if std::path::Path::new(arg).exists() || !fragment.contains('=') {
        return Ok((arg, Options::default()));
    }
    let invalid = |reason: String| SourceError::Invalid {
        url: crate::redact(path),
        reason,
    };
    let mut options = Options::default();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = crate::location::percent_decode(value);
        if key == "delimiter" {
            let mut chars = value.chars();
            options.delimiter = Some(match (value.as_str(), chars.next(), chars.next()) {
                ("tab" | "\\t", _, _) => '\t',
                (_, Some(c), None) => c,
                _ => {
                    return Err(invalid(format!(
                        "the delimiter `{value}` is not one character"
                    )));
                }
            });
        } else if !options.dialect.apply(key, &value).map_err(invalid)? {
            options.rest.push(pair.to_string());
        }
    }
    Ok((path, options))
}

/// A reader that decodes `encoding` into UTF-8 as it goes (a byte order mark wins; bytes the
/// encoding cannot map become U+FFFD).
struct Decode<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    output: Vec<u8>,
    taken: usize,
    done: bool,
}

impl<R: Read> Decode<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        Decode {
            inner,
            decoder: encoding.new_decoder(),
            input: vec![0; 1 << 16],
            start: 0,
            end: 0,
            output: Vec::with_capacity(1 << 18),
            taken: 0,
            done: false,
        }
    }

    /// Decode more input into `output`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        self.output.clear();
        self.taken = 0;
        while self.output.is_empty() {
            if self.done {
                return Ok(false);
            }
            if self.start == self.end {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
            }
            let last = self.end == 0;
            let cap = self
                .decoder
                .max_utf8_buffer_length(self.end - self.start)
                .unwrap_or(1 << 20);
            self.output.resize(cap.max(16), 0);
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                last,
            );
            self.start += read;
            self.output.truncate(written);
            if last && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.taken == self.output.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.output.len() - self.taken);
        buf[..n].copy_from_slice(&self.output[self.taken..self.taken + n]);
        self.taken += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], label: &str) -> String {
        let mut d = Dialect::default();
        d.set_encoding(label).unwrap();
        let mut out = String::new();
        d.decode(std::io::Cursor::new(bytes.to_vec()))
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn encodings_decode_to_utf8() {
        assert_eq!(decoded(b"caf\xe9,\x80\n", "windows-1252"), "café,€\n");
        assert_eq!(decoded(b"caf\xe9\n", "latin1"), "café\n");
        // A UTF-16 byte order mark wins over the label.
        assert_eq!(decoded(b"\xff\xfea\x00,\x00b\x00", "latin1"), "a,b");
        // Longer than one buffer, split mid-way.
        let long = vec![0xe9u8; 200_000];
        assert_eq!(decoded(&long, "latin1").chars().count(), 200_000);
    }

    #[test]
    fn options_follow_a_hash() {
        let (p, o) =
            split_options("old.csv#encoding=latin1&header=no&quote='&delimiter=;").unwrap();
        assert_eq!(p, "old.csv");
        let d = &o.dialect;
        assert_eq!(d.encoding, Some(encoding_rs::WINDOWS_1252));
        assert_eq!(d.names(2).unwrap(), ["column_1", "column_2"]);
        assert_eq!(d.quote, Some(b'\''));
        assert_eq!(o.delimiter, Some(';'));
        let (_, o) = split_options("x.csv#columns=a,b&sha256=00").unwrap();
        assert_eq!(o.dialect.names(3).unwrap(), ["a", "b", "column_3"]);
        assert_eq!(o.rest, ["sha256=00"]);
        let (p, o) = split_options("x.csv#quote=#").unwrap();
        assert_eq!((p, o.dialect.quote), ("x.csv", Some(b'#')));
        assert!(split_options("x.csv#columns=a&header=yes").is_err());
        assert!(split_options("x.csv#columns=").is_err());
        assert!(split_options("x.csv#encoding=klingon").is_err());
        assert!(split_options("x.csv#delimiter=ab").is_err());
        let (p, o) = split_options("x.csv").unwrap();
        assert_eq!(p, "x.csv");
        assert!(o.dialect.is_default());
    }
}
