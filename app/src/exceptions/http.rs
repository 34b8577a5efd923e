//! The download of exceptions as filtered (`GET /api/exceptions/export?format=csv|json` with the
//! list's filters), mounted under `/api` so the access table applies first; it checks the right
//! again.

use super::model::{ExceptionFilter, ExceptionOverseers};
use crate::error::AppError;
use crate::session::facade::{Granted, SignedIn};
use crate::ssr::clock::format_timestamp;
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

pub use super::model::EXCEPTIONS_EXPORT_PATH;

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    /// `csv` (the default) or `json`.
    #[serde(default)]
    pub format: String,
    #[serde(flatten)]
    pub filter: ExceptionFilter,
}

/// One exception as exported.
#[derive(Debug, Serialize)]
pub struct ExportRow {
    pub id: String,
    pub application_id: String,
    pub application: String,
    pub finding_key: String,
    pub rule: String,
    pub scope: String,
    pub severity: String,
    pub state: String,
    pub last_day: String,
    pub renewal_number: i32,
    pub renews: String,
    pub requested_by: String,
    pub requested_at: String,
    pub justification: String,
    pub compensating_controls: String,
    pub decided_at: String,
    pub decision_reason: String,
    pub ended_at: String,
    pub end_reason: String,
    pub no_longer_needed: bool,
}

/// Every exception the filter matches, as the download writes them.
pub async fn rows(
    state: &AppState,
    viewer: &crate::session::model::CurrentUser,
    filter: &ExceptionFilter,
) -> Result<Vec<ExportRow>, AppError> {
    let all = super::ssr::read::all_matching(state.db.conn(), viewer, filter, state.now()).await?;
    Ok(all
        .into_iter()
        .map(|(s, m)| ExportRow {
            id: s.id.to_string(),
            application_id: s.application_id.to_string(),
            application: s.application,
            finding_key: s.finding_key,
            rule: s.rule,
            scope: s.scope,
            severity: s.severity.as_str().into(),
            state: s.state.as_str().into(),
            last_day: s.until,
            renewal_number: s.renewal_number,
            renews: m.renews_id.map(|r| r.to_string()).unwrap_or_default(),
            requested_by: s.requested_by,
            requested_at: format_timestamp(m.requested_at),
            justification: m.justification,
            compensating_controls: m.compensating_controls,
            decided_at: m.decided_at.map(format_timestamp).unwrap_or_default(),
            decision_reason: m.decision_reason.unwrap_or_default(),
            ended_at: m.ended_at.map(format_timestamp).unwrap_or_default(),
            end_reason: m.end_reason.unwrap_or_default(),
            no_longer_needed: s.no_longer_needed,
        })
        .collect())
}

/// CSV, one row per exception (a cell a spreadsheet would read as a formula is guarded).
pub fn to_csv(rows: &[ExportRow]) -> Result<String, AppError> {
    use crate::spreadsheet::guard_cell;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "application_id",
        "application",
        "finding_key",
        "rule",
        "scope",
        "severity",
        "state",
        "last_day",
        "renewal_number",
        "renews",
        "requested_by",
        "requested_at",
        "justification",
        "compensating_controls",
        "decided_at",
        "decision_reason",
        "ended_at",
        "end_reason",
        "no_longer_needed",
    ])
    .map_err(AppError::internal)?;
    for r in rows {
        let number = r.renewal_number.to_string();
        let fields: [&str; 20] = [
            &r.id,
            &r.application_id,
            &r.application,
            &r.finding_key,
            &r.rule,
            &r.scope,
            &r.severity,
            &r.state,
            &r.last_day,
            &number,
            &r.renews,
            &r.requested_by,
            &r.requested_at,
            &r.justification,
            &r.compensating_controls,
            &r.decided_at,
            &r.decision_reason,
            &r.ended_at,
            &r.end_reason,
            if r.no_longer_needed { "true" } else { "false" },
        ];
        w.write_record(fields.iter().map(|f| guard_cell(f).into_owned()))
            .map_err(AppError::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}

pub async fn export_exceptions(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let result = async {
        let exporter = Granted::<ExceptionOverseers>::from_signed_in(user.map(|Extension(u)| u))?;
        let rows = rows(&state, exporter.user(), &q.filter).await?;
        tracing::info!(user = %exporter.user().username, rows = rows.len(), "exceptions exported");
        match q.format.trim() {
            "" | "csv" => Ok(("text/csv; charset=utf-8", "csv", to_csv(&rows)?)),
            "json" => Ok((
                "application/json",
                "json",
                serde_json::to_string_pretty(&rows).map_err(AppError::internal)?,
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
                    format!("attachment; filename=\"exceptions.{extension}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => error_response(&headers, &e),
    }
}
