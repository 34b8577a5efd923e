//! Notification and webhook server functions. Thin: the access guard has already run (see
//! `access.rs`); each takes the guard's proof of its right and calls one function in `ssr`.

use super::model::{NotificationPage, WebhookDetail, WebhookList};
use crate::error::AppError;
use crate::ids::WebhookId;
use leptos::prelude::*;

/// The session key of the webhook just created (with its secret), until the page shows it.
#[cfg(feature = "ssr")]
const CREATED_WEBHOOK: &str = "portal.flash.webhook";

/// The signed-in user's notifications, newest first, older than `before` (a position) if given.
#[server(endpoint = "notifications")]
pub async fn list_notifications(before: Option<String>) -> Result<NotificationPage, AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::list(state.db.conn(), caller.id(), before.as_deref()).await,
        None,
    )
}

/// How many of the signed-in user's notifications are unread (the header's count).
#[server(endpoint = "notifications/unread")]
pub async fn count_unread_notifications() -> Result<u64, AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::unread_count(state.db.conn(), caller.id()).await,
        None,
    )
}

/// Marks all of the signed-in user's notifications read.
#[server(endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<u64, AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::mark_all_read(&state, &caller).await,
        Some("All notifications marked as read."),
    )
}

/// Every webhook, with the secret of the one just created, shown once.
#[server(endpoint = "admin/webhooks")]
pub async fn list_webhooks() -> Result<WebhookList, AppError> {
    use super::model::WebhookAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond, take_sealed};
    let (state, session) = context().await?;
    granted::<WebhookAdministrators>()?;
    let result = async {
        Ok(WebhookList {
            webhooks: super::ssr::list_webhooks(state.db.conn()).await?,
            created: take_sealed(&session, CREATED_WEBHOOK).await?,
        })
    }
    .await;
    respond(result, None)
}

/// Creates a webhook; its secret is shown once on the webhooks page. Refused input is kept for
/// the form.
#[server(endpoint = "admin/webhooks/create")]
pub async fn create_webhook(url: String, description: String) -> Result<(), AppError> {
    use super::model::{WebhookAdministrators, WebhookDraft};
    use crate::session::facade::granted;
    use crate::ssr::request::{context, flash_sealed, respond};
    let (state, session) = context().await?;
    let admin = granted::<WebhookAdministrators>()?;
    let draft = WebhookDraft { url, description };
    // A refusal comes back to the form with what was typed (see `ssr::request::keep_outcome`).
    let result = async {
        let created = super::ssr::create_webhook(&state, &admin, &draft).await?;
        flash_sealed(&session, CREATED_WEBHOOK, &created).await
    }
    .await;
    respond(
        result,
        Some("Webhook created: copy its secret below now, it is not shown again."),
    )
}

/// Switches a webhook on or off.
#[server(endpoint = "admin/webhooks/status")]
pub async fn set_webhook_active(id: WebhookId, active: bool) -> Result<(), AppError> {
    use super::model::WebhookAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<WebhookAdministrators>()?;
    let notice = if active {
        "Webhook switched on."
    } else {
        "Webhook switched off; its queued deliveries wait."
    };
    respond(
        super::ssr::set_webhook_active(&state, &admin, id, active).await,
        Some(notice),
    )
}

/// Removes a webhook that never had a delivery.
#[server(endpoint = "admin/webhooks/remove")]
pub async fn remove_webhook(id: WebhookId) -> Result<(), AppError> {
    use super::model::WebhookAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<WebhookAdministrators>()?;
    respond(
        super::ssr::remove_webhook(&state, &admin, id).await,
        Some("Webhook removed."),
    )
}

/// A webhook with its recent deliveries and their attempts.
#[server(endpoint = "admin/webhooks/detail")]
pub async fn get_webhook(id: WebhookId) -> Result<WebhookDetail, AppError> {
    use super::model::WebhookAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    granted::<WebhookAdministrators>()?;
    respond(super::ssr::webhook_detail(state.db.conn(), id).await, None)
}
