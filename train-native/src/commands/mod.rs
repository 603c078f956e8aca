//! One module per subcommand.

pub mod init;
pub mod inspect;
pub mod predict;
pub mod schema;
pub mod serve;
pub mod train;
pub mod validate;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// Describe a core error with its stable code: `[BUNDLE_CHECKSUM] checksum mismatch in ...`.
pub fn core_error(e: &tandem_core::Error) -> anyhow::Error {
    anyhow!("[{}] {e}", e.code())
}

/// Resolve `--model`: a bundle path, a run folder, or `runs:/<run_id>` in `runs_dir`.
pub fn resolve_model(model: &str, runs_dir: &Path) -> Result<PathBuf> {
    if let Some(id) = model.strip_prefix("runs:/") {
        let id = id.trim_end_matches('/');
        let id = id.strip_suffix("/model.tandem").unwrap_or(id);
        if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("malformed model URI `{model}`: expected runs:/<32-hex run id>");
        }
        let path = runs_dir.join(id).join("model.tandem");
        if !path.is_file() {
            bail!("unknown run id {id}: no {} ", path.display());
        }
        return Ok(path);
    }
    let path = PathBuf::from(model);
    if path.is_dir() {
        return Ok(path.join("model.tandem"));
    }
    Ok(path)
}

/// Read and load a bundle, with errors that say which file and why.
pub fn load_model(path: &Path) -> Result<tandem_core::Model> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
    tandem_core::Model::load(&bytes)
        .map_err(|e| core_error(&e))
        .with_context(|| format!("cannot load model {}", path.display()))
}
