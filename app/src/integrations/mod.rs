//! Integrations: API tokens that administrators issue so that scripts can call the portal's
//! token endpoints (today one: sending adoption figures, `POST /api/v1/adoption`). A token has a
//! name, one scope, an expiry (1 to 90 days) and a use limit per minute shared by every instance;
//! its secret is shown once and stored only as a SHA-256. Issuing, revoking and each refusal of a
//! known token are audited. The features above authenticate a request through the façade.

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
