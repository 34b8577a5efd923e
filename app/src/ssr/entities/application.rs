use sea_orm::entity::prelude::*;

/// A registered application. `name_key` is the lower-cased name, unique, so names are unique
/// regardless of case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub name_key: String,
    pub description: String,
    pub business_unit_id: Option<Uuid>,
    pub criticality: String,
    pub integration: String,
    pub lifecycle: String,
    pub is_identity_provider: bool,
    pub provider_id: Option<Uuid>,
    pub archived: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
