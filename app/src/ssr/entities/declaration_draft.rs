use crate::ids::{ApplicationId, UserId};
use sea_orm::entity::prelude::*;

/// The one editable draft of an application's declaration (JSON of `Declaration`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_draft")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: ApplicationId,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub updated_by: Option<UserId>,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
