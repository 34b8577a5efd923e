//! HTTP hardening: security headers with a per-request CSP nonce, refusal of cross-origin
//! state changes, and the request body limit.

use app::ssr::CspNonce;
use app::ssr::state::AppState;
use axum::body::HttpBody as _;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderValue, Method, StatusCode, header};
use rand::RngCore as _;
use std::sync::Arc;
use tower::{ServiceBuilder, ServiceExt as _};
use tower_http::limit::RequestBodyLimitLayer;

/// Refuses a request body over the limit before anything else runs (413): the configured limit,
/// or a larger one for the file import.
pub async fn body_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == app::transfer::http::IMPORT_PATH {
        app::transfer::http::IMPORT_BODY_LIMIT
    } else if req.uri().path() == app::adoption::http::UPLOAD_PATH {
        app::adoption::http::UPLOAD_BODY_LIMIT
    } else if req.uri().path() == app::adoption::api_v1::PATH {
        app::adoption::api_v1::BODY_LIMIT
    } else {
        state.config.body_limit
    };
    let limited = ServiceBuilder::new()
        .layer(RequestBodyLimitLayer::new(limit))
        .map_request(|r: http::Request<_>| r.map(axum::body::Body::new))
        .service(next);
    match limited.oneshot(req).await {
        Ok(res) => res.map(axum::body::Body::new),
        Err(never) => match never {},
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Every 503 (a writer that could not get the write lock in time, a request that timed out, a
/// database that does not answer) tells the client when to try again: the answer's own
/// `Retry-After`, else a short pause.
pub async fn retry_after_on_unavailable(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if res.status() == StatusCode::SERVICE_UNAVAILABLE
        && !res.headers().contains_key(header::RETRY_AFTER)
    {
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(app::error::BUSY_RETRY_AFTER_SECS),
        );
    }
    res
}

/// Whether a request may change state: safe methods always; others only when the browser says the
/// request comes from the portal's own origin. Browsers send `Origin` (or at least
/// `Sec-Fetch-Site`) with every state-changing request; a request with neither is not from a
/// page of the portal and is refused (scripts will use API tokens on their own endpoints).
pub fn is_allowed_request(
    method: &Method,
    origin: Option<&str>,
    sec_fetch_site: Option<&str>,
    own_origin: &str,
) -> bool {
    if is_safe(method) {
        return true;
    }
    match (origin, sec_fetch_site) {
        (Some(origin), _) => origin == own_origin,
        (None, Some(site)) => site == "same-origin" || site == "none",
        (None, None) => false,
    }
}

/// The media type of a `Content-Type` value, lower-cased, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a state-changing request to `path` carries a body of the type that endpoint reads:
/// the file uploads (`upload_paths`) a multipart form, the token API (`json_path`) JSON, every server function a
/// URL-encoded form (as browsers post forms and as the islands call them). A body without a
/// type is refused; an empty body passes whatever it claims.
pub fn accepts_content_type(
    path: &str,
    content_type: Option<&str>,
    empty_body: bool,
    upload_paths: &[&str],
    json_path: &str,
) -> bool {
    if empty_body {
        // Nothing to read, so nothing to read wrongly.
        return true;
    }
    let Some(content_type) = content_type else {
        return false;
    };
    let expected = if upload_paths.contains(&path) {
        "multipart/form-data"
    } else if path == json_path {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    media_type(content_type) == expected
}

pub async fn same_origin_guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // Scripts call the token API without `Origin`. It is exempt only because it authenticates by
    // the `Authorization: Bearer` header alone, which a browser never attaches on its own (no
    // cookie counts there), so a page of another site cannot make a browser send it: there is
    // no ambient credential to forge a request with.
    if req.uri().path() == app::adoption::api_v1::PATH {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if !is_allowed_request(req.method(), origin, site, &state.config.public_url.origin) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), origin, site, "cross-origin state change refused");
        return (
            StatusCode::FORBIDDEN,
            "Cross-origin requests may not change anything here.",
        )
            .into_response();
    }
    next.run(req).await
}

/// Refuses a state change whose body is not of the type its endpoint reads (415). Inside the
/// access check, so that an anonymous caller learns nothing more than that it must sign in.
pub async fn content_type_guard(req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        let headers = req.headers();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let empty_body = req.body().size_hint().exact() == Some(0);
        if !accepts_content_type(
            req.uri().path(),
            content_type,
            empty_body,
            &[
                app::transfer::http::IMPORT_PATH,
                app::adoption::http::UPLOAD_PATH,
            ],
            app::adoption::api_v1::PATH,
        ) {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), content_type, "unexpected content type refused");
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This endpoint does not read that kind of content.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The Content-Security-Policy for one response: scripts only from the portal itself or carrying
/// this request's nonce, WASM compilation allowed, no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.as_str().into()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut http::HeaderMap, name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce),
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if state.config.public_url.https {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}

/// How many reads (safe methods) are served at once: twice the cores, so that one waiting on the
/// database leaves its core to another. The others wait their turn in order, costing nothing
/// while they wait.
pub fn read_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) * 2
}

/// Admits reads a few at a time and changes at once. Under a burst of page loads, a change
/// (a form posted, a declaration submitted) would otherwise share the cores with every page
/// being rendered and wait for all of them; here it waits only for the few under way. The wait
/// counts against the request's time limit (this sits inside the timeout).
pub async fn admit(
    State(slots): State<Arc<tokio::sync::Semaphore>>,
    req: Request,
    next: Next,
) -> Response {
    if !is_safe(req.method()) {
        return next.run(req).await;
    }
    let Ok(_slot) = slots.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://localhost:3000";

    #[test]
    fn safe_methods_always_pass() {
        assert!(is_allowed_request(
            &Method::GET,
            Some("https://evil.example"),
            Some("cross-site"),
            OWN
        ));
        assert!(is_allowed_request(&Method::HEAD, None, None, OWN));
    }

    #[test]
    fn state_changes_need_our_origin() {
        assert!(is_allowed_request(
            &Method::POST,
            Some(OWN),
            Some("same-origin"),
            OWN
        ));
        assert!(!is_allowed_request(
            &Method::POST,
            Some("https://evil.example"),
            None,
            OWN
        ));
        assert!(!is_allowed_request(&Method::POST, Some("null"), None, OWN));
        assert!(!is_allowed_request(
            &Method::DELETE,
            Some("http://localhost:3001"),
            None,
            OWN
        ));
    }

    #[test]
    fn fetch_metadata_is_the_fallback() {
        assert!(is_allowed_request(
            &Method::POST,
            None,
            Some("same-origin"),
            OWN
        ));
        assert!(!is_allowed_request(
            &Method::POST,
            None,
            Some("same-site"),
            OWN
        ));
        assert!(!is_allowed_request(
            &Method::PUT,
            None,
            Some("cross-site"),
            OWN
        ));
        assert!(
            !is_allowed_request(&Method::POST, None, None, OWN),
            "a state change that says nothing of where it comes from"
        );
    }

    #[test]
    fn each_endpoint_reads_its_own_content_type() {
        const IMPORT: &str = "/api/import";
        const JSON: &str = "/api/v1/json";
        let form = Some("application/x-www-form-urlencoded");
        let multipart = Some("multipart/form-data; boundary=x");
        assert!(accepts_content_type("/api/x", form, false, &[IMPORT], JSON));
        assert!(accepts_content_type(
            "/api/x",
            Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            false,
            &[IMPORT],
            JSON
        ));
        assert!(accepts_content_type(
            IMPORT,
            multipart,
            false,
            &[IMPORT],
            JSON
        ));
        assert!(!accepts_content_type(IMPORT, form, false, &[IMPORT], JSON));
        assert!(!accepts_content_type(
            "/api/x",
            multipart,
            false,
            &[IMPORT],
            JSON
        ));
        for other in ["text/plain", "application/json", "application/cbor", ""] {
            assert!(
                !accepts_content_type("/api/x", Some(other), false, &[IMPORT], JSON),
                "{other}"
            );
        }
        assert!(accepts_content_type("/api/x", None, true, &[IMPORT], JSON));
        assert!(accepts_content_type(IMPORT, form, true, &[IMPORT], JSON));
        assert!(!accepts_content_type(
            "/api/x",
            None,
            false,
            &[IMPORT],
            JSON
        ));
        // JSON for the token API, and only there.
        let json = Some("application/json; charset=utf-8");
        assert!(accepts_content_type(JSON, json, false, &[IMPORT], JSON));
        assert!(!accepts_content_type(JSON, form, false, &[IMPORT], JSON));
        assert!(!accepts_content_type(
            JSON,
            multipart,
            false,
            &[IMPORT],
            JSON
        ));
        assert!(!accepts_content_type(IMPORT, json, false, &[IMPORT], JSON));
        assert!(!accepts_content_type(JSON, None, false, &[IMPORT], JSON));
    }

    #[test]
    fn csp_carries_the_nonce_and_forbids_inline_and_framing() {
        let csp = content_security_policy("abc123");
        assert!(csp.contains("'nonce-abc123'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
    #[tokio::test]
    async fn a_change_is_served_while_reads_wait_for_a_slot() {
        use axum::routing::get;
        use std::time::Duration;
        // One slot; the first read holds it until told to finish.
        let release = Arc::new(tokio::sync::Notify::new());
        let held = release.clone();
        let router = axum::Router::new()
            .route(
                "/slow",
                get(move || {
                    let held = held.clone();
                    async move {
                        held.notified().await;
                        "slow"
                    }
                }),
            )
            .route(
                "/fast",
                get(|| async { "fast" }).post(|| async { "changed" }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(tokio::sync::Semaphore::new(1)),
                admit,
            ));
        let call = |method: Method, path: &'static str| {
            let router = router.clone();
            tokio::spawn(async move {
                let req = http::Request::builder()
                    .method(method)
                    .uri(path)
                    .body(axum::body::Body::empty())
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            })
        };
        let slow = call(Method::GET, "/slow");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let read = call(Method::GET, "/fast");
        let change = call(Method::POST, "/fast");
        let changed = tokio::time::timeout(Duration::from_secs(5), change)
            .await
            .expect("a change does not wait for the reads")
            .unwrap();
        assert_eq!(changed, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!read.is_finished(), "a read waits for the slot");
        release.notify_one();
        assert_eq!(slow.await.unwrap(), StatusCode::OK);
        assert_eq!(read.await.unwrap(), StatusCode::OK, "then it is served");
    }
}
