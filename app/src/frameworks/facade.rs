//! What the features above use of the control catalogue: the document format and its checks,
//! the whole catalogue, each rule's control labels, and importing a document.

pub use super::rules::{check, labels_by_rule, parse, shipped};

#[cfg(feature = "ssr")]
pub use super::ssr::{import, import_as_host, load};

/// Each rule's control labels as stored (what findings carry).
#[cfg(feature = "ssr")]
pub use super::ssr::labels_by_rule as stored_labels_by_rule;
