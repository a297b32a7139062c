//! Signing and checking access tokens (HS256).

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use uuid::Uuid;

use super::{Claims, Role};
use crate::error::ApiError;

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl_seconds: u64,
}

/// Shortest secret accepted, in bytes (HS256 wants at least its output size).
pub const MIN_SECRET_BYTES: usize = 32;

impl JwtKeys {
    pub fn new(secret: &[u8], access_ttl_seconds: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "the JWT secret must be at least {MIN_SECRET_BYTES} bytes"
        );
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl_seconds,
        })
    }

    /// An access token for `user` in sign-in `sid` (its refresh-token family) at token version
    /// `ver`; requests check both against the user's current state.
    pub fn issue(&self, user: Uuid, role: Role, ver: i32, sid: Uuid) -> Result<String, ApiError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(ApiError::internal)?
            .as_secs();
        let claims = Claims {
            sub: user,
            role,
            iat: now,
            exp: now + self.access_ttl_seconds,
            ver: Some(ver),
            sid: Some(sid),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("the access token has expired; refresh it")
                }
                _ => ApiError::unauthorized("the access token is not valid"),
            })
    }
}

/// Reads the signing secret: from the setting, else from `<data_dir>/jwt-secret`, generating
/// and saving a random one on first start (mode 0600).
pub fn load_or_create_secret(
    setting: Option<&str>,
    data_dir: &std::path::Path,
) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = setting {
        return Ok(s.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    use rand::RngCore;
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&path, &secret)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret.into_bytes())
}
