use crate::ids::{ApplicationId, DeclarationVersionId, UserId};
use crate::vocab::Source;
use sea_orm::entity::prelude::*;

/// A submitted declaration: immutable (the database refuses updates and deletes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DeclarationVersionId,
    pub application_id: ApplicationId,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub body_sha256: String,
    pub author_id: Option<UserId>,
    /// `portal`, `import` or `generator`.
    pub source: Source,
    pub submitted_at: TimeDateTimeWithTimeZone,
    /// Why its author submitted it (given when reviewing the differences), if they said.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
