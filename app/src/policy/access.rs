//! Who may call the policy's server functions: everyone signed in reads it; security saves it.

use super::api::{SavePolicy, ShowPolicy};
use super::model::PolicyEditors;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<ShowPolicy as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <SavePolicy as ServerFn>::PATH,
        Access::change::<PolicyEditors>(),
    ),
];
