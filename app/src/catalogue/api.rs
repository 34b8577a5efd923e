//! Catalogue server functions.

use super::model::CatalogueView;
use crate::error::AppError;
use leptos::prelude::*;

/// The catalogues, for anyone signed in.
#[server(endpoint = "catalogue")]
pub async fn get_catalogue() -> Result<CatalogueView, AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    guard::respond(super::ssr::load(state.db.conn()).await, None)
}
