//! Who may call the notification server functions: everyone signed in reads and marks their own
//! notifications; administrators configure webhooks.

use super::api::{
    CountUnreadNotifications, CreateWebhook, GetWebhook, ListNotifications, ListWebhooks,
    MarkNotificationsRead, RemoveWebhook, SetWebhookActive,
};
use super::model::WebhookAdministrators;
use crate::session::facade::{Access, Endpoint};
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<ListNotifications as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(
        <CountUnreadNotifications as ServerFn>::PATH,
        Access::SelfService,
    ),
    Endpoint::new(
        <MarkNotificationsRead as ServerFn>::PATH,
        Access::SelfService,
    ),
    Endpoint::new(
        <ListWebhooks as ServerFn>::PATH,
        Access::read::<WebhookAdministrators>(),
    ),
    Endpoint::new(
        <GetWebhook as ServerFn>::PATH,
        Access::read::<WebhookAdministrators>(),
    ),
    Endpoint::new(
        <CreateWebhook as ServerFn>::PATH,
        Access::change::<WebhookAdministrators>(),
    ),
    Endpoint::new(
        <SetWebhookActive as ServerFn>::PATH,
        Access::change::<WebhookAdministrators>(),
    ),
    Endpoint::new(
        <RemoveWebhook as ServerFn>::PATH,
        Access::change::<WebhookAdministrators>(),
    ),
];
