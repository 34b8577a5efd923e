//! Who may call evidence's server functions and download its files. Coverage and an
//! application's control status are read by everyone signed in; the audit trail and its
//! verification by auditors, security and administrators; the catalogue import by
//! administrators.

use super::api::{
    GetApplicationControls, GetCoverage, GetDrill, GetEvent, GetTrail, ImportFrameworks,
    VerifyChainNow,
};
use super::model::{CATALOGUE_EXPORT_PATH, EVIDENCE_EXPORT_PATH, EvidenceReaders};
use crate::catalogue::model::CatalogueAdministrators;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetCoverage as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(<GetDrill as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <GetApplicationControls as ServerFn>::PATH,
        Access::read::<Reader>(),
    ),
    Endpoint::new(
        <GetTrail as ServerFn>::PATH,
        Access::read::<EvidenceReaders>(),
    ),
    Endpoint::new(
        <GetEvent as ServerFn>::PATH,
        Access::read::<EvidenceReaders>(),
    ),
    Endpoint::new(
        <VerifyChainNow as ServerFn>::PATH,
        Access::read::<EvidenceReaders>(),
    ),
    Endpoint::new(
        <ImportFrameworks as ServerFn>::PATH,
        Access::change::<CatalogueAdministrators>(),
    ),
];

pub const HANDLERS: &[Endpoint] = &[
    Endpoint::new(CATALOGUE_EXPORT_PATH, Access::read::<Reader>()),
    Endpoint::new(EVIDENCE_EXPORT_PATH, Access::read::<EvidenceReaders>()),
];
