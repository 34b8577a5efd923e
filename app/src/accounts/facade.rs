//! What the features above use of accounts: creating owner accounts in bulk (imports and the
//! generator), and on the command line the first administrator's link.

#[cfg(feature = "ssr")]
pub use super::ssr::{
    links::{IssuedLink, active_admin_exists, issue_bootstrap_link},
    users::{NewUser, insert_users},
};
