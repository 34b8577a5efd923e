//! The overview's server function. Thin: the access guard has already run.

use super::model::Dashboard;
use crate::error::AppError;
use leptos::prelude::*;

/// The dashboards of the signed-in person's roles (anyone signed in).
#[server(endpoint = "home/dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    respond(super::ssr::dashboard(&state, &viewer).await, None)
}
