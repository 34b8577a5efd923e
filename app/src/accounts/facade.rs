//! What the features above use of accounts: creating owner accounts in bulk (imports and the
//! generator), finding people by name for pickers and resolving the people a form names (with
//! whether they hold a role), and on the command line the first administrator's link.

#[cfg(feature = "ssr")]
pub use super::ssr::{
    links::{IssuedLink, active_admin_exists, issue_bootstrap_link},
    people::{Person, find_people, search_people},
    users::{EnsuredUser, NewUser, ensure_users, insert_users},
};
