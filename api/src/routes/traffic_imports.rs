//! Traffic report imports over HTTP: upload (multipart, streamed to disk), status, row errors,
//! a progress stream (SSE), retry, and the campaign keys no campaign claims yet.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::NaiveDate;
use domain::Currency;
use domain::text::{self, TextKind};
use futures::Stream;
use importers::report::ColumnMapping;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Page, Paging};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use app::traffic::imports::{
    Enqueued, ImportErrorOut, ImportOptions, NewImport, check_request, enqueue, stored_errors,
};
use app::traffic::jobs::{self, ImportOut};
use app::traffic::uploads;

/// The multipart form of an upload (documentation only; the handler streams the parts).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The report file (CSV; UTF-8 or UTF-16; comma, semicolon or tab).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The traffic source of a spend report (required for Moloco files).
    source_id: Option<Uuid>,
    /// moloco, keitaro, binom, voluum, redtrack or custom; absent: detected from the header.
    format: Option<String>,
    /// "true": apply the valid rows even when some are invalid.
    accept_valid: Option<bool>,
    /// Report day for files without a date column.
    default_date: Option<NaiveDate>,
    /// Currency of amounts when the file has none (default: the source's).
    currency: Option<String>,
    /// Column mapping (JSON) for the custom format.
    mapping: Option<String>,
}

/// Longest text field of an upload form (a custom column mapping is the longest).
const MAX_UPLOAD_FIELD_CHARS: usize = 100_000;
/// Longest uploaded file name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 255;

/// The parts of an upload other than the file.
#[derive(Default)]
struct UploadFields {
    source_id: Option<Uuid>,
    format: Option<String>,
    options: ImportOptions,
}

impl UploadFields {
    fn set(&mut self, name: &str, value: String) -> ApiResult<()> {
        let value = value.trim().to_string();
        if value.is_empty() {
            return Ok(());
        }
        // The mapping is JSON and may span lines; every field obeys the one text rule.
        text::check(name, &value, TextKind::Multiline, MAX_UPLOAD_FIELD_CHARS)?;
        match name {
            "source_id" => {
                self.source_id = Some(
                    value
                        .parse()
                        .map_err(|_| ApiError::invalid("source_id", "must be a UUID"))?,
                )
            }
            "format" => self.format = Some(value),
            "accept_valid" => {
                self.options.accept_valid = value
                    .parse()
                    .map_err(|_| ApiError::invalid("accept_valid", "must be true or false"))?
            }
            "default_date" => {
                self.options.default_date = Some(
                    value
                        .parse()
                        .map_err(|_| ApiError::invalid("default_date", "must be YYYY-MM-DD"))?,
                )
            }
            "currency" => self.options.currency = Some(Currency::parse(&value)?),
            "mapping" => {
                let mapping: ColumnMapping = serde_json::from_str(&value)
                    .map_err(|e| ApiError::invalid("mapping", e.to_string()))?;
                self.options.mapping = Some(mapping);
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown field; expected file, source_id, format, accept_valid, default_date, currency or mapping",
                ));
            }
        }
        Ok(())
    }
}

/// A file written to disk while it arrives.
struct Received {
    path: std::path::PathBuf,
    file_name: String,
    size: u64,
    sha256: String,
    /// Line breaks seen: the data-row estimate for progress until the parse counts exactly.
    lines: u64,
}

/// How much an upload may write: the file size limit and what is left of the folder's quota.
#[derive(Debug, Clone, Copy)]
struct Budget {
    max_bytes: u64,
    used: u64,
    quota: u64,
}

async fn receive_file(
    field: &mut axum::extract::multipart::Field<'_>,
    path: std::path::PathBuf,
    budget: Budget,
) -> ApiResult<Received> {
    let max_bytes = budget.max_bytes;
    let file_name = field
        .file_name()
        .map(str::to_string)
        .unwrap_or_else(|| "upload.csv".into());
    text::check("file", &file_name, TextKind::Line, MAX_FILE_NAME_CHARS)?;
    let mut out = tokio::io::BufWriter::with_capacity(
        1 << 20,
        tokio::fs::File::create(&path)
            .await
            .map_err(ApiError::internal)?,
    );
    let (mut size, mut lines, mut hash) = (0u64, 0u64, Sha256::new());
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ApiError::invalid("file", format!("the upload broke off: {e}")))?
    {
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(ApiError::status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("files up to {max_bytes} bytes are accepted"),
            ));
        }
        if budget.used.saturating_add(size) > budget.quota {
            return Err(uploads::quota_exceeded(budget.used, size, budget.quota).into());
        }
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        hash.update(&chunk);
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    Ok(Received {
        path,
        file_name,
        size,
        sha256: hex::encode(hash.finalize()),
        lines,
    })
}

#[utoipa::path(post, path = "/api/traffic/imports", tag = "traffic",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 202, description = "Queued", body = ImportOut),
              (status = 200, description = "The same file was imported before: that import", body = ImportOut),
              (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
              (status = 507, description = "the upload folder's quota is used up (`upload_quota_exceeded`)", body = crate::error::Problem)))]
async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, axum::Json<ImportOut>)> {
    // Who may upload is decided before the body is read: a viewer learns nothing of the form.
    user.require(policy::WRITE_TRAFFIC)?;
    let mut multipart =
        multipart.map_err(|e| ApiError::status(e.status(), "invalid_upload", e.body_text()))?;
    let id = Uuid::now_v7();
    let dir = uploads::dir(&state.settings.data_dir);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(ApiError::internal)?;
    let budget = Budget {
        max_bytes: state.settings.max_import_bytes,
        used: uploads::usage_bytes(&dir)
            .await
            .map_err(ApiError::internal)?,
        quota: state.settings.upload_quota_bytes,
    };
    // Refused before a byte is written when the declared size already does not fit.
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = declared
        && budget.used.saturating_add(n) > budget.quota
    {
        return Err(uploads::quota_exceeded(budget.used, n, budget.quota).into());
    }
    let path = dir.join(format!("{id}.{}", uploads::SUFFIX));
    let result = read_upload(&state, &mut multipart, path.clone(), budget).await;
    let (fields, received) = match result {
        Ok(ok) => ok,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
    };
    let new = NewImport {
        id,
        source_id: fields.source_id,
        format: fields.format,
        file_name: received.file_name,
        file_path: received.path,
        sha256: received.sha256,
        size_bytes: received.size,
        lines: received.lines,
        options: fields.options,
        created_by: Some(user.id),
    };
    if let Enqueued::Duplicate(existing) = enqueue(&state.pool, &new).await? {
        let _ = tokio::fs::remove_file(&path).await;
        return Ok((
            StatusCode::OK,
            axum::Json(jobs::load(&state.pool, existing).await?),
        ));
    }
    state.imports.wake();
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(jobs::load(&state.pool, id).await?),
    ))
}

async fn read_upload(
    state: &AppState,
    multipart: &mut Multipart,
    path: std::path::PathBuf,
    budget: Budget,
) -> ApiResult<(UploadFields, Received)> {
    let mut fields = UploadFields::default();
    let mut received = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::invalid("body", format!("not a valid multipart form: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if received.is_some() {
                return Err(ApiError::invalid("file", "one file per upload"));
            }
            received = Some(receive_file(&mut field, path.clone(), budget).await?);
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::invalid(&name, e.to_string()))?;
            if text.len() > 1 << 16 {
                return Err(ApiError::invalid(&name, "too long"));
            }
            fields.set(&name, text)?;
        }
    }
    let received = received.ok_or_else(|| ApiError::invalid("file", "a file part is required"))?;
    if received.size == 0 {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    check_request(
        &state.pool,
        fields.source_id,
        fields.format.as_deref(),
        &fields.options,
    )
    .await?;
    Ok((fields, received))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportFilter {
    /// queued, running, done, failed or duplicate.
    pub state: Option<String>,
    pub source_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/traffic/imports", tag = "traffic", params(ImportFilter, Paging),
    responses((status = 200, body = Page<ImportOut>)))]
async fn list_imports(
    State(state): State<AppState>,
    user: AuthUser,
    Query(f): Query<ImportFilter>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<ImportOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    if let Some(s) = &f.state
        && !["queued", "running", "done", "failed", "duplicate"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "state",
            "must be queued, running, done, failed or duplicate",
        ));
    }
    let (items, total) =
        jobs::list(&state.pool, f.state.as_deref(), f.source_id, limit, offset).await?;
    Ok(axum::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(get, path = "/api/traffic/imports/{id}", tag = "traffic", params(("id" = Uuid, Path)),
    responses((status = 200, body = ImportOut), (status = 404, body = crate::error::Problem)))]
async fn get_import(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ImportOut>> {
    user.require(policy::READ_BOOKS)?;
    Ok(axum::Json(jobs::load(&state.pool, id).await?))
}

#[utoipa::path(get, path = "/api/traffic/imports/{id}/errors", tag = "traffic",
    params(("id" = Uuid, Path), Paging),
    responses((status = 200, body = Page<ImportErrorOut>), (status = 404, body = crate::error::Problem)))]
async fn import_errors(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Page<ImportErrorOut>>> {
    user.require(policy::READ_BOOKS)?;
    let import = jobs::load(&state.pool, id).await?;
    let (limit, offset) = paging.resolve()?;
    let items = stored_errors(&state.pool, id, limit, offset).await?;
    Ok(axum::Json(Page {
        items,
        // Every invalid row is counted; at most MAX_STORED_ERRORS are kept to page through.
        total: import
            .rows_failed
            .max(0)
            .min(app::traffic::imports::MAX_STORED_ERRORS as i64),
        limit,
        offset,
    }))
}

#[utoipa::path(get, path = "/api/traffic/imports/{id}/events", tag = "traffic", params(("id" = Uuid, Path)),
    responses((status = 200, description = "Server-sent events: `progress` with the import as JSON until it ends",
               content_type = "text/event-stream")))]
async fn import_events(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    user.require(policy::READ_BOOKS)?;
    jobs::load(&state.pool, id).await?;
    let pool = state.pool.clone();
    // Polls the job row: progress is written by whichever instance runs the import.
    let stream = futures::stream::unfold(
        (pool, None::<String>, false),
        move |(pool, last, ended)| async move {
            if ended {
                return None;
            }
            loop {
                let Ok(import) = jobs::load(&pool, id).await else {
                    return None;
                };
                let json = serde_json::to_string(&import).unwrap_or_default();
                let finished = !matches!(import.state.as_str(), "queued" | "running");
                if last.as_deref() != Some(json.as_str()) {
                    let event = Event::default().event("progress").data(json.clone());
                    return Some((Ok(event), (pool, Some(json), finished)));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRequest {
    /// Apply the valid rows this time (default: as before).
    pub accept_valid: Option<bool>,
}

#[utoipa::path(post, path = "/api/traffic/imports/{id}/retry", tag = "traffic", params(("id" = Uuid, Path)),
    request_body = RetryRequest,
    responses((status = 202, body = ImportOut), (status = 409, body = crate::error::Problem)))]
async fn retry_import(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<RetryRequest>,
) -> ApiResult<(StatusCode, axum::Json<ImportOut>)> {
    user.require(policy::WRITE_TRAFFIC)?;
    let import = jobs::load(&state.pool, id).await?;
    if import.state != "failed" {
        return Err(ApiError::conflict(
            "not_retryable",
            format!(
                "only failed imports can be retried; this one is {}",
                import.state
            ),
        ));
    }
    let file = jobs::file_path(&state.pool, id).await?;
    if !tokio::fs::try_exists(&file).await.unwrap_or(false) {
        return Err(ApiError::conflict(
            "upload_deleted",
            format!(
                "the file of this import was deleted (uploads are kept {} days, \
                 LEDGER_UPLOAD_KEEP_DAYS); upload it again",
                state.settings.upload_keep_days
            ),
        ));
    }
    jobs::requeue(&state.pool, id, body.accept_valid).await?;
    state.imports.wake();
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(jobs::load(&state.pool, id).await?),
    ))
}

/// Rows of one campaign key that no campaign claims.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedKey {
    /// spend (a source's report) or results (a tracker's).
    pub side: String,
    /// The source of a spend report (absent for tracker rows).
    pub source_id: Option<Uuid>,
    pub campaign_key: String,
    pub campaign_name: Option<String>,
    pub rows: i64,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    #[schema(value_type = String)]
    pub spend: rust_decimal::Decimal,
    #[schema(value_type = String)]
    pub revenue: rust_decimal::Decimal,
}

#[utoipa::path(get, path = "/api/traffic/imports/{id}/unmatched", tag = "traffic", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<UnmatchedKey>)))]
async fn unmatched_keys(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<UnmatchedKey>>> {
    user.require(policy::READ_BOOKS)?;
    jobs::load(&state.pool, id).await?;
    unmatched(&state, Some(id)).await
}

#[utoipa::path(get, path = "/api/traffic/unmatched", tag = "traffic",
    responses((status = 200, body = Vec<UnmatchedKey>)))]
async fn all_unmatched(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Vec<UnmatchedKey>>> {
    user.require(policy::READ_BOOKS)?;
    unmatched(&state, None).await
}

async fn unmatched(
    state: &AppState,
    import_id: Option<Uuid>,
) -> ApiResult<axum::Json<Vec<UnmatchedKey>>> {
    let rows = projections::traffic::unmatched(&state.pool, import_id).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|u| UnmatchedKey {
                side: u.side,
                source_id: u.source_id,
                campaign_key: u.campaign_key,
                campaign_name: u.campaign_name,
                rows: u.rows,
                first_date: u.first_date,
                last_date: u.last_date,
                spend: u.spend,
                revenue: u.revenue,
            })
            .collect(),
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list_imports))
        .routes(routes!(get_import))
        .routes(routes!(import_errors))
        .routes(routes!(import_events))
        .routes(routes!(retry_import))
        .routes(routes!(unmatched_keys))
        .routes(routes!(all_unmatched))
        // Uploads stream to disk: the size check is in the handler, not a body limit.
        .layer(DefaultBodyLimit::disable())
}
