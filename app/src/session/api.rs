//! Sign-in server functions. Thin: the access guard has already run (see `ssr::guard`).

use crate::error::AppError;
use crate::session::model::CurrentUser;
use leptos::prelude::*;

/// The signed-in user, if any.
#[server(endpoint = "session/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::session::ssr::guard::current_user())
}

/// Starts a passkey sign-in; with a user name the user's passkeys are offered, without one the
/// browser offers every passkey it holds for the portal. Returns WebAuthn request options (JSON).
#[server(endpoint = "signin/start")]
pub async fn start_signin(username: Option<String>) -> Result<String, AppError> {
    use crate::session::ssr::signin;
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    respond(signin::start(&state, &session, username).await, None)
}

/// Finishes a passkey sign-in with the browser's assertion (JSON).
#[server(endpoint = "signin/finish")]
pub async fn finish_signin(credential: String) -> Result<CurrentUser, AppError> {
    use crate::session::ssr::signin;
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    respond(signin::finish(&state, &session, &credential).await, None)
}

/// Signs out of this browser.
#[server(endpoint = "session/signout")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::session::model::SelfService;
    use crate::session::ssr::{auth, guard};
    use crate::ssr::request::{context, respond_redirect};
    let (state, session) = context().await?;
    let caller = guard::granted::<SelfService>()?;
    let result = auth::sign_out(&state, &caller, &session).await;
    respond_redirect(result, "/signin?done=signed-out", None)
}

/// Starts re-verifying the signed-in user with a passkey (before a high-risk action).
#[server(endpoint = "session/reverify/start")]
pub async fn start_reverify() -> Result<String, AppError> {
    use crate::session::model::SelfService;
    use crate::session::ssr::{guard, signin};
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let caller = guard::granted::<SelfService>()?;
    respond(
        signin::start_reverify(&state, &session, &caller).await,
        None,
    )
}

#[server(endpoint = "session/reverify/finish")]
pub async fn finish_reverify(credential: String) -> Result<(), AppError> {
    use crate::session::model::SelfService;
    use crate::session::ssr::{guard, signin};
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let caller = guard::granted::<SelfService>()?;
    respond(
        signin::finish_reverify(&state, &session, &caller, &credential).await,
        None,
    )
}
