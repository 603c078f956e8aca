//! The signing step of training (issue 14): the encoded bundle gets an Ed25519 signature
//! part (`tandem_core::bundle::signature`), so whoever pins the public key loads it and
//! refuses any other. Runs after verification and evaluation, on the final bytes.

use tandem_core::bundle::SigningKey;
use tandem_core::bundle::signature;

use crate::error::Result;
use crate::run::Outcome;

impl Outcome {
    /// Sign the bundle's bytes with `key` (the decoded [`Outcome::bundle`] is unchanged: the
    /// signature is a part of the file only).
    pub fn sign(&mut self, key: &SigningKey) -> Result<()> {
        self.bytes = signature::sign(&self.bytes, key)?;
        Ok(())
    }
}
