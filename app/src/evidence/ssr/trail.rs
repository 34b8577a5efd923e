//! The audit trail's pages: newest first, filtered by actor, action, application and dates,
//! paged by sequence number (a page is a fixed number of statements on a trail of any length,
//! each filter served by an index ending in the sequence).

use crate::audit::facade::{AuditAction, StoredEvent, event_hash};
use crate::error::AppError;
use crate::evidence::model::{EventDetail, EventRow, PAGE, Trail, TrailFilter};
use crate::ids::{ApplicationId, UserId};
use crate::ssr::entities::{app_user, audit_event, finding_exception};
use crate::ssr::state::AppState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use time::Date;
use time::macros::format_description;

fn day(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// A page of the trail for `filter`; what cannot be understood is named with its field and
/// nothing is listed.
pub async fn page(state: &AppState, filter: &TrailFilter) -> Result<Trail, AppError> {
    let db = state.db.conn();
    let mut problems = Vec::new();
    let mut q = audit_event::Entity::find();
    let actor = filter.actor.trim();
    if !actor.is_empty() {
        let stored = match actor {
            "system" | "host-operator" | "anonymous" => Some(actor.to_string()),
            _ if actor.starts_with("token:") => Some(actor.to_string()),
            name => app_user::Entity::find()
                .filter(app_user::Column::Username.eq(name.to_lowercase()))
                .one(db)
                .await?
                .map(|u| format!("user:{}", u.id)),
        };
        match stored {
            Some(s) => q = q.filter(audit_event::Column::Actor.eq(s)),
            None => problems.push((
                "actor".to_string(),
                format!(
                    "No user is called \"{actor}\" (or write system, host-operator, anonymous)."
                ),
            )),
        }
    }
    let action = filter.action.trim();
    if !action.is_empty() {
        if AuditAction::parse(action).is_some() {
            q = q.filter(audit_event::Column::Action.eq(action));
        } else {
            problems.push((
                "action".into(),
                format!("\"{action}\" is not an action the portal records."),
            ));
        }
    }
    let application = filter.application.trim();
    if !application.is_empty() {
        match application.parse::<ApplicationId>() {
            Ok(id) => {
                let mut subjects: Vec<String> = finding_exception::Entity::find()
                    .select_only()
                    .column(finding_exception::Column::Id)
                    .filter(finding_exception::Column::ApplicationId.eq(id))
                    .into_tuple::<crate::ids::ExceptionId>()
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|e| e.to_string())
                    .collect();
                subjects.push(id.to_string());
                q = q.filter(audit_event::Column::SubjectId.is_in(subjects));
            }
            Err(_) => problems.push(("application".into(), "Not an application's id.".into())),
        }
    }
    for (field, value, next) in [("from", &filter.from, false), ("to", &filter.to, true)] {
        if value.trim().is_empty() {
            continue;
        }
        match day(value) {
            Some(d) if next => {
                let end = d.next_day().unwrap_or(d);
                q = q.filter(audit_event::Column::OccurredAt.lt(end.to_string()));
            }
            Some(d) => q = q.filter(audit_event::Column::OccurredAt.gte(d.to_string())),
            None => problems.push((field.into(), "A date such as 2026-11-30.".into())),
        }
    }
    if let Some(before) = filter.before {
        q = q.filter(audit_event::Column::Seq.lt(before));
    }
    let chain = super::checkpoint::chain_view(state).await?;
    let actions = AuditAction::ALL
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    if !problems.is_empty() {
        return Ok(Trail {
            events: Vec::new(),
            problems,
            next_before: None,
            actions,
            chain,
        });
    }
    let mut events = q
        .order_by_desc(audit_event::Column::Seq)
        .limit(PAGE as u64 + 1)
        .all(db)
        .await?;
    let more = events.len() > PAGE;
    events.truncate(PAGE);
    let names = actor_names(db, &events).await?;
    Ok(Trail {
        next_before: more.then(|| events.last().map(|e| e.seq)).flatten(),
        events: events.iter().map(|e| row(e, &names)).collect(),
        problems,
        actions,
        chain,
    })
}

/// The usernames of the users acting in `events` (one statement).
async fn actor_names<C: ConnectionTrait>(
    db: &C,
    events: &[audit_event::Model],
) -> Result<HashMap<String, String>, AppError> {
    let ids: Vec<UserId> = events
        .iter()
        .filter_map(|e| e.actor.strip_prefix("user:")?.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (format!("user:{}", u.id), u.username))
        .collect())
}

fn actor_words(stored: &str, names: &HashMap<String, String>) -> String {
    match stored {
        "system" => "the portal".into(),
        "host-operator" => "the host's operator".into(),
        "anonymous" => "someone not signed in".into(),
        s if s.starts_with("token:") => format!("API token {}", &s[6..]),
        s => names.get(s).cloned().unwrap_or_else(|| s.to_string()),
    }
}

fn row(e: &audit_event::Model, names: &HashMap<String, String>) -> EventRow {
    let subject_href = match e.subject_type.as_str() {
        "application" => Some(format!("/applications/{}", e.subject_id)),
        "exception" => Some(format!("/exceptions/{}", e.subject_id)),
        "policy" => Some("/policy".to_string()),
        _ => None,
    };
    EventRow {
        seq: e.seq,
        occurred_at: e.occurred_at.clone(),
        actor: actor_words(&e.actor, names),
        action: e.action.clone(),
        subject_type: e.subject_type.clone(),
        subject_id: e.subject_id.clone(),
        subject_href,
    }
}

fn pretty(stored: &Option<String>) -> Option<String> {
    stored.as_ref().map(|s| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| s.clone())
    })
}

/// One event whole, with its hash checked again.
pub async fn event<C: ConnectionTrait>(db: &C, seq: i64) -> Result<EventDetail, AppError> {
    let e = audit_event::Entity::find_by_id(seq)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = actor_names(db, std::slice::from_ref(&e)).await?;
    let stored: StoredEvent = StoredEvent {
        seq: e.seq,
        occurred_at: e.occurred_at.clone(),
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject_type: e.subject_type.clone(),
        subject_id: e.subject_id.clone(),
        before: e.before.clone(),
        after: e.after.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    };
    Ok(EventDetail {
        row: row(&e, &names),
        before: pretty(&e.before),
        after: pretty(&e.after),
        hash_ok: event_hash(&stored) == e.hash,
        prev_hash: e.prev_hash,
        hash: e.hash,
    })
}
