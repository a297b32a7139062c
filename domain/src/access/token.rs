//! The format of the secrets the ledger hands out: refresh tokens, one-time mail tokens and
//! invitation tokens are 32 random bytes in base64url (43 characters, no padding); personal
//! API tokens are the same behind [`API_TOKEN_PREFIX`]. Only their SHA-256 digest is stored.
//! Anything of another shape is refused before a look-up. (Drawing the bytes is I/O:
//! `app::access::tokens::generate`.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;
/// What every API token starts with (tells it apart from a JWT at a glance, and to scanners).
pub const API_TOKEN_PREFIX: &str = "lgr_";

/// The text of a token made of `bytes`.
pub fn encode(bytes: &[u8; TOKEN_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a token: its SHA-256 digest.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `token` has the shape [`encode`] produces.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && URL_SAFE_NO_PAD
            .decode(token)
            .is_ok_and(|b| b.len() == TOKEN_BYTES)
}

/// Whether `token` has the shape of a personal API token.
pub fn api_token_well_formed(token: &str) -> bool {
    token
        .strip_prefix(API_TOKEN_PREFIX)
        .is_some_and(well_formed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_tokens_are_43_base64url_chars() {
        let t = encode(&[7u8; TOKEN_BYTES]);
        assert_eq!(t.len(), 43);
        assert!(well_formed(&t));
        assert!(api_token_well_formed(&format!("lgr_{t}")));
        assert!(!api_token_well_formed(&t));
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        assert!(!well_formed(""));
        assert!(!well_formed("short"));
        assert!(!well_formed(&"a".repeat(44)));
        // Right length, wrong alphabet (standard base64 characters and padding).
        assert!(!well_formed(&format!("{}+", "a".repeat(42))));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
        // A JWT is not a refresh token.
        assert!(!well_formed(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!api_token_well_formed("lgr_short"));
        assert!(!api_token_well_formed("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }

    #[test]
    fn the_digest_is_sha256_of_the_token_text() {
        let d = digest("abc");
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(digest("abd"), d);
    }
}
