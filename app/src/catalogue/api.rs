//! Catalogue server functions. Thin: the access guard has already run (see `access.rs`).

use super::model::CatalogueView;
use crate::error::AppError;
use leptos::prelude::*;

/// The catalogues, for anyone signed in.
#[server(endpoint = "catalogue")]
pub async fn get_catalogue() -> Result<CatalogueView, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    respond(super::ssr::load(state.db.conn()).await, None)
}

/// Edits a method (administrators).
#[server(endpoint = "catalogue/methods/update")]
pub async fn update_method(key: String, form: super::model::MethodForm) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<super::model::CatalogueAdministrators>()?;
    respond(
        super::ssr::update_method(&state, &admin, &key, &form).await,
        Some("Method updated."),
    )
}

/// Business units with inactive ones (administrators).
#[server(endpoint = "catalogue/business-units")]
pub async fn list_business_units() -> Result<Vec<super::model::BusinessUnitView>, AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    granted::<super::model::CatalogueAdministrators>()?;
    respond(super::ssr::list_business_units(state.db.conn()).await, None)
}

#[server(endpoint = "catalogue/business-units/add")]
pub async fn add_business_unit(name: String) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<super::model::CatalogueAdministrators>()?;
    respond(
        super::ssr::add_business_unit(&state, &admin, &name).await,
        Some("Business unit added."),
    )
}

#[server(endpoint = "catalogue/business-units/status")]
pub async fn set_business_unit_active(
    id: crate::ids::BusinessUnitId,
    active: bool,
) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<super::model::CatalogueAdministrators>()?;
    let notice = if active {
        "Business unit restored."
    } else {
        "Business unit retired."
    };
    respond(
        super::ssr::set_business_unit_active(&state, &admin, id, active).await,
        Some(notice),
    )
}

/// Edits or retires a population (administrators).
#[server(endpoint = "catalogue/populations/update")]
pub async fn update_population(
    key: String,
    name: String,
    description: String,
    active: Option<String>,
) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<super::model::CatalogueAdministrators>()?;
    let r =
        super::ssr::update_population(&state, &admin, &key, &name, &description, active.is_some())
            .await;
    respond(r, Some("Population updated."))
}
