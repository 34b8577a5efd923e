//! Reading exceptions: the lists of `/exceptions` (keyset paged, a fixed number of statements
//! whatever the estate's size), one exception's page, and what the request form needs.

use super::super::model::{
    EXCEPTIONS_PAGE, ExceptionDetail, ExceptionFilter, ExceptionOverseers, ExceptionState,
    ExceptionSummary, ExceptionView, ExceptionsPage, HistoryEntry, Permitted, RequestContext,
    SOON_DAYS, Severity,
};
use super::super::rules;
use super::{latest_granted, owners_of};
use crate::audit::facade::head as audit_head;
use crate::catalogue::facade::names;
use crate::components::Position;
use crate::error::AppError;
use crate::findings::facade::describe;
use crate::ids::{ApplicationId, ExceptionId, UserId};
use crate::session::model::{CurrentUser, Right, Role};
use crate::ssr::clock::{display_time, format_timestamp};
use crate::ssr::entities::{
    app_user, application, application_owner, exception_reminder, finding, finding_exception,
};
use crate::ssr::paging::{Order, keyset_page};
use crate::ssr::remembered::Remembered;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::{HashMap, HashSet};
use time::{Duration, OffsetDateTime};

fn overseer(viewer: &CurrentUser) -> bool {
    viewer.has_any(ExceptionOverseers::ROLES)
}

/// The exceptions `viewer` requested and those of the applications they own.
fn mine(viewer: UserId) -> Condition {
    let owned = Query::select()
        .column(application_owner::Column::ApplicationId)
        .from(application_owner::Entity)
        .and_where(application_owner::Column::UserId.eq(viewer))
        .to_owned();
    Condition::any()
        .add(finding_exception::Column::RequestedBy.eq(viewer))
        .add(finding_exception::Column::ApplicationId.in_subquery(owned))
}

/// Sort keys are `<fixed-width time>|<id>`: every key of a time after `t` is above this bound.
fn after_time(t: OffsetDateTime) -> String {
    format!("{}~", format_timestamp(t))
}

fn waiting() -> Condition {
    Condition::all().add(finding_exception::Column::State.eq(ExceptionState::Requested))
}

fn expiring(now: OffsetDateTime) -> Condition {
    Condition::all()
        .add(finding_exception::Column::State.eq(ExceptionState::Approved))
        .add(finding_exception::Column::ExpirySort.gt(after_time(now)))
        .add(finding_exception::Column::ExpirySort.lte(after_time(now + Duration::days(SOON_DAYS))))
}

fn recently_expired(now: OffsetDateTime) -> Condition {
    Condition::all()
        .add(
            finding_exception::Column::State
                .is_in([ExceptionState::Approved, ExceptionState::Expired]),
        )
        .add(finding_exception::Column::ExpirySort.gt(after_time(now - Duration::days(SOON_DAYS))))
        .add(finding_exception::Column::ExpirySort.lte(after_time(now)))
}

/// A state as of `now` (an approved exception past its expiry is expired).
fn in_state(state: ExceptionState, now: OffsetDateTime) -> Condition {
    use finding_exception::Column as C;
    match state {
        ExceptionState::Approved => Condition::all()
            .add(C::State.eq(ExceptionState::Approved))
            .add(C::ExpiresAt.gt(now)),
        ExceptionState::Expired => Condition::any()
            .add(C::State.eq(ExceptionState::Expired))
            .add(
                Condition::all()
                    .add(C::State.eq(ExceptionState::Approved))
                    .add(C::ExpiresAt.lte(now)),
            ),
        s => Condition::all().add(C::State.eq(s)),
    }
}

/// The view shown, its condition and the column it is ordered by.
fn view_of(
    filter: &ExceptionFilter,
    viewer: &CurrentUser,
    now: OffsetDateTime,
) -> Result<(ExceptionView, Condition, finding_exception::Column), AppError> {
    use finding_exception::Column as C;
    let view = if filter.view.is_empty() {
        if viewer.has(Role::Security) {
            ExceptionView::Queue
        } else if overseer(viewer) {
            ExceptionView::All
        } else {
            ExceptionView::Mine
        }
    } else {
        ExceptionView::parse(&filter.view)
            .ok_or_else(|| AppError::validation("view", "Unknown list."))?
    };
    let (mut c, key) = match view {
        ExceptionView::Queue => (waiting(), C::RequestedSort),
        ExceptionView::Expiring => (expiring(now), C::ExpirySort),
        ExceptionView::Expired => (recently_expired(now), C::ExpirySort),
        ExceptionView::Mine => (mine(viewer.id), C::RequestedSort),
        ExceptionView::All => (Condition::all(), C::RequestedSort),
    };
    if !filter.state.is_empty() {
        let s = ExceptionState::parse(&filter.state)
            .ok_or_else(|| AppError::validation("state", "Unknown state."))?;
        c = c.add(in_state(s, now));
    }
    if !filter.severity.is_empty() {
        let s = Severity::parse(&filter.severity)
            .ok_or_else(|| AppError::validation("severity", "Unknown severity."))?;
        c = c.add(C::Severity.eq(s));
    }
    // Owners (without a wider role) see their own requests and their applications' only.
    if !overseer(viewer) && !viewer.has(Role::Security) {
        c = c.add(mine(viewer.id));
    }
    Ok((view, c, key))
}

/// Summaries of exception rows: their applications' and requesters' names and their findings
/// (a fixed number of statements).
async fn summaries<C: ConnectionTrait>(
    db: &C,
    rows: &[finding_exception::Model],
    now: OffsetDateTime,
) -> Result<Vec<ExceptionSummary>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let app_ids: Vec<ApplicationId> = rows.iter().map(|r| r.application_id).collect();
    let apps: HashMap<ApplicationId, String> = application::Entity::find()
        .filter(application::Column::Id.is_in(app_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let users: Vec<UserId> = rows.iter().map(|r| r.requested_by).collect();
    let people: HashMap<UserId, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(users))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let wanted: HashSet<(ApplicationId, String)> = rows
        .iter()
        .map(|r| (r.application_id, r.finding_key.clone()))
        .collect();
    let findings: HashMap<(ApplicationId, String), finding::Model> = finding::Entity::find()
        .filter(finding::Column::ApplicationId.is_in(app_ids))
        .filter(
            finding::Column::Key.is_in(
                rows.iter()
                    .map(|r| r.finding_key.clone())
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|f| ((f.application_id, f.key.clone()), f))
        .filter(|(k, _)| wanted.contains(k))
        .collect();
    let names = names(db).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let f = findings.get(&(r.application_id, r.finding_key.clone()));
            let (rule, scope) = f.map_or_else(
                || (r.rule.clone(), r.finding_key.clone()),
                |f| describe(f, &names),
            );
            let state = rules::effective(r.state, r.expires_at, now);
            ExceptionSummary {
                id: r.id,
                application_id: r.application_id,
                application: apps.get(&r.application_id).cloned().unwrap_or_default(),
                finding_key: r.finding_key.clone(),
                rule,
                scope,
                severity: r.severity,
                state,
                until: rules::last_day(r.expires_at).to_string(),
                days_left: rules::days_left(r.expires_at, now),
                requested_by: people.get(&r.requested_by).cloned().unwrap_or_default(),
                requested_at: display_time(r.requested_at),
                renewal_number: r.renewal_number,
                no_longer_needed: matches!(
                    state,
                    ExceptionState::Requested | ExceptionState::Approved
                ) && f.is_none_or(|f| f.resolved_at.is_some()),
            }
        })
        .collect())
}

/// A page of one of the lists, with the three queues' counts (remembered until the next change,
/// and for the day at most: exceptions expire at midnight).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    remembered: &Remembered,
    viewer: &CurrentUser,
    filter: &ExceptionFilter,
    position: &Position,
    now: OffsetDateTime,
) -> Result<ExceptionsPage, AppError> {
    let (view, cond, key) = view_of(filter, viewer, now)?;
    let at = audit_head(db).await?;
    let whose = if overseer(viewer) || viewer.has(Role::Security) {
        String::new()
    } else {
        viewer.id.to_string()
    };
    let restrict = |c: Condition| {
        if whose.is_empty() {
            c
        } else {
            c.add(mine(viewer.id))
        }
    };
    let count = |name: &'static str, c: Condition| {
        let key = format!(
            "exceptions:{name}?{}&viewer={whose}&day={}",
            serde_json::to_string(filter).unwrap_or_default(),
            now.date()
        );
        remembered.figure(key, &at, move || {
            finding_exception::Entity::find()
                .filter(c.clone())
                .count(db)
        })
    };
    let total = count("total", cond.clone()).await?;
    let waiting_n = count("waiting", restrict(waiting())).await?;
    let expiring_n = count("expiring", restrict(expiring(now))).await?;
    let expired_n = count("expired", restrict(recently_expired(now))).await?;
    let page = keyset_page(
        db,
        || finding_exception::Entity::find().filter(cond.clone()),
        key,
        |r| match key {
            finding_exception::Column::ExpirySort => r.expiry_sort.as_str(),
            _ => r.requested_sort.as_str(),
        },
        position,
        EXCEPTIONS_PAGE,
        Order::ByIndex,
    )
    .await?;
    Ok(ExceptionsPage {
        rows: summaries(db, &page.rows, now).await?,
        neighbours: page.neighbours,
        total,
        filter: filter.clone(),
        view,
        waiting: waiting_n,
        expiring: expiring_n,
        expired: expired_n,
        overseer: overseer(viewer),
    })
}

/// Every exception a filter matches, in its list's order, with the texts (for the download).
pub async fn all_matching<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    filter: &ExceptionFilter,
    now: OffsetDateTime,
) -> Result<Vec<(ExceptionSummary, finding_exception::Model)>, AppError> {
    let (_, cond, key) = view_of(filter, viewer, now)?;
    let rows = finding_exception::Entity::find()
        .filter(cond)
        .order_by_asc(key)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let s = summaries(db, chunk, now).await?;
        out.extend(s.into_iter().zip(chunk.iter().cloned()));
    }
    Ok(out)
}

/// May `viewer` read this exception: overseers and security all, owners their applications'
/// and their own requests. Anyone else is told it does not exist.
fn visible(viewer: &CurrentUser, e: &finding_exception::Model, owners: &[UserId]) -> bool {
    overseer(viewer)
        || viewer.has(Role::Security)
        || e.requested_by == viewer.id
        || owners.contains(&viewer.id)
}

/// One exception's page.
pub async fn detail<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    id: ExceptionId,
    now: OffsetDateTime,
) -> Result<ExceptionDetail, AppError> {
    let e = finding_exception::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let owners = owners_of(db, e.application_id).await?;
    if !visible(viewer, &e, &owners) {
        return Err(AppError::NotFound);
    }
    let mut chain_rows = finding_exception::Entity::find()
        .filter(finding_exception::Column::ApplicationId.eq(e.application_id))
        .filter(finding_exception::Column::FindingKey.eq(e.finding_key.as_str()))
        .all(db)
        .await?;
    chain_rows.sort_by(|a, b| {
        (a.requested_at, a.renewal_number).cmp(&(b.requested_at, b.renewal_number))
    });
    let chain = summaries(db, &chain_rows, now).await?;
    let summary = chain
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let found = finding::Entity::find_by_id((e.application_id, e.finding_key.clone()))
        .one(db)
        .await?;
    let holding = chain_rows
        .iter()
        .any(|c| rules::holds(c.state, c.expires_at, now));
    let finding_state = match &found {
        None => "gone".to_string(),
        Some(f) if f.resolved_at.is_some() => "resolved".into(),
        Some(_) if holding => "excepted".into(),
        Some(_) => "open".into(),
    };
    let mut who: Vec<UserId> = vec![e.requested_by];
    who.extend(e.decided_by);
    who.extend(e.ended_by);
    let people: HashMap<UserId, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(who))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let name = |u: Option<UserId>| {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| "the portal".to_string())
    };
    let mut history = vec![HistoryEntry {
        at: display_time(e.requested_at),
        what: if e.renewal_number > 0 {
            format!("Requested (renewal {})", e.renewal_number)
        } else {
            "Requested".into()
        },
        who: name(Some(e.requested_by)),
        reason: None,
    }];
    if let Some(at) = e.decided_at {
        history.push(HistoryEntry {
            at: display_time(at),
            what: if e.state == ExceptionState::Rejected {
                "Rejected".into()
            } else {
                format!("Approved until {}", rules::last_day(e.expires_at))
            },
            who: name(e.decided_by),
            reason: e.decision_reason.clone(),
        });
    }
    for r in exception_reminder::Entity::find()
        .filter(exception_reminder::Column::ExceptionId.eq(id))
        .order_by_desc(exception_reminder::Column::Threshold)
        .all(db)
        .await?
    {
        history.push(HistoryEntry {
            at: display_time(r.sent_at),
            what: match r.threshold {
                0 => "Lapse notice sent".into(),
                1 => "Reminder sent: 1 day left".into(),
                d => format!("Reminder sent: {d} days left"),
            },
            who: "the portal".into(),
            reason: None,
        });
    }
    let effective = rules::effective(e.state, e.expires_at, now);
    if let Some(at) = e.ended_at {
        history.push(HistoryEntry {
            at: display_time(at),
            what: e.state.label().to_string(),
            who: name(e.ended_by),
            reason: e.end_reason.clone(),
        });
    } else if effective == ExceptionState::Expired {
        history.push(HistoryEntry {
            at: display_time(e.expires_at),
            what: "Expired".into(),
            who: "the portal".into(),
            reason: None,
        });
    }
    history.sort_by(|a, b| a.at.cmp(&b.at));
    let (_, policy) = crate::policy::facade::current(db).await?;
    let is_security = viewer.has(Role::Security);
    let mut permitted = Permitted::default();
    if effective == ExceptionState::Requested {
        match rules::may_decide(viewer.id, is_security, e.requested_by, &owners) {
            Ok(()) => permitted.decide = true,
            Err(rules::NotDecider::NotSecurity) => {}
            Err(why) => permitted.not_decider_because = Some(why.explain().to_string()),
        }
        permitted.withdraw =
            e.requested_by == viewer.id || owners.contains(&viewer.id) || is_security;
    }
    if effective == ExceptionState::Approved {
        permitted.revoke = is_security;
    }
    let may_ask = is_security || owners.contains(&viewer.id);
    // Renewed already (or a renewal waits): renew the latest instead.
    let last_of_chain = !chain_rows.iter().any(|c| {
        c.renews_id == Some(id)
            && !matches!(
                c.state,
                ExceptionState::Rejected | ExceptionState::Withdrawn
            )
    });
    if may_ask
        && last_of_chain
        && matches!(
            effective,
            ExceptionState::Approved | ExceptionState::Expired
        )
        && finding_state != "resolved"
        && finding_state != "gone"
    {
        if (e.renewal_number as u32) < policy.exceptions.renewal_cap {
            permitted.renew = true;
        } else {
            permitted.renew_refused_because =
                Some(rules::renewal_refusal(policy.exceptions.renewal_cap));
        }
    }
    Ok(ExceptionDetail {
        summary,
        justification: e.justification.clone(),
        compensating_controls: e.compensating_controls.clone(),
        finding_explanation: found.as_ref().map(|f| f.explanation.clone()),
        finding_state,
        decided_by: e.decided_by.map(|u| name(Some(u))),
        decision_reason: e.decision_reason.clone(),
        chain,
        history,
        permitted,
        renewal_cap: policy.exceptions.renewal_cap,
        max_days: rules::max_days(&policy.exceptions, e.severity),
    })
}

/// What the request form for one finding needs. Only owners of the application and security ask.
pub async fn request_context<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    application: ApplicationId,
    key: &str,
    now: OffsetDateTime,
) -> Result<RequestContext, AppError> {
    let app = application::Entity::find_by_id(application)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let owners = owners_of(db, application).await?;
    if !viewer.has(Role::Security) && !owners.contains(&viewer.id) {
        return Err(AppError::Forbidden);
    }
    let f = finding::Entity::find_by_id((application, key.to_string()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = names(db).await?;
    let (rule, scope) = describe(&f, &names);
    let (_, policy) = crate::policy::facade::current(db).await?;
    let previous = latest_granted(db, application, key).await?;
    let renews_until = previous.as_ref().and_then(|p| {
        rules::holds(p.state, p.expires_at, now).then(|| rules::last_day(p.expires_at))
    });
    let latest = rules::latest_until(&policy.exceptions, f.severity, now.date(), renews_until);
    Ok(RequestContext {
        application_id: application,
        application: app.name,
        finding_key: f.key.clone(),
        rule,
        scope,
        severity: f.severity,
        explanation: f.explanation,
        latest_until: latest.to_string(),
        max_days: rules::max_days(&policy.exceptions, f.severity),
        renews: previous.as_ref().map(|p| p.id),
        renewal_number: previous.as_ref().map_or(0, |p| p.renewal_number + 1),
        renewal_cap: policy.exceptions.renewal_cap,
    })
}
