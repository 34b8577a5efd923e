//! The plain HTTP endpoints of evidence, under `/api` (the access table applies before they run).

use crate::error::AppError;
use crate::session::facade::{Granted, SignedIn};
use crate::session::model::Reader;
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};

/// `GET /api/frameworks/export`: the whole catalogue and mapping as a document the import
/// reads (`frameworks.json`).
pub async fn catalogue(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        Granted::<Reader>::from_signed_in(user.map(|Extension(u)| u))?;
        let doc = crate::frameworks::facade::load(state.db.conn()).await?;
        serde_json::to_string_pretty(&doc).map_err(AppError::internal)
    }
    .await;
    match result {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"frameworks.json\"".to_string(),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            text,
        )
            .into_response(),
        Err(e) => error_response(&headers, &e),
    }
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    kind: String,
}

/// `GET /api/evidence/export?kind=bundle|oscal-ar|oscal-poam`: audited, a checkpoint signed,
/// the file written in flat memory and streamed.
pub async fn evidence(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> Response {
    use super::model::EvidenceReaders;
    use super::ssr::export::{Kind, export};
    let result = async {
        let reader = Granted::<EvidenceReaders>::from_signed_in(user.map(|Extension(u)| u))?;
        let kind = match q.kind.trim() {
            "bundle" | "" => Kind::Bundle,
            "oscal-ar" => Kind::AssessmentResults,
            "oscal-poam" => Kind::Poam,
            _ => {
                return Err(AppError::validation(
                    "kind",
                    "Choose bundle, oscal-ar or oscal-poam.",
                ));
            }
        };
        let done = export(&state, crate::audit::facade::Actor::User(reader.id()), kind).await?;
        let file = tokio::fs::File::open(&done.file.0)
            .await
            .map_err(AppError::internal)?;
        // Unlinked now; the open handle keeps the bytes until the stream ends.
        drop(done.file);
        Ok((kind, done.at, file))
    }
    .await;
    match result {
        Ok((kind, at, file)) => {
            let stream = futures::stream::unfold(file, |mut f| async move {
                use tokio::io::AsyncReadExt;
                let mut buf = vec![0u8; 64 * 1024];
                match f.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), f))
                    }
                    Err(e) => Some((Err(e), f)),
                }
            });
            (
                [
                    (header::CONTENT_TYPE, kind.content_type().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}\"", kind.file_name(at)),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                axum::body::Body::from_stream(stream),
            )
                .into_response()
        }
        Err(e) => error_response(&headers, &e),
    }
}
