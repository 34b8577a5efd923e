//! API token views shared with the browser (never a secret but the one shown once), the scopes
//! a token can hold, and who administers tokens.

use crate::ids::ApiTokenId;
use crate::session::model::{Right, Role};
use serde::{Deserialize, Serialize};

/// Issuing, listing and revoking API tokens.
pub struct TokenAdministrators;

impl Right for TokenAdministrators {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// The stored key of [`Scope::AdoptionIngest`], for the access table (a constant).
pub const ADOPTION_INGEST: &str = "adoption:ingest";

/// The endpoint a token of scope [`Scope::AdoptionIngest`] opens.
pub const ADOPTION_API_PATH: &str = "/api/v1/adoption";

crate::vocabulary!(
    /// What a token may do: each scope opens one endpoint, and nothing else.
    pub enum Scope {
        /// Send adoption figures (`POST /api/v1/adoption`).
        AdoptionIngest = ("adoption:ingest", "Send adoption figures"),
    }
);

impl Scope {
    /// The endpoint this scope opens.
    pub fn endpoint(self) -> &'static str {
        match self {
            Self::AdoptionIngest => ADOPTION_API_PATH,
        }
    }
}

crate::vocabulary!(
    /// Where a token stands at a given time.
    pub enum TokenState {
        Active = ("active", "active"),
        Expired = ("expired", "expired"),
        Revoked = ("revoked", "revoked"),
    }
);

/// The longest token name (the column's width).
pub const TOKEN_NAME_MAX: usize = 100;
/// The shortest and longest life of a token, in days, and the life it gets when none is asked.
pub const EXPIRY_DAYS_MIN: i64 = 1;
pub const EXPIRY_DAYS_MAX: i64 = 90;
pub const EXPIRY_DAYS_DEFAULT: i64 = 30;
/// Uses of one token allowed per minute (every instance counts against the same limit).
pub const USES_PER_MINUTE: i64 = 60;
/// Every secret starts with this, so that a leaked one is recognised (secret scanners, logs).
pub const SECRET_PREFIX: &str = "ppt_";

/// A token as administrators see it: never its secret, only the start of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: ApiTokenId,
    pub name: String,
    /// The stored scope key (`adoption:ingest`).
    pub scope: String,
    /// The first characters of the secret (`ppt_1a2b3c4d`), to tell tokens apart.
    pub prefix: String,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub uses: i64,
    pub state: TokenState,
    /// Who revoked it, and when.
    pub revoked: Option<(String, String)>,
}

/// What an administrator typed into the issue form. `days` is text so that a wrong number comes
/// back to the form with a message rather than failing to decode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDraft {
    pub name: String,
    pub days: String,
    pub scope: String,
}

/// A token just issued, with its secret: shown once, on the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: ApiTokenId,
    pub name: String,
    pub scope: String,
    pub secret: String,
    pub expires_at: String,
}
