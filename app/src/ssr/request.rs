//! The request a server function or handler is serving: its state and session, how its outcome
//! is answered (JSON for scripts and islands; for a plain HTML form post, a redirect back to the
//! page with the notice or the error), and one-time values kept in the session until a page
//! shows them.

use super::state::AppState;
use crate::error::AppError;
use axum::response::{IntoResponse, Response};
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

/// Finishes a server function. An error gets its HTTP status. For a plain HTML form post (no
/// JavaScript) the browser is sent back to the page it came from (keeping that page's query,
/// such as a list's filters) with the notice or the error to show there.
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
        let (key, message) = match &result {
            Ok(_) => ("notice", notice.map(str::to_string)),
            Err(e) => ("error", Some(e.to_string())),
        };
        let mut url = back;
        // The page's own query (a list's search, filters and position) stays; the outcome of an
        // earlier post does not.
        let mut pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !matches!(k.as_ref(), "notice" | "error" | "field"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some(message) = message {
            pairs.push((key.into(), message));
        }
        // A validation message also names its field, so the form can show it beside the input.
        if let Err(e) = &result
            && let Some(field) = e.field()
        {
            pairs.push(("field".into(), field.into()));
        }
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

/// Like [`respond`], but a successful plain form post goes to `target`.
pub fn respond_redirect<T>(result: Result<T, AppError>, target: &str) -> Result<T, AppError> {
    if result.is_ok() && form_referer().is_some() {
        leptos_axum::redirect(target);
        return result;
    }
    respond(result, None)
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

/// Takes the value kept under `key`, if any; it is gone afterwards.
pub async fn take_flash<T: DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    session
        .remove(key)
        .await
        .map_err(|e| AppError::internal(format!("session: {e}")))
}
