//! Pure rules of the standard policy: the shipped default, validation.

use super::model::{
    Criticality, CriticalityForm, CriticalityRules, JourneyFields, JourneyRole, Policy, PolicyForm,
    Severity, part,
};
use crate::error::AppError;
use crate::journey::{
    DeviceRequirements, Offboarding, Path, Platform, PlatformSupport, PopulationJourney,
    SessionRules, paths_from_text,
};
use std::collections::{BTreeMap, BTreeSet};

/// Session limits are whole minutes: 1 minute to 30 days (as declarations).
pub use crate::journey::MAX_SESSION_MINUTES;
/// The longest drill age and review interval a policy may set: ten years.
pub const MAX_INTERVAL_DAYS: u32 = 3_650;
/// The longest exception a policy may allow: two years.
pub const MAX_EXCEPTION_DAYS: u32 = 730;
pub const MAX_RENEWALS: u32 = 10;

/// The policy the portal ships with (`migrations/src/policy_v1.json`): the standard journeys of
/// the shipped populations, AAL3 and phishing resistance for critical applications, no SMS or
/// voice anywhere, never knowledge questions.
pub fn shipped() -> Policy {
    serde_json::from_str(include_str!("../../../migrations/src/policy_v1.json"))
        .expect("the shipped policy document is valid JSON of a Policy")
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
    AppError::validation(field, message)
}

/// Checks a policy however it arrived (the editor, an import, the shipped file) against the
/// catalogue's keys; returns it with its `never` and `allowed` lists sorted and deduplicated.
/// Rule keys in `severity` are the findings feature's to check (it sits above this one).
pub fn validate(
    policy: &Policy,
    known_methods: &BTreeSet<String>,
    known_populations: &BTreeSet<String>,
) -> Result<Policy, AppError> {
    for c in Criticality::ALL {
        let field = |part: &str| format!("crit[{}][{part}]", c.as_str());
        let Some(r) = policy.by_criticality.get(c) else {
            return Err(invalid(
                format!("crit[{}]", c.as_str()),
                format!(
                    "Set the requirements for {} applications.",
                    c.label().to_lowercase()
                ),
            ));
        };
        if !(1..=3).contains(&r.min_aal) {
            return Err(invalid(
                field("min_aal"),
                "The minimum assurance level is 1, 2 or 3.",
            ));
        }
        for (part, v) in [
            ("max_session_minutes", r.max_session_minutes),
            ("max_idle_minutes", r.max_idle_minutes),
        ] {
            if !(1..=MAX_SESSION_MINUTES).contains(&v) {
                return Err(invalid(
                    field(part),
                    format!("Enter whole minutes from 1 to {MAX_SESSION_MINUTES}."),
                ));
            }
        }
        if r.max_idle_minutes > r.max_session_minutes {
            return Err(invalid(
                field("max_idle_minutes"),
                "The idle timeout cannot be longer than the maximum session.",
            ));
        }
        for (part, v) in [
            ("max_drill_age_days", r.max_drill_age_days),
            ("review_interval_days", r.review_interval_days),
        ] {
            if !(1..=MAX_INTERVAL_DAYS).contains(&v) {
                return Err(invalid(
                    field(part),
                    format!("Enter whole days from 1 to {MAX_INTERVAL_DAYS}."),
                ));
            }
        }
    }

    let known = |m: &String| known_methods.contains(m);
    for m in &policy.never {
        if !known(m) {
            return Err(invalid("never", format!("Unknown method “{m}”.")));
        }
    }
    let mut populations = BTreeSet::new();
    for j in &policy.standard {
        let at = format!("standard[{}]", j.population);
        if !known_populations.contains(&j.population) {
            return Err(invalid(
                at,
                format!("Unknown population “{}”.", j.population),
            ));
        }
        if !populations.insert(&j.population) {
            return Err(invalid(at, "This population has two standard journeys."));
        }
        journey(j, &at, policy, known_methods)?;
    }
    journey(
        &policy.default_journey,
        "default_journey",
        policy,
        known_methods,
    )?;
    for (role, methods) in &policy.allowed {
        if let Some(m) = methods.iter().find(|m| !known(m)) {
            return Err(invalid(
                format!("allowed[{}]", role.as_str()),
                format!("Unknown method “{m}”."),
            ));
        }
    }

    let limits = &policy.exceptions;
    let mut previous: Option<(Severity, u32)> = None;
    for s in Severity::ALL {
        let field = format!("exceptions[max_days][{}]", s.as_str());
        let Some(&days) = limits.max_days.get(s) else {
            return Err(invalid(
                field,
                format!(
                    "Set the longest exception for {} findings.",
                    s.label().to_lowercase()
                ),
            ));
        };
        if !(1..=MAX_EXCEPTION_DAYS).contains(&days) {
            return Err(invalid(
                field,
                format!("Enter whole days from 1 to {MAX_EXCEPTION_DAYS}."),
            ));
        }
        if let Some((worse, worse_days)) = previous
            && worse_days > days
        {
            return Err(invalid(
                format!("exceptions[max_days][{}]", worse.as_str()),
                format!(
                    "An exception for a {} finding cannot last longer than one for a {} finding \
                     ({days} days).",
                    worse.label().to_lowercase(),
                    s.label().to_lowercase()
                ),
            ));
        }
        previous = Some((*s, days));
    }
    if limits.renewal_cap > MAX_RENEWALS {
        return Err(invalid(
            "exceptions[renewal_cap]",
            format!("Allow at most {MAX_RENEWALS} renewals."),
        ));
    }
    let days = &limits.reminder_days;
    if days.contains(&0) || days.windows(2).any(|w| w[0] <= w[1]) {
        return Err(invalid(
            "exceptions[reminder_days]",
            "List reminder days before expiry from the earliest, each positive and fewer than \
             the one before (e.g. 30, 7, 1).",
        ));
    }

    let mut normalised = policy.clone();
    normalised.never.sort();
    normalised.never.dedup();
    for methods in normalised.allowed.values_mut() {
        methods.sort();
        methods.dedup();
    }
    Ok(normalised)
}

/// A standard journey: known methods, none the policy never accepts, no empty path nor a path
/// twice in a role, a primary path, sound session rules.
fn journey(
    j: &PopulationJourney,
    at: &str,
    policy: &Policy,
    known_methods: &BTreeSet<String>,
) -> Result<(), AppError> {
    for role in JourneyRole::ALL.iter().copied() {
        let field = format!("{at}[{}]", role.as_str());
        let mut seen: BTreeSet<&Path> = BTreeSet::new();
        for path in j.paths(role) {
            if path.factors().is_empty() {
                return Err(invalid(field, "A path needs at least one method."));
            }
            if !seen.insert(path) {
                return Err(invalid(field, "This path is listed twice."));
            }
            for m in path.factors() {
                if !known_methods.contains(m) {
                    return Err(invalid(field, format!("Unknown method “{m}”.")));
                }
                if policy.never.contains(m) {
                    return Err(invalid(
                        "never",
                        format!(
                            "“{m}” is in the standard journey, so it cannot be never accepted."
                        ),
                    ));
                }
            }
        }
    }
    if j.primary.is_empty() {
        return Err(invalid(
            format!("{at}[primary]"),
            "A standard journey needs at least one primary path.",
        ));
    }
    if let Some((part, message)) = j.session.as_ref().and_then(|s| s.problem()) {
        return Err(invalid(format!("{at}[{part}]"), message));
    }
    if let Some((platform, message)) = j.devices.as_ref().and_then(|d| d.problem()) {
        let part = match platform {
            Some(p) => part::version(p),
            None => part::BYOD.to_string(),
        };
        return Err(invalid(format!("{at}[{part}]"), message));
    }
    Ok(())
}

/// A whole number typed in `field`.
fn number(field: String, raw: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse::<u32>()
        .map_err(|_| invalid(field, "Enter a whole number."))
}

/// Reads one standard journey from the editor's fields (see [`JourneyFields`]); `at` names its
/// fields (`standard[contractors]`). Numbers are checked where they were typed; methods and
/// session limits by `validate`.
pub fn journey_from_fields(
    population: &str,
    f: &JourneyFields,
    at: &str,
) -> Result<PopulationJourney, AppError> {
    let text = |name: &str| f.get(name).map(|v| v.trim()).unwrap_or("");
    let flag = |name: &str| f.contains_key(name);
    let mut j = PopulationJourney {
        population: population.to_string(),
        ..PopulationJourney::default()
    };
    for role in JourneyRole::ALL {
        *j.paths_mut(*role) = paths_from_text(text(role.as_str()));
    }
    j.offboarding = match text(part::OFFBOARDING) {
        "" => None,
        o => Some(Offboarding::parse(o).ok_or_else(|| {
            invalid(
                format!("{at}[{}]", part::OFFBOARDING),
                "Choose how credentials are revoked.",
            )
        })?),
    };
    j.session = match (text(part::MAX_SESSION), text(part::IDLE)) {
        ("", "") => None,
        (max, idle) => Some(SessionRules {
            max_session_minutes: number(format!("{at}[{}]", part::MAX_SESSION), max)?,
            idle_timeout_minutes: number(format!("{at}[{}]", part::IDLE), idle)?,
            reauth_sensitive: flag(part::REAUTH),
        }),
    };
    let platforms: Vec<PlatformSupport> = Platform::ALL
        .iter()
        .filter(|p| flag(&part::platform(**p)))
        .map(|p| PlatformSupport {
            platform: *p,
            min_version: text(&part::version(*p)).to_string(),
        })
        .collect();
    let devices = DeviceRequirements {
        platforms,
        managed_required: flag(part::MANAGED),
        byod_allowed: flag(part::BYOD),
        shared_workstation: flag(part::SHARED),
    };
    j.devices = (devices != DeviceRequirements::default()).then_some(devices);
    Ok(j)
}

/// Reads the editor's form into a policy; every number is checked where it was typed. The result
/// still goes through `validate`.
pub fn from_form(form: &PolicyForm, base: &Policy) -> Result<Policy, AppError> {
    let mut policy = base.clone();
    policy.default_journey = journey_from_fields("", &form.default_journey, "default_journey")?;
    // Populations keep their place in the policy; one that takes its own journey comes last.
    let mut order: Vec<&String> = base.standard.iter().map(|j| &j.population).collect();
    order.extend(
        form.standard
            .keys()
            .filter(|k| !base.standard.iter().any(|j| &j.population == *k)),
    );
    policy.standard = order
        .into_iter()
        .filter_map(|population| {
            let f = form.standard.get(population)?;
            f.contains_key(part::OWN)
                .then(|| journey_from_fields(population, f, &format!("standard[{population}]")))
        })
        .collect::<Result<_, _>>()?;
    for c in Criticality::ALL {
        let key = c.as_str();
        let empty = CriticalityForm::default();
        let f = form.crit.get(key).unwrap_or(&empty);
        let field = |part: &str| format!("crit[{key}][{part}]");
        let rules = CriticalityRules {
            min_aal: number(field("min_aal"), &f.min_aal)?
                .try_into()
                .map_err(|_| {
                    invalid(
                        field("min_aal"),
                        "The minimum assurance level is 1, 2 or 3.",
                    )
                })?,
            phishing_resistant_primary: f.phishing_resistant_primary.is_some(),
            phishing_resistant_step_up: f.phishing_resistant_step_up.is_some(),
            max_session_minutes: number(field("max_session_minutes"), &f.max_session_minutes)?,
            max_idle_minutes: number(field("max_idle_minutes"), &f.max_idle_minutes)?,
            reauth_sensitive: f.reauth_sensitive.is_some(),
            break_glass_required: f.break_glass_required.is_some(),
            max_drill_age_days: number(field("max_drill_age_days"), &f.max_drill_age_days)?,
            review_interval_days: number(field("review_interval_days"), &f.review_interval_days)?,
        };
        policy.by_criticality.insert(*c, rules);
    }
    policy.allowed = JourneyRole::ALL
        .iter()
        .filter_map(|role| {
            let ms: Vec<String> = form
                .allowed
                .get(role.as_str())
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            (!ms.is_empty()).then_some((*role, ms))
        })
        .collect();
    policy.never = form.never.keys().cloned().collect();
    let mut max_days = BTreeMap::new();
    for s in Severity::ALL {
        let field = format!("exceptions[max_days][{}]", s.as_str());
        let raw = form
            .exceptions
            .max_days
            .get(s.as_str())
            .map(String::as_str)
            .unwrap_or("");
        max_days.insert(*s, number(field, raw)?);
    }
    policy.exceptions.max_days = max_days;
    policy.exceptions.renewal_cap = number(
        "exceptions[renewal_cap]".into(),
        &form.exceptions.renewal_cap,
    )?;
    policy.exceptions.reminder_days = form
        .exceptions
        .reminder_days
        .split([',', ' '])
        .filter(|d| !d.trim().is_empty())
        .map(|d| number("exceptions[reminder_days]".into(), d))
        .collect::<Result<_, _>>()?;
    let mut severity = BTreeMap::new();
    for (rule, v) in &form.severity {
        match v.trim() {
            "" => {}
            v => {
                let s = Severity::parse(v).ok_or_else(|| {
                    invalid(
                        format!("severity[{rule}]"),
                        "Choose a severity or the default.",
                    )
                })?;
                severity.insert(rule.clone(), s);
            }
        }
    }
    policy.severity = severity;
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POPULATIONS: [&str; 7] = [
        "office_employees",
        "frontline_shift",
        "contractors",
        "partners",
        "privileged_admins",
        "shared_workstation",
        "byod_remote",
    ];

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    fn methods() -> BTreeSet<String> {
        set(crate::catalogue::model::SHIPPED_METHODS)
    }

    fn check(p: &Policy) -> Result<Policy, AppError> {
        validate(p, &methods(), &set(&POPULATIONS))
    }

    #[track_caller]
    fn refused(change: impl FnOnce(&mut Policy), field: &str) {
        let mut p = shipped();
        change(&mut p);
        let err = check(&p).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err:?}");
        assert!(!err.to_string().is_empty());
    }

    #[test]
    fn the_shipped_policy_parses_and_validates() {
        let p = shipped();
        assert_eq!(check(&p).unwrap(), p, "already normalised");
        assert_eq!(p.for_criticality(Criticality::Critical).min_aal, 3);
        assert!(
            p.for_criticality(Criticality::Critical)
                .break_glass_required
        );
        assert!(!p.for_criticality(Criticality::High).break_glass_required);
        assert_eq!(p.never, vec!["helpdesk_kba".to_string()]);
        assert_eq!(p.exceptions.reminder_days, vec![30, 7, 1]);
        assert_eq!(p.exceptions.max_days[&Severity::Critical], 30);
    }

    #[test]
    fn the_shipped_standard_covers_every_population_within_the_critical_limits() {
        let p = shipped();
        let critical = p.for_criticality(Criticality::Critical);
        assert_eq!(p.standard.len(), POPULATIONS.len());
        for pop in POPULATIONS {
            let standard = p.standard_for(pop);
            assert_eq!(standard.population, pop);
            let session = standard.session.clone().unwrap();
            assert!(
                session.idle_timeout_minutes <= critical.max_idle_minutes,
                "{pop}"
            );
            assert!(
                session.max_session_minutes <= critical.max_session_minutes,
                "{pop}"
            );
            assert!(session.reauth_sensitive, "{pop}");
        }
        assert!(p.default_journey.population.is_empty());
    }

    #[test]
    fn sms_voice_and_knowledge_questions_are_nowhere_in_the_shipped_policy() {
        let p = shipped();
        for bad in ["sms_otp", "voice_call", "helpdesk_kba", "password"] {
            for j in p.standard.iter().chain([&p.default_journey]) {
                for role in JourneyRole::ALL {
                    assert!(!j.paths(*role).iter().any(|x| x.contains(bad)), "{bad}");
                }
            }
            for (role, allowed) in &p.allowed {
                assert!(!allowed.iter().any(|m| m == bad), "{bad} in {role}");
            }
        }
    }

    #[test]
    fn every_criticality_needs_its_requirements() {
        refused(
            |p| {
                p.by_criticality.remove(&Criticality::High);
            },
            "crit[high]",
        );
    }

    #[test]
    fn criticality_values_are_checked_next_to_their_field() {
        fn rules(p: &mut Policy, c: Criticality) -> &mut CriticalityRules {
            p.by_criticality.get_mut(&c).unwrap()
        }
        refused(
            |p| rules(p, Criticality::Critical).min_aal = 4,
            "crit[critical][min_aal]",
        );
        refused(
            |p| rules(p, Criticality::Low).min_aal = 0,
            "crit[low][min_aal]",
        );
        refused(
            |p| {
                let r = rules(p, Criticality::Medium);
                r.max_idle_minutes = r.max_session_minutes + 1;
            },
            "crit[medium][max_idle_minutes]",
        );
        refused(
            |p| rules(p, Criticality::High).max_session_minutes = MAX_SESSION_MINUTES + 1,
            "crit[high][max_session_minutes]",
        );
        refused(
            |p| rules(p, Criticality::High).max_session_minutes = 0,
            "crit[high][max_session_minutes]",
        );
        refused(
            |p| rules(p, Criticality::Critical).review_interval_days = 0,
            "crit[critical][review_interval_days]",
        );
    }

    #[test]
    fn the_standard_uses_known_keys_only() {
        refused(
            |p| p.standard[0].primary.push(Path::single("carrier_pigeon")),
            "standard[office_employees][primary]",
        );
        refused(
            |p| p.standard[1].population = "martians".into(),
            "standard[martians]",
        );
        refused(
            |p| p.standard[1].population = "office_employees".into(),
            "standard[office_employees]",
        );
        refused(
            |p| {
                p.default_journey
                    .fallback
                    .push(Path::single("carrier_pigeon"))
            },
            "default_journey[fallback]",
        );
        refused(
            |p| p.standard[2].primary.clear(),
            "standard[contractors][primary]",
        );
        refused(
            |p| p.standard[0].recovery.push(Path::default()),
            "standard[office_employees][recovery]",
        );
        refused(
            |p| {
                p.allowed
                    .entry(JourneyRole::Fallback)
                    .or_default()
                    .push("carrier_pigeon".into())
            },
            "allowed[fallback]",
        );
        refused(|p| p.never.push("carrier_pigeon".into()), "never");
    }

    #[test]
    fn a_method_cannot_be_standard_and_never_accepted() {
        refused(|p| p.never.push("security_key".into()), "never");
    }

    #[test]
    fn standard_session_rules_must_be_sound() {
        refused(
            |p| {
                let s = p.standard[0].session.as_mut().unwrap();
                s.idle_timeout_minutes = s.max_session_minutes + 1;
            },
            "standard[office_employees][idle_timeout_minutes]",
        );
    }

    #[test]
    fn exception_limits_are_checked() {
        refused(
            |p| {
                p.exceptions.max_days.remove(&Severity::Medium);
            },
            "exceptions[max_days][medium]",
        );
        refused(
            |p| {
                p.exceptions.max_days.insert(Severity::Low, 731);
            },
            "exceptions[max_days][low]",
        );
        refused(
            |p| {
                p.exceptions.max_days.insert(Severity::High, 200);
            },
            "exceptions[max_days][high]",
        );
        refused(
            |p| {
                p.exceptions.max_days.insert(Severity::Critical, 0);
            },
            "exceptions[max_days][critical]",
        );
        refused(|p| p.exceptions.renewal_cap = 11, "exceptions[renewal_cap]");
        refused(
            |p| p.exceptions.reminder_days = vec![7, 30, 1],
            "exceptions[reminder_days]",
        );
        refused(
            |p| p.exceptions.reminder_days = vec![30, 7, 7],
            "exceptions[reminder_days]",
        );
        refused(
            |p| p.exceptions.reminder_days = vec![30, 0],
            "exceptions[reminder_days]",
        );
    }

    #[test]
    fn equal_exception_limits_and_no_reminders_are_fine() {
        let mut p = shipped();
        for s in Severity::ALL {
            p.exceptions.max_days.insert(*s, 90);
        }
        p.exceptions.reminder_days.clear();
        assert!(check(&p).is_ok());
    }

    #[test]
    fn validation_sorts_and_deduplicates_the_lists() {
        let mut p = shipped();
        p.never = vec!["password".into(), "helpdesk_kba".into(), "password".into()];
        p.allowed.insert(
            JourneyRole::StepUp,
            vec![
                "smart_card".into(),
                "security_key".into(),
                "smart_card".into(),
            ],
        );
        let v = check(&p).unwrap();
        assert_eq!(
            v.never,
            vec!["helpdesk_kba".to_string(), "password".to_string()]
        );
        assert_eq!(
            v.allowed[&JourneyRole::StepUp],
            vec!["security_key".to_string(), "smart_card".to_string()]
        );
    }

    #[test]
    fn the_editor_form_round_trips_a_policy_and_names_bad_fields() {
        let p = shipped();
        let form = PolicyForm::of(&p);
        let mut blank = p.clone();
        blank.standard.clear();
        blank.default_journey = PopulationJourney::default();
        let mut sorted = p.clone();
        sorted
            .standard
            .sort_by(|a, b| a.population.cmp(&b.population));
        assert_eq!(
            from_form(&form, &blank).unwrap(),
            sorted,
            "the form carries the whole policy, standard journeys included"
        );
        let pairs = form.to_pairs();
        let back = PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, form, "the preview's address carries the whole form");
        let mut bad = form.clone();
        bad.crit.get_mut("high").unwrap().max_idle_minutes = "ten".into();
        assert_eq!(
            from_form(&bad, &p).unwrap_err().field(),
            Some("crit[high][max_idle_minutes]")
        );
        let mut bad = form.clone();
        bad.severity.insert("weakest_link".into(), "dire".into());
        assert_eq!(
            from_form(&bad, &p).unwrap_err().field(),
            Some("severity[weakest_link]")
        );
        let mut stricter = form;
        stricter.crit.get_mut("medium").unwrap().min_aal = "3".into();
        stricter.never.insert("sms_otp".into(), "on".into());
        let q = from_form(&stricter, &p).unwrap();
        assert_eq!(q.by_criticality[&Criticality::Medium].min_aal, 3);
        assert!(q.never.contains(&"sms_otp".to_string()));
        assert_eq!(
            q.standard, p.standard,
            "untouched journeys stay as they were"
        );
    }

    #[test]
    fn standard_journeys_are_edited_in_the_form() {
        let mut p = shipped();
        let taken = p.standard.pop().unwrap().population;
        let mut form = PolicyForm::of(&p);
        let own = p.standard[0].population.clone();
        // A combined path typed loosely, a population that gives up its own journey, and one
        // that takes one.
        let f = form.standard.get_mut(&own).unwrap();
        f.insert(
            "fallback".into(),
            " security_key ;password + totp_app;; ".into(),
        );
        f.insert(part::OFFBOARDING.into(), "manual".into());
        f.insert(part::BYOD.into(), "on".into());
        f.remove(part::MANAGED);
        f.insert(part::platform(Platform::Ios), "on".into());
        f.insert(part::version(Platform::Ios), "17.4".into());
        let given_up = p.standard[1].population.clone();
        form.standard.get_mut(&given_up).unwrap().remove(part::OWN);
        let mut fields = JourneyFields::new();
        fields.insert(part::OWN.into(), "on".into());
        fields.insert("primary".into(), "smart_card".into());
        fields.insert(part::MAX_SESSION.into(), "60".into());
        fields.insert(part::IDLE.into(), "15".into());
        form.standard.insert(taken.clone(), fields);
        form.default_journey
            .insert("step_up".into(), "security_key; platform_passkey".into());

        let q = check(&from_form(&form, &p).unwrap()).unwrap();
        let edited = q.standard_for(&own);
        assert_eq!(
            edited.fallback,
            vec![
                Path::single("security_key"),
                Path::of(&["password", "totp_app"])
            ]
        );
        assert_eq!(edited.offboarding, Some(Offboarding::Manual));
        let devices = edited.devices.unwrap();
        assert!(devices.byod_allowed && !devices.managed_required);
        assert!(
            devices
                .platforms
                .iter()
                .any(|s| s.platform == Platform::Ios && s.min_version == "17.4")
        );
        assert!(!q.standard.iter().any(|j| j.population == given_up));
        assert_eq!(
            q.standard_for(&given_up).primary,
            q.default_journey.primary,
            "a population without its own journey follows the default"
        );
        let new = q.standard_for(&taken);
        assert_eq!(new.primary, vec![Path::single("smart_card")]);
        assert_eq!(new.session.unwrap().idle_timeout_minutes, 15);
        assert_eq!(
            q.default_journey.step_up,
            vec![
                Path::single("security_key"),
                Path::single("platform_passkey")
            ]
        );
        let pairs = form.to_pairs();
        let back = PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, form, "the preview's address carries the journeys");

        // Each problem is named at its field.
        let field_of = |change: &dyn Fn(&mut PolicyForm)| {
            let mut bad = form.clone();
            change(&mut bad);
            from_form(&bad, &p)
                .and_then(|q| check(&q))
                .unwrap_err()
                .field()
                .map(str::to_string)
        };
        let at = |part: &str| Some(format!("standard[{own}][{part}]"));
        let set = |part: &'static str, v: &'static str| {
            let own = own.clone();
            move |f: &mut PolicyForm| {
                f.standard
                    .get_mut(&own)
                    .unwrap()
                    .insert(part.into(), v.into());
            }
        };
        assert_eq!(field_of(&set("fallback", "password+owl")), at("fallback"));
        assert_eq!(field_of(&set("primary", " ; ")), at("primary"));
        assert_eq!(field_of(&set(part::IDLE, "soon")), at(part::IDLE));
        assert_eq!(
            field_of(&set(part::OFFBOARDING, "never")),
            at(part::OFFBOARDING)
        );
        assert_eq!(field_of(&set(part::MANAGED, "on")), at(part::BYOD));
        assert_eq!(
            field_of(&set("version_ios", "seventeen")),
            at("version_ios")
        );
        assert_eq!(
            field_of(&|f| {
                f.default_journey.insert("primary".into(), String::new());
            }),
            Some("default_journey[primary]".to_string())
        );
    }
}
