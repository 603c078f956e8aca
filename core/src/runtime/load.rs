//! How a bundle is loaded: which engine runs it, which limits its parts must respect, and
//! (issue 14) which key must have signed it. One options value for every caller (CLI,
//! server, npm), so each path checks the same things.

use super::{EngineChoice, Model};
use crate::Error;
use crate::bundle::{Bundle, Digests, Limits, PublicKey};

/// Everything a caller can choose when loading a bundle. `LoadOptions::default()` is what
/// [`Model::load`] uses.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Which engine runs the network.
    pub engine: EngineChoice,
    /// What the bundle may ask for (sizes, counts, depths); the defaults are safe for
    /// untrusted bundles and load every bundle `tandem train` writes.
    pub limits: Limits,
    /// The key the bundle must be signed with (`BUNDLE_UNSIGNED` / `BUNDLE_SIGNATURE`
    /// otherwise); `None` loads signed and unsigned bundles alike.
    pub public_key: Option<PublicKey>,
    /// SHA-256 digests of ranges of the file the caller already computed (the npm layer, with
    /// WebCrypto): the loader compares every checksum, taking a range's digest from here when
    /// it has that exact range. Only digests of the very bytes being loaded belong here.
    pub digests: Digests,
}

impl LoadOptions {
    /// The defaults with the given engine.
    pub fn with_engine(engine: EngineChoice) -> LoadOptions {
        LoadOptions {
            engine,
            ..LoadOptions::default()
        }
    }

    /// These options with the given limits.
    pub fn limits(mut self, limits: Limits) -> LoadOptions {
        self.limits = limits;
        self
    }
}

impl Model {
    /// Decode, verify and load a bundle file with the given options: every limit is checked
    /// before the loader allocates for it (`BUNDLE_LIMIT`), and the signature against a
    /// pinned key before any part is parsed (`BUNDLE_UNSIGNED`, `BUNDLE_SIGNATURE`).
    pub fn load_options(bytes: &[u8], options: &LoadOptions) -> Result<Model, Error> {
        // With a pinned key, nothing from an unauthenticated file reaches a parser but the
        // manifest (which says what the signature covers).
        let bundle = Bundle::from_bytes_verified(
            bytes,
            &options.limits,
            &options.digests,
            options.public_key.as_ref(),
        )?;
        Self::from_bundle_with(bundle, options)
    }
}
