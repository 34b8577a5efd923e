//! Who may call the declarations' server functions: everyone signed in reads; editors save and
//! submit (owners only for their own applications, checked per application by the registry).

use super::api::{
    DiscardDraft, GetDeclarationEditor, GetDeclarationReview, SaveDeclaration, ShowDeclaration,
    SubmitDeclaration,
};
use crate::registry::model::Editors;
use crate::session::facade::{Access, Endpoint};
use crate::session::model::Reader;
use leptos::server_fn::ServerFn;

pub const HANDLERS: &[Endpoint] = &[Endpoint::new(
    super::model::VERSION_DOWNLOAD_PATH,
    Access::read::<Reader>(),
)];

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        <ShowDeclaration as ServerFn>::PATH,
        Access::read::<Reader>(),
    ),
    Endpoint::new(
        <GetDeclarationEditor as ServerFn>::PATH,
        Access::read::<Editors>(),
    ),
    Endpoint::new(
        <SaveDeclaration as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
    Endpoint::new(
        <DiscardDraft as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
    Endpoint::new(
        <GetDeclarationReview as ServerFn>::PATH,
        Access::read::<Editors>(),
    ),
    Endpoint::new(
        <SubmitDeclaration as ServerFn>::PATH,
        Access::change::<Editors>(),
    ),
];
