//! One module per subcommand.

pub mod init;
pub mod inspect;
pub mod models;
pub mod predict;
pub mod runs;
pub mod schema;
pub mod serve;
pub mod train;
pub mod validate;

use anyhow::{Context, Result, anyhow};

use crate::tracking::StoreArgs;
use crate::tracking::uri::{ModelUri, Resolved};

/// Describe a core error with its stable code: `[BUNDLE_CHECKSUM] checksum mismatch in ...`.
pub fn core_error(e: &tandem_core::Error) -> anyhow::Error {
    anyhow!("[{}] {e}", e.code())
}

/// Resolve `--model` (a path, `runs:/...` or `models:/...`) to the bundle's bytes.
pub fn fetch_model(model: &str, stores: &StoreArgs) -> Result<Resolved> {
    ModelUri::parse(model)?.resolve(stores)
}

/// Resolve `--model` and load the bundle, with errors that say which model and why.
pub fn load_model(model: &str, stores: &StoreArgs) -> Result<(tandem_core::Model, String)> {
    let found = fetch_model(model, stores)?;
    let m = tandem_core::Model::load(&found.bytes)
        .map_err(|e| core_error(&e))
        .with_context(|| format!("cannot load model {}", found.source))?;
    Ok((m, found.source))
}
