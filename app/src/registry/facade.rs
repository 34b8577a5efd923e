//! What the features above use of the registry (besides the `model`): the pure checks of an
//! application's facts, and on the server loading an application (for reading, or locked for a
//! change by an editor who may change it), the populations it serves, applications' names, and
//! bulk inserts.

pub use super::rules::{
    Allowed, ApplicationInput, CheckedApplication, NewApplication, can_edit, check, name_key,
};

#[cfg(feature = "ssr")]
pub use super::ssr::{
    allowed, application_names, insert_applications, load, load_for_change, owners_with_users,
    served_populations,
};
