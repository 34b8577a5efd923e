//! Roles and account views shared with the browser.

use serde::{Deserialize, Serialize};

/// What a person may do. A user holds one or more roles; every check runs on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Registers applications and declares their journeys.
    Owner,
    /// Sets the standard and decides exceptions.
    Security,
    /// Reads everything, changes nothing.
    Auditor,
    /// Manages people and catalogues.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Security, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Security => "security",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Application owner",
            Role::Security => "Security",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
        }
    }
}

/// Account states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    /// Invited; no passkey registered yet.
    Invited,
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Active, Self::Disabled]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The purposes a one-time enrolment link serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnrolmentPurpose {
    /// The first administrator, issued from the host.
    Bootstrap,
    /// A new user invited by an administrator.
    Invitation,
    /// A user who lost their passkeys, issued by another administrator.
    Recovery,
}

impl EnrolmentPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bootstrap => "bootstrap",
            Self::Invitation => "invitation",
            Self::Recovery => "recovery",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            UserStatus::Invited,
            UserStatus::Active,
            UserStatus::Disabled,
        ] {
            assert_eq!(UserStatus::parse(s.as_str()), Some(s));
        }
    }
}

/// A user as administrators see them.
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
    pub user: crate::session::model::CurrentUser,
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
pub const USERNAME_MAX: usize = 64;
pub const DISPLAY_NAME_MAX: usize = 120;
pub const PASSKEY_NAME_MAX: usize = 80;
pub const REASON_MIN: usize = 10;
pub const REASON_MAX: usize = 500;

/// Normalises and checks a user name: 2 to 64 of a-z, 0-9, `.`, `_`, `-`, `@`.
pub fn validate_username(raw: &str) -> Result<String, (&'static str, String)> {
    let name = raw.trim().to_lowercase();
    if name.len() < 2 || name.len() > USERNAME_MAX {
        return Err(("username", format!("Use 2 to {USERNAME_MAX} characters.")));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(("username", "Use letters, digits and . _ - @ only.".into()));
    }
    Ok(name)
}

/// Checks free text: trimmed, within `min..=max` characters, no control characters.
pub fn validate_text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, (&'static str, String)> {
    let text = raw.trim().to_string();
    let n = text.chars().count();
    if n < min {
        return Err((
            field,
            if min <= 1 {
                "This is required.".into()
            } else {
                format!("Write at least {min} characters.")
            },
        ));
    }
    if n > max {
        return Err((field, format!("Keep it to {max} characters.")));
    }
    if text.chars().any(|c| c.is_control()) {
        return Err((field, "Control characters are not allowed.".into()));
    }
    Ok(text)
}

/// Roles ticked on a form (checkbox fields), at least one.
pub fn roles_from_form(
    owner: bool,
    security: bool,
    auditor: bool,
    admin: bool,
) -> Result<Vec<Role>, (&'static str, String)> {
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
        return Err(("roles", "Choose at least one role.".into()));
    }
    Ok(roles)
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(validate_username("  Alice.Smith ").unwrap(), "alice.smith");
        assert!(validate_username("a").is_err());
        assert!(validate_username("bob smith").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
    }

    #[test]
    fn text_limits() {
        assert_eq!(
            validate_text("reason", "  lost phone in taxi ", 10, 500).unwrap(),
            "lost phone in taxi"
        );
        assert!(validate_text("reason", "short", 10, 500).is_err());
        assert!(validate_text("name", "", 1, 80).is_err());
        assert!(validate_text("name", "a\u{7}b", 1, 80).is_err());
        assert!(validate_text("name", &"é".repeat(81), 1, 80).is_err());
    }

    #[test]
    fn at_least_one_role() {
        assert_eq!(
            roles_from_form(true, false, false, true).unwrap(),
            vec![Role::Owner, Role::Admin]
        );
        assert!(roles_from_form(false, false, false, false).is_err());
    }
}
