//! Accounts on the server: one-time enrolment links, enrolment with a first passkey, account
//! records, administration of users, the person's own passkeys and sessions, and finding people
//! by name.

pub mod admin;
pub mod enrolment;
pub mod links;
pub mod own;
pub mod people;
pub mod users;
