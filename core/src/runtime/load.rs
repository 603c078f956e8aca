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
        Self::load_digested(bytes, options, &Digests::default())
    }

    /// [`Model::load_options`] with SHA-256 digests of ranges of `bytes` the caller already
    /// computed (the npm layer, with WebCrypto): every checksum is still compared, a range's
    /// digest taken from `digests` when it has that exact range. Digests belong to one file:
    /// pass only digests computed from these very bytes, after the last change to them.
    pub fn load_digested(
        bytes: &[u8],
        options: &LoadOptions,
        digests: &Digests,
    ) -> Result<Model, Error> {
        // With a pinned key, nothing from an unauthenticated file reaches a parser but the
        // manifest (which says what the signature covers).
        let bundle = Bundle::from_bytes_verified(
            bytes,
            &options.limits,
            digests,
            options.public_key.as_ref(),
        )?;
        Self::from_bundle_with(bundle, options)
    }
}
