//! `POST /api/v1/adoption`: scripts send adoption figures with an API token of scope
//! `adoption:ingest` (`Authorization: Bearer <token>`), never a session. The body is an
//! [`AdoptionDocument`](crate::adoption::model::AdoptionDocument) in JSON; each (application,
//! period) sent replaces what was stored for it, so sending the same document twice stores the
//! same figures. Every answer is JSON:
//!
//! - 200 `{"batch", "applications", "periods", "replaced"}`;
//! - 400 `{"error"}` when the body is not JSON;
//! - 422 `{"problems": [{"row", "field", "message"}…], "total"}` (the first 100 problems);
//! - 401, 403, 429 (with `Retry-After`), 413, 503 `{"error"}`.
//!
//! The access table lists the path as a token endpoint: the guard reads no session for it, and
//! this handler authenticates the token first, before it reads the body. A stored batch is
//! audited by the ingestion, with the token as actor; a refused body as `adoption.refused`, in
//! its own transaction, with the token as actor and the number of problems.

use super::model::RowProblem;
use super::rules::csv::decode_json;
use super::ssr::ingest::{Ingested, Origin, ingest};
use crate::audit::facade::{AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::integrations::facade::{TokenUse, authenticate};
use crate::integrations::model::Scope;
use crate::ssr::state::AppState;
use crate::vocab::AdoptionSource;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;
use sha2::{Digest as _, Sha256};

pub use crate::integrations::model::ADOPTION_API_PATH as PATH;

/// The largest body accepted (as for a file uploaded in the portal).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Problems listed in a 422 answer at most (`total` counts them all).
pub const PROBLEMS_SHOWN: usize = 100;

/// The handler of `POST /api/v1/adoption`.
pub async fn ingest_adoption(State(state): State<AppState>, req: Request) -> Response {
    let now = state.now();
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = match authenticate(&state.db, authorization, Scope::AdoptionIngest, now).await {
        Ok(t) => t,
        Err(e) => return error(&e),
    };
    let body = match axum::body::to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return message(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "The body is larger than {} MiB: send the figures in several documents.",
                    BODY_LIMIT / (1024 * 1024)
                ),
            );
        }
    };
    let sha256: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Not JSON at all: 400. JSON that is not a valid document: 422 with every problem.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&body) {
        let text = format!("The body is not JSON: {e}.");
        if let Err(e) = refused(&state, &token, &sha256, 1, &text).await {
            return error(&e);
        }
        return message(StatusCode::BAD_REQUEST, &text);
    }
    let sourced = match decode_json(&body) {
        Ok(s) => s,
        Err(problems) => return unprocessable(&state, &token, &sha256, problems).await,
    };
    drop(body);
    let origin = Origin {
        source: AdoptionSource::Api,
        file_name: None,
        sha256: Some(sha256.clone()),
        actor: token.actor(),
    };
    match ingest(&state.db, now, sourced, origin).await {
        Ok(Ok(ingested)) => stored(&ingested),
        Ok(Err(problems)) => unprocessable(&state, &token, &sha256, problems).await,
        Err(e) => error(&e),
    }
}

fn stored(i: &Ingested) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({
            "batch": i.batch,
            "applications": i.applications,
            "periods": i.periods,
            "replaced": i.replaced,
        })),
    )
        .into_response()
}

/// 422 with the first problems and their total; the refusal audited.
async fn unprocessable(
    state: &AppState,
    token: &TokenUse,
    sha256: &str,
    mut problems: Vec<RowProblem>,
) -> Response {
    let total = problems.len();
    let first = problems
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    if let Err(e) = refused(state, token, sha256, total, &first).await {
        return error(&e);
    }
    problems.truncate(PROBLEMS_SHOWN);
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({ "problems": problems, "total": total })),
    )
        .into_response()
}

/// Audits a refused body in its own transaction, with the token as actor.
async fn refused(
    state: &AppState,
    token: &TokenUse,
    sha256: &str,
    problems: usize,
    first: &str,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    record(
        &txn,
        state.now(),
        NewAuditEvent {
            actor: token.actor(),
            action: AuditAction::AdoptionRefused,
            subject_type: "api_token",
            subject_id: token.id().to_string(),
            before: None,
            after: Some(json!({
                "source": AdoptionSource::Api.as_str(),
                "sha256": sha256,
                "problems": problems,
                "first_problem": first.chars().take(500).collect::<String>(),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `{"error": "…"}` with the status.
fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "error": text }))).into_response()
}

/// An error as this API answers it: its status, `{"error"}` in the API's own words for a
/// refused token, `Retry-After` when the client should wait.
fn error(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = match e {
        AppError::Unauthenticated => {
            "A valid API token is required (Authorization: Bearer <token>): this one is missing, \
             unknown, expired or revoked."
                .to_string()
        }
        AppError::Forbidden => {
            format!(
                "This token's scope does not allow this endpoint: it needs scope {}.",
                Scope::AdoptionIngest.as_str()
            )
        }
        AppError::RateLimited { retry_after_secs } => format!(
            "Too many requests with this token (at most {} a minute): try again in \
             {retry_after_secs} seconds.",
            crate::integrations::model::USES_PER_MINUTE
        ),
        other => other.to_string(),
    };
    let mut res = message(status, &text);
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"portal\""),
        );
    }
    if let Some(secs) = e.retry_after_secs()
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}
