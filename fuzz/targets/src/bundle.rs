//! The bundle targets: the loader on arbitrary bytes, the loader on parts re-encoded with
//! valid checksums, and an NNEF part through the loader's limits.

use serde_json::{Map, Value as Json, json};
use sha2::{Digest, Sha256};
use tandem_core::bundle::{FORMAT_VERSION, MAGIC, Manifest, PartEntry, parts, sha256_hex};
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::runtime::{EngineChoice, LoadOptions};
use tandem_core::schema::FieldType;
use tandem_core::{Bundle, Model};

/// The parts of a [`bundle_parts`] input, in order (the dense part and the two after it are
/// optional; they were appended, so older corpus inputs keep their meaning).
pub const PART_ORDER: [(&str, &str); 8] = [
    (parts::SCHEMA, "application/json"),
    (parts::PREPROCESSING, "application/json"),
    (parts::METADATA, "application/json"),
    (parts::ONNX, "application/onnx"),
    (parts::NNEF, "application/x-tar"),
    (parts::DENSE, "application/x-tandem-dense"),
    (parts::BACKGROUND, "application/json"),
    (parts::REFERENCE, "application/json"),
];

/// What separates the parts of a [`bundle_parts`] input (no JSON, tar or dense weights of a
/// real bundle hold it).
pub const PART_SEPARATOR: &[u8] = b"\xffTANDEM-PART\xff";

/// `Model::load` on arbitrary bytes: header, manifest and checksums first.
pub fn bundle_load(data: &[u8]) {
    if let Ok(model) = Model::load(data) {
        exercise(&model);
    }
}

/// The input split at [`PART_SEPARATOR`] into the parts of [`PART_ORDER`] (fewer pieces: the
/// later parts are absent), encoded as a bundle with valid checksums and loaded, so fuzzed
/// content reaches the JSON parts, the dense weights and (without a dense part) the NNEF
/// graph.
pub fn bundle_parts(data: &[u8]) {
    let pieces = split(data, PART_SEPARATOR);
    let named: Vec<(&str, &str, &[u8])> = PART_ORDER
        .iter()
        .zip(pieces)
        .map(|(&(name, media), bytes)| (name, media, bytes))
        .collect();
    let bytes = encode(&named);
    if let Ok(model) = Model::load(&bytes) {
        exercise(&model);
        drift(&model, &bytes);
    }
}

/// The bundle's drift profile (if it reads and checks) against its own background rows.
fn drift(model: &Model, bytes: &[u8]) {
    let Ok(bundle) = Bundle::from_bytes(bytes) else {
        return;
    };
    if let Ok(Some(reference)) = bundle.reference(&tandem_core::bundle::Limits::default()) {
        let _ = reference.compare(model.schema(), model.background());
    }
}

/// A real bundle (the `nodes` spec) with the input as its `model.nnef.tar` and no dense
/// part, loaded with the tract engine: the NNEF graph through the loader's limits.
pub fn nnef_limits(data: &[u8]) {
    let Ok(real) = Bundle::from_bytes(crate::bundles::NODES) else {
        return;
    };
    let Ok(bytes) = (Bundle {
        nnef: data.to_vec(),
        dense: None,
        ..real
    })
    .to_bytes() else {
        return;
    };
    if let Ok(model) = Model::load_options(&bytes, &LoadOptions::with_engine(EngineChoice::Tract)) {
        exercise(&model);
    }
}

/// A real bundle's parts joined by [`PART_SEPARATOR`], in [`PART_ORDER`] up to the first
/// part it lacks: a [`bundle_parts`] seed.
pub fn join_parts(bundle: &[u8]) -> Option<Vec<u8>> {
    let manifest = Bundle::manifest(bundle).ok()?;
    let total: u64 = manifest.parts.iter().map(|p| p.length).sum();
    let start = bundle.len().checked_sub(usize::try_from(total).ok()?)?;
    let mut out = Vec::new();
    for (i, (name, _)) in PART_ORDER.iter().enumerate() {
        let Some(entry) = manifest.parts.iter().find(|p| p.name == *name) else {
            break;
        };
        if i > 0 {
            out.extend_from_slice(PART_SEPARATOR);
        }
        let at = start + usize::try_from(entry.offset).ok()?;
        let len = usize::try_from(entry.length).ok()?;
        out.extend_from_slice(bundle.get(at..at + len)?);
    }
    Some(out)
}

fn split<'a>(data: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(separator.len()).position(|w| w == separator) {
        out.push(&rest[..at]);
        rest = &rest[at + separator.len()..];
    }
    out.push(rest);
    out
}

/// The bundle file layout (`docs/bundle-format.md`), written here from the public types so
/// that any bytes can be a part.
fn encode(named: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut offset = 0u64;
    let entries = named
        .iter()
        .map(|(name, media_type, bytes)| {
            let entry = PartEntry {
                name: (*name).into(),
                media_type: (*media_type).into(),
                offset,
                length: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            };
            offset += bytes.len() as u64;
            entry
        })
        .collect();
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        tandem_version: tandem_core::VERSION.into(),
        created: "2026-01-01T00:00:00Z".into(),
        parts: entries,
    };
    let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(manifest.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&manifest);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    for (_, _, bytes) in named {
        out.extend_from_slice(bytes);
    }
    out
}

/// Predict with a loaded model: an instance with every field missing, and one with a
/// plausible value for every field, under each range policy.
pub(crate) fn exercise(model: &Model) {
    let mut plausible = Map::new();
    for field in &model.schema().fields {
        let value = match field.kind {
            FieldType::Number => json!(field.max.unwrap_or(1.5) * 2.0),
            FieldType::Integer => json!(field.min.unwrap_or(2.0).floor() - 1.0),
            FieldType::Boolean => json!(true),
            FieldType::Category => json!(
                field
                    .categories
                    .as_ref()
                    .and_then(|c| c.first().cloned())
                    .unwrap_or_else(|| "unseen".into())
            ),
            FieldType::Text => json!("Mr. Fuzz, 2024-02-29 13:45 good"),
        };
        plausible.insert(field.name.clone(), value);
    }
    for raw in [Json::Object(Map::new()), Json::Object(plausible)] {
        for range in [RangePolicy::Warn, RangePolicy::Clip, RangePolicy::Error] {
            let options = TransformOptions {
                strict_categories: range == RangePolicy::Error,
                range,
            };
            if let Ok(instance) = model.parse(&raw) {
                let _ = model.predict(&instance, options);
                let _ = model.warnings(&instance, options);
                // Kept cheap: a model asking for more is refused before any work.
                let explain = tandem_core::explain::ExplainOptions {
                    permutations: 2,
                    max_evaluations: 4096,
                    ..Default::default()
                };
                let _ = model.explain(&instance, options, &explain);
            }
        }
    }
}
