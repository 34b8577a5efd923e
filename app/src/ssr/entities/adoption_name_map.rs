use crate::vocab::NameKind;
use sea_orm::entity::prelude::*;

/// An identity provider's name for an application or a method and the portal's for it
/// (`portal` empty: ignored on purpose). `external_key` is the name lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adoption_name_map")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: NameKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub external_key: String,
    pub external: String,
    pub portal: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
