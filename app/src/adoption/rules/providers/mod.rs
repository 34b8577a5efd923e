//! Identity-provider exports aggregated into counts on the way in: Microsoft Entra sign-in logs
//! (JSON, the Microsoft Graph `signIn` resource) and the Okta System Log (JSON `LogEvent`s).
//!
//! Each event is read, placed under a portal application, a catalogue method and a period (the
//! UTC month, or the UTC day), and added to that cell's counts; nothing about the person is kept.
//! The user names, ids and addresses in an export are read past: they are never copied into what
//! these functions return, not even in a problem's message.
//!
//! Names in an export reach the portal's names through the mapping table ([`Mapping`]): an
//! application through a mapping row or, failing that, a portal application of the same name; a
//! method only through a mapping row. A row whose portal name is empty sets a name aside on
//! purpose (Entra's "Previously satisfied"). An event whose application or method is not mapped
//! is not counted: it is tallied in [`Aggregate::unmapped`] so that the caller can ask an admin
//! to map the name (or refuse the file).
//!
//! Every event read ends up in exactly one of three tallies: counted, ignored (read past on
//! purpose: a token refresh, a name set aside, an event of a kind that is not counted) or set
//! aside for an unmapped or missing name.
//!
//! A successful sign-in whose method is not one of its application's declared primary methods
//! also counts as a fallback use of that method; an application with no declaration has no
//! fallbacks counted.

pub mod entra;
pub mod okta;

use crate::adoption::model::{
    MethodCounts, NameKind, NameMapping, Period, PeriodFigures, Provider, RowProblem,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What an external name stands for once looked up in the mapping table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The portal's name: an application's name as registered, or a catalogue method key.
    To(String),
    /// A row with an empty portal name: events under this name are read past on purpose.
    Ignored,
    /// No row (and, for an application, no portal application of that name).
    Unmapped,
}

/// The mapping table, ready for look-ups: provider names of applications and methods to the
/// portal's, case-insensitively on the external name.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    /// (provider, kind, external name in lower case) → portal name ("" = ignore).
    rows: HashMap<(Provider, NameKind, String), String>,
    /// Portal application names by their lower-case form.
    portal_applications: HashMap<String, String>,
}

impl Mapping {
    /// The table's rows and the portal's application names. When two rows give the same external
    /// name (in any case) for the same provider and kind, the first one counts.
    pub fn new(
        rows: &[NameMapping],
        portal_applications: impl IntoIterator<Item = String>,
    ) -> Self {
        let portal_applications: HashMap<String, String> = portal_applications
            .into_iter()
            .map(|name| (fold(&name), name.trim().to_string()))
            .collect();
        let mut map = HashMap::new();
        for row in rows {
            let external = fold(&row.external);
            if external.is_empty() {
                continue;
            }
            map.entry((row.provider, row.kind, external))
                .or_insert_with(|| row.portal.trim().to_string());
        }
        Self {
            rows: map,
            portal_applications,
        }
    }

    /// An application's name in an export: through a mapping row first, else a portal
    /// application of the same name (case does not matter), else unmapped. A row pointing at a
    /// portal application is written with the portal's own spelling of that name.
    pub fn application(&self, provider: Provider, external: &str) -> Resolved {
        let key = fold(external);
        if key.is_empty() {
            return Resolved::Unmapped;
        }
        match self
            .rows
            .get(&(provider, NameKind::Application, key.clone()))
        {
            Some(portal) if portal.is_empty() => Resolved::Ignored,
            Some(portal) => Resolved::To(
                self.portal_applications
                    .get(&fold(portal))
                    .cloned()
                    .unwrap_or_else(|| portal.clone()),
            ),
            None => match self.portal_applications.get(&key) {
                Some(name) => Resolved::To(name.clone()),
                None => Resolved::Unmapped,
            },
        }
    }

    /// A method's name in an export: only through a mapping row.
    pub fn method(&self, provider: Provider, external: &str) -> Resolved {
        let key = fold(external);
        if key.is_empty() {
            return Resolved::Unmapped;
        }
        match self.rows.get(&(provider, NameKind::Method, key)) {
            Some(portal) if portal.is_empty() => Resolved::Ignored,
            Some(portal) => Resolved::To(portal.clone()),
            None => Resolved::Unmapped,
        }
    }
}

/// A name compared without regard to case or surrounding spaces.
fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The documented method names of both providers mapped onto catalogue keys, so that the
/// mapping table starts useful. No applications: those are each organisation's own. Names whose
/// meaning the export does not settle (Entra's "Authenticator App", Okta's "Okta Verify" and
/// "Phone" authenticators, Okta's generic `token`) and Okta's security question, for which the
/// catalogue has no method, are left for the admin to map.
pub fn default_mappings() -> Vec<NameMapping> {
    let mut rows = Vec::new();
    let mut add = |provider: Provider, names: &[&str], portal: &str| {
        for name in names {
            rows.push(NameMapping {
                provider,
                kind: NameKind::Method,
                external: (*name).to_string(),
                portal: portal.to_string(),
            });
        }
    };

    // Microsoft Entra: `authenticationDetails[].authenticationMethod` as the sign-in logs write
    // it (the Graph reference lists Password, SMS, Voice, Authenticator App, Software OATH token,
    // Satisfied by token and Previously satisfied; the logs also show the longer names below).
    let e = Provider::Entra;
    add(e, &["Password"], "password");
    // Entra's device-bound passkey method is the former "FIDO2 security key" method: passkeys in
    // Windows Hello and in Microsoft Authenticator are logged under their own names, so what is
    // logged as a device-bound passkey is a roaming FIDO2 authenticator, i.e. a security key.
    add(
        e,
        &["FIDO2 security key", "Passkey (device-bound)"],
        "security_key",
    );
    // Windows Hello keys live in the computer's TPM; an Authenticator passkey is bound to the
    // phone's secure hardware and never leaves it: both are device-bound platform passkeys.
    add(
        e,
        &[
            "Windows Hello for Business",
            "Passkey (Microsoft Authenticator)",
        ],
        "platform_passkey",
    );
    add(e, &["Passkey (synced)"], "synced_passkey");
    // Microsoft enforces number matching for every Authenticator notification (since May 2023),
    // and passwordless phone sign-in always shows a number to choose.
    add(
        e,
        &[
            "Mobile app notification",
            "Microsoft Authenticator (passwordless)",
            "Passwordless phone sign-in",
        ],
        "push_number_matching",
    );
    // Entra logs software and hardware OATH codes under one name; most are app codes. A tenant
    // that issues hardware OATH tokens can point the name at hardware_otp.
    add(
        e,
        &["OATH verification code", "Software OATH token"],
        "totp_app",
    );
    add(e, &["Text message", "SMS"], "sms_otp");
    // Entra's phone call asks for a key press rather than reading out a code; voice_call is the
    // catalogue's phone-call method all the same.
    add(
        e,
        &[
            "Phone call approval (Authentication phone)",
            "Phone call approval (Alternate phone)",
            "Phone call approval (Office phone)",
            "Voice",
        ],
        "voice_call",
    );
    add(e, &["Temporary Access Pass"], "temporary_access_pass");
    // Certificate-based authentication: certificates on smart cards or PIV tokens in the main.
    add(
        e,
        &["X.509 Certificate", "Certificate-based authentication"],
        "smart_card",
    );
    add(e, &["Email OTP"], "email_link");
    // Claims carried over from an earlier sign-in: nothing was proved at this one.
    add(e, &["Previously satisfied", "Satisfied by token"], "");

    // Okta: the factor types the System Log writes in `debugContext.debugData` (`factor` or
    // `factorType`, e.g. `push`, `OKTA_VERIFY_PUSH`), and the factor and authenticator names of
    // the Admin Console that `target[]` entries carry.
    let o = Provider::Okta;
    add(o, &["Password", "OKTA_PASSWORD"], "password");
    // Okta writes roaming security keys and platform authenticators (Windows Hello, Touch ID)
    // under one WebAuthn factor; a security key is the usual enterprise case. An organisation
    // whose people mostly use built-in biometrics can point these names at platform_passkey.
    add(
        o,
        &[
            "fido_webauthn",
            "webauthn",
            "FIDO2 (WebAuthn)",
            "Security Key or Biometric",
            "fido_u2f",
            "Security Key (U2F)",
        ],
        "security_key",
    );
    // Okta FastPass: a key held in the device's secure hardware by Okta Verify, bound to it.
    add(
        o,
        &["signed_nonce", "Okta FastPass", "Okta Verify (FastPass)"],
        "platform_passkey",
    );
    // Okta Verify push shows a number challenge only where the admin requires one; by default
    // it is a plain approval. Where every push has a number challenge, point these names at
    // push_number_matching.
    add(
        o,
        &["push", "OKTA_VERIFY_PUSH", "Okta Verify Push"],
        "push_plain",
    );
    add(
        o,
        &[
            "token:software:totp",
            "OKTA_SOFT_TOKEN",
            "GOOGLE_OTP",
            "Google Authenticator",
            "Okta Verify TOTP",
        ],
        "totp_app",
    );
    add(
        o,
        &["token:hardware", "YubiKey", "YubiKey Authenticator"],
        "hardware_otp",
    );
    add(o, &["sms", "SMS Authentication"], "sms_otp");
    add(o, &["call", "Voice Call Authentication"], "voice_call");
    add(o, &["email", "Email Authentication"], "email_link");
    add(
        o,
        &["Smart Card IdP", "Smart Card Authenticator", "CERTIFICATE"],
        "smart_card",
    );
    rows
}

/// A name in an export that the mapping table does not resolve, with the number of events set
/// aside because of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmapped {
    pub kind: NameKind,
    /// The name as the export spells it (its first spelling, when it comes in several cases).
    pub external: String,
    pub events: usize,
}

/// What an export added up to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// One entry per (portal application, period), by application then period; no population,
    /// no active users, no tickets; methods by key.
    pub figures: Vec<PeriodFigures>,
    /// Events in the file.
    pub events_read: usize,
    /// Events added to `figures`.
    pub events_counted: usize,
    /// Events read past on purpose: token refreshes and other sign-ins where nothing was proved,
    /// names mapped to nothing, events of a kind or an outcome that is not counted.
    pub events_ignored: usize,
    /// Events set aside because their application or method is unmapped, or because they name
    /// no application and nothing stands in for one.
    /// `events_read = events_counted + events_ignored + events_unmapped`.
    pub events_unmapped: usize,
    /// Events of a kind that counts, with a method not set aside, that named no application.
    /// For Okta these are looked up under Okta's own dashboard, [`okta::OKTA_DASHBOARD`]: they
    /// count for the application it maps to, or are reported under that name as unmapped.
    /// For Entra (a sign-in without `appDisplayName`) they are set aside.
    pub no_application: usize,
    /// The names to map, by number of events (most first), then by name.
    pub unmapped: Vec<Unmapped>,
}

/// Reads one provider's export and adds it up. `declared_primaries(application)` gives the
/// declared primary method keys of a portal application (`None`: it declares none).
///
/// A file that is not JSON, or not of the provider's shape, is a problem at row 0; an event that
/// cannot be read (a date that does not parse, a field of the wrong type) is a problem at its
/// position in the file, from 1.
pub fn aggregate(
    provider: Provider,
    bytes: &[u8],
    mapping: &Mapping,
    by_day: bool,
    declared_primaries: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Aggregate, RowProblem> {
    match provider {
        Provider::Entra => entra::aggregate(bytes, mapping, by_day, declared_primaries),
        Provider::Okta => okta::aggregate(bytes, mapping, by_day, declared_primaries),
    }
}

/// What a counted event adds to its method's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    SignIn { succeeded: bool },
    Enrolment,
    Recovery,
}

/// The application an event names.
#[derive(Clone, Copy, Debug)]
enum AppRef<'s> {
    Named(&'s str),
    /// The event names none; `stand_in` is the name to look up instead, if the provider has one
    /// (Okta's own dashboard).
    Missing {
        stand_in: Option<&'s str>,
    },
}

/// The running totals of one export.
struct Tally<'a> {
    provider: Provider,
    mapping: &'a Mapping,
    by_day: bool,
    declared_primaries: &'a dyn Fn(&str) -> Option<Vec<String>>,
    /// Declarations already asked for, by portal application.
    primaries: HashMap<String, Option<Vec<String>>>,
    cells: BTreeMap<(String, Period), BTreeMap<String, MethodCounts>>,
    read: usize,
    counted: usize,
    ignored: usize,
    set_aside: usize,
    no_application: usize,
    /// (kind, folded name) → (first spelling, events).
    unmapped: HashMap<(NameKind, String), (String, usize)>,
}

impl<'a> Tally<'a> {
    fn new(
        provider: Provider,
        mapping: &'a Mapping,
        by_day: bool,
        declared_primaries: &'a dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Self {
        Self {
            provider,
            mapping,
            by_day,
            declared_primaries,
            primaries: HashMap::new(),
            cells: BTreeMap::new(),
            read: 0,
            counted: 0,
            ignored: 0,
            set_aside: 0,
            no_application: 0,
            unmapped: HashMap::new(),
        }
    }

    /// One more event read (call once per event, before deciding what it is).
    fn read_one(&mut self) {
        self.read += 1;
    }

    /// The event is read past on purpose.
    fn ignore(&mut self) {
        self.ignored += 1;
    }

    /// The event counts, if its names resolve.
    fn record(&mut self, at: Period, application: AppRef<'_>, method: &str, effect: Effect) {
        let method_key = match self.mapping.method(self.provider, method) {
            Resolved::Ignored => return self.ignore(),
            other => other,
        };
        let named = match application {
            AppRef::Named(name) => Some(name),
            AppRef::Missing { stand_in } => {
                self.no_application += 1;
                stand_in
            }
        };
        let app = match named.map(|a| self.mapping.application(self.provider, a)) {
            Some(Resolved::Ignored) => return self.ignore(),
            other => other,
        };
        let (app, method_key) = match (app, method_key) {
            (Some(Resolved::To(app)), Resolved::To(method_key)) => (app, method_key),
            (app, method_key) => {
                if let (Some(Resolved::Unmapped), Some(name)) = (&app, named) {
                    self.note_unmapped(NameKind::Application, name);
                }
                if method_key == Resolved::Unmapped {
                    self.note_unmapped(NameKind::Method, method);
                }
                self.set_aside += 1;
                return;
            }
        };
        let fallback = match effect {
            Effect::SignIn { succeeded: true } => !self.is_primary(&app, &method_key),
            _ => false,
        };
        let counts = self
            .cells
            .entry((app, at))
            .or_default()
            .entry(method_key.clone())
            .or_insert_with(|| MethodCounts::new(method_key));
        match effect {
            Effect::SignIn { succeeded: true } => counts.sign_ins_succeeded += 1,
            Effect::SignIn { succeeded: false } => counts.sign_ins_failed += 1,
            Effect::Enrolment => counts.enrolments += 1,
            Effect::Recovery => counts.recoveries += 1,
        }
        if fallback {
            counts.fallback_uses += 1;
        }
        self.counted += 1;
    }

    /// Whether `method` is one of the application's declared primaries; with no declaration,
    /// every method is taken as primary (no fallback is counted).
    fn is_primary(&mut self, application: &str, method: &str) -> bool {
        let declared = self.declared_primaries;
        let primaries = self
            .primaries
            .entry(application.to_string())
            .or_insert_with(|| declared(application));
        match primaries {
            None => true,
            Some(keys) => keys.iter().any(|k| k.trim() == method),
        }
    }

    fn note_unmapped(&mut self, kind: NameKind, name: &str) {
        let name = name.trim();
        self.unmapped
            .entry((kind, fold(name)))
            .or_insert_with(|| (name.to_string(), 0))
            .1 += 1;
    }

    /// The period an event's time falls in.
    fn period(&self, at: OffsetDateTime) -> Period {
        let (year, month, day) = (at.year(), u8::from(at.month()), at.day());
        if self.by_day {
            Period::Day { year, month, day }
        } else {
            Period::Month { year, month }
        }
    }

    fn finish(self) -> Aggregate {
        let figures = self
            .cells
            .into_iter()
            .map(|((application, period), methods)| {
                let mut f = PeriodFigures::new(application, period, None);
                f.methods = methods.into_values().collect();
                f
            })
            .collect();
        let mut unmapped: Vec<Unmapped> = self
            .unmapped
            .into_iter()
            .map(|((kind, _), (external, events))| Unmapped {
                kind,
                external,
                events,
            })
            .collect();
        unmapped.sort_by(|a, b| {
            b.events
                .cmp(&a.events)
                .then_with(|| fold(&a.external).cmp(&fold(&b.external)))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.external.cmp(&b.external))
        });
        Aggregate {
            figures,
            events_read: self.read,
            events_counted: self.counted,
            events_ignored: self.ignored,
            events_unmapped: self.set_aside,
            no_application: self.no_application,
            unmapped,
        }
    }
}

/// The file as text: UTF-8, a byte-order mark ignored.
fn text_of(bytes: &[u8]) -> Result<&str, RowProblem> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RowProblem::new(0, "", "the file is not UTF-8 text"))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The whole file as JSON.
fn json_of(bytes: &[u8]) -> Result<serde_json::Value, RowProblem> {
    serde_json::from_str(text_of(bytes)?).map_err(|e| {
        RowProblem::new(
            0,
            "",
            format!(
                "the file is not valid JSON (the first error is at line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// One event of the file read into its private shape; `what` names the event in a message
/// ("sign-in", "event").
fn event_of<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    row: usize,
    what: &str,
) -> Result<T, RowProblem> {
    if !value.is_object() {
        return Err(RowProblem::new(
            row,
            "",
            format!("this entry is not a {what} (a JSON object)"),
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| RowProblem::new(row, "", format!("this {what} cannot be read: {e}")))
}

/// A date and time such as `2026-11-05T08:15:30Z` (fractions of a second and an offset other
/// than Z are accepted), turned into UTC. Years 2000 to 2999, as for every period.
fn instant(text: &str, row: usize, field: &str) -> Result<OffsetDateTime, RowProblem> {
    let bad = || {
        RowProblem::new(
            row,
            field,
            format!(
                "\"{}\" is not a date and time such as 2026-11-05T08:15:30Z",
                text.chars().take(40).collect::<String>()
            ),
        )
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(RowProblem::new(row, field, "the date and time is missing"));
    }
    let at = OffsetDateTime::parse(t, &Rfc3339)
        .map_err(|_| bad())?
        .to_offset(time::UtcOffset::UTC);
    if !(2000..=2999).contains(&at.year()) {
        return Err(bad());
    }
    Ok(at)
}

/// Fixtures shared by the providers' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// The portal applications the fixtures name.
    pub fn portal_applications() -> Vec<String> {
        ["Payroll", "Expenses Portal", "Identity Portal"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    pub fn row(provider: Provider, kind: NameKind, external: &str, portal: &str) -> NameMapping {
        NameMapping {
            provider,
            kind,
            external: external.into(),
            portal: portal.into(),
        }
    }

    /// Payroll declares passkeys and security keys as its primaries; the others declare none.
    pub fn declared(application: &str) -> Option<Vec<String>> {
        (application == "Payroll")
            .then(|| vec!["platform_passkey".to_string(), "security_key".to_string()])
    }

    /// The counts of one method, written compactly:
    /// (key, succeeded, failed, fallback uses, recoveries, enrolments).
    pub fn m(key: &str, counts: (u64, u64, u64, u64, u64)) -> MethodCounts {
        MethodCounts {
            method: key.into(),
            sign_ins_succeeded: counts.0,
            sign_ins_failed: counts.1,
            fallback_uses: counts.2,
            recoveries: counts.3,
            enrolments: counts.4,
        }
    }

    pub fn month(year: i32, month: u8) -> Period {
        Period::Month { year, month }
    }

    /// The figures of one application and period.
    pub fn cell<'a>(a: &'a Aggregate, application: &str, period: Period) -> &'a PeriodFigures {
        a.figures
            .iter()
            .find(|f| f.application == application && f.period == period)
            .unwrap_or_else(|| panic!("no figures for {application} {period}"))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn applications_resolve_through_rows_then_portal_names() {
        let rows = vec![
            row(
                Provider::Entra,
                NameKind::Application,
                "Payroll (SAML)",
                "payroll",
            ),
            row(Provider::Entra, NameKind::Application, "Broker", ""),
            row(
                Provider::Okta,
                NameKind::Application,
                "Expenses Portal",
                "Payroll",
            ),
        ];
        let m = Mapping::new(&rows, portal_applications());
        // A row, case-insensitive on the external name; written with the portal's spelling.
        assert_eq!(
            m.application(Provider::Entra, "  PAYROLL (saml) "),
            Resolved::To("Payroll".into())
        );
        assert_eq!(m.application(Provider::Entra, "broker"), Resolved::Ignored);
        // The same name as a portal application.
        assert_eq!(
            m.application(Provider::Entra, "expenses portal"),
            Resolved::To("Expenses Portal".into())
        );
        // A row wins over a portal application of the same name, for its provider only.
        assert_eq!(
            m.application(Provider::Okta, "Expenses Portal"),
            Resolved::To("Payroll".into())
        );
        assert_eq!(m.application(Provider::Okta, "Broker"), Resolved::Unmapped);
        assert_eq!(m.application(Provider::Entra, "CRM"), Resolved::Unmapped);
        assert_eq!(m.application(Provider::Entra, "  "), Resolved::Unmapped);
    }

    #[test]
    fn methods_resolve_only_through_rows_and_the_first_row_counts() {
        let rows = vec![
            row(Provider::Entra, NameKind::Method, "Text message", "sms_otp"),
            row(
                Provider::Entra,
                NameKind::Method,
                "TEXT MESSAGE",
                "voice_call",
            ),
            row(
                Provider::Entra,
                NameKind::Method,
                "Previously satisfied",
                " ",
            ),
        ];
        // A portal application called like a method does not make it a method.
        let m = Mapping::new(&rows, vec!["password".to_string()]);
        assert_eq!(
            m.method(Provider::Entra, "text MESSAGE"),
            Resolved::To("sms_otp".into())
        );
        assert_eq!(
            m.method(Provider::Entra, "Previously satisfied"),
            Resolved::Ignored
        );
        assert_eq!(m.method(Provider::Entra, "password"), Resolved::Unmapped);
        assert_eq!(m.method(Provider::Okta, "Text message"), Resolved::Unmapped);
    }

    #[test]
    fn default_mappings_point_at_catalogue_keys() {
        const KEYS: [&str; 18] = [
            "smart_card",
            "security_key",
            "platform_passkey",
            "synced_passkey",
            "federated_idp",
            "push_number_matching",
            "totp_app",
            "hardware_otp",
            "push_plain",
            "temporary_access_pass",
            "helpdesk_proofing",
            "recovery_codes",
            "sms_otp",
            "voice_call",
            "email_link",
            "manager_attestation",
            "password",
            "helpdesk_kba",
        ];
        let rows = default_mappings();
        for r in &rows {
            assert_eq!(r.kind, NameKind::Method, "{r:?}");
            assert!(
                r.portal.is_empty() || KEYS.contains(&r.portal.as_str()),
                "{r:?} is not a catalogue key"
            );
        }
        let m = Mapping::new(&rows, Vec::new());
        let entra = |n: &str| m.method(Provider::Entra, n);
        let okta = |n: &str| m.method(Provider::Okta, n);
        let to = |k: &str| Resolved::To(k.into());
        assert_eq!(entra("Password"), to("password"));
        assert_eq!(entra("Windows Hello for Business"), to("platform_passkey"));
        assert_eq!(entra("Passkey (device-bound)"), to("security_key"));
        assert_eq!(entra("FIDO2 security key"), to("security_key"));
        assert_eq!(entra("Mobile app notification"), to("push_number_matching"));
        assert_eq!(entra("OATH verification code"), to("totp_app"));
        assert_eq!(entra("Text message"), to("sms_otp"));
        assert_eq!(entra("Temporary Access Pass"), to("temporary_access_pass"));
        assert_eq!(entra("X.509 Certificate"), to("smart_card"));
        assert_eq!(entra("Previously satisfied"), Resolved::Ignored);
        assert_eq!(entra("Authenticator App"), Resolved::Unmapped);
        assert_eq!(okta("FIDO2 (WebAuthn)"), to("security_key"));
        assert_eq!(okta("OKTA_VERIFY_PUSH"), to("push_plain"));
        assert_eq!(okta("signed_nonce"), to("platform_passkey"));
        assert_eq!(okta("Google Authenticator"), to("totp_app"));
        assert_eq!(okta("question"), Resolved::Unmapped);
        // One row per (provider, name), whatever the case.
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            assert!(seen.insert((r.provider, fold(&r.external))), "{r:?} twice");
        }
    }

    #[test]
    fn instants_are_read_in_utc_and_checked() {
        let at = instant("2026-12-01T00:30:00+01:00", 3, "createdDateTime").unwrap();
        assert_eq!((at.year(), u8::from(at.month()), at.day()), (2026, 11, 30));
        let at = instant("2026-11-05T08:15:30.1234567Z", 3, "createdDateTime").unwrap();
        assert_eq!(at.day(), 5);
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-05",
            "1999-12-31T23:00:00Z",
        ] {
            let p = instant(bad, 3, "createdDateTime").unwrap_err();
            assert_eq!((p.row, p.field.as_str()), (3, "createdDateTime"), "{bad:?}");
        }
    }

    #[test]
    fn files_that_are_not_json_are_a_problem_at_row_zero() {
        let m = Mapping::new(&default_mappings(), portal_applications());
        for provider in [Provider::Entra, Provider::Okta] {
            for bytes in [&b"[{\"createdDateTime\": "[..], b"\xff\xfe[]", b""] {
                let p = aggregate(provider, bytes, &m, false, &declared).unwrap_err();
                assert_eq!(p.row, 0, "{provider:?} {bytes:?}: {p}");
            }
        }
    }
}
