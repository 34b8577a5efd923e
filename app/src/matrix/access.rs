//! Who may call the matrix's server functions and download it: everyone signed in.

use super::api::{GetJourneys, GetMatrix, GetReadiness};
use super::model::MATRIX_EXPORT_PATH;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetMatrix as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(<GetJourneys as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(<GetReadiness as ServerFn>::PATH, Access::read::<Reader>()),
];

pub const HANDLERS: &[Endpoint] = &[Endpoint::new(MATRIX_EXPORT_PATH, Access::read::<Reader>())];
