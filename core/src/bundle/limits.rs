//! What a bundle may ask of the loader: sizes, counts and depths, each checked before the
//! loader allocates or recurses for it.
//!
//! A bundle's checksums are written by whoever writes the bundle, so they prove nothing
//! against someone who means harm: a checksum-valid bundle can still declare a billion
//! parameters, a feature vector of 2^40 values or JSON nested ten thousand deep. Every such
//! quantity has a named limit here, with a default far above anything `tandem train` writes
//! (see `docs/bundle-format.md`), and a way to raise it: [`Limits::set`] by name, which the CLI
//! (`--bundle-limit name=value`), the npm package (`Model.load(src, { limits })`) and
//! [`crate::runtime::LoadOptions`] all use. An exceeded limit is a
//! [`BundleError::Limit`] (`BUNDLE_LIMIT`) naming the limit, the value found, the limit's
//! value, the part, and how to raise it.

use crate::error::BundleError;

/// One limit on what a bundle may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// Size of the whole bundle file, in bytes.
    BundleBytes,
    /// Number of parts in the manifest.
    Parts,
    /// Size of any one part, in bytes.
    PartBytes,
    /// Size of a JSON part (schema, preprocessing, metadata), in bytes.
    JsonBytes,
    /// Nesting depth of arrays and objects in a JSON part or the manifest.
    JsonDepth,
    /// Length of any one string in a JSON part (a category, a vocabulary term, a regex).
    StringBytes,
    /// Summed feature width of the preprocessing (values per row given to the network).
    FeatureWidth,
    /// Number of layers in `model.dense`.
    Layers,
    /// Number of parameters (weights and biases) in `model.dense`.
    Parameters,
    /// Number of entries in the `model.nnef.tar` archive.
    NnefEntries,
    /// Size of the NNEF graph text (`graph.nnef`), in bytes.
    NnefGraphBytes,
    /// Bracket nesting depth of the NNEF graph text.
    NnefNesting,
    /// Operator characters (`+ - * / ^ ! < > | &`) in the NNEF graph text: chains of them nest.
    NnefOperators,
    /// Statements (`;`) in the NNEF graph text: tract builds a graph in more than linear time.
    NnefStatements,
    /// Invocations of operations outside the set Tandem's graphs use (an opt-in to foreign
    /// graphs: 0 by default).
    NnefForeignOps,
    /// Size of one NNEF tensor (`.dat`), in bytes, as its header declares it.
    TensorBytes,
}

/// Number of limits.
const COUNT: usize = 16;

/// Every limit with its name and default, in declaration order (what each bounds: the
/// variants' docs and `docs/bundle-format.md`; kept out of this table so the wasm stays small).
const TABLE: [(Limit, &str, u64); COUNT] = [
    (Limit::BundleBytes, "bundle_bytes", 1 << 30),
    (Limit::Parts, "parts", 64),
    (Limit::PartBytes, "part_bytes", 1 << 29),
    (Limit::JsonBytes, "json_bytes", 1 << 27),
    (Limit::JsonDepth, "json_depth", 64),
    (Limit::StringBytes, "string_bytes", 1 << 20),
    (Limit::FeatureWidth, "feature_width", 1 << 24),
    (Limit::Layers, "layers", 64),
    (Limit::Parameters, "parameters", 1 << 26),
    (Limit::NnefEntries, "nnef_entries", 1024),
    (Limit::NnefGraphBytes, "nnef_graph_bytes", 1 << 18),
    (Limit::NnefNesting, "nnef_nesting", 4),
    (Limit::NnefOperators, "nnef_operators", 8),
    (Limit::NnefStatements, "nnef_statements", 512),
    (Limit::NnefForeignOps, "nnef_foreign_ops", 0),
    (Limit::TensorBytes, "tensor_bytes", 1 << 28),
];

impl Limit {
    /// Every limit, in the order of the documentation.
    pub fn all() -> impl Iterator<Item = Limit> {
        TABLE.iter().map(|row| row.0)
    }

    fn row(self) -> &'static (Limit, &'static str, u64) {
        // TABLE lists every variant in declaration order (checked by a test).
        &TABLE[self as usize]
    }

    /// The limit's name (`part_bytes`), the same in Rust, the CLI and JavaScript.
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The default value.
    pub fn default_value(self) -> u64 {
        self.row().2
    }

    /// The limit of this name.
    pub fn from_name(name: &str) -> Option<Limit> {
        TABLE.iter().find(|row| row.1 == name).map(|row| row.0)
    }
}

/// The limits a bundle is loaded under. `Limits::default()` is safe for untrusted bundles and
/// loads every bundle `tandem train` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    values: [u64; COUNT],
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            values: TABLE.map(|row| row.2),
        }
    }
}

impl Limits {
    /// The value of `limit`.
    pub fn get(&self, limit: Limit) -> u64 {
        self.values[limit as usize]
    }

    /// Set `limit` to `value`.
    pub fn set(&mut self, limit: Limit, value: u64) {
        self.values[limit as usize] = value;
    }

    /// Set the limit called `name`; an unknown name is an error listing the known ones.
    pub fn set_named(&mut self, name: &str, value: u64) -> Result<(), String> {
        let limit = Limit::from_name(name)
            .ok_or_else(|| format!("unknown bundle limit `{name}` (known: {})", names()))?;
        self.set(limit, value);
        Ok(())
    }

    /// Every limit's name and current value.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        Limit::all().map(|l| (l.name(), self.get(l)))
    }

    /// `Ok` when `found` is within `limit`, else a [`BundleError::Limit`] naming `part`.
    pub fn check(&self, limit: Limit, found: u64, part: &str) -> Result<(), BundleError> {
        let max = self.get(limit);
        if found <= max {
            return Ok(());
        }
        Err(BundleError::Limit {
            limit: limit.name(),
            found,
            max,
            part: part.to_string(),
        })
    }
}

/// The names of every limit, comma separated.
pub fn names() -> String {
    Limit::all().map(Limit::name).collect::<Vec<_>>().join(", ")
}

/// Parse `name=value` (the CLI's `--bundle-limit`); the value is a whole number.
pub fn parse_assignment(text: &str) -> Result<(Limit, u64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected name=value, found `{text}` (names: {})", names()))?;
    let limit = Limit::from_name(name.trim())
        .ok_or_else(|| format!("unknown bundle limit `{name}` (known: {})", names()))?;
    let value =
        value.trim().replace('_', "").parse::<u64>().map_err(|_| {
            format!("the value of `{name}` must be a whole number, found `{value}`")
        })?;
    Ok((limit, value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_limit_once_in_declaration_order() {
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.0 as usize, i, "{}", row.1);
            assert_eq!(Limit::from_name(row.1), Some(row.0));
        }
    }

    #[test]
    fn a_limit_is_set_by_name_and_an_unknown_name_lists_the_known_ones() {
        let mut l = Limits::default();
        l.set_named("json_depth", 3).unwrap();
        assert_eq!(l.get(Limit::JsonDepth), 3);
        let e = l.set_named("jsn_depth", 3).unwrap_err();
        assert!(e.contains("jsn_depth") && e.contains("json_depth"), "{e}");
        assert_eq!(
            parse_assignment("part_bytes=1_000").unwrap(),
            (Limit::PartBytes, 1000)
        );
        assert!(parse_assignment("part_bytes").is_err());
        assert!(parse_assignment("part_bytes=-1").is_err());
    }

    #[test]
    fn an_exceeded_limit_names_the_limit_the_values_the_part_and_the_way_to_raise_it() {
        let e = Limits::default()
            .check(Limit::Layers, 65, "model.dense")
            .unwrap_err();
        assert_eq!(e.code(), "BUNDLE_LIMIT");
        let m = e.to_string();
        for needle in [
            "layers",
            "65",
            "64",
            "model.dense",
            "--bundle-limit layers=",
        ] {
            assert!(m.contains(needle), "{needle} in {m}");
        }
    }
}
