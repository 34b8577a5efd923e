//! Evidence's server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::{AppControls, Coverage, Drill, EventDetail, Trail, TrailFilter};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;

/// Coverage per framework and control.
#[server(endpoint = "frameworks")]
pub async fn get_coverage() -> Result<Coverage, AppError> {
    use crate::catalogue::model::CatalogueAdministrators;
    use crate::session::facade::signed_in;
    use crate::session::model::Right;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let can_import = CatalogueAdministrators::admits(&viewer);
    respond(
        super::ssr::coverage::coverage(&state, can_import).await,
        None,
    )
}

/// One control's applications in one status.
#[server(endpoint = "frameworks/control")]
pub async fn get_drill(
    framework: String,
    id: String,
    status: String,
    #[server(default)] offset: usize,
) -> Result<Drill, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    use super::model::ControlStatus;
    let status = ControlStatus::parse(&status).unwrap_or(ControlStatus::NotMet);
    respond(
        super::ssr::coverage::drill(&state, &framework, &id, status, offset).await,
        None,
    )
}

/// An application's control status per framework, now or as of a day (`YYYY-MM-DD`, the end
/// of that day, UTC).
#[server(endpoint = "frameworks/application")]
pub async fn get_application_controls(
    id: ApplicationId,
    #[server(default)] at: String,
) -> Result<AppControls, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let result = async {
        let (moment, as_of) = match at.trim() {
            "" => (state.now(), None),
            day => {
                let d = time::Date::parse(
                    day,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| AppError::validation("at", "A date such as 2026-11-30."))?;
                let end = d.next_day().unwrap_or(d).midnight().assume_utc()
                    - time::Duration::nanoseconds(1);
                (end.min(state.now()), Some(d.to_string()))
            }
        };
        super::ssr::coverage::application(state.db.conn(), id, moment, as_of).await
    }
    .await;
    respond(result, None)
}

/// A page of the audit trail.
#[server(endpoint = "evidence/trail")]
pub async fn get_trail(#[server(default)] filter: TrailFilter) -> Result<Trail, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    respond(super::ssr::trail::page(&state, &filter).await, None)
}

/// One event, whole.
#[server(endpoint = "evidence/event")]
pub async fn get_event(seq: i64) -> Result<EventDetail, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    respond(super::ssr::trail::event(state.db.conn(), seq).await, None)
}

/// Verifies the chain now, against the latest signed checkpoint (reads only: nothing is
/// stored, so auditors may ask).
#[server(endpoint = "evidence/verify")]
pub async fn verify_chain_now() -> Result<(bool, String), AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let result = async {
        let key = super::ssr::checkpoint::key(&state)?;
        let v = super::ssr::checkpoint::verify(state.db.conn(), &key).await?;
        Ok((v.intact(), v.words()))
    }
    .await;
    respond(result, None)
}

/// Imports a catalogue document (frameworks, controls, mapping) pasted into the form.
#[server(endpoint = "frameworks/import")]
pub async fn import_frameworks(document: String) -> Result<(), AppError> {
    use crate::catalogue::model::CatalogueAdministrators;
    use crate::error::Problem;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let admin = granted::<CatalogueAdministrators>()?;
    let result = async {
        let rules: Vec<&str> = crate::findings::facade::rule_keys();
        let doc = crate::frameworks::facade::parse(&document, &rules).map_err(|problems| {
            AppError::Invalid {
                problems: problems
                    .into_iter()
                    .map(|message| Problem {
                        field: "document".into(),
                        message,
                    })
                    .collect(),
            }
        })?;
        crate::frameworks::facade::import(&state, &admin, &doc, "form").await?;
        Ok(())
    }
    .await;
    respond_redirect(
        result,
        "/frameworks",
        Some("Catalogue imported. Findings now name the controls as mapped."),
    )
}
