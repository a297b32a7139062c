//! Refresh tokens: 32 random bytes, base64url, stored only as their SHA-256 digest. Tokens
//! belong to a family (one sign-in); each use rotates the token within its family, and
//! presenting an already rotated token again revokes the whole family, since either the
//! legitimate client or a thief now holds a stale copy.
//!
//! Every change runs in a transaction that first locks the family's rows in id order, so
//! concurrent uses of one family are serialised and cannot deadlock each other.

use chrono::{DateTime, Utc};
use domain::access::token::{TOKEN_BYTES, digest, encode, well_formed};
use domain::access::{AccessError, Role};
use rand::RngCore;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::error::AppResult;

/// A freshly issued token; `token` is the only copy of the secret.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: Uuid,
    pub family_id: Uuid,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The outcome of a successful rotation: who the token belongs to and its successor.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub user_id: Uuid,
    pub role: Role,
    pub token_version: i32,
    pub issued: Issued,
}

/// A new random token (43 base64url characters, no padding): refresh tokens, mailed links,
/// invitations, and the secret of API tokens.
pub fn generate() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    encode(&bytes)
}

/// Longest refresh token lifetime honoured, in days (keeps the expiry a valid timestamp).
const MAX_TTL_DAYS: u64 = 36_500;

fn days(ttl_days: u64) -> i32 {
    ttl_days.clamp(1, MAX_TTL_DAYS) as i32
}

/// Stores a new token for `user_id`, in `family` or in a new family (a new sign-in).
pub async fn issue(
    conn: &mut PgConnection,
    user_id: Uuid,
    family: Option<Uuid>,
    ttl_days: u64,
) -> AppResult<Issued> {
    let id = Uuid::now_v7();
    let family_id = family.unwrap_or_else(Uuid::now_v7);
    let token = generate();
    let expires_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
         RETURNING expires_at",
    )
    .bind(id)
    .bind(user_id)
    .bind(family_id)
    .bind(digest(&token))
    .bind(days(ttl_days))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Issued {
        id,
        family_id,
        token,
        expires_at,
    })
}

/// Locks every row of the token's family (in id order) and answers the family, or `None` for
/// an unknown token.
async fn lock_family_of(conn: &mut PgConnection, hash: &[u8]) -> AppResult<Option<Uuid>> {
    let family: Option<Uuid> =
        sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(family) = family {
        sqlx::query("SELECT id FROM refresh_tokens WHERE family_id = $1 ORDER BY id FOR UPDATE")
            .bind(family)
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(family)
}

/// Revokes every live token of a family.
pub async fn revoke_family(conn: &mut PgConnection, family_id: Uuid) -> AppResult<u64> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE id IN (SELECT id FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL
                      ORDER BY id FOR UPDATE)",
    )
    .bind(family_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live token of a user (password reset, account disabled).
pub async fn revoke_all_for_user(conn: &mut PgConnection, user_id: Uuid) -> AppResult<u64> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE id IN (SELECT id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL
                      ORDER BY id FOR UPDATE)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Exchanges a valid token for a new one of the same family. A token that was already rotated
/// revokes its family and answers 401 `refresh_token_reused`; an unknown, expired or revoked
/// one answers 401 `invalid_refresh_token`; a disabled account's family is revoked and
/// answers 403 `account_disabled`.
pub async fn rotate(pool: &PgPool, token: &str, ttl_days: u64) -> AppResult<Rotated> {
    if !well_formed(token) {
        return Err(AccessError::InvalidRefreshToken.into());
    }
    let hash = digest(token);
    let mut tx = pool.begin().await?;
    let Some(family_id) = lock_family_of(&mut tx, &hash).await? else {
        return Err(AccessError::InvalidRefreshToken.into());
    };
    // Read after taking the lock, so a rotation that committed meanwhile is seen.
    let row = sqlx::query(
        "SELECT t.id, t.user_id, t.rotated_at IS NOT NULL AS rotated, t.revoked_at IS NOT NULL AS revoked,
                t.expires_at <= now() AS expired, u.role, u.token_version,
                u.disabled_at IS NOT NULL AS disabled
         FROM refresh_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1",
    )
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await?;
    let id: Uuid = row.try_get("id")?;
    let user_id: Uuid = row.try_get("user_id")?;

    if row.try_get::<bool, _>("rotated")? {
        let revoked = revoke_family(&mut tx, family_id).await?;
        tx.commit().await?;
        tracing::warn!(%user_id, %family_id, revoked, "a rotated refresh token was presented again; family revoked");
        return Err(AccessError::RefreshTokenReused.into());
    }
    if row.try_get::<bool, _>("revoked")? || row.try_get::<bool, _>("expired")? {
        return Err(AccessError::InvalidRefreshToken.into());
    }
    if row.try_get::<bool, _>("disabled")? {
        revoke_family(&mut tx, family_id).await?;
        tx.commit().await?;
        return Err(AccessError::AccountDisabled.into());
    }
    let role = super::parse_role(row.try_get("role")?)?;

    let issued = issue(&mut tx, user_id, Some(family_id), ttl_days).await?;
    sqlx::query("UPDATE refresh_tokens SET rotated_at = now(), replaced_by = $2 WHERE id = $1")
        .bind(id)
        .bind(issued.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Rotated {
        user_id,
        role,
        token_version: row.try_get("token_version")?,
        issued,
    })
}

/// Signs out: revokes the token's whole family. Answers the family of a known token; unknown
/// or malformed tokens are not an error (signing out twice is harmless).
pub async fn revoke(pool: &PgPool, token: &str) -> AppResult<Option<Uuid>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let mut tx = pool.begin().await?;
    let Some(family_id) = lock_family_of(&mut tx, &digest(token)).await? else {
        return Ok(None);
    };
    revoke_family(&mut tx, family_id).await?;
    tx.commit().await?;
    Ok(Some(family_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_and_random() {
        let a = generate();
        assert!(well_formed(&a) && a.len() == 43, "{a}");
        assert_ne!(a, generate());
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{a}"
        );
    }

    #[test]
    fn lifetimes_in_days_fit_the_database_and_are_at_least_one_day() {
        assert_eq!(days(30), 30);
        assert_eq!(days(0), 1);
        assert_eq!(days(u64::MAX), 36_500);
    }
}
