//! The exceptions' jobs: recording expiries and sending reminders, each exactly once however many
//! instances run them. The instance holding the lease runs them; even without it, a conditional
//! update records each expiry once and the reminder table's key lets each reminder out once.

use super::super::model::ExceptionState;
use super::super::rules;
use super::{Audited, app_name, audience, ended, move_state, owners_of, snapshot};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::notifications::facade::{Notice, notify};
use crate::ssr::entities::{exception_reminder, finding_exception};
use crate::ssr::state::AppState;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// The lease's name and how long one run may hold it.
pub const LEASE: &str = "exceptions";
const LEASE_TTL: Duration = Duration::minutes(5);
/// Exceptions handled per pass (the next pass takes the rest).
const BATCH: u64 = 500;

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub expired: usize,
    pub reminders: usize,
}

/// One pass of both jobs, when this instance holds the lease (`None` when another does).
pub async fn run(state: &AppState) -> Result<Option<Swept>, AppError> {
    let now = state.now();
    if !crate::ssr::lease::take(state.db.conn(), LEASE, &state.instance, LEASE_TTL, now).await? {
        return Ok(None);
    }
    Ok(Some(sweep(state, now).await?))
}

/// Both jobs at `now`, lease or not (each step is safe to race).
pub async fn sweep(state: &AppState, now: OffsetDateTime) -> Result<Swept, AppError> {
    let expired = expire_due(state, now).await?;
    let reminders = remind_due(state, now).await?;
    Ok(Swept { expired, reminders })
}

/// Records the expiry of every approved exception whose expiry has passed: one transaction per
/// exception with its event and the lapse notice; an expiry another instance recorded first is
/// skipped.
pub async fn expire_due(state: &AppState, now: OffsetDateTime) -> Result<usize, AppError> {
    let due = finding_exception::Entity::find()
        .filter(finding_exception::Column::State.eq(ExceptionState::Approved))
        .filter(finding_exception::Column::ExpiresAt.lte(now))
        .order_by_asc(finding_exception::Column::ExpirySort)
        .limit(BATCH)
        .all(state.db.conn())
        .await?;
    let mut done = 0;
    for e in due {
        let txn = state.db.begin_write().await?;
        let after = match move_state(
            &txn,
            &e,
            ExceptionState::Expired,
            ended(None, e.expires_at, None),
            Audited {
                actor: Actor::System,
                action: AuditAction::ExceptionExpired,
                now,
            },
        )
        .await
        {
            Ok(after) => after,
            // Recorded by another instance (or revoked) meanwhile.
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        send(&txn, now, &after, &[0]).await?;
        txn.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// Sends the reminders due before expiry (30, 7 and 1 days by default: the policy's list).
pub async fn remind_due(state: &AppState, now: OffsetDateTime) -> Result<usize, AppError> {
    let (_, policy) = crate::policy::facade::current(state.db.conn()).await?;
    let thresholds = policy.exceptions.reminder_days.clone();
    let Some(furthest) = thresholds.iter().max().copied() else {
        return Ok(0);
    };
    let soon = finding_exception::Entity::find()
        .filter(finding_exception::Column::State.eq(ExceptionState::Approved))
        .filter(finding_exception::Column::ExpiresAt.gt(now))
        .filter(finding_exception::Column::ExpiresAt.lte(now + Duration::days(i64::from(furthest))))
        .order_by_asc(finding_exception::Column::ExpirySort)
        .all(state.db.conn())
        .await?;
    if soon.is_empty() {
        return Ok(0);
    }
    let mut sent: HashMap<crate::ids::ExceptionId, Vec<i32>> = HashMap::new();
    for chunk in soon.chunks(BATCH as usize) {
        for r in exception_reminder::Entity::find()
            .filter(
                exception_reminder::Column::ExceptionId
                    .is_in(chunk.iter().map(|e| e.id).collect::<Vec<_>>()),
            )
            .all(state.db.conn())
            .await?
        {
            sent.entry(r.exception_id).or_default().push(r.threshold);
        }
    }
    let mut done = 0;
    for e in soon {
        let due = rules::reminders_due(
            e.expires_at,
            now,
            &thresholds,
            sent.get(&e.id).map_or(&[][..], |v| &v[..]),
        );
        if due.is_empty() {
            continue;
        }
        let txn = state.db.begin_write().await?;
        if send(&txn, now, &e, &due).await? {
            done += 1;
        }
        txn.commit().await?;
    }
    Ok(done)
}

/// Records the reminders `due` (nearest first) and, if this instance recorded the nearest one,
/// tells the requester and the owners and audits it. True when it went out from here.
async fn send(
    txn: &sea_orm::DatabaseTransaction,
    now: OffsetDateTime,
    e: &finding_exception::Model,
    due: &[i32],
) -> Result<bool, AppError> {
    let Some(nearest) = due.first().copied() else {
        return Ok(false);
    };
    let mut ours = false;
    for t in due {
        let inserted = exception_reminder::Entity::insert(exception_reminder::ActiveModel {
            exception_id: Set(e.id),
            threshold: Set(*t),
            sent_at: Set(now),
        })
        .on_conflict_do_nothing_on([
            exception_reminder::Column::ExceptionId,
            exception_reminder::Column::Threshold,
        ])
        .exec_without_returning(txn)
        .await?;
        if *t == nearest {
            ours = matches!(inserted, sea_orm::TryInsertResult::Inserted(1));
        }
    }
    if !ours {
        return Ok(false);
    }
    let owners = owners_of(txn, e.application_id).await?;
    let name = app_name(txn, e.application_id).await?;
    let until = rules::last_day(e.expires_at);
    let text = rules::reminder_text(nearest, &name, &e.rule, until);
    let event = if nearest == 0 {
        "exception.expired"
    } else {
        "exception.reminder"
    };
    let mut payload = snapshot(e);
    payload["days_left"] = nearest.into();
    notify(
        txn,
        now,
        Notice {
            users: audience(e, &owners),
            subject_type: "exception",
            subject_id: e.id.to_string(),
            text: text.clone(),
            link: format!("/exceptions/{}", e.id),
            event,
            event_key: format!("exception.reminder:{}:{nearest}", e.id),
            payload,
        },
    )
    .await?;
    record(
        txn,
        now,
        NewAuditEvent {
            actor: Actor::System,
            action: AuditAction::ExceptionReminded,
            subject_type: "exception",
            subject_id: e.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "threshold_days": nearest, "text": text })),
        },
    )
    .await?;
    Ok(true)
}
