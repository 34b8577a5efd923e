//! Control status read from the database: the estate's (every active application against every
//! judged control, tallied per control), at the present or as of a date, in a fixed number of
//! statements whatever the estate's size; the present one kept until the next change or day.

use crate::error::AppError;
use crate::evidence::model::ControlStatus;
use crate::evidence::rules::status::{
    ControlIndex, ExceptionLife, OpenFinding, Tally, held_at, open_at,
};
use crate::ids::ApplicationId;
use crate::ssr::entities::{application, application_tag, finding, finding_exception};
use crate::ssr::state::AppState;
use crate::vocab::{Criticality, ExceptionState};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// One application's place against every judged control.
#[derive(Clone, Debug)]
pub struct AppStatus {
    pub id: ApplicationId,
    pub name: String,
    pub criticality: Criticality,
    pub tags: Vec<String>,
    /// In the index's order.
    pub statuses: Vec<ControlStatus>,
}

/// The estate's control status at one moment.
#[derive(Clone, Debug)]
pub struct EstateStatus {
    pub index: ControlIndex,
    /// Active applications (existing at that moment), by name.
    pub apps: Vec<AppStatus>,
    /// Per judged control.
    pub tallies: Vec<Tally>,
    pub at: OffsetDateTime,
}

/// One open finding at a moment, with whether an exception held for it.
#[derive(Clone, Debug)]
pub struct OpenRow {
    pub application_id: ApplicationId,
    pub key: String,
    pub rule: String,
    pub severity: crate::vocab::Severity,
    pub explanation: String,
    pub excepted: bool,
    /// The exception holding for it.
    pub exception: Option<crate::ids::ExceptionId>,
}

/// The findings open at `at` (of `only` applications when given) and whether an approved
/// exception held for each then (two statements).
pub async fn open_findings<C: ConnectionTrait>(
    db: &C,
    at: OffsetDateTime,
    only: Option<&[ApplicationId]>,
) -> Result<Vec<OpenRow>, AppError> {
    let mut q = finding::Entity::find()
        .select_only()
        .column(finding::Column::ApplicationId)
        .column(finding::Column::Key)
        .column(finding::Column::Rule)
        .column(finding::Column::Severity)
        .column(finding::Column::Explanation)
        .column(finding::Column::OpenedAt)
        .column(finding::Column::ResolvedAt)
        .filter(finding::Column::OpenedAt.lte(at))
        .filter(
            Condition::any()
                .add(finding::Column::ResolvedAt.is_null())
                .add(finding::Column::ResolvedAt.gt(at)),
        );
    let mut e = finding_exception::Entity::find()
        .filter(finding_exception::Column::DecidedAt.lte(at))
        .filter(finding_exception::Column::ExpiresAt.gt(at))
        .filter(finding_exception::Column::State.is_in([
            ExceptionState::Approved,
            ExceptionState::Expired,
            ExceptionState::Revoked,
            ExceptionState::Renewed,
        ]));
    if let Some(ids) = only {
        q = q.filter(finding::Column::ApplicationId.is_in(ids.to_vec()));
        e = e.filter(finding_exception::Column::ApplicationId.is_in(ids.to_vec()));
    }
    type Row = (
        ApplicationId,
        String,
        String,
        crate::vocab::Severity,
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = q.into_tuple().all(db).await?;
    let holding: HashMap<(ApplicationId, String), crate::ids::ExceptionId> = e
        .all(db)
        .await?
        .into_iter()
        .filter(|x| {
            held_at(
                ExceptionLife {
                    state: x.state,
                    decided_at: x.decided_at,
                    expires_at: x.expires_at,
                    ended_at: x.ended_at,
                },
                at,
            )
        })
        .map(|x| ((x.application_id, x.finding_key), x.id))
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| open_at(r.5, r.6, at))
        .map(|(application_id, key, rule, severity, explanation, _, _)| {
            let exception = holding.get(&(application_id, key.clone())).copied();
            OpenRow {
                excepted: exception.is_some(),
                exception,
                application_id,
                key,
                rule,
                severity,
                explanation,
            }
        })
        .collect())
}

/// Per application and rule with findings open at `at`: whether one of them has no exception
/// holding then (1) or every one has (0). One statement, grouped in the database, so the estate's
/// status holds a few bytes per application and rule, never the findings themselves.
async fn rule_states<C: ConnectionTrait>(
    db: &C,
    at: OffsetDateTime,
) -> Result<Vec<(ApplicationId, String, i32)>, AppError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Func, Query};
    let holding = Query::select()
        .expr(Expr::val(1))
        .from(finding_exception::Entity)
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::ApplicationId,
            ))
            .equals((finding::Entity, finding::Column::ApplicationId)),
        )
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::FindingKey,
            ))
            .equals((finding::Entity, finding::Column::Key)),
        )
        .and_where(
            Expr::col((finding_exception::Entity, finding_exception::Column::State)).is_in([
                ExceptionState::Approved.as_str(),
                ExceptionState::Expired.as_str(),
                ExceptionState::Revoked.as_str(),
                ExceptionState::Renewed.as_str(),
            ]),
        )
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::DecidedAt,
            ))
            .lte(at),
        )
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::ExpiresAt,
            ))
            .gt(at),
        )
        .cond_where(
            Condition::any()
                .add(
                    Expr::col((
                        finding_exception::Entity,
                        finding_exception::Column::EndedAt,
                    ))
                    .is_null(),
                )
                .add(
                    Expr::col((
                        finding_exception::Entity,
                        finding_exception::Column::EndedAt,
                    ))
                    .gt(at),
                ),
        )
        .to_owned();
    let failing = Expr::case(Expr::exists(holding), 0).finally(1);
    let q = Query::select()
        .column((finding::Entity, finding::Column::ApplicationId))
        .column((finding::Entity, finding::Column::Rule))
        .expr_as(Func::max(failing), Alias::new("failing"))
        .from(finding::Entity)
        .and_where(Expr::col((finding::Entity, finding::Column::OpenedAt)).lte(at))
        .cond_where(
            Condition::any()
                .add(Expr::col((finding::Entity, finding::Column::ResolvedAt)).is_null())
                .add(Expr::col((finding::Entity, finding::Column::ResolvedAt)).gt(at)),
        )
        .group_by_col((finding::Entity, finding::Column::ApplicationId))
        .group_by_col((finding::Entity, finding::Column::Rule))
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        out.push((
            row.try_get::<ApplicationId>("", "application_id")?,
            row.try_get::<String>("", "rule")?,
            row.try_get::<i32>("", "failing")?,
        ));
    }
    Ok(out)
}

/// Every application's tags (one statement).
async fn tags<C: ConnectionTrait>(
    db: &C,
    only: Option<&[ApplicationId]>,
) -> Result<HashMap<ApplicationId, Vec<String>>, AppError> {
    let mut q = application_tag::Entity::find();
    if let Some(ids) = only {
        q = q.filter(application_tag::Column::ApplicationId.is_in(ids.to_vec()));
    }
    let mut out: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for t in q.all(db).await? {
        out.entry(t.application_id).or_default().push(t.tag);
    }
    Ok(out)
}

/// The estate's status at `at` (six statements).
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    at: OffsetDateTime,
) -> Result<EstateStatus, AppError> {
    let index = ControlIndex::new(&crate::frameworks::facade::load(db).await?);
    let apps: Vec<(ApplicationId, String, Criticality)> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Name)
        .column(application::Column::Criticality)
        .filter(application::Column::Archived.eq(false))
        .filter(application::Column::CreatedAt.lte(at))
        .order_by_asc(application::Column::NameKey)
        .order_by_asc(application::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut tags = tags(db, None).await?;
    let mut open: HashMap<ApplicationId, Vec<(String, bool)>> = HashMap::new();
    for (id, rule, failing) in rule_states(db, at).await? {
        open.entry(id).or_default().push((rule, failing == 0));
    }
    let mut tallies = vec![Tally::default(); index.controls.len()];
    let apps = apps
        .into_iter()
        .map(|(id, name, criticality)| {
            let tags = tags.remove(&id).unwrap_or_default();
            let mine: Vec<OpenFinding> = open
                .get(&id)
                .map(|rows| {
                    rows.iter()
                        .map(|(rule, excepted)| OpenFinding {
                            rule,
                            excepted: *excepted,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let statuses = index.statuses(&tags, &mine);
            for (t, s) in tallies.iter_mut().zip(&statuses) {
                t.add(*s);
            }
            AppStatus {
                id,
                name,
                criticality,
                tags,
                statuses,
            }
        })
        .collect();
    Ok(EstateStatus {
        index,
        apps,
        tallies,
        at,
    })
}

/// The estate's status now, kept until the next change (the chain's head) or the next day (an
/// exception's expiry is a moment, 00:00 UTC, that needs no change to pass).
pub async fn current(state: &AppState) -> Result<Arc<EstateStatus>, AppError> {
    let now = state.now();
    let head = crate::audit::facade::head(state.db.conn()).await?;
    let stamp = format!("{head}@{}", now.date());
    state
        .snapshots
        .get(
            &stamp,
            || async move { compute(state.db.conn(), now).await },
        )
        .await
}
