//! The download of one submitted version as JSON (`GET /api/declarations/version.json?id=…&
//! version=…`): what an auditor keeps beside the portal, with the SHA-256 the portal shows.
//! Mounted by the server's router under `/api` so the access table applies before it runs; it
//! checks the right again.

use super::model::VERSION_DOWNLOAD_PATH;
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::session::facade::{Granted, SignedIn};
use crate::session::model::Reader;
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};
use serde::Deserialize;

pub const PATH: &str = VERSION_DOWNLOAD_PATH;

#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    pub id: ApplicationId,
    pub version: i32,
}

pub async fn download_version(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(q): Query<VersionQuery>,
) -> Response {
    let result = async {
        let reader = Granted::<Reader>::from_signed_in(user.map(|Extension(u)| u))?;
        let query = super::ssr::ShowQuery {
            version: Some(q.version),
            as_of: None,
            diff: None,
        };
        let shown = super::ssr::show(state.db.conn(), reader.user(), q.id, &query).await?;
        let v = shown.version.ok_or(AppError::NotFound)?;
        let body = serde_json::to_string_pretty(&serde_json::json!({
            "application_id": q.id,
            "version": v.summary.version,
            "submitted_at": v.summary.submitted_at,
            "author": v.summary.author,
            "source": v.summary.source,
            "sha256": v.summary.sha256,
            "reason": v.summary.reason,
            "declaration": v.declaration,
        }))
        .map_err(AppError::internal)?;
        Ok::<_, AppError>((v.summary.version, body))
    }
    .await;
    match result {
        Ok((version, body)) => (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"declaration-{}-v{version}.json\"",
                        q.id
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => error_response(&headers, &e),
    }
}
