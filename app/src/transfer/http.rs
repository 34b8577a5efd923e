//! The two plain HTTP endpoints that move files, mounted by the server's router under `/api` (so
//! the access table applies before they run; each checks the role again): a download of the
//! estate, and a multipart upload to import whose report waits in the session for the import
//! page.

use super::api::REPORT;
use super::model::{
    Exporters, Format, IMPORT_PAGE, ImportOutcome, ImportProblem, ImportReport, Importers,
    REPORTED_PROBLEMS_MAX,
};
use super::ssr::{self, ImportedBy};
use crate::error::AppError;
use crate::session::facade::{Granted, SignedIn};
use crate::ssr::request::{error_response, flash};
use crate::ssr::state::AppState;
use axum::Extension;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use futures::TryStreamExt as _;
use http::{HeaderMap, header};
use serde::Deserialize;
use tower_sessions::Session;

pub use super::model::{EXPORT_PATH, IMPORT_PATH};

/// The largest file the import endpoint accepts (the command line has its own, larger limit).
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    /// `csv` (the default) or `json`.
    #[serde(default)]
    pub format: String,
}

/// `GET /api/applications/export?format=csv|json`: the estate as a download, streamed: the
/// headers go out once the snapshot is open, then each batch's piece of the file as it is read.
/// An error part-way can only cut the download short (the status is already sent); it is logged.
pub async fn export_applications(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let result = async {
        let exporter = Granted::<Exporters>::from_signed_in(user.map(|Extension(u)| u))?;
        let user = exporter.user();
        let format = match q.format.trim() {
            "" => Format::Csv,
            f => Format::parse(f)
                .ok_or_else(|| AppError::validation("format", "Choose csv or json."))?,
        };
        tracing::info!(user = %user.username, format = format.extension(), "applications exported");
        Ok((format, ssr::Export::start(&state.db, format).await?))
    }
    .await;
    match result {
        Ok((format, export)) => {
            let pieces = export.into_stream().inspect_err(|e| {
                tracing::error!(error = %e, "export failed part-way; the download is cut short");
            });
            (
                [
                    (header::CONTENT_TYPE, format.content_type().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"applications.{}\"",
                            format.extension()
                        ),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                Body::from_stream(pieces),
            )
                .into_response()
        }
        Err(e) => error_response(&headers, &e),
    }
}

/// `POST /api/applications/import` (multipart: `file`, optional `dry_run` and `format`):
/// imports the file, keeps the report in the session and sends the browser to the import page.
pub async fn import_applications(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    session: Session,
    upload: Result<Multipart, MultipartRejection>,
) -> Response {
    let importer = match Granted::<Importers>::from_signed_in(user.map(|Extension(u)| u)) {
        Ok(u) => u,
        Err(e) => return error_response(&headers, &e),
    };
    let report = match upload {
        Ok(multipart) => match read_upload(multipart).await {
            Ok(upload) => run(&state, upload, ImportedBy::User(&importer)).await,
            Err(message) => unreadable(message),
        },
        Err(e) => unreadable(e.body_text()),
    };
    if let Err(e) = flash(&session, REPORT, &report).await {
        return error_response(&headers, &e);
    }
    Redirect::to(IMPORT_PAGE).into_response()
}

#[derive(Debug, Default)]
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    dry_run: bool,
    format: String,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        format!("the upload could not be read: {}", e.body_text())
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                upload.bytes = Vec::from(field.bytes().await.map_err(unreadable)?);
            }
            Some("dry_run") => upload.dry_run = !field.text().await.map_err(unreadable)?.is_empty(),
            Some("format") => upload.format = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    if upload.bytes.is_empty() {
        return Err("choose a file to import".into());
    }
    Ok(upload)
}

fn refused(mut problems: Vec<ImportProblem>) -> ImportOutcome {
    let total = problems.len();
    problems.truncate(REPORTED_PROBLEMS_MAX);
    ImportOutcome::Refused { problems, total }
}

fn file_problem(message: String) -> ImportProblem {
    ImportProblem {
        row: 0,
        application: String::new(),
        message,
    }
}

fn unreadable(message: String) -> ImportReport {
    ImportReport {
        file_name: String::new(),
        sha256: String::new(),
        dry_run: false,
        outcome: refused(vec![file_problem(message)]),
    }
}

/// Imports an upload. The bytes move into decoding and are dropped there; only the records go on.
async fn run(state: &AppState, upload: Upload, by: ImportedBy<'_>) -> ImportReport {
    let Upload {
        file_name,
        bytes,
        dry_run,
        format,
    } = upload;
    let format = match format.trim() {
        "" => Format::of_file_name(&file_name),
        f => Format::parse(f),
    };
    let (sha256, outcome) = match format {
        None => (
            ssr::fingerprint(bytes).await.unwrap_or_default(),
            refused(vec![file_problem(
                "name the file .csv or .json, or choose its format".into(),
            )]),
        ),
        Some(format) => match ssr::read_file(bytes, format).await {
            Err(e) => (String::new(), refused(vec![file_problem(e.to_string())])),
            Ok(file) => {
                let sha256 = file.sha256.clone();
                let outcome = match ssr::import(state, file, dry_run, by).await {
                    Ok(Ok(summary)) => ImportOutcome::Done(summary),
                    Ok(Err(problems)) => refused(problems),
                    Err(e) => refused(vec![file_problem(e.to_string())]),
                };
                (sha256, outcome)
            }
        },
    };
    ImportReport {
        sha256,
        file_name,
        dry_run,
        outcome,
    }
}
