//! Authorisation as a mechanism. Every feature declares, next to its server functions, who may
//! call each of them (its slice of the access table, written in rights); the composition root
//! gathers the slices into one [`AccessTable`], and one middleware enforces it before any server
//! function or file handler runs (deny by default: a path missing from the table answers 404).
//! The same middleware resolves the signed-in user for pages and rate limits the ceremonies.
//!
//! Server-side functions that act on a right take the guard's proof of it, [`Granted`], which
//! only [`granted`] can build, so a server function that forgot its check does not compile.

use super::auth;
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{CurrentUser, Right, Role};
use crate::ssr::rate_limit::client_address;
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use leptos::prelude::use_context;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;
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
    /// Scripts presenting an API token of this scope (`Authorization: Bearer …`), for plain
    /// handlers only. The guard reads no session for such an endpoint and hands none to it (a
    /// session cookie never stands in for a token); the handler authenticates the token itself
    /// (`integrations::facade::authenticate`), and refuses a request without one. A token is no
    /// session anywhere else: presented to any other endpoint under `/api/`, it is refused (401).
    Token(&'static str),
}

impl Access {
    /// Reading what right `R` covers.
    pub const fn read<R: Right>() -> Self {
        Self::Read(R::ROLES)
    }

    /// Changing what right `R` covers.
    pub const fn change<R: Right>() -> Self {
        Self::Change(R::ROLES)
    }
}

/// One row of the access table.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    pub path: &'static str,
    pub access: Access,
    /// Counted against the per-address ceremony limit.
    pub rate_limited: bool,
}

impl Endpoint {
    pub const fn new(path: &'static str, access: Access) -> Self {
        Self {
            path,
            access,
            rate_limited: false,
        }
    }

    /// The same endpoint, counted against the per-address ceremony limit.
    pub const fn rate_limited(self) -> Self {
        Self {
            rate_limited: true,
            ..self
        }
    }
}

/// The whole access table: every server function and every plain file handler, gathered from
/// the features' slices.
#[derive(Debug)]
pub struct AccessTable {
    server_functions: Vec<Endpoint>,
    handlers: Vec<Endpoint>,
    by_path: BTreeMap<&'static str, Endpoint>,
}

/// Why a set of slices does not make a table.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccessTableError {
    #[error("{0} is listed twice")]
    Duplicate(&'static str),
    #[error("{0} is not under /api/")]
    OutsideApi(&'static str),
    #[error("{0} lets auditors change state")]
    AuditorChanges(&'static str),
    #[error("{0} is a server function open to API tokens (only plain handlers authenticate one)")]
    TokenServerFunction(&'static str),
}

impl AccessTable {
    /// Gathers the slices; a path listed twice, a path outside `/api/`, a changing endpoint open
    /// to auditors or a server function open to API tokens is refused.
    pub fn new(
        server_functions: &[&[Endpoint]],
        handlers: &[&[Endpoint]],
    ) -> Result<Self, AccessTableError> {
        let server_functions: Vec<Endpoint> = server_functions.concat();
        let handlers: Vec<Endpoint> = handlers.concat();
        let mut by_path = BTreeMap::new();
        for e in server_functions.iter().chain(&handlers) {
            if !e.path.starts_with("/api/") {
                return Err(AccessTableError::OutsideApi(e.path));
            }
            if let Access::Change(roles) = e.access
                && roles.contains(&Role::Auditor)
            {
                return Err(AccessTableError::AuditorChanges(e.path));
            }
            if matches!(e.access, Access::Token(_))
                && server_functions.iter().any(|f| f.path == e.path)
            {
                return Err(AccessTableError::TokenServerFunction(e.path));
            }
            if by_path.insert(e.path, *e).is_some() {
                return Err(AccessTableError::Duplicate(e.path));
            }
        }
        Ok(Self {
            server_functions,
            handlers,
            by_path,
        })
    }

    pub fn endpoint(&self, path: &str) -> Option<&Endpoint> {
        self.by_path.get(path)
    }

    pub fn server_functions(&self) -> &[Endpoint] {
        &self.server_functions
    }

    pub fn handlers(&self) -> &[Endpoint] {
        &self.handlers
    }
}

/// The pure decision: may this user call an endpoint with this access? A token endpoint passes
/// here: its handler authenticates the token (and is never given a session user).
pub fn check(access: Access, user: Option<&CurrentUser>) -> Result<(), AppError> {
    match (access, user) {
        (Access::Public | Access::Token(_), _) => Ok(()),
        (_, None) => Err(AppError::Unauthenticated),
        (Access::SelfService, Some(_)) => Ok(()),
        (Access::Read(roles) | Access::Change(roles), Some(u)) if u.has_any(roles) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// What the middleware needs: the state and the table.
#[derive(Clone, Debug)]
pub struct Guard {
    pub state: AppState,
    pub table: Arc<AccessTable>,
}

/// The signed-in user of this request, put there by [`authorize`] (and only there: the field is
/// private, so a handler cannot make one up to obtain a [`Granted`]).
#[derive(Clone, Debug)]
pub struct SignedIn(CurrentUser);

impl SignedIn {
    pub fn user(&self) -> &CurrentUser {
        &self.0
    }
}

/// Resolves the signed-in user for every page and server function, and enforces the access
/// table and rate limits for everything under `/api/`.
pub async fn authorize(State(guard): State<Guard>, mut req: Request, next: Next) -> Response {
    let state = &guard.state;
    let path = req.uri().path().to_string();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    if path.starts_with("/api/") {
        // An endpoint a script calls with a token: no session is read or handed on; the handler
        // authenticates the token itself.
        if guard
            .table
            .endpoint(&path)
            .is_some_and(|e| matches!(e.access, Access::Token(_)))
        {
            return next.run(req).await;
        }
        // A token is no session: anywhere else it is refused, whatever cookie comes with it.
        if carries_bearer_token(req.headers()) {
            tracing::warn!(%path, "an API token was presented to an endpoint that takes none");
            return refuse(&req, AppError::Unauthenticated);
        }
    }
    let session = req.extensions().get::<Session>().cloned();
    let user = match session {
        Some(s) => auth::resolve(state, &s).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(u) => u,
        Err(e) => return refuse(&req, e),
    };
    if path.starts_with("/api/") {
        let Some(ep) = guard.table.endpoint(&path) else {
            return refuse(&req, AppError::NotFound);
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
                return refuse(&req, AppError::RateLimited { retry_after_secs });
            }
        }
        if let Err(e) = check(ep.access, user.as_ref()) {
            return refuse(&req, e);
        }
    }
    if let Some(u) = user {
        req.extensions_mut().insert(SignedIn(u));
    }
    next.run(req).await
}

/// Whether the request presents a bearer token (`Authorization: Bearer …`). Other schemes (a
/// reverse proxy's Basic authentication) are left alone.
pub fn carries_bearer_token(headers: &http::HeaderMap) -> bool {
    headers.get_all(header::AUTHORIZATION).iter().any(|v| {
        v.as_bytes()
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"bearer "))
    })
}

/// A refusal by the guard: a browser that is not signed in goes to sign in; anything else gets
/// the error in its own terms.
fn refuse(req: &Request, err: AppError) -> Response {
    if err == AppError::Unauthenticated && crate::ssr::request::wants_html(req.headers()) {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/signin")]).into_response();
    }
    error_response(req.headers(), &err)
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

/// Proof that the signed-in caller holds right `R`. Only [`granted`] (and, from a handler's
/// extension, [`Granted::from_signed_in`]) builds one.
pub struct Granted<R: Right> {
    user: CurrentUser,
    right: PhantomData<fn() -> R>,
}

impl<R: Right> std::fmt::Debug for Granted<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Granted")
            .field("right", &std::any::type_name::<R>())
            .field("user", &self.user.username)
            .finish()
    }
}

impl<R: Right> Granted<R> {
    fn check(user: CurrentUser) -> Result<Self, AppError> {
        if R::admits(&user) {
            Ok(Self {
                user,
                right: PhantomData,
            })
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// For plain handlers, which receive the user the middleware resolved as an extension.
    pub fn from_signed_in(user: Option<SignedIn>) -> Result<Self, AppError> {
        Self::check(user.ok_or(AppError::Unauthenticated)?.0)
    }

    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    pub fn id(&self) -> UserId {
        self.user.id
    }
}

/// The signed-in caller's proof of right `R`, or `Unauthenticated` / `Forbidden`.
pub fn granted<R: Right>() -> Result<Granted<R>, AppError> {
    Granted::check(signed_in()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::model::SelfService;

    const ADMIN: &[Role] = &[Role::Admin];

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
        // The handler of a token endpoint authenticates the token itself.
        assert!(check(Access::Token("x:y"), None).is_ok());
    }

    #[test]
    fn bearer_tokens_are_recognised_and_other_schemes_left_alone() {
        let with = |v: &str| {
            let mut h = http::HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            h
        };
        assert!(carries_bearer_token(&with("Bearer ppt_abc")));
        assert!(carries_bearer_token(&with("bearer ppt_abc")));
        assert!(!carries_bearer_token(&with("Basic dXNlcjpwYXNz")));
        assert!(!carries_bearer_token(&http::HeaderMap::new()));
    }

    #[test]
    fn a_token_endpoint_is_a_handler_never_a_server_function() {
        let t = Endpoint::new("/api/v1/x", Access::Token("x:y"));
        assert_eq!(
            AccessTable::new(&[&[t]], &[]).unwrap_err(),
            AccessTableError::TokenServerFunction("/api/v1/x")
        );
        assert!(AccessTable::new(&[], &[&[t]]).is_ok());
    }

    #[test]
    fn a_table_refuses_duplicates_foreign_paths_and_auditor_changes() {
        let a = Endpoint::new("/api/a", Access::Public);
        assert_eq!(
            AccessTable::new(&[&[a], &[a]], &[]).unwrap_err(),
            AccessTableError::Duplicate("/api/a")
        );
        assert_eq!(
            AccessTable::new(&[&[Endpoint::new("/a", Access::Public)]], &[]).unwrap_err(),
            AccessTableError::OutsideApi("/a")
        );
        let open = Endpoint::new("/api/b", Access::Change(&[Role::Auditor, Role::Admin]));
        assert_eq!(
            AccessTable::new(&[], &[&[open]]).unwrap_err(),
            AccessTableError::AuditorChanges("/api/b")
        );
        let t = AccessTable::new(
            &[&[a]],
            &[&[Endpoint::new("/api/f", Access::read::<SelfService>())]],
        )
        .unwrap();
        assert_eq!(t.endpoint("/api/a").map(|e| e.access), Some(Access::Public));
        assert!(t.endpoint("/api/f").is_some());
        assert!(t.endpoint("/api/c").is_none());
        assert_eq!((t.server_functions().len(), t.handlers().len()), (1, 1));
    }

    #[test]
    fn a_proof_needs_the_right() {
        struct AdminsOnly;
        impl Right for AdminsOnly {
            const ROLES: &'static [Role] = ADMIN;
        }
        assert!(Granted::<AdminsOnly>::check(user(&[Role::Admin])).is_ok());
        assert_eq!(
            Granted::<AdminsOnly>::check(user(&[Role::Owner])).unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            Granted::<AdminsOnly>::from_signed_in(None).unwrap_err(),
            AppError::Unauthenticated
        );
    }
}
