//! Matrix server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::{ApplicationReadiness, JourneysPage, MatrixFilter, MatrixPage};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;

/// A page of the consistency matrix (anyone signed in).
#[server(endpoint = "matrix")]
pub async fn get_matrix(#[server(default)] filter: MatrixFilter) -> Result<MatrixPage, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let result = super::ssr::current_estate(&state).await.map(|e| {
        let page = e.matrix_page(&filter, Some(&viewer.username), |p| {
            super::pages::table_body(&p.rows, &p.columns)
        });
        (*page).clone()
    });
    respond(result, None)
}

/// A page of the journeys view (anyone signed in).
#[server(endpoint = "matrix/journeys")]
pub async fn get_journeys(
    #[server(default)] filter: MatrixFilter,
) -> Result<JourneysPage, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let result = super::ssr::current_estate(&state)
        .await
        .map(|e| (*e.journeys_page(&filter, Some(&viewer.username))).clone());
    respond(result, None)
}

/// Whether an application can remove passwords, and what blocks it (anyone signed in).
#[server(endpoint = "matrix/readiness")]
pub async fn get_readiness(id: ApplicationId) -> Result<ApplicationReadiness, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    signed_in()?;
    let result = super::ssr::current_estate(&state).await.map(|e| {
        match e.entries.iter().find(|x| x.id == id) {
            Some(x) => ApplicationReadiness {
                assessed: true,
                readiness: x.readiness.clone(),
            },
            None => ApplicationReadiness {
                assessed: false,
                readiness: Default::default(),
            },
        }
    });
    respond(result, None)
}
