//! Optional bearer-token auth (`--auth-token-file`): every route but `/ping`, `/health` and
//! CORS preflights (`OPTIONS`) needs `Authorization: Bearer <token>`, else 401
//! `UNAUTHORIZED` with `WWW-Authenticate: Bearer`. The token is read once at start (an
//! empty or unreadable file stops the server from starting) and compared in constant time.

use std::path::{Path, PathBuf};

use tandem_core::constants::http;
use tandem_core::protocol::{Answer, ProtocolError};

/// Why the token file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The file cannot be read.
    #[error("cannot read the auth token file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file holds nothing but white space.
    #[error("the auth token file {path} is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// The token every protected request must present.
pub struct Token(Vec<u8>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// Read the token: the file's content without surrounding white space.
    pub fn read(path: &Path) -> Result<Self, TokenError> {
        let text = std::fs::read(path).map_err(|source| TokenError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let token = text.trim_ascii();
        if token.is_empty() {
            return Err(TokenError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Token(token.to_vec()))
    }

    /// Whether an `Authorization` header value presents this token.
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some((scheme, given)) = value.split_at_checked(7) else {
            return false;
        };
        scheme.eq_ignore_ascii_case(b"bearer ") && same(given.trim_ascii(), &self.0)
    }
}

/// Equal bytes, in a time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    let diff = a
        .iter()
        .zip(b)
        .fold(a.len() ^ b.len(), |acc, (x, y)| acc | usize::from(x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether a request may go without the token.
pub fn is_open(method: &str, path: &str) -> bool {
    method == "OPTIONS" || path == "/ping" || path == "/health"
}

/// 401 `UNAUTHORIZED` with `WWW-Authenticate: Bearer`.
pub fn unauthorized() -> Answer {
    ProtocolError::new(
        401,
        http::UNAUTHORIZED,
        "this server needs `Authorization: Bearer <token>`",
    )
    .answer()
    .with_header("www-authenticate", "Bearer")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token(b"s3cret".to_vec())
    }

    #[test]
    fn the_right_bearer_token_is_admitted_whatever_the_scheme_case() {
        assert!(token().admits(Some(b"Bearer s3cret")));
        assert!(token().admits(Some(b"bearer s3cret")));
    }

    #[test]
    fn a_missing_wrong_or_prefixed_token_is_refused() {
        assert!(!token().admits(None));
        assert!(!token().admits(Some(b"Bearer s3cre")));
        assert!(!token().admits(Some(b"Bearer s3cret2")));
        assert!(!token().admits(Some(b"Basic s3cret")));
        assert!(!token().admits(Some(b"s3cret")));
    }

    #[test]
    fn an_empty_token_file_is_an_error() {
        let dir = std::env::temp_dir().join(format!("tandem-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, " \n").unwrap();
        assert!(matches!(Token::read(&file), Err(TokenError::Empty { .. })));
        assert!(matches!(
            Token::read(&dir.join("absent")),
            Err(TokenError::Read { .. })
        ));
        std::fs::write(&file, "abc\n").unwrap();
        assert!(Token::read(&file).unwrap().admits(Some(b"Bearer abc")));
    }
}
