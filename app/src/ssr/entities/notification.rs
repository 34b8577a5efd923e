use crate::ids::{NotificationId, UserId};
use sea_orm::entity::prelude::*;

/// One entry of a user's notification list.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NotificationId,
    pub user_id: UserId,
    pub created_at: TimeDateTimeWithTimeZone,
    /// The list's order: the time, then the id.
    pub created_sort: String,
    pub subject_type: String,
    pub subject_id: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// A path inside the portal.
    pub link: String,
    pub read_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
