//! Server-only infrastructure that knows no feature: configuration, state, clock, database,
//! entities, job leases, keyset pages, remembered figures, rate limits, how a request is answered, and the
//! hook through which a change refreshes what is derived from it.

pub mod clock;
pub mod config;
pub mod db;
pub mod derived;
pub mod entities;
pub mod lease;
pub mod paging;
pub mod parallel;
pub mod rate_limit;
pub mod remembered;
pub mod request;
pub mod snapshot;
pub mod state;
/// A streaming ZIP writer (deflate, data descriptors, ZIP64) for evidence bundles.
pub mod zip;

/// The per-request nonce that the Content-Security-Policy allows inline scripts to carry.
#[derive(Clone, Debug)]
pub struct CspNonce(pub std::sync::Arc<str>);
