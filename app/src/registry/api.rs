//! Registry server functions: thin, each reads the context, takes the guard's proof of its
//! right, calls one function and answers.

use super::model::{
    ApplicationDetail, ApplicationFilter, ApplicationForm, ApplicationList, EditableApplication,
    FormOptions, PersonRef,
};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;

/// A page of applications (anyone signed in).
#[server(endpoint = "applications")]
pub async fn list_applications(
    #[server(default)] filter: ApplicationFilter,
) -> Result<ApplicationList, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    respond(
        super::ssr::list(state.db.conn(), &state.remembered, &viewer, &filter).await,
        None,
    )
}

/// One application's facts and the viewer's rights on it (anyone signed in).
#[server(endpoint = "applications/detail")]
pub async fn get_application(id: ApplicationId) -> Result<ApplicationDetail, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    respond(super::ssr::detail(state.db.conn(), &viewer, id).await, None)
}

/// Choices for the application form.
#[server(endpoint = "applications/options")]
pub async fn application_form_options() -> Result<FormOptions, AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    granted::<super::model::Editors>()?;
    respond(super::ssr::form_options(state.db.conn()).await, None)
}

/// The current facts of an application the viewer may edit, as form values, with its owners.
#[server(endpoint = "applications/form")]
pub async fn get_application_form(id: ApplicationId) -> Result<EditableApplication, AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<super::model::Editors>()?;
    respond(
        super::ssr::form_of(state.db.conn(), &editor, id).await,
        None,
    )
}

/// People who may own applications, found by user name or display name as an editor types
/// (at most ten).
#[server(endpoint = "applications/owners/search")]
pub async fn search_owners(q: String) -> Result<Vec<PersonRef>, AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<super::model::Editors>()?;
    respond(
        super::ssr::search_owners(state.db.conn(), &editor, &q).await,
        None,
    )
}

#[server(endpoint = "applications/create")]
pub async fn create_application(form: ApplicationForm) -> Result<ApplicationId, AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let editor = granted::<super::model::Editors>()?;
    let result = super::ssr::create(&state, &editor, &form).await;
    let target = match &result {
        Ok(id) => format!("/applications/{id}"),
        Err(_) => String::new(),
    };
    respond_redirect(
        result,
        &target,
        Some("Application registered. Now declare its journeys."),
    )
}

#[server(endpoint = "applications/update")]
pub async fn update_application(id: ApplicationId, form: ApplicationForm) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let editor = granted::<super::model::Editors>()?;
    respond_redirect(
        super::ssr::update(&state, &editor, id, &form).await,
        &format!("/applications/{id}"),
        Some("Application updated."),
    )
}

#[server(endpoint = "applications/archive")]
pub async fn set_application_archived(id: ApplicationId, archived: bool) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<super::model::Editors>()?;
    let notice = if archived {
        "Application archived."
    } else {
        "Application restored."
    };
    respond(
        super::ssr::set_archived(&state, &editor, id, archived).await,
        Some(notice),
    )
}
