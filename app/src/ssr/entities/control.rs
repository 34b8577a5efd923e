use sea_orm::entity::prelude::*;

/// A control of a framework (`alias_of`: another id of the same framework it stands for).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "control")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub framework: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub control_id: String,
    pub title: String,
    pub summary: Option<String>,
    pub alias_of: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
