use crate::ids::{ApplicationId, BusinessUnitId};
use crate::vocab::{Criticality, JourneyRole, Severity};
use sea_orm::entity::prelude::*;

/// One deviation of one application from the standard policy, kept current by the findings
/// feature; resolved ones stay with the time they disappeared.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: ApplicationId,
    /// Stable across versions and recomputations: the rule and the scope.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The list's order, unique: severity rank, the application's name key and the key.
    pub sort_key: String,
    pub rule: String,
    pub severity: Severity,
    /// 0 for critical to 3 for low: the list's order.
    pub severity_rank: i16,
    pub population_key: Option<String>,
    pub role: Option<JourneyRole>,
    pub method: Option<String>,
    /// The application's, as when its findings were last written (every change judges again).
    pub criticality: Criticality,
    pub business_unit_id: Option<BusinessUnitId>,
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    #[sea_orm(column_type = "Text")]
    pub fix: String,
    /// Framework control ids, separated by `;`.
    #[sea_orm(column_type = "Text")]
    pub controls: String,
    /// When it was found (or found again after being resolved).
    pub opened_at: TimeDateTimeWithTimeZone,
    pub resolved_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
