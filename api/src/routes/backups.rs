//! Scheduled backups, for admins: their settings, the archives in the folder with the last
//! success, the last failure, and a button's worth of "back up now".

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use app::ops::schedule::{ArchiveInfo, BackupStatus};

#[utoipa::path(get, path = "/api/admin/backups", tag = "admin",
    responses((status = 200, body = BackupStatus), (status = 403, body = crate::error::Problem)))]
async fn status(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<BackupStatus>> {
    user.require(policy::ADMIN)?;
    Ok(axum::Json(state.backups.status().await))
}

/// Runs a scheduled backup now (same folder, name and rotation as the schedule's).
#[utoipa::path(post, path = "/api/admin/backups", tag = "admin",
    responses((status = 201, body = ArchiveInfo), (status = 409, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
async fn run_now(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<(StatusCode, axum::Json<ArchiveInfo>)> {
    user.require(policy::ADMIN)?;
    if state.backups.config().is_none() {
        return Err(ApiError::conflict(
            "backups_disabled",
            "scheduled backups are off: set LEDGER_BACKUP_CRON (and LEDGER_BACKUP_DIR) first",
        ));
    }
    match state.backups.run_once(&state.pool).await {
        Ok(Some(info)) => Ok((StatusCode::CREATED, axum::Json(info))),
        Ok(None) => Err(ApiError::conflict(
            "backup_running",
            "another backup of this database is running; try again when it ends",
        )),
        Err(e) => Err(ApiError::internal(e)),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status, run_now))
}
