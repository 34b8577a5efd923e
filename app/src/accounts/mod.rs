//! People, roles and the one-time links that let them enrol a passkey.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
