//! Adoption: what people really do. Counts of sign-ins by method with their outcome, fallback
//! uses, recoveries, enrolments and help-desk tickets by journey stage, per application, period
//! and population, ingested from the portal's own CSV and JSON (upload, command line, API with
//! per-integration tokens) and from identity-provider exports (Microsoft Entra sign-in logs, the
//! Okta System Log) aggregated on the way in. No person is stored: only counts. The figures
//! (passwordless share and success, fallback frequency, recoveries, tickets by stage and where
//! they concentrate) and the drift between the declared journey and the observed one are pure
//! functions in `rules`.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod api_v1;
pub mod facade;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
