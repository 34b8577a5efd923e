//! Notification and webhook views shared with the browser, and who administers webhooks.

use crate::ids::{DeliveryId, NotificationId, WebhookId};
use crate::session::model::{Right, Role};
pub use crate::vocab::DeliveryState;
use serde::{Deserialize, Serialize};

/// Administering outgoing webhooks.
pub struct WebhookAdministrators;

impl Right for WebhookAdministrators {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Notifications per page of the list.
pub const NOTIFICATIONS_PAGE_SIZE: u64 = 50;
/// Recent deliveries shown per webhook.
pub const RECENT_DELIVERIES: u64 = 50;
/// The longest webhook description.
pub const WEBHOOK_DESCRIPTION_MAX: usize = 200;

/// One entry of the signed-in user's notification list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: NotificationId,
    pub text: String,
    /// A path inside the portal.
    pub link: String,
    pub created_at: String,
    pub unread: bool,
}

/// A page of the list, newest first; `older` is where the next page starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub rows: Vec<NotificationView>,
    pub unread: u64,
    pub older: Option<String>,
    /// Whether this is a later page (there are newer notifications above it).
    pub paged: bool,
}

/// A webhook as administrators see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub id: WebhookId,
    pub url: String,
    pub description: String,
    pub active: bool,
    pub created_at: String,
}

/// What an administrator typed into the new-webhook form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDraft {
    pub url: String,
    pub description: String,
}

/// A webhook just created, with its secret: shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWebhook {
    pub id: WebhookId,
    pub url: String,
    pub secret: String,
}

/// The webhooks page: the list and the secret of the webhook just created (once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookSummary>,
    pub created: Option<CreatedWebhook>,
}

/// One attempt to deliver an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempted_at: String,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl AttemptView {
    /// The outcome as people read it: `HTTP 500`, or the error.
    pub fn outcome(&self) -> String {
        match (&self.status_code, &self.error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(e)) => e.clone(),
            (None, None) => "no answer".into(),
        }
    }
}

/// One event queued for a webhook, with its attempts (oldest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: DeliveryId,
    pub event: String,
    pub event_key: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub attempt_log: Vec<AttemptView>,
}

impl DeliveryView {
    /// The last attempt's outcome, if any.
    pub fn last_outcome(&self) -> Option<String> {
        self.attempt_log.last().map(AttemptView::outcome)
    }
}

/// A webhook and its most recent deliveries, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDetail {
    pub webhook: WebhookSummary,
    pub deliveries: Vec<DeliveryView>,
}
