//! Accounts on the server: one-time enrolment links, enrolment with a first passkey, account
//! records, administration of users, and the person's own passkeys and sessions.

pub mod admin;
pub mod enrolment;
pub mod links;
pub mod own;
pub mod users;
