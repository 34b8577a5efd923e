//! Server side of sessions and sign-in: the session store, the signed-in user, WebAuthn
//! ceremonies and the access guard.

pub mod auth;
pub mod ceremony;
pub mod guard;
pub mod passkeys;
pub mod signin;
pub mod store;

pub use store::DbSessionStore;
