//! Exports of the books in other tools' formats.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use projections::beancount::Chunk;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Pieces of the export in flight between the database reader and the client: the reader
/// waits for a slow client instead of buffering, so memory is flat in the ledger's size.
const PIECES_IN_FLIGHT: usize = 4;

/// The whole ledger as a Beancount file that `bean-check` accepts; it ends with a balance
/// assertion per account, so Beancount itself confirms the balances match. Streamed (chunked)
/// from one consistent snapshot of the read tables. Admins, accountants and auditors only.
#[utoipa::path(get, path = "/api/export/beancount", tag = "reports", params(Consistency),
    responses((status = 200, description = "Beancount text", content_type = "text/plain"),
              (status = 403, body = crate::error::Problem)))]
async fn beancount(
    State(state): State<AppState>,
    user: AuthUser,
    Query(consistency): Query<Consistency>,
) -> ApiResult<impl IntoResponse> {
    user.require(policy::EXPORT_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(PIECES_IN_FLIGHT);
    let pool = state.pool.clone();
    tokio::spawn(async move { projections::beancount::export_to(&pool, tx).await });
    // The first piece comes after the opening queries: until then a failure is still a
    // proper error answer (e.g. 503 when the database is down), not a broken download.
    let first = match rx.recv().await {
        Some(Ok(text)) => text,
        Some(Err(e)) => return Err(ApiError::Db(e)),
        None => return Err(ApiError::internal("the export ended before it began")),
    };
    let rest = futures::stream::unfold(rx, |mut rx| async move {
        let piece = rx.recv().await?;
        let piece = piece.map(Bytes::from).map_err(|e| {
            tracing::error!(error = %e, "the Beancount export broke off");
            std::io::Error::other(e)
        });
        Some((piece, rx))
    });
    let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) });
    Ok((
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.beancount\"",
            ),
        ],
        Body::from_stream(futures::StreamExt::chain(first, rest)),
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(beancount))
}
