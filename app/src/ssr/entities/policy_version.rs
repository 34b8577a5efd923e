use crate::ids::UserId;
use sea_orm::entity::prelude::*;

/// One version of the standard policy: immutable (the database refuses updates and deletes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// The whole policy document (JSON).
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub body_sha256: String,
    /// Nobody for the shipped version 1.
    pub author_id: Option<UserId>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
