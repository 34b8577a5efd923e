//! API token server functions. Thin: the access guard has already run (see `access.rs`); each
//! takes the guard's proof of its right and calls one function in `ssr`. The forms are plain
//! posts that work without JavaScript: the outcome waits in the session for the next page.

use super::model::{IssuedToken, TokenSummary};
use crate::error::AppError;
use crate::ids::ApiTokenId;
use leptos::prelude::*;

/// The session key of the token just issued (with its secret), until the page shows it.
#[cfg(feature = "ssr")]
const ISSUED_TOKEN: &str = "portal.flash.api-token";

/// The tokens page.
pub const TOKENS_PAGE: &str = "/admin/tokens";

/// Every token, newest first (never a secret).
#[server(endpoint = "admin/tokens")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, AppError> {
    use super::model::TokenAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    granted::<TokenAdministrators>()?;
    respond(super::ssr::list(state.db.conn(), state.now()).await, None)
}

/// The token just issued, with its secret: given once, then gone from the session.
#[server(endpoint = "admin/tokens/issued")]
pub async fn take_issued_token() -> Result<Option<IssuedToken>, AppError> {
    use super::model::TokenAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond, take_sealed};
    let (_, session) = context().await?;
    granted::<TokenAdministrators>()?;
    respond(take_sealed(&session, ISSUED_TOKEN).await, None)
}

/// Issues a token; its secret is shown once on the tokens page. Refused input is kept for the
/// form.
#[server(endpoint = "admin/tokens/issue")]
pub async fn issue_token(
    name: String,
    days: String,
    scope: Option<String>,
) -> Result<(), AppError> {
    use super::model::{TokenAdministrators, TokenDraft};
    use crate::session::facade::granted;
    use crate::ssr::request::{context, flash_sealed, respond_redirect};
    let (state, session) = context().await?;
    let admin = granted::<TokenAdministrators>()?;
    let draft = TokenDraft {
        name,
        days,
        scope: scope.unwrap_or_default(),
    };
    let result = async {
        let issued = super::ssr::issue(&state, &admin, &draft).await?;
        flash_sealed(&session, ISSUED_TOKEN, &issued).await
    }
    .await;
    respond_redirect(
        result,
        TOKENS_PAGE,
        Some("Token issued: copy its secret below now, it is not shown again."),
    )
}

/// Revokes a token: every later use is refused.
#[server(endpoint = "admin/tokens/revoke")]
pub async fn revoke_token(id: ApiTokenId) -> Result<(), AppError> {
    use super::model::TokenAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<TokenAdministrators>()?;
    respond(
        super::ssr::revoke(&state, &admin, id).await,
        Some("Token revoked: it is refused from now on."),
    )
}
