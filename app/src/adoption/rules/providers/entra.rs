//! Microsoft Entra sign-in logs as exported in JSON: the Microsoft Graph `signIn` resource, as a
//! JSON array of sign-ins (the admin center's download) or as a Graph page
//! `{"value": [...]}` (its `@odata.*` keys ignored).
//!
//! Of each sign-in only these fields are read: `createdDateTime` (when, in UTC), `appDisplayName`
//! (the application), `status.errorCode` (0: the sign-in succeeded) and, in
//! `authenticationDetails`, each step's `authenticationMethod` and `succeeded`. Everything else,
//! the person's name, id and address first, is read past.
//!
//! Which method a sign-in counts under: the steps that carry a method and whose method is not
//! set aside by the mapping table (Entra's "Previously satisfied", which means an earlier
//! sign-in's claim was reused and nothing was proved at this one) are the candidates. A
//! successful sign-in counts under the last candidate step that succeeded (password then push:
//! push); a failed one (`errorCode` other than 0) under the last candidate step that failed, the
//! step it failed at, or under the last candidate when no step failed (access refused after
//! every step passed). A sign-in with no candidate step (only "Previously satisfied", or no
//! steps at all: a token refreshed or single sign-on reused) is ignored, not counted.

use super::{AppRef, Effect, Mapping, Resolved, Tally, event_of, instant, json_of};
use crate::adoption::model::{Provider, RowProblem};
use serde::Deserialize;

use super::Aggregate;

/// The part of a `signIn` this module reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SignIn {
    created_date_time: Option<String>,
    app_display_name: Option<String>,
    status: Option<Status>,
    authentication_details: Option<Vec<Step>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Status {
    error_code: Option<i64>,
}

/// One step of `authenticationDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Step {
    authentication_method: Option<String>,
    succeeded: Option<bool>,
}

/// Adds up an Entra sign-in log export (see the module's documentation for what counts).
pub fn aggregate(
    bytes: &[u8],
    mapping: &Mapping,
    by_day: bool,
    declared_primaries: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Aggregate, RowProblem> {
    let sign_ins = match json_of(bytes)? {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut page) => match page.remove("value") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err(shape()),
        },
        _ => return Err(shape()),
    };
    let mut tally = Tally::new(Provider::Entra, mapping, by_day, declared_primaries);
    for (i, value) in sign_ins.into_iter().enumerate() {
        let row = i + 1;
        tally.read_one();
        let sign_in: SignIn = event_of(value, row, "sign-in")?;
        let at = instant(
            sign_in.created_date_time.as_deref().unwrap_or(""),
            row,
            "createdDateTime",
        )?;
        let Some(code) = sign_in.status.and_then(|s| s.error_code) else {
            return Err(RowProblem::new(
                row,
                "status",
                "the sign-in has no status.errorCode, so whether it succeeded is not known",
            ));
        };
        let succeeded = code == 0;
        let steps = sign_in.authentication_details.unwrap_or_default();
        let Some(method) = counted_method(&steps, succeeded, mapping) else {
            tally.ignore();
            continue;
        };
        let application = match sign_in.app_display_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => AppRef::Named(name),
            _ => AppRef::Missing { stand_in: None },
        };
        let period = tally.period(at);
        tally.record(period, application, method, Effect::SignIn { succeeded });
    }
    Ok(tally.finish())
}

/// The method a sign-in counts under, if any (see the module's documentation).
fn counted_method<'s>(steps: &'s [Step], succeeded: bool, mapping: &Mapping) -> Option<&'s str> {
    let candidates: Vec<(&str, Option<bool>)> = steps
        .iter()
        .filter_map(|s| {
            let method = s.authentication_method.as_deref()?.trim();
            (!method.is_empty() && mapping.method(Provider::Entra, method) != Resolved::Ignored)
                .then_some((method, s.succeeded))
        })
        .collect();
    candidates
        .iter()
        .rev()
        .find(|(_, ok)| *ok == Some(succeeded))
        .or(candidates.last())
        .map(|(method, _)| *method)
}

fn shape() -> RowProblem {
    RowProblem::new(
        0,
        "",
        "this is not an Entra sign-in log: expected a JSON array of sign-ins, or a Microsoft \
         Graph page with the sign-ins in \"value\"",
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Unmapped, aggregate as aggregate_any, default_mappings};
    use super::*;
    use crate::adoption::model::{NameKind, Period, PeriodFigures};

    const SIGN_INS: &str = include_str!("fixtures/entra_signins.json");
    const GRAPH_PAGE: &str = include_str!("fixtures/entra_graph_page.json");

    /// The people named in the fixtures, and their ids: none may come out.
    const PEOPLE: [&str; 10] = [
        "Ada Lovelace",
        "ada.lovelace",
        "Grace Hopper",
        "grace.hopper",
        "Alan Turing",
        "alan.turing",
        "Katherine Johnson",
        "katherine.johnson",
        "4d1f0a7e-0001",
        "198.51.100.",
    ];

    fn mapping() -> Mapping {
        let mut rows = default_mappings();
        rows.push(row(
            Provider::Entra,
            NameKind::Application,
            "Payroll (SAML)",
            "Payroll",
        ));
        rows.push(row(
            Provider::Entra,
            NameKind::Application,
            "Microsoft Authentication Broker",
            "",
        ));
        Mapping::new(&rows, portal_applications())
    }

    fn run(text: &str, by_day: bool) -> Result<Aggregate, RowProblem> {
        aggregate(text.as_bytes(), &mapping(), by_day, &declared)
    }

    #[test]
    fn sign_ins_add_up_by_application_month_and_method() {
        let a = run(SIGN_INS, false).unwrap();
        // 17 sign-ins: 11 counted; 3 ignored (only "Previously satisfied", no steps, an
        // application mapped to nothing); 3 set aside (Legacy CRM twice, "Authenticator App").
        assert_eq!(
            (a.events_read, a.events_counted, a.events_ignored),
            (17, 11, 3)
        );
        assert_eq!((a.events_unmapped, a.no_application), (3, 0));

        let nov = month(2026, 11);
        let dec = month(2026, 12);
        let apps: Vec<(&str, Period)> = a
            .figures
            .iter()
            .map(|f| (f.application.as_str(), f.period))
            .collect();
        assert_eq!(
            apps,
            vec![("Expenses Portal", nov), ("Payroll", nov), ("Payroll", dec)]
        );
        // Expenses Portal (no declaration: no fallbacks): #7 password then text message,
        // #8 device-bound passkey.
        let expenses = cell(&a, "Expenses Portal", nov);
        assert_eq!(
            expenses.methods,
            vec![
                m("security_key", (1, 0, 0, 0, 0)),
                m("sms_otp", (1, 0, 0, 0, 0)),
            ]
        );
        // Payroll, November: #1 and #16 (00:30 on 1 December at UTC+1 is still November in
        // UTC) Windows Hello; #2 password then push (a fallback), #3 push denied; #4 wrong
        // password; #9 security key followed by "Previously satisfied".
        let payroll = cell(&a, "Payroll", nov);
        assert_eq!(
            payroll.methods,
            vec![
                m("password", (0, 1, 0, 0, 0)),
                m("platform_passkey", (2, 0, 0, 0, 0)),
                m("push_number_matching", (1, 1, 1, 0, 0)),
                m("security_key", (1, 0, 0, 0, 0)),
            ]
        );
        assert_eq!(payroll.population, None);
        assert_eq!((payroll.users, payroll.tickets_total()), (0, 0));
        // Payroll, December: #10 password then OATH code, #11 Windows Hello, #15 TAP.
        assert_eq!(
            cell(&a, "Payroll", dec).methods,
            vec![
                m("platform_passkey", (1, 0, 0, 0, 0)),
                m("temporary_access_pass", (1, 0, 1, 0, 0)),
                m("totp_app", (1, 0, 1, 0, 0)),
            ]
        );
        assert_eq!(
            a.unmapped,
            vec![
                Unmapped {
                    kind: NameKind::Application,
                    external: "Legacy CRM".into(),
                    events: 2
                },
                Unmapped {
                    kind: NameKind::Method,
                    external: "Authenticator App".into(),
                    events: 1
                },
            ]
        );
    }

    #[test]
    fn by_day_splits_on_utc_days() {
        let a = run(SIGN_INS, true).unwrap();
        assert_eq!(a.events_counted, 11);
        let last_of_november = Period::Day {
            year: 2026,
            month: 11,
            day: 30,
        };
        // #9 at 23:59:59Z and #16 at 00:30+01:00 (23:30Z).
        assert_eq!(
            cell(&a, "Payroll", last_of_november).methods,
            vec![
                m("platform_passkey", (1, 0, 0, 0, 0)),
                m("security_key", (1, 0, 0, 0, 0)),
            ]
        );
        assert!(a.figures.iter().all(|f| f.period.is_day()));
        let total: u64 = a
            .figures
            .iter()
            .flat_map(|f| &f.methods)
            .map(|m| m.sign_ins_succeeded + m.sign_ins_failed)
            .sum();
        assert_eq!(total, 11);
    }

    #[test]
    fn no_person_comes_out() {
        for by_day in [false, true] {
            let text = format!("{:?}", run(SIGN_INS, by_day).unwrap());
            for who in PEOPLE {
                assert!(!text.contains(who), "{who} appears in {text}");
            }
        }
        assert!(
            SIGN_INS.contains("Ada Lovelace"),
            "the fixture names people"
        );
    }

    #[test]
    fn a_graph_page_is_read_like_an_array() {
        let a = aggregate_any(
            Provider::Entra,
            GRAPH_PAGE.as_bytes(),
            &mapping(),
            false,
            &declared,
        )
        .unwrap();
        // Three sign-ins: a passkey, a failed text message, a token refresh.
        assert_eq!(
            (a.events_read, a.events_counted, a.events_ignored),
            (3, 2, 1)
        );
        let mut expected = PeriodFigures::new("Payroll", month(2026, 10), None);
        expected.methods = vec![
            m("platform_passkey", (1, 0, 0, 0, 0)),
            m("sms_otp", (0, 1, 0, 0, 0)),
        ];
        assert_eq!(a.figures, vec![expected]);
        assert!(a.unmapped.is_empty());
        assert!(!format!("{a:?}").contains("Katherine"));
    }

    #[test]
    fn without_mapping_rows_names_are_reported_not_counted() {
        let m = Mapping::new(&[], portal_applications());
        let a = aggregate(SIGN_INS.as_bytes(), &m, false, &declared).unwrap();
        assert_eq!(a.events_counted, 0);
        // "Previously satisfied" is no longer set aside: #5 counts as unmapped, #9 counts
        // under it (its last successful step); only #6 (no steps) is ignored.
        assert_eq!((a.events_ignored, a.events_unmapped), (1, 16));
        let payroll_saml = a
            .unmapped
            .iter()
            .find(|u| u.external == "Payroll (SAML)")
            .unwrap();
        // Every sign-in but #6 (ignored), #7 and #8 (Expenses Portal is a portal name) and the
        // four of Legacy CRM and the broker.
        assert_eq!(payroll_saml.events, 11);
        assert!(a.unmapped.windows(2).all(|w| w[0].events >= w[1].events));
    }

    #[test]
    fn a_bad_date_is_a_problem_at_its_position() {
        let text = r#"[
            {"createdDateTime": "2026-11-03T08:00:00Z", "appDisplayName": "Payroll (SAML)",
             "userPrincipalName": "ada.lovelace@example.com", "status": {"errorCode": 0},
             "authenticationDetails": [{"authenticationMethod": "Password", "succeeded": true}]},
            {"createdDateTime": "03/11/2026 08:00", "appDisplayName": "Payroll (SAML)",
             "userPrincipalName": "ada.lovelace@example.com", "status": {"errorCode": 0},
             "authenticationDetails": [{"authenticationMethod": "Password", "succeeded": true}]}
        ]"#;
        let p = run(text, false).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (2, "createdDateTime"));
        assert!(!p.message.contains("ada"), "{p}");
        let missing = r#"[{"appDisplayName": "Payroll", "status": {"errorCode": 0}}]"#;
        assert_eq!(run(missing, false).unwrap_err().row, 1);
    }

    #[test]
    fn malformed_sign_ins_and_files_are_problems() {
        // Not JSON: the file itself.
        let p = run("[{\"createdDateTime\": \"2026-11-03T08:00:00Z\",", false).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (0, ""));
        assert!(p.message.contains("not valid JSON"), "{p}");
        // JSON of another shape: the file itself.
        for text in ["{\"signIns\": []}", "{\"value\": {}}", "\"hello\"", "42"] {
            let p = run(text, false).unwrap_err();
            assert_eq!(p.row, 0, "{text}: {p}");
        }
        // An entry that is not an object, or whose fields have the wrong type.
        let p = run("[1]", false).unwrap_err();
        assert_eq!(p.row, 1);
        let wrong = r#"[
            {"createdDateTime": "2026-11-03T08:00:00Z", "status": {"errorCode": 0}},
            {"createdDateTime": "2026-11-03T08:00:00Z", "status": {"errorCode": "none"}}
        ]"#;
        assert_eq!(run(wrong, false).unwrap_err().row, 2);
        // A sign-in without status.
        let p = run(r#"[{"createdDateTime": "2026-11-03T08:00:00Z"}]"#, false).unwrap_err();
        assert_eq!((p.row, p.field.as_str()), (1, "status"));
        // An empty export adds up to nothing.
        assert_eq!(run("[]", false).unwrap(), Aggregate::default());
        assert_eq!(run("{\"value\": []}", false).unwrap(), Aggregate::default());
    }

    #[test]
    fn the_counted_step_is_the_last_that_settled_the_outcome() {
        let m = mapping();
        let step = |method: &str, ok: Option<bool>| Step {
            authentication_method: Some(method.into()),
            succeeded: ok,
        };
        let steps = [
            step("Password", Some(true)),
            step("Mobile app notification", Some(false)),
            step("Text message", Some(true)),
            step("Previously satisfied", Some(true)),
        ];
        // Success: the last successful step that proved something.
        assert_eq!(counted_method(&steps, true, &m), Some("Text message"));
        // Failure: the step that failed.
        assert_eq!(
            counted_method(&steps, false, &m),
            Some("Mobile app notification")
        );
        // Refused after every step passed: the last step that proved something.
        assert_eq!(counted_method(&steps[..1], false, &m), Some("Password"));
        assert_eq!(counted_method(&steps[3..], true, &m), None);
        assert_eq!(counted_method(&[], true, &m), None);
        assert_eq!(counted_method(&[step("  ", Some(true))], true, &m), None);
    }
}
