use sea_orm::entity::prelude::*;

/// A framework of the control catalogue (`applies_to_tag`: it applies only to applications
/// carrying that tag).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "framework")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub name: String,
    pub version: String,
    pub short: String,
    pub licence: String,
    pub url: String,
    pub applies_to_tag: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
