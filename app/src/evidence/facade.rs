//! What the composition root uses of evidence besides its pages: the scheduled checkpoint and
//! the command line's verification, signing and catalogue file.

#[cfg(feature = "ssr")]
pub use super::ssr::checkpoint::{SigningKey, Verified, key, scheduled, sign, verify};
#[cfg(feature = "ssr")]
pub use super::ssr::export::{Exported, Kind, copy_to, export};
