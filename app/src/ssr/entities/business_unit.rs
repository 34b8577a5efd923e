use crate::ids::BusinessUnitId;
use sea_orm::entity::prelude::*;

/// A business unit (free list).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: BusinessUnitId,
    #[sea_orm(unique)]
    pub name: String,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
