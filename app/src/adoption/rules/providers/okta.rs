//! The Okta System Log: a JSON array of `LogEvent`s, as the System Log API returns them (or an
//! export of them).
//!
//! Of each event only these fields are read: `eventType`, `published` (when, in UTC),
//! `outcome.result`, `target[]` (the `AppInstance`'s `displayName`, the factor named by an
//! `AuthenticatorEnrollment` or `Authenticator` entry, and a `User` entry's `id`, compared then
//! dropped), `actor.id` (likewise), `authenticationContext.credentialType` and
//! `debugContext.debugData` (`factor`, `factorType`). Everything else is read past.
//!
//! What counts, by event type (decided from Okta's event catalogue and System Log articles):
//! - Sign-ins: `user.authentication.auth_via_mfa` (a factor satisfied multifactor
//!   authentication) and `user.authentication.verify` (Identity Engine: a person proved an
//!   authenticator, a password or Okta FastPass included), under the factor they name, with
//!   outcome `SUCCESS` as succeeded and `FAILURE` or `DENY` as failed. Other outcomes
//!   (`CHALLENGE`: a challenge sent and not yet answered, whose answer is its own event;
//!   `UNKNOWN`, `SKIPPED`, `ALLOW`…) are ignored. Okta writes one event per factor proved and
//!   nothing that reliably ties the steps of one sign-in together, so each verification counts
//!   as one sign-in under its own factor: a password then a push is one password sign-in and
//!   one push sign-in (unlike Entra, where such a sign-in counts under the push alone).
//! - Not counted: `user.authentication.sso` (the hand-off to an application after the factors
//!   were proved: counting it too would count each sign-in twice, and it rarely names a factor),
//!   `user.session.start` (the session that follows), and every other event type.
//! - Enrolments: `user.mfa.factor.activate` (a person enrolled a factor).
//! - Recoveries: `user.account.reset_password` (a password reset, counted under the factor the
//!   event names, else under "Password"), `user.mfa.factor.reset_all` (Classic Engine: an
//!   admin reset a person's factors, one event per factor) and `user.mfa.factor.deactivate`
//!   when someone other than the person did it (Identity Engine writes an admin's factor reset
//!   this way; a person removing their own factor is not a recovery and is ignored).
//!   Enrolments and recoveries count when their outcome is `SUCCESS` (or absent).
//!
//! The factor an event names is, in this order: `debugData.factor`, `debugData.factorType`, the
//! `displayName` of its `AuthenticatorEnrollment` or `Authenticator` target, its
//! `authenticationContext.credentialType`. An event that would count but names no factor is
//! ignored. An event without an `AppInstance` target is placed under Okta's own dashboard,
//! [`OKTA_DASHBOARD`]: counted for the portal application that name maps to, else reported as
//! unmapped (and tallied in [`Aggregate::no_application`] either way).

use super::{Aggregate, AppRef, Effect, Mapping, Tally, event_of, instant, json_of};
use crate::adoption::model::{Provider, RowProblem};
use serde::Deserialize;

/// The name under which events that name no application are looked up in the mapping table:
/// Okta's own end-user dashboard, where a person signs in to Okta itself.
pub const OKTA_DASHBOARD: &str = "Okta Dashboard";

/// The part of a `LogEvent` this module reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct LogEvent {
    event_type: Option<String>,
    published: Option<String>,
    outcome: Option<Outcome>,
    actor: Option<Party>,
    target: Option<Vec<Party>>,
    authentication_context: Option<AuthenticationContext>,
    debug_context: Option<DebugContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Outcome {
    result: Option<String>,
}

/// An actor or a target: only its type, its id (compared, never kept) and, for an application
/// or a factor, its display name.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Party {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    display_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AuthenticationContext {
    credential_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DebugContext {
    debug_data: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What an event is to the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    SignIn,
    Enrolment,
    Recovery,
    /// `user.mfa.factor.deactivate`: a recovery when someone else did it.
    Deactivation,
    Other,
}

fn kind_of(event_type: &str) -> Kind {
    match event_type.trim() {
        "user.authentication.auth_via_mfa" | "user.authentication.verify" => Kind::SignIn,
        "user.mfa.factor.activate" => Kind::Enrolment,
        "user.account.reset_password" | "user.mfa.factor.reset_all" => Kind::Recovery,
        "user.mfa.factor.deactivate" => Kind::Deactivation,
        _ => Kind::Other,
    }
}

/// Adds up an Okta System Log export (see the module's documentation for what counts).
pub fn aggregate(
    bytes: &[u8],
    mapping: &Mapping,
    by_day: bool,
    declared_primaries: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Aggregate, RowProblem> {
    let serde_json::Value::Array(events) = json_of(bytes)? else {
        return Err(RowProblem::new(
            0,
            "",
            "this is not an Okta System Log: expected a JSON array of System Log events",
        ));
    };
    let mut tally = Tally::new(Provider::Okta, mapping, by_day, declared_primaries);
    for (i, value) in events.into_iter().enumerate() {
        let row = i + 1;
        tally.read_one();
        let event: LogEvent = event_of(value, row, "event")?;
        let at = instant(event.published.as_deref().unwrap_or(""), row, "published")?;
        let result = event
            .outcome
            .as_ref()
            .and_then(|o| o.result.as_deref())
            .map(|r| r.trim().to_ascii_uppercase());
        let effect = match (
            kind_of(event.event_type.as_deref().unwrap_or("")),
            result.as_deref(),
        ) {
            (Kind::SignIn, Some("SUCCESS")) => Some(Effect::SignIn { succeeded: true }),
            (Kind::SignIn, Some("FAILURE" | "DENY")) => Some(Effect::SignIn { succeeded: false }),
            (Kind::Enrolment, Some("SUCCESS") | None) => Some(Effect::Enrolment),
            (Kind::Recovery, Some("SUCCESS") | None) => Some(Effect::Recovery),
            (Kind::Deactivation, Some("SUCCESS") | None) if by_someone_else(&event) => {
                Some(Effect::Recovery)
            }
            _ => None,
        };
        let Some(effect) = effect else {
            tally.ignore();
            continue;
        };
        let password_reset =
            event.event_type.as_deref().map(str::trim) == Some("user.account.reset_password");
        let factor = match factor_of(&event) {
            Some(factor) => factor,
            None if password_reset => "Password",
            None => {
                tally.ignore();
                continue;
            }
        };
        let application = match application_of(&event) {
            Some(name) => AppRef::Named(name),
            None => AppRef::Missing {
                stand_in: Some(OKTA_DASHBOARD),
            },
        };
        let period = tally.period(at);
        tally.record(period, application, factor, effect);
    }
    Ok(tally.finish())
}

/// The factor an event names (see the module's documentation for the order).
fn factor_of(event: &LogEvent) -> Option<&str> {
    let debug = event
        .debug_context
        .as_ref()
        .and_then(|d| d.debug_data.as_ref());
    let from_debug = |key: &str| {
        debug
            .and_then(|d| d.get(key))
            .and_then(|v| v.as_str())
            .and_then(non_empty)
    };
    from_debug("factor")
        .or_else(|| from_debug("factorType"))
        .or_else(|| {
            targets(event)
                .filter(|t| {
                    matches!(
                        t.kind.as_deref().map(str::trim),
                        Some("AuthenticatorEnrollment" | "Authenticator")
                    )
                })
                .find_map(|t| t.display_name.as_deref().and_then(non_empty))
        })
        .or_else(|| {
            event
                .authentication_context
                .as_ref()
                .and_then(|c| c.credential_type.as_deref())
                .and_then(non_empty)
        })
}

/// The text trimmed, if anything is left.
fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// The display name of the event's `AppInstance` target, if it has one.
fn application_of(event: &LogEvent) -> Option<&str> {
    targets(event)
        .filter(|t| t.kind.as_deref().map(str::trim) == Some("AppInstance"))
        .find_map(|t| t.display_name.as_deref().and_then(non_empty))
}

/// Whether the person a factor event is about (its `User` target) is not the one who acted.
/// Without both ids this is not known, and the event is not taken as a recovery.
fn by_someone_else(event: &LogEvent) -> bool {
    let Some(actor) = event
        .actor
        .as_ref()
        .and_then(|a| a.id.as_deref())
        .map(str::trim)
        .filter(|id| !id.is_empty())
    else {
        return false;
    };
    let mut users = targets(event)
        .filter(|t| t.kind.as_deref().map(str::trim) == Some("User"))
        .filter_map(|t| t.id.as_deref().map(str::trim))
        .filter(|id| !id.is_empty())
        .peekable();
    users.peek().is_some() && users.all(|id| id != actor)
}

fn targets(event: &LogEvent) -> impl Iterator<Item = &Party> {
    event.target.iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Unmapped, aggregate as aggregate_any, default_mappings};
    use super::*;
    use crate::adoption::model::{NameKind, NameMapping, Period};

    const SYSTEM_LOG: &str = include_str!("fixtures/okta_system_log.json");

    /// The people named in the fixture, their ids and addresses: none may come out.
    const PEOPLE: [&str; 10] = [
        "Ada Lovelace",
        "ada.lovelace",
        "Grace Hopper",
        "grace.hopper",
        "Alan Turing",
        "alan.turing",
        "00u1ada",
        "00u1grace",
        "00u1alan",
        "203.0.113.",
    ];

    fn rows(with_dashboard: bool) -> Vec<NameMapping> {
        let mut rows = default_mappings();
        rows.push(row(
            Provider::Okta,
            NameKind::Application,
            "Payroll SAML",
            "Payroll",
        ));
        if with_dashboard {
            rows.push(row(
                Provider::Okta,
                NameKind::Application,
                OKTA_DASHBOARD,
                "Identity Portal",
            ));
        }
        rows
    }

    fn run(text: &str, with_dashboard: bool) -> Result<Aggregate, RowProblem> {
        let mapping = Mapping::new(&rows(with_dashboard), portal_applications());
        aggregate_any(Provider::Okta, text.as_bytes(), &mapping, false, &declared)
    }

    #[test]
    fn events_add_up_by_application_month_and_factor() {
        let a = run(SYSTEM_LOG, true).unwrap();
        // 20 events: 12 counted; 6 ignored (#6 a challenge, #7 sso, #8 session start, #13 a
        // person removing their own factor, #18 no factor named, #19 a failed enrolment);
        // 2 set aside (#15 Legacy CRM, #16 a security question).
        assert_eq!(
            (
                a.events_read,
                a.events_counted,
                a.events_ignored,
                a.events_unmapped
            ),
            (20, 12, 6, 2)
        );
        // #9 #10 #11 #12 #14 #20 name no application: Okta's dashboard, mapped here.
        assert_eq!(a.no_application, 6);

        let nov = month(2026, 11);
        let dec = month(2026, 12);
        let cells: Vec<(&str, Period)> = a
            .figures
            .iter()
            .map(|f| (f.application.as_str(), f.period))
            .collect();
        assert_eq!(
            cells,
            vec![
                ("Expenses Portal", nov),
                ("Identity Portal", nov),
                ("Identity Portal", dec),
                ("Payroll", nov),
                ("Payroll", dec),
            ]
        );
        // #5 a password verified for Expenses Portal (a portal name, no declaration).
        assert_eq!(
            cell(&a, "Expenses Portal", nov).methods,
            vec![m("password", (1, 0, 0, 0, 0))]
        );
        // #9 WebAuthn and #10 Google Authenticator enrolled; #11 a password reset.
        assert_eq!(
            cell(&a, "Identity Portal", nov).methods,
            vec![
                m("password", (0, 0, 0, 1, 0)),
                m("security_key", (0, 0, 0, 0, 1)),
                m("totp_app", (0, 0, 0, 0, 1)),
            ]
        );
        // #20 FastPass with no application; #12 an admin deactivating a push factor; #14 a
        // Classic Engine reset of Okta Verify's codes. No declaration: no fallback.
        assert_eq!(
            cell(&a, "Identity Portal", dec).methods,
            vec![
                m("platform_passkey", (1, 0, 0, 0, 0)),
                m("push_plain", (0, 0, 0, 1, 0)),
                m("totp_app", (0, 0, 0, 1, 0)),
            ]
        );
        // #1 push approved (not a Payroll primary: a fallback), #2 push failed, #3 security
        // key, #4 FastPass denied.
        assert_eq!(
            cell(&a, "Payroll", nov).methods,
            vec![
                m("platform_passkey", (0, 1, 0, 0, 0)),
                m("push_plain", (1, 1, 1, 0, 0)),
                m("security_key", (1, 0, 0, 0, 0)),
            ]
        );
        // #17 SMS, a fallback.
        assert_eq!(
            cell(&a, "Payroll", dec).methods,
            vec![m("sms_otp", (1, 0, 1, 0, 0))]
        );
        assert_eq!(
            a.unmapped,
            vec![
                Unmapped {
                    kind: NameKind::Application,
                    external: "Legacy CRM".into(),
                    events: 1
                },
                Unmapped {
                    kind: NameKind::Method,
                    external: "question".into(),
                    events: 1
                },
            ]
        );
    }

    #[test]
    fn events_without_an_application_are_reported_when_the_dashboard_is_unmapped() {
        let a = run(SYSTEM_LOG, false).unwrap();
        assert_eq!(
            (
                a.events_read,
                a.events_counted,
                a.events_ignored,
                a.events_unmapped
            ),
            (20, 6, 6, 8)
        );
        assert_eq!(a.no_application, 6);
        assert_eq!(
            a.unmapped[0],
            Unmapped {
                kind: NameKind::Application,
                external: OKTA_DASHBOARD.into(),
                events: 6
            }
        );
        assert!(a.figures.iter().all(|f| f.application != "Identity Portal"));
        // What did count is unchanged.
        let with = run(SYSTEM_LOG, true).unwrap();
        let payroll = |a: &Aggregate| {
            a.figures
                .iter()
                .filter(|f| f.application == "Payroll")
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(payroll(&a), payroll(&with));
    }

    #[test]
    fn no_person_comes_out() {
        for with_dashboard in [false, true] {
            let text = format!("{:?}", run(SYSTEM_LOG, with_dashboard).unwrap());
            for who in PEOPLE {
                assert!(!text.contains(who), "{who} appears in {text}");
            }
        }
        assert!(
            SYSTEM_LOG.contains("Grace Hopper"),
            "the fixture names people"
        );
    }

    #[test]
    fn by_day_splits_on_utc_days() {
        let mapping = Mapping::new(&rows(true), portal_applications());
        let a = aggregate(SYSTEM_LOG.as_bytes(), &mapping, true, &declared).unwrap();
        assert_eq!(a.events_counted, 12);
        // #1 and #2 on 2 November.
        let day = Period::Day {
            year: 2026,
            month: 11,
            day: 2,
        };
        assert_eq!(
            cell(&a, "Payroll", day).methods,
            vec![m("push_plain", (1, 1, 1, 0, 0))]
        );
        // #12 at 00:05 on 1 December UTC (published with a Z).
        let first = Period::Day {
            year: 2026,
            month: 12,
            day: 1,
        };
        assert_eq!(
            cell(&a, "Identity Portal", first).methods,
            vec![m("push_plain", (0, 0, 0, 1, 0))]
        );
    }

    #[test]
    fn a_bad_date_is_a_problem_at_its_position() {
        let text = r#"[
            {"eventType": "user.session.start", "published": "2026-11-02T08:00:00.000Z",
             "actor": {"id": "00u1ada", "type": "User", "displayName": "Ada Lovelace"},
             "outcome": {"result": "SUCCESS"}},
            {"eventType": "user.authentication.auth_via_mfa", "published": "2 Nov 2026",
             "actor": {"id": "00u1ada", "type": "User", "displayName": "Ada Lovelace"},
             "outcome": {"result": "SUCCESS"}, "debugContext": {"debugData": {"factor": "sms"}}}
        ]"#;
        let p = run(text, true).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (2, "published"));
        assert!(!p.message.contains("Ada"), "{p}");
        let p = run(r#"[{"eventType": "user.session.start"}]"#, true).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (1, "published"));
    }

    #[test]
    fn malformed_events_and_files_are_problems() {
        let p = run("[{\"eventType\": \"user.authentication.verify\"", true).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (0, ""));
        assert!(p.message.contains("not valid JSON"), "{p}");
        // A Graph-style page is not an Okta export.
        for text in ["{\"value\": []}", "null", "\"log\""] {
            assert_eq!(run(text, true).unwrap_err().row, 0, "{text}");
        }
        let text = r#"[
            {"eventType": "user.session.start", "published": "2026-11-02T08:00:00.000Z"},
            "user.authentication.verify"
        ]"#;
        assert_eq!(run(text, true).unwrap_err().row, 2);
        let text = r#"[{"eventType": "user.session.start", "published": "2026-11-02T08:00:00Z",
                        "target": {"type": "AppInstance"}}]"#;
        assert_eq!(run(text, true).unwrap_err().row, 1);
        assert_eq!(run("[]", true).unwrap(), Aggregate::default());
    }

    #[test]
    fn factors_and_event_kinds() {
        let event: LogEvent = serde_json::from_str(
            r#"{"target": [{"type": "AuthenticatorEnrollment", "displayName": "Okta Verify"}],
                "authenticationContext": {"credentialType": "OTP"},
                "debugContext": {"debugData": {"factorType": " token:software:totp "}}}"#,
        )
        .unwrap();
        assert_eq!(factor_of(&event), Some("token:software:totp"));
        let event: LogEvent = serde_json::from_str(
            r#"{"target": [{"type": "User", "displayName": "Someone"},
                           {"type": "AuthenticatorEnrollment", "displayName": "Okta Verify"}],
                "authenticationContext": {"credentialType": "OTP"}}"#,
        )
        .unwrap();
        assert_eq!(factor_of(&event), Some("Okta Verify"));
        assert_eq!(application_of(&event), None);
        let event: LogEvent =
            serde_json::from_str(r#"{"authenticationContext": {"credentialType": "PASSWORD"}}"#)
                .unwrap();
        assert_eq!(factor_of(&event), Some("PASSWORD"));
        assert_eq!(factor_of(&LogEvent::default()), None);

        assert_eq!(kind_of("user.authentication.auth_via_mfa"), Kind::SignIn);
        assert_eq!(kind_of("user.authentication.verify"), Kind::SignIn);
        assert_eq!(kind_of("user.authentication.sso"), Kind::Other);
        assert_eq!(kind_of("user.mfa.factor.activate"), Kind::Enrolment);
        assert_eq!(kind_of("user.mfa.factor.reset_all"), Kind::Recovery);
        assert_eq!(kind_of("user.mfa.factor.deactivate"), Kind::Deactivation);

        let deactivation = |actor: &str, user: &str| -> LogEvent {
            serde_json::from_value(serde_json::json!({
                "actor": {"id": actor, "type": "User"},
                "target": [{"id": user, "type": "User"}]
            }))
            .unwrap()
        };
        assert!(by_someone_else(&deactivation("00uadmin", "00uperson")));
        assert!(!by_someone_else(&deactivation("00uperson", "00uperson")));
        assert!(!by_someone_else(&deactivation("", "00uperson")));
        assert!(!by_someone_else(&LogEvent::default()));
    }
}
