use crate::ids::{UserId, WebhookId};
use sea_orm::entity::prelude::*;

/// An outgoing webhook. The secret signs every body; it is shown once, when created.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WebhookId,
    pub url: String,
    pub description: String,
    pub secret: String,
    pub active: bool,
    pub created_by: Option<UserId>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
