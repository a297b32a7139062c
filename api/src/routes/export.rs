//! Exports of the books in other tools' formats.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

/// The whole ledger as a Beancount file that `bean-check` accepts; it ends with a balance
/// assertion per account, so Beancount itself confirms the balances match.
#[utoipa::path(get, path = "/api/export/beancount", tag = "reports", params(Consistency),
    responses((status = 200, description = "Beancount text", content_type = "text/plain")))]
async fn beancount(
    State(state): State<AppState>,
    user: AuthUser,
    Query(consistency): Query<Consistency>,
) -> ApiResult<impl IntoResponse> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let text = projections::beancount::export(&state.pool).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.beancount\"",
            ),
        ],
        text,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(beancount))
}
