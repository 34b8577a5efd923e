//! The download of the findings list as filtered (`GET /api/findings/export?format=csv|json`
//! with the list's filters), mounted by the server's router under `/api` so the access table
//! applies before it runs; it checks the right again.

use super::model::{FindingExporters, FindingFilter};
use super::rules::export;
use crate::error::AppError;
use crate::session::facade::{Granted, SignedIn};
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};
use serde::Deserialize;

pub use super::model::FINDINGS_EXPORT_PATH;

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    /// `csv` (the default) or `json`.
    #[serde(default)]
    pub format: String,
    #[serde(flatten)]
    pub filter: FindingFilter,
}

pub async fn export_findings(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let result = async {
        let exporter = Granted::<FindingExporters>::from_signed_in(user.map(|Extension(u)| u))?;
        let rows = super::ssr::read::all_matching(state.db.conn(), &q.filter, state.now()).await?;
        tracing::info!(user = %exporter.user().username, rows = rows.len(), "findings exported");
        match q.format.trim() {
            "" | "csv" => Ok((
                "text/csv; charset=utf-8",
                "csv",
                export::to_csv(&rows).map_err(|e| AppError::internal(e.to_string()))?,
            )),
            "json" => Ok((
                "application/json",
                "json",
                export::to_json(&rows).map_err(|e| AppError::internal(e.to_string()))?,
            )),
            _ => Err(AppError::validation("format", "Choose csv or json.")),
        }
    }
    .await;
    match result {
        Ok((content_type, extension, body)) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"findings.{extension}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => error_response(&headers, &e),
    }
}
