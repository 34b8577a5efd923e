//! Roles and account views shared with the browser.

use crate::error::AppError;
use crate::session::model::{CurrentUser, Right, Role, UserStatus};
pub use crate::vocab::EnrolmentPurpose;
use serde::{Deserialize, Serialize};

/// A user as administrators see them: roles sorted, and how many passkeys they hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: crate::ids::UserId,
    pub username: String,
    pub display_name: String,
    pub status: UserStatus,
    pub roles: Vec<Role>,
    pub passkeys: u64,
    pub created_at: String,
}

/// People per page of the users list.
pub const USERS_PAGE_SIZE: u64 = 50;

/// Where a page of the users list starts, by user name (keyset paging, shared by every list).
pub use crate::components::Position;

/// The users list's search, filters and position, as the query string carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserFilter {
    /// Searched in user names and display names, ignoring case; `%` and `_` are literal.
    pub q: String,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub position: Position,
}

impl UserFilter {
    /// Reads the list's query string (a value that does not parse is no filter; `after` wins
    /// over `before`).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let position = Position::from_query(&get);
        Self {
            q: get("q").unwrap_or_default(),
            role: Role::parse(&text("role")),
            status: UserStatus::parse(&text("status")),
            position,
        }
    }

    /// The query string's pairs of the search and filters (not the position), empty ones left
    /// out.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("q", self.q.clone()),
            (
                "role",
                self.role.map(|r| r.as_str().into()).unwrap_or_default(),
            ),
            (
                "status",
                self.status.map(|s| s.as_str().into()).unwrap_or_default(),
            ),
        ];
        pairs.retain(|(_, v)| !v.is_empty());
        pairs
    }

    /// The same search and filters at another position.
    pub fn at(&self, position: Position) -> Self {
        Self {
            position,
            ..self.clone()
        }
    }
}

/// One page of the users list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    /// At most [`USERS_PAGE_SIZE`], by user name.
    pub rows: Vec<UserSummary>,
    /// Everyone the search and filters match, on every page.
    pub total: u64,
    /// The previous page, if there is one.
    pub prev: Option<Position>,
    /// The next page, if there is one.
    pub next: Option<Position>,
}

/// One of the signed-in user's passkeys (never key material).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySummary {
    pub id: crate::ids::PasskeyId,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Synced (backed up by a passkey provider) rather than bound to one device.
    pub synced: bool,
    pub backup_eligible: bool,
    pub attachment: Option<String>,
    pub flagged: Option<String>,
}

/// One of the signed-in user's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// A short fingerprint of the session id (the id itself is a credential).
    pub fingerprint: String,
    pub last_active: String,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub user: CurrentUser,
    pub passkeys: Vec<PasskeySummary>,
    pub sessions: Vec<SessionSummary>,
}

/// What an enrolment link is for, shown before the passkey is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentInfo {
    pub purpose: EnrolmentPurpose,
    /// Known for invitations and recovery; chosen by the person for the first administrator.
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub expires_at: String,
}

/// A one-time link just issued, shown once to the administrator who issued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLinkView {
    pub url: String,
    pub expires_at: String,
    pub for_user: String,
}

/// Limits on what people type.
pub const DISPLAY_NAME_MAX: usize = 120;
pub const PASSKEY_NAME_MAX: usize = 80;
pub const REASON_MIN: usize = 10;
pub const REASON_MAX: usize = 500;

/// Roles ticked on a form (checkbox fields), at least one.
pub fn roles_from_form(
    owner: bool,
    security: bool,
    auditor: bool,
    admin: bool,
) -> Result<Vec<Role>, AppError> {
    let roles: Vec<Role> = [
        (owner, Role::Owner),
        (security, Role::Security),
        (auditor, Role::Auditor),
        (admin, Role::Admin),
    ]
    .into_iter()
    .filter_map(|(on, r)| on.then_some(r))
    .collect();
    if roles.is_empty() {
        return Err(AppError::validation("roles", "Choose at least one role."));
    }
    Ok(roles)
}

/// Administering people: inviting, roles, disabling, recovery.
pub struct UserAdministrators;

impl Right for UserAdministrators {
    const ROLES: &'static [Role] = &[Role::Admin];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_list_reads_its_address() {
        let query = |pairs: &'static [(&'static str, &'static str)]| {
            UserFilter::from_query(move |k| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        let f = query(&[("q", " Ada "), ("role", "owner"), ("status", "disabled")]);
        assert_eq!(f.q, " Ada ");
        assert_eq!(f.role, Some(Role::Owner));
        assert_eq!(f.status, Some(UserStatus::Disabled));
        assert_eq!(f.position, Position::First);
        assert_eq!(
            f.query_pairs(),
            vec![
                ("q", " Ada ".to_string()),
                ("role", "owner".into()),
                ("status", "disabled".into())
            ]
        );
        // Values that are not a role or a status are no filter; `after` wins over `before`.
        let f = query(&[
            ("role", "wizard"),
            ("status", ""),
            ("after", "bob"),
            ("before", "al"),
        ]);
        assert_eq!((f.role, f.status), (None, None));
        assert_eq!(f.position, Position::After("bob".into()));
        assert!(f.query_pairs().is_empty(), "the position is not a filter");
        assert_eq!(
            query(&[("before", "carol")]).position,
            Position::Before("carol".into())
        );
        assert_eq!(f.at(Position::First).position, Position::First);
    }

    #[test]
    fn at_least_one_role() {
        assert_eq!(
            roles_from_form(true, false, false, true).unwrap(),
            vec![Role::Owner, Role::Admin]
        );
        assert_eq!(
            roles_from_form(false, false, false, false)
                .unwrap_err()
                .field(),
            Some("roles")
        );
    }
}
