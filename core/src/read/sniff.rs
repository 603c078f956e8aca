//! What kind of text a file holds: a UTF-8 BOM to drop, JSON Lines or CSV, and which
//! delimiter the CSV uses.

use super::ReadError;
use super::options::DELIMITERS;

/// Bytes sniffing looks at: enough lines to see the pattern, never the whole file.
const SNIFF_BYTES: usize = 64 * 1024;
/// Records sniffing compares.
const SNIFF_RECORDS: usize = 50;

/// The bytes without a leading UTF-8 byte order mark (Excel writes one).
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether the text is JSON Lines: its first non-blank character opens an object (a CSV
/// header never does).
pub fn looks_like_jsonl(bytes: &[u8]) -> bool {
    strip_bom(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// The delimiter among `,` `;` tab `|` that splits the first records into the same number
/// of columns, the most columns on a tie; else the one that splits the header most; else `,`.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let sample = sample(bytes);
    let mut best: Option<(bool, usize, u8)> = None;
    for d in DELIMITERS {
        let d = d as u8;
        let counts = field_counts(sample, d);
        let Some(&first) = counts.first() else {
            continue;
        };
        let consistent = counts.iter().all(|&c| c == first);
        let key = (consistent, first, d);
        if first > 1 && best.is_none_or(|(c, n, _)| (consistent, first) > (c, n)) {
            best = Some(key);
        }
    }
    best.map_or(b',', |(_, _, d)| d)
}

/// The first [`SNIFF_BYTES`], cut after their last complete line.
fn sample(bytes: &[u8]) -> &[u8] {
    if bytes.len() <= SNIFF_BYTES {
        return bytes;
    }
    let head = &bytes[..SNIFF_BYTES];
    head.iter()
        .rposition(|&b| b == b'\n')
        .map_or(head, |end| &head[..end])
}

fn field_counts(sample: &[u8], delimiter: u8) -> Vec<usize> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(sample);
    rdr.records()
        .take(SNIFF_RECORDS)
        .map_while(Result::ok)
        .map(|r| r.len())
        .collect()
}

/// A header read as one column although it holds another delimiter: the error that says
/// which delimiter the file looks like it uses.
pub fn check_one_column(header: &csv::StringRecord, delimiter: u8) -> Result<(), ReadError> {
    let [name] = header.iter().collect::<Vec<_>>()[..] else {
        return Ok(());
    };
    let suggested = DELIMITERS
        .iter()
        .copied()
        .filter(|&d| d as u8 != delimiter)
        .max_by_key(|&d| name.matches(d).count())
        .filter(|&d| name.contains(d));
    match suggested {
        Some(suggested) => Err(ReadError::OneColumn {
            header: name.chars().take(60).collect(),
            delimiter: char::from(delimiter),
            suggested,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_finds_each_delimiter_despite_quoted_commas() {
        let semi = b"name;age;fare\n\"Allen, Miss\";29;211,3\n\"Bird, Ellen\";30;7,5\n";
        assert_eq!(sniff_delimiter(semi), b';');
        let tab = b"a\tb\tc\n1,5\t2\t3\n";
        assert_eq!(sniff_delimiter(tab), b'\t');
        let pipe = b"a|b\n1|2\n";
        assert_eq!(sniff_delimiter(pipe), b'|');
        let comma = b"name,age\n\"Allen; Miss\",29\n";
        assert_eq!(sniff_delimiter(comma), b',');
        assert_eq!(sniff_delimiter(b"only\n1\n2\n"), b',');
    }

    #[test]
    fn a_one_column_header_holding_a_delimiter_suggests_it() {
        let header = csv::StringRecord::from(vec!["name;age;fare"]);
        let e = check_one_column(&header, b',').unwrap_err();
        assert_eq!(e.code(), "ONE_COLUMN");
        assert!(e.to_string().contains("--delimiter ';'"), "{e}");
        let single = csv::StringRecord::from(vec!["age"]);
        assert!(check_one_column(&single, b',').is_ok());
    }

    #[test]
    fn a_bom_is_dropped_and_json_lines_are_recognised() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa,b"), b"a,b");
        assert!(looks_like_jsonl(b"\xEF\xBB\xBF\n {\"a\": 1}\n"));
        assert!(!looks_like_jsonl(b"a,b\n1,2\n"));
    }
}
