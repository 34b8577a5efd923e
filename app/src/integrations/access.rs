//! Who may call the API token server functions (administrators), and the endpoints scripts
//! call with a token: the guard reads no session for those, and their handler authenticates the
//! token itself for the scope listed here.

use super::api::{IssueToken, ListTokens, RevokeToken, TakeIssuedToken};
use super::model::{ADOPTION_API_PATH, ADOPTION_INGEST, TokenAdministrators};
use crate::session::facade::{Access, Endpoint};
use leptos::server_fn::ServerFn;

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        <ListTokens as ServerFn>::PATH,
        Access::read::<TokenAdministrators>(),
    ),
    Endpoint::new(
        <TakeIssuedToken as ServerFn>::PATH,
        Access::read::<TokenAdministrators>(),
    ),
    Endpoint::new(
        <IssueToken as ServerFn>::PATH,
        Access::change::<TokenAdministrators>(),
    ),
    Endpoint::new(
        <RevokeToken as ServerFn>::PATH,
        Access::change::<TokenAdministrators>(),
    ),
];

/// The token endpoints, one per scope (the handlers live with the feature they serve).
pub const HANDLERS: &[Endpoint] = &[Endpoint::new(
    ADOPTION_API_PATH,
    Access::Token(ADOPTION_INGEST),
)];

#[cfg(test)]
mod tests {
    use super::super::model::Scope;
    use super::*;

    #[test]
    fn every_scope_has_its_token_endpoint() {
        for scope in Scope::ALL {
            assert!(
                HANDLERS.iter().any(
                    |e| e.path == scope.endpoint() && e.access == Access::Token(scope.as_str())
                ),
                "{scope:?}"
            );
        }
        assert_eq!(HANDLERS.len(), Scope::ALL.len());
    }
}
