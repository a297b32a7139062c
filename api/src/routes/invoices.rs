//! Invoices over HTTP: drafts (create, edit), issue, payments, cancel, list and show (with
//! lines, payments and the postings behind it). The status shown is derived when reading:
//! an issued or partly paid invoice past its due date with something open is "overdue".

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use domain::Currency;
use domain::invoice::{Direction, DraftInput, LineInput};
use domain::money::round_to_scale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id, sort_sql};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::idempotency::IdempotencyKey;
use crate::state::AppState;
use app::ledger::Actor;
use app::ledger::invoices::{self, IssueAccounts, PayOptions, PaymentSource};

/// The status as shown: the lifecycle status, or "overdue" for an open invoice past its due
/// date. `$1` is today.
const STATUS_SQL: &str = "CASE WHEN status IN ('issued', 'partially_paid') AND open > 0 AND due_date < $1 \
     THEN 'overdue' ELSE status END";

const STATUSES: [&str; 6] = [
    "draft",
    "issued",
    "partially_paid",
    "paid",
    "overdue",
    "cancelled",
];

/// Longest text search, in characters.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummary {
    pub id: Uuid,
    /// receivable (we bill) or payable (we are billed).
    pub direction: String,
    /// draft, issued, partially_paid, paid, overdue or cancelled.
    pub status: String,
    /// Our number, from the series (`INV-2026-00001`), once issued.
    pub number: Option<String>,
    pub series: Option<String>,
    /// The supplier's own number (payable invoices).
    pub external_number: Option<String>,
    pub counterparty_id: Uuid,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub notes: Option<String>,
    #[schema(value_type = String)]
    pub total: Decimal,
    /// Sum of the payments applied, in the invoice's currency.
    #[schema(value_type = String)]
    pub paid: Decimal,
    /// What is still owed (0 once paid or cancelled).
    #[schema(value_type = String)]
    pub open: Decimal,
    /// Paid beyond the total (recorded as the counterparty's credit).
    #[schema(value_type = String)]
    pub overpaid: Decimal,
    /// The counterparty's credit from this invoice: the overpayment, or every payment of a
    /// cancelled invoice.
    #[schema(value_type = String)]
    pub credit: Decimal,
    pub last_paid_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    /// When the daily job recorded it as overdue.
    pub overdue_since: Option<NaiveDate>,
    pub control_account_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    /// The issue's postings.
    pub transaction_ids: Vec<Uuid>,
    /// The reversals of those postings (cancellation).
    pub reversal_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow<'_, PgRow> for InvoiceSummary {
    fn from_row(r: &PgRow) -> Result<Self, sqlx::Error> {
        let status: String = r.try_get("shown_status")?;
        let currency: String = r.try_get("currency")?;
        // Zero comes back from PostgreSQL without its scale: print every amount at the
        // currency's (the values are exact, so nothing rounds).
        let money = |column: &str| -> Result<Decimal, sqlx::Error> {
            let v: Decimal = r.try_get(column)?;
            Ok(match Currency::parse(&currency) {
                Ok(c) => round_to_scale(v, c),
                Err(_) => v,
            })
        };
        let paid = money("paid")?;
        let overpaid = money("overpaid")?;
        Ok(Self {
            id: r.try_get("id")?,
            direction: r.try_get("direction")?,
            credit: if status == "cancelled" {
                paid
            } else {
                overpaid
            },
            status,
            number: r.try_get("number")?,
            series: r.try_get("series")?,
            external_number: r.try_get("external_number")?,
            counterparty_id: r.try_get("counterparty_id")?,
            issue_date: r.try_get("issue_date")?,
            due_date: r.try_get("due_date")?,
            notes: r.try_get("notes")?,
            total: money("total")?,
            paid,
            open: money("open")?,
            overpaid,
            last_paid_on: r.try_get("last_paid_on")?,
            cancelled_on: r.try_get("cancelled_on")?,
            overdue_since: r.try_get("overdue_since")?,
            control_account_id: r.try_get("control_account_id")?,
            account_id: r.try_get("account_id")?,
            transaction_ids: r.try_get("transaction_ids")?,
            currency,
            reversal_ids: r.try_get("reversal_ids")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct LineOut {
    pub description: String,
    #[schema(value_type = String)]
    pub quantity: Decimal,
    #[schema(value_type = String)]
    pub unit_price: Decimal,
    /// quantity × unit_price, rounded half-even to the currency's scale.
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct PaymentOut {
    pub date: NaiveDate,
    /// The posting that moved the money.
    pub transaction_id: Uuid,
    pub account_id: Option<Uuid>,
    /// What moved, in its own currency.
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub currency: String,
    /// Invoice currency per unit of the payment's currency.
    #[schema(value_type = Option<String>)]
    pub rate: Option<Decimal>,
    /// What it settled, in the invoice's currency.
    #[schema(value_type = String)]
    pub applied: Decimal,
    #[schema(value_type = String)]
    pub overpaid: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceOut {
    #[serde(flatten)]
    pub invoice: InvoiceSummary,
    pub lines: Vec<LineOut>,
    pub payments: Vec<PaymentOut>,
    /// The last write's log position.
    pub position: Option<i64>,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The invoice as the read side holds it once `position` is projected.
async fn read(state: &AppState, id: Uuid, position: Option<i64>) -> ApiResult<InvoiceOut> {
    state.wait_for_position(position).await?;
    let invoice = sqlx::query_as::<_, InvoiceSummary>(&format!(
        "SELECT *, {STATUS_SQL} AS shown_status FROM read.invoices WHERE id = $2"
    ))
    .bind(today())
    .bind(id)
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("invoice {id}")))?;
    let lines = sqlx::query_as::<_, LineOut>(
        "SELECT * FROM read.invoice_lines WHERE invoice_id = $1 ORDER BY n",
    )
    .bind(id)
    .fetch_all(&state.pool)
    .await?;
    let payments = sqlx::query_as::<_, PaymentOut>(
        "SELECT * FROM read.invoice_payments WHERE invoice_id = $1 ORDER BY n",
    )
    .bind(id)
    .fetch_all(&state.pool)
    .await?;
    Ok(InvoiceOut {
        invoice,
        lines,
        payments,
        position,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    pub description: String,
    #[schema(value_type = String)]
    pub quantity: Decimal,
    #[schema(value_type = String)]
    pub unit_price: Decimal,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceIn {
    /// receivable (we bill) or payable (we are billed): required when creating, refused when
    /// updating (it is set at creation and never changes). One body type serves both, so the
    /// schema cannot mark it required.
    pub direction: Option<Direction>,
    pub counterparty_id: Uuid,
    #[schema(example = "USD")]
    pub currency: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// The supplier's own number (payable invoices).
    pub external_number: Option<String>,
    pub notes: Option<String>,
    /// 1 to 200 lines.
    pub lines: Vec<LineIn>,
}

impl InvoiceIn {
    fn into_domain(self) -> Result<DraftInput, ApiError> {
        let currency = Currency::parse(&self.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        Ok(DraftInput {
            counterparty_id: self.counterparty_id,
            currency,
            issue_date: self.issue_date,
            due_date: self.due_date,
            external_number: self.external_number,
            notes: self.notes,
            lines: self
                .lines
                .into_iter()
                .map(|l| LineInput {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    project_id: l.project_id,
                    category_id: l.category_id,
                })
                .collect(),
        })
    }
}

#[utoipa::path(post, operation_id = "create_invoice", path = "/api/invoices", tag = "invoices", request_body = InvoiceIn,
    responses((status = 201, body = InvoiceOut), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<InvoiceIn>,
) -> ApiResult<(StatusCode, axum::Json<InvoiceOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let id = Uuid::now_v7();
    let actor = Actor::api(user.id, request_id(&headers));
    let direction = body
        .direction
        .ok_or_else(|| ApiError::invalid("direction", "is required: receivable or payable"))?;
    let w = invoices::create(&state.pool, &actor, id, direction, body.into_domain()?).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(read(&state, id, Some(w.position)).await?),
    ))
}

#[utoipa::path(put, operation_id = "update_invoice", path = "/api/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = InvoiceIn,
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<InvoiceIn>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    user.require(policy::WRITE_BOOKS)?;
    if body.direction.is_some() {
        return Err(ApiError::invalid(
            "direction",
            "is set at creation and cannot change",
        ));
    }
    let actor = Actor::api(user.id, request_id(&headers));
    let w = invoices::update(&state.pool, &actor, id, body.into_domain()?).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    /// receivable or payable.
    pub direction: Option<Direction>,
    /// draft, issued, partially_paid, paid, overdue or cancelled.
    pub status: Option<String>,
    pub counterparty_id: Option<Uuid>,
    pub currency: Option<String>,
    /// Our number or the supplier's, from its start (`INV-2026-0`).
    pub number: Option<String>,
    pub issue_from: Option<NaiveDate>,
    pub issue_to: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// Text in the number, the supplier's number, the notes or a line's description.
    pub q: Option<String>,
    /// issue_date (default, newest first), due_date, number, total, open; `-` in front reverses.
    pub sort: Option<String>,
}

const SORTS: &[(&str, &str)] = &[
    ("-issue_date", "issue_date DESC, id DESC"),
    ("issue_date", "issue_date, id"),
    ("due_date", "due_date, id"),
    ("-due_date", "due_date DESC, id DESC"),
    ("number", "number NULLS LAST, id"),
    ("-number", "number DESC NULLS LAST, id DESC"),
    ("total", "total, id"),
    ("-total", "total DESC, id DESC"),
    ("open", "open, id"),
    ("-open", "open DESC, id DESC"),
];

#[utoipa::path(get, operation_id = "list_invoices", path = "/api/invoices", tag = "invoices", params(InvoiceFilter, Paging, Consistency),
    responses((status = 200, body = Page<InvoiceSummary>), (status = 422, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(f): Query<InvoiceFilter>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<InvoiceSummary>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    if let Some(s) = &f.status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            format!("must be one of {}", STATUSES.join(", ")),
        ));
    }
    let currency = f
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
    for (field, text) in [("q", &f.q), ("number", &f.number)] {
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_QUERY_CHARS)
        {
            return Err(ApiError::invalid(
                field,
                format!("at most {MAX_QUERY_CHARS} characters"),
            ));
        }
    }
    let order = sort_sql(f.sort.as_deref(), SORTS)?;
    state.wait_for_position(consistency.min_position).await?;
    let number = f
        .number
        .as_deref()
        .map(|n| format!("{}%", projections::queries::escape_like(n)));
    let q =
        f.q.as_deref()
            .map(|n| format!("%{}%", projections::queries::escape_like(n)));
    let filter = format!(
        "($2::text IS NULL OR direction = $2) AND ($3::text IS NULL OR {STATUS_SQL} = $3) \
         AND ($4::uuid IS NULL OR counterparty_id = $4) AND ($5::text IS NULL OR currency = $5) \
         AND ($6::text IS NULL OR number ILIKE $6 OR external_number ILIKE $6) \
         AND ($7::date IS NULL OR issue_date >= $7) AND ($8::date IS NULL OR issue_date <= $8) \
         AND ($9::date IS NULL OR due_date >= $9) AND ($10::date IS NULL OR due_date <= $10) \
         AND ($11::text IS NULL OR number ILIKE $11 OR external_number ILIKE $11 OR notes ILIKE $11 \
              OR EXISTS (SELECT 1 FROM read.invoice_lines l WHERE l.invoice_id = i.id AND l.description ILIKE $11))"
    );
    macro_rules! bind_filter {
        ($query:expr) => {
            $query
                .bind(today())
                .bind(f.direction.map(Direction::as_str))
                .bind(&f.status)
                .bind(f.counterparty_id)
                .bind(currency.map(Currency::code))
                .bind(&number)
                .bind(f.issue_from)
                .bind(f.issue_to)
                .bind(f.due_from)
                .bind(f.due_to)
                .bind(&q)
        };
    }
    let items = bind_filter!(sqlx::query_as::<_, InvoiceSummary>(&format!(
        "SELECT *, {STATUS_SQL} AS shown_status FROM read.invoices i WHERE {filter} \
         ORDER BY {order} LIMIT $12 OFFSET $13"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await?;
    let total: i64 = bind_filter!(sqlx::query_scalar(&format!(
        "SELECT count(*) FROM read.invoices i WHERE {filter}"
    )))
    .fetch_one(&state.pool)
    .await?;
    Ok(axum::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(get, operation_id = "get_invoice", path = "/api/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path), Consistency),
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    user.require(policy::READ_BOOKS)?;
    Ok(axum::Json(
        read(&state, id, consistency.min_position).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// Accounts receivable (an asset account) for a receivable invoice, accounts payable (a
    /// liability account) for a payable one; in the invoice's currency.
    pub control_account_id: Uuid,
    /// Income account (receivable) or expense account (payable), in the invoice's currency.
    pub account_id: Uuid,
}

#[utoipa::path(post, operation_id = "issue_invoice", path = "/api/invoices/{id}/issue", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = IssueIn,
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn issue(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<IssueIn>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let accounts = IssueAccounts {
        control_account_id: body.control_account_id,
        account_id: body.account_id,
    };
    let w = invoices::issue(&state.pool, &actor, id, accounts).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    /// Apply a posting that already moved the money against the invoice's control account
    /// (then give nothing else).
    pub transaction_id: Option<Uuid>,
    /// Date of the movement (required without `transaction_id`).
    pub date: Option<NaiveDate>,
    /// Bank, cash, card or crypto wallet account the money moved through.
    pub account_id: Option<Uuid>,
    /// What moved, in the account's currency.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    /// The account's currency (checked when given).
    pub currency: Option<String>,
    /// Units of the invoice's currency per unit of the payment's, when they differ.
    #[schema(value_type = Option<String>)]
    pub rate: Option<Decimal>,
    /// Accept a payment beyond the open amount and record the excess as the counterparty's
    /// credit (default: refused with `invoice_overpayment`).
    #[serde(default)]
    pub allow_overpayment: bool,
}

impl PaymentIn {
    fn source(self) -> Result<PaymentSource, ApiError> {
        if let Some(transaction_id) = self.transaction_id {
            if self.account_id.is_some() || self.amount.is_some() || self.rate.is_some() {
                return Err(ApiError::invalid(
                    "transaction_id",
                    "applies a posted transaction: give no account, amount or rate",
                ));
            }
            return Ok(PaymentSource::Posted { transaction_id });
        }
        let missing = |field: &str| ApiError::invalid(field, "is required");
        Ok(PaymentSource::Money {
            date: self.date.ok_or_else(|| missing("date"))?,
            account_id: self.account_id.ok_or_else(|| missing("account_id"))?,
            amount: self.amount.ok_or_else(|| missing("amount"))?,
            currency: self
                .currency
                .as_deref()
                .map(Currency::parse)
                .transpose()
                .map_err(|e| ApiError::invalid("currency", e.to_string()))?,
            rate: self.rate,
        })
    }
}

#[utoipa::path(post, operation_id = "pay_invoice", path = "/api/invoices/{id}/payments", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = PaymentIn,
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn pay(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<Uuid>,
    Json(body): Json<PaymentIn>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let options = PayOptions {
        allow_overpayment: body.allow_overpayment,
        idempotency_key: key.map(|Extension(k)| k.scoped()),
    };
    let w = invoices::pay(&state.pool, &actor, id, body.source()?, options).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    /// Date of the reversal postings (default today).
    pub date: Option<NaiveDate>,
}

#[utoipa::path(post, operation_id = "cancel_invoice", path = "/api/invoices/{id}/cancel", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = CancelIn,
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<CancelIn>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = invoices::cancel(&state.pool, &actor, id, body.date).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get, update))
        .routes(routes!(issue))
        .routes(routes!(pay))
        .routes(routes!(cancel))
}
