//! Storing adoption figures: all or nothing. Each (application, period) sent replaces what was
//! stored for it, so sending the same figures twice changes nothing and never double-counts.
//! Names resolve to ids first (every problem named with its row); then, in one write
//! transaction serialised across instances, the periods are deleted and written again, the
//! month/day rule is checked against what stays stored, and the ingestion is audited.

use crate::adoption::model::{AdoptionSource, Period, PeriodFigures, RowProblem, TicketStage};
use crate::adoption::rules::csv::Sourced;
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{AdoptionBatchId, ApplicationId};
use crate::registry::facade::name_key;
use crate::ssr::db::{BATCH, Db, LockKey};
use crate::ssr::entities::{
    adoption_batch, adoption_method, adoption_period, application, auth_method, population,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;

/// The largest count one cell may hold (a trillion: larger is a mistake, not a figure).
pub const COUNT_MAX: u64 = 1_000_000_000_000;

/// Where an ingestion came from and who sent it.
#[derive(Clone, Debug)]
pub struct Origin {
    pub source: AdoptionSource,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub actor: Actor,
}

/// What an ingestion stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ingested {
    pub batch: AdoptionBatchId,
    /// (application, period, population) entries written.
    pub entries: usize,
    pub applications: usize,
    /// Distinct (application, period) pairs written.
    pub periods: usize,
    /// Of those, how many replaced figures stored before.
    pub replaced: usize,
    pub method_rows: usize,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Stores `incoming` or, when any entry is wrong, nothing: `Ok(Err(problems))` names each.
pub async fn ingest(
    db: &Db,
    now: OffsetDateTime,
    incoming: Vec<Sourced>,
    origin: Origin,
) -> Result<Result<Ingested, Vec<RowProblem>>, AppError> {
    if incoming.is_empty() {
        return Ok(Err(vec![RowProblem::new(
            0,
            "",
            "The file holds no figures.",
        )]));
    }
    let names: BTreeSet<String> = incoming
        .iter()
        .map(|s| name_key(&s.figures.application))
        .collect();
    let ids = application_ids(db.conn(), &names).await?;
    let methods = keys_of_methods(db.conn()).await?;
    let populations = keys_of_populations(db.conn()).await?;
    let problems = check(&incoming, &ids, &methods, &populations);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let resolved: Vec<(ApplicationId, &PeriodFigures)> = incoming
        .iter()
        .map(|s| (ids[&name_key(&s.figures.application)], &s.figures))
        .collect();
    write(db, now, &resolved, origin).await
}

/// The ids of the applications named (by name key).
async fn application_ids<C: ConnectionTrait>(
    db: &C,
    names: &BTreeSet<String>,
) -> Result<HashMap<String, ApplicationId>, AppError> {
    let names: Vec<&String> = names.iter().collect();
    let mut out = HashMap::with_capacity(names.len());
    for chunk in names.chunks(BATCH) {
        let rows: Vec<(String, ApplicationId)> = application::Entity::find()
            .select_only()
            .column(application::Column::NameKey)
            .column(application::Column::Id)
            .filter(application::Column::NameKey.is_in(chunk.iter().map(|s| s.as_str())))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Every method key of the catalogue, retired ones included (figures of the past name them).
async fn keys_of_methods<C: ConnectionTrait>(db: &C) -> Result<BTreeSet<String>, AppError> {
    let keys: Vec<String> = auth_method::Entity::find()
        .select_only()
        .column(auth_method::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(keys.into_iter().collect())
}

async fn keys_of_populations<C: ConnectionTrait>(db: &C) -> Result<BTreeSet<String>, AppError> {
    let keys: Vec<String> = population::Entity::find()
        .select_only()
        .column(population::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(keys.into_iter().collect())
}

/// What the file's own checks cannot know: names that must exist in the portal, and counts too
/// large to be real.
fn check(
    incoming: &[Sourced],
    ids: &HashMap<String, ApplicationId>,
    methods: &BTreeSet<String>,
    populations: &BTreeSet<String>,
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    for s in incoming {
        let f = &s.figures;
        if !ids.contains_key(&name_key(&f.application)) {
            problems.push(RowProblem::new(
                s.row,
                "application",
                format!(
                    "No application is named \"{}\": register it first or correct the name.",
                    f.application.trim()
                ),
            ));
        }
        if let Some(p) = &f.population
            && !populations.contains(p.trim())
        {
            problems.push(RowProblem::new(
                s.row,
                "population",
                format!("\"{p}\" is not a population key of the catalogue."),
            ));
        }
        for m in &f.methods {
            if !methods.contains(m.method.trim()) {
                problems.push(RowProblem::new(
                    s.row,
                    "method",
                    format!("\"{}\" is not a method key of the catalogue.", m.method),
                ));
            }
            let counts = [
                m.sign_ins_succeeded,
                m.sign_ins_failed,
                m.fallback_uses,
                m.recoveries,
                m.enrolments,
            ];
            if counts.iter().any(|c| *c > COUNT_MAX) {
                problems.push(too_large(s.row, "method"));
            }
        }
        if f.users > COUNT_MAX || f.tickets.values().any(|c| *c > COUNT_MAX) {
            problems.push(too_large(s.row, "tickets"));
        }
    }
    problems
}

fn too_large(row: usize, field: &str) -> RowProblem {
    RowProblem::new(
        row,
        field,
        format!("A count is over {COUNT_MAX}: that is not a real figure."),
    )
}

fn ticket(f: &PeriodFigures, stage: TicketStage) -> i64 {
    f.tickets.get(&stage).copied().unwrap_or(0) as i64
}

#[derive(Debug, FromQueryResult)]
struct Conflict {
    application_id: ApplicationId,
    month: String,
}

async fn write(
    db: &Db,
    now: OffsetDateTime,
    entries: &[(ApplicationId, &PeriodFigures)],
    origin: Origin,
) -> Result<Result<Ingested, Vec<RowProblem>>, AppError> {
    let batch = AdoptionBatchId::new();
    // The (application, period) pairs replaced, by period.
    let mut by_period: BTreeMap<Period, BTreeSet<ApplicationId>> = BTreeMap::new();
    for (id, f) in entries {
        by_period.entry(f.period).or_default().insert(*id);
    }
    let periods: usize = by_period.values().map(BTreeSet::len).sum();
    let applications: BTreeSet<ApplicationId> = entries.iter().map(|(id, _)| *id).collect();
    let method_rows: usize = entries.iter().map(|(_, f)| f.methods.len()).sum();

    let txn = db.begin_write().await?;
    Db::serialize(&txn, LockKey::Adoption).await?;
    adoption_batch::Entity::insert(adoption_batch::ActiveModel {
        id: Set(batch),
        source: Set(origin.source),
        file_name: Set(origin.file_name.clone()),
        sha256: Set(origin.sha256.clone()),
        submitted_by: Set(match &origin.actor {
            Actor::User(id) => Some(*id),
            _ => None,
        }),
        token_id: Set(match &origin.actor {
            Actor::Token(id) => Some(*id),
            _ => None,
        }),
        received_at: Set(now),
        periods: Set(periods as i64),
        rows: Set((entries.len() + method_rows) as i64),
    })
    .exec_without_returning(&txn)
    .await?;

    let mut replaced = 0usize;
    for (period, apps) in &by_period {
        let text = period.to_string();
        let apps: Vec<ApplicationId> = apps.iter().copied().collect();
        for chunk in apps.chunks(BATCH) {
            let before: Vec<(ApplicationId, String)> = adoption_period::Entity::find()
                .select_only()
                .column(adoption_period::Column::ApplicationId)
                .column(adoption_period::Column::Period)
                .filter(adoption_period::Column::Period.eq(text.as_str()))
                .filter(adoption_period::Column::ApplicationId.is_in(chunk.iter().copied()))
                .distinct()
                .into_tuple()
                .all(&txn)
                .await?;
            replaced += before.len();
            adoption_method::Entity::delete_many()
                .filter(adoption_method::Column::Period.eq(text.as_str()))
                .filter(adoption_method::Column::ApplicationId.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
            adoption_period::Entity::delete_many()
                .filter(adoption_period::Column::Period.eq(text.as_str()))
                .filter(adoption_period::Column::ApplicationId.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }

    let period_rows = entries.iter().map(|(id, f)| adoption_period::ActiveModel {
        application_id: Set(*id),
        period: Set(f.period.to_string()),
        population: Set(f.population.clone().unwrap_or_default()),
        month: Set(f.period.month().to_string()),
        users: Set(f.users as i64),
        tickets_enrolment: Set(ticket(f, TicketStage::Enrolment)),
        tickets_biometric_registration: Set(ticket(f, TicketStage::BiometricRegistration)),
        tickets_authenticator_migration: Set(ticket(f, TicketStage::AuthenticatorMigration)),
        tickets_lost_device_recovery: Set(ticket(f, TicketStage::LostDeviceRecovery)),
        tickets_reauthentication_after_reset: Set(ticket(
            f,
            TicketStage::ReauthenticationAfterReset,
        )),
        tickets_other: Set(ticket(f, TicketStage::Other)),
        batch_id: Set(batch),
    });
    let period_rows: Vec<_> = period_rows.collect();
    // 13 values a row: well under SQLite's limit of bound parameters per statement.
    for chunk in period_rows.chunks(BATCH) {
        adoption_period::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let method_models: Vec<adoption_method::ActiveModel> = entries
        .iter()
        .flat_map(|(id, f)| {
            f.methods.iter().map(move |m| adoption_method::ActiveModel {
                application_id: Set(*id),
                period: Set(f.period.to_string()),
                population: Set(f.population.clone().unwrap_or_default()),
                method: Set(m.method.trim().to_string()),
                month: Set(f.period.month().to_string()),
                sign_ins_succeeded: Set(m.sign_ins_succeeded as i64),
                sign_ins_failed: Set(m.sign_ins_failed as i64),
                fallback_uses: Set(m.fallback_uses as i64),
                recoveries: Set(m.recoveries as i64),
                enrolments: Set(m.enrolments as i64),
            })
        })
        .collect();
    for chunk in method_models.chunks(BATCH) {
        adoption_method::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }

    // A month and its days never both stay stored for one application: they would count twice.
    let months: BTreeSet<String> = by_period.keys().map(|p| p.month().to_string()).collect();
    let conflicts = Conflict::find_by_statement(
        txn.get_database_backend().build(
            Query::select()
                .column(adoption_period::Column::ApplicationId)
                .column(adoption_period::Column::Month)
                .from(adoption_period::Entity)
                .and_where(Expr::col(adoption_period::Column::Month).is_in(months))
                .group_by_columns([
                    adoption_period::Column::ApplicationId,
                    adoption_period::Column::Month,
                ])
                .and_having(
                    Expr::cust("MIN(LENGTH(\"period\"))").ne(Expr::cust("MAX(LENGTH(\"period\"))")),
                )
                .limit(20),
        ),
    )
    .all(&txn)
    .await?;
    if !conflicts.is_empty() {
        txn.rollback().await?;
        let names = crate::registry::facade::application_names(
            db.conn(),
            conflicts.iter().map(|c| c.application_id),
        )
        .await?;
        return Ok(Err(conflicts
            .iter()
            .map(|c| {
                RowProblem::new(
                    0,
                    "period",
                    format!(
                        "{} would have figures both for the month {} and for days in it: send \
                         the month or its days, not both (figures stored before count).",
                        names.get(&c.application_id).map_or("An application", |n| n),
                        c.month
                    ),
                )
            })
            .collect()));
    }

    let first = by_period.keys().next().map(Period::to_string);
    let last = by_period.keys().next_back().map(Period::to_string);
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: origin.actor.clone(),
            action: AuditAction::AdoptionIngested,
            subject_type: "adoption_batch",
            subject_id: batch.to_string(),
            before: None,
            after: Some(json!({
                "source": origin.source.as_str(),
                "file_name": origin.file_name,
                "sha256": origin.sha256,
                "applications": applications.len(),
                "periods": periods,
                "replaced": replaced,
                "entries": entries.len(),
                "method_rows": method_rows,
                "first": first,
                "last": last,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(Ingested {
        batch,
        entries: entries.len(),
        applications: applications.len(),
        periods,
        replaced,
        method_rows,
        first,
        last,
    }))
}
