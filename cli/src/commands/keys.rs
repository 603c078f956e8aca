//! `tandem keys`: Ed25519 key pairs for signed bundles. `new` writes a private key (mode
//! 0600) and its public key; `show` prints a key file's public key and fingerprint.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use tandem_core::bundle::{PublicKey, SigningKey};

use super::key_args;

/// Arguments of `tandem keys`.
#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new key pair: a PKCS#8 PEM private key (mode 0600, for `tandem train
    /// --sign-key`) and an SPKI PEM public key (for `--public-key`), as openssl writes them.
    #[command(after_help = crate::help::KEYS_NEW)]
    New {
        /// An existing folder (writes `tandem.key` and `tandem.pub` in it) or the private
        /// key's file name (the public key goes next to it, with the extension `.pub`).
        /// Existing files are never overwritten.
        #[arg(long, value_name = "DIR|FILE")]
        out: PathBuf,
    },
    /// Print the public key and fingerprint of a private or public key file: a PEM file
    /// (`openssl genpkey -algorithm ed25519` / `openssl pkey -pubout`, `tandem keys new`) or
    /// base64 of the raw 32 bytes.
    Show {
        /// The key file.
        file: PathBuf,
    },
}

/// Run `tandem keys`.
pub fn run(args: KeysArgs) -> Result<ExitCode> {
    match args.command {
        KeysCommand::New { out } => new(&out),
        KeysCommand::Show { file } => show(&file),
    }
}

/// The private and public key paths `--out` names.
fn paths(out: &Path) -> (PathBuf, PathBuf) {
    if out.is_dir() {
        (out.join("tandem.key"), out.join("tandem.pub"))
    } else {
        (out.to_path_buf(), out.with_extension("pub"))
    }
}

/// Create `path` (never over an existing file) with `text`; `private` files are 0600.
fn create(path: &Path, text: &str, private: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

fn new(out: &Path) -> Result<ExitCode> {
    let (private, public) = paths(out);
    if private == public {
        bail!(
            "--out {} would name both keys: give a file name without the .pub extension",
            out.display()
        );
    }
    for path in [&private, &public] {
        if path.exists() {
            bail!("{} exists: keys are never overwritten", path.display());
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    let key = SigningKey::from_seed(&seed);
    create(&private, &key.to_pem(), true)?;
    create(&public, &key.public_key().to_pem(), false)?;
    let fingerprint = key.public_key().fingerprint();
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "private key {} (keep it secret: it signs bundles)",
        private.display()
    )?;
    writeln!(
        stdout,
        "public key  {} (give it to whoever loads them)",
        public.display()
    )?;
    writeln!(stdout, "fingerprint {fingerprint}")?;
    Ok(ExitCode::SUCCESS)
}

fn show(file: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read key file {}", file.display()))?;
    let public = match PublicKey::parse(&text) {
        Ok(key) => key,
        Err(_) => key_args::signing_key(file)
            .with_context(|| {
                format!(
                    "{} is neither a public nor a private Ed25519 key",
                    file.display()
                )
            })?
            .public_key(),
    };
    let mut stdout = std::io::stdout();
    writeln!(stdout, "fingerprint {}", public.fingerprint())?;
    writeln!(stdout, "base64      {}", public.to_base64())?;
    write!(stdout, "{}", public.to_pem())?;
    Ok(ExitCode::SUCCESS)
}
