use crate::ids::{ApplicationId, BusinessUnitId};
use crate::vocab::{Criticality, Integration, Lifecycle};
use sea_orm::entity::prelude::*;

/// A registered application. `name_key` is the lower-cased name, unique, so names are unique
/// regardless of case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApplicationId,
    pub name: String,
    #[sea_orm(unique)]
    pub name_key: String,
    pub description: String,
    pub business_unit_id: Option<BusinessUnitId>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub lifecycle: Lifecycle,
    pub is_identity_provider: bool,
    pub provider_id: Option<ApplicationId>,
    pub archived: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
