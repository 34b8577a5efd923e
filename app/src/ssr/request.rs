//! The request a server function or handler is serving: its state and session, how its outcome
//! is answered (JSON for scripts and islands; for a plain HTML form post, a redirect back to the
//! page, where the notice or the error kept in the session is shown once), and one-time values
//! kept in the session until a page shows them (secrets sealed).

use super::state::AppState;
use crate::components::{FormOutcome, ListAddresses};
use crate::error::AppError;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use leptos::prelude::{expect_context, use_context};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

/// The state and the session of the request a server function is serving.
pub async fn context() -> Result<(AppState, Session), AppError> {
    let state = expect_context::<AppState>();
    let session = leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    Ok((state, session))
}

/// Whether the caller is a browser asking for a page rather than a script or an island.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A refusal outside a server function (middleware, plain handlers), in the caller's terms: the
/// message as text for a browser, the error as JSON otherwise; `Retry-After` when rate limited
/// or busy.
pub fn error_response(headers: &HeaderMap, err: &AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = if wants_html(headers) {
        (status, err.to_string()).into_response()
    } else {
        match serde_json::to_string(err) {
            Ok(body) => {
                (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "an error could not be encoded");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    };
    if let Some(retry_after_secs) = err.retry_after_secs()
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The response header through which a server function hands the outcome of a plain form post
/// to [`keep_outcome`], which keeps it in the session for the next page and removes the header.
pub const OUTCOME_HEADER: &str = "x-portal-form-outcome";

/// The session key under which the outcome of a plain form post waits for the next page.
const OUTCOME_KEY: &str = "portal.form-outcome";

/// Finishes a server function. An error gets its HTTP status. For a plain HTML form post (no
/// JavaScript) the browser is sent back to the page it came from (keeping that page's query,
/// such as a list's filters), and the notice or the error waits in the session for that page.
pub fn respond<T>(result: Result<T, AppError>, notice: Option<&str>) -> Result<T, AppError> {
    if let Err(e) = &result
        && let (Some(opts), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            StatusCode::from_u16(e.status_code()),
        )
    {
        opts.set_status(status);
        if let Some(secs) = e.retry_after_secs()
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            opts.insert_header(header::RETRY_AFTER, v);
        }
    }
    if let Some(back) = form_referer() {
        keep_for_next_page(&result, notice);
        let mut url = back;
        // The page's own query (a list's search, filters and position) stays; the outcome of an
        // earlier post (of older versions, which carried it in the address) does not.
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !matches!(k.as_ref(), "notice" | "error" | "field" | "done"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        leptos_axum::redirect(&target);
    }
    result
}

/// Like [`respond`], but a successful plain form post goes to `target` (a path of the portal),
/// with `notice` waiting there.
pub fn respond_redirect<T>(
    result: Result<T, AppError>,
    target: &str,
    notice: Option<&str>,
) -> Result<T, AppError> {
    if result.is_ok() && form_referer().is_some() {
        keep_for_next_page(&result, notice);
        leptos_axum::redirect(target);
        return result;
    }
    respond(result, notice)
}

/// Finishes a server function whose form is shown again, changed, for more editing rather than
/// saved (a list's add, remove or move buttons): for a plain form post the browser goes back to
/// the page at `#fragment`, whose form then shows `shown` (the server function's arguments, as a
/// form would post them) with `notice`. Other callers get `result` as it is.
pub fn respond_with_form<T, F: Serialize>(
    result: Result<T, AppError>,
    shown: &F,
    notice: &str,
    fragment: &str,
) -> Result<T, AppError> {
    let Some(mut back) = form_referer() else {
        return result;
    };
    let values = serde_qs::to_string(shown)
        .map(|q| typed_values(q.as_bytes()))
        .unwrap_or_default();
    let outcome = FormOutcome {
        notice: Some(notice.to_string()),
        values,
        ..FormOutcome::default()
    };
    hand_over(&outcome);
    back.set_fragment(Some(fragment));
    let target = match (back.query(), back.fragment()) {
        (Some(q), Some(f)) => format!("{}?{q}#{f}", back.path()),
        (None, Some(f)) => format!("{}#{f}", back.path()),
        _ => back.path().to_string(),
    };
    leptos_axum::redirect(&target);
    result
}

/// Hands the outcome to [`keep_outcome`] in a response header (a server function cannot reach
/// the session once it has answered).
fn keep_for_next_page<T>(result: &Result<T, AppError>, notice: Option<&str>) {
    let outcome = match result {
        Ok(_) => FormOutcome {
            notice: notice.map(str::to_string),
            ..FormOutcome::default()
        },
        Err(e) => FormOutcome {
            error: Some(e.to_string()),
            field: e.field().map(str::to_string),
            problems: e.problems(),
            ..FormOutcome::default()
        },
    };
    if outcome == FormOutcome::default() {
        return;
    }
    hand_over(&outcome);
}

/// Puts the outcome in the response header [`keep_outcome`] takes it from.
fn hand_over(outcome: &FormOutcome) {
    let Some(opts) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let encoded = serde_json::to_vec(outcome)
        .map(|json| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json));
    if let Ok(v) = encoded
        .map_err(drop)
        .and_then(|e| HeaderValue::from_str(&e).map_err(drop))
    {
        opts.insert_header(http::HeaderName::from_static(OUTCOME_HEADER), v);
    }
}

/// The largest plain form post whose values are kept to be shown again when it is refused.
const TYPED_MAX_BYTES: u64 = 256 * 1024;

/// The body of a plain form post to a server function (URL-encoded, of a known and modest
/// length), read so that a refusal can show the page again with what was typed; the request
/// goes on with the same bytes.
async fn typed_body(
    req: axum::extract::Request,
) -> (axum::extract::Request, Option<axum::body::Bytes>) {
    let form = req.method() == http::Method::POST
        && req.uri().path().starts_with("/api/")
        && wants_html(req.headers())
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    // The length is known up front (Content-Length, as browsers send it for a form).
    let length = axum::body::HttpBody::size_hint(req.body()).upper();
    if !form || length.is_none_or(|n| n > TYPED_MAX_BYTES) {
        return (req, None);
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, TYPED_MAX_BYTES as usize).await {
        Ok(bytes) => (
            axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes.clone())),
            Some(bytes),
        ),
        // The client stopped sending: the server function gets an empty body and refuses it.
        Err(_) => (
            axum::extract::Request::from_parts(parts, axum::body::Body::empty()),
            None,
        ),
    }
}

/// The values of a form post worth showing again: every field but those that hold a secret.
pub fn typed_values(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !["secret", "token", "password", "csrf"]
                .iter()
                .any(|s| k.contains(s))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Middleware (inside the session layer): keeps the outcome a server function handed over in
/// the session and strips the header; on the next page a browser asks for, takes it out of the
/// session and gives it to the page (a request extension `Feedback` reads), once. When a plain
/// form post is refused, what was typed is kept with the outcome (sealed in the session, as
/// secrets are), so that the form comes back as the person left it.
pub async fn keep_outcome(
    session: Session,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut req, typed) = typed_body(req).await;
    let action = req.uri().path().to_string();
    let page = req.method() == http::Method::GET
        && wants_html(req.headers())
        && !req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/pkg/");
    if page {
        remember_list_address(&session, &mut req).await;
        match take_sealed::<FormOutcome>(&session, OUTCOME_KEY).await {
            Ok(Some(outcome)) => {
                req.extensions_mut().insert(outcome);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the outcome of a form post was lost"),
        }
    }
    let mut res = next.run(req).await;
    if let Some(v) = res.headers_mut().remove(OUTCOME_HEADER) {
        let outcome = v
            .to_str()
            .ok()
            .and_then(|s| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(s)
                    .ok()
            })
            .and_then(|json| serde_json::from_slice::<FormOutcome>(&json).ok());
        if let Some(mut outcome) = outcome {
            if outcome.error.is_some() {
                outcome.action = Some(action);
                outcome.values = typed.as_deref().map(typed_values).unwrap_or_default();
            } else if !outcome.values.is_empty() {
                // A form shown again, changed by the server function (not what was typed).
                outcome.action = Some(action);
            }
            if let Err(e) = flash_sealed(&session, OUTCOME_KEY, &outcome).await {
                tracing::warn!(error = %e, "the outcome of a form post could not be kept");
            }
        }
    }
    res
}

/// The session key of the addresses lists were last shown at.
const LISTS_KEY: &str = "portal.list-addresses";

/// A list is a page one path segment deep (`/applications`, `/findings`); at most this many are
/// remembered.
const LISTS_KEPT: usize = 16;

/// Keeps the query a list page is asked with (an empty one too: the list was cleared), and gives
/// every page those kept (a request extension [`crate::components::list_as_left`] reads), so
/// that a breadcrumb goes back to a list as it was left, its filters and page included.
async fn remember_list_address(session: &Session, req: &mut axum::extract::Request) {
    let mut lists = match session.get::<ListAddresses>(LISTS_KEY).await {
        Ok(l) => l.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "the lists' addresses could not be read");
            ListAddresses::default()
        }
    };
    let path = req.uri().path().to_string();
    // Only in a session that exists already (someone signed in): a stranger's visit never
    // creates one.
    let is_list = path.len() > 1 && !path[1..].contains('/') && session.id().is_some();
    if is_list {
        let query = req.uri().query().unwrap_or_default().to_string();
        if lists.0.get(&path) != Some(&query)
            && (lists.0.len() < LISTS_KEPT || lists.0.contains_key(&path))
        {
            lists.0.insert(path, query);
            if let Err(e) = session.insert(LISTS_KEY, &lists).await {
                tracing::warn!(error = %e, "a list's address could not be kept");
            }
        }
    }
    req.extensions_mut().insert(lists);
}

/// The same-origin page a plain HTML form was posted from.
fn form_referer() -> Option<url::Url> {
    let parts = use_context::<http::request::Parts>()?;
    // Only a server function called by a form post; not one called while rendering a page.
    if parts.method != http::Method::POST || !parts.uri.path().starts_with("/api/") {
        return None;
    }
    if !wants_html(&parts.headers) {
        return None;
    }
    let state = use_context::<AppState>()?;
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    (url.origin().ascii_serialization() == state.config.public_url.origin).then_some(url)
}

/// Keeps a value in the server-side session until a page takes it, once (a report, a link shown
/// once).
pub async fn flash<T: Serialize>(session: &Session, key: &str, value: &T) -> Result<(), AppError> {
    session
        .insert(key, value)
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))
}

/// Takes the value kept under `key`, if any; it is gone afterwards. Only a session that held
/// one is written back (removing marks a session changed even when the key is absent).
pub async fn take_flash<T: DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    let err = |e: tower_sessions::session::Error| AppError::internal(format!("session: {e}"));
    if session.get_value(key).await.map_err(err)?.is_none() {
        return Ok(None);
    }
    session.remove(key).await.map_err(err)
}

/// Keeps a secret (a one-time link, a webhook's signing secret) in the session until a page
/// shows it, sealed: encrypted (AES-256-GCM) under a key derived from the session id, which the
/// portal never stores (rows are kept under its hash). The session row at rest, a backup or a
/// replica holds only ciphertext nobody can open.
pub async fn flash_sealed<T: Serialize>(
    session: &Session,
    key: &str,
    value: &T,
) -> Result<(), AppError> {
    // The session needs its id before anything is sealed under it.
    if session.id().is_none() {
        session
            .save()
            .await
            .map_err(|e| AppError::internal(format!("session: {e}")))?;
    }
    let id = session
        .id()
        .ok_or_else(|| AppError::internal("session without an id"))?;
    let plain = serde_json::to_vec(value).map_err(AppError::internal)?;
    let sealed = sealing::seal(&id.to_string(), key, plain)?;
    flash(session, key, &sealed).await
}

/// Takes a sealed value kept under `key`, if any (and if it opens under this session's id); it
/// is gone afterwards either way.
pub async fn take_sealed<T: DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    let Some(sealed) = take_flash::<String>(session, key).await? else {
        return Ok(None);
    };
    let Some(id) = session.id() else {
        return Ok(None);
    };
    Ok(sealing::open(&id.to_string(), key, &sealed)
        .and_then(|plain| serde_json::from_slice(&plain).ok()))
}

/// AES-256-GCM under a key derived from the session id and the flash key.
mod sealing {
    use crate::error::AppError;
    use base64::Engine as _;
    use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
    use sha2::{Digest, Sha256};

    fn key(session_id: &str, purpose: &str) -> LessSafeKey {
        let mut h = Sha256::new();
        h.update(b"portal.sealed-flash.v1");
        h.update((session_id.len() as u64).to_be_bytes());
        h.update(session_id.as_bytes());
        h.update(purpose.as_bytes());
        let bytes = h.finalize();
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &bytes).expect("a 32-byte key"))
    }

    pub fn seal(session_id: &str, purpose: &str, mut plain: Vec<u8>) -> Result<String, AppError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        key(session_id, purpose)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut plain,
            )
            .map_err(|_| AppError::internal("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&plain);
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(session_id: &str, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sealed)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let mut body = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).ok()?;
        let plain = key(session_id, purpose)
            .open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut body)
            .ok()?;
        Some(plain.to_vec())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_sealed_value_opens_only_under_its_session_and_purpose() {
            let sealed = seal("session-a", "link", b"https://x/enrol/secret".to_vec()).unwrap();
            assert!(!sealed.contains("secret"));
            assert_eq!(
                open("session-a", "link", &sealed).as_deref(),
                Some(&b"https://x/enrol/secret"[..])
            );
            assert_eq!(open("session-b", "link", &sealed), None);
            assert_eq!(open("session-a", "webhook", &sealed), None);
            let mut tampered = sealed.clone().into_bytes();
            let last = tampered.len() - 2;
            tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
            assert_eq!(
                open("session-a", "link", &String::from_utf8(tampered).unwrap()),
                None
            );
            assert_ne!(
                sealed,
                seal("session-a", "link", b"https://x/enrol/secret".to_vec()).unwrap(),
                "a fresh nonce each time"
            );
        }
    }
}
