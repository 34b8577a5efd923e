//! Declaration server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::{
    BreakGlassForm, DeclarationEditor, DeclarationReview, DeclarationShown, Intent, PopulationForm,
};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The declaration sections of the application page: the latest version, version `version`, or
/// the one in force on `as_of` (YYYY-MM-DD); with the differences from `from` to `to` when both
/// are given; the history and the viewer's rights. Anyone signed in.
#[server(endpoint = "declarations/show")]
pub async fn show_declaration(
    id: ApplicationId,
    version: Option<i32>,
    as_of: Option<String>,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<DeclarationShown, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let query = super::ssr::ShowQuery {
        version,
        as_of: as_of.filter(|d| !d.trim().is_empty()),
        diff: from.zip(to),
    };
    respond(
        super::ssr::show(state.db.conn(), &viewer, id, &query).await,
        None,
    )
}

/// The editor's content, for those who may edit the application.
#[server(endpoint = "declarations/editor")]
pub async fn get_declaration_editor(id: ApplicationId) -> Result<DeclarationEditor, AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    respond(super::ssr::editor(state.db.conn(), &editor, id).await, None)
}

/// Saves the draft (`intent` = `save`), saves it and goes to its review (`review`: the page's
/// way to submit), or submits it as a new version at once (`submit`: for scripts). A list
/// button of the editor (`edit`, see [`ListEdit`]) instead changes the form as sent and shows it
/// again, not yet saved, so that adding, removing and reordering paths works without JavaScript.
#[server(endpoint = "declarations/save")]
pub async fn save_declaration(
    id: ApplicationId,
    #[server(default)] intent: Intent,
    #[server(default)] edit: Option<String>,
    #[server(default)] p: BTreeMap<String, PopulationForm>,
    #[server(default)] bg: BreakGlassForm,
) -> Result<Option<i32>, AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond, respond_redirect, respond_with_form};
    let mut form = super::model::DeclarationForm { p, bg };
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    if let Some(edit) = edit {
        let Some(edit) = super::model::ListEdit::parse(&edit) else {
            let refused = AppError::validation("edit", "This button asks for nothing known.");
            return respond(Err(refused), None);
        };
        let notice = if super::rules::apply_edit(&mut form, &edit) {
            format!(
                "{} path {}: {}. Not saved yet: Save draft keeps it.",
                edit.role.label(),
                edit.position + 1,
                edit.action.label().to_lowercase()
            )
        } else {
            "Nothing to change there.".to_string()
        };
        let shown = SaveDeclaration {
            id,
            intent: Intent::Save,
            edit: None,
            p: form.p,
            bg: form.bg,
        };
        let anchor = format!("{}-{}", edit.population, edit.role.as_str());
        return respond_with_form(Ok(None), &shown, &notice, &anchor);
    }
    let result = super::ssr::save(&state, &editor, id, &form, intent).await;
    match (&result, intent) {
        (Ok(Some(n)), _) => {
            let target = format!("/applications/{id}");
            let notice = format!("Version {n} submitted.");
            respond_redirect(result, &target, Some(&notice))
        }
        (Ok(None), Intent::Review) => respond_redirect(
            result,
            &format!("/applications/{id}/declaration/review"),
            Some("Draft saved. Check the differences, then submit."),
        ),
        _ => respond(result, Some("Draft saved.")),
    }
}

/// The review of the draft before it is submitted.
#[server(endpoint = "declarations/review")]
pub async fn get_declaration_review(id: ApplicationId) -> Result<DeclarationReview, AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    respond(super::ssr::review(state.db.conn(), &editor, id).await, None)
}

/// Submits the draft reviewed (named by `draft`, its stamp) as the next version, with the
/// reason given (optional, kept with the version).
#[server(endpoint = "declarations/submit")]
pub async fn submit_declaration(
    id: ApplicationId,
    draft: String,
    #[server(default)] reason: String,
) -> Result<i32, AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    let result = super::ssr::submit_draft(&state, &editor, id, &draft, &reason).await;
    let notice = match &result {
        Ok(n) => format!("Version {n} submitted."),
        Err(_) => String::new(),
    };
    respond_redirect(result, &format!("/applications/{id}"), Some(&notice))
}

#[server(endpoint = "declarations/discard")]
pub async fn discard_draft(id: ApplicationId) -> Result<(), AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    respond_redirect(
        super::ssr::discard_draft(&state, &editor, id).await,
        &format!("/applications/{id}"),
        Some("Draft discarded."),
    )
}
