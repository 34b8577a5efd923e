//! Pure rules of declarations: reading the editor's form, validation, the standard journey's
//! defaults, a federated application's effective journey, differences between versions and the
//! flat (population, role, position, method) rows. No clock, no database.

use super::model::{
    BreakGlass, BreakGlassForm, Change, Declaration, DeclarationForm, DeviceRequirements, Effect,
    JourneyRole, ListEdit, ListMove, MAX_FACTORS, Names, Offboarding, Path, PathsForm, Platform,
    PlatformSupport, PopulationForm, PopulationJourney, SessionRules,
};
use crate::error::AppError;
use crate::policy::model::{Criticality, Policy};
use crate::validation::Checks;
use std::collections::{BTreeMap, BTreeSet};

pub const LOCATION_MAX: usize = 200;
pub use crate::journey::VERSION_MAX;
pub const MAX_BREAK_GLASS_ACCOUNTS: u32 = 50;
/// Session limits are declared in whole minutes: 1 minute to 30 days.
pub use crate::journey::MAX_SESSION_MINUTES;

/// The catalogue keys a declaration may use.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Active methods.
    pub methods: BTreeSet<String>,
    /// Active populations.
    pub populations: BTreeSet<String>,
}

/// The name of the form input a message belongs next to.
pub fn field(population: &str, part: &str) -> String {
    format!("p[{population}][{part}]")
}

/// The input of a path's first factor (where a message about the whole path goes).
pub fn slot_field(population: &str, role: JourneyRole, slot: usize) -> String {
    factor_field(population, role, slot, 0)
}

pub fn factor_field(population: &str, role: JourneyRole, slot: usize, factor: usize) -> String {
    format!("p[{population}][{}][{slot}][{factor}]", role.as_str())
}

/// Reads the editor's form into a declaration for the populations the application serves (in
/// their order), checking every value. Empty slots are skipped.
pub fn from_form(
    form: &DeclarationForm,
    served: &[String],
    known: &Known,
) -> Result<Declaration, AppError> {
    let (declaration, checks) = read_form(form, served, known);
    checks.done(declaration)
}

/// Reads the editor's form as far as it can be read, noting every problem rather than stopping
/// at the first: the declaration holds every value that could be read (a refused form is still
/// kept as the draft), the checks every problem, each on its field.
pub fn read_form(
    form: &DeclarationForm,
    served: &[String],
    known: &Known,
) -> (Declaration, Checks) {
    let mut checks = Checks::new();
    let empty = PopulationForm::default();
    let populations = served
        .iter()
        .map(|key| population_from_form(key, form.p.get(key).unwrap_or(&empty), &mut checks))
        .collect();
    let declaration = Declaration {
        populations,
        break_glass: break_glass_from_form(&form.bg, &mut checks),
    };
    check(&declaration, served, known, &mut checks);
    let declaration = normalise(declaration, served);
    (declaration, checks)
}

/// The form that shows `d` in the editor (the inverse of [`read_form`] for a valid declaration).
pub fn to_form(d: &Declaration) -> DeclarationForm {
    let paths = |ps: &[Path]| -> PathsForm { ps.iter().map(|p| p.factors().to_vec()).collect() };
    let on = |b: bool| b.then(|| "on".to_string());
    let p = d
        .populations
        .iter()
        .map(|j| {
            let devices = j.devices.clone().unwrap_or_default();
            let session = j.session.as_ref();
            let max = hours_and_minutes(session.map(|s| s.max_session_minutes));
            let idle = hours_and_minutes(session.map(|s| s.idle_timeout_minutes));
            let pf = PopulationForm {
                enrolment: paths(&j.enrolment),
                primary: paths(&j.primary),
                fallback: paths(&j.fallback),
                recovery: paths(&j.recovery),
                step_up: paths(&j.step_up),
                device_replacement: paths(&j.device_replacement),
                offboarding: j
                    .offboarding
                    .map(|o| o.as_str().to_string())
                    .unwrap_or_default(),
                max_session_hours: max.0,
                max_session_minutes: max.1,
                idle_timeout_hours: idle.0,
                idle_timeout_minutes: idle.1,
                reauth_sensitive: on(session.is_some_and(|s| s.reauth_sensitive)),
                platforms: devices
                    .platforms
                    .iter()
                    .map(|s| (s.platform.as_str().to_string(), s.min_version.clone()))
                    .collect(),
                managed_required: on(devices.managed_required),
                byod_allowed: on(devices.byod_allowed),
                shared_workstation: on(devices.shared_workstation),
            };
            (j.population.clone(), pf)
        })
        .collect();
    let bg = d
        .break_glass
        .as_ref()
        .map(|b| BreakGlassForm {
            accounts: b.accounts.to_string(),
            method: b.method.clone(),
            location: b.location.clone(),
            last_drill: b.last_drill.clone().unwrap_or_default(),
        })
        .unwrap_or_default();
    DeclarationForm { p, bg }
}

fn population_from_form(key: &str, pf: &PopulationForm, checks: &mut Checks) -> PopulationJourney {
    let mut journey = PopulationJourney {
        population: key.to_string(),
        ..Default::default()
    };
    for role in JourneyRole::ALL.iter().copied() {
        *journey.paths_mut(role) = pf
            .slots(role)
            .iter()
            .map(|factors| {
                Path(
                    factors
                        .iter()
                        .map(|m| m.trim().to_string())
                        .filter(|m| !m.is_empty())
                        .collect(),
                )
            })
            .filter(|p| !p.factors().is_empty())
            .collect();
    }
    journey.offboarding = match pf.offboarding.trim() {
        "" => None,
        k => {
            let parsed = Offboarding::parse(k);
            if parsed.is_none() {
                checks.problem(
                    field(key, "offboarding"),
                    "Choose how people are offboarded.",
                );
            }
            parsed
        }
    };
    let max = read_duration(
        (&pf.max_session_hours, &pf.max_session_minutes),
        key,
        "max_session",
        checks,
    );
    let idle = read_duration(
        (&pf.idle_timeout_hours, &pf.idle_timeout_minutes),
        key,
        "idle_timeout",
        checks,
    );
    journey.session = match (max, idle) {
        (Ok(None), Ok(None)) if pf.reauth_sensitive.is_none() => None,
        (Ok(Some(max)), Ok(Some(idle))) => Some(SessionRules {
            max_session_minutes: max,
            idle_timeout_minutes: idle,
            reauth_sensitive: pf.reauth_sensitive.is_some(),
        }),
        (max, idle) => {
            if max == Ok(None) {
                checks.problem(
                    field(key, "max_session_minutes"),
                    "Give the maximum session length, or leave all session rules empty.",
                );
            }
            if idle == Ok(None) {
                checks.problem(
                    field(key, "idle_timeout_minutes"),
                    "Give the idle timeout, or leave all session rules empty.",
                );
            }
            None
        }
    };
    let mut platforms = Vec::new();
    for p in Platform::ALL.iter().copied() {
        let v = pf.platforms.get(p.as_str()).map(|v| v.trim()).unwrap_or("");
        if !v.is_empty() {
            platforms.push(PlatformSupport {
                platform: p,
                min_version: v.to_string(),
            });
        }
    }
    let devices = DeviceRequirements {
        platforms,
        managed_required: pf.managed_required.is_some(),
        byod_allowed: pf.byod_allowed.is_some(),
        shared_workstation: pf.shared_workstation.is_some(),
    };
    journey.devices = (devices != DeviceRequirements::default()).then_some(devices);
    journey
}

/// A duration typed as hours and minutes (`{part}_hours`, `{part}_minutes`), in whole minutes
/// within range; nothing when both are empty; `Err(())` once the problem is noted. Minutes alone
/// may exceed 59 (480 is 8 hours), as scripts post them.
fn read_duration(
    (hours, mins): (&str, &str),
    population: &str,
    part: &str,
    checks: &mut Checks,
) -> Result<Option<u32>, ()> {
    let (hours, mins) = (hours.trim(), mins.trim());
    if hours.is_empty() && mins.is_empty() {
        return Ok(None);
    }
    let max_hours = MAX_SESSION_MINUTES / 60;
    let h = match hours {
        "" => Some(0),
        h => h.parse::<u32>().ok().filter(|h| *h <= max_hours),
    };
    let Some(h) = h else {
        checks.problem(
            field(population, &format!("{part}_hours")),
            format!("Enter whole hours from 0 to {max_hours}."),
        );
        return Err(());
    };
    let most = if hours.is_empty() {
        MAX_SESSION_MINUTES
    } else {
        59
    };
    let m = match mins {
        "" => Some(0),
        m => m.parse::<u32>().ok().filter(|m| *m <= most),
    };
    let total = m.map(|m| h * 60 + m);
    match total.filter(|t| (1..=MAX_SESSION_MINUTES).contains(t)) {
        Some(t) => Ok(Some(t)),
        None => {
            let message = if m.is_none() && !hours.is_empty() {
                "Enter whole minutes from 0 to 59.".to_string()
            } else {
                format!("Enter a duration from 1 minute to {} hours.", max_hours)
            };
            checks.problem(field(population, &format!("{part}_minutes")), message);
            Err(())
        }
    }
}

/// Whole minutes as the editor shows them: (hours, minutes), both empty for nothing.
pub fn hours_and_minutes(total: Option<u32>) -> (String, String) {
    match total {
        Some(t) => ((t / 60).to_string(), (t % 60).to_string()),
        None => (String::new(), String::new()),
    }
}

/// Applies a list button of the editor to the form: moves a path up or down, removes it, or adds
/// an empty one at the end of the role. A button that names nothing the form holds changes
/// nothing (it answers `false`).
pub fn apply_edit(form: &mut DeclarationForm, edit: &ListEdit) -> bool {
    let Some(pf) = form.p.get_mut(&edit.population) else {
        return false;
    };
    let max = edit.role.slots();
    let paths = pf.slots_mut(edit.role);
    let at = edit.position;
    match edit.action {
        ListMove::Add if paths.len() < max => {
            // One empty method, not an empty path: the form shown again must still post it.
            paths.push(vec![String::new()]);
            true
        }
        ListMove::Up if at > 0 && at < paths.len() => {
            paths.swap(at - 1, at);
            true
        }
        ListMove::Down if at + 1 < paths.len() => {
            paths.swap(at, at + 1);
            true
        }
        ListMove::Remove if at < paths.len() => {
            paths.remove(at);
            true
        }
        _ => false,
    }
}

/// What a method is, as the standard judges it.
#[derive(Clone, Debug)]
pub struct MethodTraits {
    pub key: String,
    pub name: String,
    pub max_aal: i32,
    pub phishing_resistant: bool,
}

/// Per role, the methods weak for an application of criticality `c` under `policy`, each with
/// why: below the assurance the criticality needs, phishable where the criticality asks for
/// phishing resistance (primary, step-up), never accepted, or not accepted in that role by the
/// standard (either of the last two needs an exception).
pub fn weak_choices(
    policy: &Policy,
    c: Criticality,
    methods: &[MethodTraits],
) -> BTreeMap<JourneyRole, BTreeMap<String, String>> {
    let rules = policy.for_criticality(c);
    let crit = c.label().to_lowercase();
    // What the standard accepts in a role, for any population: its standard journeys' methods
    // and those allowed beyond them.
    let accepted = |role: JourneyRole| -> BTreeSet<&str> {
        policy
            .standard
            .iter()
            .chain([&policy.default_journey])
            .flat_map(|j| j.paths(role).iter().flat_map(|p| p.factors()))
            .chain(policy.allowed.get(&role).into_iter().flatten())
            .map(String::as_str)
            .collect()
    };
    JourneyRole::ALL
        .iter()
        .copied()
        .map(|role| {
            let weak = methods
                .iter()
                .filter_map(|m| {
                    let why = if policy.never.contains(&m.key) {
                        format!("{} is never accepted without an exception.", m.name)
                    } else if m.max_aal < i32::from(rules.min_aal)
                        && matches!(
                            role,
                            JourneyRole::Primary
                                | JourneyRole::Fallback
                                | JourneyRole::Recovery
                                | JourneyRole::StepUp
                        )
                    {
                        format!(
                            "{} reaches AAL{} only; the standard asks AAL{} of {crit} applications (unless it is combined with a stronger method).",
                            m.name, m.max_aal, rules.min_aal
                        )
                    } else if !m.phishing_resistant
                        && ((role == JourneyRole::Primary && rules.phishing_resistant_primary)
                            || (role == JourneyRole::StepUp
                                && rules.phishing_resistant_step_up))
                    {
                        format!(
                            "{} can be phished; the standard asks {crit} applications for a phishing-resistant {}.",
                            m.name,
                            role.label().to_lowercase()
                        )
                    } else if !accepted(role).contains(m.key.as_str()) {
                        format!(
                            "The standard does not accept {} as a {} path: it is a deviation that needs an exception.",
                            m.name,
                            role.label().to_lowercase()
                        )
                    } else {
                        return None;
                    };
                    Some((m.key.clone(), why))
                })
                .collect();
            (role, weak)
        })
        .collect()
}

fn break_glass_from_form(bg: &BreakGlassForm, checks: &mut Checks) -> Option<BreakGlass> {
    let (accounts, method, location, drill) = (
        bg.accounts.trim(),
        bg.method.trim(),
        bg.location.trim(),
        bg.last_drill.trim(),
    );
    if accounts.is_empty() && method.is_empty() && location.is_empty() && drill.is_empty() {
        return None;
    }
    let accounts = accounts
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_BREAK_GLASS_ACCOUNTS).contains(n));
    if accounts.is_none() {
        checks.problem("bg[accounts]", accounts_message());
    }
    Some(BreakGlass {
        accounts: accounts.unwrap_or(0),
        method: method.to_string(),
        location: location.to_string(),
        last_drill: (!drill.is_empty()).then(|| drill.to_string()),
    })
}

fn accounts_message() -> String {
    format!("Enter how many break-glass accounts exist (1 to {MAX_BREAK_GLASS_ACCOUNTS}).")
}

/// Checks a declaration however it arrived (form, import, generator): known populations and
/// methods, no path twice in a role and no method twice in a path, path and factor limits,
/// session and device values, break-glass. Names every problem.
/// Returns it normalised (populations in the application's order).
pub fn validate(
    d: &Declaration,
    served: &[String],
    known: &Known,
) -> Result<Declaration, AppError> {
    let mut checks = Checks::new();
    check(d, served, known, &mut checks);
    checks.done(normalise(d.clone(), served))
}

/// Populations in the application's order, platforms in their order.
fn normalise(mut d: Declaration, served: &[String]) -> Declaration {
    d.populations
        .sort_by_key(|j| served.iter().position(|s| *s == j.population));
    for j in &mut d.populations {
        if let Some(dev) = &mut j.devices {
            dev.platforms.sort_by_key(|p| p.platform);
        }
    }
    d
}

/// Notes every problem of `d` (see [`validate`]).
fn check(d: &Declaration, served: &[String], known: &Known, checks: &mut Checks) {
    let mut seen = BTreeSet::new();
    for j in &d.populations {
        let pop = &j.population;
        if !served.contains(pop) {
            checks.problem(
                field(pop, "population"),
                format!("“{pop}” is not a population this application serves."),
            );
        } else if !known.populations.contains(pop) {
            checks.problem(
                field(pop, "population"),
                format!("Unknown population “{pop}”."),
            );
        } else if !seen.insert(pop.clone()) {
            checks.problem(
                field(pop, "population"),
                "This population is declared twice.",
            );
        }
        for role in JourneyRole::ALL.iter().copied() {
            check_paths(pop, role, j.paths(role), known, checks);
        }
        if let Some((part, message)) = j.session.as_ref().and_then(|s| s.problem()) {
            checks.problem(field(pop, part), message);
        }
        if let Some((platform, message)) = j.devices.as_ref().and_then(|d| d.problem()) {
            let part = match platform {
                Some(p) => format!("platforms][{}", p.as_str()),
                None => "byod_allowed".to_string(),
            };
            checks.problem(field(pop, &part), message);
        }
    }
    if let Some(bg) = &d.break_glass {
        if !(1..=MAX_BREAK_GLASS_ACCOUNTS).contains(&bg.accounts) {
            checks.problem("bg[accounts]", accounts_message());
        }
        if !known.methods.contains(&bg.method) {
            checks.problem(
                "bg[method]",
                "Choose the method that protects the break-glass accounts.",
            );
        }
        match crate::validation::validate_text("bg[location]", &bg.location, 1, LOCATION_MAX) {
            Ok(location) if location != bg.location => {
                checks.problem("bg[location]", "Remove the spaces around the text.")
            }
            Ok(_) => {}
            Err(e) => checks.note(e),
        }
        if let Some(date) = &bg.last_drill
            && parse_date(date).is_none()
        {
            checks.problem(
                "bg[last_drill]",
                "Write the date of the last drill as YYYY-MM-DD.",
            );
        }
    }
}

fn check_paths(pop: &str, role: JourneyRole, paths: &[Path], known: &Known, checks: &mut Checks) {
    if paths.len() > role.slots() {
        checks.problem(
            slot_field(pop, role, role.slots()),
            format!(
                "Declare at most {} {} paths.",
                role.slots(),
                role.label().to_lowercase()
            ),
        );
    }
    let mut in_role = BTreeSet::new();
    for (i, path) in paths.iter().enumerate() {
        if path.factors().is_empty() {
            checks.problem(
                slot_field(pop, role, i),
                "A path needs at least one method.",
            );
            continue;
        }
        if path.factors().len() > MAX_FACTORS {
            checks.problem(
                factor_field(pop, role, i, MAX_FACTORS),
                format!("A path combines at most {MAX_FACTORS} methods."),
            );
        }
        let mut in_path = BTreeSet::new();
        for (f, m) in path.factors().iter().enumerate() {
            if !known.methods.contains(m) {
                checks.problem(
                    factor_field(pop, role, i, f),
                    format!("Unknown or retired method “{m}”."),
                );
            } else if !in_path.insert(m) {
                checks.problem(
                    factor_field(pop, role, i, f),
                    "This method is already part of this path.",
                );
            }
        }
        if !in_role.insert(in_path) {
            checks.problem(
                slot_field(pop, role, i),
                "This path is already listed in this role.",
            );
        }
    }
}

pub use crate::validation::parse_date;

/// What submitting needs beyond a valid draft: every population the application serves is
/// declared, and (unless it is federated and inherits them) each has a primary method.
pub fn check_submittable(
    d: &Declaration,
    served: &[String],
    federated: bool,
    names: &Names,
) -> Result<(), AppError> {
    let mut checks = Checks::new();
    submittable(d, served, federated, names, &mut checks);
    checks.finish()
}

/// Notes what keeps `d` from being submitted (see [`check_submittable`]).
pub fn submittable(
    d: &Declaration,
    served: &[String],
    federated: bool,
    names: &Names,
    checks: &mut Checks,
) {
    if served.is_empty() {
        checks.problem(
            "populations",
            "The application serves no population: add one to the application first.",
        );
    }
    for key in served {
        let Some(j) = d.journey(key) else {
            checks.problem(
                field(key, "population"),
                format!("Declare the journey of {}.", names.population(key)),
            );
            continue;
        };
        if !federated && j.primary.is_empty() {
            checks.problem(
                slot_field(key, JourneyRole::Primary, 0),
                format!(
                    "Choose at least one primary method for {}.",
                    names.population(key)
                ),
            );
        }
    }
}

/// The journey a new declaration starts from for a population: the standard policy's standard
/// journey. A federated application starts empty: it inherits its provider's journey and
/// declares only what it adds.
pub fn default_journey(population: &str, federated: bool, policy: &Policy) -> PopulationJourney {
    if federated {
        return PopulationJourney {
            population: population.to_string(),
            ..Default::default()
        };
    }
    policy.standard_for(population)
}

/// A new declaration for these populations, from the standard journey.
pub fn defaults(served: &[String], federated: bool, policy: &Policy) -> Declaration {
    Declaration {
        populations: served
            .iter()
            .map(|p| default_journey(p, federated, policy))
            .collect(),
        break_glass: None,
    }
}

/// Keeps only the served populations (in their order) and adds the standard journey for new
/// ones: used when an application's populations changed since its draft or last version.
pub fn fit_to(d: &Declaration, served: &[String], federated: bool, policy: &Policy) -> Declaration {
    Declaration {
        populations: served
            .iter()
            .map(|p| {
                d.journey(p)
                    .cloned()
                    .unwrap_or_else(|| default_journey(p, federated, policy))
            })
            .collect(),
        break_glass: d.break_glass.clone(),
    }
}

/// The journey in effect for a federated application: its provider's journey per population,
/// with the application's own paths added after the provider's in each role, and its own
/// settings (offboarding, session rules, device requirements, break-glass) replacing the
/// provider's where it declares them.
pub fn effective(own: &Declaration, provider: Option<&Declaration>) -> Declaration {
    let Some(provider) = provider else {
        return own.clone();
    };
    let populations = own
        .populations
        .iter()
        .map(|j| {
            let base = provider.journey(&j.population);
            let mut e = base.cloned().unwrap_or_else(|| PopulationJourney {
                population: j.population.clone(),
                ..Default::default()
            });
            for role in JourneyRole::ALL.iter().copied() {
                let list = e.paths_mut(role);
                for p in j.paths(role) {
                    if !list.contains(p) {
                        list.push(p.clone());
                    }
                }
            }
            if j.offboarding.is_some() {
                e.offboarding = j.offboarding;
            }
            if j.session.is_some() {
                e.session = j.session.clone();
            }
            if j.devices.is_some() {
                e.devices = j.devices.clone();
            }
            e
        })
        .collect();
    Declaration {
        populations,
        break_glass: own
            .break_glass
            .clone()
            .or_else(|| provider.break_glass.clone()),
    }
}

/// One method of one path of one role of a declaration, as the matrix reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRow {
    pub population: String,
    pub role: JourneyRole,
    /// The path's place in the role, from 0.
    pub path: i32,
    /// The method's place among every method of the role, from 0 (unique within the role).
    pub position: i32,
    pub method: String,
}

/// Every method of every path of a declaration, for the matrix.
pub fn flatten(d: &Declaration) -> Vec<MethodRow> {
    let mut rows = Vec::new();
    for j in &d.populations {
        for role in JourneyRole::ALL.iter().copied() {
            let mut position = 0;
            for (i, p) in j.paths(role).iter().enumerate() {
                for m in p.factors() {
                    rows.push(MethodRow {
                        population: j.population.clone(),
                        role,
                        path: i as i32,
                        position,
                        method: m.clone(),
                    });
                    position += 1;
                }
            }
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Plain-language renderings, shared by pages and the diff.

pub use crate::journey::{describe_path, describe_paths, describe_session, duration};

pub fn describe_offboarding(o: Option<Offboarding>) -> String {
    o.map_or("not declared".into(), |o| o.label().to_string())
}

pub use crate::journey::describe_devices;

pub fn describe_break_glass(b: Option<&BreakGlass>, names: &Names) -> String {
    match b {
        None => "none declared".into(),
        Some(b) => format!(
            "{} account{} protected by {}, kept in {}; last drill {}",
            b.accounts,
            if b.accounts == 1 { "" } else { "s" },
            names.method(&b.method),
            b.location,
            b.last_drill.as_deref().unwrap_or("never")
        ),
    }
}

/// The differences between two declarations in plain words, each list item added (+) or removed
/// (−) named, and whether each change strengthens or weakens the journey: for paths, by the
/// role's weakest path (`ranks`: the catalogue's strength rank per method, lower is stronger; a
/// path is as strong as its strongest method); for sessions, longer or shorter limits and
/// re-authentication; for devices, managed and personal devices; for offboarding, automatic
/// over manual over none.
pub fn diff(
    a: &Declaration,
    b: &Declaration,
    names: &Names,
    ranks: &BTreeMap<String, i32>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut keys: Vec<&str> = a
        .populations
        .iter()
        .map(|j| j.population.as_str())
        .collect();
    for j in &b.populations {
        if !keys.contains(&j.population.as_str()) {
            keys.push(&j.population);
        }
    }
    let mut push = |what: String, before: String, after: String, detail: Detail| {
        if before != after {
            changes.push(Change {
                what,
                before,
                after,
                added: detail.added,
                removed: detail.removed,
                effect: detail.effect,
            });
        }
    };
    for key in keys {
        let pop = names.population(key);
        match (a.journey(key), b.journey(key)) {
            (Some(_), None) => push(pop, "declared".into(), "removed".into(), Detail::none()),
            (None, Some(_)) => push(
                pop,
                "not declared".into(),
                "declared".into(),
                Detail::none(),
            ),
            (None, None) => {}
            (Some(x), Some(y)) => {
                for role in JourneyRole::ALL.iter().copied() {
                    push(
                        format!("{pop} · {}", role.label()),
                        describe_paths(x.paths(role), names),
                        describe_paths(y.paths(role), names),
                        paths_detail(x.paths(role), y.paths(role), names, ranks),
                    );
                }
                let offboarding = |o: Option<Offboarding>| match o {
                    Some(Offboarding::Automatic) => 2,
                    Some(Offboarding::Manual) => 1,
                    None => 0,
                };
                let (ox, oy) = (offboarding(x.offboarding), offboarding(y.offboarding));
                push(
                    format!("{pop} · Offboarding"),
                    describe_offboarding(x.offboarding),
                    describe_offboarding(y.offboarding),
                    Detail::effect(Effect::of(oy > ox, oy < ox)),
                );
                push(
                    format!("{pop} · Session rules"),
                    describe_session(x.session.as_ref()),
                    describe_session(y.session.as_ref()),
                    Detail::effect(session_effect(x.session.as_ref(), y.session.as_ref())),
                );
                let (dx, dy) = (
                    x.devices.clone().unwrap_or_default(),
                    y.devices.clone().unwrap_or_default(),
                );
                push(
                    format!("{pop} · Devices"),
                    describe_devices(x.devices.as_ref()),
                    describe_devices(y.devices.as_ref()),
                    Detail::effect(Effect::of(
                        (dy.managed_required && !dx.managed_required)
                            || (dx.byod_allowed && !dy.byod_allowed),
                        (dx.managed_required && !dy.managed_required)
                            || (dy.byod_allowed && !dx.byod_allowed),
                    )),
                );
            }
        }
    }
    push(
        "Break-glass".into(),
        describe_break_glass(a.break_glass.as_ref(), names),
        describe_break_glass(b.break_glass.as_ref(), names),
        Detail::none(),
    );
    changes
}

/// What a change adds, removes and does, beside its before and after.
struct Detail {
    added: Vec<String>,
    removed: Vec<String>,
    effect: Option<Effect>,
}

impl Detail {
    fn none() -> Self {
        Self::effect(None)
    }

    fn effect(effect: Option<Effect>) -> Self {
        Self {
            added: Vec::new(),
            removed: Vec::new(),
            effect,
        }
    }
}

fn paths_detail(
    before: &[Path],
    after: &[Path],
    names: &Names,
    ranks: &BTreeMap<String, i32>,
) -> Detail {
    let described = |ps: &[Path], other: &[Path]| -> Vec<String> {
        ps.iter()
            .filter(|p| !other.contains(p))
            .map(|p| describe_path(p, names))
            .collect()
    };
    // A path is as strong as its strongest method; a role as weak as its weakest path. A
    // method the catalogue does not rank counts as the weakest.
    let path_rank = |p: &Path| {
        p.factors()
            .iter()
            .map(|m| ranks.get(m).copied().unwrap_or(i32::MAX))
            .min()
            .unwrap_or(i32::MAX)
    };
    let weakest = |ps: &[Path]| ps.iter().map(path_rank).max();
    let effect = match (weakest(before), weakest(after)) {
        (Some(x), Some(y)) => Effect::of(y < x, y > x),
        _ => None,
    };
    Detail {
        added: described(after, before),
        removed: described(before, after),
        effect,
    }
}

fn session_effect(x: Option<&SessionRules>, y: Option<&SessionRules>) -> Option<Effect> {
    let (x, y) = (x?, y?);
    Effect::of(
        y.max_session_minutes < x.max_session_minutes
            || y.idle_timeout_minutes < x.idle_timeout_minutes
            || (y.reauth_sensitive && !x.reauth_sensitive),
        y.max_session_minutes > x.max_session_minutes
            || y.idle_timeout_minutes > x.idle_timeout_minutes
            || (x.reauth_sensitive && !y.reauth_sensitive),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::facade::shipped;

    fn known() -> Known {
        Known {
            methods: [
                "platform_passkey",
                "security_key",
                "smart_card",
                "synced_passkey",
                "temporary_access_pass",
                "helpdesk_proofing",
                "sms_otp",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            populations: ["office_employees", "contractors", "byod_remote"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    fn served() -> Vec<String> {
        vec!["office_employees".into(), "contractors".into()]
    }

    fn form_with(f: impl FnOnce(&mut PopulationForm)) -> DeclarationForm {
        let mut pf = PopulationForm {
            primary: vec![vec!["platform_passkey".into()], vec!["".into()]],
            recovery: vec![vec!["".into(), "".into()], vec!["helpdesk_proofing".into()]],
            offboarding: "automatic".into(),
            max_session_minutes: "600".into(),
            idle_timeout_minutes: "30".into(),
            reauth_sensitive: Some("on".into()),
            ..Default::default()
        };
        pf.platforms.insert("windows".into(), "10".into());
        pf.platforms.insert("ios".into(), " 17.4 ".into());
        f(&mut pf);
        let mut form = DeclarationForm::default();
        form.p.insert("office_employees".into(), pf);
        form
    }

    #[test]
    fn the_form_becomes_a_declaration_skipping_empty_slots() {
        let d = from_form(&form_with(|_| {}), &served(), &known()).unwrap();
        assert_eq!(d.populations.len(), 2, "every served population is present");
        let office = d.journey("office_employees").unwrap();
        assert_eq!(office.primary, vec![Path::single("platform_passkey")]);
        assert_eq!(office.recovery, vec![Path::single("helpdesk_proofing")]);
        assert_eq!(office.offboarding, Some(Offboarding::Automatic));
        assert_eq!(
            office.session,
            Some(SessionRules {
                max_session_minutes: 600,
                idle_timeout_minutes: 30,
                reauth_sensitive: true
            })
        );
        let dev = office.devices.as_ref().unwrap();
        assert_eq!(dev.platforms.len(), 2);
        assert_eq!(dev.platforms[1].min_version, "17.4");
        let contractors = d.journey("contractors").unwrap();
        assert!(contractors.primary.is_empty() && contractors.session.is_none());
        assert!(contractors.devices.is_none());
    }

    #[test]
    fn a_declaration_shown_in_the_editor_reads_back_as_itself() {
        let d = from_form(
            &form_with(|p| {
                p.fallback = vec![vec!["smart_card".into(), "sms_otp".into()]];
                p.managed_required = Some("on".into());
            }),
            &served(),
            &known(),
        )
        .unwrap();
        let mut form = to_form(&d);
        assert_eq!(
            form.p["office_employees"].fallback,
            [["smart_card", "sms_otp"]]
        );
        let office = &form.p["office_employees"];
        assert_eq!(
            (
                office.max_session_hours.as_str(),
                office.max_session_minutes.as_str()
            ),
            ("10", "0"),
            "shown in hours and minutes"
        );
        assert_eq!(from_form(&form, &served(), &known()).unwrap(), d);
        form.bg.accounts = "3".into();
        form.bg.method = "security_key".into();
        form.bg.location = "Vault".into();
        let with_bg = from_form(&form, &served(), &known()).unwrap();
        assert_eq!(to_form(&with_bg).bg, form.bg);
    }

    #[test]
    fn every_problem_is_named_and_what_can_be_read_is_kept() {
        let mut form = form_with(|p| {
            p.max_session_minutes = "abc".into();
            p.idle_timeout_minutes = "30".into();
            p.offboarding = "never".into();
            p.fallback = vec![vec!["smart_card".into()]];
        });
        form.bg = BreakGlassForm {
            accounts: "".into(),
            method: "security_key".into(),
            location: "Safe".into(),
            last_drill: "2026-02-30".into(),
        };
        let (d, checks) = read_form(&form, &served(), &known());
        let fields: Vec<&str> = checks.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "p[office_employees][offboarding]",
                "p[office_employees][max_session_minutes]",
                "bg[accounts]",
                "bg[last_drill]",
            ]
        );
        let office = d.journey("office_employees").unwrap();
        assert_eq!(office.fallback, vec![Path::single("smart_card")], "kept");
        assert_eq!(office.session, None, "unreadable minutes are left out");
        assert_eq!(d.break_glass.as_ref().unwrap().location, "Safe");
        let err = from_form(&form, &served(), &known()).unwrap_err();
        assert_eq!(err.problems().len(), 4);
    }

    #[test]
    fn bad_values_are_refused_next_to_their_field() {
        let cases: Vec<(DeclarationForm, &str)> = vec![
            (
                form_with(|p| p.primary = vec![vec!["password".into()]]),
                "p[office_employees][primary][0][0]",
            ),
            (
                form_with(|p| {
                    p.primary = vec![vec!["security_key".into()], vec!["security_key".into()]]
                }),
                "p[office_employees][primary][1][0]",
            ),
            (
                form_with(|p| p.primary = vec![vec!["security_key".into(), "security_key".into()]]),
                "p[office_employees][primary][0][1]",
            ),
            (
                form_with(|p| {
                    p.fallback = vec![vec![
                        "security_key".into(),
                        "smart_card".into(),
                        "sms_otp".into(),
                        "platform_passkey".into(),
                    ]]
                }),
                "p[office_employees][fallback][0][3]",
            ),
            (
                form_with(|p| p.step_up = vec![vec!["security_key".into()]; 5]),
                "p[office_employees][step_up][4][0]",
            ),
            (
                form_with(|p| p.max_session_minutes = "ten".into()),
                "p[office_employees][max_session_minutes]",
            ),
            (
                form_with(|p| p.idle_timeout_minutes = "900".into()),
                "p[office_employees][idle_timeout_minutes]",
            ),
            (
                form_with(|p| p.max_session_minutes.clear()),
                "p[office_employees][max_session_minutes]",
            ),
            (
                form_with(|p| {
                    p.platforms.insert("android".into(), "=1+1".into());
                }),
                "p[office_employees][platforms][android]",
            ),
            (
                form_with(|p| {
                    p.managed_required = Some("on".into());
                    p.byod_allowed = Some("on".into());
                }),
                "p[office_employees][byod_allowed]",
            ),
            (
                form_with(|p| p.offboarding = "never".into()),
                "p[office_employees][offboarding]",
            ),
        ];
        for (form, expected) in cases {
            let err = from_form(&form, &served(), &known()).unwrap_err();
            assert_eq!(err.field(), Some(expected), "{err:?}");
        }
    }

    #[test]
    fn break_glass_is_checked() {
        let mut form = form_with(|_| {});
        form.bg = BreakGlassForm {
            accounts: "2".into(),
            method: "security_key".into(),
            location: "Safe in the SOC".into(),
            last_drill: "2026-02-30".into(),
        };
        let err = from_form(&form, &served(), &known()).unwrap_err();
        assert_eq!(err.field(), Some("bg[last_drill]"));
        form.bg.last_drill = "2026-02-28".into();
        let d = from_form(&form, &served(), &known()).unwrap();
        assert_eq!(d.break_glass.unwrap().accounts, 2);
        form.bg.method = "password".into();
        let err = from_form(&form, &served(), &known()).unwrap_err();
        assert_eq!(err.field(), Some("bg[method]"));
    }

    #[test]
    fn submitting_needs_a_primary_unless_federated() {
        let names = Names::default();
        let d = from_form(&form_with(|_| {}), &served(), &known()).unwrap();
        let err = check_submittable(&d, &served(), false, &names).unwrap_err();
        assert_eq!(err.field(), Some("p[contractors][primary][0][0]"));
        assert!(check_submittable(&d, &served(), true, &names).is_ok());
        let only_office = vec!["office_employees".to_string()];
        let d2 = from_form(&form_with(|_| {}), &only_office, &known()).unwrap();
        assert!(check_submittable(&d2, &only_office, false, &names).is_ok());
        assert!(check_submittable(&d2, &served(), false, &names).is_err());
    }

    #[test]
    fn populations_not_served_or_unknown_are_refused() {
        let mut d = defaults(&served(), false, &shipped());
        d.populations
            .push(default_journey("byod_remote", false, &shipped()));
        assert!(validate(&d, &served(), &known()).is_err());
        let all = vec!["office_employees".into(), "partners".into()];
        let d = defaults(&all, false, &shipped());
        let err = validate(&d, &all, &known()).unwrap_err();
        assert_eq!(err.field(), Some("p[partners][population]"));
    }

    #[test]
    fn defaults_pass_validation_with_the_shipped_catalogue() {
        let k = Known {
            methods: [
                "platform_passkey",
                "security_key",
                "smart_card",
                "synced_passkey",
                "temporary_access_pass",
                "helpdesk_proofing",
            ]
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
        };
        let all: Vec<String> = k.populations.iter().cloned().collect();
        let d = defaults(&all, false, &shipped());
        assert_eq!(validate(&d, &all, &k).unwrap(), d);
        assert!(check_submittable(&d, &all, false, &Names::default()).is_ok());
        let shared = d.journey("shared_workstation").unwrap();
        assert!(shared.devices.as_ref().unwrap().shared_workstation);
        assert!(!shared.primary.contains(&Path::single("platform_passkey")));
    }

    #[test]
    fn a_federated_application_adds_to_and_overrides_its_provider() {
        let idp = defaults(&served(), false, &shipped());
        let mut own = defaults(&served(), true, &shipped());
        own.populations[0].fallback = vec![Path::single("sms_otp"), Path::single("security_key")];
        own.populations[0].session = Some(SessionRules {
            max_session_minutes: 60,
            idle_timeout_minutes: 10,
            reauth_sensitive: false,
        });
        let e = effective(&own, Some(&idp));
        let office = e.journey("office_employees").unwrap();
        assert_eq!(office.primary, idp.populations[0].primary);
        assert_eq!(
            office.fallback,
            vec![Path::single("security_key"), Path::single("sms_otp")]
        );
        assert_eq!(office.session.as_ref().unwrap().max_session_minutes, 60);
        assert_eq!(office.devices, idp.populations[0].devices);
        assert_eq!(e.journey("contractors"), idp.journey("contractors"));
        assert_eq!(effective(&own, None), own);
    }

    #[test]
    fn diff_lists_what_changed_in_plain_words() {
        let mut names = Names::default();
        names
            .methods
            .insert("sms_otp".into(), "SMS one-time code".into());
        names
            .populations
            .insert("office_employees".into(), "Office employees".into());
        let a = defaults(&served(), false, &shipped());
        let mut b = a.clone();
        b.populations[0].recovery = vec![Path::of(&["sms_otp", "security_key"])];
        b.populations[1].session = None;
        let ranks: BTreeMap<String, i32> = [
            ("security_key", 1),
            ("platform_passkey", 2),
            ("helpdesk_proofing", 8),
            ("sms_otp", 9),
        ]
        .into_iter()
        .map(|(k, r)| (k.to_string(), r))
        .collect();
        let changes = diff(&a, &b, &names, &ranks);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].what, "Office employees · Recovery");
        assert_eq!(changes[0].after, "SMS one-time code + security_key");
        assert_eq!(changes[0].added, ["SMS one-time code + security_key"]);
        assert_eq!(changes[0].removed.len(), a.populations[0].recovery.len());
        assert_eq!(changes[1].what, "contractors · Session rules");
        assert_eq!(changes[1].after, "not declared");
        assert_eq!(changes[1].effect, None, "no rules to compare with");
        assert!(diff(&a, &a, &names, &ranks).is_empty());

        // Adding a weaker path weakens a role; taking it away again strengthens it.
        let mut c = a.clone();
        c.populations[0].fallback = vec![Path::single("security_key"), Path::single("sms_otp")];
        let mut d = c.clone();
        d.populations[0].fallback = vec![Path::single("security_key")];
        let fallback = |from: &Declaration, to: &Declaration| {
            diff(from, to, &names, &ranks)
                .into_iter()
                .find(|c| c.what.ends_with("Fallback"))
                .unwrap()
        };
        let weaker = fallback(&d, &c);
        assert_eq!(weaker.effect, Some(Effect::Weakens));
        assert_eq!(weaker.added, ["SMS one-time code"]);
        assert!(weaker.removed.is_empty());
        assert_eq!(fallback(&c, &d).effect, Some(Effect::Strengthens));
        // A longer session weakens, shorter idle with re-authentication strengthens; both mixed.
        let mut e = a.clone();
        let s = e.populations[0].session.as_mut().unwrap();
        s.max_session_minutes += 60;
        let session = |to: &Declaration| {
            diff(&a, to, &names, &ranks)
                .into_iter()
                .find(|c| c.what.ends_with("Session rules"))
                .unwrap()
                .effect
        };
        assert_eq!(session(&e), Some(Effect::Weakens));
        let s = e.populations[0].session.as_mut().unwrap();
        s.max_session_minutes -= 120;
        assert_eq!(session(&e), Some(Effect::Strengthens));
        let s = e.populations[0].session.as_mut().unwrap();
        s.idle_timeout_minutes += 5;
        assert_eq!(session(&e), Some(Effect::Mixed));
    }

    #[test]
    fn flatten_gives_paths_and_positions_per_role() {
        let mut d = defaults(&["office_employees".to_string()], false, &shipped());
        d.populations[0].fallback = vec![
            Path::of(&["password", "totp_app"]),
            Path::single("security_key"),
        ];
        let rows = flatten(&d);
        let row = |role, path, position, method: &str| MethodRow {
            population: "office_employees".into(),
            role,
            path,
            position,
            method: method.into(),
        };
        assert!(rows.contains(&row(JourneyRole::Primary, 1, 1, "security_key")));
        let fallbacks: Vec<_> = rows
            .iter()
            .filter(|r| r.role == JourneyRole::Fallback)
            .cloned()
            .collect();
        assert_eq!(
            fallbacks,
            vec![
                row(JourneyRole::Fallback, 0, 0, "password"),
                row(JourneyRole::Fallback, 0, 1, "totp_app"),
                row(JourneyRole::Fallback, 1, 2, "security_key"),
            ]
        );
    }

    #[test]
    fn a_path_reads_from_a_bare_key_or_a_list_and_writes_back_the_same() {
        let old = r#"{"population":"office_employees","primary":["platform_passkey"],"fallback":["password",["password","totp_app"]]}"#;
        let j: PopulationJourney = serde_json::from_str(old).unwrap();
        assert_eq!(j.primary, vec![Path::single("platform_passkey")]);
        assert_eq!(
            j.fallback,
            vec![
                Path::single("password"),
                Path::of(&["password", "totp_app"])
            ]
        );
        let written = serde_json::to_string(&j).unwrap();
        assert!(
            written.contains(r#""fallback":["password",["password","totp_app"]]"#),
            "{written}"
        );
        assert_eq!(
            serde_json::from_str::<PopulationJourney>(&written).unwrap(),
            j
        );
    }

    #[test]
    fn the_same_method_may_appear_alone_and_combined_in_one_role() {
        let d = from_form(
            &form_with(|p| {
                p.fallback = vec![
                    vec!["sms_otp".into()],
                    vec!["sms_otp".into(), "security_key".into()],
                ]
            }),
            &served(),
            &known(),
        )
        .unwrap();
        assert_eq!(d.populations[0].fallback.len(), 2);
    }

    #[test]
    fn fitting_keeps_declared_journeys_and_adds_defaults() {
        let d = defaults(&["office_employees".to_string()], false, &shipped());
        let mut custom = d.clone();
        custom.populations[0].primary = vec![Path::single("smart_card")];
        let fitted = fit_to(&custom, &served(), false, &shipped());
        assert_eq!(fitted.populations.len(), 2);
        assert_eq!(
            fitted.populations[0].primary,
            vec![Path::single("smart_card")]
        );
        assert_eq!(
            fitted.populations[1],
            default_journey("contractors", false, &shipped())
        );
        assert!(
            fit_to(&custom, &["contractors".to_string()], false, &shipped())
                .journey("office_employees")
                .is_none()
        );
    }

    #[test]
    fn durations_are_read_in_hours_and_minutes_or_minutes_alone() {
        let read = |h: &str, m: &str| {
            let mut checks = Checks::new();
            let r = read_duration((h, m), "office_employees", "max_session", &mut checks);
            let fields: Vec<String> = checks.problems().iter().map(|p| p.field.clone()).collect();
            (r, fields)
        };
        assert_eq!(read("8", "30"), (Ok(Some(510)), vec![]));
        assert_eq!(read("8", ""), (Ok(Some(480)), vec![]));
        assert_eq!(
            read("", "480"),
            (Ok(Some(480)), vec![]),
            "as scripts post it"
        );
        assert_eq!(read("", ""), (Ok(None), vec![]));
        assert_eq!(
            read("8", "75"),
            (
                Err(()),
                vec!["p[office_employees][max_session_minutes]".to_string()]
            ),
            "minutes beside hours stay below 60"
        );
        assert_eq!(
            read("eight", ""),
            (
                Err(()),
                vec!["p[office_employees][max_session_hours]".to_string()]
            )
        );
        assert_eq!(read("0", "0").1.len(), 1, "at least a minute");
        assert_eq!(read("721", "").1.len(), 1, "at most 30 days");
        assert_eq!(hours_and_minutes(Some(510)), ("8".into(), "30".into()));
        assert_eq!(hours_and_minutes(None), (String::new(), String::new()));
    }

    #[test]
    fn list_buttons_move_remove_and_add_paths() {
        let edit = |position: usize, action: ListMove| ListEdit {
            population: "office_employees".into(),
            role: JourneyRole::Fallback,
            position,
            action,
        };
        let mut form = form_with(|p| {
            p.fallback = vec![
                vec!["totp_app".into()],
                vec!["password".into(), "totp_app".into()],
                vec!["smart_card".into()],
            ]
        });
        let keys = |f: &DeclarationForm| -> Vec<String> {
            f.p["office_employees"]
                .fallback
                .iter()
                .map(|p| p.join("+"))
                .collect()
        };
        assert!(apply_edit(&mut form, &edit(2, ListMove::Up)));
        assert_eq!(keys(&form), ["totp_app", "smart_card", "password+totp_app"]);
        assert!(apply_edit(&mut form, &edit(0, ListMove::Down)));
        assert_eq!(keys(&form), ["smart_card", "totp_app", "password+totp_app"]);
        assert!(apply_edit(&mut form, &edit(1, ListMove::Remove)));
        assert_eq!(keys(&form), ["smart_card", "password+totp_app"]);
        assert!(apply_edit(&mut form, &edit(2, ListMove::Add)));
        assert_eq!(keys(&form), ["smart_card", "password+totp_app", ""]);
        // Buttons at the ends, or naming what is not there, change nothing.
        let before = form.clone();
        assert!(!apply_edit(&mut form, &edit(0, ListMove::Up)));
        assert!(!apply_edit(&mut form, &edit(2, ListMove::Down)));
        assert!(!apply_edit(&mut form, &edit(7, ListMove::Remove)));
        let mut elsewhere = edit(0, ListMove::Remove);
        elsewhere.population = "nobody".into();
        assert!(!apply_edit(&mut form, &elsewhere));
        assert_eq!(form, before);
        // A role holds at most its number of paths.
        form.p.get_mut("office_employees").unwrap().fallback =
            vec![vec![]; JourneyRole::Fallback.slots()];
        assert!(!apply_edit(&mut form, &edit(0, ListMove::Add)));
        // The button's value reads back as the edit, and nothing else reads as one.
        let e = edit(1, ListMove::Down);
        assert_eq!(ListEdit::parse(&e.value()), Some(e));
        for bad in [
            "",
            "office_employees/fallback/1",
            "x/sideways/1/up",
            "x/fallback/-1/up",
            "/fallback/1/up",
            "x/fallback/1/jump",
        ] {
            assert_eq!(ListEdit::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn weak_choices_follow_the_criticality_and_the_standard() {
        let policy = shipped();
        let method = |key: &str, aal: i32, pr: bool| MethodTraits {
            key: key.into(),
            name: key.into(),
            max_aal: aal,
            phishing_resistant: pr,
        };
        let methods = [
            method("security_key", 3, true),
            method("synced_passkey", 2, true),
            method("totp_app", 2, false),
            method("sms_otp", 1, false),
            method("helpdesk_kba", 1, false),
        ];
        let low = weak_choices(&policy, Criticality::Low, &methods);
        let critical = weak_choices(&policy, Criticality::Critical, &methods);
        let high = weak_choices(&policy, Criticality::High, &methods);
        let weak = |w: &BTreeMap<JourneyRole, BTreeMap<String, String>>, role| -> Vec<String> {
            w[&role].keys().cloned().collect()
        };
        // SMS is not accepted anywhere by the shipped standard, knowledge questions never.
        assert_eq!(
            weak(&low, JourneyRole::Fallback),
            ["helpdesk_kba", "sms_otp"]
        );
        assert!(low[&JourneyRole::Fallback]["helpdesk_kba"].contains("never"));
        // A critical application needs AAL3: a synced passkey is weak as its primary.
        assert!(weak(&critical, JourneyRole::Primary).contains(&"synced_passkey".to_string()));
        assert!(critical[&JourneyRole::Primary]["synced_passkey"].contains("AAL3"));
        assert!(!weak(&critical, JourneyRole::Primary).contains(&"security_key".to_string()));
        // A high one's primary must resist phishing; its fallback need not.
        assert!(high[&JourneyRole::Primary]["totp_app"].contains("phished"));
        assert!(!weak(&high, JourneyRole::Fallback).contains(&"totp_app".to_string()));
    }
}
