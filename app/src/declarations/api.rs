//! Declaration server functions.

use super::model::DeclarationEditor;
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::registry::model::DeclarationShown;
use leptos::prelude::*;

/// The declaration shown on the application page: the latest version, version `version`, or
/// the one in force on `as_of` (YYYY-MM-DD); with the differences from `from` to `to` when both
/// are given. Anyone signed in.
#[server(endpoint = "declarations/show")]
pub async fn show_declaration(
    id: ApplicationId,
    version: Option<i32>,
    as_of: Option<String>,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<DeclarationShown, AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let query = super::ssr::ShowQuery {
        version,
        as_of: as_of.filter(|d| !d.trim().is_empty()),
        diff: from.zip(to),
    };
    guard::respond(super::ssr::show(state.db.conn(), id, &query).await, None)
}

/// The editor's content, for those who may edit the application.
#[server(endpoint = "declarations/editor")]
pub async fn get_declaration_editor(id: ApplicationId) -> Result<DeclarationEditor, AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let viewer = guard::signed_in()?;
    guard::respond(super::ssr::editor(state.db.conn(), &viewer, id).await, None)
}

/// Saves the draft (`intent` = `save`) or submits it as a new version (`intent` = `submit`).
#[server(endpoint = "declarations/save")]
pub async fn save_declaration(
    id: ApplicationId,
    intent: String,
    #[server(default)] p: std::collections::BTreeMap<String, super::model::PopulationForm>,
    #[server(default)] bg: super::model::BreakGlassForm,
) -> Result<Option<i32>, AppError> {
    use crate::session::ssr::guard;
    let form = super::model::DeclarationForm { p, bg };
    let (state, _) = guard::context().await?;
    let user = guard::signed_in()?;
    let result = super::ssr::save(&state, &user, id, &form, intent == "submit").await;
    match &result {
        Ok(Some(n)) => {
            let target = format!("/applications/{id}?notice=Version+{n}+submitted.");
            guard::respond_redirect(result, &target)
        }
        _ => guard::respond(result, Some("Draft saved.")),
    }
}

#[server(endpoint = "declarations/discard")]
pub async fn discard_draft(id: ApplicationId) -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let user = guard::signed_in()?;
    guard::respond_redirect(
        super::ssr::discard_draft(&state, &user, id).await,
        &format!("/applications/{id}?notice=Draft+discarded."),
    )
}
