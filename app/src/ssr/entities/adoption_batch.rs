use crate::ids::{AdoptionBatchId, ApiTokenId, UserId};
use crate::vocab::AdoptionSource;
use sea_orm::entity::prelude::*;

/// One ingestion of adoption figures: where from, who or which token, when, how much.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adoption_batch")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AdoptionBatchId,
    pub source: AdoptionSource,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub submitted_by: Option<UserId>,
    pub token_id: Option<ApiTokenId>,
    pub received_at: TimeDateTimeWithTimeZone,
    pub periods: i64,
    pub rows: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
