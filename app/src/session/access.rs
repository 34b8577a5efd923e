//! Who may call the sign-in and session server functions.

use super::api::{
    FinishReverify, FinishSignin, GetCurrentUser, SignOut, StartReverify, StartSignin,
};
use super::ssr::guard::{Access, Endpoint};
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<GetCurrentUser as ServerFn>::PATH, Access::Public),
    Endpoint::new(<StartSignin as ServerFn>::PATH, Access::Public).rate_limited(),
    Endpoint::new(<FinishSignin as ServerFn>::PATH, Access::Public).rate_limited(),
    Endpoint::new(<SignOut as ServerFn>::PATH, Access::SelfService),
    Endpoint::new(<StartReverify as ServerFn>::PATH, Access::SelfService).rate_limited(),
    Endpoint::new(<FinishReverify as ServerFn>::PATH, Access::SelfService).rate_limited(),
];
