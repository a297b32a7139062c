//! User administration: listing, reading and changing role, name and whether the account is
//! disabled; and the recovery of `ledger user create`.

use chrono::{DateTime, Utc};
use domain::access::rules::{self, Standing};
use domain::access::{AccessError, AccessEvent, Role};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cache::AccessCache;
use super::{audit, like_escape, parse_role, sessions};
use crate::error::{AppError, AppResult};
use crate::executor::Work;
use crate::ledger::Actor;

/// Advisory lock serialising changes of role or disabled state, so two concurrent changes
/// cannot together remove the last active admin.
const ADMIN_CHANGES_LOCK: i64 = 0x4c45_4447_4144_4d31;

/// A user as administrators see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDetail {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub email_confirmed: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const DETAIL_COLUMNS: &str = "id, email, name, role, email_confirmed_at IS NOT NULL AS email_confirmed, \
                              disabled_at IS NOT NULL AS disabled, created_at, updated_at";

impl UserDetail {
    fn from_row(row: &PgRow) -> AppResult<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: parse_role(row.try_get("role")?)?,
            email_confirmed: row.try_get("email_confirmed")?,
            disabled: row.try_get("disabled")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// One page of users, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDetail>,
    /// Users matching the filter, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The fields to change; absent (or null) fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub role: Option<Role>,
    /// New display name; an empty string removes it.
    pub name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
}

/// Which users to list.
#[derive(Debug, Default)]
pub struct UserFilter {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Case-insensitive substring of the email or the name.
    pub q: Option<String>,
    pub role: Option<Role>,
}

/// An ILIKE pattern matching `q` anywhere, with its wildcards taken literally; `None` for a
/// blank search.
pub fn search_pattern(q: Option<&str>) -> Option<String> {
    let q = q.map(str::trim).filter(|q| !q.is_empty())?;
    Some(format!("%{}%", like_escape(q)))
}

/// Lists users, optionally searched by email or name and filtered by role.
pub async fn list(pool: &PgPool, filter: UserFilter) -> AppResult<UserPage> {
    let (limit, offset) = rules::resolve_paging(filter.limit, filter.offset)?;
    let pattern = search_pattern(filter.q.as_deref());
    let role = filter.role.map(Role::as_str);
    const FILTER: &str =
        "($1::text IS NULL OR email ILIKE $1 OR name ILIKE $1) AND ($2::text IS NULL OR role = $2)";

    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users WHERE {FILTER}"))
        .bind(&pattern)
        .bind(role)
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {DETAIL_COLUMNS} FROM users WHERE {FILTER} ORDER BY created_at, id LIMIT $3 OFFSET $4"
    ))
    .bind(&pattern)
    .bind(role)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let items = rows
        .iter()
        .map(UserDetail::from_row)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(UserPage {
        items,
        total,
        limit,
        offset,
    })
}

/// One user.
pub async fn get(pool: &PgPool, id: Uuid) -> AppResult<UserDetail> {
    let row = sqlx::query(&format!("SELECT {DETAIL_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found(format!("user {id}")))?;
    UserDetail::from_row(&row)
}

/// Changes a user's role, name or disabled state (by admin `by`); takes effect on the user's
/// tokens at once. Disabling also ends the user's sessions. Nobody changes their own role or
/// disabled state, and the last active admin can be neither demoted nor disabled.
pub async fn update(
    pool: &PgPool,
    cache: &AccessCache,
    actor: &Actor,
    by: Uuid,
    id: Uuid,
    change: UserUpdate,
) -> AppResult<UserDetail> {
    // `Some(None)`: remove the name.
    let name = change
        .name
        .as_deref()
        .map(|n| rules::normalize_name(Some(n)))
        .transpose()?;
    let (name, change) = (&name, &change);
    let (row, now, new) = audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let (now, new) = lock_and_check(&mut work, by, id, change).await?;
            let row = write_change(work.conn(), id, new, name.clone()).await?;
            if new.disabled {
                sessions::revoke_all_for_user(work.conn(), id).await?;
            }
            audit::stage(&mut work, id, &rules::standing_events(now, new)).await?;
            Ok((work, (row, now, new)))
        })
    })
    .await?;
    cache.forget_user(id);
    if now != new {
        tracing::info!(by = %by, user_id = %id, role = new.role.as_str(), disabled = new.disabled, "user changed");
    }
    UserDetail::from_row(&row)
}

/// Takes the admin-changes lock and the user's row, and checks the change: not of one's own
/// standing, and not taking away the last active admin. Answers the standing before and after.
async fn lock_and_check(
    work: &mut Work,
    by: Uuid,
    id: Uuid,
    change: &UserUpdate,
) -> AppResult<(Standing, Standing)> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ADMIN_CHANGES_LOCK)
        .execute(work.conn())
        .await?;
    let current = sqlx::query(
        "SELECT role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(work.conn())
    .await?
    .ok_or_else(|| AppError::not_found(format!("user {id}")))?;
    let now = Standing {
        role: parse_role(current.try_get("role")?)?,
        disabled: current.try_get("disabled")?,
    };
    let new = rules::change_standing(id == by, now, change.role, change.disabled)?;
    if rules::removes_active_admin(now, new) {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1",
        )
        .bind(id)
        .fetch_one(work.conn())
        .await?;
        if others == 0 {
            return Err(AccessError::LastAdmin.into());
        }
    }
    Ok((now, new))
}

/// Writes the new standing and, when given, the name (`Some(None)` removes it).
async fn write_change(
    conn: &mut PgConnection,
    id: Uuid,
    new: Standing,
    name: Option<Option<String>>,
) -> AppResult<PgRow> {
    Ok(sqlx::query(&format!(
        "UPDATE users SET
             role = $2,
             name = CASE WHEN $3 THEN $4 ELSE name END,
             disabled_at = CASE WHEN $5 THEN COALESCE(disabled_at, now()) ELSE NULL END,
             updated_at = now()
         WHERE id = $1
         RETURNING {DETAIL_COLUMNS}"
    ))
    .bind(id)
    .bind(new.role.as_str())
    .bind(name.is_some())
    .bind(name.flatten())
    .bind(new.disabled)
    .fetch_one(&mut *conn)
    .await?)
}

/// `ledger user create`: creates an account with `role` and the password hash, or recovers an
/// existing one (the role and password, enabled, its address confirmed, every earlier token
/// stops working). Answers a line for the operator.
pub async fn create_or_recover(
    pool: &PgPool,
    email: &str,
    role: Role,
    hash: &str,
) -> AppResult<String> {
    let actor = Actor::system("cli");
    audit::run(pool, &actor, |mut work| {
        Box::pin(async move {
            let existing: Option<(Uuid, String)> =
                sqlx::query_as("SELECT id, role FROM users WHERE email_key = lower($1) FOR UPDATE")
                    .bind(email)
                    .fetch_optional(work.conn())
                    .await?;
            let line = match existing {
                Some((id, old_role)) => {
                    recover(&mut work, id, &old_role, email, role, hash).await?
                }
                None => create(&mut work, email, role, hash).await?,
            };
            Ok((work, line))
        })
    })
    .await
}

async fn recover(
    work: &mut Work,
    id: Uuid,
    old_role: &str,
    email: &str,
    role: Role,
    hash: &str,
) -> AppResult<String> {
    sqlx::query(
        "UPDATE users SET role = $2, password_hash = $3, disabled_at = NULL,
                email_confirmed_at = COALESCE(email_confirmed_at, now()),
                token_version = token_version + 1, updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(role.as_str())
    .bind(hash)
    .execute(work.conn())
    .await?;
    sessions::revoke_all_for_user(work.conn(), id).await?;
    let mut events = vec![AccessEvent::Recovered {}];
    if let Some(from) = Role::parse(old_role).filter(|r| *r != role) {
        events.push(AccessEvent::RoleChanged { from, to: role });
    }
    audit::stage(work, id, &events).await?;
    Ok(format!(
        "updated user {email} ({id}): role {}, enabled, new password, every session ended",
        role.as_str()
    ))
}

async fn create(work: &mut Work, email: &str, role: Role, hash: &str) -> AppResult<String> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, email_confirmed_at)
         VALUES ($1, $2, $3, $4, now())",
    )
    .bind(id)
    .bind(email)
    .bind(hash)
    .bind(role.as_str())
    .execute(work.conn())
    .await?;
    let event = AccessEvent::Registered {
        email: email.to_string(),
        role,
        how: "cli".into(),
    };
    audit::stage(work, id, &[event]).await?;
    Ok(format!(
        "created user {email} ({id}) with role {}",
        role.as_str()
    ))
}

/// The addresses of the active admins (operator alerts go to them), oldest account first.
pub async fn active_admin_emails(pool: &PgPool) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT email FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY created_at",
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(search_pattern(None), None);
        assert_eq!(search_pattern(Some("  ")), None);
        assert_eq!(search_pattern(Some(" alice ")).as_deref(), Some("%alice%"));
        assert_eq!(
            search_pattern(Some("50%_a\\b")).as_deref(),
            Some("%50\\%\\_a\\\\b%")
        );
    }

    #[test]
    fn updates_refuse_unknown_fields_and_parse_roles() {
        let u: UserUpdate =
            serde_json::from_str(r#"{"role":"accountant","disabled":true}"#).unwrap();
        assert_eq!(u.role, Some(Role::Accountant));
        assert_eq!(u.disabled, Some(true));
        assert!(u.name.is_none());
        assert!(serde_json::from_str::<UserUpdate>(r#"{"email":"x@y.z"}"#).is_err());
        assert!(serde_json::from_str::<UserUpdate>(r#"{"role":"root"}"#).is_err());
    }
}
