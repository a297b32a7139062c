//! Recurring payments over HTTP: create, list, show (with the days posted or failed), update,
//! pause, resume, end; and `POST /api/recurring/run`, which posts every due day now.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use domain::recurring::Schedule;
use domain::recurring_payment::{Definition, RecurringCommand, RecurringPayment, Template};
use domain::transaction::{Price, TransactionKind};
use serde::{Deserialize, Serialize};
use sqlx::types::Json as SqlJson;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id, sort_sql};
use super::transactions::{EntryIn, ExpenseIn, IncomeIn, PriceIn, TransactionIn, TransferIn};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, OptionalJson, Path, Query};
use crate::state::AppState;
use app::ledger::Actor;
use app::ledger::recurring::{self, RunReport};

/// Most days `GET /api/recurring/{id}` lists (the latest first).
pub const MAX_OCCURRENCES_SHOWN: i64 = 500;

/// What each day posts: the body of `POST /api/transactions` without `date` and
/// `idempotency_key` (the runner sets both: the day, and `recurring:{id}:{day}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    pub description: String,
    pub entries: Option<Vec<EntryIn>>,
    pub income: Option<IncomeIn>,
    pub expense: Option<ExpenseIn>,
    pub transfer: Option<TransferIn>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringIn {
    pub name: String,
    pub template: TemplateIn,
    pub schedule: Schedule,
    /// First day the schedule may fall on.
    pub start: NaiveDate,
    /// Last day it may fall on (none: open-ended).
    pub end: Option<NaiveDate>,
}

/// A template as stored: always in the general `entries` form, with the kind it was made as.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    pub kind: TransactionKind,
    pub description: String,
    pub entries: Vec<EntryIn>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PauseOut {
    pub from: NaiveDate,
    /// The day it resumed (exclusive); none while paused.
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceOut {
    pub date: NaiveDate,
    /// posted or failed.
    pub status: String,
    pub transaction_id: Option<Uuid>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecurringOut {
    pub id: Uuid,
    pub name: String,
    /// active, paused or ended.
    pub status: String,
    pub schedule: Schedule,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Ended: no day after this one posts.
    pub ended_after: Option<NaiveDate>,
    pub template: TemplateOut,
    /// The next days that will post (days missed while the server was down come first);
    /// while paused only the days before the pause, once ended only days up to the end.
    pub next_runs: Vec<NaiveDate>,
    /// The last day handled (posted or failed).
    pub handled_through: Option<NaiveDate>,
    pub posted: i64,
    pub failed: i64,
    pub pauses: Vec<PauseOut>,
    /// The days handled, latest first (on `GET /api/recurring/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<Vec<OccurrenceOut>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The last write's log position.
    pub position: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    status: String,
    next_runs: Vec<NaiveDate>,
    posted: i64,
    failed: i64,
    state: SqlJson<RecurringPayment>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn template_out(t: Template) -> TemplateOut {
    TemplateOut {
        kind: t.kind,
        description: t.description,
        entries: t
            .legs
            .into_iter()
            .map(|l| EntryIn {
                account_id: l.account_id,
                amount: l.amount,
                price: l.price.map(|p| match p {
                    Price::Rate { currency, rate } => PriceIn {
                        currency: currency.code().to_string(),
                        rate: Some(rate),
                        total: None,
                    },
                    Price::Total { currency, total } => PriceIn {
                        currency: currency.code().to_string(),
                        rate: None,
                        total: Some(total),
                    },
                }),
                memo: l.memo,
            })
            .collect(),
        project_id: t.project_id,
        category_id: t.category_id,
        counterparty_id: t.counterparty_id,
        tags: t.tags,
    }
}

fn out(r: Row) -> ApiResult<RecurringOut> {
    let state = r.state.0;
    let def = state
        .definition
        .ok_or_else(|| ApiError::internal("recurring payment without definition"))?;
    Ok(RecurringOut {
        id: r.id,
        name: def.name,
        status: r.status,
        schedule: def.schedule,
        start: def.start,
        end: def.end,
        ended_after: state.ended_after,
        template: template_out(def.template),
        next_runs: r.next_runs,
        handled_through: state.handled_through,
        posted: r.posted,
        failed: r.failed,
        pauses: state
            .pauses
            .into_iter()
            .map(|p| PauseOut {
                from: p.from,
                until: p.until,
            })
            .collect(),
        occurrences: None,
        created_at: r.created_at,
        updated_at: r.updated_at,
        position: None,
    })
}

const COLUMNS: &str = "id, status, next_runs, posted, failed, state, created_at, updated_at";

/// The schedule as the read side holds it once `position` is projected, with its days.
async fn read(state: &AppState, id: Uuid, position: Option<i64>) -> ApiResult<RecurringOut> {
    state.wait_for_position(position).await?;
    let row = sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM read.recurring WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("recurring payment {id}")))?;
    let mut o = out(row)?;
    let days: Vec<(NaiveDate, String, Option<Uuid>, Option<String>)> = sqlx::query_as(
        "SELECT date, status, transaction_id, reason FROM read.recurring_occurrences \
         WHERE recurring_id = $1 ORDER BY date DESC LIMIT $2",
    )
    .bind(id)
    .bind(MAX_OCCURRENCES_SHOWN)
    .fetch_all(&state.pool)
    .await?;
    o.occurrences = Some(
        days.into_iter()
            .map(|(date, status, transaction_id, reason)| OccurrenceOut {
                date,
                status,
                transaction_id,
                reason,
            })
            .collect(),
    );
    o.position = position;
    Ok(o)
}

/// The definition of `body`: its template through the same conversion (and account lookups)
/// as `POST /api/transactions`.
async fn definition(state: &AppState, body: RecurringIn) -> ApiResult<Definition> {
    let t = body.template;
    let as_transaction = TransactionIn {
        date: body.start,
        description: t.description,
        entries: t.entries,
        income: t.income,
        expense: t.expense,
        transfer: t.transfer,
        project_id: t.project_id,
        category_id: t.category_id,
        counterparty_id: t.counterparty_id,
        tags: t.tags,
        idempotency_key: None,
        // A schedule posts ordinary transactions: crypto details belong to one transfer, and
        // a correction of a closed month is a one-off.
        crypto: None,
        adjusts: None,
    };
    let request = super::transactions::requests(state, &[&as_transaction])
        .await
        .map_err(|e| match e {
            ApiError::Status {
                status,
                code,
                detail,
                field: Some(f),
            } => ApiError::Status {
                status,
                code,
                detail,
                field: Some(format!("template.{f}")),
            },
            e => e,
        })?
        .pop()
        .ok_or_else(|| ApiError::internal("no request"))?;
    Ok(Definition {
        name: body.name,
        template: Template::from_command(request.command),
        schedule: body.schedule,
        start: body.start,
        end: body.end,
    })
}

#[utoipa::path(post, operation_id = "create_recurring", path = "/api/recurring", tag = "recurring", request_body = RecurringIn,
    responses((status = 201, body = RecurringOut), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<RecurringIn>,
) -> ApiResult<(StatusCode, axum::Json<RecurringOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let id = Uuid::now_v7();
    let def = definition(&state, body).await?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = recurring::create(&state.pool, &actor, id, def).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(read(&state, id, Some(w.position)).await?),
    ))
}

#[utoipa::path(put, operation_id = "update_recurring", path = "/api/recurring/{id}", tag = "recurring", params(("id" = Uuid, Path)),
    request_body = RecurringIn,
    responses((status = 200, body = RecurringOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<RecurringIn>,
) -> ApiResult<axum::Json<RecurringOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let def = definition(&state, body).await?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = recurring::update(&state.pool, &actor, id, def).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

/// Sort keys of the list (a leading `-` sorts descending).
const SORTS: &[(&str, &str)] = &[
    ("next_run", "next_run ASC NULLS LAST, id"),
    ("-next_run", "next_run DESC NULLS LAST, id"),
    ("name", "lower(name), id"),
    ("-name", "lower(name) DESC, id"),
    ("start", "start_date, id"),
    ("-start", "start_date DESC, id"),
    ("created_at", "created_at, id"),
    ("-created_at", "created_at DESC, id"),
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecurringFilter {
    /// active, paused or ended.
    pub status: Option<String>,
    /// daily, weekly, monthly, yearly or cron.
    pub frequency: Option<String>,
    /// Text search in the name and the template's description.
    pub q: Option<String>,
    /// next_run (default), name, start, created_at; `-` first for descending.
    pub sort: Option<String>,
}

#[utoipa::path(get, path = "/api/recurring", tag = "recurring", operation_id = "list_recurring", params(RecurringFilter, Paging, Consistency),
    responses((status = 200, body = Page<RecurringOut>), (status = 422, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(f): Query<RecurringFilter>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<RecurringOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    let sort = sort_sql(f.sort.as_deref(), SORTS)?;
    if let Some(s) = &f.status
        && !["active", "paused", "ended"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            "must be active, paused or ended",
        ));
    }
    if let Some(s) = &f.frequency
        && !["daily", "weekly", "monthly", "yearly", "cron"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "frequency",
            "must be daily, weekly, monthly, yearly or cron",
        ));
    }
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| {
                format!(
                    "%{}%",
                    q.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
    state.wait_for_position(consistency.min_position).await?;
    let filter = "($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR frequency = $2) \
                  AND ($3::text IS NULL OR name ILIKE $3 OR description ILIKE $3)";
    let rows = sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM read.recurring WHERE {filter} ORDER BY {sort} LIMIT $4 OFFSET $5"
    ))
    .bind(&f.status)
    .bind(&f.frequency)
    .bind(&q)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM read.recurring WHERE {filter}"
    ))
    .bind(&f.status)
    .bind(&f.frequency)
    .bind(&q)
    .fetch_one(&state.pool)
    .await?;
    Ok(axum::Json(Page {
        items: rows.into_iter().map(out).collect::<ApiResult<_>>()?,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(get, path = "/api/recurring/{id}", tag = "recurring", operation_id = "get_recurring", params(("id" = Uuid, Path), Consistency),
    responses((status = 200, body = RecurringOut), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<RecurringOut>> {
    user.require(policy::READ_BOOKS)?;
    Ok(axum::Json(
        read(&state, id, consistency.min_position).await?,
    ))
}

/// A day for pause, resume or end (default: today, UTC).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIn {
    /// pause: the first day not posted; resume: the first day posted again; end: the last day
    /// posted.
    pub date: Option<NaiveDate>,
}

/// Pauses, resumes or ends schedule `id` and answers it as it then stands.
async fn change(
    state: &AppState,
    user: &AuthUser,
    headers: &HeaderMap,
    id: Uuid,
    command: RecurringCommand,
) -> ApiResult<axum::Json<RecurringOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(headers));
    let w = recurring::execute(&state.pool, &actor, id, command).await?;
    Ok(axum::Json(read(state, id, Some(w.position)).await?))
}

fn day(body: Option<DayIn>) -> NaiveDate {
    body.and_then(|b| b.date)
        .unwrap_or_else(|| Utc::now().date_naive())
}

#[utoipa::path(post, operation_id = "pause_recurring", path = "/api/recurring/{id}/pause", tag = "recurring", params(("id" = Uuid, Path)),
    request_body(content = Option<DayIn>),
    responses((status = 200, body = RecurringOut), (status = 409, body = crate::error::Problem)))]
async fn pause(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<DayIn>,
) -> ApiResult<axum::Json<RecurringOut>> {
    change(
        &state,
        &user,
        &headers,
        id,
        RecurringCommand::Pause { from: day(body) },
    )
    .await
}

/// Resuming skips the paused days: they are never posted.
#[utoipa::path(post, operation_id = "resume_recurring", path = "/api/recurring/{id}/resume", tag = "recurring", params(("id" = Uuid, Path)),
    request_body(content = Option<DayIn>),
    responses((status = 200, body = RecurringOut), (status = 409, body = crate::error::Problem)))]
async fn resume(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<DayIn>,
) -> ApiResult<axum::Json<RecurringOut>> {
    change(
        &state,
        &user,
        &headers,
        id,
        RecurringCommand::Resume { on: day(body) },
    )
    .await
}

/// Ends the schedule after the day given: days up to it not yet posted still post.
#[utoipa::path(post, operation_id = "end_recurring", path = "/api/recurring/{id}/end", tag = "recurring", params(("id" = Uuid, Path)),
    request_body(content = Option<DayIn>),
    responses((status = 200, body = RecurringOut), (status = 409, body = crate::error::Problem)))]
async fn end(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<DayIn>,
) -> ApiResult<axum::Json<RecurringOut>> {
    change(
        &state,
        &user,
        &headers,
        id,
        RecurringCommand::End { after: day(body) },
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// Pretend this is today (only when the server allows a fake clock).
    pub today: Option<NaiveDate>,
    /// Also post due days older than the catch-up horizon
    /// (`LEDGER_RECURRING_MAX_CATCHUP_DAYS`); without it they are listed as `skipped`.
    pub catch_up: Option<bool>,
}

/// Posts every due day now (the scheduler does the same every few minutes).
#[utoipa::path(post, operation_id = "run_recurring", path = "/api/recurring/run", tag = "recurring", params(RunQuery),
    responses((status = 200, body = RunReport), (status = 422, body = crate::error::Problem)))]
async fn run(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Query(q): Query<RunQuery>,
) -> ApiResult<axum::Json<RunReport>> {
    user.require(policy::ADMIN)?;
    let today = match q.today {
        Some(_) if !state.settings.recurring_fake_clock => {
            return Err(ApiError::invalid(
                "today",
                "this server does not allow another day (LEDGER_RECURRING_FAKE_CLOCK)",
            ));
        }
        Some(d) => d,
        None => Utc::now().date_naive(),
    };
    let actor = Actor::api(user.id, request_id(&headers));
    let options = recurring::RunOptions::new(
        today,
        state.settings.recurring_max_catchup_days,
        q.catch_up.unwrap_or(false),
    );
    let report = recurring::run_due(&state.pool, &actor, options).await?;
    state.projector.nudge();
    state.wait_for_position(Some(report.position)).await?;
    Ok(axum::Json(report))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get, update))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(end))
        .routes(routes!(run))
}
