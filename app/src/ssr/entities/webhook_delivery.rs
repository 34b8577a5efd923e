use crate::ids::{DeliveryId, WebhookId};
use crate::vocab::DeliveryState;
use sea_orm::entity::prelude::*;

/// One event queued for one webhook (unique per webhook and event key).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event_key: String,
    pub event: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: Option<TimeDateTimeWithTimeZone>,
    /// An instance is sending it until then.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub delivered_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
