//! How a bundle is loaded: which engine runs it, and (issue 14) which limits its parts must
//! respect and which key must have signed it. One options value for every caller (CLI,
//! server, npm), so each path checks the same things.

use super::{EngineChoice, Model};
use crate::Error;
use crate::bundle::{Bundle, PublicKey};

/// Everything a caller can choose when loading a bundle. `LoadOptions::default()` is what
/// [`Model::load`] uses.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Which engine runs the network.
    pub engine: EngineChoice,
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
}

impl Model {
    /// Decode, verify and load a bundle file with the given options.
    pub fn load_options(bytes: &[u8], options: &LoadOptions) -> Result<Model, Error> {
        if let Some(key) = &options.public_key {
            crate::bundle::signature::verify(bytes, key)?;
        }
        Self::from_bundle(Bundle::from_bytes(bytes)?, options.engine)
    }
}
