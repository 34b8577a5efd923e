//! The overview: an introduction for visitors, and for each signed-in person the dashboards of
//! their roles (owners: their applications and what needs them; security: the queue, the worst
//! deviations and the trend; auditors: coverage and the audit chain), with server-drawn charts.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
