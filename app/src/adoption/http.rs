//! The plain HTTP endpoints that move files of figures, under `/api` (the access table applies
//! before they run; each checks the right again): the upload (a multipart form whose report
//! waits in the session for the import page) and the download of every figure in the format the
//! upload reads.

use super::api::REPORT;
use super::model::{
    AdoptionImporters, AdoptionReport, FileFormat, IMPORT_PAGE, ReportOutcome, RowProblem,
};
use super::ssr::export;
use super::ssr::ingest::Origin;
use super::ssr::upload::{File, run};
use crate::audit::facade::Actor;
use crate::error::AppError;
use crate::session::facade::{Granted, SignedIn};
use crate::ssr::request::{error_response, flash};
use crate::ssr::state::AppState;
use crate::transfer::model::Exporters;
use crate::vocab::AdoptionSource;
use axum::Extension;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, header};
use serde::Deserialize;
use tower_sessions::Session;

pub use super::model::{EXPORT_PATH, UPLOAD_PATH};

/// The largest file the upload accepts (the command line reads larger ones).
pub const UPLOAD_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// `POST /api/adoption/import` (multipart: `file`, `format`, optional `by_day`).
pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    session: Session,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let importer = match Granted::<AdoptionImporters>::from_signed_in(user.map(|Extension(u)| u)) {
        Ok(u) => u,
        Err(e) => return error_response(&headers, &e),
    };
    let report = match form {
        Ok(multipart) => match read(multipart).await {
            Ok(file) => {
                let origin = Origin {
                    source: match file.format {
                        Some(FileFormat::Provider(crate::adoption::model::Provider::Entra)) => {
                            AdoptionSource::Entra
                        }
                        Some(FileFormat::Provider(crate::adoption::model::Provider::Okta)) => {
                            AdoptionSource::Okta
                        }
                        _ => AdoptionSource::Upload,
                    },
                    file_name: None,
                    sha256: None,
                    actor: Actor::User(importer.id()),
                };
                match run(&state, file, origin).await {
                    Ok(report) => report,
                    Err(e) => return error_response(&headers, &e),
                }
            }
            Err(message) => unreadable(message),
        },
        Err(e) => unreadable(e.body_text()),
    };
    if let Err(e) = flash(&session, REPORT, &report).await {
        return error_response(&headers, &e);
    }
    Redirect::to(IMPORT_PAGE).into_response()
}

fn unreadable(message: String) -> AdoptionReport {
    AdoptionReport {
        file_name: String::new(),
        sha256: String::new(),
        format: None,
        outcome: ReportOutcome::Refused {
            problems: vec![RowProblem::new(0, "file", message)],
            total: 1,
        },
        events: None,
        unmapped: Vec::new(),
    }
}

async fn read(mut multipart: Multipart) -> Result<File, String> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        format!("The upload could not be read: {}", e.body_text())
    };
    let mut file = File {
        name: String::new(),
        bytes: Vec::new(),
        format: None,
        by_day: false,
    };
    let mut format = String::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                file.name = field.file_name().unwrap_or_default().to_string();
                file.bytes = Vec::from(field.bytes().await.map_err(unreadable)?);
            }
            Some("format") => format = field.text().await.map_err(unreadable)?,
            Some("by_day") => file.by_day = !field.text().await.map_err(unreadable)?.is_empty(),
            _ => {}
        }
    }
    if file.bytes.is_empty() {
        return Err("Choose a file to send.".into());
    }
    file.format = match format.trim() {
        "" | "auto" => FileFormat::of_file_name(&file.name),
        f => FileFormat::parse(f),
    };
    Ok(file)
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
}

/// `GET /api/adoption/export?format=csv|json`: every figure, streamed a batch of applications
/// at a time, in the format the upload reads (importing it back changes nothing).
pub async fn download(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let result = async {
        Granted::<Exporters>::from_signed_in(user.map(|Extension(u)| u))?;
        let json = match q.format.trim() {
            "" | "csv" => false,
            "json" => true,
            _ => return Err(AppError::validation("format", "Choose csv or json.")),
        };
        Ok(json)
    }
    .await;
    match result {
        Ok(json) => {
            let (content_type, ext) = if json {
                ("application/json", "json")
            } else {
                ("text/csv; charset=utf-8", "csv")
            };
            let pieces = export::pieces(state.clone(), json);
            (
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"adoption.{ext}\""),
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
