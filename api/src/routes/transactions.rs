//! Transactions over HTTP: the general multi-leg form and the income, expense and transfer
//! shorthands, batches, reversal and edit.

use std::collections::HashMap;

use crate::extract::Path;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use domain::account::{Account, AccountSpec};
use domain::crypto::{CryptoDetails, CryptoVerification};
use domain::money::Currency;
use domain::transaction::shorthand::Shorthand;
use domain::transaction::{
    LegInput, Origin, PostTransaction, Price, TransactionKind, TransactionPosted,
};
use projections::queries::{self, TransactionFilter, TransactionRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, OptionalJson, Query};
use crate::idempotency::IdempotencyKey;
use crate::state::AppState;
use app::ledger::Actor;
use app::ledger::transactions::{self as ledger, PostRequest, Posted, transaction_id};
use eventstore as store;

/// How a leg is valued in another currency: per unit (`rate`) or in total (`total`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PriceIn {
    #[schema(example = "USD")]
    pub currency: String,
    pub rate: Option<Decimal>,
    pub total: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryIn {
    pub account_id: Uuid,
    /// Signed decimal string in the account's currency: debit positive, credit negative.
    #[schema(value_type = String, example = "100.00")]
    pub amount: Decimal,
    pub price: Option<PriceIn>,
    pub memo: Option<String>,
}

/// Money in: `account_id` (bank, cash, wallet...) is debited, `income_account_id` credited.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncomeIn {
    pub account_id: Uuid,
    pub income_account_id: Uuid,
    #[schema(value_type = String)]
    pub amount: Decimal,
}

/// Money out: `expense_account_id` is debited, `account_id` credited.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExpenseIn {
    pub account_id: Uuid,
    pub expense_account_id: Uuid,
    #[schema(value_type = String)]
    pub amount: Decimal,
}

/// Between two accounts. Across currencies give `rate` (units of the target currency per unit
/// of the source) or `to_amount`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferIn {
    pub from_account_id: Uuid,
    pub to_account_id: Uuid,
    #[schema(value_type = String)]
    pub amount: Decimal,
    #[schema(value_type = Option<String>)]
    pub rate: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub to_amount: Option<Decimal>,
}

/// A transaction: `entries` (general form) or exactly one of `income`, `expense`, `transfer`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransactionIn {
    pub date: NaiveDate,
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
    /// A repeated key returns the first result instead of posting again.
    pub idempotency_key: Option<String>,
    /// The on-chain transfer behind the posting (needs an entry on a crypto_wallet account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<CryptoDetails>,
    /// Makes this an adjustment of a closed month (any day of it): the correction is dated in
    /// an open period and reports show it as belonging to that month's close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusts: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceOut {
    pub currency: String,
    #[schema(value_type = String)]
    pub total: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub account_id: Uuid,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<PriceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionOut {
    pub id: Uuid,
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub description: String,
    pub entries: Vec<EntryOut>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub reverses: Option<Uuid>,
    pub replaces: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub replaced_by: Option<Uuid>,
    /// The document this posting belongs to (a payout, an invoice, a schedule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// The on-chain transfer behind the posting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto: Option<CryptoDetails>,
    /// The latest check of `crypto` against the chain (absent: never verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto_verification: Option<CryptoVerification>,
    /// The closed month this adjustment corrects (its first day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusts: Option<NaiveDate>,
    /// Log position of the posting; pass as `min_position` to read it back.
    pub position: i64,
}

fn out_from_posted(
    id: Uuid,
    p: &TransactionPosted,
    position: i64,
    reversed_by: Option<Uuid>,
    replaced_by: Option<Uuid>,
) -> TransactionOut {
    TransactionOut {
        id,
        date: p.date,
        kind: p.kind,
        description: p.description.clone(),
        entries: p
            .legs
            .iter()
            .map(|l| EntryOut {
                account_id: l.account_id,
                amount: l.amount,
                currency: l.currency.code().to_string(),
                price: l.weight.map(|w| PriceOut {
                    currency: w.currency.code().to_string(),
                    total: w.amount.abs(),
                }),
                memo: l.memo.clone(),
            })
            .collect(),
        project_id: p.project_id,
        category_id: p.category_id,
        counterparty_id: p.counterparty_id,
        tags: p.tags.clone(),
        reverses: p.reverses,
        replaces: p.replaces,
        reversed_by,
        replaced_by,
        origin: p.origin,
        crypto: p.crypto.as_deref().cloned(),
        crypto_verification: None,
        adjusts: p.adjusts,
        position,
    }
}

fn out_from_row(r: TransactionRow) -> ApiResult<TransactionOut> {
    Ok(TransactionOut {
        id: r.id,
        date: r.date,
        kind: serde_json::from_value(serde_json::Value::String(r.kind))
            .map_err(ApiError::internal)?,
        description: r.description,
        entries: r
            .postings
            .into_iter()
            .map(|p| EntryOut {
                account_id: p.account_id,
                amount: p.amount,
                currency: p.currency,
                price: p
                    .weight_currency
                    .zip(p.weight_amount)
                    .map(|(currency, a)| PriceOut {
                        currency,
                        total: a.abs(),
                    }),
                memo: p.memo,
            })
            .collect(),
        project_id: r.project_id,
        category_id: r.category_id,
        counterparty_id: r.counterparty_id,
        tags: r.tags,
        reverses: r.reverses,
        replaces: r.replaces,
        reversed_by: r.reversed_by,
        replaced_by: r.replaced_by,
        origin: match (r.origin_kind, r.origin_id) {
            (Some(kind), Some(id)) => Some(Origin {
                kind: serde_json::from_value(serde_json::Value::String(kind))
                    .map_err(ApiError::internal)?,
                id,
            }),
            _ => None,
        },
        crypto: None,
        crypto_verification: None,
        adjusts: r.adjusts,
        position: r.position,
    })
}

fn posted_out(p: &Posted) -> TransactionOut {
    out_from_posted(p.id, &p.posted, p.position, None, None)
}

fn price(field: &str, p: &PriceIn) -> ApiResult<Price> {
    let currency = Currency::parse(&p.currency)?;
    match (p.rate, p.total) {
        (Some(rate), None) => Ok(Price::Rate { currency, rate }),
        (None, Some(total)) => Ok(Price::Total { currency, total }),
        _ => Err(ApiError::invalid(
            field,
            "give exactly one of `rate` and `total`",
        )),
    }
}

/// The short form the request gives, if any.
fn shorthand(body: &TransactionIn) -> Option<Shorthand> {
    if let Some(i) = &body.income {
        return Some(Shorthand::Income {
            account_id: i.account_id,
            income_account_id: i.income_account_id,
            amount: i.amount,
        });
    }
    if let Some(e) = &body.expense {
        return Some(Shorthand::Expense {
            account_id: e.account_id,
            expense_account_id: e.expense_account_id,
            amount: e.amount,
        });
    }
    body.transfer.as_ref().map(|t| Shorthand::Transfer {
        from_account_id: t.from_account_id,
        to_account_id: t.to_account_id,
        amount: t.amount,
        rate: t.rate,
        to_amount: t.to_amount,
    })
}

/// Turns the request into the domain command. `currencies` knows the accounts a transfer names.
fn to_command(
    body: &TransactionIn,
    currencies: &HashMap<Uuid, Currency>,
) -> ApiResult<PostTransaction> {
    let forms = [
        body.entries.is_some(),
        body.income.is_some(),
        body.expense.is_some(),
        body.transfer.is_some(),
    ];
    if forms.iter().filter(|f| **f).count() != 1 {
        return Err(ApiError::invalid(
            "entries",
            "give exactly one of `entries`, `income`, `expense` or `transfer`",
        ));
    }
    let (kind, legs) = if let Some(entries) = &body.entries {
        let legs = entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let price = e
                    .price
                    .as_ref()
                    .map(|p| price(&format!("entries[{i}].price"), p))
                    .transpose()?;
                Ok(LegInput::new(e.account_id, e.amount)
                    .with_price(price)
                    .with_memo(e.memo.clone()))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        (TransactionKind::Journal, legs)
    } else {
        shorthand(body)
            .expect("one form is present")
            .legs(|id| currencies.get(&id).copied())?
    };
    let fingerprint = hex::encode(Sha256::digest(
        serde_json::to_vec(body).map_err(ApiError::internal)?,
    ));
    Ok(PostTransaction {
        adjusts: body.adjusts,
        origin: None,
        date: body.date,
        kind,
        description: body.description.clone(),
        legs,
        project_id: body.project_id,
        category_id: body.category_id,
        counterparty_id: body.counterparty_id,
        tags: body.tags.clone(),
        idempotency_key: body.idempotency_key.clone(),
        fingerprint,
        reverses: None,
        replaces: None,
        crypto: body.crypto.clone().map(Box::new),
    })
}

/// Currencies of the accounts named by transfers (the other forms do not need them here).
async fn transfer_currencies(
    state: &AppState,
    bodies: &[&TransactionIn],
) -> ApiResult<HashMap<Uuid, Currency>> {
    let ids: Vec<String> = bodies
        .iter()
        .filter_map(|b| b.transfer.as_ref())
        .flat_map(|t| [t.from_account_id.to_string(), t.to_account_id.to_string()])
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut conn = state.pool.acquire().await?;
    let accounts = store::load_many::<Account>(&mut conn, &ids).await?;
    Ok(accounts
        .into_iter()
        .filter_map(|(k, (a, _))| {
            let spec: AccountSpec = a.spec?;
            Some((Uuid::parse_str(&k).ok()?, spec.currency))
        })
        .collect())
}

pub(crate) async fn requests(
    state: &AppState,
    bodies: &[&TransactionIn],
) -> ApiResult<Vec<PostRequest>> {
    keyed_requests(state, bodies, None).await
}

/// The posting requests of `bodies`. A body without its own `idempotency_key` under an
/// `Idempotency-Key` header gets an id derived from the header's key (in its user's scope) and
/// its place in the request, so a retry whose first answer was lost (a 503 after the commit)
/// lands on the same transaction instead of posting it twice.
pub(crate) async fn keyed_requests(
    state: &AppState,
    bodies: &[&TransactionIn],
    header_key: Option<&IdempotencyKey>,
) -> ApiResult<Vec<PostRequest>> {
    let currencies = transfer_currencies(state, bodies).await?;
    bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let id = match (&b.idempotency_key, header_key) {
                (None, Some(h)) => transaction_id(Some(&format!("header:{}:{i}", h.scoped()))),
                (key, _) => transaction_id(key.as_deref()),
            };
            Ok(PostRequest {
                id,
                command: to_command(b, &currencies)?,
            })
        })
        .collect()
}

/// Marks an answer that an earlier request with the same key produced.
fn replayed_header(replayed: bool) -> [(HeaderName, HeaderValue); 1] {
    let value = if replayed { "true" } else { "false" };
    [(
        HeaderName::from_static(crate::idempotency::REPLAYED_HEADER),
        HeaderValue::from_static(value),
    )]
}

#[utoipa::path(post, path = "/api/transactions", tag = "transactions", request_body = TransactionIn,
    responses((status = 201, description = "posted (or, with `Idempotent-Replayed: true`, posted earlier under the same idempotency key)", body = TransactionOut),
              (status = 422, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn post_transaction(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    key: Option<Extension<IdempotencyKey>>,
    Json(body): Json<TransactionIn>,
) -> ApiResult<impl IntoResponse> {
    user.require(policy::WRITE_BOOKS)?;
    let key = key.map(|Extension(k)| k);
    let mut reqs = keyed_requests(&state, &[&body], key.as_ref()).await?;
    let actor = Actor::api(user.id, request_id(&headers));
    let request = reqs.pop().ok_or_else(|| ApiError::internal("no request"))?;
    let p = state.committer.post(actor, request).await?;
    state.projector.nudge();
    // A repeated key answers what the first request answered (Stripe's semantics).
    Ok((
        StatusCode::CREATED,
        replayed_header(p.replayed),
        axum::Json(posted_out(&p)),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchIn {
    pub transactions: Vec<TransactionIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    pub items: Vec<TransactionOut>,
    pub position: i64,
}

#[utoipa::path(post, path = "/api/transactions/batch", tag = "transactions", request_body = BatchIn,
    responses((status = 201, body = BatchOut), (status = 422, body = crate::error::Problem)))]
async fn post_batch(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    key: Option<Extension<IdempotencyKey>>,
    Json(body): Json<BatchIn>,
) -> ApiResult<(StatusCode, axum::Json<BatchOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    if body.transactions.is_empty() || body.transactions.len() > ledger::MAX_BATCH {
        return Err(ApiError::invalid(
            "transactions",
            format!("give 1 to {} transactions", ledger::MAX_BATCH),
        ));
    }
    let bodies: Vec<&TransactionIn> = body.transactions.iter().collect();
    let key = key.map(|Extension(k)| k);
    let reqs = keyed_requests(&state, &bodies, key.as_ref())
        .await
        .map_err(|e| match e {
            ApiError::Status {
                status,
                code,
                detail,
                field,
            } => ApiError::Status {
                status,
                code,
                detail,
                field: field.map(|f| format!("transactions[?].{f}")),
            },
            other => other,
        })?;
    let actor = Actor::api(user.id, request_id(&headers));
    let posted = ledger::post_many(&state.pool, &actor, reqs).await?;
    state.projector.nudge();
    let position = posted.iter().map(|p| p.position).max().unwrap_or(0);
    Ok((
        StatusCode::CREATED,
        axum::Json(BatchOut {
            items: posted.iter().map(posted_out).collect(),
            position,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tag: Option<String>,
    /// Text in the description.
    pub q: Option<String>,
    pub kind: Option<TransactionKind>,
    /// Postings of one document (a payout, an invoice, a schedule).
    pub origin_id: Option<Uuid>,
    /// `true`: only adjustments of closed months; `false`: only ordinary postings.
    pub adjustments: Option<bool>,
}

#[utoipa::path(get, path = "/api/transactions", tag = "transactions", params(TransactionQuery, Paging, Consistency),
    responses((status = 200, body = Page<TransactionOut>)))]
async fn list_transactions(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<TransactionQuery>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<TransactionOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    if let (Some(f), Some(t)) = (q.from, q.to)
        && f > t
    {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    state.wait_for_position(consistency.min_position).await?;
    let filter = TransactionFilter {
        from: q.from,
        to: q.to,
        account_id: q.account_id,
        project_id: q.project_id,
        category_id: q.category_id,
        counterparty_id: q.counterparty_id,
        tag: q.tag,
        q: q.q.filter(|s| !s.trim().is_empty()),
        kind: q.kind.map(|k| k.as_str().to_string()),
        origin_id: q.origin_id,
        adjustments: q.adjustments,
    };
    let (rows, total) = queries::list_transactions(&state.pool, &filter, limit, offset).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut crypto = projections::crypto::for_transactions(&state.pool, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let mut out = out_from_row(r)?;
            if let Some((details, verification)) = crypto.remove(&out.id) {
                out.crypto = Some(details);
                out.crypto_verification = verification;
            }
            Ok(out)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(get, path = "/api/transactions/{id}", tag = "transactions", params(("id" = Uuid, Path)),
    responses((status = 200, body = TransactionOut), (status = 404, body = crate::error::Problem)))]
async fn get_transaction(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<TransactionOut>> {
    user.require(policy::READ_BOOKS)?;
    let (t, position) = ledger::load(&state.pool, id).await?;
    let posted = t
        .posted
        .as_ref()
        .ok_or_else(|| ApiError::not_found(format!("transaction {id}")))?;
    let mut out = out_from_posted(id, posted, position, t.reversed_by, t.replaced_by);
    out.crypto_verification = t.crypto_verification.clone();
    Ok(axum::Json(out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReverseIn {
    /// Date of the reversal (default today); must be in an open period.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReverseOut {
    pub reversal: TransactionOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<TransactionOut>,
    pub position: i64,
}

#[utoipa::path(post, path = "/api/transactions/{id}/reverse", tag = "transactions", params(("id" = Uuid, Path)),
    request_body = ReverseIn,
    responses((status = 201, body = ReverseOut), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn reverse_transaction(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<ReverseIn>,
) -> ApiResult<(StatusCode, axum::Json<ReverseOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let date = body.and_then(|b| b.date);
    let actor = Actor::api(user.id, request_id(&headers));
    let r = ledger::reverse(&state.pool, &actor, id, date, None).await?;
    state.projector.nudge();
    Ok((
        StatusCode::CREATED,
        axum::Json(ReverseOut {
            reversal: posted_out(&r.reversal),
            replacement: None,
            position: r.position,
        }),
    ))
}

#[utoipa::path(put, path = "/api/transactions/{id}", tag = "transactions", params(("id" = Uuid, Path)),
    request_body = TransactionIn,
    responses((status = 201, description = "reversed and replaced", body = ReverseOut), (status = 404, body = crate::error::Problem)))]
async fn edit_transaction(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<TransactionIn>,
) -> ApiResult<(StatusCode, axum::Json<ReverseOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let mut reqs = requests(&state, &[&body]).await?;
    let replacement = reqs.pop().ok_or_else(|| ApiError::internal("no request"))?;
    let actor = Actor::api(user.id, request_id(&headers));
    let r = ledger::reverse(&state.pool, &actor, id, Some(body.date), Some(replacement)).await?;
    state.projector.nudge();
    Ok((
        StatusCode::CREATED,
        axum::Json(ReverseOut {
            reversal: posted_out(&r.reversal),
            replacement: r.replacement.as_ref().map(posted_out),
            position: r.position,
        }),
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_transaction, list_transactions))
        .routes(routes!(post_batch))
        .routes(routes!(get_transaction, edit_transaction))
        .routes(routes!(reverse_transaction))
}
