//! The portal: server-rendered pages (Leptos islands), thin server functions and the domain logic
//! behind them, organised by feature. Anything under a path containing `ssr` stays on the server.
//!
//! Features are layered, and imports run one way (the README's architecture section, enforced
//! by `tests/architecture.rs`): from the bottom, `audit`, `session`, `accounts`, `notifications`,
//! `catalogue`, `registry`, `policy`, `declarations`, `frameworks`, `findings`, `exceptions`, `transfer`, `matrix`, `integrations`, `adoption`, `evidence`; then
//! `home` and `app` (the route list), which compose
//! them. Below every feature: `error`, `ids`, `vocab`, `journey`, `validation`, `spreadsheet`, `random`, `components` and `ssr`.
#![recursion_limit = "256"]

pub mod accounts;
pub mod adoption;
pub mod app;
pub mod audit;
pub mod catalogue;
pub mod components;
pub mod declarations;
pub mod error;
pub mod evidence;
pub mod exceptions;
pub mod findings;
pub mod frameworks;
pub mod home;
pub mod ids;
pub mod integrations;
pub mod journey;
pub mod matrix;
pub mod notifications;
pub mod policy;
pub mod random;
pub mod registry;
pub mod session;
pub mod spreadsheet;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod transfer;
pub mod validation;
pub mod vocab;

/// Entry point of the WASM bundle: wakes up the islands on a server-rendered page, then sets the
/// `portal:hydrated` performance mark (the browser benchmark reads it: navigation to interactive).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("portal:hydrated");
    }
}
