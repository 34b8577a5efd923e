//! Who may call the registry's server functions: everyone signed in reads; editors register and
//! change applications (owners only their own, checked per application by the registry).

use super::api::{
    ApplicationFormOptions, CreateApplication, GetApplication, GetApplicationForm,
    ListApplications, SearchOwners, SetApplicationArchived, UpdateApplication,
};
use super::model::Editors;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        <ListApplications as ServerFn>::PATH,
        Access::read::<Reader>(),
    ),
    Endpoint::new(<GetApplication as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <ApplicationFormOptions as ServerFn>::PATH,
        Access::read::<Editors>(),
    ),
    Endpoint::new(
        <GetApplicationForm as ServerFn>::PATH,
        Access::read::<Editors>(),
    ),
    // People's names and user names: for those who choose owners, not for every reader.
    Endpoint::new(<SearchOwners as ServerFn>::PATH, Access::read::<Editors>()),
    Endpoint::new(
        <CreateApplication as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
    Endpoint::new(
        <UpdateApplication as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
    Endpoint::new(
        <SetApplicationArchived as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
];
