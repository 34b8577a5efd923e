use crate::ids::DeclarationVersionId;
use crate::vocab::JourneyRole;
use sea_orm::entity::prelude::*;

/// One method of one path in one role of one population of a submitted version, for the matrix.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_method")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version_id: DeclarationVersionId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub population_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: JourneyRole,
    /// The method's place among every method of the role (unique within the role).
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    /// Which path of the role, from 0: methods of one path are used together.
    pub path: i32,
    pub method_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
