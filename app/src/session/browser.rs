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

/// What went wrong in the browser during a passkey ceremony, in words for people.
fn describe(err: JsValue) -> String {
    let name = js_sys::Reflect::get(&err, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => "The passkey request was cancelled or timed out.".into(),
        "InvalidStateError" => {
            "This authenticator already holds a passkey for this account.".into()
        }
        "SecurityError" => {
            "This address cannot use passkeys: open the portal at its configured address.".into()
        }
        "NotSupportedError" => {
            "This authenticator cannot create the kind of passkey the portal needs.".into()
        }
        _ => {
            let message = js_sys::Reflect::get(&err, &JsValue::from_str("message"))
                .ok()
                .and_then(|v| v.as_string());
            format!(
                "The passkey request failed: {}",
                message.unwrap_or_else(|| "unknown error".into())
            )
        }
    }
}

const TOO_OLD: &str = "This browser is too old for passkeys here. Update it (or use a current Chrome, Edge, Firefox or Safari).";

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).map_err(|_| TOO_OLD.to_string())
}

fn function(target: &JsValue, key: &str) -> Result<js_sys::Function, String> {
    get(target, key)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| TOO_OLD.to_string())
}

/// Runs `navigator.credentials.create` (register) or `.get` (sign in) with the server's JSON
/// options, and returns the credential as JSON for the server.
async fn ceremony(options_json: &str, create: bool) -> Result<String, String> {
    let window = web_sys::window().ok_or(TOO_OLD)?;
    let pkc = get(&window, "PublicKeyCredential")?;
    if pkc.is_undefined() {
        return Err(TOO_OLD.into());
    }
    let options = js_sys::JSON::parse(options_json)
        .map_err(|_| "The server sent unreadable passkey options.".to_string())?;
    let public_key = get(&options, "publicKey")?;
    let parser = if create {
        "parseCreationOptionsFromJSON"
    } else {
        "parseRequestOptionsFromJSON"
    };
    let parsed = function(&pkc, parser)?
        .call1(&pkc, &public_key)
        .map_err(describe)?;
    let request = js_sys::Object::new();
    js_sys::Reflect::set(&request, &JsValue::from_str("publicKey"), &parsed).map_err(describe)?;
    let credentials = get(&get(&window, "navigator")?, "credentials")?;
    let call = function(&credentials, if create { "create" } else { "get" })?;
    let promise = call.call1(&credentials, &request).map_err(describe)?;
    let credential = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(describe)?;
    if credential.is_null() || credential.is_undefined() {
        return Err("No passkey was chosen.".into());
    }
    let json = function(&credential, "toJSON")?
        .call0(&credential)
        .map_err(describe)?;
    js_sys::JSON::stringify(&json)
        .map(String::from)
        .map_err(describe)
}

pub async fn create_credential(options_json: &str) -> Result<String, String> {
    ceremony(options_json, true).await
}

pub async fn get_credential(options_json: &str) -> Result<String, String> {
    ceremony(options_json, false).await
}

/// Sends the browser to another page of the portal.
pub fn go(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
}
