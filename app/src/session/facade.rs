//! What the features above use of sessions and sign-in (besides the `model`): the page guard and
//! the passkey islands' helpers; on the server, the guard's proof of rights and the access-table
//! vocabulary, the session bucket, ending sessions, passkey registration and ceremonies.

pub use super::pages::{Guarded, JsNote, ReverifyButton, use_hydrated};

/// The browser side of passkey registration (WASM only).
#[cfg(feature = "hydrate")]
pub use super::browser::{create_credential, go};

#[cfg(feature = "ssr")]
pub use super::ssr::{
    auth::{
        AuthBucket, bucket, end, end_sessions, establish, load_user, roles_of, verified_within,
    },
    ceremony::{
        Kind as CeremonyKind, begin as begin_ceremony, stale as stale_ceremony,
        take as take_ceremony,
    },
    guard::{
        Access, AccessTable, AccessTableError, Endpoint, Granted, SignedIn, granted, signed_in,
    },
    passkeys::{
        exclude_list, insert_passkey, passkey_snapshot, registration_options_json, usable_passkeys,
        verify_registration,
    },
    store::session_key,
};
