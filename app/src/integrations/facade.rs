//! What the features above use of integrations: authenticating a script's request by its API
//! token for one scope (the proof, [`TokenUse`], names the token as the actor of what follows).

#[cfg(feature = "ssr")]
pub use super::ssr::{TokenUse, authenticate};
