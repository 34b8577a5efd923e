//! What the features above use of the standard policy (besides the `model`): the shipped default
//! and its checks, and on the server the version in force (now or at a date).

pub use super::rules::{from_form, shipped, validate};

#[cfg(feature = "ssr")]
pub use super::ssr::{current, in_force_at, known_keys, record_version};
