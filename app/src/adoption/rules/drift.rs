//! Where what people really do drifts from what the application declared: a method completing
//! sign-ins that no population declares, a fallback used more than the primary methods it backs
//! up, and the password still carrying most sign-ins although every declared primary path is
//! passwordless. Drift is only ever measured against a declaration: with nothing declared there
//! is nothing to drift from (the page says "nothing declared"), and without a successful sign-in
//! there is nothing observed.

use super::figures::{PASSWORD, Totals, percent};
use crate::components::count;
use crate::journey::{JourneyRole, PopulationJourney};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The kinds of drift, in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// A method completes sign-ins but no population declares it in any role.
    UndeclaredMethod,
    /// A method declared only as a fallback completes more sign-ins than every declared primary
    /// method together.
    FallbackOverPrimary,
    /// Every declared primary path is passwordless, yet most sign-ins are by password.
    PasswordStillPrimary,
}

impl DriftKind {
    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::UndeclaredMethod => "Method in use but not declared",
            Self::FallbackOverPrimary => "Fallback used more than the primary methods",
            Self::PasswordStillPrimary => "Password still the main way in",
        }
    }
}

/// One drift between the declared journey and the observed one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub kind: DriftKind,
    /// The catalogue key of the method concerned.
    pub method: Option<String>,
    /// The method's successful sign-ins.
    pub detail_count: u64,
    /// Those sign-ins' share of all successful sign-ins (0 to 1).
    pub share: Option<f64>,
}

impl Drift {
    /// A sentence naming the method by its catalogue name (`name` turns a key into it):
    /// "SMS one-time code completed 1,204 sign-ins (12.0 %) but no population declares it."
    pub fn explain(&self, name: &dyn Fn(&str) -> String) -> String {
        let method = self
            .method
            .as_deref()
            .map_or_else(|| "A method".to_string(), name);
        let share = self
            .share
            .map(|s| format!(" ({})", percent(Some(s))))
            .unwrap_or_default();
        let done = format!(
            "completed {} sign-in{}{share}",
            count(self.detail_count),
            if self.detail_count == 1 { "" } else { "s" }
        );
        match self.kind {
            DriftKind::UndeclaredMethod => {
                format!("{method} {done} but no population declares it.")
            }
            DriftKind::FallbackOverPrimary => format!(
                "{method}, declared only as a fallback, {done}: more than all declared primary \
                 methods together."
            ),
            DriftKind::PasswordStillPrimary => {
                format!("{method} {done} although every declared primary path is passwordless.")
            }
        }
    }
}

/// Every method in some roles of every population, each factor of a combined path included.
fn declared_in<'a>(declared: &'a [PopulationJourney], roles: &[JourneyRole]) -> BTreeSet<&'a str> {
    declared
        .iter()
        .flat_map(|p| roles.iter().flat_map(move |r| p.paths(*r)))
        .flat_map(|path| path.factors())
        .map(String::as_str)
        .collect()
}

/// The drift between the populations' declared journeys and the observed totals, by kind and
/// then by sign-ins, most first. Nothing declared (`declared` empty) or no successful sign-in:
/// no drift. `passwordless` tells whether a catalogue key is a passwordless method.
pub fn drift(
    declared: &[PopulationJourney],
    observed: &Totals,
    passwordless: &dyn Fn(&str) -> bool,
) -> Vec<Drift> {
    let total = observed.sign_ins_succeeded();
    if declared.is_empty() || total == 0 {
        return Vec::new();
    }
    let share = |n: u64| Some(n as f64 / total as f64);
    let drift = |kind, method: &str, n: u64| Drift {
        kind,
        method: Some(method.to_string()),
        detail_count: n,
        share: share(n),
    };
    let used = observed
        .methods
        .iter()
        .map(|(key, m)| (key.as_str(), m.sign_ins_succeeded))
        .filter(|(_, n)| *n > 0);
    let mut out = Vec::new();

    // 1. Methods in use that no role of any population declares.
    let anywhere = declared_in(declared, JourneyRole::ALL);
    for (key, n) in used.clone().filter(|(k, _)| !anywhere.contains(k)) {
        out.push(drift(DriftKind::UndeclaredMethod, key, n));
    }

    // 2. A fallback-only method used more than every primary method together. Without a
    // declared primary there is nothing to fall back from, and so no comparison.
    let primary = declared_in(declared, &[JourneyRole::Primary]);
    let fallback = declared_in(declared, &[JourneyRole::Fallback]);
    if !primary.is_empty() {
        let by_primary: u64 = primary.iter().map(|k| observed.succeeded_with(k)).sum();
        for (key, n) in used.filter(|(k, _)| fallback.contains(k) && !primary.contains(k)) {
            if n > by_primary {
                out.push(drift(DriftKind::FallbackOverPrimary, key, n));
            }
        }
    }

    // 3. Every primary path passwordless, yet more than half of sign-ins by password.
    let mut primary_paths = declared.iter().flat_map(|p| &p.primary).peekable();
    let has_primary = primary_paths.peek().is_some();
    let all_passwordless =
        primary_paths.all(|path| path.factors().first().is_some_and(|m| passwordless(m)));
    let by_password = observed.succeeded_with(PASSWORD);
    if has_primary && all_passwordless && by_password * 2 > total {
        out.push(drift(
            DriftKind::PasswordStillPrimary,
            PASSWORD,
            by_password,
        ));
    }

    out.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.detail_count.cmp(&a.detail_count))
            .then(a.method.cmp(&b.method))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adoption::model::MethodCounts;
    use crate::journey::Path;

    fn passwordless(key: &str) -> bool {
        matches!(key, "platform_passkey" | "security_key" | "smart_card")
    }

    fn observed(sign_ins: &[(&str, u64)]) -> Totals {
        let mut t = Totals::default();
        for (key, n) in sign_ins {
            t.methods.insert(
                key.to_string(),
                MethodCounts {
                    sign_ins_succeeded: *n,
                    ..MethodCounts::new(*key)
                },
            );
        }
        t
    }

    fn journey(primary: &[Path], fallback: &[Path]) -> PopulationJourney {
        PopulationJourney {
            population: "office_employees".into(),
            primary: primary.to_vec(),
            fallback: fallback.to_vec(),
            ..PopulationJourney::default()
        }
    }

    fn passkey_with_app_fallback() -> Vec<PopulationJourney> {
        vec![journey(
            &[Path::single("platform_passkey")],
            &[Path::single("totp_app")],
        )]
    }

    fn kinds(d: &[Drift]) -> Vec<(DriftKind, &str, u64)> {
        d.iter()
            .map(|d| (d.kind, d.method.as_deref().unwrap_or(""), d.detail_count))
            .collect()
    }

    fn name(key: &str) -> String {
        match key {
            "sms_otp" => "SMS one-time code".into(),
            "totp_app" => "Authenticator app (TOTP)".into(),
            "password" => "Password".into(),
            other => other.into(),
        }
    }

    #[test]
    fn nothing_declared_or_nothing_observed_is_no_drift() {
        let t = observed(&[("password", 900), ("sms_otp", 100)]);
        assert!(drift(&[], &t, &passwordless).is_empty());
        let none = observed(&[("password", 0), ("sms_otp", 0)]);
        assert!(drift(&passkey_with_app_fallback(), &none, &passwordless).is_empty());
    }

    #[test]
    fn undeclared_methods_are_drift_largest_first() {
        // 8,796 + 1,204 + 500 + 0 = 10,500 sign-ins.
        let t = observed(&[
            ("platform_passkey", 8_796),
            ("sms_otp", 1_204),
            ("voice_call", 500),
            ("email_otp", 0),
        ]);
        let d = drift(&passkey_with_app_fallback(), &t, &passwordless);
        assert_eq!(
            kinds(&d),
            vec![
                (DriftKind::UndeclaredMethod, "sms_otp", 1_204),
                (DriftKind::UndeclaredMethod, "voice_call", 500),
            ]
        );
        let share = d[0].share.unwrap();
        assert!((share - 1_204.0 / 10_500.0).abs() < 1e-9);
        assert_eq!(
            d[0].explain(&name),
            "SMS one-time code completed 1,204 sign-ins (11.5 %) but no population declares it."
        );
    }

    #[test]
    fn a_method_declared_in_any_role_or_inside_a_combined_path_is_not_drift() {
        let mut j = journey(
            &[Path::single("platform_passkey")],
            &[Path::of(&["password", "totp_app"])],
        );
        j.recovery = vec![Path::single("helpdesk_verified")];
        let mut other = journey(&[Path::single("security_key")], &[]);
        other.step_up = vec![Path::single("smart_card")];
        let t = observed(&[
            ("platform_passkey", 500),
            ("password", 100),
            ("totp_app", 100),
            ("helpdesk_verified", 5),
            ("security_key", 50),
            ("smart_card", 5),
        ]);
        assert!(drift(&[j, other], &t, &passwordless).is_empty());
    }

    #[test]
    fn a_fallback_used_more_than_every_primary_is_drift() {
        // Primary: passkey 300 + security key 200 = 500; the app 501.
        let declared = vec![
            journey(
                &[Path::single("platform_passkey")],
                &[Path::single("totp_app")],
            ),
            journey(&[Path::single("security_key")], &[]),
        ];
        let t = observed(&[
            ("platform_passkey", 300),
            ("security_key", 200),
            ("totp_app", 501),
        ]);
        let d = drift(&declared, &t, &passwordless);
        assert_eq!(
            kinds(&d),
            vec![(DriftKind::FallbackOverPrimary, "totp_app", 501)]
        );
        assert_eq!(
            d[0].explain(&name),
            "Authenticator app (TOTP), declared only as a fallback, completed 501 sign-ins \
             (50.0 %): more than all declared primary methods together."
        );
    }

    #[test]
    fn a_fallback_used_less_or_as_much_as_the_primaries_is_not_drift() {
        let declared = passkey_with_app_fallback();
        let less = observed(&[("platform_passkey", 600), ("totp_app", 400)]);
        assert!(drift(&declared, &less, &passwordless).is_empty());
        let same = observed(&[("platform_passkey", 500), ("totp_app", 500)]);
        assert!(drift(&declared, &same, &passwordless).is_empty());
    }

    #[test]
    fn a_fallback_that_another_population_uses_as_primary_is_not_drift() {
        let declared = vec![
            journey(
                &[Path::single("platform_passkey")],
                &[Path::single("totp_app")],
            ),
            journey(&[Path::single("totp_app")], &[]),
        ];
        let t = observed(&[("platform_passkey", 100), ("totp_app", 900)]);
        assert!(drift(&declared, &t, &passwordless).is_empty());
    }

    #[test]
    fn password_over_half_with_passwordless_primaries_is_drift() {
        // 51 of 100 sign-ins by password; password is declared as a fallback.
        let declared = vec![journey(
            &[
                Path::single("platform_passkey"),
                Path::single("security_key"),
            ],
            &[Path::single("password")],
        )];
        let t = observed(&[
            ("platform_passkey", 30),
            ("security_key", 19),
            ("password", 51),
        ]);
        let d = drift(&declared, &t, &passwordless);
        // 51 > 30 + 19 = 49: the password is also a fallback used more than the primaries.
        assert_eq!(
            kinds(&d),
            vec![
                (DriftKind::FallbackOverPrimary, "password", 51),
                (DriftKind::PasswordStillPrimary, "password", 51),
            ]
        );
        assert_eq!(
            d[1].explain(&name),
            "Password completed 51 sign-ins (51.0 %) although every declared primary path is \
             passwordless."
        );
    }

    #[test]
    fn password_at_exactly_half_is_not_drift() {
        let declared = vec![journey(
            &[Path::single("platform_passkey")],
            &[Path::single("password")],
        )];
        let t = observed(&[("platform_passkey", 50), ("password", 50)]);
        assert!(drift(&declared, &t, &passwordless).is_empty());
    }

    #[test]
    fn password_is_not_drift_when_a_primary_path_starts_with_a_password() {
        let declared = vec![
            journey(&[Path::single("platform_passkey")], &[]),
            journey(&[Path::of(&["password", "totp_app"])], &[]),
        ];
        let t = observed(&[("platform_passkey", 10), ("password", 90), ("totp_app", 90)]);
        assert!(drift(&declared, &t, &passwordless).is_empty());
    }

    #[test]
    fn without_a_declared_primary_neither_fallback_nor_password_drift() {
        let declared = vec![journey(&[], &[Path::single("password")])];
        let t = observed(&[("password", 100)]);
        assert!(drift(&declared, &t, &passwordless).is_empty());
    }

    #[test]
    fn drift_is_ordered_by_kind_then_count() {
        let declared = vec![journey(
            &[Path::single("platform_passkey")],
            &[Path::single("password"), Path::single("totp_app")],
        )];
        // Primary 10; fallbacks password 600 and app 200; undeclared SMS 50 and voice 140.
        let t = observed(&[
            ("platform_passkey", 10),
            ("totp_app", 200),
            ("password", 600),
            ("sms_otp", 50),
            ("voice_call", 140),
        ]);
        assert_eq!(
            kinds(&drift(&declared, &t, &passwordless)),
            vec![
                (DriftKind::UndeclaredMethod, "voice_call", 140),
                (DriftKind::UndeclaredMethod, "sms_otp", 50),
                (DriftKind::FallbackOverPrimary, "password", 600),
                (DriftKind::FallbackOverPrimary, "totp_app", 200),
                (DriftKind::PasswordStillPrimary, "password", 600),
            ]
        );
    }

    #[test]
    fn one_sign_in_is_singular() {
        let d = Drift {
            kind: DriftKind::UndeclaredMethod,
            method: Some("sms_otp".into()),
            detail_count: 1,
            share: None,
        };
        assert_eq!(
            d.explain(&name),
            "SMS one-time code completed 1 sign-in but no population declares it."
        );
    }
}
