//! Who may call the overview's server function: everyone signed in (each sees the sections of
//! their own roles).

use super::api::GetDashboard;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[Endpoint::new(
    <GetDashboard as ServerFn>::PATH,
    Access::read::<Reader>(),
)];
