//! Reading the catalogues.

use super::model::{CatalogueView, MethodView, PopulationView};
use crate::error::AppError;
use crate::ssr::entities::{auth_method, business_unit, population};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

impl From<auth_method::Model> for MethodView {
    fn from(m: auth_method::Model) -> Self {
        Self {
            key: m.key,
            name: m.name,
            category: m.category,
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

/// The whole catalogue, methods strongest first (three queries).
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<CatalogueView, AppError> {
    let methods = auth_method::Entity::find()
        .order_by_asc(auth_method::Column::StrengthRank)
        .all(db)
        .await?
        .into_iter()
        .map(MethodView::from)
        .collect();
    let populations = population::Entity::find()
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(PopulationView::from)
        .collect();
    let business_units = business_unit::Entity::find()
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter(|b| b.active)
        .map(|b| b.name)
        .collect();
    Ok(CatalogueView {
        methods,
        populations,
        business_units,
    })
}
