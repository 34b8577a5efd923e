//! The estate as the matrix reads it, loaded in a fixed number of statements and kept (per
//! instance) until the next change: every change moves the audit chain's head, and a request
//! reads the head (one primary-key read) to know whether the estate it keeps still holds. The
//! day is part of the stamp too (exceptions end and drills age with the date).

use super::current::Current;
use super::rules::{Estate, EstateApp, FindingFact, estate};
use crate::audit::facade::head;
use crate::catalogue::model::MethodView;
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::journey::{Declaration, Names};
use crate::matrix::model::{Choice, EXPIRING_DAYS};
use crate::policy::facade::current;
use crate::ssr::entities::{
    app_user, application, application_owner, application_population, auth_method, business_unit,
    declaration_version, finding, finding_exception, population,
};
use crate::ssr::state::AppState;
use crate::vocab::{ExceptionState, JourneyRole, Severity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::OffsetDateTime;

/// The estate at this moment: the one kept when nothing changed since it was loaded (one
/// statement), or loaded again; with what requests derived from it since.
pub async fn current_estate(state: &AppState) -> Result<Arc<Current>, AppError> {
    let db = state.db.conn();
    let now = state.now();
    let stamp = format!("{}@{}", head(db).await?, now.date());
    state
        .snapshots
        .get(&stamp, || async {
            Ok(Current::new(load(db, now).await?, stamp.clone()))
        })
        .await
}

/// Loads and computes the estate (every application not archived).
pub async fn load<C: ConnectionTrait>(db: &C, now: OffsetDateTime) -> Result<Estate, AppError> {
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
    let apps = application::Entity::find()
        .filter(application::Column::Archived.eq(false))
        .all(db)
        .await?;
    let mut served: HashMap<ApplicationId, HashSet<String>> = HashMap::new();
    for (app, key) in application_population::Entity::find()
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
    for (app, user) in application_owner::Entity::find()
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
    let mut latest: HashMap<ApplicationId, Declaration> = HashMap::new();
    for (app, body) in declaration_version::Entity::find()
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
        latest.insert(app, d);
    }
    let mut holding: HashSet<(ApplicationId, String)> = HashSet::new();
    let mut expiring: HashMap<ApplicationId, u32> = HashMap::new();
    let soon = now + time::Duration::days(EXPIRING_DAYS);
    for (app, key, expires_at) in finding_exception::Entity::find()
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
    for (app, key, rule, severity, population, role, method) in finding::Entity::find()
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
    let names = Names {
        methods: methods
            .iter()
            .map(|m| (m.key.clone(), m.name.clone()))
            .collect(),
        populations: populations
            .iter()
            .map(|p| (p.key.clone(), p.name.clone()))
            .collect(),
    };
    let order: Vec<String> = populations.iter().map(|p| p.key.clone()).collect();
    let provider_names: HashMap<ApplicationId, String> = apps
        .iter()
        .filter(|a| a.is_identity_provider)
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let estate_apps: Vec<EstateApp> = apps
        .iter()
        .map(|a| {
            let keys = served.remove(&a.id).unwrap_or_default();
            EstateApp {
                id: a.id,
                name: a.name.clone(),
                name_key: a.name_key.clone(),
                unit: a.business_unit_id.and_then(|u| units.get(&u).cloned()),
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
                    .filter(|k| keys.contains(*k))
                    .cloned()
                    .collect(),
                own: latest.get(&a.id).cloned(),
                inherited: a.provider_id.and_then(|p| latest.get(&p).cloned()),
                findings: findings.remove(&a.id).unwrap_or_default(),
                expiring: expiring.get(&a.id).copied().unwrap_or(0),
            }
        })
        .collect();
    let mut unit_names: Vec<String> = units.into_values().collect();
    unit_names.sort();
    Ok(estate(
        estate_apps,
        &methods,
        &policy,
        policy_version,
        names,
        populations
            .into_iter()
            .map(|p| Choice {
                key: p.key,
                label: p.name,
            })
            .collect(),
        unit_names,
        now.date(),
    ))
}
