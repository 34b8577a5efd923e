//! Who may call adoption's server functions and move its files. Reading is open to everyone
//! signed in (figures are counts, no person in them); uploading and editing the name mappings
//! is for security and administrators; the download for those who may export the estate.

use super::api::{
    GetAdoption, GetApplicationAdoption, ListMappings, RemoveMapping, SaveMapping,
    TakeAdoptionReport,
};
use super::model::{AdoptionImporters, EXPORT_PATH, UPLOAD_PATH};
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use crate::transfer::model::Exporters;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetAdoption as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <GetApplicationAdoption as ServerFn>::PATH,
        Access::read::<Reader>(),
    ),
    Endpoint::new(
        <TakeAdoptionReport as ServerFn>::PATH,
        Access::read::<AdoptionImporters>(),
    ),
    Endpoint::new(
        <ListMappings as ServerFn>::PATH,
        Access::read::<AdoptionImporters>(),
    ),
    Endpoint::new(
        <SaveMapping as ServerFn>::PATH,
        Access::change::<AdoptionImporters>(),
    ),
    Endpoint::new(
        <RemoveMapping as ServerFn>::PATH,
        Access::change::<AdoptionImporters>(),
    ),
];

pub const HANDLERS: &[Endpoint] = &[
    Endpoint::new(UPLOAD_PATH, Access::change::<AdoptionImporters>()),
    Endpoint::new(EXPORT_PATH, Access::read::<Exporters>()),
];
