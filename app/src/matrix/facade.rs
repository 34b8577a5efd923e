//! What the composition root (the application page, the dashboards, the command line) uses of
//! the matrix: the readiness section, and on the server the estate kept in memory, its figures
//! and the CSV download in pieces.

pub use super::pages::ReadinessSection;
pub use super::rules::{Criteria, Entry, Estate, fragmentation, matching};

#[cfg(feature = "ssr")]
pub use super::current::Current;
#[cfg(feature = "ssr")]
pub use super::http::csv_pieces;
#[cfg(feature = "ssr")]
pub use super::ssr::{current_estate, load};
