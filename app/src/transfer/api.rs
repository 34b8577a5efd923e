//! Transfer server functions: the import page shows the report the import handler kept in the
//! session (the handler itself is `http::import_applications`, server only).

use super::model::ImportReport;
use crate::error::AppError;
use leptos::prelude::*;

/// The session key of the last import's report, until the import page shows it.
#[cfg(feature = "ssr")]
pub(crate) const REPORT: &str = "portal.flash.import_report";

/// The report of the last import in this session, shown once.
#[server(endpoint = "applications/import-report")]
pub async fn take_import_report() -> Result<Option<ImportReport>, AppError> {
    use super::model::Importers;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond, take_flash};
    let (_, session) = context().await?;
    granted::<Importers>()?;
    respond(take_flash(&session, REPORT).await, None)
}
