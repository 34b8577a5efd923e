use crate::ids::{ApiTokenId, UserId};
use sea_orm::entity::prelude::*;

/// A token for one integration: its secret is stored only as a SHA-256; `prefix` is the start
/// of the secret, shown so people can tell tokens apart. `window_start`/`window_count` count
/// uses in the current minute (the rate limit).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApiTokenId,
    pub name: String,
    pub scope: String,
    #[sea_orm(unique)]
    pub secret_hash: String,
    pub prefix: String,
    pub created_by: UserId,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub revoked_by: Option<UserId>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    pub last_used_at: Option<TimeDateTimeWithTimeZone>,
    pub uses: i64,
    pub window_start: i64,
    pub window_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
