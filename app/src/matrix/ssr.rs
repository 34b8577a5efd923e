//! The estate as the matrix reads it, loaded in a fixed number of statements and kept (per
//! instance) until the next change: every change moves the audit chain's head, and a request
//! reads the head (one primary-key read) to know whether the estate it keeps still holds. When
//! it moved, the events since say what changed: nothing the estate holds (it is kept as it is),
//! some applications (they alone are read and computed again), or more (it is loaded whole).
//! The day is part of the stamp too (exceptions end and drills age with the date).

use super::current::Current;
use super::rules::{Estate, EstateApp, FindingFact, MAX_EVENTS, changed, estate, patch};
use crate::audit::facade::{actions_between, head, head_seq};
use crate::catalogue::model::MethodView;
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::journey::{Declaration, Names};
use crate::matrix::model::{Choice, EXPIRING_DAYS};
use crate::policy::facade::current;
use crate::policy::model::Policy;
use crate::ssr::entities::{
    app_user, application, application_owner, application_population, auth_method, business_unit,
    declaration_version, finding, finding_exception, population,
};
use crate::ssr::state::AppState;
use crate::vocab::{ExceptionState, JourneyRole, Severity};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::OffsetDateTime;

/// The estate at this moment: the one kept when nothing changed since it was loaded (one
/// statement); the one kept with the applications that changed since computed again (the
/// events since, then a few statements for those applications); or loaded whole (the first
/// time, on a new day, after a change to the catalogue, the policy or many applications).
pub async fn current_estate(state: &AppState) -> Result<Arc<Current>, AppError> {
    let db = state.db.conn();
    let now = state.now();
    let head = head(db).await?;
    let seq = head_seq(&head);
    let stamp = format!("{head}@{}", now.date());
    let at = stamp.clone();
    state
        .snapshots
        .get_from(&stamp, |kept: Option<Arc<Current>>| async move {
            if let Some(kept) = kept.filter(|k| k.day == now.date() && k.seq <= seq)
                && let Some(next) = advance(db, &kept, seq, at.clone(), now).await?
            {
                return Ok(next);
            }
            Ok(Current::new(load(db, now).await?, at, seq, now.date()))
        })
        .await
}

/// The estate kept brought up to `seq`, or `None` when it has to be loaded whole.
async fn advance<C: ConnectionTrait>(
    db: &C,
    kept: &Current,
    seq: i64,
    stamp: String,
    now: OffsetDateTime,
) -> Result<Option<Current>, AppError> {
    let events = actions_between(db, kept.seq, seq, MAX_EVENTS + 1).await?;
    let Some(what) = changed(events.iter().map(|(a, s)| (a.as_str(), s.as_str()))) else {
        return Ok(None);
    };
    if what.is_empty() {
        return Ok(Some(kept.restamped(stamp, seq)));
    }
    let mut ids = what.applications;
    if !what.exceptions.is_empty() {
        ids.extend(
            finding_exception::Entity::find()
                .select_only()
                .column(finding_exception::Column::ApplicationId)
                .filter(finding_exception::Column::Id.is_in(what.exceptions))
                .into_tuple::<ApplicationId>()
                .all(db)
                .await?,
        );
    }
    // A provider's change reaches the applications that inherit its journey.
    ids.extend(
        application::Entity::find()
            .select_only()
            .column(application::Column::Id)
            .filter(application::Column::ProviderId.is_in(ids.iter().copied()))
            .into_tuple::<ApplicationId>()
            .all(db)
            .await?,
    );
    let base = Base::read(db).await?;
    let apps = applications(db, now, &base, Some(&ids)).await?;
    Ok(patch(
        &kept.estate,
        &ids,
        apps,
        &base.methods,
        &base.policy,
        base.policy_version,
        now.date(),
    )
    .map(|e| Current::new(e, stamp, seq, now.date())))
}

/// What every application is read against: the policy in force and the catalogues.
struct Base {
    policy_version: i32,
    policy: Policy,
    methods: Vec<MethodView>,
    populations: Vec<population::Model>,
    units: HashMap<BusinessUnitId, String>,
}

impl Base {
    async fn read<C: ConnectionTrait>(db: &C) -> Result<Self, AppError> {
        let (policy_version, policy) = current(db).await?;
        let methods: Vec<MethodView> = auth_method::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(MethodView::from)
            .collect();
        let populations = population::Entity::find()
            .order_by_asc(population::Column::Name)
            .all(db)
            .await?;
        let units: HashMap<BusinessUnitId, String> = business_unit::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        Ok(Self {
            policy_version,
            policy,
            methods,
            populations,
            units,
        })
    }
}

/// Loads and computes the estate (every application not archived).
pub async fn load<C: ConnectionTrait>(db: &C, now: OffsetDateTime) -> Result<Estate, AppError> {
    let base = Base::read(db).await?;
    let apps = applications(db, now, &base, None).await?;
    let names = Names {
        methods: base
            .methods
            .iter()
            .map(|m| (m.key.clone(), m.name.clone()))
            .collect(),
        populations: base
            .populations
            .iter()
            .map(|p| (p.key.clone(), p.name.clone()))
            .collect(),
    };
    let mut unit_names: Vec<String> = base.units.values().cloned().collect();
    unit_names.sort();
    Ok(estate(
        apps,
        &base.methods,
        &base.policy,
        base.policy_version,
        names,
        base.populations
            .iter()
            .map(|p| Choice {
                key: p.key.clone(),
                label: p.name.clone(),
            })
            .collect(),
        unit_names,
        now.date(),
    ))
}

/// Keeps a query to the rows of some applications (all of them without a set).
fn within<E: EntityTrait>(
    query: Select<E>,
    column: impl ColumnTrait,
    only: Option<&HashSet<ApplicationId>>,
) -> Select<E> {
    match only {
        Some(ids) => query.filter(column.is_in(ids.iter().copied())),
        None => query,
    }
}

/// The applications not archived, with everything the matrix reads of them: all of them, or
/// those of `only`. A fixed number of statements either way.
async fn applications<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    base: &Base,
    only: Option<&HashSet<ApplicationId>>,
) -> Result<Vec<EstateApp>, AppError> {
    let apps = within(
        application::Entity::find().filter(application::Column::Archived.eq(false)),
        application::Column::Id,
        only,
    )
    .all(db)
    .await?;
    // The identity providers they federate to: among them when all are read.
    let providers: Vec<(ApplicationId, String)> = match only {
        None => apps
            .iter()
            .filter(|a| a.is_identity_provider)
            .map(|a| (a.id, a.name.clone()))
            .collect(),
        Some(_) => {
            application::Entity::find()
                .select_only()
                .column(application::Column::Id)
                .column(application::Column::Name)
                .filter(application::Column::Archived.eq(false))
                .filter(application::Column::IsIdentityProvider.eq(true))
                .filter(application::Column::Id.is_in(apps.iter().filter_map(|a| a.provider_id)))
                .into_tuple()
                .all(db)
                .await?
        }
    };
    let provider_names: HashMap<ApplicationId, String> = providers.into_iter().collect();
    // Declarations: theirs and their providers'.
    let declared: Option<HashSet<ApplicationId>> = only.map(|ids| {
        ids.iter()
            .copied()
            .chain(apps.iter().filter_map(|a| a.provider_id))
            .collect()
    });
    let mut served: HashMap<ApplicationId, HashSet<String>> = HashMap::new();
    for (app, key) in within(
        application_population::Entity::find(),
        application_population::Column::ApplicationId,
        only,
    )
    .select_only()
    .column(application_population::Column::ApplicationId)
    .column(application_population::Column::PopulationKey)
    .into_tuple::<(ApplicationId, String)>()
    .all(db)
    .await?
    {
        served.entry(app).or_default().insert(key);
    }
    let users: HashMap<UserId, String> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Username)
        .filter(Expr::cust("id IN (SELECT user_id FROM application_owner)"))
        .into_tuple::<(UserId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut owners: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for (app, user) in within(
        application_owner::Entity::find(),
        application_owner::Column::ApplicationId,
        only,
    )
    .select_only()
    .column(application_owner::Column::ApplicationId)
    .column(application_owner::Column::UserId)
    .into_tuple::<(ApplicationId, UserId)>()
    .all(db)
    .await?
    {
        if let Some(name) = users.get(&user) {
            owners.entry(app).or_default().push(name.to_lowercase());
        }
    }
    let mut latest: HashMap<ApplicationId, Arc<Declaration>> = HashMap::new();
    for (app, body) in within(
        declaration_version::Entity::find(),
        declaration_version::Column::ApplicationId,
        declared.as_ref(),
    )
    .select_only()
    .column(declaration_version::Column::ApplicationId)
    .column(declaration_version::Column::Body)
    .filter(Expr::cust(
        "version = (SELECT MAX(w.version) FROM declaration_version w \
         WHERE w.application_id = declaration_version.application_id)",
    ))
    .into_tuple::<(ApplicationId, String)>()
    .all(db)
    .await?
    {
        let d: Declaration = serde_json::from_str(&body)
            .map_err(|e| AppError::internal(format!("stored declaration of {app}: {e}")))?;
        latest.insert(app, Arc::new(d));
    }
    let mut holding: HashSet<(ApplicationId, String)> = HashSet::new();
    let mut expiring: HashMap<ApplicationId, u32> = HashMap::new();
    let soon = now + time::Duration::days(EXPIRING_DAYS);
    for (app, key, expires_at) in within(
        finding_exception::Entity::find(),
        finding_exception::Column::ApplicationId,
        only,
    )
    .select_only()
    .column(finding_exception::Column::ApplicationId)
    .column(finding_exception::Column::FindingKey)
    .column(finding_exception::Column::ExpiresAt)
    .filter(finding_exception::Column::State.eq(ExceptionState::Approved))
    .filter(finding_exception::Column::ExpiresAt.gt(now))
    .into_tuple::<(ApplicationId, String, OffsetDateTime)>()
    .all(db)
    .await?
    {
        if expires_at <= soon {
            *expiring.entry(app).or_default() += 1;
        }
        holding.insert((app, key));
    }
    let mut findings: HashMap<ApplicationId, Vec<FindingFact>> = HashMap::new();
    type Row = (
        ApplicationId,
        String,
        String,
        Severity,
        Option<String>,
        Option<JourneyRole>,
        Option<String>,
    );
    for (app, key, rule, severity, population, role, method) in within(
        finding::Entity::find(),
        finding::Column::ApplicationId,
        only,
    )
    .select_only()
    .column(finding::Column::ApplicationId)
    .column(finding::Column::Key)
    .column(finding::Column::Rule)
    .column(finding::Column::Severity)
    .column(finding::Column::PopulationKey)
    .column(finding::Column::Role)
    .column(finding::Column::Method)
    .filter(finding::Column::ResolvedAt.is_null())
    .into_tuple::<Row>()
    .all(db)
    .await?
    {
        let excepted = holding.contains(&(app, key));
        findings.entry(app).or_default().push(FindingFact {
            rule,
            severity,
            methods: FindingFact::methods_of(method.as_deref()),
            population,
            role,
            excepted,
        });
    }
    let order: Vec<&str> = base.populations.iter().map(|p| p.key.as_str()).collect();
    Ok(apps
        .iter()
        .map(|a| {
            let keys = served.remove(&a.id).unwrap_or_default();
            EstateApp {
                id: a.id,
                name: a.name.clone(),
                name_key: a.name_key.clone(),
                unit: a.business_unit_id.and_then(|u| base.units.get(&u).cloned()),
                criticality: a.criticality,
                integration: a.integration,
                provider: a.provider_id.map(|p| {
                    provider_names
                        .get(&p)
                        .cloned()
                        .unwrap_or_else(|| "an identity provider".into())
                }),
                owners: owners.remove(&a.id).unwrap_or_default(),
                served: order
                    .iter()
                    .filter(|k| keys.contains(**k))
                    .map(|k| k.to_string())
                    .collect(),
                own: latest.get(&a.id).cloned(),
                inherited: a.provider_id.and_then(|p| latest.get(&p).cloned()),
                findings: findings.remove(&a.id).unwrap_or_default(),
                expiring: expiring.get(&a.id).copied().unwrap_or(0),
            }
        })
        .collect())
}
