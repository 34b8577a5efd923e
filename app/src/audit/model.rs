//! Audit vocabulary shared with the browser.

use serde::{Deserialize, Serialize};

/// Everything the portal audits. Stored by its dotted name; names are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    /// A first-admin enrolment link was issued from the host.
    BootstrapIssued,
    /// A first-admin link was issued while an active admin existed (break-glass).
    BootstrapBreakGlass,
    /// An unused enrolment link was revoked because a newer one replaced it.
    EnrolmentRevoked,
    /// A one-time link was redeemed and a passkey registered with it.
    EnrolmentRedeemed,
    /// A user was created (first administrator or invitation).
    UserCreated,
    /// An administrator invited a user.
    UserInvited,
    /// A user's roles changed.
    RolesChanged,
    UserDisabled,
    UserEnabled,
    /// An administrator issued a recovery link for another user.
    RecoveryIssued,
    /// A recovery link was redeemed.
    RecoveryRedeemed,
    SignInSucceeded,
    SignInFailed,
    /// The user proved presence again before a high-risk action.
    Reverified,
    PasskeyAdded,
    PasskeyRenamed,
    PasskeyRemoved,
    /// A passkey was blocked (counter regression).
    PasskeyFlagged,
    /// Sessions were ended (sign-out, sign-out everywhere, disable, role change, recovery).
    SessionsEnded,
    /// An administrator changed a catalogue entry (method, population or business unit).
    CatalogueChanged,
    /// An application was registered.
    ApplicationCreated,
    /// An application's facts changed (name, owners, populations, integration, ...).
    ApplicationUpdated,
    /// An application was archived or restored.
    ApplicationArchived,
    /// An owner saved a declaration draft.
    DeclarationDraftSaved,
    /// An owner threw a declaration draft away (the latest version stays as it was).
    DeclarationDraftDiscarded,
    /// A declaration was submitted: the event carries the whole immutable version.
    DeclarationSubmitted,
    /// Applications and declarations were imported from a file (the event names the file's hash).
    ApplicationsImported,
    /// A demonstration estate was generated.
    EstateGenerated,
    /// Security saved a new version of the standard policy: the event carries the whole document.
    PolicyChanged,
    /// The daily pass re-judged every application for the rules that depend on the date.
    FindingsRecomputed,
    /// An owner or security asked for an exception (or its renewal).
    ExceptionRequested,
    /// Security approved an exception.
    ExceptionApproved,
    /// Security rejected an exception request.
    ExceptionRejected,
    /// The requester (or an owner) withdrew a request.
    ExceptionWithdrawn,
    /// Security ended an approved exception before its expiry.
    ExceptionRevoked,
    /// An approved exception reached its expiry (recorded once, by the job).
    ExceptionExpired,
    /// A reminder about an exception's expiry went out.
    ExceptionReminded,
    /// An administrator added an outgoing webhook.
    WebhookCreated,
    /// An administrator switched a webhook off or on, or removed it.
    WebhookChanged,
    /// A user marked notifications as read.
    NotificationsRead,
    AdoptionIngested,
    AdoptionRefused,
    AdoptionMappingChanged,
    ApiTokenIssued,
    ApiTokenRevoked,
    ApiTokenRefused,
    /// An administrator (or the host's operator) imported frameworks, controls or their mapping.
    FrameworksChanged,
    /// The portal signed the chain's head with its checkpoint key (after verifying the chain).
    CheckpointSigned,
    /// Someone downloaded evidence (a bundle or an OSCAL document).
    EvidenceExported,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        Self::BootstrapIssued,
        Self::BootstrapBreakGlass,
        Self::EnrolmentRevoked,
        Self::EnrolmentRedeemed,
        Self::UserCreated,
        Self::UserInvited,
        Self::RolesChanged,
        Self::UserDisabled,
        Self::UserEnabled,
        Self::RecoveryIssued,
        Self::RecoveryRedeemed,
        Self::SignInSucceeded,
        Self::SignInFailed,
        Self::Reverified,
        Self::PasskeyAdded,
        Self::PasskeyRenamed,
        Self::PasskeyRemoved,
        Self::PasskeyFlagged,
        Self::SessionsEnded,
        Self::CatalogueChanged,
        Self::ApplicationCreated,
        Self::ApplicationUpdated,
        Self::ApplicationArchived,
        Self::DeclarationDraftSaved,
        Self::DeclarationDraftDiscarded,
        Self::DeclarationSubmitted,
        Self::ApplicationsImported,
        Self::EstateGenerated,
        Self::PolicyChanged,
        Self::FindingsRecomputed,
        Self::ExceptionRequested,
        Self::ExceptionApproved,
        Self::ExceptionRejected,
        Self::ExceptionWithdrawn,
        Self::ExceptionRevoked,
        Self::ExceptionExpired,
        Self::ExceptionReminded,
        Self::WebhookCreated,
        Self::WebhookChanged,
        Self::NotificationsRead,
        Self::AdoptionIngested,
        Self::AdoptionRefused,
        Self::AdoptionMappingChanged,
        Self::ApiTokenIssued,
        Self::ApiTokenRevoked,
        Self::ApiTokenRefused,
        Self::FrameworksChanged,
        Self::CheckpointSigned,
        Self::EvidenceExported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BootstrapIssued => "bootstrap.issued",
            Self::BootstrapBreakGlass => "bootstrap.break_glass",
            Self::EnrolmentRevoked => "enrolment.revoked",
            Self::EnrolmentRedeemed => "enrolment.redeemed",
            Self::UserCreated => "user.created",
            Self::UserInvited => "user.invited",
            Self::RolesChanged => "user.roles_changed",
            Self::UserDisabled => "user.disabled",
            Self::UserEnabled => "user.enabled",
            Self::RecoveryIssued => "recovery.issued",
            Self::RecoveryRedeemed => "recovery.redeemed",
            Self::SignInSucceeded => "signin.succeeded",
            Self::SignInFailed => "signin.failed",
            Self::Reverified => "signin.reverified",
            Self::PasskeyAdded => "passkey.added",
            Self::PasskeyRenamed => "passkey.renamed",
            Self::PasskeyRemoved => "passkey.removed",
            Self::PasskeyFlagged => "passkey.flagged",
            Self::SessionsEnded => "session.ended",
            Self::CatalogueChanged => "catalogue.changed",
            Self::ApplicationCreated => "application.created",
            Self::ApplicationUpdated => "application.updated",
            Self::ApplicationArchived => "application.archived",
            Self::DeclarationDraftSaved => "declaration.draft_saved",
            Self::DeclarationDraftDiscarded => "declaration.draft_discarded",
            Self::DeclarationSubmitted => "declaration.submitted",
            Self::ApplicationsImported => "applications.imported",
            Self::EstateGenerated => "estate.generated",
            Self::PolicyChanged => "policy.changed",
            Self::FindingsRecomputed => "findings.recomputed",
            Self::ExceptionRequested => "exception.requested",
            Self::ExceptionApproved => "exception.approved",
            Self::ExceptionRejected => "exception.rejected",
            Self::ExceptionWithdrawn => "exception.withdrawn",
            Self::ExceptionRevoked => "exception.revoked",
            Self::ExceptionExpired => "exception.expired",
            Self::ExceptionReminded => "exception.reminded",
            Self::WebhookCreated => "webhook.created",
            Self::WebhookChanged => "webhook.changed",
            Self::NotificationsRead => "notifications.read",
            Self::AdoptionIngested => "adoption.ingested",
            Self::AdoptionRefused => "adoption.refused",
            Self::AdoptionMappingChanged => "adoption.mapping_changed",
            Self::ApiTokenIssued => "api_token.issued",
            Self::ApiTokenRevoked => "api_token.revoked",
            Self::ApiTokenRefused => "api_token.refused",
            Self::FrameworksChanged => "frameworks.changed",
            Self::CheckpointSigned => "audit.checkpoint_signed",
            Self::EvidenceExported => "evidence.exported",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A signed-in user.
    User(crate::ids::UserId),
    /// An operator at the host's command line.
    HostOperator,
    /// The portal itself (expiry sweeps, reminders).
    System,
    /// Someone not signed in (a failed sign-in, an enrolment link being redeemed).
    Anonymous,
    /// A script presenting an API token an administrator issued.
    Token(crate::ids::ApiTokenId),
}

impl Actor {
    pub fn stored(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::HostOperator => "host-operator".into(),
            Self::System => "system".into(),
            Self::Anonymous => "anonymous".into(),
            Self::Token(id) => format!("token:{id}"),
        }
    }
}

/// Outcome of a chain verification, as shown to auditors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainStatus {
    /// Every event links to the one before it and the head matches the last event.
    Intact { events: i64, head_hash: String },
    /// The first broken link, with the sequence number of the event where it shows.
    Broken { seq: i64, problem: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "duplicate name {}", a.as_str());
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        assert_eq!(AuditAction::parse("nope"), None);
    }
}
