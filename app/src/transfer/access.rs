//! Who may move estates in and out: the import report's server function, and the two plain file
//! handlers (download and upload).

use super::api::TakeImportReport;
use super::model::{EXPORT_PATH, Exporters, IMPORT_PATH, Importers};
use crate::session::facade::{Access, Endpoint};
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[Endpoint::new(
    <TakeImportReport as ServerFn>::PATH,
    Access::read::<Importers>(),
)];

pub const HANDLERS: &[Endpoint] = &[
    Endpoint::new(EXPORT_PATH, Access::read::<Exporters>()),
    Endpoint::new(IMPORT_PATH, Access::change::<Importers>()),
];
