//! Operator alerts for admins (the web app's banner): what is wrong now, as
//! `app::ops::alerts` judges it.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::state::AppState;
use app::ops::alerts::{OperatorAlerts, Watch, current};

/// A failed import or exchange-rate sync, a stuck projector, overdue backups: each condition
/// current now (empty when all is well). Admins are also mailed once when one starts.
#[utoipa::path(get, path = "/api/admin/alerts", tag = "admin",
    responses((status = 200, body = OperatorAlerts), (status = 403, body = crate::error::Problem)))]
async fn operator_alerts(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<OperatorAlerts>> {
    user.require(policy::ADMIN)?;
    let watch = Watch {
        pool: state.pool.clone(),
        projector: state.projector.clone(),
        backups: state.backups.clone(),
    };
    Ok(axum::Json(OperatorAlerts {
        alerts: current(&watch).await?,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(operator_alerts))
}
