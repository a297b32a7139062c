//! Invitations: an invitation fixes the invitee's email and role, is mailed as a link
//! `{LEDGER_PUBLIC_URL}/register?invitation=<token>`, works once, expires after
//! [`INVITATION_DAYS`] days and can be revoked. The token is stored as its SHA-256 digest.

use chrono::{DateTime, Utc};
use domain::access::rules::{self, INVITATION_DAYS};
use domain::access::token::{digest, well_formed};
use domain::access::{AccessError, AccessEvent, Role};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use super::mail::Mailer;
use super::sessions::generate;
use super::{AccessSettings, audit, parse_role};
use crate::error::{AppError, AppResult};
use crate::ledger::Actor;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[schema(example = "bob@example.com")]
    pub email: String,
    /// The role the invitee gets (not `pending`).
    pub role: Role,
}

/// A created invitation, with the link to send (also mailed).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// `{LEDGER_PUBLIC_URL}/register?invitation=<token>`; shown only here and in the mail.
    pub invite_url: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub state: InvitationState,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPage {
    pub items: Vec<Invitation>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "id, email, role, created_at, expires_at, accepted_at, revoked_at, \
    CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked' \
         WHEN expires_at <= now() THEN 'expired' ELSE 'pending' END AS state";

impl Invitation {
    fn from_row(row: &PgRow) -> AppResult<Self> {
        let state = match row.try_get::<&str, _>("state")? {
            "accepted" => InvitationState::Accepted,
            "revoked" => InvitationState::Revoked,
            "expired" => InvitationState::Expired,
            _ => InvitationState::Pending,
        };
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            role: parse_role(row.try_get("role")?)?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            accepted_at: row.try_get("accepted_at")?,
            revoked_at: row.try_get("revoked_at")?,
            state,
        })
    }
}

/// The link of an invitation token.
pub fn invite_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/register?invitation={token}",
        public_url.trim_end_matches('/')
    )
}

fn invitation_mail(url: &str, role: Role) -> String {
    format!(
        "Hello,\n\nyou are invited to Ledger as {}. Open this link within {INVITATION_DAYS} days to \
         choose a password and join:\n\n{url}\n\nIf you did not expect this, ignore this mail.\n",
        role.as_str()
    )
}

/// Invites someone (by admin `by`). A pending invitation for the same address is revoked (the
/// newest link counts). Refused as `email_taken` when an account with the address exists.
pub async fn create(
    pool: &PgPool,
    settings: &AccessSettings,
    actor: &Actor,
    by: Uuid,
    new: NewInvitation,
) -> AppResult<CreatedInvitation> {
    let email = rules::normalize_email(&new.email)?;
    rules::check_invitation_role(new.role)?;
    let mailer = Mailer::shared(&settings.mail)?;
    let token = generate();
    let id = Uuid::now_v7();
    let (email_ref, token_ref, role) = (email.as_str(), token.as_str(), new.role);
    let expires_at = audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let expires_at = insert(work.conn(), id, email_ref, role, token_ref, by).await?;
            let event = AccessEvent::InvitationCreated {
                invitation_id: id,
                email: email_ref.to_string(),
                role,
            };
            audit::stage(&mut work, by, &[event]).await?;
            Ok((work, expires_at))
        })
    })
    .await?;
    let url = invite_url(&settings.public_url, &token);
    mailer
        .dispatch(
            email.clone(),
            "You are invited to Ledger".into(),
            invitation_mail(&url, role),
        )
        .await;
    Ok(CreatedInvitation {
        id,
        email,
        role,
        expires_at,
        invite_url: url,
    })
}

/// Stores an invitation, revoking the address's pending one; refused when the address has an
/// account. Answers its expiry.
async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    email: &str,
    role: Role,
    token: &str,
    by: Uuid,
) -> AppResult<DateTime<Utc>> {
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1))")
            .bind(email)
            .fetch_one(&mut *conn)
            .await?;
    if taken {
        return Err(AccessError::EmailTaken.into());
    }
    sqlx::query(
        "UPDATE invitations SET revoked_at = now()
         WHERE email_key = lower($1) AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(email)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO invitations (id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING expires_at",
    )
    .bind(id)
    .bind(email)
    .bind(role.as_str())
    .bind(digest(token))
    .bind(by)
    .bind(INVITATION_DAYS)
    .fetch_one(&mut *conn)
    .await?)
}

/// Invitations, newest first.
pub async fn list(
    pool: &PgPool,
    limit: Option<i64>,
    offset: Option<i64>,
) -> AppResult<InvitationPage> {
    let (limit, offset) = rules::resolve_paging(limit, offset)?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations")
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invitations ORDER BY created_at, id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let items = rows
        .iter()
        .map(Invitation::from_row)
        .collect::<AppResult<_>>()?;
    Ok(InvitationPage {
        items,
        total,
        limit,
        offset,
    })
}

/// Revokes an invitation (by admin `by`); its link stops working. Revoking twice is harmless;
/// an accepted invitation cannot be revoked.
pub async fn revoke(pool: &PgPool, actor: &Actor, by: Uuid, id: Uuid) -> AppResult<()> {
    audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT accepted_at IS NOT NULL AS accepted, revoked_at IS NOT NULL AS revoked
                 FROM invitations WHERE id = $1 FOR UPDATE",
            )
            .bind(id)
            .fetch_optional(work.conn())
            .await?
            .ok_or_else(|| AppError::not_found(format!("invitation {id}")))?;
            if row.try_get::<bool, _>("accepted")? {
                return Err(AccessError::InvitationAccepted.into());
            }
            if row.try_get::<bool, _>("revoked")? {
                return Ok((work, ()));
            }
            sqlx::query("UPDATE invitations SET revoked_at = now() WHERE id = $1")
                .bind(id)
                .execute(work.conn())
                .await?;
            let event = AccessEvent::InvitationRevoked { invitation_id: id };
            audit::stage(&mut work, by, &[event]).await?;
            Ok((work, ()))
        })
    })
    .await
}

/// A usable invitation, locked for the registering transaction.
#[derive(Debug)]
pub struct Usable {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Uuid,
}

/// Finds and locks the pending invitation of `token`; refused as `invalid_invitation` otherwise.
pub async fn take(conn: &mut PgConnection, token: &str) -> AppResult<Usable> {
    let token = token.trim();
    if !well_formed(token) {
        return Err(AccessError::InvalidInvitation.into());
    }
    let row = sqlx::query(
        "SELECT id, email, role, invited_by FROM invitations
         WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         FOR UPDATE",
    )
    .bind(digest(token))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccessError::InvalidInvitation)?;
    Ok(Usable {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: parse_role(row.try_get("role")?)?,
        invited_by: row.try_get("invited_by")?,
    })
}

/// Marks an invitation used by `user_id`.
pub async fn mark_accepted(conn: &mut PgConnection, id: Uuid, user_id: Uuid) -> AppResult<()> {
    sqlx::query("UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1")
        .bind(id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_register_page_with_the_token() {
        assert_eq!(
            invite_url("https://books.example.com/", "abc"),
            "https://books.example.com/register?invitation=abc"
        );
        assert!(
            invitation_mail("http://x/register?invitation=t", Role::Viewer).contains("as viewer")
        );
    }
}
