use sea_orm::entity::prelude::*;

/// A finding rule bears on a control, with the OSCAL relationship word.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_control")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub framework: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub control_id: String,
    pub relationship: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
