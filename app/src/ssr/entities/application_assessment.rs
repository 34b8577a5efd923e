use crate::ids::ApplicationId;
use sea_orm::entity::prelude::*;

/// What the findings function says of an application as a whole, kept with its findings.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: ApplicationId,
    /// Effective assurance level of the weakest path (0: nothing to sign in with).
    pub aal: i16,
    /// Every sign-in path of every population is phishing-resistant.
    pub phishing_resistant: bool,
    pub open_critical: i32,
    pub open_high: i32,
    pub open_medium: i32,
    pub open_low: i32,
    /// The policy version it was judged against.
    pub policy_version: i32,
    pub evaluated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
