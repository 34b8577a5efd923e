use crate::ids::ExceptionId;
use sea_orm::entity::prelude::*;

/// A reminder that went out: one row per exception and threshold (days before expiry; 0 on the
/// day it lapses), so each goes out once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exception_reminder")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub exception_id: ExceptionId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub threshold: i32,
    pub sent_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
