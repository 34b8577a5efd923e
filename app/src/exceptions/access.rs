//! Who may call the exceptions' server functions and download them. Reading is open to everyone
//! signed in (owners see only their own applications' exceptions: the reads check); asking is for
//! owners and security; deciding and revoking for security; the download for security,
//! administrators and auditors.

use super::api::{
    DecideException, GetException, GetRequestForm, ListExceptions, RequestException,
    RevokeException, WithdrawException,
};
use super::model::{
    EXCEPTIONS_EXPORT_PATH, ExceptionDeciders, ExceptionOverseers, ExceptionRequesters,
};
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<ListExceptions as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(<GetException as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <GetRequestForm as ServerFn>::PATH,
        Access::read::<ExceptionRequesters>(),
    ),
    Endpoint::new(
        <RequestException as ServerFn>::PATH,
        Access::change::<ExceptionRequesters>(),
    ),
    Endpoint::new(
        <WithdrawException as ServerFn>::PATH,
        Access::change::<ExceptionRequesters>(),
    ),
    Endpoint::new(
        <DecideException as ServerFn>::PATH,
        Access::change::<ExceptionDeciders>(),
    ),
    Endpoint::new(
        <RevokeException as ServerFn>::PATH,
        Access::change::<ExceptionDeciders>(),
    ),
];

pub const HANDLERS: &[Endpoint] = &[Endpoint::new(
    EXCEPTIONS_EXPORT_PATH,
    Access::read::<ExceptionOverseers>(),
)];
