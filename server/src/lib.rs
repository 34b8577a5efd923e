//! Composition root: wires the application state, the HTTP stack and the pages together.
//! `build_router` is what both `main` and the integration tests use.

pub mod backup;
pub mod cli;
pub mod http;

use ::http::StatusCode;
use app::app::{App, access_table, shell};
use app::exceptions::http as exceptions;
use app::findings::http as findings;
use app::session::ssr::DbSessionStore;
use app::session::ssr::guard::{self, Guard};
use app::session::ssr::passkeys::relying_party;
use app::ssr::clock::{Clock, SystemClock};
use app::ssr::config::Config;
use app::ssr::db::Db;
use app::ssr::derived::DerivedViews;
use app::ssr::state::{AppState, StartupError};
use app::transfer::http as transfer;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::{Arc, OnceLock};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Connects to the database, applies migrations and builds the state.
pub async fn build_state(config: Config) -> Result<AppState, StartupError> {
    build_state_with_clock(config, Arc::new(SystemClock)).await
}

/// The same, with a clock of the caller's (tests freeze it).
pub async fn build_state_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> Result<AppState, StartupError> {
    let webauthn = relying_party(&config.public_url).map_err(StartupError::RelyingParty)?;
    let db = Db::connect_waiting(&config.database_url, config.write_wait())
        .await
        .map_err(StartupError::Database)?;
    db.migrate().await.map_err(StartupError::Migrations)?;
    let mut state = AppState::new(db, config, clock, webauthn).await?;
    // Findings are refreshed in the transaction of every change they derive from.
    state.derived = DerivedViews::new(vec![Arc::new(app::findings::facade::Findings)]);
    Ok(state)
}

/// The whole HTTP application. Fails only if the features' access slices contradict each other
/// (a path listed twice, a changing endpoint open to auditors).
pub fn build_router(state: AppState) -> Result<Router, guard::AccessTableError> {
    build_router_with(state, Router::new())
}

/// The application's pages, listed once per process. Listing them renders the application with
/// resource loading suppressed for the whole process (a flag of `leptos_server`), so a page of
/// another portal state in the same process (tests, benchmarks) whose data started loading in
/// that moment would wait for it forever.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP application with `extra` routes behind the same layers (sessions, the access
/// table, security headers, limits): the benchmarks serve their in-memory comparators this way.
pub fn build_router_with(
    state: AppState,
    extra: Router<AppState>,
) -> Result<Router, guard::AccessTableError> {
    let routes = routes();
    let config = state.config.clone();
    let guard = Guard {
        state: state.clone(),
        table: Arc::new(access_table()?),
    };

    let sessions =
        SessionManagerLayer::new(DbSessionStore::new(state.db.clone(), state.clock.clone()))
            .with_name(config.public_url.session_cookie_name())
            .with_secure(config.public_url.https)
            .with_http_only(true)
            .with_same_site(SameSite::Strict)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
                config.session_idle.as_secs() as i64,
            )));

    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let leptos_options = state.leptos_options.clone();

    Ok(extra
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        // Files move through two plain handlers; the import reads larger bodies than the rest
        // (see `http::body_limit`).
        .route(transfer::EXPORT_PATH, get(transfer::export_applications))
        .route(
            findings::FINDINGS_EXPORT_PATH,
            get(findings::export_findings),
        )
        .route(
            app::declarations::http::PATH,
            get(app::declarations::http::download_version),
        )
        .route(
            app::matrix::http::MATRIX_EXPORT_PATH,
            get(app::matrix::http::export_matrix),
        )
        .route(
            exceptions::EXCEPTIONS_EXPORT_PATH,
            get(exceptions::export_exceptions),
        )
        // Scripts send adoption figures with an API token (the handler authenticates it; the
        // access table lists the path as a token endpoint, for which no session is read).
        .route(
            app::adoption::api_v1::PATH,
            post(app::adoption::api_v1::ingest_adoption),
        )
        .route(
            transfer::IMPORT_PATH,
            post(transfer::import_applications)
                .layer(DefaultBodyLimit::max(transfer::IMPORT_BODY_LIMIT)),
        )
        .route(
            app::adoption::http::UPLOAD_PATH,
            post(app::adoption::http::upload).layer(DefaultBodyLimit::max(
                app::adoption::http::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            app::adoption::http::EXPORT_PATH,
            get(app::adoption::http::download),
        )
        .route(
            app::evidence::model::CATALOGUE_EXPORT_PATH,
            get(app::evidence::http::catalogue),
        )
        .route(
            app::evidence::model::EVIDENCE_EXPORT_PATH,
            get(app::evidence::http::evidence),
        )
        .layer(middleware::from_fn(http::content_type_guard))
        .layer(middleware::from_fn_with_state(guard, guard::authorize))
        // The outcome of a plain form post waits in the session for the next page.
        .layer(middleware::from_fn(app::ssr::request::keep_outcome))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::same_origin_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(tokio::sync::Semaphore::new(http::read_slots())),
            http::admit,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(middleware::from_fn(http::retry_after_on_unavailable))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::body_limit,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state))
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers, within the time a request waits for a connection.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let limit = app::ssr::db::PG_ACQUIRE_TIMEOUT;
    match tokio::time::timeout(limit, state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
