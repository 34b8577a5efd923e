//! Reading the catalogues.

use super::model::{CatalogueView, MethodView, PopulationView};
use crate::error::AppError;
use crate::ssr::entities::{auth_method, business_unit, population};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

impl From<auth_method::Model> for MethodView {
    fn from(m: auth_method::Model) -> Self {
        Self {
            key: m.key,
            name: m.name,
            category: m.category,
            factor: m.factor,
            phishing_resistant: m.phishing_resistant,
            max_aal: m.max_aal,
            syncable: m.syncable,
            restricted: m.restricted,
            needs_personal_phone: m.needs_personal_phone,
            needs_managed_device: m.needs_managed_device,
            shared_workstation_ok: m.shared_workstation_ok,
            strength_rank: m.strength_rank,
            description: m.description,
            active: m.active,
        }
    }
}

impl From<population::Model> for PopulationView {
    fn from(p: population::Model) -> Self {
        Self {
            key: p.key,
            name: p.name,
            description: p.description,
        }
    }
}

/// The catalogue people read: every method strongest first, active populations and business
/// units by name (three queries).
/// Every method's and population's name by key, retired ones included (history names them).
pub async fn names<C: ConnectionTrait>(db: &C) -> Result<crate::journey::Names, AppError> {
    Ok(crate::journey::Names {
        methods: auth_method::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.key, m.name))
            .collect(),
        populations: population::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.key, p.name))
            .collect(),
    })
}

pub async fn load<C: ConnectionTrait>(db: &C) -> Result<CatalogueView, AppError> {
    let methods = auth_method::Entity::find()
        .order_by_asc(auth_method::Column::StrengthRank)
        .all(db)
        .await?
        .into_iter()
        .map(MethodView::from)
        .collect();
    let populations = population::Entity::find()
        .filter(population::Column::Active.eq(true))
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(PopulationView::from)
        .collect();
    let business_units = business_unit::Entity::find()
        .filter(business_unit::Column::Active.eq(true))
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.name)
        .collect();
    Ok(CatalogueView {
        methods,
        populations,
        business_units,
    })
}

// ---------------------------------------------------------------------------------------------
// Administrators' edits, each audited with the entry before and after.

use super::model::{BusinessUnitView, CATALOGUE_NAME_MAX, CatalogueAdministrators, MethodForm};
use super::rules::check_method;
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::ids::BusinessUnitId;
use crate::session::facade::Granted;
use crate::ssr::db::BATCH;
use crate::ssr::derived::Changed;
use crate::ssr::state::AppState;
use crate::validation::validate_text;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use serde_json::json;
use std::collections::HashMap;

fn method_snapshot(m: &auth_method::Model) -> serde_json::Value {
    json!({
        "name": m.name,
        "description": m.description,
        "max_aal": m.max_aal,
        "strength_rank": m.strength_rank,
        "factor": m.factor.as_str(),
        "phishing_resistant": m.phishing_resistant,
        "syncable": m.syncable,
        "restricted": m.restricted,
        "needs_personal_phone": m.needs_personal_phone,
        "needs_managed_device": m.needs_managed_device,
        "shared_workstation_ok": m.shared_workstation_ok,
        "active": m.active,
    })
}

async fn audit_change<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    subject_type: &'static str,
    subject_id: String,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let event = NewAuditEvent {
        actor: Actor::User(admin.id()),
        action: AuditAction::CatalogueChanged,
        subject_type,
        subject_id,
        before,
        after: Some(after),
    };
    record(db, state.now(), event).await?;
    Ok(())
}

pub async fn list_business_units<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<BusinessUnitView>, AppError> {
    Ok(business_unit::Entity::find()
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|b| BusinessUnitView {
            id: b.id,
            name: b.name,
            active: b.active,
        })
        .collect())
}

/// Edits a method's name, description and rule attributes.
pub async fn update_method(
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    key: &str,
    form: &MethodForm,
) -> Result<(), AppError> {
    let (name, description, factor) = check_method(form)?;
    let txn = state.db.begin_write().await?;
    let old = auth_method::Entity::find_by_id(key.to_string())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let updated = auth_method::Entity::update(auth_method::ActiveModel {
        key: Set(old.key.clone()),
        name: Set(name),
        description: Set(description),
        max_aal: Set(form.max_aal),
        strength_rank: Set(form.strength_rank),
        factor: Set(factor),
        phishing_resistant: Set(form.phishing_resistant.is_some()),
        syncable: Set(form.syncable.is_some()),
        restricted: Set(form.restricted.is_some()),
        needs_personal_phone: Set(form.needs_personal_phone.is_some()),
        needs_managed_device: Set(form.needs_managed_device.is_some()),
        shared_workstation_ok: Set(form.shared_workstation_ok.is_some()),
        active: Set(form.active.is_some()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(AppError::taken("name", "Another method has this name."))?;
    audit_change(
        &txn,
        state,
        admin,
        "auth_method",
        old.key.clone(),
        Some(method_snapshot(&old)),
        method_snapshot(&updated),
    )
    .await?;
    // Every journey is judged by the methods' attributes.
    state
        .derived
        .refresh(&txn, Changed::Everything, state.now())
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a business unit; names are unique.
pub async fn add_business_unit(
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    name: &str,
) -> Result<(), AppError> {
    let name = validate_text("name", name, 1, CATALOGUE_NAME_MAX)?;
    let txn = state.db.begin_write().await?;
    let id = BusinessUnitId::new();
    insert_business_units(&txn, &[(id, name.clone())]).await?;
    audit_change(
        &txn,
        state,
        admin,
        "business_unit",
        id.to_string(),
        None,
        json!({ "name": name, "active": true }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds active business units (id, name), in batches; a taken name is a validation error.
pub async fn insert_business_units<C: ConnectionTrait>(
    db: &C,
    units: &[(BusinessUnitId, String)],
) -> Result<(), AppError> {
    for chunk in units.chunks(BATCH) {
        business_unit::Entity::insert_many(chunk.iter().map(|(id, name)| {
            business_unit::ActiveModel {
                id: Set(*id),
                name: Set(name.clone()),
                active: Set(true),
            }
        }))
        .exec_without_returning(db)
        .await
        .map_err(AppError::taken(
            "name",
            "A business unit with this name exists.",
        ))?;
    }
    Ok(())
}

/// A business unit an import needs, as it stands after [`ensure_business_units`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnsuredUnit {
    pub id: BusinessUnitId,
    /// Created by this call (else it existed, or another transaction created it meanwhile).
    pub created: bool,
    pub active: bool,
}

/// Creates the business units that are missing, conflict-safe: each is inserted unless one of
/// that name exists (`ON CONFLICT DO NOTHING`; on PostgreSQL this waits for a concurrent
/// transaction inserting the same name and then sees its row), then every named unit is read
/// back. Sorted by name first, so that two transactions creating overlapping sets take their
/// locks in one order. Returns each name's unit.
pub async fn ensure_business_units<C: ConnectionTrait>(
    db: &C,
    units: &[(BusinessUnitId, String)],
) -> Result<HashMap<String, EnsuredUnit>, AppError> {
    let mut sorted: Vec<&(BusinessUnitId, String)> = units.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    for chunk in sorted.chunks(BATCH) {
        business_unit::Entity::insert_many(chunk.iter().map(|(id, name)| {
            business_unit::ActiveModel {
                id: Set(*id),
                name: Set(name.clone()),
                active: Set(true),
            }
        }))
        .on_conflict(
            OnConflict::column(business_unit::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let planned: HashMap<&str, BusinessUnitId> = units
        .iter()
        .map(|(id, name)| (name.as_str(), *id))
        .collect();
    let mut found = HashMap::with_capacity(units.len());
    for chunk in sorted.chunks(BATCH) {
        for unit in business_unit::Entity::find()
            .filter(business_unit::Column::Name.is_in(chunk.iter().map(|(_, n)| n.clone())))
            .all(db)
            .await?
        {
            let created = planned.get(unit.name.as_str()) == Some(&unit.id);
            found.insert(
                unit.name,
                EnsuredUnit {
                    id: unit.id,
                    created,
                    active: unit.active,
                },
            );
        }
    }
    Ok(found)
}

/// Retires or restores a business unit (kept for the history of applications that used it).
pub async fn set_business_unit_active(
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    id: BusinessUnitId,
    active: bool,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let old = business_unit::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    business_unit::Entity::update(business_unit::ActiveModel {
        id: Set(id),
        active: Set(active),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit_change(
        &txn,
        state,
        admin,
        "business_unit",
        id.to_string(),
        Some(json!({ "name": old.name, "active": old.active })),
        json!({ "name": old.name, "active": active }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Edits a population's name and description, or retires it.
pub async fn update_population(
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    key: &str,
    name: &str,
    description: &str,
    active: bool,
) -> Result<(), AppError> {
    let mut checks = crate::validation::Checks::new();
    let name = checks.check(validate_text("name", name, 1, CATALOGUE_NAME_MAX));
    let description = checks.check(validate_text(
        "description",
        description,
        0,
        super::model::CATALOGUE_DESCRIPTION_MAX,
    ));
    let (Some(name), Some(description)) = (name, description) else {
        return checks.finish();
    };
    let txn = state.db.begin_write().await?;
    let old = population::Entity::find_by_id(key.to_string())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    population::Entity::update(population::ActiveModel {
        key: Set(old.key.clone()),
        name: Set(name.clone()),
        description: Set(description.clone()),
        active: Set(active),
    })
    .exec(&txn)
    .await
    .map_err(AppError::taken("name", "Another population has this name."))?;
    audit_change(
        &txn,
        state,
        admin,
        "population",
        old.key.clone(),
        Some(json!({ "name": old.name, "description": old.description, "active": old.active })),
        json!({ "name": name, "description": description, "active": active }),
    )
    .await?;
    // Findings name populations in their explanations.
    state
        .derived
        .refresh(&txn, Changed::Everything, state.now())
        .await?;
    txn.commit().await?;
    Ok(())
}
