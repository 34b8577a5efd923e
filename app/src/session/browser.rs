//! Browser-side passkey helpers (WASM only).

use super::model::Readiness;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Asks the browser whether it has WebAuthn and a user-verifying platform authenticator.
pub async fn passkey_readiness() -> Readiness {
    let Some(window) = web_sys::window() else {
        return Readiness::Unsupported;
    };
    let pkc = js_sys::Reflect::get(&window, &JsValue::from_str("PublicKeyCredential"))
        .unwrap_or(JsValue::UNDEFINED);
    if pkc.is_undefined() || pkc.is_null() {
        return Readiness::Unsupported;
    }
    let probe = js_sys::Reflect::get(
        &pkc,
        &JsValue::from_str("isUserVerifyingPlatformAuthenticatorAvailable"),
    )
    .ok()
    .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(probe) = probe else {
        return Readiness::RoamingOnly;
    };
    let promise = match probe.call0(&pkc).map(js_sys::Promise::from) {
        Ok(p) => p,
        Err(_) => return Readiness::RoamingOnly,
    };
    match JsFuture::from(promise).await {
        Ok(v) if v.as_bool() == Some(true) => Readiness::PlatformAvailable,
        _ => Readiness::RoamingOnly,
    }
}
