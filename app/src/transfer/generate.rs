//! A deterministic generator of realistic estates, for demonstrations and benchmarks: the same
//! seed and size give the same records (and, with [`SplitMix64::uuid`], the same ids) on every
//! machine, because the random numbers come from a small generator written here rather than from
//! a crate whose algorithm could change. Pure: the catalogue comes in as a parameter.

use super::model::ApplicationRecord;
use crate::declarations::facade::{Known, default_journey};
use crate::declarations::model::{
    BreakGlass, Declaration, DeviceRequirements, JourneyRole, Offboarding, Path, Platform,
    PlatformSupport, PopulationJourney, SessionRules,
};
use crate::policy::model::Policy;
use crate::registry::facade::name_key;
use crate::registry::model::{Criticality, Integration, Lifecycle};
use std::collections::BTreeSet;

pub use crate::random::SplitMix64;

/// The stream ids are drawn from, separate from the content's so that ids never shift content.
pub fn id_stream(seed: u64) -> SplitMix64 {
    SplitMix64::new(seed ^ 0x5EED_01D5_0000_0001)
}

const BUSINESS_UNITS: &[(&str, usize)] = &[
    ("Finance", 10),
    ("Human Resources", 8),
    ("Sales", 12),
    ("Marketing", 7),
    ("Operations", 14),
    ("Engineering", 12),
    ("Customer Service", 9),
    ("Legal and Compliance", 4),
    ("Supply Chain", 8),
    ("Information Technology", 10),
    ("Research and Development", 6),
    ("Facilities", 3),
];

const IDENTITY_PROVIDERS: &[&str] = &[
    "Corporate Identity Provider",
    "Partner Identity Gateway",
    "Workforce Identity Cloud",
];

const PREFIXES: &[&str] = &[
    "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris",
    "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quartz", "Redwood",
    "Summit", "Titan", "Unity", "Vector", "Willow", "Zenith", "Apex", "Bridge", "Cedar", "Drift",
    "Echo", "Fjord", "Glacier", "Helix", "Indigo", "Jade", "Kestrel", "Lotus", "Mosaic", "Nova",
    "Onyx", "Prism",
];

const NOUNS: &[&str] = &[
    "Payroll",
    "CRM",
    "Expenses",
    "Travel",
    "Procurement",
    "Ledger",
    "Invoicing",
    "Recruiting",
    "Learning",
    "Timesheets",
    "Inventory",
    "Warehouse",
    "Fleet",
    "Billing",
    "Helpdesk",
    "Wiki",
    "Analytics",
    "Reporting",
    "Data Lake",
    "Contracts",
    "Claims",
    "Portal",
    "Scheduling",
    "Rostering",
    "Point of Sale",
    "Quality",
    "Maintenance",
    "Field Service",
    "Benefits",
    "Onboarding",
    "Case Management",
    "Document Store",
    "Asset Registry",
    "Vendor Hub",
    "Treasury",
    "Forecasting",
    "Compliance Tracker",
    "Intranet",
    "Ticketing",
    "Build Pipeline",
];

const PHRASES: &[&str] = &[
    "Used daily by most of the unit.",
    "Holds personal data; in scope for GDPR.",
    "Customer-facing; outages are visible.",
    "Vendor-hosted SaaS with its own admin console.",
    "Runs on premises in the primary data centre.",
    "Replacement planned after the current contract.",
    "Integrates with the ERP through nightly batches.",
    "- migrated from the mainframe in phases",
];

const TAGS: &[&str] = &[
    "sox",
    "gdpr",
    "pci",
    "customer-facing",
    "internal",
    "saas",
    "on-prem",
    "mobile",
    "hr",
    "finance",
    "ot",
    "vendor-managed",
];

/// How often each population is served (unlisted keys weigh 5).
const POPULATION_WEIGHTS: &[(&str, usize)] = &[
    ("office_employees", 50),
    ("contractors", 20),
    ("byod_remote", 15),
    ("partners", 10),
    ("frontline_shift", 10),
    ("privileged_admins", 8),
    ("shared_workstation", 6),
];

const PRIMARIES: &[&[&str]] = &[
    &["platform_passkey", "security_key"],
    &["synced_passkey", "security_key"],
    &["platform_passkey"],
    &["synced_passkey"],
    &["security_key", "smart_card"],
    &["smart_card"],
    &["password+push_number_matching"],
    &["password+totp_app"],
    &["platform_passkey", "password+push_number_matching"],
    &["password+push_plain"],
];
const FALLBACKS: &[&[&str]] = &[
    &[],
    &["security_key"],
    &["password+totp_app"],
    &["push_number_matching"],
    &["password+sms_otp"],
    &["password+hardware_otp", "sms_otp"],
];
const RECOVERIES: &[&[&str]] = &[
    &["helpdesk_proofing"],
    &["temporary_access_pass"],
    &["recovery_codes"],
    &["manager_attestation"],
    &["email_link"],
];
/// Thirty common journey shapes: shape `i` is primary `i % 10`, fallback `i % 6`, recovery
/// `i % 5` (distinct for `i < 30`). Low shapes are far more common than high ones.
const SHAPES: usize = 30;

const LEGACY_PRIMARIES: &[&[&str]] = &[
    &["password"],
    &["password+totp_app"],
    &["password+sms_otp", "password"],
];
const LEGACY_FALLBACKS: &[&[&str]] = &[&["sms_otp"], &["voice_call"], &[]];
const LEGACY_RECOVERIES: &[&[&str]] = &[&["helpdesk_kba"], &["email_link"], &["helpdesk_proofing"]];

const LOCATIONS: &[&str] = &[
    "Safe in the security operations centre",
    "Sealed envelope in the CISO's safe",
    "Hardware vault, data centre A",
    "Password manager vault (break-glass collection)",
    "Fire safe, head office",
];

/// Drill dates are drawn back from this day, so the estate never depends on the clock.
const DRILL_ANCHOR: (i32, u8, u8) = (2026, 11, 1);

struct Ctx<'a> {
    rng: SplitMix64,
    known: &'a Known,
    /// The standard policy whose standard journeys the estate departs from.
    standard: &'a Policy,
}

impl Ctx<'_> {
    /// Whether the catalogue has every method of the path active.
    fn knows(&self, path: &Path) -> bool {
        path.factors()
            .iter()
            .all(|m| self.known.methods.contains(m))
    }

    /// The listed paths (`a+b` combines methods) whose methods the catalogue has active, without
    /// repeats, within the role's limit.
    fn methods(&self, role: JourneyRole, specs: &[&str]) -> Vec<Path> {
        let mut out: Vec<Path> = Vec::new();
        for spec in specs {
            let path = Path(spec.split('+').map(str::to_string).collect());
            if self.knows(&path) && !out.contains(&path) {
                out.push(path);
            }
        }
        out.truncate(role.slots());
        out
    }

    /// Drops paths that use a method the catalogue no longer has active (an administrator may
    /// retire any).
    fn keep_known(&self, j: &mut PopulationJourney) {
        for role in JourneyRole::ALL.iter().copied() {
            j.paths_mut(role).retain(|p| self.knows(p));
        }
    }

    fn add(&self, j: &mut PopulationJourney, role: JourneyRole, key: &str) {
        let path = Path::single(key);
        let known = self.knows(&path);
        let list = j.paths_mut(role);
        if known && !list.contains(&path) && list.len() < role.slots() {
            list.push(path);
        }
    }
}

/// `apps` applications (two or three of them identity providers), with ~`apps / 25` owners
/// (`owner0001`, ...), twelve business units and the catalogue's active populations and methods.
pub fn estate(apps: usize, seed: u64, known: &Known, standard: &Policy) -> Vec<ApplicationRecord> {
    let mut cx = Ctx {
        standard,
        rng: SplitMix64::new(seed),
        known,
    };
    let owners = (apps / 25).max(1);
    let populations: Vec<&str> = known.populations.iter().map(String::as_str).collect();
    let idps = (if apps >= 1000 { 3 } else { 2 }).min(apps);
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut records = Vec::with_capacity(apps);

    for name in IDENTITY_PROVIDERS.iter().take(idps) {
        taken.insert(name_key(name));
        let mut r = ApplicationRecord {
            name: (*name).to_string(),
            description: "Central sign-in for the workforce: every federated application inherits \
                          its journey."
                .into(),
            business_unit: Some("Information Technology".into()),
            criticality: Criticality::Critical.as_str().into(),
            integration: Integration::Local.as_str().into(),
            lifecycle: Lifecycle::Production.as_str().into(),
            archived: false,
            identity_provider: true,
            provider: None,
            owners: owner_names(&mut cx.rng, owners),
            tags: vec!["identity".into()],
            populations: populations.iter().map(|p| p.to_string()).collect(),
            declaration: None,
        };
        let journeys = r
            .populations
            .iter()
            .map(|p| {
                let mut j = default_journey(p, false, cx.standard);
                noise(&mut cx, &mut j);
                cx.keep_known(&mut j);
                j
            })
            .collect();
        r.declaration = Some(Declaration {
            populations: journeys,
            break_glass: break_glass(&mut cx),
        });
        records.push(r);
    }

    while records.len() < apps {
        let rng = &mut cx.rng;
        let noun = *rng.pick(NOUNS);
        let base = format!("{} {noun}", rng.pick(PREFIXES));
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name_key(&name)) {
            n += 1;
            name = format!("{base} {n}");
        }
        taken.insert(name_key(&name));
        let unit =
            BUSINESS_UNITS[rng.weighted(&BUSINESS_UNITS.iter().map(|b| b.1).collect::<Vec<_>>())].0;
        let criticality = Criticality::ALL[rng.weighted(&[20, 40, 28, 12])];
        let lifecycle = [
            Lifecycle::Planned,
            Lifecycle::Pilot,
            Lifecycle::Production,
            Lifecycle::Sunsetting,
            Lifecycle::Retired,
        ][rng.weighted(&[5, 8, 70, 12, 5])];
        let integration = if idps == 0 {
            Integration::Local
        } else {
            [
                Integration::Federated,
                Integration::Local,
                Integration::Legacy,
            ][rng.weighted(&[60, 28, 12])]
        };
        let provider = (integration == Integration::Federated)
            .then(|| IDENTITY_PROVIDERS[rng.weighted(&[80, 15, 5][..idps])].to_string());
        let served = choose_populations(rng, &populations);
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.weighted(&[35, 35, 20, 10]) {
            let t = rng.pick(TAGS).to_string();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        tags.sort();
        let description = format!("{noun} for {unit}. {}", rng.pick(PHRASES));
        let description = if rng.percent(1) {
            // Some inventories start descriptions with a dash: exported cells get neutralised.
            format!("- {description}")
        } else {
            description
        };
        let mut r = ApplicationRecord {
            name,
            description,
            business_unit: Some(unit.to_string()),
            criticality: criticality.as_str().into(),
            integration: integration.as_str().into(),
            lifecycle: lifecycle.as_str().into(),
            archived: false,
            identity_provider: false,
            provider,
            owners: owner_names(rng, owners),
            tags,
            populations: served.iter().map(|p| p.to_string()).collect(),
            declaration: None,
        };
        if !cx.rng.percent(10) {
            let journeys = served
                .iter()
                .map(|p| match integration {
                    Integration::Federated => federated_journey(&mut cx, p),
                    Integration::Local => local_journey(&mut cx, p),
                    Integration::Legacy => legacy_journey(&mut cx, p),
                })
                .collect();
            let break_glass = match criticality {
                Criticality::Critical if cx.rng.percent(80) => break_glass(&mut cx),
                Criticality::High if cx.rng.percent(10) => break_glass(&mut cx),
                _ => None,
            };
            r.declaration = Some(Declaration {
                populations: journeys,
                break_glass,
            });
        }
        records.push(r);
    }
    records
}

fn owner_names(rng: &mut SplitMix64, pool: usize) -> Vec<String> {
    let count = (rng.weighted(&[60, 30, 10]) + 1).min(pool);
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < count {
        let o = rng.below(pool);
        if !picked.contains(&o) {
            picked.push(o);
        }
    }
    picked.sort();
    picked
        .iter()
        .map(|o| format!("owner{:04}", o + 1))
        .collect()
}

fn choose_populations<'a>(rng: &mut SplitMix64, all: &[&'a str]) -> Vec<&'a str> {
    let count = (rng.weighted(&[40, 30, 20, 10]) + 1).min(all.len());
    let mut left: Vec<&str> = all.to_vec();
    let mut out = Vec::new();
    while out.len() < count {
        let weights: Vec<usize> = left
            .iter()
            .map(|p| {
                POPULATION_WEIGHTS
                    .iter()
                    .find(|w| w.0 == *p)
                    .map_or(5, |w| w.1)
            })
            .collect();
        out.push(left.remove(rng.weighted(&weights)));
    }
    out
}

/// A federated application inherits its provider's journey: usually it declares nothing, but
/// some keep a local fallback (the deviation that matters), step up on their own or shorten
/// sessions.
fn federated_journey(cx: &mut Ctx<'_>, population: &str) -> PopulationJourney {
    let mut j = PopulationJourney {
        population: population.to_string(),
        ..Default::default()
    };
    if cx.rng.percent(15) {
        let local = *cx
            .rng
            .pick(&["sms_otp", "password", "sms_otp", "email_link"]);
        cx.add(&mut j, JourneyRole::Fallback, local);
    }
    if cx.rng.percent(5) {
        cx.add(&mut j, JourneyRole::Recovery, "helpdesk_kba");
    }
    if cx.rng.percent(10) {
        cx.add(&mut j, JourneyRole::StepUp, "security_key");
    }
    if cx.rng.percent(20) {
        j.session = Some(session(&mut cx.rng, 480));
    }
    if cx.rng.percent(5) {
        j.offboarding = Some(Offboarding::Manual);
    }
    j
}

fn local_journey(cx: &mut Ctx<'_>, population: &str) -> PopulationJourney {
    let weights: Vec<usize> = (0..SHAPES).map(|i| 3000 / (i + 1)).collect();
    let shape = cx.rng.weighted(&weights);
    let mut j = default_journey(population, false, cx.standard);
    j.primary = cx.methods(JourneyRole::Primary, PRIMARIES[shape % PRIMARIES.len()]);
    j.fallback = cx.methods(JourneyRole::Fallback, FALLBACKS[shape % FALLBACKS.len()]);
    j.recovery = cx.methods(JourneyRole::Recovery, RECOVERIES[shape % RECOVERIES.len()]);
    let synced = j.primary.iter().any(|p| p.contains("synced_passkey"));
    j.device_replacement = cx.methods(
        JourneyRole::DeviceReplacement,
        if synced {
            &["synced_passkey"]
        } else {
            &["temporary_access_pass"]
        },
    );
    match population {
        "frontline_shift" | "shared_workstation" if cx.rng.percent(60) => {
            j.primary = cx.methods(JourneyRole::Primary, &["security_key", "smart_card"]);
        }
        "privileged_admins" if cx.rng.percent(70) => {
            j.primary = cx.methods(JourneyRole::Primary, &["security_key", "smart_card"]);
        }
        _ => {}
    }
    noise(cx, &mut j);
    cx.keep_known(&mut j);
    j
}

fn legacy_journey(cx: &mut Ctx<'_>, population: &str) -> PopulationJourney {
    let mut j = default_journey(population, false, cx.standard);
    let primary = *cx.rng.pick(LEGACY_PRIMARIES);
    let fallback = *cx.rng.pick(LEGACY_FALLBACKS);
    let recovery = *cx.rng.pick(LEGACY_RECOVERIES);
    j.primary = cx.methods(JourneyRole::Primary, primary);
    j.fallback = cx.methods(JourneyRole::Fallback, fallback);
    j.recovery = cx.methods(JourneyRole::Recovery, recovery);
    let enrolment = *cx.rng.pick(&["email_link", "helpdesk_proofing"]);
    j.enrolment = cx.methods(JourneyRole::Enrolment, &[enrolment]);
    j.step_up = Vec::new();
    j.device_replacement = cx.methods(JourneyRole::DeviceReplacement, &["helpdesk_proofing"]);
    if cx.rng.percent(60) {
        j.offboarding = Some(Offboarding::Manual);
    }
    if cx.rng.percent(40) {
        j.devices = None;
    }
    cx.keep_known(&mut j);
    j
}

/// Small departures from a journey's shape, the way real estates drift.
fn noise(cx: &mut Ctx<'_>, j: &mut PopulationJourney) {
    if cx.rng.percent(8) {
        cx.add(j, JourneyRole::Fallback, "sms_otp");
    }
    if cx.rng.percent(3) {
        cx.add(j, JourneyRole::Fallback, "password");
    }
    if cx.rng.percent(5) {
        j.recovery = cx.methods(JourneyRole::Recovery, &["helpdesk_kba"]);
    }
    if cx.rng.percent(4) {
        cx.add(j, JourneyRole::Recovery, "email_link");
    }
    if cx.rng.percent(5) {
        j.enrolment = cx.methods(JourneyRole::Enrolment, &["sms_otp"]);
    }
    if cx.rng.percent(5) {
        j.device_replacement = cx.methods(JourneyRole::DeviceReplacement, &["helpdesk_proofing"]);
    }
    if cx.rng.percent(10) {
        j.step_up.clear();
    }
    j.offboarding = match cx.rng.weighted(&[75, 20, 5]) {
        0 => Some(Offboarding::Automatic),
        1 => Some(Offboarding::Manual),
        _ => None,
    };
    j.session = if cx.rng.percent(15) {
        None
    } else {
        let base = j.session.as_ref().map_or(720, |s| s.max_session_minutes);
        Some(session(&mut cx.rng, base))
    };
    if cx.rng.percent(12) {
        j.devices = None;
    } else if let Some(d) = &mut j.devices {
        vary_devices(&mut cx.rng, d);
    }
}

fn session(rng: &mut SplitMix64, base: u32) -> SessionRules {
    let max = if rng.percent(50) {
        base
    } else {
        *rng.pick(&[240, 480, 600, 720, 1440, 10_080])
    };
    let idle = (*rng.pick(&[10, 15, 30, 60, 120])).min(max);
    SessionRules {
        max_session_minutes: max,
        idle_timeout_minutes: idle,
        reauth_sensitive: rng.percent(85),
    }
}

fn vary_devices(rng: &mut SplitMix64, d: &mut DeviceRequirements) {
    for p in &mut d.platforms {
        let versions: &[&str] = match p.platform {
            Platform::Windows => &["10", "11"],
            Platform::Macos => &["12", "13", "14"],
            Platform::Ios => &["16", "17", "17.4"],
            Platform::Android => &["12", "13", "14"],
            Platform::Linux => &["6"],
            Platform::Chromeos => &["120"],
        };
        if rng.percent(30) {
            p.min_version = rng.pick(versions).to_string();
        }
    }
    if rng.percent(5) {
        d.platforms.push(PlatformSupport {
            platform: Platform::Linux,
            min_version: "6".into(),
        });
    }
    if rng.percent(3) {
        d.platforms.push(PlatformSupport {
            platform: Platform::Chromeos,
            min_version: "120".into(),
        });
    }
    if !d.managed_required && rng.percent(10) {
        d.byod_allowed = !d.byod_allowed;
    }
}

fn break_glass(cx: &mut Ctx<'_>) -> Option<BreakGlass> {
    let choices: Vec<&str> = ["security_key", "smart_card", "password"]
        .into_iter()
        .filter(|m| cx.known.methods.contains(*m))
        .collect();
    if choices.is_empty() {
        return None;
    }
    let weights = [60, 25, 15];
    let method = choices[cx.rng.weighted(&weights[..choices.len()])].to_string();
    let last_drill = if cx.rng.percent(10) {
        None
    } else {
        let (y, m, d) = DRILL_ANCHOR;
        let anchor = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
        let day = anchor - time::Duration::days(cx.rng.below(730) as i64);
        Some(format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        ))
    };
    Some(BreakGlass {
        accounts: cx.rng.below(4) as u32 + 1,
        method,
        location: cx.rng.pick(LOCATIONS).to_string(),
        last_drill,
    })
}

/// Two later versions of the standard, as a programme tightens it: plain push approvals never
/// allowed (push fatigue), then re-authentication for sensitive actions in medium applications.
pub fn policy_history(shipped: &Policy) -> Vec<(Policy, &'static str)> {
    let mut v2 = shipped.clone();
    if !v2.never.iter().any(|m| m == "push_plain") {
        v2.never.push("push_plain".into());
        v2.never.sort();
    }
    let mut v3 = v2.clone();
    if let Some(medium) = v3
        .by_criticality
        .get_mut(&crate::vocab::Criticality::Medium)
    {
        medium.reauth_sensitive = true;
    }
    [
        (
            v2,
            "Plain push approvals are never allowed: push fatigue attacks (number matching stays).",
        ),
        (
            v3,
            "Medium applications ask for re-authentication before sensitive actions too.",
        ),
    ]
    .into_iter()
    .scan(shipped.clone(), |previous, (p, reason)| {
        // A version that changes nothing is not a version.
        let changed = p != *previous;
        *previous = p.clone();
        Some(changed.then_some((p, reason)))
    })
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declarations::facade::validate;
    use crate::policy::facade::shipped;

    fn known() -> Known {
        Known {
            methods: crate::catalogue::model::SHIPPED_METHODS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            populations: [
                "office_employees",
                "frontline_shift",
                "contractors",
                "partners",
                "privileged_admins",
                "shared_workstation",
                "byod_remote",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }

    #[test]
    fn splitmix_is_the_published_sequence() {
        // Reference values of SplitMix64 seeded with 1234567.
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        let u = SplitMix64::new(7).uuid();
        assert_eq!(u.get_version_num(), 4);
    }

    #[test]
    fn the_same_seed_gives_the_same_estate() {
        let a = estate(300, 42, &known(), &shipped());
        assert_eq!(a, estate(300, 42, &known(), &shipped()));
        assert_ne!(a, estate(300, 43, &known(), &shipped()));
        assert_eq!(a.len(), 300);
    }

    #[test]
    fn the_estate_looks_like_an_estate() {
        let k = known();
        let apps = estate(1000, 7, &k, &shipped());
        let names: BTreeSet<String> = apps.iter().map(|a| name_key(&a.name)).collect();
        assert_eq!(names.len(), 1000, "names are unique");
        let idps = apps.iter().filter(|a| a.identity_provider).count();
        assert_eq!(idps, 3);
        let federated = apps.iter().filter(|a| a.provider.is_some()).count();
        assert!((500..700).contains(&federated), "{federated}");
        let undeclared = apps.iter().filter(|a| a.declaration.is_none()).count();
        assert!((60..140).contains(&undeclared), "{undeclared}");
        let owners: BTreeSet<&String> = apps.iter().flat_map(|a| &a.owners).collect();
        assert!(owners.len() <= 40 && owners.len() > 30, "{}", owners.len());
        let with_local_fallback = apps
            .iter()
            .filter(|a| a.provider.is_some())
            .filter_map(|a| a.declaration.as_ref())
            .filter(|d| d.populations.iter().any(|j| !j.fallback.is_empty()))
            .count();
        assert!(with_local_fallback > 30, "{with_local_fallback}");
        let shapes: BTreeSet<Vec<Path>> = apps
            .iter()
            .filter(|a| a.integration == "local")
            .filter_map(|a| a.declaration.as_ref())
            .flat_map(|d| d.populations.iter().map(|j| j.primary.clone()))
            .collect();
        assert!(shapes.len() >= 8, "{shapes:?}");
        assert!(
            shapes.iter().flatten().any(Path::is_combined),
            "some journeys combine factors: {shapes:?}"
        );
        for a in &apps {
            if let Some(d) = &a.declaration {
                validate(d, &a.populations, &k).unwrap_or_else(|e| panic!("{}: {e:?}", a.name));
            }
        }
    }
}
