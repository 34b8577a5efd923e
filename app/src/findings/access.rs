//! Who may call the findings' server functions and download them: everyone signed in reads
//! findings; security, administrators and auditors export them.

use super::api::{GetApplicationFindings, ListFindings, PreviewDraft, PreviewPolicy};
use super::model::{FINDINGS_EXPORT_PATH, FindingExporters};
use crate::policy::model::PolicyEditors;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(<ListFindings as ServerFn>::PATH, Access::read::<Reader>()),
    Endpoint::new(
        <GetApplicationFindings as ServerFn>::PATH,
        Access::read::<Reader>(),
    ),
    // Computes, changes nothing: a read for those who edit the application (checked per
    // application by the registry).
    Endpoint::new(
        <PreviewDraft as ServerFn>::PATH,
        Access::read::<crate::registry::model::Editors>(),
    ),
    // Computes, changes nothing: a read for those who edit the policy.
    Endpoint::new(
        <PreviewPolicy as ServerFn>::PATH,
        Access::read::<PolicyEditors>(),
    ),
];

pub const HANDLERS: &[Endpoint] = &[Endpoint::new(
    FINDINGS_EXPORT_PATH,
    Access::read::<FindingExporters>(),
)];
