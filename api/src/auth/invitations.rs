//! Invitations (admins only): an invitation fixes the invitee's email and role, is mailed as a
//! link `{LEDGER_PUBLIC_URL}/register?invitation=<token>`, works once, expires after
//! [`INVITATION_DAYS`] days and can be revoked. The token is stored as its SHA-256 digest.
//! Mounted with [`router`] under `/api/invitations`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::audit::{self, AccessEvent};
use super::mail::Mailer;
use super::routes::{normalize_email, parse_role};
use super::users::resolve_paging;
use super::{AuthUser, Role, policy, refresh};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

/// Lifetime of an invitation.
pub const INVITATION_DAYS: i32 = 7;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invitation, list_invitations))
        .routes(routes!(revoke_invitation))
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListInvitationsQuery {
    /// Rows per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

const COLUMNS: &str = "id, email, role, created_at, expires_at, accepted_at, revoked_at, \
    CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked' \
         WHEN expires_at <= now() THEN 'expired' ELSE 'pending' END AS state";

impl Invitation {
    fn from_row(row: &PgRow) -> Result<Self, ApiError> {
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

/// Invites someone. A pending invitation for the same address is revoked (the newest link
/// counts). 409 `email_taken` when an account with the address exists.
#[utoipa::path(post, path = "/api/invitations", tag = "users", request_body = NewInvitation,
    responses(
        (status = 201, description = "invited; the link is mailed and returned", body = CreatedInvitation),
        (status = 403, description = "`forbidden`: admins only (never by API token)", body = Problem),
        (status = 409, description = "`email_taken`", body = Problem),
        (status = 422, description = "`validation_failed` (field `email` or `role`)", body = Problem),
    ))]
async fn create_invitation(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<NewInvitation>,
) -> ApiResult<(StatusCode, axum::Json<CreatedInvitation>)> {
    user.require(policy::ADMIN)?;
    let email = normalize_email(&body.email)?;
    if body.role == Role::Pending {
        return Err(ApiError::invalid(
            "role",
            "invite with a role: admin, accountant, analyst, viewer or auditor",
        ));
    }
    let mailer = Mailer::shared(&state.settings)?;
    let token = refresh::generate();
    let id = Uuid::now_v7();
    let mut tx = state.pool.begin().await?;
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1))")
            .bind(&email)
            .fetch_one(&mut *tx)
            .await?;
    if taken {
        return Err(ApiError::conflict(
            "email_taken",
            "an account with this email address already exists",
        ));
    }
    sqlx::query(
        "UPDATE invitations SET revoked_at = now()
         WHERE email_key = lower($1) AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    let expires_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO invitations (id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING expires_at",
    )
    .bind(id)
    .bind(&email)
    .bind(body.role.as_str())
    .bind(refresh::digest(&token))
    .bind(user.id)
    .bind(INVITATION_DAYS)
    .fetch_one(&mut *tx)
    .await?;
    let actor = Actor::api(user.id, request_id(&headers));
    let event = AccessEvent::InvitationCreated {
        invitation_id: id,
        email: email.clone(),
        role: body.role,
    };
    audit::record(&mut tx, user.id, &actor, &[event]).await?;
    tx.commit().await?;

    let url = invite_url(&state.settings.public_url, &token);
    mailer
        .dispatch(
            email.clone(),
            "You are invited to Ledger".into(),
            invitation_mail(&url, body.role),
        )
        .await;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedInvitation {
            id,
            email,
            role: body.role,
            expires_at,
            invite_url: url,
        }),
    ))
}

/// Invitations, newest first.
#[utoipa::path(get, path = "/api/invitations", tag = "users", params(ListInvitationsQuery),
    responses(
        (status = 200, description = "one page of invitations", body = InvitationPage),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
    ))]
async fn list_invitations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListInvitationsQuery>,
) -> ApiResult<axum::Json<InvitationPage>> {
    user.require(policy::ADMIN)?;
    let (limit, offset) = resolve_paging(q.limit, q.offset)?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations")
        .fetch_one(&state.pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invitations ORDER BY created_at, id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await?;
    let items = rows
        .iter()
        .map(Invitation::from_row)
        .collect::<Result<_, _>>()?;
    Ok(axum::Json(InvitationPage {
        items,
        total,
        limit,
        offset,
    }))
}

/// Revokes an invitation; its link stops working. Revoking twice is harmless; an accepted
/// invitation cannot be revoked (409 `invitation_accepted`: disable the user instead).
#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invitation_accepted`", body = Problem),
    ))]
async fn revoke_invitation(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    user.require(policy::ADMIN)?;
    let mut tx = state.pool.begin().await?;
    let row = sqlx::query(
        "SELECT accepted_at IS NOT NULL AS accepted, revoked_at IS NOT NULL AS revoked
         FROM invitations WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("invitation {id}")))?;
    if row.try_get::<bool, _>("accepted")? {
        return Err(ApiError::conflict(
            "invitation_accepted",
            "this invitation was already used; disable the user instead",
        ));
    }
    if row.try_get::<bool, _>("revoked")? {
        return Ok(StatusCode::NO_CONTENT);
    }
    sqlx::query("UPDATE invitations SET revoked_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let actor = Actor::api(user.id, request_id(&headers));
    let event = AccessEvent::InvitationRevoked { invitation_id: id };
    audit::record(&mut tx, user.id, &actor, &[event]).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A usable invitation, locked for the registering transaction.
#[derive(Debug)]
pub struct Usable {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Uuid,
}

pub fn invalid_invitation() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "invalid_invitation",
        "the invitation is not valid, has expired, was revoked or was already used; ask for a new one",
    )
}

/// Finds and locks the pending invitation of `token`; 403 `invalid_invitation` otherwise.
pub async fn take(conn: &mut PgConnection, token: &str) -> Result<Usable, ApiError> {
    let token = token.trim();
    if !refresh::well_formed(token) {
        return Err(invalid_invitation());
    }
    let row = sqlx::query(
        "SELECT id, email, role, invited_by FROM invitations
         WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         FOR UPDATE",
    )
    .bind(refresh::digest(token))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(invalid_invitation)?;
    Ok(Usable {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: parse_role(row.try_get("role")?)?,
        invited_by: row.try_get("invited_by")?,
    })
}

/// Marks an invitation used by `user_id`.
pub async fn mark_accepted(
    conn: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
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

    #[test]
    fn the_invalid_invitation_problem() {
        let p = invalid_invitation().to_problem();
        assert_eq!((p.status, p.code.as_str()), (403, "invalid_invitation"));
    }
}
