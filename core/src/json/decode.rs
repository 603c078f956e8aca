//! Reading a [`Json`] tree into typed values: [`FromJson`], implemented next to each type a
//! bundle's JSON parts hold, and [`Obj`], an object's members by key.
//!
//! The rules are those of the serde derives that write the same types (so a part written by
//! `serde_json` reads back equal, tested per type): unknown keys are ignored, a missing key is
//! an error unless the field has a default, `null` is `None`. A number is rounded once, by
//! `str::parse`, and one outside a type's range is an error, never a saturated value.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use super::Json;

/// Why a tree does not read as a type: where, as a path from the root, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// From the innermost segment out (pushed while the error travels up).
    path: Vec<Segment>,
    reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl DecodeError {
    /// An error at the value being read.
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            reason: reason.into(),
        }
    }

    /// The value was of the wrong kind.
    pub(crate) fn expected(what: &str, found: &Json<'_>) -> Self {
        Self::new(format!("expected {what}, found {}", found.kind()))
    }

    fn at_key(mut self, key: &str) -> Self {
        self.path.push(Segment::Key(key.to_string()));
        self
    }

    fn at_index(mut self, index: usize) -> Self {
        self.path.push(Segment::Index(index));
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.path.iter().rev().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        if !self.path.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.reason)
    }
}

/// A type read from a JSON tree.
pub(crate) trait FromJson: Sized {
    /// Read `value`.
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError>;
}

/// An object's members, read by key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'j, 'a> {
    members: &'j [(Cow<'a, str>, Json<'a>)],
}

impl<'j, 'a> Obj<'j, 'a> {
    /// `value` as an object.
    pub(crate) fn of(value: &'j Json<'a>) -> Result<Self, DecodeError> {
        match value {
            Json::Object(members) => Ok(Obj { members }),
            other => Err(DecodeError::expected("an object", other)),
        }
    }

    fn get(&self, key: &str) -> Option<&'j Json<'a>> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The member `key`, which must be there.
    pub(crate) fn req<T: FromJson>(&self, key: &str) -> Result<T, DecodeError> {
        match self.get(key) {
            Some(v) => T::from_json(v).map_err(|e| e.at_key(key)),
            None => Err(DecodeError::new(format!("missing field `{key}`"))),
        }
    }

    /// The member `key`; absent or `null` is `None`.
    pub(crate) fn opt<T: FromJson>(&self, key: &str) -> Result<Option<T>, DecodeError> {
        match self.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => T::from_json(v).map(Some).map_err(|e| e.at_key(key)),
        }
    }

    /// The member `key`, or the type's default when absent or `null`.
    pub(crate) fn or_default<T: FromJson + Default>(&self, key: &str) -> Result<T, DecodeError> {
        Ok(self.opt(key)?.unwrap_or_default())
    }

    /// The variant an internally tagged enum names in `key`, one of `variants`.
    pub(crate) fn tag(
        &self,
        key: &str,
        variants: &[&'static str],
    ) -> Result<&'static str, DecodeError> {
        let name = match self.get(key) {
            Some(Json::Str(s)) => s,
            Some(other) => return Err(DecodeError::expected("a string", other).at_key(key)),
            None => return Err(DecodeError::new(format!("missing field `{key}`"))),
        };
        variants
            .iter()
            .find(|v| **v == name.as_ref())
            .copied()
            .ok_or_else(|| unknown_variant(name, variants).at_key(key))
    }
}

/// `name` is none of `variants`.
pub(crate) fn unknown_variant(name: &str, variants: &[&str]) -> DecodeError {
    DecodeError::new(format!(
        "unknown variant `{name}`, expected one of {}",
        variants
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A unit variant written as a bare string (`"year"`): the value `choices` pairs with it.
pub(crate) fn unit_variant<T: Copy>(
    value: &Json<'_>,
    choices: &[(&'static str, T)],
) -> Result<T, DecodeError> {
    let Json::Str(name) = value else {
        return Err(DecodeError::expected("a string", value));
    };
    match choices.iter().find(|(n, _)| *n == name.as_ref()) {
        Some((_, v)) => Ok(*v),
        None => Err(unknown_variant(
            name,
            &choices.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        )),
    }
}

impl FromJson for String {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        match value {
            Json::Str(s) => Ok(s.to_string()),
            other => Err(DecodeError::expected("a string", other)),
        }
    }
}

impl FromJson for char {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let s = String::from_json(value)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(DecodeError::new(format!(
                "expected a single character, found {s:?}"
            ))),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        match value {
            Json::Bool(b) => Ok(*b),
            other => Err(DecodeError::expected("a boolean", other)),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let Json::Number(text) = value else {
            return Err(DecodeError::expected("a number", value));
        };
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(DecodeError::new(format!("number {text} out of range"))),
        }
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let Json::Number(text) = value else {
            return Err(DecodeError::expected("an unsigned integer", value));
        };
        text.parse::<u64>()
            .map_err(|_| DecodeError::new(format!("expected an unsigned integer, found {text}")))
    }
}

impl FromJson for usize {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let n = u64::from_json(value)?;
        usize::try_from(n).map_err(|_| DecodeError::new(format!("number {n} out of range")))
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let n = u64::from_json(value)?;
        u32::try_from(n).map_err(|_| DecodeError::new(format!("number {n} out of range")))
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let Json::Array(items) = value else {
            return Err(DecodeError::expected("an array", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| T::from_json(v).map_err(|e| e.at_index(i)))
            .collect()
    }
}

impl<T: FromJson, const N: usize> FromJson for [T; N] {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let items = Vec::<T>::from_json(value)?;
        let len = items.len();
        items
            .try_into()
            .map_err(|_| DecodeError::new(format!("expected an array of {N}, found {len} items")))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        match value {
            Json::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let Json::Object(members) = value else {
            return Err(DecodeError::expected("an object", value));
        };
        members
            .iter()
            .map(|(k, v)| Ok((k.to_string(), T::from_json(v).map_err(|e| e.at_key(k))?)))
            .collect()
    }
}

/// Read `bytes` as a JSON document of type `T`; the error says where (`at byte N`, or a
/// path) and why.
pub(crate) fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T, String> {
    let tree = super::parse(bytes).map_err(|e| e.to_string())?;
    T::from_json(&tree).map_err(|e| e.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Point {
        x: f64,
        tags: Vec<String>,
        seed: u64,
        n: Option<usize>,
        on: bool,
    }

    impl FromJson for Point {
        fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
            let o = Obj::of(value)?;
            Ok(Point {
                x: o.req("x")?,
                tags: o.or_default("tags")?,
                seed: o.req("seed")?,
                n: o.opt("n")?,
                on: o.or_default("on")?,
            })
        }
    }

    fn read(s: &str) -> Result<Vec<Point>, String> {
        from_slice(s.as_bytes())
    }

    #[test]
    fn members_read_by_key_with_defaults_and_unknown_keys_ignored() {
        let got =
            read(r#"[{"x": 0.1, "seed": 18446744073709551615, "extra": [1], "n": null}]"#).unwrap();
        assert_eq!(
            got,
            vec![Point {
                x: 0.1,
                tags: vec![],
                seed: u64::MAX,
                n: None,
                on: false
            }]
        );
    }

    #[test]
    fn numbers_round_once_as_serde_json_float_roundtrip_does() {
        for text in [
            "0.1",
            "1e-320",
            "2.2250738585072014e-308",
            "0.30000000000000004",
            "-0",
        ] {
            let ours = f64::from_json(&Json::Number(text)).unwrap();
            let theirs: f64 = serde_json::from_str(text).unwrap();
            assert_eq!(ours.to_bits(), theirs.to_bits(), "{text}");
        }
    }

    #[test]
    fn errors_name_the_path_and_the_reason() {
        let e = read(r#"[{"x": 1, "seed": 1}, {"x": "1", "seed": 1}]"#).unwrap_err();
        assert_eq!(e, "[1].x: expected a number, found a string");
        let e = read(r#"[{"x": 1}]"#).unwrap_err();
        assert_eq!(e, "[0]: missing field `seed`");
        let e = read(r#"[{"x": 1, "seed": -1}]"#).unwrap_err();
        assert_eq!(e, "[0].seed: expected an unsigned integer, found -1");
        let e = read(r#"[{"x": 1, "seed": 1.5}]"#).unwrap_err();
        assert_eq!(e, "[0].seed: expected an unsigned integer, found 1.5");
        let e = read(r#"[{"x": 1e999, "seed": 1}]"#).unwrap_err();
        assert_eq!(e, "[0].x: number 1e999 out of range");
        let e = read(r#"[{"x": 1, "seed": 1, "tags": ["a", 2]}]"#).unwrap_err();
        assert_eq!(e, "[0].tags[1]: expected a string, found a number");
        let e = read(r#"[{"x": 1 "#).unwrap_err();
        assert_eq!(e, "expected `,` or `}` at byte 9");
        let e = u32::from_json(&Json::Number("4294967296")).unwrap_err();
        assert_eq!(e.to_string(), "number 4294967296 out of range");
        let e = <[f64; 2]>::from_json(&super::super::parse(b"[1]").unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "expected an array of 2, found 1 items");
    }

    #[test]
    fn tags_and_unit_variants_name_the_choices() {
        let tree = super::super::parse(br#"{"kind": "cubic"}"#).unwrap();
        let e = Obj::of(&tree)
            .unwrap()
            .tag("kind", &["none", "standard"])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "kind: unknown variant `cubic`, expected one of `none`, `standard`"
        );
        let e = unit_variant(&Json::Bool(true), &[("a", 1)]).unwrap_err();
        assert_eq!(e.to_string(), "expected a string, found a boolean");
        let e = unit_variant(&Json::Str("c".into()), &[("a", 1), ("b", 2)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variant `c`, expected one of `a`, `b`"
        );
        assert_eq!(
            unit_variant(&Json::Str("b".into()), &[("a", 1), ("b", 2)]).unwrap(),
            2
        );
        assert_eq!(char::from_json(&Json::Str(",".into())).unwrap(), ',');
        assert!(char::from_json(&Json::Str(",,".into())).is_err());
    }
}
