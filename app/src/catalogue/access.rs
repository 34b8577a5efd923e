//! Who may call the catalogue server functions: everyone signed in reads the catalogue;
//! administrators edit it.

use super::api::{
    AddBusinessUnit, GetCatalogue, ListBusinessUnits, SetBusinessUnitActive, UpdateMethod,
    UpdatePopulation,
};
use super::model::CatalogueAdministrators;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetCatalogue as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <UpdateMethod as ServerFn>::PATH,
        Access::change::<CatalogueAdministrators>(),
    ),
    Endpoint::new(
        <UpdatePopulation as ServerFn>::PATH,
        Access::change::<CatalogueAdministrators>(),
    ),
    Endpoint::new(
        <ListBusinessUnits as ServerFn>::PATH,
        Access::read::<CatalogueAdministrators>(),
    ),
    Endpoint::new(
        <AddBusinessUnit as ServerFn>::PATH,
        Access::change::<CatalogueAdministrators>(),
    ),
    Endpoint::new(
        <SetBusinessUnitActive as ServerFn>::PATH,
        Access::change::<CatalogueAdministrators>(),
    ),
];
