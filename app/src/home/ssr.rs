//! What the dashboards read beside the estate kept in memory: an owner's drafts and exceptions
//! ending soon, the exception queue, the findings' trend and the audit chain's verification, each
//! in one statement (the chain's verification is kept for ten minutes).

use super::model::{
    ChainView, Dashboard, ExpiringLine, OwnerDashboard, SecurityDashboard, TrendPoint,
};
use super::rules;
use crate::audit::facade::{ChainStatus, verify_chain};
use crate::error::AppError;
use crate::ids::{ApplicationId, ExceptionId, UserId};
use crate::matrix::facade::current_estate;
use crate::matrix::model::EXPIRING_DAYS;
use crate::session::model::{CurrentUser, Role};
use crate::ssr::entities::{application_owner, declaration_draft, finding, finding_exception};
use crate::ssr::state::AppState;
use crate::vocab::ExceptionState;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// Weeks in the estate's trend.
pub const TREND_WEEKS: i64 = 12;

/// The applications one user owns, as a condition on an application id column.
fn owned_by(column: impl ColumnTrait, user: UserId) -> sea_orm::sea_query::SimpleExpr {
    column.in_subquery(
        Query::select()
            .column(application_owner::Column::ApplicationId)
            .from(application_owner::Entity)
            .and_where(application_owner::Column::UserId.eq(user))
            .to_owned(),
    )
}

pub async fn dashboard(state: &AppState, viewer: &CurrentUser) -> Result<Dashboard, AppError> {
    let db = state.db.conn();
    let now = state.now();
    let estate = current_estate(state).await?;
    let owner = if viewer.has(Role::Owner) {
        Some(owner(state, viewer, &estate, now).await?)
    } else {
        None
    };
    let security = if viewer.has_any(&[Role::Security, Role::Admin]) {
        let (queue, oldest): (i64, Option<OffsetDateTime>) = finding_exception::Entity::find()
            .select_only()
            .column_as(Expr::col(finding_exception::Column::Id).count(), "n")
            .column_as(
                Expr::col(finding_exception::Column::RequestedAt).min(),
                "oldest",
            )
            .filter(finding_exception::Column::State.eq(ExceptionState::Requested))
            .into_tuple()
            .one(db)
            .await?
            .unwrap_or((0, None));
        Some(SecurityDashboard {
            queue: queue as u32,
            oldest_request: oldest.map(|t| t.date().to_string()),
            worst: (*estate.derived("home:worst", |e| {
                rules::worst(e.entries.iter().map(|e| e.as_ref()))
            }))
            .clone(),
            rules: (*estate.derived("home:rules", rules::top_rules)).clone(),
            trend: state
                .snapshots
                .get(&estate.stamp, || async { trend(db, now).await.map(Trend) })
                .await?
                .0
                .clone(),
        })
    } else {
        None
    };
    let auditor = if viewer.has_any(&[Role::Auditor, Role::Admin]) {
        Some(rules::auditor(&estate, chain(state, now).await?))
    } else {
        None
    };
    Ok(Dashboard {
        estate: (*estate.figures()).clone(),
        owner,
        security,
        auditor,
        policy_version: estate.policy_version,
        adoption: crate::adoption::facade::headline(state).await?,
    })
}

async fn owner(
    state: &AppState,
    viewer: &CurrentUser,
    estate: &crate::matrix::facade::Estate,
    now: OffsetDateTime,
) -> Result<OwnerDashboard, AppError> {
    let db = state.db.conn();
    let drafts: HashSet<ApplicationId> = declaration_draft::Entity::find()
        .select_only()
        .column(declaration_draft::Column::ApplicationId)
        .filter(owned_by(
            declaration_draft::Column::ApplicationId,
            viewer.id,
        ))
        .into_tuple::<ApplicationId>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut view = rules::owner(estate, &viewer.username, &drafts);
    let names: std::collections::HashMap<ApplicationId, &str> = estate
        .entries
        .iter()
        .map(|e| (e.id, e.name.as_str()))
        .collect();
    view.expiring = finding_exception::Entity::find()
        .select_only()
        .column(finding_exception::Column::Id)
        .column(finding_exception::Column::ApplicationId)
        .column(finding_exception::Column::ExpiresAt)
        .column(finding_exception::Column::Rule)
        .filter(finding_exception::Column::State.eq(ExceptionState::Approved))
        .filter(finding_exception::Column::ExpiresAt.gt(now))
        .filter(finding_exception::Column::ExpiresAt.lte(now + Duration::days(EXPIRING_DAYS)))
        .filter(owned_by(
            finding_exception::Column::ApplicationId,
            viewer.id,
        ))
        .order_by_asc(finding_exception::Column::ExpiresAt)
        .limit(rules::LISTED as u64)
        .into_tuple::<(ExceptionId, ApplicationId, OffsetDateTime, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, app, expires_at, rule)| ExpiringLine {
            id,
            application: names.get(&app).copied().unwrap_or("(archived)").to_string(),
            // It holds until the day before it expires.
            until: (expires_at - Duration::days(1)).date().to_string(),
            rule: crate::findings::facade::rule_title(&rule),
        })
        .collect();
    Ok(view)
}

/// The trend as of a snapshot's stamp: it moves only with a change or the day.
struct Trend(Vec<TrendPoint>);

/// Findings open at the end of each of the last weeks (one statement).
async fn trend<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
) -> Result<Vec<TrendPoint>, AppError> {
    let days: Vec<OffsetDateTime> = (0..TREND_WEEKS)
        .rev()
        .map(|w| now - Duration::weeks(w))
        .collect();
    let mut q = Query::select();
    for (i, t) in days.iter().enumerate() {
        let open_then = Condition::all()
            .add(Expr::col(finding::Column::OpenedAt).lte(*t))
            .add(
                Condition::any()
                    .add(Expr::col(finding::Column::ResolvedAt).is_null())
                    .add(Expr::col(finding::Column::ResolvedAt).gt(*t)),
            );
        q.expr_as(
            Func::coalesce([
                Expr::from(Func::sum(Expr::case(open_then, 1).finally(0))),
                Expr::val(0),
            ]),
            sea_orm::sea_query::Alias::new(format!("w{i}")),
        );
    }
    q.from(finding::Entity);
    let row = db
        .query_one(&q)
        .await?
        .ok_or_else(|| AppError::internal("the trend query returned nothing"))?;
    days.iter()
        .enumerate()
        .map(|(i, t)| {
            let n: i64 = row.try_get("", &format!("w{i}"))?;
            Ok(TrendPoint {
                day: t.date().to_string(),
                open: n as u32,
            })
        })
        .collect()
}

/// The chain's verification, done at most once per ten minutes per instance.
#[derive(Clone)]
struct ChainCheck(ChainView);

async fn chain(state: &AppState, now: OffsetDateTime) -> Result<ChainView, AppError> {
    let window = now.unix_timestamp() / 600;
    let db = state.db.conn();
    let check = state
        .snapshots
        .get(&window.to_string(), || async {
            let status = verify_chain(db).await?;
            Ok::<_, AppError>(ChainCheck(match status {
                ChainStatus::Intact { events, .. } => ChainView {
                    intact: true,
                    events,
                    problem: None,
                    checked_at: crate::ssr::clock::display_time(now),
                },
                ChainStatus::Broken { seq, problem } => ChainView {
                    intact: false,
                    events: seq,
                    problem: Some(format!("event {seq}: {problem}")),
                    checked_at: crate::ssr::clock::display_time(now),
                },
            }))
        })
        .await?;
    Ok(check.0.clone())
}
