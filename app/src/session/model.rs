//! Session vocabulary shared with the browser.

use crate::accounts::model::Role;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// The session key under which the signed-in user is kept (a typed bucket with a fixed key).
pub const AUTH_KEY: &str = "portal.auth";

/// The person behind the current request, as the pages and islands see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

/// What this browser can do with passkeys, as found by the readiness check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Readiness {
    Unchecked,
    Checking,
    /// No WebAuthn at all: an old browser or an embedded web view.
    Unsupported,
    /// WebAuthn, but no built-in authenticator with user verification; a security key or a
    /// phone nearby can still be used.
    RoamingOnly,
    /// A built-in authenticator with user verification (Touch ID, Windows Hello, Android).
    PlatformAvailable,
}

impl Readiness {
    pub fn message(self) -> &'static str {
        match self {
            Self::Unchecked => "Not checked yet.",
            Self::Checking => "Checking this browser…",
            Self::Unsupported => {
                "This browser cannot use passkeys. Use a current version of Chrome, Edge, Firefox or Safari."
            }
            Self::RoamingOnly => {
                "This browser supports passkeys through a security key or a phone; no built-in authenticator was found."
            }
            Self::PlatformAvailable => {
                "This browser supports passkeys, including this device's built-in authenticator."
            }
        }
    }
}

/// The signed-in user while rendering a page on the server (pages render only there; in the
/// browser this is always `None`).
pub fn viewer() -> Option<CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        crate::session::ssr::guard::current_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
