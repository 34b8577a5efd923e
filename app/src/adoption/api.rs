//! Adoption's server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::{
    AdoptionFilter, AdoptionReport, ApplicationAdoption, EstateAdoption, NameKind, NameMapping,
    Provider,
};
use crate::error::AppError;
use crate::ids::ApplicationId;
use leptos::prelude::*;

/// Where the upload's report waits for the import page.
#[cfg(feature = "ssr")]
pub(crate) const REPORT: &str = "portal.flash.adoption_report";

/// The estate's adoption for a filter.
#[server(endpoint = "adoption")]
pub async fn get_adoption(
    #[server(default)] filter: AdoptionFilter,
) -> Result<EstateAdoption, AppError> {
    use super::model::AdoptionImporters;
    use crate::session::facade::signed_in;
    use crate::session::model::Right;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let viewer = signed_in()?;
    let can_import = AdoptionImporters::admits(&viewer);
    respond(
        super::ssr::read::estate(&state, &filter, can_import).await,
        None,
    )
}

/// One application's adoption, beside its declared journey.
#[server(endpoint = "adoption/application")]
pub async fn get_application_adoption(id: ApplicationId) -> Result<ApplicationAdoption, AppError> {
    use crate::session::facade::signed_in;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    signed_in()?;
    respond(super::ssr::read::application(&state, id).await, None)
}

/// The report of the last upload, once.
#[server(endpoint = "adoption/report")]
pub async fn take_adoption_report() -> Result<Option<AdoptionReport>, AppError> {
    use crate::ssr::request::{context, respond, take_flash};
    let (_, session) = context().await?;
    respond(take_flash(&session, REPORT).await, None)
}

/// Every name mapping.
#[server(endpoint = "adoption/mappings")]
pub async fn list_mappings() -> Result<Vec<NameMapping>, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    respond(super::ssr::mappings::all(state.db.conn()).await, None)
}

/// Sets what a provider's name maps to (a plain form post; a refusal comes back to the form
/// with what was typed).
#[server(endpoint = "adoption/mappings/save")]
pub async fn save_mapping(
    provider: Provider,
    kind: NameKind,
    external: String,
    #[server(default)] portal: String,
) -> Result<(), AppError> {
    use super::model::AdoptionImporters;
    use crate::audit::facade::Actor;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let user = granted::<AdoptionImporters>()?;
    let result = super::ssr::mappings::save(
        &state.db,
        state.now(),
        Actor::User(user.id()),
        NameMapping {
            provider,
            kind,
            external,
            portal,
        },
    )
    .await;
    respond_redirect(result, "/adoption/mappings", Some("Mapping saved."))
}

/// Removes a mapping.
#[server(endpoint = "adoption/mappings/remove")]
pub async fn remove_mapping(
    provider: Provider,
    kind: NameKind,
    external: String,
) -> Result<(), AppError> {
    use super::model::AdoptionImporters;
    use crate::audit::facade::Actor;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond_redirect};
    let (state, _) = context().await?;
    let user = granted::<AdoptionImporters>()?;
    let result = super::ssr::mappings::remove(
        &state.db,
        state.now(),
        Actor::User(user.id()),
        provider,
        kind,
        &external,
    )
    .await;
    respond_redirect(result, "/adoption/mappings", Some("Mapping removed."))
}
