//! People, roles and the one-time links that let them enrol a passkey.

pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
