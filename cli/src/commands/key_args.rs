//! `--public-key` (every command that loads a bundle) and `--sign-key` (`tandem train`):
//! reading key files into the core's key types, with errors that name the file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use tandem_core::bundle::{PublicKey, SigningKey};
use tandem_core::runtime::LoadOptions;

/// The key formats a key file may hold, for `--help`.
pub const FORMATS: &str = "a PEM file (`openssl genpkey -algorithm ed25519` / `openssl pkey \
     -pubout`, `tandem keys new`) or base64 of the raw 32 bytes";

/// `--public-key`: the key a bundle must be signed with.
#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
    /// Refuse a bundle that is not signed with this Ed25519 public key (`BUNDLE_UNSIGNED`,
    /// `BUNDLE_SIGNATURE`): an SPKI PEM file (`tandem keys new`, `openssl pkey -pubout`) or
    /// base64 of the raw 32 bytes. Also read from `TANDEM_PUBLIC_KEY`.
    #[arg(long, value_name = "FILE", env = "TANDEM_PUBLIC_KEY")]
    pub public_key: Option<PathBuf>,
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))?;
    String::from_utf8(bytes)
        .with_context(|| format!("{what} {} is not text ({FORMATS})", path.display()))
}

/// Read a public key file.
pub fn public_key(path: &Path) -> Result<PublicKey> {
    let text = read_text(path, "public key")?;
    PublicKey::parse(&text).with_context(|| format!("invalid public key {}", path.display()))
}

/// Read a private key file.
pub fn signing_key(path: &Path) -> Result<SigningKey> {
    let text = read_text(path, "private key")?;
    SigningKey::parse(&text).with_context(|| format!("invalid private key {}", path.display()))
}

impl KeyArgs {
    /// `base` (the limits `--bundle-limit` set) with the key these flags pin.
    pub fn load_options(&self, base: LoadOptions) -> Result<LoadOptions> {
        let mut options = base;
        if let Some(path) = &self.public_key {
            options.public_key = Some(public_key(path)?);
        }
        Ok(options)
    }
}
