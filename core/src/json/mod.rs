//! JSON without serde's generic machinery: a lexer for looking at bytes before they are parsed
//! ([`lex`]), a small tree parser ([`parse`]) and the typed reading of a tree ([`decode`]).
//!
//! A bundle's fitted state is read with the last two. serde's derived deserialisers are
//! generic over the format and, for internally tagged enums with `flatten` (a preprocessing
//! node's `"node"`, a column's `"encode"`, a scale's `"kind"`), buffer every value and
//! monomorphise each variant twice; in the wasm module that was 170 KB of the 290 KB of code
//! V8 compiles on the way through the first `Model.load` (docs/NOTES.md). Reading a tree is a
//! few hundred bytes of plain code per type, and says where a value is wrong as a path
//! (`steps[2].encode: unknown variant ...`).

pub(crate) mod decode;
pub(crate) mod lex;
pub(crate) mod parse;

pub(crate) use decode::{DecodeError, FromJson, Obj};
pub(crate) use parse::{Json, parse};
