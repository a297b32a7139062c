//! Reference data over HTTP: accounts, projects, categories, counterparties. Every kind gets
//! the same five routes from one macro; only its filters and create rules differ.

use crate::extract::Path;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::account::{AccountKind, AccountSpec, AccountType};
use domain::category::{CategoryContext, CategorySpec, ParentFacts};
use domain::counterparty::CounterpartySpec;
use domain::entity::{Entity, EntityCommand, EntitySpec};
use domain::project::ProjectSpec;
use projections::queries::{self, ENTITY_SORTS, EntityFilter, EntityRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id, sort_sql};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query, parse_json};
use crate::state::AppState;
use app::ledger::{Actor, entities};
use eventstore as store;

/// An entity as the read side holds it: its fields plus life-cycle data.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOut<S> {
    pub id: Uuid,
    #[serde(flatten)]
    pub spec: S,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Current balance (debit minus credit), accounts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<Decimal>,
}

/// The answer to a command: the entity id and the log position written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written<S> {
    pub id: Uuid,
    #[serde(flatten)]
    pub spec: S,
    pub archived: bool,
    /// Pass as `min_position` to a later query to read this write.
    pub position: i64,
}

fn out<S: EntitySpec>(row: EntityRow) -> ApiResult<EntityOut<S>> {
    Ok(EntityOut {
        id: row.id,
        spec: serde_json::from_value(row.data).map_err(ApiError::internal)?,
        archived: row.archived,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        balance: None,
    })
}

pub(crate) async fn run<S: EntitySpec>(
    state: &AppState,
    user: &AuthUser,
    headers: &HeaderMap,
    id: Uuid,
    command: EntityCommand<S>,
    ctx: &S::Context,
) -> ApiResult<Written<S>> {
    user.require(policy::write_entity(S::TYPE))?;
    let actor = Actor::api(user.id, request_id(headers));
    let written = entities::execute::<S>(&state.pool, &actor, id, command, ctx).await?;
    let mut conn = state.pool.acquire().await?;
    let (entity, _) = store::load::<Entity<S>>(&mut conn, &id.to_string()).await?;
    Ok(Written {
        id,
        spec: entity
            .spec
            .ok_or_else(|| ApiError::not_found(format!("{} {id}", S::TYPE)))?,
        archived: entity.archived,
        position: written.position,
    })
}

pub(crate) async fn fetch<S: EntitySpec>(
    state: &AppState,
    id: Uuid,
    consistency: &Consistency,
) -> ApiResult<EntityOut<S>> {
    state.wait_for_position(consistency.min_position).await?;
    let row = queries::get_entity(&state.pool, S::TYPE, id)
        .await?
        .ok_or_else(|| {
            ApiError::from(DomainError::NotFound {
                entity: S::TYPE,
                id: id.to_string(),
            })
        })?;
    out(row)
}

pub(crate) async fn list<S: EntitySpec>(
    state: &AppState,
    filter: EntityFilter,
    sort: Option<&str>,
    paging: &Paging,
    consistency: &Consistency,
) -> ApiResult<Page<EntityOut<S>>> {
    state.wait_for_position(consistency.min_position).await?;
    let (limit, offset) = paging.resolve()?;
    let sort = sort_sql(sort, ENTITY_SORTS)?;
    let (rows, total) =
        queries::list_entities(&state.pool, S::TYPE, &filter, sort, limit, offset).await?;
    let items = rows
        .into_iter()
        .map(out::<S>)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        limit,
        offset,
    })
}

/// Filters shared by every entity list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommonFilter {
    /// Text search in name and fields.
    pub q: Option<String>,
    /// true: only archived; false: only active; absent: both.
    pub archived: Option<bool>,
    /// name, -name, created_at, -created_at, updated_at, -updated_at.
    pub sort: Option<String>,
}

pub(crate) fn base_filter(c: &CommonFilter) -> EntityFilter {
    EntityFilter {
        q: c.q.clone().filter(|q| !q.trim().is_empty()),
        archived: c.archived,
        ..Default::default()
    }
}

pub(crate) fn enum_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

// ---------- accounts ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    #[serde(rename = "type")]
    pub account_type: Option<AccountType>,
    pub kind: Option<AccountKind>,
    pub currency: Option<String>,
}

/// Creating an account: its fields plus an optional opening balance, posted against the
/// "Opening balances" equity account of its currency.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountCreate {
    #[serde(flatten)]
    pub spec: AccountSpec,
    /// Signed, in the account's currency (debit positive).
    #[schema(value_type = Option<String>)]
    pub opening_balance: Option<Decimal>,
    /// Date of the opening balance (default today).
    pub opening_date: Option<NaiveDate>,
}

impl AccountCreate {
    /// Parses strictly. `flatten` would hide unknown fields from the strict parser, so the two
    /// opening fields are taken out first and the rest must be exactly an account.
    fn parse(body: Value) -> ApiResult<Self> {
        let Value::Object(mut fields) = body else {
            return Err(ApiError::invalid("body", "must be a JSON object"));
        };
        let opening_balance = fields.remove("opening_balance").filter(|v| !v.is_null());
        let opening_date = fields.remove("opening_date").filter(|v| !v.is_null());
        let spec: AccountSpec =
            parse_json(&serde_json::to_vec(&fields).map_err(ApiError::internal)?)?;
        let opening_balance = opening_balance
            .map(|v| {
                serde_json::from_value::<Decimal>(v)
                    .map_err(|e| ApiError::invalid("opening_balance", e.to_string()))
            })
            .transpose()?;
        let opening_date = opening_date
            .map(|v| {
                serde_json::from_value::<NaiveDate>(v)
                    .map_err(|e| ApiError::invalid("opening_date", e.to_string()))
            })
            .transpose()?;
        Ok(Self {
            spec,
            opening_balance,
            opening_date,
        })
    }
}

#[utoipa::path(post, path = "/api/accounts", tag = "accounts", request_body = AccountCreate,
    responses((status = 201, body = Written<AccountSpec>), (status = 422, body = crate::error::Problem)))]
async fn create_account(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult<(StatusCode, axum::Json<Written<AccountSpec>>)> {
    user.require(policy::WRITE_BOOKS)?;
    let body = AccountCreate::parse(body)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let id = Uuid::now_v7();
    let (written, account) = app::ledger::accounts::create(
        &state.pool,
        &actor,
        id,
        body.spec,
        body.opening_balance,
        body.opening_date,
    )
    .await?;
    let spec = account
        .spec
        .ok_or_else(|| ApiError::internal("account vanished"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Written {
            id,
            spec,
            archived: account.archived,
            position: written.position,
        }),
    ))
}

#[utoipa::path(get, path = "/api/accounts", tag = "accounts",
    params(CommonFilter, AccountFilter, Paging, Consistency),
    responses((status = 200, body = Page<EntityOut<AccountSpec>>)))]
async fn list_accounts(
    State(state): State<AppState>,
    user: AuthUser,
    Query(common): Query<CommonFilter>,
    Query(f): Query<AccountFilter>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<EntityOut<AccountSpec>>>> {
    user.require(policy::READ_BOOKS)?;
    let mut filter = base_filter(&common);
    if let Some(t) = f.account_type {
        filter.fields.push(("type", enum_str(&t)));
    }
    if let Some(k) = f.kind {
        filter.fields.push(("kind", enum_str(&k)));
    }
    if let Some(c) = f.currency {
        filter
            .fields
            .push(("currency", domain::Currency::parse(&c)?.code().to_string()));
    }
    let mut page = list::<AccountSpec>(
        &state,
        filter,
        common.sort.as_deref(),
        &paging,
        &consistency,
    )
    .await?;
    let balances = queries::balances(&state.pool, None, None).await?;
    for item in &mut page.items {
        let b = balances
            .iter()
            .find(|b| b.account_id == item.id)
            .map(|b| b.balance())
            .unwrap_or(Decimal::ZERO);
        let mut b = b;
        b.rescale(item.spec.currency.scale());
        item.balance = Some(b);
    }
    Ok(axum::Json(page))
}

#[utoipa::path(get, path = "/api/accounts/{id}", tag = "accounts", params(("id" = Uuid, Path), Consistency),
    responses((status = 200, body = EntityOut<AccountSpec>), (status = 404, body = crate::error::Problem)))]
async fn get_account(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<EntityOut<AccountSpec>>> {
    user.require(policy::READ_BOOKS)?;
    let mut account = fetch::<AccountSpec>(&state, id, &consistency).await?;
    let mut b = queries::balances(&state.pool, None, Some(id))
        .await?
        .first()
        .map(|b| b.balance())
        .unwrap_or_default();
    b.rescale(account.spec.currency.scale());
    account.balance = Some(b);
    Ok(axum::Json(account))
}

// ---------- categories: parents must exist, match in kind, and never form a cycle ----------

async fn category_context(
    state: &AppState,
    id: Uuid,
    parent_id: Option<Uuid>,
) -> ApiResult<CategoryContext> {
    let Some(parent_id) = parent_id else {
        return Ok(CategoryContext {
            id: Some(id),
            parent: None,
        });
    };
    let mut conn = state.pool.acquire().await?;
    let mut ancestors = Vec::new();
    let (parent, _) =
        store::load::<Entity<CategorySpec>>(&mut conn, &parent_id.to_string()).await?;
    let Some(spec) = parent.spec.clone() else {
        return Ok(CategoryContext {
            id: Some(id),
            parent: None,
        });
    };
    let mut next = spec.parent_id;
    while let Some(ancestor) = next {
        if ancestors.contains(&ancestor) || ancestors.len() > domain::category::MAX_CATEGORY_DEPTH {
            break;
        }
        ancestors.push(ancestor);
        let (a, _) = store::load::<Entity<CategorySpec>>(&mut conn, &ancestor.to_string()).await?;
        next = a.spec.and_then(|s| s.parent_id);
    }
    Ok(CategoryContext {
        id: Some(id),
        parent: Some(ParentFacts {
            kind: spec.kind,
            archived: parent.archived,
            ancestor_ids: ancestors,
        }),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryFilter {
    pub kind: Option<domain::category::CategoryKind>,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CounterpartyFilter {
    pub kind: Option<domain::counterparty::CounterpartyKind>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// Generates update, archive and restore for one entity kind (and get/list/create unless the
/// kind writes its own).
macro_rules! entity_routes {
    ($spec:ty, $path:literal, $tag:literal, $ctx:expr,
     update = $update:ident, archive = $archive:ident, restore = $restore:ident) => {
        #[utoipa::path(put, path = concat!($path, "/{id}"), tag = $tag, params(("id" = Uuid, Path)), request_body = $spec,
            responses((status = 200, body = Written<$spec>), (status = 404, body = crate::error::Problem),
                      (status = 422, body = crate::error::Problem)))]
        async fn $update(
            State(state): State<AppState>,
            user: AuthUser,
            headers: HeaderMap,
            Path(id): Path<Uuid>,
            Json(spec): Json<$spec>,
        ) -> ApiResult<axum::Json<Written<$spec>>> {
            let ctx = $ctx(&state, id, &spec).await?;
            Ok(axum::Json(run::<$spec>(&state, &user, &headers, id, EntityCommand::Update(spec), &ctx).await?))
        }

        #[utoipa::path(post, path = concat!($path, "/{id}/archive"), tag = $tag, params(("id" = Uuid, Path)),
            responses((status = 200, body = Written<$spec>), (status = 404, body = crate::error::Problem)))]
        async fn $archive(
            State(state): State<AppState>,
            user: AuthUser,
            headers: HeaderMap,
            Path(id): Path<Uuid>,
        ) -> ApiResult<axum::Json<Written<$spec>>> {
            let ctx = Default::default();
            Ok(axum::Json(run::<$spec>(&state, &user, &headers, id, EntityCommand::Archive, &ctx).await?))
        }

        #[utoipa::path(post, path = concat!($path, "/{id}/restore"), tag = $tag, params(("id" = Uuid, Path)),
            responses((status = 200, body = Written<$spec>), (status = 404, body = crate::error::Problem)))]
        async fn $restore(
            State(state): State<AppState>,
            user: AuthUser,
            headers: HeaderMap,
            Path(id): Path<Uuid>,
        ) -> ApiResult<axum::Json<Written<$spec>>> {
            let ctx = Default::default();
            Ok(axum::Json(run::<$spec>(&state, &user, &headers, id, EntityCommand::Restore, &ctx).await?))
        }
    };
}

macro_rules! simple_entity_routes {
    ($spec:ty, $path:literal, $tag:literal, $ctx:expr, $filter:ty, $apply_filter:expr,
     create = $create:ident, list = $list:ident, get = $get:ident) => {
        #[utoipa::path(post, path = $path, tag = $tag, request_body = $spec,
            responses((status = 201, body = Written<$spec>), (status = 422, body = crate::error::Problem)))]
        async fn $create(
            State(state): State<AppState>,
            user: AuthUser,
            headers: HeaderMap,
            Json(spec): Json<$spec>,
        ) -> ApiResult<(StatusCode, axum::Json<Written<$spec>>)> {
            let id = Uuid::now_v7();
            let ctx = $ctx(&state, id, &spec).await?;
            let written = run::<$spec>(&state, &user, &headers, id, EntityCommand::Create(spec), &ctx).await?;
            Ok((StatusCode::CREATED, axum::Json(written)))
        }

        #[utoipa::path(get, path = $path, tag = $tag, params(CommonFilter, $filter, Paging, Consistency),
            responses((status = 200, body = Page<EntityOut<$spec>>)))]
        async fn $list(
            State(state): State<AppState>,
            user: AuthUser,
            Query(common): Query<CommonFilter>,
            Query(f): Query<$filter>,
            Query(paging): Query<Paging>,
            Query(consistency): Query<Consistency>,
        ) -> ApiResult<axum::Json<Page<EntityOut<$spec>>>> {
            user.require(policy::READ_BOOKS)?;
            let mut filter = base_filter(&common);
            ($apply_filter)(&mut filter, f);
            Ok(axum::Json(list::<$spec>(&state, filter, common.sort.as_deref(), &paging, &consistency).await?))
        }

        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag, params(("id" = Uuid, Path), Consistency),
            responses((status = 200, body = EntityOut<$spec>), (status = 404, body = crate::error::Problem)))]
        async fn $get(
            State(state): State<AppState>,
            user: AuthUser,
            Path(id): Path<Uuid>,
            Query(consistency): Query<Consistency>,
        ) -> ApiResult<axum::Json<EntityOut<$spec>>> {
            user.require(policy::READ_BOOKS)?;
            Ok(axum::Json(fetch::<$spec>(&state, id, &consistency).await?))
        }
    };
}

pub(crate) use {entity_routes, simple_entity_routes};

pub(crate) async fn no_context<S>(_: &AppState, _: Uuid, _: &S) -> ApiResult<()> {
    Ok(())
}

async fn category_ctx(
    state: &AppState,
    id: Uuid,
    spec: &CategorySpec,
) -> ApiResult<CategoryContext> {
    category_context(state, id, spec.parent_id).await
}

entity_routes!(
    AccountSpec,
    "/api/accounts",
    "accounts",
    no_context,
    update = update_account,
    archive = archive_account,
    restore = restore_account
);

entity_routes!(
    ProjectSpec,
    "/api/projects",
    "projects",
    no_context,
    update = update_project,
    archive = archive_project,
    restore = restore_project
);
simple_entity_routes!(
    ProjectSpec,
    "/api/projects",
    "projects",
    no_context,
    NoFilter,
    |_: &mut EntityFilter, _: NoFilter| {},
    create = create_project,
    list = list_projects,
    get = get_project
);

entity_routes!(
    CategorySpec,
    "/api/categories",
    "categories",
    category_ctx,
    update = update_category,
    archive = archive_category,
    restore = restore_category
);
simple_entity_routes!(
    CategorySpec,
    "/api/categories",
    "categories",
    category_ctx,
    CategoryFilter,
    |filter: &mut EntityFilter, f: CategoryFilter| {
        if let Some(k) = f.kind {
            filter.fields.push(("kind", enum_str(&k)));
        }
        filter.parent_id = f.parent_id;
    },
    create = create_category,
    list = list_categories,
    get = get_category
);

entity_routes!(
    CounterpartySpec,
    "/api/counterparties",
    "counterparties",
    no_context,
    update = update_counterparty,
    archive = archive_counterparty,
    restore = restore_counterparty
);
simple_entity_routes!(
    CounterpartySpec,
    "/api/counterparties",
    "counterparties",
    no_context,
    CounterpartyFilter,
    |filter: &mut EntityFilter, f: CounterpartyFilter| {
        if let Some(k) = f.kind {
            filter.fields.push(("kind", enum_str(&k)));
        }
    },
    create = create_counterparty,
    list = list_counterparties,
    get = get_counterparty
);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account, list_accounts))
        .routes(routes!(get_account, update_account))
        .routes(routes!(archive_account))
        .routes(routes!(restore_account))
        .routes(routes!(create_project, list_projects))
        .routes(routes!(get_project, update_project))
        .routes(routes!(archive_project))
        .routes(routes!(restore_project))
        .routes(routes!(create_category, list_categories))
        .routes(routes!(get_category, update_category))
        .routes(routes!(archive_category))
        .routes(routes!(restore_category))
        .routes(routes!(create_counterparty, list_counterparties))
        .routes(routes!(get_counterparty, update_counterparty))
        .routes(routes!(archive_counterparty))
        .routes(routes!(restore_counterparty))
}
