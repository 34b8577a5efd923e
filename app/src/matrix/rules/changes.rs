//! What the audit events recorded since the estate was loaded change in it, so that the estate
//! kept is computed again only where it changed: every change moves the chain's head, but most
//! (a sign-in, a passkey renamed, a draft saved) touch nothing the matrix shows, and most of the
//! others touch one application.

use crate::audit::model::AuditAction;
use crate::ids::{ApplicationId, ExceptionId};
use std::collections::HashSet;

/// How far an event reaches into the estate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing the estate holds.
    Nothing,
    /// The application it names (its facts, owners, populations, declaration or findings) and,
    /// when that application is an identity provider, the applications federated to it.
    Application,
    /// The application of the exception it names.
    Exception,
    /// Anything: the catalogue, the policy, many applications at once.
    Everything,
}

/// Every action is named, so a new one has to say what it reaches.
pub fn reach(action: AuditAction) -> Reach {
    use AuditAction::*;
    match action {
        BootstrapIssued
        | BootstrapBreakGlass
        | EnrolmentRevoked
        | EnrolmentRedeemed
        | UserCreated
        | UserInvited
        | RolesChanged
        | UserDisabled
        | UserEnabled
        | RecoveryIssued
        | RecoveryRedeemed
        | SignInSucceeded
        | SignInFailed
        | Reverified
        | PasskeyAdded
        | PasskeyRenamed
        | PasskeyRemoved
        | PasskeyFlagged
        | SessionsEnded
        | DeclarationDraftSaved
        | DeclarationDraftDiscarded
        | ExceptionReminded
        | WebhookCreated
        | WebhookChanged
        | NotificationsRead
        | AdoptionIngested
        | AdoptionRefused
        | AdoptionMappingChanged
        | ApiTokenIssued
        | ApiTokenRevoked
        | ApiTokenRefused
        | CheckpointSigned
        | EvidenceExported => Reach::Nothing,
        ApplicationCreated | ApplicationUpdated | ApplicationArchived | DeclarationSubmitted => {
            Reach::Application
        }
        ExceptionRequested | ExceptionApproved | ExceptionRejected | ExceptionWithdrawn
        | ExceptionRevoked | ExceptionExpired => Reach::Exception,
        CatalogueChanged | ApplicationsImported | EstateGenerated | PolicyChanged
        | FindingsRecomputed | FrameworksChanged => Reach::Everything,
    }
}

/// At most this many events are read to patch the estate; more, and it is loaded whole.
pub const MAX_EVENTS: u64 = 500;

/// What changed since the estate was loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub applications: HashSet<ApplicationId>,
    pub exceptions: HashSet<ExceptionId>,
}

impl Changed {
    pub fn is_empty(&self) -> bool {
        self.applications.is_empty() && self.exceptions.is_empty()
    }
}

/// The changes named by `events` (action, subject id), or `None` when the estate must be loaded
/// whole: an event that reaches everything, an action or subject this version cannot read, or
/// more events than [`MAX_EVENTS`].
pub fn changed<'a>(events: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Changed> {
    let mut out = Changed::default();
    for (n, (action, subject)) in events.into_iter().enumerate() {
        if n as u64 >= MAX_EVENTS {
            return None;
        }
        match reach(AuditAction::parse(action)?) {
            Reach::Nothing => {}
            Reach::Application => {
                out.applications.insert(subject.parse().ok()?);
            }
            Reach::Exception => {
                out.exceptions.insert(subject.parse().ok()?);
            }
            Reach::Everything => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "6f1c1a52-8f3e-4d7e-9a53-2a0d0c7f1b11";
    const EXC: &str = "0b7e5f7d-1d0a-4b8e-8a59-6a2f8e9c3d22";

    #[test]
    fn sign_ins_and_drafts_change_nothing_the_estate_holds() {
        let c = changed([
            ("signin.succeeded", "u1"),
            ("declaration.draft_saved", APP),
            ("passkey.renamed", "p"),
        ])
        .expect("patchable");
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn application_and_exception_events_name_what_to_compute_again() {
        let c = changed([
            ("application.updated", APP),
            ("declaration.submitted", APP),
            ("exception.approved", EXC),
        ])
        .expect("patchable");
        assert_eq!(c.applications.len(), 1);
        assert!(c.applications.contains(&APP.parse().unwrap()));
        assert!(c.exceptions.contains(&EXC.parse().unwrap()));
    }

    #[test]
    fn the_catalogue_the_policy_an_import_or_an_unknown_event_load_it_whole() {
        for action in [
            "catalogue.changed",
            "policy.changed",
            "applications.imported",
            "findings.recomputed",
            "estate.generated",
            "something.new",
        ] {
            assert_eq!(
                changed([("application.updated", APP), (action, "x")]),
                None,
                "{action}"
            );
        }
        assert_eq!(changed([("application.updated", "not-an-id")]), None);
    }

    #[test]
    fn too_many_events_load_it_whole() {
        let many = vec![("application.updated", APP); MAX_EVENTS as usize + 1];
        assert_eq!(changed(many.iter().copied()), None);
        let enough = vec![("application.updated", APP); MAX_EVENTS as usize];
        assert!(changed(enough.iter().copied()).is_some());
    }

    #[test]
    fn every_action_is_read_back_by_its_stored_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
    }
}
