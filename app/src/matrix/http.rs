//! The download of the matrix as filtered (`GET /api/matrix/export` with the page's filters),
//! mounted by the server's router under `/api` so the access table applies before it runs. The
//! body is streamed a piece at a time from the estate kept in memory.

use super::export::{PIECE, header, piece, to_csv};
use super::model::MatrixFilter;
use super::rules::{Criteria, Estate, matching_indices};
use crate::error::AppError;
use crate::session::facade::SignedIn;
use crate::ssr::request::error_response;
use crate::ssr::state::AppState;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header as h};
use std::sync::Arc;

pub use super::model::MATRIX_EXPORT_PATH;

/// The CSV of the matrix under a filter, piece by piece (the header first).
pub fn csv_pieces(
    estate: Arc<Estate>,
    filter: &MatrixFilter,
    viewer: Option<&str>,
) -> impl Iterator<Item = Result<Vec<u8>, csv::Error>> + Send + use<> {
    let (criteria, _) = Criteria::of(filter, &estate, viewer);
    let indices = matching_indices(&estate, &criteria, &filter.sort);
    let population = criteria.population.map(str::to_string);
    let role = criteria.role;
    let head = to_csv(std::iter::once(header(&estate).as_slice()));
    let chunks: Vec<Vec<usize>> = indices.chunks(PIECE).map(<[usize]>::to_vec).collect();
    std::iter::once(head).chain(
        chunks
            .into_iter()
            .map(move |c| piece(&estate, &c, population.as_deref(), role)),
    )
}

pub async fn export_matrix(
    State(state): State<AppState>,
    user: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Query(filter): Query<MatrixFilter>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let estate = super::ssr::current_estate(&state).await?;
        tracing::info!(user = %user.user().username, "matrix exported");
        Ok(csv_pieces(
            estate.estate.clone(),
            &filter,
            Some(&user.user().username),
        ))
    }
    .await;
    match result {
        Ok(pieces) => {
            let stream = futures::stream::iter(
                pieces.map(|p| p.map_err(|e| std::io::Error::other(e.to_string()))),
            );
            (
                [
                    (h::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        h::CONTENT_DISPOSITION,
                        "attachment; filename=\"matrix.csv\"".to_string(),
                    ),
                    (h::CACHE_CONTROL, "no-store".to_string()),
                ],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Err(e) => error_response(&headers, &e),
    }
}
