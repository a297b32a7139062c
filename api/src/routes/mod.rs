//! The HTTP surface: every router, the OpenAPI document and docs page, health and metrics,
//! the web UI's static files, and the middleware stack.

pub mod accounting_reports;
pub mod aging;
pub mod alerts;
pub mod audit;
pub mod backups;
pub mod common;
pub mod crypto;
pub mod dashboard;
pub mod entities;
pub mod export;
pub mod health;
pub mod invoices;
pub mod periods;
pub mod profitability;
pub mod rates;
pub mod recurring;
pub mod reports;
pub mod traffic_entities;
pub mod traffic_imports;
pub mod traffic_metrics;
pub mod traffic_payouts;
pub mod transactions;

use axum::Router;
use axum::http::{HeaderName, Request};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Ledger API", description = "Event-sourced double-entry ledger with traffic analytics. \
        Amounts are decimal strings; errors are application/problem+json with a stable `code`."),
    modifiers(&Security),
    security(("bearer" = []), ("api_token" = [])),
    tags(
        (name = "auth"), (name = "users"), (name = "accounts"), (name = "projects"), (name = "categories"),
        (name = "counterparties"), (name = "transactions"), (name = "periods"), (name = "reports"), (name = "audit"),
        (name = "traffic"), (name = "rates"), (name = "crypto"), (name = "recurring"), (name = "invoices"), (name = "admin"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::OAuth2(OAuth2::new([Flow::Password(Password::new(
                "/api/auth/login",
                Scopes::new(),
            ))])),
        );
        // Personal API tokens (`POST /api/tokens`) travel in the same header.
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("lgr_…")
                    .description(Some(
                        "A personal API token: `Authorization: Bearer lgr_…`. It acts as its user \
                         with the user's current role, limited to its scopes (read, books:write, \
                         traffic:write, postback, audit, metrics); admin actions need a signed-in session.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API routers with their OpenAPI document. Bodies are limited to `max_body_bytes`, except
/// report uploads, which stream to disk and check their own size.
pub fn api(max_body_bytes: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::auth::routes::router())
        .merge(crate::auth::users::router())
        .merge(crate::auth::invitations::router())
        .merge(crate::auth::api_tokens::router())
        .merge(entities::router())
        .merge(traffic_entities::router())
        .merge(rates::router())
        .merge(traffic_metrics::router())
        .merge(traffic_payouts::router())
        .merge(recurring::router())
        .merge(invoices::router())
        .merge(aging::router())
        .merge(profitability::router())
        .merge(transactions::router())
        .merge(crypto::router())
        .merge(periods::router())
        .merge(reports::router())
        .merge(accounting_reports::router())
        .merge(dashboard::router())
        .merge(audit::router())
        .merge(export::router())
        .merge(backups::router())
        .merge(alerts::router())
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .merge(traffic_imports::router())
        .split_for_parts()
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    api(0).1
}

pub fn app(state: AppState) -> Router {
    let (api, doc) = api(state.settings.max_body_bytes);
    let request_id = HeaderName::from_static("x-request-id");
    let web_dir = state.settings.web_dir.clone();
    let index = web_dir.join("index.html");
    // Read by the `ClientIp` extractor (LEDGER_TRUSTED_PROXIES).
    let trusted_proxies =
        crate::client_ip::TrustedProxies::new(state.settings.trusted_proxies.clone());
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::idempotency::layer,
    ));
    // Browser sessions: moves the refresh token between its cookie and the auth routes' JSON.
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::auth::cookies::sessions,
    ));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(health::router(state.settings.metrics_listen.is_some()))
        .fallback_service(ServeDir::new(web_dir).fallback(ServeFile::new(index)))
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(crate::security_headers::security_headers))
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(axum::middleware::from_fn(health::track_metrics))
                .layer(axum::Extension(trusted_proxies)),
        )
        .with_state(state)
}
