//! The bundle (`model.tandem`): the one file ml_app hands to every user app.
//!
//! A bundle is data only: JSON documents and model graphs, each checksummed. Loading one
//! parses and verifies bytes; it can never execute code. See `docs/bundle-format.md`.

mod digests;
mod format;
mod json_scan;
mod keys;
pub mod limits;
mod metadata;
pub mod signature;

pub use digests::Digests;
pub use format::{FORMAT_VERSION, MAGIC, Manifest, PartEntry, hex, sha256_hex};
pub use keys::{KeyError, PublicKey, SigningKey};
pub use limits::{Limit, Limits};
pub use metadata::{Evaluation, Metadata, ModelInfo, TargetScaling};

use crate::error::BundleError;
use crate::explain::Background;
use crate::prep::Preprocessor;
use crate::schema::Schema;

/// Part names inside a bundle.
pub mod parts {
    /// The input schema and label ([`crate::Schema`]), JSON.
    pub const SCHEMA: &str = "schema.json";
    /// The fitted preprocessing ([`crate::Preprocessor`]), JSON.
    pub const PREPROCESSING: &str = "preprocessing.json";
    /// Run id, metrics, feature names, model I/O names ([`super::Metadata`]), JSON.
    pub const METADATA: &str = "metadata.json";
    /// The network as ONNX (opset 18), for interop (onnxruntime, MLflow's onnx flavor).
    pub const ONNX: &str = "model.onnx";
    /// The same network as an NNEF tar, what the tract runtime loads.
    pub const NNEF: &str = "model.nnef.tar";
    /// The network's weights for the compact dense kernel (optional).
    pub const DENSE: &str = "model.dense";
    /// Raw training rows that explanations are computed against
    /// ([`crate::explain::Background`], optional), JSON.
    pub const BACKGROUND: &str = "background.json";
    /// The training data's per-field profile for drift checks ([`crate::drift::Reference`],
    /// optional), JSON; kept as bytes until a drift check reads it.
    pub const REFERENCE: &str = "reference.json";
    /// An Ed25519 signature of the manifest (optional; `signature` module), JSON.
    pub const SIGNATURE: &str = "signature.json";
}

/// A decoded bundle: every part verified and parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The input schema and label.
    pub schema: Schema,
    /// The fitted preprocessing.
    pub preprocessing: Preprocessor,
    /// Run id, metrics, model description.
    pub metadata: Metadata,
    /// ONNX model bytes.
    pub onnx: Vec<u8>,
    /// NNEF tar bytes.
    pub nnef: Vec<u8>,
    /// The network's weights for the compact dense kernel (`runtime::DenseNet`); absent in
    /// bundles written before it existed, which then need the tract engine.
    pub dense: Option<Vec<u8>>,
    /// The background sample for explanations; absent in bundles written before it existed
    /// or trained with `background = 0`.
    pub background: Option<Background>,
    /// The training profile for drift checks (`reference.json`), unparsed: only `tandem drift`
    /// and `tandem serve`'s `/metrics` read it ([`Bundle::reference`]).
    pub reference: Option<Vec<u8>>,
}

fn json_part<T: serde::Serialize>(name: &str, value: &T) -> Result<Vec<u8>, BundleError> {
    serde_json::to_vec_pretty(value).map_err(|e| BundleError::Invalid {
        part: name.into(),
        reason: e.to_string(),
    })
}

fn parse_part<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<T, BundleError> {
    json_scan::check(bytes, limits, name)?;
    serde_json::from_slice(bytes).map_err(|e| BundleError::Invalid {
        part: name.into(),
        reason: e.to_string(),
    })
}

/// A JSON part read through the crate's tree decoder ([`crate::json`]) rather than serde.
pub(crate) fn read_part<T: crate::json::FromJson>(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<T, BundleError> {
    json_scan::check(bytes, limits, name)?;
    crate::json::decode::from_slice(bytes).map_err(|reason| BundleError::Invalid {
        part: name.into(),
        reason,
    })
}

impl Bundle {
    /// Encode to the bundle file format.
    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        let mut parts: Vec<(&str, &str, Vec<u8>)> = vec![
            (
                parts::SCHEMA,
                "application/json",
                json_part(parts::SCHEMA, &self.schema)?,
            ),
            (
                parts::PREPROCESSING,
                "application/json",
                json_part(parts::PREPROCESSING, &self.preprocessing)?,
            ),
            (
                parts::METADATA,
                "application/json",
                json_part(parts::METADATA, &self.metadata)?,
            ),
            (parts::ONNX, "application/onnx", self.onnx.clone()),
            (parts::NNEF, "application/x-tar", self.nnef.clone()),
        ];
        if let Some(dense) = &self.dense {
            parts.push((parts::DENSE, "application/x-tandem-dense", dense.clone()));
        }
        if let Some(reference) = &self.reference {
            parts.push((parts::REFERENCE, "application/json", reference.clone()));
        }
        if let Some(background) = &self.background {
            parts.push((
                parts::BACKGROUND,
                "application/json",
                json_part(parts::BACKGROUND, background)?,
            ));
        }
        format::encode(
            &self.metadata.tandem_version,
            &self.metadata.created,
            &parts,
        )
    }

    /// Encode arbitrary parts (name, media type, bytes) with fresh checksums: what a bundle
    /// writer, honest or not, can produce. For tests and fuzzing of the loader's limits.
    #[doc(hidden)]
    pub fn encode_parts(
        tandem_version: &str,
        created: &str,
        parts: &[(&str, &str, Vec<u8>)],
    ) -> Result<Vec<u8>, BundleError> {
        format::encode(tandem_version, created, parts)
    }

    /// Decode and verify a bundle file under the default [`Limits`]: magic, version, every
    /// checksum, every JSON part.
    pub fn from_bytes(bytes: &[u8]) -> Result<Bundle, BundleError> {
        Self::from_bytes_with(bytes, &Limits::default())
    }

    /// Decode and verify a bundle file under `limits` (sizes, part count, JSON depth and
    /// string lengths are checked before the parts are copied or parsed).
    pub fn from_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Bundle, BundleError> {
        Self::from_decoded(&format::decode(bytes, limits)?, limits)
    }

    /// What [`crate::Model::load_options`] runs: decode and verify under `limits`, taking
    /// digests the caller computed from `digests`, then (with `key`) check the signature
    /// against that key before any part is parsed. One pass over the bytes.
    pub(crate) fn from_bytes_verified(
        bytes: &[u8],
        limits: &Limits,
        digests: &Digests,
        key: Option<&PublicKey>,
    ) -> Result<Bundle, BundleError> {
        let decoded = format::decode_with(bytes, limits, digests)?;
        if let Some(key) = key {
            signature::verify_decoded(&decoded, key)?;
        }
        Self::from_decoded(&decoded, limits)
    }

    /// The parts of a decoded (verified) file, parsed under `limits`.
    fn from_decoded(decoded: &format::Decoded<'_>, limits: &Limits) -> Result<Bundle, BundleError> {
        let get = |name: &str| {
            decoded
                .part(name)
                .ok_or_else(|| BundleError::MissingPart { part: name.into() })
        };
        let bundle = Bundle {
            schema: read_part(parts::SCHEMA, get(parts::SCHEMA)?, limits)?,
            preprocessing: read_part(parts::PREPROCESSING, get(parts::PREPROCESSING)?, limits)?,
            metadata: read_part(parts::METADATA, get(parts::METADATA)?, limits)?,
            onnx: get(parts::ONNX)?.to_vec(),
            nnef: get(parts::NNEF)?.to_vec(),
            dense: decoded.part(parts::DENSE).map(<[u8]>::to_vec),
            background: decoded
                .part(parts::BACKGROUND)
                .map(|b| read_part(parts::BACKGROUND, b, limits))
                .transpose()?,
            reference: decoded.part(parts::REFERENCE).map(<[u8]>::to_vec),
        };
        bundle.schema.validate().map_err(|e| BundleError::Invalid {
            part: parts::SCHEMA.into(),
            reason: e.to_string(),
        })?;
        Ok(bundle)
    }

    /// The training profile for drift checks, parsed under `limits` and checked (`None`: the
    /// bundle has none, trained before it existed; `BUNDLE_INVALID` for one that does not
    /// hold together).
    pub fn reference(
        &self,
        limits: &Limits,
    ) -> Result<Option<crate::drift::Reference>, BundleError> {
        let Some(bytes) = self.reference.as_deref() else {
            return Ok(None);
        };
        let reference: crate::drift::Reference = parse_part(parts::REFERENCE, bytes, limits)?;
        reference.check().map_err(|reason| BundleError::Invalid {
            part: parts::REFERENCE.into(),
            reason,
        })?;
        Ok(Some(reference))
    }

    /// Encode a training profile as the `reference.json` part.
    pub fn reference_part(reference: &crate::drift::Reference) -> Result<Vec<u8>, BundleError> {
        json_part(parts::REFERENCE, reference)
    }

    /// The manifest of an encoded bundle (parts, sizes, checksums), verified under the
    /// default limits.
    pub fn manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
        Self::manifest_with(bytes, &Limits::default())
    }

    /// [`Bundle::manifest`] under `limits` (raised ones: `--bundle-limit`).
    pub fn manifest_with(bytes: &[u8], limits: &Limits) -> Result<Manifest, BundleError> {
        Ok(format::decode(bytes, limits)?.manifest)
    }
}
