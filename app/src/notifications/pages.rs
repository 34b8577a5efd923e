//! The notifications page, the unread count in the header, and the webhooks pages for
//! administrators. Every form is a plain post that works without JavaScript.

use super::api::{
    CreateWebhook, MarkNotificationsRead, RemoveWebhook, SetWebhookActive,
    count_unread_notifications, get_webhook, list_notifications, list_webhooks,
};
use super::model::{
    CreatedWebhook, DeliveryState, DeliveryView, NotificationPage, WEBHOOK_DESCRIPTION_MAX,
    WebhookAdministrators, WebhookDetail, WebhookDraft, WebhookList, WebhookSummary,
};
use crate::components::{
    Feedback, FieldError, Loaded, NotFound, PageHeader, aria_describedby, aria_invalid,
    encode_component, id_param, typed,
};
use crate::ids::WebhookId;
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The longest webhook address the form takes (the rules check it again).
const URL_MAX: usize = 2000;

// ---------------------------------------------------------------------------------------------
// Notifications.

/// A link to the notifications with the unread count, for the header of a signed-in user's page
/// (one count; the link alone if the count cannot be read).
#[component]
pub fn NotificationsLink() -> impl IntoView {
    // Blocking: a streamed page sends nothing before the count, so the header carries it in
    // place (out-of-order streaming would otherwise send it after the main content whenever the
    // count is slower than the page's first chunk).
    let unread = Resource::new_blocking(|| (), |_| count_unread_notifications());
    let label = |n: u64| {
        if n == 0 {
            "Notifications".to_string()
        } else {
            format!("Notifications ({n})")
        }
    };
    view! {
        <Suspense fallback=|| {
            view! { <a href="/notifications">"Notifications"</a> }
        }>
            {move || Suspend::new(async move {
                let n = unread.await.unwrap_or(0);
                let some = n > 0;
                view! {
                    <a href="/notifications" class:unread=some>
                        {label(n)}
                    </a>
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Title text="Notifications · Passwordless Governance Portal" />
        <Guarded>
            <NotificationsContent />
        </Guarded>
    }
}

#[component]
fn NotificationsContent() -> impl IntoView {
    let query = use_query_map();
    let before = query.get_untracked().get("before");
    let page = Resource::new(move || before.clone(), list_notifications);
    view! {
        <PageHeader
            title="Notifications"
            subtitle="What happened that concerns you, newest first."
        />
        <Feedback />
        <Loaded resource=page render=|p| view! { <NotificationList page=p /> } />
    }
}

#[component]
fn NotificationList(page: NotificationPage) -> impl IntoView {
    let mark = (page.unread > 0).then(|| {
        view! {
            <form method="post" action=MarkNotificationsRead::PATH class="inline">
                <button type="submit" class="secondary small">
                    "Mark all as read"
                </button>
            </form>
        }
    });
    let newest = page.paged.then(|| {
        view! {
            <p>
                <a href="/notifications">"Newest notifications"</a>
            </p>
        }
    });
    let older = page.older.clone().map(|o| {
        view! {
            <p>
                <a href=format!(
                    "/notifications?before={}",
                    encode_component(&o),
                )>"Older notifications"</a>
            </p>
        }
    });
    if page.rows.is_empty() {
        return view! {
            <div class="card">
                <p class="muted">"No notifications."</p>
                {newest}
            </div>
        }
        .into_any();
    }
    view! {
        <div class="card">
            <p>{format!("{} unread", page.unread)} " " {mark}</p>
            <ul class="plain notifications">
                {page
                    .rows
                    .into_iter()
                    .map(|n| {
                        view! {
                            <li class:unread=n
                                .unread>
                                {n
                                    .unread
                                    .then(|| view! { <span class="badge warn">"unread"</span> })}
                                " " <a href=n.link>{n.text}</a> " "
                                <span class="muted small">{n.created_at}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {newest}
            {older}
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Webhooks.

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <Title text="Webhooks · Passwordless Governance Portal" />
        <Guarded roles=WebhookAdministrators::ROLES>
            <WebhooksContent />
        </Guarded>
    }
}

#[component]
fn WebhooksContent() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_webhooks());
    view! {
        <PageHeader
            title="Webhooks"
            subtitle="Services the portal tells about events, each delivery signed with the webhook's secret and retried when it fails."
        />
        <Feedback />
        <Loaded resource=list render=|l| view! { <WebhookListView list=l /> } />
    }
}

#[component]
fn WebhookListView(list: WebhookList) -> impl IntoView {
    let WebhookList { webhooks, created } = list;
    view! {
        {created.map(|c| view! { <CreatedSecret created=c /> })}
        <div class="card">
            <h2>{format!("Webhooks ({})", webhooks.len())}</h2>
            {if webhooks.is_empty() {
                view! { <p class="muted">"No webhooks yet."</p> }.into_any()
            } else {
                view! { <WebhookTable webhooks /> }.into_any()
            }}
        </div>
        <NewWebhookForm />
    }
}

/// The secret of the webhook just created: shown this once.
#[component]
fn CreatedSecret(created: CreatedWebhook) -> impl IntoView {
    view! {
        <div class="card callout" role="status">
            <h2>"Secret of the new webhook"</h2>
            <p>
                "Copy it now into the receiving service: it is not shown again. It signs every delivery to "
                <code>{created.url}</code> "."
            </p>
            <p>
                <code class="secret">{created.secret}</code>
            </p>
            <p class="muted small">
                "Each delivery carries X-Portal-Timestamp and X-Portal-Signature: sha256= and the hex HMAC-SHA256, under this secret, of the timestamp, a dot and the body."
            </p>
        </div>
    }
}

#[component]
fn WebhookTable(webhooks: Vec<WebhookSummary>) -> impl IntoView {
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {webhooks
                    .into_iter()
                    .map(|w| {
                        let (label, next) = if w.active {
                            ("Switch off", "false")
                        } else {
                            ("Switch on", "true")
                        };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/admin/webhooks/{}", w.id)>
                                        <code>{w.url.clone()}</code>
                                    </a>
                                </td>
                                <td>{w.description.clone()}</td>
                                <td>
                                    {if w.active {
                                        view! { <span class="badge ok">"active"</span> }
                                    } else {
                                        view! { <span class="badge bad">"off"</span> }
                                    }}
                                </td>
                                <td>{w.created_at.clone()}</td>
                                <td>
                                    <form
                                        method="post"
                                        action=SetWebhookActive::PATH
                                        class="inline"
                                    >
                                        <input type="hidden" name="id" value=w.id.to_string() />
                                        <input type="hidden" name="active" value=next />
                                        <button type="submit" class="secondary small">
                                            {label}
                                        </button>
                                    </form>
                                    <form method="post" action=RemoveWebhook::PATH class="inline">
                                        <input type="hidden" name="id" value=w.id.to_string() />
                                        <button type="submit" class="secondary small">
                                            "Remove"
                                        </button>
                                    </form>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="muted small">
            "A webhook that has deliveries on record cannot be removed: switch it off instead."
        </p>
    }
}

/// The new-webhook form, prefilled with what was typed when the last attempt was refused.
#[component]
fn NewWebhookForm() -> impl IntoView {
    let draft = typed::<CreateWebhook>()
        .map(|c| WebhookDraft {
            url: c.url,
            description: c.description,
        })
        .unwrap_or_default();
    view! {
        <div class="card">
            <h2>"New webhook"</h2>
            <form method="post" action=CreateWebhook::PATH class="stack">
                <label for="url">"Address (https://…)"</label>
                <input
                    id="url"
                    aria-invalid=aria_invalid("url")
                    aria-describedby=aria_describedby("url")
                    type="url"
                    name="url"
                    value=draft.url
                    required
                    maxlength=URL_MAX
                    placeholder="https://hooks.example.com/portal"
                />
                <FieldError name="url" />
                <label for="description">"Description"</label>
                <input
                    id="description"
                    aria-invalid=aria_invalid("description")
                    aria-describedby=aria_describedby("description")
                    type="text"
                    name="description"
                    value=draft.description
                    maxlength=WEBHOOK_DESCRIPTION_MAX
                />
                <FieldError name="description" />
                <button type="submit">"Create webhook"</button>
            </form>
        </div>
    }
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    view! {
        <Title text="Webhook · Passwordless Governance Portal" />
        <Guarded roles=WebhookAdministrators::ROLES>
            <WebhookContent />
        </Guarded>
    }
}

#[component]
fn WebhookContent() -> impl IntoView {
    let Some(id) = id_param::<WebhookId>() else {
        return view! { <NotFound /> }.into_any();
    };
    let detail = Resource::new(move || id, get_webhook);
    view! { <Loaded resource=detail render=|d| view! { <WebhookDetailView detail=d /> } /> }
        .into_any()
}

#[component]
fn WebhookDetailView(detail: WebhookDetail) -> impl IntoView {
    let w = detail.webhook;
    view! {
        <PageHeader title="Webhook" subtitle=w.url.clone() />
        <p>
            <a href="/admin/webhooks">"All webhooks"</a>
        </p>
        <div class="card">
            <p>
                {w.description.clone()} " · " {if w.active { "active" } else { "switched off" }}
                " · created " {w.created_at.clone()}
            </p>
        </div>
        <div class="card">
            <h2>"Recent deliveries"</h2>
            {if detail.deliveries.is_empty() {
                view! { <p class="muted">"No deliveries yet."</p> }.into_any()
            } else {
                view! { <DeliveryTable deliveries=detail.deliveries /> }.into_any()
            }}
        </div>
    }
}

fn state_badge(state: DeliveryState) -> impl IntoView {
    let class = match state {
        DeliveryState::Delivered => "badge ok",
        DeliveryState::Pending => "badge warn",
        DeliveryState::Failed => "badge bad",
    };
    view! { <span class=class>{state.label()}</span> }
}

#[component]
fn DeliveryTable(deliveries: Vec<DeliveryView>) -> impl IntoView {
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Event"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Attempts"</th>
                    <th scope="col">"Next attempt"</th>
                    <th scope="col">"Last answer"</th>
                </tr>
            </thead>
            <tbody>
                {deliveries
                    .into_iter()
                    .map(|d| {
                        let last = d.last_outcome().unwrap_or_else(|| "none yet".into());
                        view! {
                            <tr>
                                <td>
                                    <code>{d.event.clone()}</code>
                                    <br />
                                    <span class="muted small">{d.created_at.clone()}</span>
                                </td>
                                <td>{state_badge(d.state)}</td>
                                <td>
                                    {d.attempts}
                                    {(!d.attempt_log.is_empty())
                                        .then(|| {
                                            view! {
                                                <details>
                                                    <summary>"Attempts"</summary>
                                                    <ol class="small">
                                                        {d
                                                            .attempt_log
                                                            .iter()
                                                            .map(|a| {
                                                                view! {
                                                                    <li>
                                                                        {a.attempted_at.clone()} ": " {a.outcome()} " ("
                                                                        {a.duration_ms} " ms)"
                                                                    </li>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </ol>
                                                </details>
                                            }
                                        })}
                                </td>
                                <td>{d.next_attempt_at.clone().unwrap_or_else(|| "—".into())}</td>
                                <td>{last}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
