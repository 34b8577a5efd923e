//! Notifications: each user's in-app list, and outgoing webhooks administrators configure, with
//! every delivery signed, retried on a schedule and recorded. The features above tell people
//! about events through the façade's `notify`, inside their own transaction.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
