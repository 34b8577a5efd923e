//! Server-only building blocks: configuration, state, clock, database and entities.

pub mod clock;
pub mod config;
pub mod db;
pub mod entities;
pub mod state;

/// The per-request nonce that the Content-Security-Policy allows inline scripts to carry.
#[derive(Clone, Debug)]
pub struct CspNonce(pub std::sync::Arc<str>);
