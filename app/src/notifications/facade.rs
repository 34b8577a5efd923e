//! What the features above use of notifications: telling people and webhooks about an event
//! inside their own transaction, the delivery job the composition root runs, and the unread
//! count.

#[cfg(feature = "ssr")]
pub use super::ssr::{Delivered, deliver_due, notify, unread_count};

/// Something that happened, for the people concerned and for every active webhook.
#[cfg(feature = "ssr")]
pub struct Notice {
    /// Who gets it in their in-app list (each once).
    pub users: Vec<crate::ids::UserId>,
    /// What it is about, e.g. `exception`.
    pub subject_type: &'static str,
    pub subject_id: String,
    /// Plain text, shown as text.
    pub text: String,
    /// A path inside the portal, e.g. `/exceptions/<id>`.
    pub link: String,
    /// The webhook event's name, e.g. `exception.reminder`.
    pub event: &'static str,
    /// Unique per event: the same key twice queues once per webhook.
    pub event_key: String,
    /// The event's data, sent as the webhook body's `data`.
    pub payload: serde_json::Value,
}
