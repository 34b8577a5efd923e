//! Authorisation as a mechanism: one table says who may call every server function, and one
//! middleware enforces it before any server function runs (deny by default: a server function
//! missing from the table answers 404). It also resolves the signed-in user for pages, and rate
//! limits the sign-in and enrolment ceremonies.

use super::auth;
use super::rate_limit::client_address;
use crate::accounts::api as accounts;
use crate::accounts::model::{IssuedLinkView, Role};
use crate::catalogue::api as catalogue;
use crate::declarations::api as declarations;
use crate::error::AppError;
use crate::registry::api as registry;
use crate::registry::transfer_api;
use crate::session::api as session_api;
use crate::session::model::CurrentUser;
use crate::ssr::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use leptos::prelude::{expect_context, use_context};
use leptos::server_fn::ServerFn;
use std::net::SocketAddr;
use tower_sessions::Session;

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: the sign-in and enrolment ceremonies.
    Public,
    /// Any signed-in user, acting on their own account only (their passkeys and sessions).
    SelfService,
    /// Signed-in users holding one of these roles; reads only.
    Read(&'static [Role]),
    /// Signed-in users holding one of these roles; changes state. Never lists the auditor role.
    Change(&'static [Role]),
}

#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    pub path: &'static str,
    pub access: Access,
    /// Counted against the per-address ceremony limit.
    pub rate_limited: bool,
}

const fn ep(path: &'static str, access: Access, rate_limited: bool) -> Endpoint {
    Endpoint {
        path,
        access,
        rate_limited,
    }
}

const ADMIN: &[Role] = &[Role::Admin];
const EVERYONE: &[Role] = &Role::ALL;
use crate::registry::rules::{EDITORS, EXPORTERS, IMPORTERS};

/// Every server function, with who may call it.
pub const ENDPOINTS: &[Endpoint] = &[
    ep(
        <session_api::GetCurrentUser as ServerFn>::PATH,
        Access::Public,
        false,
    ),
    ep(
        <session_api::StartSignin as ServerFn>::PATH,
        Access::Public,
        true,
    ),
    ep(
        <session_api::FinishSignin as ServerFn>::PATH,
        Access::Public,
        true,
    ),
    ep(
        <session_api::SignOut as ServerFn>::PATH,
        Access::SelfService,
        false,
    ),
    ep(
        <session_api::StartReverify as ServerFn>::PATH,
        Access::SelfService,
        true,
    ),
    ep(
        <session_api::FinishReverify as ServerFn>::PATH,
        Access::SelfService,
        true,
    ),
    ep(
        <accounts::GetEnrolmentInfo as ServerFn>::PATH,
        Access::Public,
        true,
    ),
    ep(
        <accounts::StartEnrolment as ServerFn>::PATH,
        Access::Public,
        true,
    ),
    ep(
        <accounts::FinishEnrolment as ServerFn>::PATH,
        Access::Public,
        true,
    ),
    ep(
        <accounts::GetAccount as ServerFn>::PATH,
        Access::SelfService,
        false,
    ),
    ep(
        <accounts::StartAddPasskey as ServerFn>::PATH,
        Access::SelfService,
        true,
    ),
    ep(
        <accounts::FinishAddPasskey as ServerFn>::PATH,
        Access::SelfService,
        true,
    ),
    ep(
        <accounts::RenamePasskey as ServerFn>::PATH,
        Access::SelfService,
        false,
    ),
    ep(
        <accounts::RemovePasskey as ServerFn>::PATH,
        Access::SelfService,
        false,
    ),
    ep(
        <accounts::SignOutEverywhere as ServerFn>::PATH,
        Access::SelfService,
        false,
    ),
    ep(
        <accounts::ListUsers as ServerFn>::PATH,
        Access::Read(ADMIN),
        false,
    ),
    ep(
        <accounts::InviteUser as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <accounts::ChangeRoles as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <accounts::SetUserEnabled as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <accounts::IssueRecovery as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <accounts::TakeIssuedLink as ServerFn>::PATH,
        Access::Read(ADMIN),
        false,
    ),
    ep(
        <catalogue::GetCatalogue as ServerFn>::PATH,
        Access::Read(EVERYONE),
        false,
    ),
    ep(
        <catalogue::UpdateMethod as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <catalogue::UpdatePopulation as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <catalogue::ListBusinessUnits as ServerFn>::PATH,
        Access::Read(ADMIN),
        false,
    ),
    ep(
        <catalogue::AddBusinessUnit as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <catalogue::SetBusinessUnitActive as ServerFn>::PATH,
        Access::Change(ADMIN),
        false,
    ),
    ep(
        <registry::ListApplications as ServerFn>::PATH,
        Access::Read(EVERYONE),
        false,
    ),
    ep(
        <registry::GetApplication as ServerFn>::PATH,
        Access::Read(EVERYONE),
        false,
    ),
    ep(
        <registry::ApplicationFormOptions as ServerFn>::PATH,
        Access::Read(EVERYONE),
        false,
    ),
    ep(
        <registry::GetApplicationForm as ServerFn>::PATH,
        Access::Read(EDITORS),
        false,
    ),
    ep(
        <registry::CreateApplication as ServerFn>::PATH,
        Access::Change(EDITORS),
        false,
    ),
    ep(
        <registry::UpdateApplication as ServerFn>::PATH,
        Access::Change(EDITORS),
        false,
    ),
    ep(
        <registry::SetApplicationArchived as ServerFn>::PATH,
        Access::Change(EDITORS),
        false,
    ),
    ep(
        <declarations::ShowDeclaration as ServerFn>::PATH,
        Access::Read(EVERYONE),
        false,
    ),
    ep(
        <declarations::GetDeclarationEditor as ServerFn>::PATH,
        Access::Read(EDITORS),
        false,
    ),
    ep(
        <declarations::SaveDeclaration as ServerFn>::PATH,
        Access::Change(EDITORS),
        false,
    ),
    ep(
        <declarations::DiscardDraft as ServerFn>::PATH,
        Access::Change(EDITORS),
        false,
    ),
    ep(
        <transfer_api::TakeImportReport as ServerFn>::PATH,
        Access::Read(IMPORTERS),
        false,
    ),
];

/// The plain HTTP handlers under `/api` (file download and upload; not server functions), with
/// who may call them. The handlers check again with `registry::rules`.
pub const HANDLERS: &[Endpoint] = &[
    ep(
        crate::transfer::http::EXPORT_PATH,
        Access::Read(EXPORTERS),
        false,
    ),
    ep(
        crate::transfer::http::IMPORT_PATH,
        Access::Change(IMPORTERS),
        false,
    ),
];

pub fn endpoint(path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().chain(HANDLERS).find(|e| e.path == path)
}

/// The pure decision: may this user call an endpoint with this access?
pub fn check(access: Access, user: Option<&CurrentUser>) -> Result<(), AppError> {
    match (access, user) {
        (Access::Public, _) => Ok(()),
        (_, None) => Err(AppError::Unauthenticated),
        (Access::SelfService, Some(_)) => Ok(()),
        (Access::Read(roles) | Access::Change(roles), Some(u)) if u.has_any(roles) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// The signed-in user of this request, put there by [`authorize`].
#[derive(Clone, Debug)]
pub struct SignedIn(pub CurrentUser);

/// Resolves the signed-in user for every page and server function, and enforces the endpoint
/// table and rate limits for server functions.
pub async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let session = req.extensions().get::<Session>().cloned();
    let user = match session {
        Some(s) => auth::resolve(&state, &s).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(u) => u,
        Err(e) => return error_response(&req, e),
    };
    if path.starts_with("/api/") {
        let Some(ep) = endpoint(&path) else {
            return error_response(&req, AppError::NotFound);
        };
        if ep.rate_limited {
            let peer = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip());
            let xff = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let client = client_address(peer, xff, state.config.trusted_proxy)
                .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
            if let Err(retry_after_secs) = state.limiter.check(client, std::time::Instant::now()) {
                tracing::warn!(%client, %path, "rate limit reached");
                return error_response(&req, AppError::RateLimited { retry_after_secs });
            }
        }
        if let Err(e) = check(ep.access, user.as_ref()) {
            return error_response(&req, e);
        }
    }
    if let Some(u) = user {
        req.extensions_mut().insert(SignedIn(u));
    }
    next.run(req).await
}

fn wants_html(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A refusal in the form the caller understands: JSON for server-function clients, a redirect
/// to sign-in or a plain message for browsers posting forms.
fn error_response(req: &Request, err: AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if wants_html(req) && err == AppError::Unauthenticated {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/signin")]).into_response();
    }
    let mut res = if wants_html(req) {
        (status, err.to_string()).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&err).unwrap_or_default(),
        )
            .into_response()
    };
    if let AppError::RateLimited { retry_after_secs } = err
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The signed-in user, while rendering a page or running a server function on the server.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<SignedIn>().cloned())
        .map(|s| s.0)
}

/// The signed-in user, or `Unauthenticated`.
pub fn signed_in() -> Result<CurrentUser, AppError> {
    current_user().ok_or(AppError::Unauthenticated)
}

/// The state and the session of the request a server function is serving.
pub async fn context() -> Result<(AppState, Session), AppError> {
    let state = expect_context::<AppState>();
    let session = leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    Ok((state, session))
}

/// Finishes a server function. An error gets its HTTP status. For a plain HTML form post (no
/// JavaScript) the browser is sent back to the page it came from with the notice or the error to
/// show there.
pub fn respond<T>(result: Result<T, AppError>, notice: Option<&str>) -> Result<T, AppError> {
    if let Err(e) = &result
        && let (Some(opts), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            StatusCode::from_u16(e.status_code()),
        )
    {
        opts.set_status(status);
    }
    if let Some(back) = form_referer() {
        let (key, message) = match &result {
            Ok(_) => ("notice", notice.map(str::to_string)),
            Err(e) => ("error", Some(e.to_string())),
        };
        let mut url = back;
        url.set_query(None);
        if let Some(message) = message {
            url.query_pairs_mut().append_pair(key, &message);
        }
        // A validation message also names its field, so the form can show it beside the input.
        if let Err(e) = &result
            && let Some(field) = e.field()
        {
            url.query_pairs_mut().append_pair("field", field);
        }
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        leptos_axum::redirect(&target);
    }
    result
}

/// Like [`respond`], but a successful plain form post goes to `target`.
pub fn respond_redirect<T>(result: Result<T, AppError>, target: &str) -> Result<T, AppError> {
    if result.is_ok() && form_referer().is_some() {
        leptos_axum::redirect(target);
        return result;
    }
    respond(result, None)
}

/// The same-origin page a plain HTML form was posted from.
fn form_referer() -> Option<webauthn_rs::prelude::Url> {
    let parts = use_context::<http::request::Parts>()?;
    // Only a server function called by a form post; not one called while rendering a page.
    if parts.method != http::Method::POST || !parts.uri.path().starts_with("/api/") {
        return None;
    }
    let accepts_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !accepts_html {
        return None;
    }
    let state = use_context::<AppState>()?;
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    let url = webauthn_rs::prelude::Url::parse(referer).ok()?;
    (url.origin().ascii_serialization() == state.config.public_url.origin).then_some(url)
}

const FLASH_LINK: &str = "portal.flash.link";

/// Keeps a just-issued link in the server-side session until the administrator's page shows it.
pub async fn flash_link(session: &Session, link: &IssuedLinkView) -> Result<(), AppError> {
    session
        .insert(FLASH_LINK, link)
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))
}

pub async fn take_flash_link(session: &Session) -> Result<Option<IssuedLinkView>, AppError> {
    session
        .remove(FLASH_LINK)
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn user(roles: &[Role]) -> CurrentUser {
        CurrentUser {
            id: UserId(uuid::Uuid::nil()),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn access_decisions() {
        assert!(check(Access::Public, None).is_ok());
        assert_eq!(
            check(Access::SelfService, None),
            Err(AppError::Unauthenticated)
        );
        assert!(check(Access::SelfService, Some(&user(&[Role::Auditor]))).is_ok());
        assert_eq!(
            check(Access::Change(ADMIN), Some(&user(&[Role::Auditor]))),
            Err(AppError::Forbidden)
        );
        assert!(
            check(
                Access::Change(ADMIN),
                Some(&user(&[Role::Owner, Role::Admin]))
            )
            .is_ok()
        );
        assert_eq!(
            check(Access::Read(ADMIN), None),
            Err(AppError::Unauthenticated)
        );
    }

    #[test]
    fn no_changing_endpoint_admits_auditors_and_paths_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS.iter().chain(HANDLERS) {
            assert!(seen.insert(e.path), "duplicate {}", e.path);
            assert!(e.path.starts_with("/api/"), "{}", e.path);
            if let Access::Change(roles) = e.access {
                assert!(
                    !roles.contains(&Role::Auditor),
                    "{} admits auditors",
                    e.path
                );
            }
        }
    }
}
