//! Traffic reference data over HTTP: sources, programs, offers and campaigns. The same five
//! routes as the books' reference data (from the same macros); what differs is the context
//! each validation needs: the entities a record refers to, and for campaigns the report keys
//! other campaigns already hold.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::entity::{Entity, EntityCommand, EntitySpec, RefFact, References};
use domain::traffic::{
    CampaignContext, CampaignSpec, CampaignStatus, OfferSpec, PayoutModel, ProgramSpec, SourceKind,
    TrafficSourceSpec,
};
use projections::queries::EntityFilter;
use serde::Deserialize;
use sqlx::PgConnection;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging};
use super::entities::{
    CommonFilter, EntityOut, Written, base_filter, entity_routes, enum_str, fetch, list,
    no_context, run, simple_entity_routes,
};
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use eventstore as store;

/// What the log says about entity `id` of kind `S`, if it exists.
async fn ref_fact<S: EntitySpec>(conn: &mut PgConnection, id: Uuid) -> ApiResult<Option<RefFact>> {
    let (entity, _) = store::load::<Entity<S>>(conn, &id.to_string()).await?;
    Ok(entity.exists().then_some(RefFact {
        entity: S::TYPE,
        id,
        archived: entity.archived,
    }))
}

async fn program_ctx(state: &AppState, _: Uuid, spec: &ProgramSpec) -> ApiResult<References> {
    let mut conn = state.pool.acquire().await?;
    let fact =
        ref_fact::<domain::counterparty::CounterpartySpec>(&mut conn, spec.counterparty_id).await?;
    Ok(References(fact.into_iter().collect()))
}

async fn offer_ctx(state: &AppState, _: Uuid, spec: &OfferSpec) -> ApiResult<References> {
    let mut conn = state.pool.acquire().await?;
    let fact = ref_fact::<ProgramSpec>(&mut conn, spec.program_id).await?;
    Ok(References(fact.into_iter().collect()))
}

async fn campaign_ctx(
    state: &AppState,
    id: Uuid,
    spec: &CampaignSpec,
) -> ApiResult<CampaignContext> {
    let mut conn = state.pool.acquire().await?;
    let mut facts = Vec::with_capacity(3);
    facts.extend(ref_fact::<TrafficSourceSpec>(&mut conn, spec.source_id).await?);
    if let Some(offer) = spec.offer_id {
        facts.extend(ref_fact::<OfferSpec>(&mut conn, offer).await?);
    }
    if let Some(project) = spec.project_id {
        facts.extend(ref_fact::<domain::project::ProjectSpec>(&mut conn, project).await?);
    }
    let taken = |field: &'static str, same_source: bool| {
        sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT k FROM read.entities, jsonb_array_elements_text(data->$5) k \
             WHERE entity_type = 'campaign' AND id <> $1 AND k = ANY($2) \
               AND (NOT $3 OR data->>'source_id' = $4)",
        )
        .bind(id)
        .bind(match field {
            "source_keys" => spec.source_keys.clone(),
            _ => spec.tracker_keys.clone(),
        })
        .bind(same_source)
        .bind(spec.source_id.to_string())
        .bind(field)
    };
    let taken_source_keys = taken("source_keys", true).fetch_all(&mut *conn).await?;
    let taken_tracker_keys = taken("tracker_keys", false).fetch_all(&mut *conn).await?;
    Ok(CampaignContext {
        refs: References(facts),
        taken_source_keys,
        taken_tracker_keys,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceFilter {
    pub kind: Option<SourceKind>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramFilter {
    pub counterparty_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferFilter {
    pub program_id: Option<Uuid>,
    pub payout_model: Option<PayoutModel>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilter {
    pub source_id: Option<Uuid>,
    pub offer_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub status: Option<CampaignStatus>,
}

fn push_id(filter: &mut EntityFilter, field: &'static str, id: Option<Uuid>) {
    if let Some(id) = id {
        filter.fields.push((field, id.to_string()));
    }
}

entity_routes!(
    TrafficSourceSpec,
    "/api/traffic/sources",
    "traffic",
    no_context,
    update = update_source,
    archive = archive_source,
    restore = restore_source
);
simple_entity_routes!(
    TrafficSourceSpec,
    "/api/traffic/sources",
    "traffic",
    no_context,
    SourceFilter,
    |filter: &mut EntityFilter, f: SourceFilter| {
        if let Some(k) = f.kind {
            filter.fields.push(("kind", enum_str(&k)));
        }
    },
    create = create_source,
    list = list_sources,
    get = get_source
);

entity_routes!(
    ProgramSpec,
    "/api/traffic/programs",
    "traffic",
    program_ctx,
    update = update_program,
    archive = archive_program,
    restore = restore_program
);
simple_entity_routes!(
    ProgramSpec,
    "/api/traffic/programs",
    "traffic",
    program_ctx,
    ProgramFilter,
    |filter: &mut EntityFilter, f: ProgramFilter| push_id(
        filter,
        "counterparty_id",
        f.counterparty_id
    ),
    create = create_program,
    list = list_programs,
    get = get_program
);

entity_routes!(
    OfferSpec,
    "/api/traffic/offers",
    "traffic",
    offer_ctx,
    update = update_offer,
    archive = archive_offer,
    restore = restore_offer
);
simple_entity_routes!(
    OfferSpec,
    "/api/traffic/offers",
    "traffic",
    offer_ctx,
    OfferFilter,
    |filter: &mut EntityFilter, f: OfferFilter| {
        push_id(filter, "program_id", f.program_id);
        if let Some(m) = f.payout_model {
            filter.fields.push(("payout_model", enum_str(&m)));
        }
    },
    create = create_offer,
    list = list_offers,
    get = get_offer
);

entity_routes!(
    CampaignSpec,
    "/api/traffic/campaigns",
    "traffic",
    campaign_ctx,
    update = update_campaign,
    archive = archive_campaign,
    restore = restore_campaign
);
simple_entity_routes!(
    CampaignSpec,
    "/api/traffic/campaigns",
    "traffic",
    campaign_ctx,
    CampaignFilter,
    |filter: &mut EntityFilter, f: CampaignFilter| {
        push_id(filter, "source_id", f.source_id);
        push_id(filter, "offer_id", f.offer_id);
        push_id(filter, "project_id", f.project_id);
        if let Some(s) = f.status {
            filter.fields.push(("status", enum_str(&s)));
        }
    },
    create = create_campaign,
    list = list_campaigns,
    get = get_campaign
);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_source, list_sources))
        .routes(routes!(get_source, update_source))
        .routes(routes!(archive_source))
        .routes(routes!(restore_source))
        .routes(routes!(create_program, list_programs))
        .routes(routes!(get_program, update_program))
        .routes(routes!(archive_program))
        .routes(routes!(restore_program))
        .routes(routes!(create_offer, list_offers))
        .routes(routes!(get_offer, update_offer))
        .routes(routes!(archive_offer))
        .routes(routes!(restore_offer))
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(archive_campaign))
        .routes(routes!(restore_campaign))
}
