//! Policy versions: the one in force, the history, and saving a new version (audited with the
//! whole document, and every application judged again in the same transaction).

use super::model::{Policy, PolicyEditors, PolicyShown, PolicyVersionSummary};
use super::rules;
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::catalogue::facade::names;
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::facade::Granted;
use crate::session::model::{CurrentUser, Right};
use crate::ssr::clock::display_time;
use crate::ssr::derived::Changed;
use crate::ssr::entities::{app_user, auth_method, policy_version, population};
use crate::ssr::state::AppState;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

fn parse(row: &policy_version::Model) -> Result<Policy, AppError> {
    serde_json::from_str(&row.body)
        .map_err(|e| AppError::internal(format!("stored policy version {}: {e}", row.version)))
}

/// The version in force now and its number (the migrations ship version 1, so there always is
/// one).
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<(i32, Policy), AppError> {
    let row = policy_version::Entity::find()
        .order_by_desc(policy_version::Column::Version)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("no standard policy: the migrations ship one"))?;
    Ok((row.version, parse(&row)?))
}

/// The version in force at `at`: the last one saved at or before it (the first one before any).
pub async fn in_force_at<C: ConnectionTrait>(
    db: &C,
    at: OffsetDateTime,
) -> Result<(i32, Policy), AppError> {
    let row = policy_version::Entity::find()
        .filter(policy_version::Column::CreatedAt.lte(at))
        .order_by_desc(policy_version::Column::Version)
        .one(db)
        .await?;
    match row {
        Some(row) => Ok((row.version, parse(&row)?)),
        None => {
            let first = policy_version::Entity::find_by_id(1)
                .one(db)
                .await?
                .ok_or_else(|| AppError::internal("no standard policy: the migrations ship one"))?;
            Ok((first.version, parse(&first)?))
        }
    }
}

async fn summaries<C: ConnectionTrait>(
    db: &C,
    rows: &[policy_version::Model],
) -> Result<Vec<PolicyVersionSummary>, AppError> {
    let ids: Vec<UserId> = rows.iter().filter_map(|r| r.author_id).collect();
    let names: BTreeMap<UserId, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .iter()
        .map(|r| PolicyVersionSummary {
            version: r.version,
            author: match r.author_id {
                Some(id) => names.get(&id).cloned().unwrap_or_else(|| "unknown".into()),
                None => "the portal (shipped standard)".into(),
            },
            reason: r.reason.clone(),
            created_at: display_time(r.created_at),
            sha256: r.body_sha256.clone(),
        })
        .collect())
}

/// The policy page: the version asked for (by number, in force on a date, else the current one)
/// with the whole history.
pub async fn show<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    version: Option<i32>,
    as_of: Option<&str>,
) -> Result<PolicyShown, AppError> {
    let rows = policy_version::Entity::find()
        .order_by_desc(policy_version::Column::Version)
        .all(db)
        .await?;
    let mut shown_as_of = None;
    let row = if let Some(date) = as_of {
        let day = crate::validation::parse_date(date.trim())
            .ok_or_else(|| AppError::validation("as_of", "Write the date as YYYY-MM-DD."))?;
        shown_as_of = Some(day.to_string());
        let end =
            day.next_day().unwrap_or(day).midnight().assume_utc() - time::Duration::nanoseconds(1);
        rows.iter()
            .find(|r| r.created_at <= end)
            .or_else(|| rows.last())
    } else {
        match version {
            Some(n) => Some(
                rows.iter()
                    .find(|r| r.version == n)
                    .ok_or(AppError::NotFound)?,
            ),
            None => rows.first(),
        }
    }
    .ok_or_else(|| AppError::internal("no standard policy: the migrations ship one"))?;
    let history = summaries(db, &rows).await?;
    let summary = history
        .iter()
        .find(|s| s.version == row.version)
        .cloned()
        .expect("the row is in the history");
    Ok(PolicyShown {
        summary,
        policy: parse(row)?,
        history,
        as_of: shown_as_of,
        can_edit: PolicyEditors::admits(viewer),
        method_order: auth_method::Entity::find()
            .order_by_asc(auth_method::Column::StrengthRank)
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.key)
            .collect(),
        names: names(db).await?,
    })
}

/// The catalogue keys a policy may name (retired methods included: the policy may forbid them).
pub async fn known_keys<C: ConnectionTrait>(
    db: &C,
) -> Result<(BTreeSet<String>, BTreeSet<String>), AppError> {
    let methods = auth_method::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.key)
        .collect();
    let populations = population::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.key)
        .collect();
    Ok((methods, populations))
}

pub const REASON_MAX: usize = 500;

/// Writes `policy` as the next version inside the caller's transaction, audited with the whole
/// document (the caller judges the estate again before committing). Refuses a policy identical
/// to the one in force.
pub async fn record_version(
    txn: &DatabaseTransaction,
    policy: &Policy,
    reason: &str,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<i32, AppError> {
    let reason = crate::validation::validate_text("reason", reason, 1, REASON_MAX)?;
    let (methods, populations) = known_keys(txn).await?;
    let policy = rules::validate(policy, &methods, &populations)?;
    let (latest, before) = current(txn).await?;
    if before == policy {
        return Err(AppError::validation(
            "reason",
            "Nothing changed: this is the policy in force.",
        ));
    }
    let body = serde_json::to_string(&policy)
        .map_err(|e| AppError::internal(format!("policy to JSON: {e}")))?;
    let sha = hex::encode(Sha256::digest(body.as_bytes()));
    let version = latest + 1;
    let author = match &actor {
        Actor::User(id) => Some(*id),
        _ => None,
    };
    policy_version::Entity::insert(policy_version::ActiveModel {
        version: Set(version),
        body: Set(body),
        body_sha256: Set(sha.clone()),
        author_id: Set(author),
        reason: Set(reason.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await
    .map_err(AppError::taken(
        "reason",
        "Someone saved another version at the same time: reload and try again.",
    ))?;
    record(
        txn,
        now,
        NewAuditEvent {
            actor,
            action: AuditAction::PolicyChanged,
            subject_type: "policy",
            subject_id: version.to_string(),
            before: Some(json!({ "version": latest, "policy": before })),
            after: Some(json!({
                "version": version,
                "sha256": sha,
                "reason": reason,
                "policy": policy,
            })),
        },
    )
    .await?;
    Ok(version)
}

/// Saves `policy` as the next version with the reason given, audited with the whole document;
/// every application is judged again against it in the same transaction. Returns the version.
pub async fn save_version(
    state: &AppState,
    editor: &Granted<PolicyEditors>,
    policy: &Policy,
    reason: &str,
) -> Result<i32, AppError> {
    let txn = state.db.begin_write().await?;
    let now = state.now();
    let version = record_version(&txn, policy, reason, Actor::User(editor.id()), now).await?;
    state
        .derived
        .refresh(&txn, Changed::Everything, now)
        .await?;
    txn.commit().await?;
    Ok(version)
}
