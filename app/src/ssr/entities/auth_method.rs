use crate::vocab::FactorKind;
use sea_orm::entity::prelude::*;

/// A method in the authentication-method catalogue, with the attributes the rules use.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_method")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub name: String,
    pub category: String,
    /// What kind of factor it is, for the assurance of paths that combine methods.
    pub factor: FactorKind,
    pub phishing_resistant: bool,
    /// Highest authenticator assurance level the method can reach (1 to 3).
    pub max_aal: i32,
    pub syncable: bool,
    /// SP 800-63B 5.2.10 restricted authenticator (SMS, voice).
    pub restricted: bool,
    pub needs_personal_phone: bool,
    pub needs_managed_device: bool,
    pub shared_workstation_ok: bool,
    /// 1 is the strongest.
    pub strength_rank: i32,
    pub description: String,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
