//! Findings server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::{ApplicationFindings, FindingFilter, FindingsPage};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;

/// A page of the findings list (anyone signed in reads findings).
#[server(endpoint = "findings")]
pub async fn list_findings(
    #[server(default)] filter: FindingFilter,
    after: Option<String>,
    before: Option<String>,
) -> Result<FindingsPage, AppError> {
    use crate::components::Position;
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let position = Position::from_query(|k| match k {
        "after" => after.clone(),
        "before" => before.clone(),
        _ => None,
    });
    respond(
        super::ssr::read::list(
            state.db.conn(),
            &state.remembered,
            viewer.id,
            &filter,
            &position,
            state.now(),
        )
        .await,
        None,
    )
}

/// An application's findings and assurance (anyone signed in).
#[server(endpoint = "findings/application")]
pub async fn get_application_findings(id: ApplicationId) -> Result<ApplicationFindings, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    signed_in()?;
    respond(
        super::ssr::read::for_application(state.db.conn(), id, state.now()).await,
        None,
    )
}

/// What a proposed policy (the editor's form) would do to the findings (security only).
/// What submitting an application's draft would do to its findings (for its editors; changes
/// nothing); none without a draft.
#[server(endpoint = "findings/preview_draft")]
pub async fn preview_draft(
    id: crate::ids::ApplicationId,
) -> Result<Option<super::model::DraftImpact>, AppError> {
    use crate::registry::model::Editors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let editor = granted::<Editors>()?;
    let db = state.db.conn();
    let result = async {
        match crate::declarations::facade::draft_of(db, &editor, id).await? {
            Some(draft) => Ok(Some(
                super::ssr::preview_draft(db, id, &draft, state.now()).await?,
            )),
            None => Ok(None),
        }
    }
    .await;
    respond(result, None)
}

#[server(endpoint = "findings/preview_policy")]
pub async fn preview_policy(
    #[server(default)] form: crate::policy::model::PolicyForm,
) -> Result<crate::policy::model::PolicyPreview, AppError> {
    use crate::policy::model::PolicyEditors;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    granted::<PolicyEditors>()?;
    let db = state.db.conn();
    let result = async {
        let (_, base) = crate::policy::facade::current(db).await?;
        let proposed = crate::policy::facade::from_form(&form, &base)?;
        let (methods, populations) = crate::policy::facade::known_keys(db).await?;
        let proposed = crate::policy::facade::validate(&proposed, &methods, &populations)?;
        super::ssr::preview(db, proposed, state.now()).await
    }
    .await;
    respond(result, None)
}
