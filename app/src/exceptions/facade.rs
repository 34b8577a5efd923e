//! What the composition root and the features above use of exceptions: the jobs `serve` runs
//! (expiry and reminders), and generating exceptions for a demonstration estate.

#[cfg(feature = "ssr")]
pub use super::ssr::generate::{Generated, generate};
#[cfg(feature = "ssr")]
pub use super::ssr::jobs::{LEASE, Swept, expire_due, remind_due, run, sweep};
#[cfg(feature = "ssr")]
pub use super::ssr::snapshot;
