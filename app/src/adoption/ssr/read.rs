//! Reading adoption figures for the pages: a fixed number of grouped statements whatever the
//! estate's size (the sums are the database's work), the declared journeys from the estate the
//! matrix keeps per change, and the figures and drift computed by the pure rules.

use crate::adoption::model::{
    AdoptionFilter, AppRow, ApplicationAdoption, Choice, DriftRow, EstateAdoption, LastIngestion,
    MethodCounts, MethodRow, MonthFigures, Period, TicketStage,
};
use crate::adoption::rules::drift::drift;
use crate::adoption::rules::figures::{Totals, figures, worst_by_concentration, worst_by_fallback};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::journey::{JourneyRole, PopulationJourney};
use crate::matrix::facade::{Current, Entry, current_estate};
use crate::ssr::entities::{
    adoption_batch, adoption_method, adoption_period, application, business_unit,
};
use crate::ssr::state::AppState;
use crate::vocab::{AdoptionSource, Criticality};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};

/// How many applications each ranking of the estate page shows.
pub const RANKED: usize = 15;

/// The ticket columns of `adoption_period`, in [`TicketStage`] order.
const TICKET_COLUMNS: [(TicketStage, &str); 6] = [
    (TicketStage::Enrolment, "tickets_enrolment"),
    (
        TicketStage::BiometricRegistration,
        "tickets_biometric_registration",
    ),
    (
        TicketStage::AuthenticatorMigration,
        "tickets_authenticator_migration",
    ),
    (
        TicketStage::LostDeviceRecovery,
        "tickets_lost_device_recovery",
    ),
    (
        TicketStage::ReauthenticationAfterReset,
        "tickets_reauthentication_after_reset",
    ),
    (TicketStage::Other, "tickets_other"),
];

const METHOD_COLUMNS: [&str; 5] = [
    "sign_ins_succeeded",
    "sign_ins_failed",
    "fallback_uses",
    "recoveries",
    "enrolments",
];

/// A stored count (never negative: the columns hold counts).
fn count_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// `CAST(SUM("table"."column") AS BIGINT)` (PostgreSQL sums bigints as numeric).
fn sum(table: &str, column: &str) -> Expr {
    Expr::cust(format!("CAST(SUM(\"{table}\".\"{column}\") AS BIGINT)"))
}

#[derive(Debug, FromQueryResult)]
struct MethodSum {
    application_id: Option<ApplicationId>,
    month: Option<String>,
    method: String,
    c0: i64,
    c1: i64,
    c2: i64,
    c3: i64,
    c4: i64,
}

impl MethodSum {
    fn counts(&self) -> MethodCounts {
        MethodCounts {
            method: self.method.clone(),
            sign_ins_succeeded: count_of(self.c0),
            sign_ins_failed: count_of(self.c1),
            fallback_uses: count_of(self.c2),
            recoveries: count_of(self.c3),
            enrolments: count_of(self.c4),
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct PeriodSum {
    application_id: Option<ApplicationId>,
    month: Option<String>,
    users: i64,
    months: i64,
    t0: i64,
    t1: i64,
    t2: i64,
    t3: i64,
    t4: i64,
    t5: i64,
}

impl PeriodSum {
    /// Into totals: users are the average of the months counted (people active in a typical
    /// month), tickets the sum.
    fn add_to(&self, t: &mut Totals) {
        let months = Ord::max(count_of(self.months), 1);
        t.users += (count_of(self.users) + months / 2) / months;
        for (i, n) in [self.t0, self.t1, self.t2, self.t3, self.t4, self.t5]
            .into_iter()
            .enumerate()
        {
            if n > 0 {
                *t.tickets.entry(TICKET_COLUMNS[i].0).or_default() += n as u64;
            }
        }
    }
}

/// What to sum over: which applications (all, one, or by the filter's facts), which months and
/// which population.
struct Scope<'a> {
    application: Option<ApplicationId>,
    unit: Option<&'a str>,
    criticality: Option<Criticality>,
    population: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

#[derive(Clone, Copy)]
enum Group {
    Application,
    Month,
}

fn scoped(q: &mut SelectStatement, table: &'static str, scope: &Scope<'_>) {
    let t = Alias::new(table);
    if let Some(id) = scope.application {
        q.and_where(Expr::col((t.clone(), Alias::new("application_id"))).eq(id));
    } else {
        // Figures of archived applications stay stored but leave the estate's figures.
        q.inner_join(
            application::Entity,
            Expr::col((application::Entity, application::Column::Id))
                .equals((t.clone(), Alias::new("application_id"))),
        )
        .and_where(Expr::col((application::Entity, application::Column::Archived)).eq(false));
        if let Some(c) = scope.criticality {
            q.and_where(Expr::col((application::Entity, application::Column::Criticality)).eq(c));
        }
        if let Some(unit) = scope.unit {
            q.inner_join(
                business_unit::Entity,
                Expr::col((business_unit::Entity, business_unit::Column::Id))
                    .equals((application::Entity, application::Column::BusinessUnitId)),
            )
            .and_where(Expr::col((business_unit::Entity, business_unit::Column::Name)).eq(unit));
        }
    }
    if let Some(p) = scope.population {
        q.and_where(Expr::col((t.clone(), Alias::new("population"))).eq(p));
    }
    if let Some(from) = scope.from {
        q.and_where(Expr::col((t.clone(), Alias::new("month"))).gte(from));
    }
    if let Some(to) = scope.to {
        q.and_where(Expr::col((t, Alias::new("month"))).lte(to));
    }
}

fn group_column(q: &mut SelectStatement, table: &'static str, group: Group) {
    let t = Alias::new(table);
    match group {
        Group::Application => {
            q.expr_as(
                Expr::col((t.clone(), Alias::new("application_id"))),
                Alias::new("application_id"),
            )
            .expr_as(Expr::cust("NULL"), Alias::new("month"))
            .group_by_col((t, Alias::new("application_id")));
        }
        Group::Month => {
            q.expr_as(Expr::cust("NULL"), Alias::new("application_id"))
                .expr_as(
                    Expr::col((t.clone(), Alias::new("month"))),
                    Alias::new("month"),
                )
                .group_by_col((t, Alias::new("month")));
        }
    }
}

async fn method_sums<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    group: Group,
) -> Result<Vec<MethodSum>, AppError> {
    const T: &str = "adoption_method";
    let mut q = Query::select();
    q.from(adoption_method::Entity);
    group_column(&mut q, T, group);
    q.expr_as(
        Expr::col((Alias::new(T), Alias::new("method"))),
        Alias::new("method"),
    )
    .group_by_col((Alias::new(T), Alias::new("method")));
    for (i, c) in METHOD_COLUMNS.iter().enumerate() {
        q.expr_as(sum(T, c), Alias::new(format!("c{i}")));
    }
    scoped(&mut q, T, scope);
    let stmt = db.get_database_backend().build(&q);
    Ok(MethodSum::find_by_statement(stmt).all(db).await?)
}

async fn period_sums<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    group: Group,
) -> Result<Vec<PeriodSum>, AppError> {
    const T: &str = "adoption_period";
    let mut q = Query::select();
    q.from(adoption_period::Entity);
    group_column(&mut q, T, group);
    q.expr_as(sum(T, "users"), Alias::new("users")).expr_as(
        Expr::cust(format!("COUNT(DISTINCT \"{T}\".\"month\")")),
        Alias::new("months"),
    );
    for (i, (_, c)) in TICKET_COLUMNS.iter().enumerate() {
        q.expr_as(sum(T, c), Alias::new(format!("t{i}")));
    }
    scoped(&mut q, T, scope);
    let stmt = db.get_database_backend().build(&q);
    Ok(PeriodSum::find_by_statement(stmt).all(db).await?)
}

/// Every month with figures, oldest first.
async fn months<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, AppError> {
    Ok(adoption_period::Entity::find()
        .select_only()
        .column(adoption_period::Column::Month)
        .distinct()
        .order_by(adoption_period::Column::Month, Order::Asc)
        .into_tuple()
        .all(db)
        .await?)
}

async fn last_ingestion<C: ConnectionTrait>(db: &C) -> Result<Option<LastIngestion>, AppError> {
    let last: Option<(time::OffsetDateTime, AdoptionSource, i64)> = adoption_batch::Entity::find()
        .select_only()
        .column(adoption_batch::Column::ReceivedAt)
        .column(adoption_batch::Column::Source)
        .column(adoption_batch::Column::Periods)
        .order_by(adoption_batch::Column::ReceivedAt, Order::Desc)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.map(|(at, source, periods)| LastIngestion {
        at: crate::ssr::clock::display_time(at),
        source,
        periods,
    }))
}

/// Whether a catalogue method is passwordless in the programme's sense: a phishing-resistant
/// method that needs no password (passkeys, security keys, smart cards).
fn passwordless_of(estate: &Current) -> impl Fn(&str) -> bool + '_ {
    move |key: &str| {
        estate
            .columns
            .iter()
            .any(|c| c.key == key && c.phishing_resistant)
    }
}

/// The declared journeys of one application, as the matrix computed them (inherited paths of
/// a federated application included).
fn declared(estate: &Current, id: ApplicationId) -> Vec<PopulationJourney> {
    estate
        .entries
        .iter()
        .find(|e| e.id == id)
        .map(|e| journeys_of(estate, e))
        .unwrap_or_default()
}

/// An entry's declared populations' journeys.
pub fn journeys_of(estate: &Current, entry: &Entry) -> Vec<PopulationJourney> {
    entry
        .populations
        .iter()
        .filter_map(|p| {
            let journey = estate.journeys.get(p.journey? as usize)?;
            let mut j = PopulationJourney {
                population: p.key.clone(),
                ..PopulationJourney::default()
            };
            for (role, paths) in JourneyRole::ALL.iter().zip(journey.iter()) {
                *j.paths_mut(*role) = paths.clone();
            }
            Some(j)
        })
        .collect()
}

fn month_label(month: &str) -> String {
    Period::parse(month).map_or_else(|_| month.to_string(), Period::label)
}

/// The default months: the last twelve with figures (or fewer).
fn default_range(months: &[String]) -> (String, String) {
    let to = months.last().cloned().unwrap_or_default();
    let from = months
        .len()
        .checked_sub(12)
        .and_then(|i| months.get(i))
        .or(months.first())
        .cloned()
        .unwrap_or_default();
    (from, to)
}

/// The estate's adoption for a filter.
pub async fn estate(
    state: &AppState,
    filter: &AdoptionFilter,
    can_import: bool,
) -> Result<EstateAdoption, AppError> {
    let db = state.db.conn();
    let current = current_estate(state).await?;
    let all_months = months(db).await?;
    let (default_from, default_to) = default_range(&all_months);
    let pick = |v: &str, default: String| {
        let v = v.trim();
        if Period::parse(v).is_ok_and(|p| !p.is_day()) {
            v.to_string()
        } else {
            default
        }
    };
    let mut from = pick(&filter.from, default_from);
    let mut to = pick(&filter.to, default_to);
    if from > to {
        std::mem::swap(&mut from, &mut to);
    }
    let criticality = Criticality::parse(filter.criticality.trim());
    let unit = Some(filter.unit.trim()).filter(|u| !u.is_empty());
    let population = Some(filter.population.trim()).filter(|p| !p.is_empty());
    let scope = Scope {
        application: None,
        unit,
        criticality,
        population,
        from: Some(&from).filter(|s| !s.is_empty()).map(String::as_str),
        to: Some(&to).filter(|s| !s.is_empty()).map(String::as_str),
    };
    let passwordless = passwordless_of(&current);

    // Per application over the months chosen.
    let mut per_app: HashMap<ApplicationId, Totals> = HashMap::new();
    for m in method_sums(db, &scope, Group::Application).await? {
        if let Some(id) = m.application_id {
            let t = per_app.entry(id).or_default();
            t.methods
                .entry(m.method.clone())
                .or_insert_with(|| MethodCounts::new(m.method.clone()))
                .add(&m.counts());
        }
    }
    for p in period_sums(db, &scope, Group::Application).await? {
        if let Some(id) = p.application_id {
            p.add_to(per_app.entry(id).or_default());
        }
    }
    // By month, for the trend.
    let mut per_month: BTreeMap<String, Totals> = BTreeMap::new();
    for m in method_sums(db, &scope, Group::Month).await? {
        if let Some(month) = &m.month {
            let t = per_month.entry(month.clone()).or_default();
            t.methods
                .entry(m.method.clone())
                .or_insert_with(|| MethodCounts::new(m.method.clone()))
                .add(&m.counts());
        }
    }
    for p in period_sums(db, &scope, Group::Month).await? {
        if let Some(month) = &p.month {
            p.add_to(per_month.entry(month.clone()).or_default());
        }
    }

    let mut estate_totals = Totals::default();
    for t in per_app.values() {
        estate_totals.merge(t);
    }
    let facts: HashMap<ApplicationId, (&str, Criticality)> = current
        .entries
        .iter()
        .map(|e| (e.id, (e.name.as_str(), e.criticality)))
        .collect();
    let matching = current
        .entries
        .iter()
        .filter(|e| criticality.is_none_or(|c| e.criticality == c))
        .filter(|e| unit.is_none_or(|u| e.unit.as_deref() == Some(u)))
        .count();

    let mut rows: Vec<(ApplicationId, crate::adoption::model::Figures)> = per_app
        .iter()
        .filter(|(id, _)| facts.contains_key(id))
        .map(|(id, t)| (*id, figures(t, &passwordless)))
        .collect();
    rows.sort_by(|a, b| facts[&a.0].0.cmp(facts[&b.0].0));
    let app_row = |(id, f): &(ApplicationId, crate::adoption::model::Figures)| AppRow {
        id: *id,
        name: facts[id].0.to_string(),
        criticality: facts[id].1,
        figures: f.clone(),
    };
    let worst_fallback = worst_by_fallback(&rows, RANKED)
        .into_iter()
        .map(app_row)
        .collect();
    let concentrated = rows
        .iter()
        .filter(|(_, f)| f.concentration.is_some())
        .count() as u32;
    let worst_concentration = worst_by_concentration(&rows, RANKED)
        .into_iter()
        .map(app_row)
        .collect();

    let name = |key: &str| current.names.method_name(key).to_string();
    let mut drifting: Vec<DriftRow> = per_app
        .iter()
        .filter_map(|(id, t)| {
            let (app_name, crit) = facts.get(id)?;
            let found = drift(&declared(&current, *id), t, &passwordless);
            (!found.is_empty()).then(|| DriftRow {
                id: *id,
                name: app_name.to_string(),
                criticality: *crit,
                drifts: found.iter().map(|d| d.explain(&name)).collect(),
            })
        })
        .collect();
    // The most critical first, then by name.
    drifting.sort_by(|a, b| {
        b.criticality
            .cmp(&a.criticality)
            .then_with(|| a.name.cmp(&b.name))
    });
    let drifting_total = drifting.len() as u32;
    drifting.truncate(RANKED * 2);

    let trend = per_month
        .iter()
        .map(|(month, t)| MonthFigures {
            month: month.clone(),
            label: month_label(month),
            figures: figures(t, &passwordless),
        })
        .collect();
    Ok(EstateAdoption {
        filter: filter.clone(),
        from,
        to,
        months: all_months
            .iter()
            .map(|m| Choice {
                key: m.clone(),
                label: month_label(m),
            })
            .collect(),
        units: current
            .units
            .iter()
            .map(|u| Choice {
                key: u.clone(),
                label: u.clone(),
            })
            .collect(),
        populations: current
            .populations
            .iter()
            .map(|p| Choice {
                key: p.key.clone(),
                label: p.label.clone(),
            })
            .collect(),
        reporting: rows.len() as u32,
        applications: matching as u32,
        figures: figures(&estate_totals, &passwordless),
        trend,
        worst_fallback,
        worst_concentration,
        concentrated,
        drifting,
        drifting_total,
        last: last_ingestion(db).await?,
        can_import,
    })
}

/// One application's adoption: the last twelve months with figures.
pub async fn application(
    state: &AppState,
    id: ApplicationId,
) -> Result<ApplicationAdoption, AppError> {
    let db = state.db.conn();
    let current = current_estate(state).await?;
    let name = application::Entity::find_by_id(id)
        .select_only()
        .column(application::Column::Name)
        .into_tuple::<String>()
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = Scope {
        application: Some(id),
        unit: None,
        criticality: None,
        population: None,
        from: None,
        to: None,
    };
    let mut per_month: BTreeMap<String, Totals> = BTreeMap::new();
    for m in method_sums(db, &all, Group::Month).await? {
        if let Some(month) = &m.month {
            per_month
                .entry(month.clone())
                .or_default()
                .methods
                .insert(m.method.clone(), m.counts());
        }
    }
    for p in period_sums(db, &all, Group::Month).await? {
        if let Some(month) = &p.month {
            p.add_to(per_month.entry(month.clone()).or_default());
        }
    }
    // The last twelve months with figures.
    let skip = per_month.len().saturating_sub(12);
    let recent: Vec<(&String, &Totals)> = per_month.iter().skip(skip).collect();
    let mut totals = Totals::default();
    let mut month_count = 0u64;
    let mut users_sum = 0u64;
    for (_, t) in &recent {
        let mut t = (*t).clone();
        users_sum += t.users;
        month_count += 1;
        t.users = 0;
        totals.merge(&t);
    }
    totals.users = users_sum.checked_div(month_count).unwrap_or(0);

    let passwordless = passwordless_of(&current);
    let declared = declared(&current, id);
    let roles_of = |method: &str| -> String {
        JourneyRole::ALL
            .iter()
            .filter(|role| {
                declared
                    .iter()
                    .any(|j| j.paths(**role).iter().any(|p| p.contains(method)))
            })
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut methods: Vec<MethodRow> = totals
        .methods
        .values()
        .map(|c| MethodRow {
            key: c.method.clone(),
            name: current.names.method_name(&c.method).to_string(),
            counts: c.clone(),
            declared_roles: roles_of(&c.method),
            passwordless: passwordless(&c.method),
        })
        .collect();
    methods.sort_by(|a, b| {
        b.counts
            .sign_ins_succeeded
            .cmp(&a.counts.sign_ins_succeeded)
            .then_with(|| a.key.cmp(&b.key))
    });
    let method_name = |key: &str| current.names.method_name(key).to_string();
    let drifts = drift(&declared, &totals, &passwordless)
        .iter()
        .map(|d| d.explain(&method_name))
        .collect();
    Ok(ApplicationAdoption {
        name,
        from: recent
            .first()
            .map(|(m, _)| (*m).clone())
            .unwrap_or_default(),
        to: recent.last().map(|(m, _)| (*m).clone()).unwrap_or_default(),
        figures: figures(&totals, &passwordless),
        trend: recent
            .iter()
            .map(|(month, t)| MonthFigures {
                month: (*month).clone(),
                label: month_label(month),
                figures: figures(t, &passwordless),
            })
            .collect(),
        methods,
        declared: !declared.is_empty(),
        drifts,
    })
}

/// The estate's figures over the last twelve months with figures (none: `None`), kept until the
/// next change (the dashboard shows them on every visit).
pub async fn headline(
    state: &AppState,
) -> Result<Option<crate::adoption::model::AdoptionHeadline>, AppError> {
    struct Kept(Option<crate::adoption::model::AdoptionHeadline>);
    let current = current_estate(state).await?;
    let kept = state
        .snapshots
        .get(&current.stamp, || async {
            let db = state.db.conn();
            let all_months = months(db).await?;
            let (from, to) = default_range(&all_months);
            if to.is_empty() {
                return Ok::<_, AppError>(Kept(None));
            }
            let scope = Scope {
                application: None,
                unit: None,
                criticality: None,
                population: None,
                from: Some(&from),
                to: Some(&to),
            };
            let mut totals = Totals::default();
            for m in method_sums(db, &scope, Group::Month).await? {
                totals
                    .methods
                    .entry(m.method.clone())
                    .or_insert_with(|| MethodCounts::new(m.method.clone()))
                    .add(&m.counts());
            }
            // Users: the average of the months' sums (people active in a typical month).
            let periods = period_sums(db, &scope, Group::Month).await?;
            let mut users = 0u64;
            for p in &periods {
                let mut t = Totals::default();
                p.add_to(&mut t);
                users += t.users;
                t.users = 0;
                totals.merge(&t);
            }
            totals.users = users.checked_div(periods.len() as u64).unwrap_or(0);
            let passwordless = passwordless_of(&current);
            Ok(Kept(Some(crate::adoption::model::AdoptionHeadline {
                figures: figures(&totals, &passwordless),
                from,
                to,
            })))
        })
        .await?;
    Ok(kept.0.clone())
}
