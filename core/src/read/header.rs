//! Header names: empty and duplicate names are errors that give their column number, and a
//! pandas index column (written by `to_csv()` without `index=False`) is recognised.

use std::collections::HashMap;

use super::ReadError;

/// Whether a header name is empty, or pandas' placeholder for an empty one (`Unnamed: 3`).
pub fn is_unnamed(name: &str) -> bool {
    let name = name.trim();
    name.is_empty()
        || name
            .strip_prefix("Unnamed: ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a first column is a pandas index: no name (or `Unnamed: 0`), and every cell a
/// distinct whole number from 0 (a `RangeIndex`, possibly shuffled or filtered).
pub fn is_pandas_index<'a>(name: &str, mut cells: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = std::collections::HashSet::new();
    matches!(name.trim(), "" | "Unnamed: 0")
        && cells.all(|c| c.trim().parse::<u64>().is_ok_and(|v| seen.insert(v)))
        && !seen.is_empty()
}

/// Every name present and unique: the rule for a table that is inferred or trained on.
pub fn check_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), ReadError> {
    let names: Vec<&str> = names.into_iter().collect();
    if let Some(i) = names.iter().position(|n| is_unnamed(n)) {
        return Err(ReadError::EmptyHeader {
            column: i + 1,
            name: names[i].trim().to_string(),
        });
    }
    check_wanted(names, |_| true)
}

/// The names `wanted` (a schema's fields) unique: the rule for a file read against a
/// schema, where other columns are ignored.
pub fn check_wanted<'a>(
    names: impl IntoIterator<Item = &'a str>,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), ReadError> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, name) in names.into_iter().enumerate() {
        let name = name.trim();
        if !wanted(name) {
            continue;
        }
        if let Some(&f) = first.get(name) {
            return Err(duplicate(name, i, f));
        }
        first.insert(name, i + 1);
    }
    Ok(())
}

fn duplicate(name: &str, i: usize, first: usize) -> ReadError {
    ReadError::DuplicateHeader {
        name: name.to_string(),
        column: i + 1,
        first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_duplicate_names_give_their_column_number() {
        let e = check_names(["a", "", "b"]).unwrap_err();
        assert_eq!((e.code(), e.column()), ("EMPTY_HEADER", Some(2)));
        let e = check_names(["a", "b", "Unnamed: 2"]).unwrap_err();
        assert_eq!((e.code(), e.column()), ("EMPTY_HEADER", Some(3)));
        let e = check_names(["a", "b", " a "]).unwrap_err();
        assert_eq!((e.code(), e.column()), ("DUPLICATE_HEADER", Some(3)));
        assert!(e.to_string().contains("as column 1"), "{e}");
        assert!(check_names(["a", "b"]).is_ok());
    }

    #[test]
    fn an_unnamed_first_column_gets_the_pandas_index_hint() {
        let e = check_names(["", "a"]).unwrap_err();
        assert!(e.to_string().contains("pandas index"), "{e}");
        let e = check_names(["a", ""]).unwrap_err();
        assert!(!e.to_string().contains("pandas"), "{e}");
    }

    #[test]
    fn a_pandas_index_is_an_unnamed_column_of_distinct_whole_numbers() {
        assert!(is_pandas_index("", ["0", "1", "2"].into_iter()));
        assert!(is_pandas_index("Unnamed: 0", ["7", "3"].into_iter()));
        assert!(!is_pandas_index("id", ["0", "1"].into_iter()));
        assert!(!is_pandas_index("", ["0", "0"].into_iter()));
        assert!(!is_pandas_index("", ["a", "1"].into_iter()));
    }

    #[test]
    fn only_wanted_names_must_be_unique_against_a_schema() {
        assert!(check_wanted(["x", "x", "a"], |n| n == "a").is_ok());
        let e = check_wanted(["a", "x", "a"], |n| n == "a").unwrap_err();
        assert_eq!(e.column(), Some(3));
    }
}
