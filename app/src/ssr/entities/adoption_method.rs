use crate::ids::ApplicationId;
use sea_orm::entity::prelude::*;

/// What one method did for one application, period and population.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adoption_method")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: ApplicationId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub population: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub method: String,
    pub month: String,
    pub sign_ins_succeeded: i64,
    pub sign_ins_failed: i64,
    pub fallback_uses: i64,
    pub recoveries: i64,
    pub enrolments: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
