use crate::ids::{AdoptionBatchId, ApplicationId};
use sea_orm::entity::prelude::*;

/// Active users and help-desk tickets by stage of one application, period and population
/// (`""`: all its people).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adoption_period")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: ApplicationId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub population: String,
    pub month: String,
    pub users: i64,
    pub tickets_enrolment: i64,
    pub tickets_biometric_registration: i64,
    pub tickets_authenticator_migration: i64,
    pub tickets_lost_device_recovery: i64,
    pub tickets_reauthentication_after_reset: i64,
    pub tickets_other: i64,
    pub batch_id: AdoptionBatchId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
