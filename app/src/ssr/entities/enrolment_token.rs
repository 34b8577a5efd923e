use crate::ids::{EnrolmentTokenId, UserId};
use crate::vocab::EnrolmentPurpose;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolment_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: EnrolmentTokenId,
    /// Hex SHA-256 of the secret; the secret itself exists only in the link that was handed out.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// `bootstrap`, `invitation` or `recovery`.
    pub purpose: EnrolmentPurpose,
    pub user_id: Option<UserId>,
    pub issued_by: Option<UserId>,
    pub reason: Option<String>,
    pub revoke_old_passkeys: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub used_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
