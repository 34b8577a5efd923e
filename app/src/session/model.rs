//! Session vocabulary shared with the browser: who is signed in, the roles people hold, and the
//! rights that features declare over those roles.

use crate::ids::UserId;
pub use crate::vocab::{Role, UserStatus};
use serde::{Deserialize, Serialize};

/// A right a feature grants to holders of some roles ("who may register applications"). The
/// access table is written in rights, and the server-side functions that act on them take the
/// guard's proof of the right (`Granted<R>`), so a check cannot be forgotten.
pub trait Right: 'static {
    /// The roles that hold the right.
    const ROLES: &'static [Role];

    fn admits(user: &CurrentUser) -> bool {
        user.has_any(Self::ROLES)
    }
}

/// Any signed-in person, acting on their own account only (their passkeys and sessions).
pub struct SelfService;

impl Right for SelfService {
    const ROLES: &'static [Role] = Role::ALL;

    fn admits(_: &CurrentUser) -> bool {
        true
    }
}

/// Reading what every signed-in person may read.
pub struct Reader;

impl Right for Reader {
    const ROLES: &'static [Role] = Role::ALL;
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_statuses_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("root"), None);
        for s in UserStatus::ALL {
            assert_eq!(UserStatus::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn rights_admit_their_roles() {
        struct AdminsOnly;
        impl Right for AdminsOnly {
            const ROLES: &'static [Role] = &[Role::Admin];
        }
        let user = |roles: &[Role]| CurrentUser {
            id: UserId(uuid::Uuid::nil()),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
        };
        assert!(AdminsOnly::admits(&user(&[Role::Owner, Role::Admin])));
        assert!(!AdminsOnly::admits(&user(&[Role::Auditor])));
        assert!(SelfService::admits(&user(&[])));
        assert!(!Reader::admits(&user(&[])));
    }
}
