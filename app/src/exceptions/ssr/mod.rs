//! Exceptions kept: requests, decisions, withdrawals and revocations, each in its own write
//! transaction with its audit event; the reading side in `read`, the jobs in `jobs`.

use super::model::{Decision, ExceptionRequestInput, ExceptionState};
use super::rules::{self, Transition};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::{AppError, Problem};
use crate::ids::{ApplicationId, ExceptionId, UserId};
use crate::notifications::facade::{Notice, notify};
use crate::session::model::{CurrentUser, Role};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{application, application_owner, finding, finding_exception};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub mod generate;
pub mod jobs;
pub mod read;

/// The audit trail's picture of an exception.
pub fn snapshot(e: &finding_exception::Model) -> Value {
    json!({
        "id": e.id,
        "application_id": e.application_id,
        "finding_key": e.finding_key,
        "rule": e.rule,
        "severity": e.severity.as_str(),
        "state": e.state.as_str(),
        "justification": e.justification,
        "compensating_controls": e.compensating_controls,
        "until": rules::last_day(e.expires_at).to_string(),
        "requested_by": e.requested_by,
        "renews": e.renews_id,
        "renewal_number": e.renewal_number,
        "decided_by": e.decided_by,
        "decision_reason": e.decision_reason,
        "ended_by": e.ended_by,
        "end_reason": e.end_reason,
    })
}

/// The list's sort keys: the time (fixed width) and the id.
fn sort_key(at: OffsetDateTime, id: ExceptionId) -> String {
    format!("{}|{}", format_timestamp(at), id)
}

pub(crate) async fn owners_of<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
) -> Result<Vec<UserId>, AppError> {
    Ok(application_owner::Entity::find()
        .filter(application_owner::Column::ApplicationId.eq(app))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.user_id)
        .collect())
}

/// The latest exception on a finding that was ever approved (approved, expired, renewed): a new
/// request for the finding renews it, so letting one lapse never resets the renewal cap.
pub(crate) async fn latest_granted<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
    key: &str,
) -> Result<Option<finding_exception::Model>, AppError> {
    Ok(finding_exception::Entity::find()
        .filter(finding_exception::Column::ApplicationId.eq(app))
        .filter(finding_exception::Column::FindingKey.eq(key))
        .filter(finding_exception::Column::State.is_in([
            ExceptionState::Approved,
            ExceptionState::Expired,
            ExceptionState::Renewed,
        ]))
        .order_by_desc(finding_exception::Column::RenewalNumber)
        .order_by_desc(finding_exception::Column::RequestedSort)
        .one(db)
        .await?)
}

/// Asks for an exception for one open finding: an owner of the application or security.
/// A finding that had an exception before gets a renewal of the latest one (counted against the
/// cap); a finding already excepted, or with a request waiting, is a conflict.
pub async fn request(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    by: &CurrentUser,
    input: &ExceptionRequestInput,
) -> Result<ExceptionId, AppError> {
    let app_id: ApplicationId = input
        .application
        .parse()
        .map_err(|_| AppError::validation("application", "Choose the application."))?;
    let app = application::Entity::find_by_id(app_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let owners = owners_of(txn, app_id).await?;
    if !by.has(Role::Security) && !owners.contains(&by.id) {
        // Owners ask for their own applications' findings only.
        return Err(AppError::Forbidden);
    }
    if app.archived {
        return Err(AppError::Conflict("This application is archived.".into()));
    }
    let found = finding::Entity::find_by_id((app_id, input.finding.clone()))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.resolved_at.is_some() {
        return Err(AppError::Conflict(
            "This finding is resolved: there is nothing to accept.".into(),
        ));
    }
    let waiting = finding_exception::Entity::find()
        .filter(finding_exception::Column::ApplicationId.eq(app_id))
        .filter(finding_exception::Column::FindingKey.eq(found.key.as_str()))
        .filter(finding_exception::Column::State.eq(ExceptionState::Requested))
        .one(txn)
        .await?;
    if let Some(w) = waiting {
        return Err(AppError::Conflict(format!(
            "A request for this finding is already waiting for a decision (exception {}).",
            w.id
        )));
    }
    let (_, policy) = crate::policy::facade::current(txn).await?;
    let previous = latest_granted(txn, app_id, &found.key).await?;
    let renews_until = previous.as_ref().and_then(|p| {
        rules::holds(p.state, p.expires_at, now).then(|| rules::last_day(p.expires_at))
    });
    let renewal_number = previous.as_ref().map_or(0, |p| p.renewal_number + 1);
    let checked = rules::check_request(
        input,
        &policy.exceptions,
        found.severity,
        now.date(),
        renews_until,
        renewal_number,
    )
    .map_err(|problems| {
        let problems = problems
            .into_iter()
            .map(|(field, message)| Problem { field, message })
            .collect();
        AppError::from_problems(problems)
            .err()
            .unwrap_or_else(|| AppError::validation("justification", "Check the request."))
    })?;
    let id = ExceptionId::new();
    let expires_at = rules::expires_at(checked.until);
    let row = finding_exception::ActiveModel {
        id: Set(id),
        application_id: Set(app_id),
        finding_key: Set(found.key.clone()),
        rule: Set(found.rule.clone()),
        severity: Set(found.severity),
        state: Set(ExceptionState::Requested),
        justification: Set(checked.justification),
        compensating_controls: Set(checked.compensating_controls),
        expires_at: Set(expires_at),
        requested_by: Set(by.id),
        requested_at: Set(now),
        renews_id: Set(previous.as_ref().map(|p| p.id)),
        renewal_number: Set(renewal_number),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        ended_by: Set(None),
        ended_at: Set(None),
        end_reason: Set(None),
        requested_sort: Set(sort_key(now, id)),
        expiry_sort: Set(sort_key(expires_at, id)),
    }
    .insert(txn)
    .await?;
    record(
        txn,
        now,
        NewAuditEvent {
            actor: Actor::User(by.id),
            action: AuditAction::ExceptionRequested,
            subject_type: "exception",
            subject_id: id.to_string(),
            before: None,
            after: Some(snapshot(&row)),
        },
    )
    .await?;
    Ok(id)
}

/// Loads an exception for a change, locked (PostgreSQL; SQLite's write transaction already is).
async fn load_locked(
    txn: &DatabaseTransaction,
    id: ExceptionId,
) -> Result<finding_exception::Model, AppError> {
    use sea_orm::QuerySelect;
    finding_exception::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}

/// How an exception changes state: who did it and the event that records it.
struct Audited {
    actor: Actor,
    action: AuditAction,
    now: OffsetDateTime,
}

/// The columns of an exception's end: who ended it, when, and why.
fn ended(
    by: Option<UserId>,
    at: OffsetDateTime,
    reason: Option<String>,
) -> Vec<(finding_exception::Column, sea_orm::Value)> {
    vec![
        (finding_exception::Column::EndedBy, by.map(|u| u.0).into()),
        (finding_exception::Column::EndedAt, Some(at).into()),
        (finding_exception::Column::EndReason, reason.into()),
    ]
}

/// Moves an exception from its state to `to` if it is still in it, and records the event in the
/// same transaction: one conditional statement, so of two decisions at once exactly one changes
/// the row and the other gets a conflict (and records nothing).
async fn move_state(
    txn: &DatabaseTransaction,
    e: &finding_exception::Model,
    to: ExceptionState,
    columns: Vec<(finding_exception::Column, sea_orm::Value)>,
    audited: Audited,
) -> Result<finding_exception::Model, AppError> {
    let mut update = finding_exception::Entity::update_many()
        .col_expr(finding_exception::Column::State, Expr::value(to))
        .filter(finding_exception::Column::Id.eq(e.id))
        .filter(finding_exception::Column::State.eq(e.state));
    for (c, v) in columns {
        update = update.col_expr(c, Expr::value(v));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Someone else changed this exception a moment ago: reload the page to see its state."
                .into(),
        ));
    }
    let after = finding_exception::Entity::find_by_id(e.id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        txn,
        audited.now,
        NewAuditEvent {
            actor: audited.actor,
            action: audited.action,
            subject_type: "exception",
            subject_id: e.id.to_string(),
            before: Some(snapshot(e)),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    Ok(after)
}

/// The people to tell about an exception: the requester and the application's owners.
fn audience(e: &finding_exception::Model, owners: &[UserId]) -> Vec<UserId> {
    let mut users = vec![e.requested_by];
    users.extend(owners.iter().copied());
    users.sort();
    users.dedup();
    users
}

/// The application's name, for notices.
async fn app_name<C: ConnectionTrait>(db: &C, id: ApplicationId) -> Result<String, AppError> {
    Ok(application::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default())
}

/// Tells the requester and the owners what happened to an exception (and queues the webhook).
async fn tell(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    e: &finding_exception::Model,
    owners: &[UserId],
    event: &'static str,
    text: String,
) -> Result<(), AppError> {
    notify(
        txn,
        now,
        Notice {
            users: audience(e, owners),
            subject_type: "exception",
            subject_id: e.id.to_string(),
            text,
            link: format!("/exceptions/{}", e.id),
            event,
            event_key: format!("{event}:{}", e.id),
            payload: snapshot(e),
        },
    )
    .await
}

fn reason_of(reason: &str, required: bool) -> Result<Option<String>, AppError> {
    let reason = reason.trim();
    if reason.chars().count() > rules::TEXT_MAX {
        return Err(AppError::validation(
            "reason",
            format!("At most {} characters.", rules::TEXT_MAX),
        ));
    }
    if required && reason.is_empty() {
        return Err(AppError::validation(
            "reason",
            "Give the reason: the requester and the auditors read it.",
        ));
    }
    Ok((!reason.is_empty()).then(|| reason.to_string()))
}

/// Approves or rejects a request: a security user who is neither the requester nor an owner of
/// the application. A rejection needs a reason. Approving a renewal replaces the exception it
/// renews.
pub async fn decide(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    by: &CurrentUser,
    id: ExceptionId,
    decision: Decision,
    reason: &str,
) -> Result<(), AppError> {
    let e = load_locked(txn, id).await?;
    let owners = owners_of(txn, e.application_id).await?;
    rules::may_decide(by.id, by.has(Role::Security), e.requested_by, &owners)
        .map_err(|_| AppError::Forbidden)?;
    let transition = match decision {
        Decision::Approve => Transition::Approve,
        Decision::Reject => Transition::Reject,
    };
    let to = rules::next(e.state, transition).map_err(AppError::Conflict)?;
    let reason = reason_of(reason, decision == Decision::Reject)?;
    if decision == Decision::Approve {
        if e.expires_at <= now {
            return Err(AppError::Conflict(
                "The requested last day has passed: reject it and ask for a new request.".into(),
            ));
        }
        let (_, policy) = crate::policy::facade::current(txn).await?;
        let renews_until = match e.renews_id {
            Some(r) => finding_exception::Entity::find_by_id(r)
                .one(txn)
                .await?
                .filter(|p| rules::holds(p.state, p.expires_at, now))
                .map(|p| rules::last_day(p.expires_at)),
            None => None,
        };
        let latest = rules::latest_until(&policy.exceptions, e.severity, now.date(), renews_until);
        if rules::last_day(e.expires_at) > latest {
            return Err(AppError::Conflict(format!(
                "The policy now allows at most {} days for a {} finding (until {latest}): reject it and ask for a shorter one.",
                rules::max_days(&policy.exceptions, e.severity),
                e.severity.label().to_lowercase()
            )));
        }
        if e.renewal_number > 0 && e.renewal_number as u32 > policy.exceptions.renewal_cap {
            return Err(AppError::Conflict(rules::renewal_refusal(
                policy.exceptions.renewal_cap,
            )));
        }
    }
    let after = move_state(
        txn,
        &e,
        to,
        vec![
            (finding_exception::Column::DecidedBy, Some(by.id.0).into()),
            (finding_exception::Column::DecidedAt, Some(now).into()),
            (
                finding_exception::Column::DecisionReason,
                reason.clone().into(),
            ),
        ],
        Audited {
            actor: Actor::User(by.id),
            action: match decision {
                Decision::Approve => AuditAction::ExceptionApproved,
                Decision::Reject => AuditAction::ExceptionRejected,
            },
            now,
        },
    )
    .await?;
    if decision == Decision::Approve
        && let Some(old_id) = e.renews_id
        && let Some(old) = finding_exception::Entity::find_by_id(old_id)
            .one(txn)
            .await?
        && old.state == ExceptionState::Approved
    {
        move_state(
            txn,
            &old,
            rules::next(old.state, Transition::Replace).map_err(AppError::Conflict)?,
            ended(
                Some(by.id),
                now,
                Some(format!("Replaced by renewal {}.", e.renewal_number)),
            ),
            Audited {
                actor: Actor::User(by.id),
                action: AuditAction::ExceptionApproved,
                now,
            },
        )
        .await?;
    }
    let name = app_name(txn, e.application_id).await?;
    let until = rules::last_day(after.expires_at);
    let (event, text) = match decision {
        Decision::Approve => (
            "exception.approved",
            format!(
                "{} approved the exception for {name} ({}) until {until}.",
                by.display_name, after.rule
            ),
        ),
        Decision::Reject => (
            "exception.rejected",
            format!(
                "{} rejected the exception request for {name} ({}).",
                by.display_name, after.rule
            ),
        ),
    };
    tell(txn, now, &after, &owners, event, text).await
}

/// Withdraws a request that waits for a decision: the requester, an owner of the application,
/// or security.
pub async fn withdraw(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    by: &CurrentUser,
    id: ExceptionId,
    reason: &str,
) -> Result<(), AppError> {
    let e = load_locked(txn, id).await?;
    let owners = owners_of(txn, e.application_id).await?;
    if e.requested_by != by.id && !owners.contains(&by.id) && !by.has(Role::Security) {
        return Err(AppError::Forbidden);
    }
    let to = rules::next(e.state, Transition::Withdraw).map_err(AppError::Conflict)?;
    let reason = reason_of(reason, false)?;
    move_state(
        txn,
        &e,
        to,
        ended(Some(by.id), now, reason),
        Audited {
            actor: Actor::User(by.id),
            action: AuditAction::ExceptionWithdrawn,
            now,
        },
    )
    .await?;
    Ok(())
}

/// Ends an approved exception before its expiry: security, with a reason. The finding is open
/// again at once.
pub async fn revoke(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    by: &CurrentUser,
    id: ExceptionId,
    reason: &str,
) -> Result<(), AppError> {
    let e = load_locked(txn, id).await?;
    if !by.has(Role::Security) {
        return Err(AppError::Forbidden);
    }
    let current = rules::effective(e.state, e.expires_at, now);
    rules::next(current, Transition::Revoke).map_err(AppError::Conflict)?;
    let reason = reason_of(reason, true)?;
    let after = move_state(
        txn,
        &e,
        ExceptionState::Revoked,
        ended(Some(by.id), now, reason),
        Audited {
            actor: Actor::User(by.id),
            action: AuditAction::ExceptionRevoked,
            now,
        },
    )
    .await?;
    let owners = owners_of(txn, e.application_id).await?;
    let name = app_name(txn, e.application_id).await?;
    tell(
        txn,
        now,
        &after,
        &owners,
        "exception.revoked",
        format!(
            "{} revoked the exception for {name} ({}): the finding is open again.",
            by.display_name, after.rule
        ),
    )
    .await
}
