//! Notifications and webhooks on the server: queueing an event (in the caller's transaction),
//! each user's list, administering webhooks, and the delivery job.

use super::facade::Notice;
use super::model::{
    AttemptView, CreatedWebhook, DeliveryView, NOTIFICATIONS_PAGE_SIZE, NotificationPage,
    NotificationView, RECENT_DELIVERIES, WEBHOOK_DESCRIPTION_MAX, WebhookAdministrators,
    WebhookDetail, WebhookDraft, WebhookSummary,
};
use super::rules::{PortalAddress, check_webhook_url, delivery_body, is_portal_path, retry_delay};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{DeliveryId, NotificationId, UserId, WebhookId};
use crate::session::facade::Granted;
use crate::session::model::SelfService;
use crate::ssr::clock::{display_time, format_timestamp};
use crate::ssr::db::BATCH;
use crate::ssr::entities::{notification, webhook, webhook_attempt, webhook_delivery};
use crate::ssr::state::AppState;
use crate::validation::validate_text;
use crate::vocab::DeliveryState;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The sort key of the notification list: fixed-width UTC time, then the id.
fn created_sort(at: OffsetDateTime, id: NotificationId) -> String {
    format!("{} {id}", format_timestamp(at))
}

/// Records `notice` inside the caller's transaction: one notification per user, one delivery
/// per active webhook (due at once; an event key already queued for a webhook is not queued
/// again).
pub async fn notify(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    notice: Notice,
) -> Result<(), AppError> {
    check_notice(&notice)?;
    let mut users = notice.users.clone();
    users.sort();
    users.dedup();
    for chunk in users.chunks(BATCH) {
        notification::Entity::insert_many(chunk.iter().map(|user| {
            let id = NotificationId::new();
            notification::ActiveModel {
                id: Set(id),
                user_id: Set(*user),
                created_at: Set(now),
                created_sort: Set(created_sort(now, id)),
                subject_type: Set(notice.subject_type.to_string()),
                subject_id: Set(notice.subject_id.clone()),
                text: Set(notice.text.clone()),
                link: Set(notice.link.clone()),
                read_at: Set(None),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let hooks: Vec<WebhookId> = webhook::Entity::find()
        .select_only()
        .column(webhook::Column::Id)
        .filter(webhook::Column::Active.eq(true))
        .into_tuple()
        .all(txn)
        .await?;
    for chunk in hooks.chunks(BATCH) {
        webhook_delivery::Entity::insert_many(chunk.iter().map(|hook| {
            let id = DeliveryId::new();
            webhook_delivery::ActiveModel {
                id: Set(id),
                webhook_id: Set(*hook),
                event_key: Set(notice.event_key.clone()),
                event: Set(notice.event.to_string()),
                body: Set(delivery_body(
                    notice.event,
                    &id.to_string(),
                    now,
                    &notice.payload,
                )),
                state: Set(DeliveryState::Pending),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                claimed_until: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            }
        }))
        .on_conflict_do_nothing_on([
            webhook_delivery::Column::WebhookId,
            webhook_delivery::Column::EventKey,
        ])
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// A notice from a feature above is the code's own doing: a bad one is a bug, refused whole.
fn check_notice(n: &Notice) -> Result<(), AppError> {
    let problem = if !is_portal_path(&n.link) || n.link.len() > 400 {
        Some("link is not a path inside the portal")
    } else if n.subject_type.is_empty() || n.subject_type.len() > 32 {
        Some("subject type is empty or too long")
    } else if n.subject_id.len() > 64 {
        Some("subject id is too long")
    } else if n.event.is_empty() || n.event.len() > 48 {
        Some("event name is empty or too long")
    } else if n.event_key.is_empty() || n.event_key.len() > 200 {
        Some("event key is empty or too long")
    } else {
        None
    };
    match problem {
        Some(p) => Err(AppError::internal(format!("notice refused: {p}"))),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The user's own list.

/// How many of `user`'s notifications are unread (one count on the partial index).
pub async fn unread_count<C: ConnectionTrait>(db: &C, user: UserId) -> Result<u64, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// A page of `user`'s notifications, newest first, before `before` (a sort key) if given; two
/// statements.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    before: Option<&str>,
) -> Result<NotificationPage, AppError> {
    let before = before.filter(|b| !b.is_empty());
    let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(user));
    if let Some(b) = before {
        q = q.filter(notification::Column::CreatedSort.lt(b));
    }
    let mut rows = q
        .order_by_desc(notification::Column::CreatedSort)
        .limit(NOTIFICATIONS_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > NOTIFICATIONS_PAGE_SIZE;
    rows.truncate(NOTIFICATIONS_PAGE_SIZE as usize);
    let older = more
        .then(|| rows.last().map(|r| r.created_sort.clone()))
        .flatten();
    Ok(NotificationPage {
        rows: rows
            .into_iter()
            .map(|n| NotificationView {
                id: n.id,
                text: n.text,
                link: if is_portal_path(&n.link) {
                    n.link
                } else {
                    "/notifications".into()
                },
                created_at: display_time(n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
        unread: unread_count(db, user).await?,
        older,
        paged: before.is_some(),
    })
}

/// Marks every unread notification of the caller read; audited when any was.
pub async fn mark_all_read(
    state: &AppState,
    caller: &Granted<SelfService>,
) -> Result<u64, AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let marked = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::UserId.eq(caller.id()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if marked > 0 {
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: Actor::User(caller.id()),
                action: AuditAction::NotificationsRead,
                subject_type: "user",
                subject_id: caller.id().to_string(),
                before: None,
                after: Some(json!({ "marked_read": marked })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(marked)
}

// ---------------------------------------------------------------------------------------------
// Administering webhooks.

impl From<webhook::Model> for WebhookSummary {
    fn from(w: webhook::Model) -> Self {
        Self {
            id: w.id,
            url: w.url,
            description: w.description,
            active: w.active,
            created_at: display_time(w.created_at),
        }
    }
}

fn snapshot(w: &webhook::Model) -> serde_json::Value {
    json!({ "url": w.url, "description": w.description, "active": w.active })
}

/// Where the portal itself answers, from its configuration.
pub fn portal_address(state: &AppState) -> PortalAddress {
    PortalAddress {
        public_origin: state.config.public_url.origin.clone(),
        bind: state.config.bind,
    }
}

/// Every webhook, newest first (administrators configure a handful).
pub async fn list_webhooks<C: ConnectionTrait>(db: &C) -> Result<Vec<WebhookSummary>, AppError> {
    Ok(webhook::Entity::find()
        .order_by_desc(webhook::Column::CreatedAt)
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(WebhookSummary::from)
        .collect())
}

/// Creates an active webhook with a fresh secret (32 random bytes, hex), returned once.
pub async fn create_webhook(
    state: &AppState,
    admin: &Granted<WebhookAdministrators>,
    draft: &WebhookDraft,
) -> Result<CreatedWebhook, AppError> {
    let url = check_webhook_url(&draft.url, &portal_address(state))?;
    let description = validate_text(
        "description",
        &draft.description,
        0,
        WEBHOOK_DESCRIPTION_MAX,
    )?;
    let secret = {
        use rand::RngCore as _;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    let now = state.now();
    let id = WebhookId::new();
    let model = webhook::Model {
        id,
        url: url.clone(),
        description,
        secret: secret.clone(),
        active: true,
        created_by: Some(admin.id()),
        created_at: now,
    };
    let txn = state.db.begin_write().await?;
    webhook::Entity::insert(webhook::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::WebhookCreated,
            subject_type: "webhook",
            subject_id: id.to_string(),
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedWebhook { id, url, secret })
}

/// Switches a webhook on or off; deliveries queued for a switched-off webhook wait.
pub async fn set_webhook_active(
    state: &AppState,
    admin: &Granted<WebhookAdministrators>,
    id: WebhookId,
    active: bool,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let old = webhook::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.active == active {
        return Ok(());
    }
    webhook::Entity::update_many()
        .col_expr(webhook::Column::Active, Expr::value(active))
        .filter(webhook::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let new = webhook::Model {
        active,
        ..old.clone()
    };
    record(
        &txn,
        state.now(),
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::WebhookChanged,
            subject_type: "webhook",
            subject_id: id.to_string(),
            before: Some(snapshot(&old)),
            after: Some(snapshot(&new)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a webhook that never had a delivery (its deliveries and their attempts are history
/// the database keeps: such a webhook can be switched off instead).
pub async fn remove_webhook(
    state: &AppState,
    admin: &Granted<WebhookAdministrators>,
    id: WebhookId,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let old = webhook::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let used = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .select_only()
        .column(webhook_delivery::Column::Id)
        .into_tuple::<DeliveryId>()
        .one(&txn)
        .await?
        .is_some();
    if used {
        return Err(AppError::Conflict(
            "This webhook has deliveries on record, so it is kept: switch it off instead.".into(),
        ));
    }
    webhook::Entity::delete_by_id(id).exec(&txn).await?;
    record(
        &txn,
        state.now(),
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::WebhookChanged,
            subject_type: "webhook",
            subject_id: id.to_string(),
            before: Some(snapshot(&old)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A webhook with its most recent deliveries and their attempts: three statements.
pub async fn webhook_detail<C: ConnectionTrait>(
    db: &C,
    id: WebhookId,
) -> Result<WebhookDetail, AppError> {
    let hook = webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let deliveries = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(RECENT_DELIVERIES)
        .all(db)
        .await?;
    let mut attempts: BTreeMap<DeliveryId, Vec<AttemptView>> = BTreeMap::new();
    if !deliveries.is_empty() {
        let rows = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::DeliveryId.is_in(deliveries.iter().map(|d| d.id)))
            .order_by_asc(webhook_attempt::Column::AttemptedAt)
            .order_by_asc(webhook_attempt::Column::Id)
            .all(db)
            .await?;
        for a in rows {
            attempts
                .entry(a.delivery_id)
                .or_default()
                .push(AttemptView {
                    attempted_at: format_timestamp(a.attempted_at),
                    status_code: a.status_code,
                    error: a.error,
                    duration_ms: a.duration_ms,
                });
        }
    }
    Ok(WebhookDetail {
        webhook: hook.into(),
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryView {
                id: d.id,
                attempt_log: attempts.remove(&d.id).unwrap_or_default(),
                event: d.event,
                event_key: d.event_key,
                state: d.state,
                attempts: d.attempts,
                created_at: display_time(d.created_at),
                next_attempt_at: match d.state {
                    DeliveryState::Pending => d.next_attempt_at.map(format_timestamp),
                    _ => None,
                },
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// The delivery job.

/// The job's lease.
pub const JOB: &str = "webhooks";
/// How long the lease holds without being renewed.
pub const LEASE: time::Duration = time::Duration::minutes(2);
/// How long a claimed delivery is left to its sender before another may try it.
const CLAIM: time::Duration = time::Duration::minutes(1);
/// Deliveries sent per run at most.
const PER_RUN: u64 = 100;
/// How often a long run renews its lease (real time).
const RENEW_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a receiver has to answer.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What one run of the job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Answered with a 2xx.
    pub sent: u32,
    /// Given up after the last attempt.
    pub failed: u32,
    /// Failed, to be tried again later.
    pub retrying: u32,
}

/// The job: sends due webhook deliveries (only the instance holding the lease "webhooks" runs
/// it; each delivery is also claimed by a conditional update so two instances never send one
/// twice). Deliveries of a switched-off webhook wait.
pub async fn deliver_due(state: &AppState) -> Result<Delivered, AppError> {
    let db = state.db.conn();
    let mut done = Delivered::default();
    if !crate::ssr::lease::take(db, JOB, &state.instance, LEASE, state.now()).await? {
        return Ok(done);
    }
    let hooks: BTreeMap<WebhookId, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    if hooks.is_empty() {
        return Ok(done);
    }
    let now = state.now();
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(webhook_delivery::Column::WebhookId.is_in(hooks.keys().copied()))
        .filter(unclaimed(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(PER_RUN)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(done);
    }
    let mut renewed = std::time::Instant::now();
    for d in due {
        let Some(hook) = hooks.get(&d.webhook_id) else {
            continue;
        };
        // A long run keeps its lease; if another instance took it meanwhile, this one stops.
        if renewed.elapsed() > RENEW_AFTER {
            if !crate::ssr::lease::take(db, JOB, &state.instance, LEASE, state.now()).await? {
                break;
            }
            renewed = std::time::Instant::now();
        }
        if !claim(state, &d).await? {
            continue;
        }
        match send(state, hook, &d).await? {
            Outcome::Sent => done.sent += 1,
            Outcome::Failed => done.failed += 1,
            Outcome::Retrying => done.retrying += 1,
        }
    }
    Ok(done)
}

/// Not being sent by anyone at `now`.
fn unclaimed(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(webhook_delivery::Column::ClaimedUntil.is_null())
        .add(webhook_delivery::Column::ClaimedUntil.lt(now))
}

/// Claims a delivery for this instance with one conditional update: of two instances asking at
/// once, one wins.
async fn claim(state: &AppState, d: &webhook_delivery::Model) -> Result<bool, AppError> {
    let now = state.now();
    let claimed = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(now + CLAIM),
        )
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending))
        .filter(webhook_delivery::Column::Attempts.eq(d.attempts))
        .filter(unclaimed(now))
        .exec(state.db.conn())
        .await?;
    Ok(claimed.rows_affected == 1)
}

enum Outcome {
    Sent,
    Failed,
    Retrying,
}

/// Makes one attempt and records it, with the delivery's next state, in one transaction.
async fn send(
    state: &AppState,
    hook: &webhook::Model,
    d: &webhook_delivery::Model,
) -> Result<Outcome, AppError> {
    let attempted_at = state.now();
    let timestamp = attempted_at.unix_timestamp();
    let signature = super::rules::signature(&hook.secret, timestamp, &d.body);
    let started = std::time::Instant::now();
    let answer = match client_for(&hook.url, state.config.bind).await {
        Ok(client) => client
            .post(&hook.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("X-Portal-Event", &d.event)
            .header("X-Portal-Delivery", d.id.to_string())
            .header("X-Portal-Timestamp", timestamp.to_string())
            .header("X-Portal-Signature", signature)
            .body(d.body.clone())
            .send()
            .await
            // The error's text without the address (whose query may carry a receiver's token).
            .map_err(|e| describe(&e)),
        Err(refused) => Err(refused),
    };
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (status_code, error) = match answer {
        Ok(res) => (Some(i32::from(res.status().as_u16())), None),
        Err(e) => (None, Some(e)),
    };
    let ok = status_code.is_some_and(|s| (200..300).contains(&s));
    let attempts = d.attempts + 1;
    let now = state.now();
    let (outcome, next_state, next_at) = if ok {
        (Outcome::Sent, DeliveryState::Delivered, None)
    } else {
        match retry_delay(attempts) {
            Some(delay) => (Outcome::Retrying, DeliveryState::Pending, Some(now + delay)),
            None => (Outcome::Failed, DeliveryState::Failed, None),
        }
    };
    let txn = state.db.begin_write().await?;
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        delivery_id: Set(d.id),
        attempted_at: Set(attempted_at),
        status_code: Set(status_code),
        error: Set(error),
        duration_ms: Set(duration_ms),
    })
    .exec_without_returning(&txn)
    .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(next_state))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(next_at),
        )
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(
            webhook_delivery::Column::DeliveredAt,
            Expr::value(ok.then_some(now)),
        )
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// A client for one delivery: 10-second timeout, no redirects followed, and for a host name
/// the addresses it resolves to now, pinned, after checking none is the portal itself (the
/// address was checked when the webhook was created; what a name resolves to can change).
async fn client_for(url: &str, bind: std::net::SocketAddr) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("passwordless-portal-webhooks");
    let parsed = url::Url::parse(url).map_err(|_| "not a valid address".to_string())?;
    let builder = match (parsed.host(), parsed.port_or_known_default()) {
        (Some(url::Host::Domain(name)), Some(port)) => {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| format!("could not resolve the host: {e}"))?
                .collect();
            if addrs.is_empty() {
                return Err("the host resolves to no address".into());
            }
            if addrs
                .iter()
                .any(|a| super::rules::is_portal_socket(*a, bind))
            {
                return Err("refused: the host resolves to the portal itself".into());
            }
            builder.resolve_to_addrs(name, &addrs)
        }
        (Some(_), Some(_)) => builder,
        _ => return Err("the address has no host or port".into()),
    };
    builder
        .build()
        .map_err(|e| format!("could not prepare the request: {e}"))
}

/// A failed request in a few words, without the address.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirect refused"
    } else if e.is_body() || e.is_decode() {
        "bad answer"
    } else {
        "request failed"
    };
    let detail = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let text = if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    };
    text.chars().take(500).collect()
}
