//! Exceptions server functions. Thin: the access guard has already run (see `access.rs`); each
//! change runs in its own write transaction with its audit event.

use super::model::{
    Decision, ExceptionDetail, ExceptionFilter, ExceptionRequestInput, ExceptionsPage,
    RequestContext,
};
use crate::error::AppError;
use crate::ids::{ApplicationId, ExceptionId};
use leptos::prelude::*;

/// A page of one of the exceptions lists.
#[server(endpoint = "exceptions")]
pub async fn list_exceptions(
    #[server(default)] filter: ExceptionFilter,
    after: Option<String>,
    before: Option<String>,
) -> Result<ExceptionsPage, AppError> {
    use crate::components::Position;
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let position = Position::from_query(|k| match k {
        "after" => after.clone(),
        "before" => before.clone(),
        _ => None,
    });
    respond(
        super::ssr::read::list(
            state.db.conn(),
            &state.remembered,
            &viewer,
            &filter,
            &position,
            state.now(),
        )
        .await,
        None,
    )
}

/// One exception with its chain, history and what the viewer may do.
#[server(endpoint = "exceptions/get")]
pub async fn get_exception(id: ExceptionId) -> Result<ExceptionDetail, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    respond(
        super::ssr::read::detail(state.db.conn(), &viewer, id, state.now()).await,
        None,
    )
}

/// What the request form for one finding needs.
#[server(endpoint = "exceptions/request_form")]
pub async fn get_request_form(
    application: ApplicationId,
    finding: String,
) -> Result<RequestContext, AppError> {
    use super::model::ExceptionRequesters;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let requester = granted::<ExceptionRequesters>()?;
    let result = super::ssr::read::request_context(
        state.db.conn(),
        requester.user(),
        application,
        &finding,
        state.now(),
    )
    .await;
    respond(result, None)
}

/// Asks for an exception for one finding (an owner of the application, or security). A refused
/// request comes back to the form with everything typed and every problem named.
#[server(endpoint = "exceptions/request")]
pub async fn request_exception(
    #[server(default)] input: ExceptionRequestInput,
) -> Result<ExceptionId, AppError> {
    use super::model::ExceptionRequesters;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let requester = granted::<ExceptionRequesters>()?;
    let now = state.now();
    let result = async {
        let txn = state.db.begin_write().await?;
        let id = super::ssr::request(&txn, now, requester.user(), &input).await?;
        txn.commit().await.map_err(AppError::from)?;
        Ok::<_, AppError>(id)
    }
    .await;
    let target = match &result {
        Ok(id) => format!("/exceptions/{id}"),
        Err(_) => String::new(),
    };
    respond_redirect(
        result,
        &target,
        Some("Exception requested: security will decide."),
    )
}

/// Approves or rejects a request: a security user who neither requested it nor owns the
/// application.
#[server(endpoint = "exceptions/decide")]
pub async fn decide_exception(
    id: ExceptionId,
    decision: Decision,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use super::model::ExceptionDeciders;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let decider = granted::<ExceptionDeciders>()?;
    let now = state.now();
    let result = async {
        let txn = state.db.begin_write().await?;
        super::ssr::decide(&txn, now, decider.user(), id, decision, &reason).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    respond(
        result,
        Some(match decision {
            Decision::Approve => "Exception approved.",
            Decision::Reject => "Exception request rejected.",
        }),
    )
}

/// Withdraws a request waiting for a decision (its requester, an owner, or security).
#[server(endpoint = "exceptions/withdraw")]
pub async fn withdraw_exception(
    id: ExceptionId,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use super::model::ExceptionRequesters;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let by = granted::<ExceptionRequesters>()?;
    let now = state.now();
    let result = async {
        let txn = state.db.begin_write().await?;
        super::ssr::withdraw(&txn, now, by.user(), id, &reason).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    respond(result, Some("Exception request withdrawn."))
}

/// Ends an approved exception before its expiry (security, with a reason).
#[server(endpoint = "exceptions/revoke")]
pub async fn revoke_exception(
    id: ExceptionId,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use super::model::ExceptionDeciders;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let by = granted::<ExceptionDeciders>()?;
    let now = state.now();
    let result = async {
        let txn = state.db.begin_write().await?;
        super::ssr::revoke(&txn, now, by.user(), id, &reason).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    respond(
        result,
        Some("Exception revoked: the finding is open again."),
    )
}
