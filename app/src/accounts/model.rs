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
