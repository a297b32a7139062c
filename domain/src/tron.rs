//! Tron addresses: base58check of 21 bytes whose first byte is 0x41 (mainnet), which is why
//! every address starts with `T` and is 34 characters long.

use sha2::{Digest, Sha256};

use crate::error::DomainError;

const ADDRESS_PREFIX: u8 = 0x41;
const PAYLOAD_BYTES: usize = 21;
const CHECKSUM_BYTES: usize = 4;

pub fn validate_address(field: &str, address: &str) -> Result<String, DomainError> {
    let address = address.trim();
    let bytes = bs58::decode(address)
        .into_vec()
        .map_err(|_| DomainError::invalid(field, format!("`{address}` is not base58")))?;
    if bytes.len() != PAYLOAD_BYTES + CHECKSUM_BYTES || bytes[0] != ADDRESS_PREFIX {
        return Err(DomainError::invalid(
            field,
            format!("`{address}` is not a Tron address"),
        ));
    }
    let (payload, checksum) = bytes.split_at(PAYLOAD_BYTES);
    let digest = Sha256::digest(Sha256::digest(payload));
    if &digest[..CHECKSUM_BYTES] != checksum {
        return Err(DomainError::invalid(
            field,
            format!("`{address}` has a wrong checksum"),
        ));
    }
    Ok(address.to_string())
}

/// Builds a valid address from 20 account bytes (demo data and tests).
pub fn address_from_bytes(account: [u8; 20]) -> String {
    let mut payload = Vec::with_capacity(PAYLOAD_BYTES + CHECKSUM_BYTES);
    payload.push(ADDRESS_PREFIX);
    payload.extend_from_slice(&account);
    let digest = Sha256::digest(Sha256::digest(&payload));
    payload.extend_from_slice(&digest[..CHECKSUM_BYTES]);
    bs58::encode(payload).into_string()
}

/// A transaction hash: 64 hex characters (Tron's, and Ethereum-style without `0x`).
pub fn check_tx_hash(hash: &str) -> Result<(), DomainError> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "tx_hash",
            "must be 64 hexadecimal characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_address_is_valid() {
        // The USDT-TRC20 contract address.
        assert!(validate_address("a", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").is_ok());
    }

    #[test]
    fn broken_addresses_are_refused() {
        assert!(validate_address("a", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u").is_err());
        assert!(validate_address("a", "0x1234").is_err());
        assert!(validate_address("a", "").is_err());
        assert!(validate_address("a", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT").is_err());
    }

    #[test]
    fn generated_addresses_round_trip() {
        let a = address_from_bytes([7; 20]);
        assert!(a.starts_with('T'));
        assert_eq!(a.len(), 34);
        assert_eq!(validate_address("a", &a).unwrap(), a);
    }
}
