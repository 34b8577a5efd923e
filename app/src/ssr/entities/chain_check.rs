use sea_orm::entity::prelude::*;

/// One verification of the audit chain.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chain_check")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub checked_at: TimeDateTimeWithTimeZone,
    pub intact: bool,
    pub events: i64,
    pub checkpoint_seq: Option<i64>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
