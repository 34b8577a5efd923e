use crate::ids::{ApplicationId, ExceptionId, UserId};
use crate::vocab::{ExceptionState, Severity};
use sea_orm::entity::prelude::*;

/// A time-limited acceptance of one finding, with its whole life.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding_exception")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ExceptionId,
    pub application_id: ApplicationId,
    pub finding_key: String,
    pub rule: String,
    /// The finding's severity when it was requested (it bounds the duration).
    pub severity: Severity,
    pub state: ExceptionState,
    #[sea_orm(column_type = "Text")]
    pub justification: String,
    #[sea_orm(column_type = "Text")]
    pub compensating_controls: String,
    /// The first moment it no longer holds (the day after the chosen last day, 00:00 UTC).
    pub expires_at: TimeDateTimeWithTimeZone,
    pub requested_by: UserId,
    pub requested_at: TimeDateTimeWithTimeZone,
    /// The exception this request renews.
    pub renews_id: Option<ExceptionId>,
    /// 0 for a first request, then 1, 2, … along a chain of renewals.
    pub renewal_number: i32,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub ended_by: Option<UserId>,
    pub ended_at: Option<TimeDateTimeWithTimeZone>,
    #[sea_orm(column_type = "Text", nullable)]
    pub end_reason: Option<String>,
    /// The lists' orders: the time, then the id.
    pub requested_sort: String,
    pub expiry_sort: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
