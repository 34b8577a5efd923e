//! The matrix, the journeys view, the fragmentation figures and password-removal readiness as
//! pure functions over an estate that the server loads (or a test names): no database, no
//! clock (today is a parameter).
//!
//! - An application is read through its **effective journey**: for a federated application, its
//!   provider's journey with its own paths added (the declarations' `effective`); a role held
//!   only through the provider is marked inherited.
//! - A **cell** (application × method) holds the roles the method plays, for the populations
//!   shown (one, or the union of all the application serves). Its state comes from the
//!   findings whose scope names the method: open when one of them is not accepted by an approved
//!   exception, excepted when every one is, standard when none names it.
//! - A **journey** is the paths of the six roles, in order; two populations (of one application
//!   or of two) with the same paths live with the same journey, whatever their session or
//!   device settings.
//! - **Readiness**: see [`readiness`].

use super::model::{
    BySeverity, Cell, CellState, Choice, Fragmentation, GroupMember, JourneyGroup, JourneysPage,
    MATRIX_PAGE, MatrixFilter, MatrixPage, MatrixRowView, MethodColumn, Readiness, RoleMarks,
    role_bit, severity_index,
};
use crate::catalogue::model::{FactorKind, MethodView};
use crate::declarations::facade::{describe_path, describe_paths, effective};
use crate::findings::facade::{Catalogue, path_assurance, population_assurance};
use crate::ids::ApplicationId;
use crate::journey::{Declaration, JourneyRole, Names, Path, PopulationJourney};
use crate::policy::model::Policy;
use crate::vocab::{Criticality, Integration, Severity};
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// A finding as the matrix reads it (resolved ones are not given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingFact {
    pub rule: String,
    pub severity: Severity,
    pub population: Option<String>,
    pub role: Option<JourneyRole>,
    /// The methods of the path it names (none: it is about the population or application).
    pub methods: Vec<String>,
    /// An approved exception accepts it now.
    pub excepted: bool,
}

impl FindingFact {
    /// The methods of a finding's scope as stored (`password+totp_app`).
    pub fn methods_of(scope_method: Option<&str>) -> Vec<String> {
        scope_method
            .map(|m| {
                m.split(crate::journey::FACTOR_SEPARATOR)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn bears_on(&self, population: &str) -> bool {
        self.population.as_deref().is_none_or(|p| p == population)
    }
}

/// One application with everything the matrix reads of it.
#[derive(Clone, Debug)]
pub struct EstateApp {
    pub id: ApplicationId,
    pub name: String,
    /// The name lower-cased (the order of names).
    pub name_key: String,
    pub unit: Option<String>,
    pub criticality: Criticality,
    pub integration: Integration,
    /// The identity provider's name, when federated.
    pub provider: Option<String>,
    /// Owners' user names, lower-cased.
    pub owners: Vec<String>,
    /// Served population keys, in the catalogue's order.
    pub served: Vec<String>,
    /// The latest submitted version, if any.
    pub own: Option<Declaration>,
    /// The provider's latest version, when federated.
    pub inherited: Option<Declaration>,
    pub findings: Vec<FindingFact>,
    /// Approved exceptions of the application that end within [`super::model::EXPIRING_DAYS`].
    pub expiring: u32,
}

/// One population of one application, computed.
#[derive(Clone, Debug)]
pub struct PopulationEntry {
    pub key: String,
    pub declared: bool,
    /// The journey's id in [`Estate::journeys`] (declared populations only).
    pub journey: Option<u32>,
    /// Cells by column (column order).
    pub cells: Vec<Cell>,
    pub aal: u8,
    pub phishing_resistant: bool,
    pub standard: bool,
    pub restricted: bool,
    /// A fallback or recovery weaker than the primary (rule 1 names it).
    pub weaker: bool,
    pub open: BySeverity,
    pub excepted: u32,
}

/// One application, computed once per estate.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: ApplicationId,
    pub name: String,
    pub name_key: String,
    pub unit: Option<String>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub provider: Option<String>,
    pub owners: Vec<String>,
    pub populations: Vec<PopulationEntry>,
    /// Findings of the whole application (every population and none), by severity.
    pub open: BySeverity,
    pub excepted: u32,
    /// Rules of its open findings, per population (`None`: the application's own).
    pub open_rules: Vec<(Option<String>, String)>,
    pub readiness: Readiness,
    pub expiring: u32,
}

impl Entry {
    /// The populations shown under a population filter (all of them without one).
    pub fn shown<'a>(
        &'a self,
        population: Option<&'a str>,
    ) -> impl Iterator<Item = &'a PopulationEntry> + 'a {
        self.populations
            .iter()
            .filter(move |p| population.is_none_or(|k| p.key == k))
    }
}

/// A method column's facts.
#[derive(Clone, Debug)]
pub struct Column {
    pub key: String,
    pub name: String,
    pub category: String,
    pub restricted: bool,
    pub phishing_resistant: bool,
    pub knowledge: bool,
}

/// The estate as the matrix reads it.
#[derive(Clone, Debug, Default)]
pub struct Estate {
    pub columns: Vec<Column>,
    pub entries: Vec<Entry>,
    /// Distinct journeys: the paths of each role in `JourneyRole::ALL` order.
    pub journeys: Vec<[Vec<Path>; 6]>,
    /// Journeys that are some population's standard journey.
    pub standard_journeys: Vec<bool>,
    pub names: Names,
    /// Population keys and names in catalogue order.
    pub populations: Vec<Choice>,
    /// Business units' names.
    pub units: Vec<String>,
    pub policy_version: i32,
}

/// The columns: every method of the catalogue that is active or used, grouped by category and
/// strongest first (the category of the strongest method first, then by strength, then name).
pub fn columns(methods: &[MethodView], used: &dyn Fn(&str) -> bool) -> Vec<Column> {
    let mut shown: Vec<&MethodView> = methods
        .iter()
        .filter(|m| m.active || used(&m.key))
        .collect();
    let mut best: HashMap<&str, i32> = HashMap::new();
    for m in &shown {
        let b = best.entry(m.category.as_str()).or_insert(i32::MAX);
        *b = (*b).min(m.strength_rank);
    }
    shown.sort_by(|a, b| {
        (
            best[a.category.as_str()],
            &a.category,
            a.strength_rank,
            &a.name,
        )
            .cmp(&(
                best[b.category.as_str()],
                &b.category,
                b.strength_rank,
                &b.name,
            ))
    });
    shown
        .into_iter()
        .map(|m| Column {
            key: m.key.clone(),
            name: m.name.clone(),
            category: m.category.clone(),
            restricted: m.restricted,
            phishing_resistant: m.phishing_resistant,
            knowledge: m.factor == FactorKind::Knowledge,
        })
        .collect()
}

/// The roles each method plays in a population's effective journey. `own` is the application's
/// own journey of that population when the effective one merges a provider's (a role held by no
/// own path is inherited).
pub fn marks(
    effective: &PopulationJourney,
    own: Option<&PopulationJourney>,
    federated: bool,
) -> BTreeMap<String, RoleMarks> {
    let mut out: BTreeMap<String, RoleMarks> = BTreeMap::new();
    for role in JourneyRole::ALL.iter().copied() {
        let bit = role_bit(role);
        // Per method: seen alone / seen in an own path.
        let mut alone: BTreeMap<&str, bool> = BTreeMap::new();
        let mut owned: BTreeMap<&str, bool> = BTreeMap::new();
        for path in effective.paths(role) {
            let is_own = !federated || own.is_some_and(|o| o.paths(role).contains(path));
            for m in path.factors() {
                *alone.entry(m).or_default() |= !path.is_combined();
                *owned.entry(m).or_default() |= is_own;
            }
        }
        for (m, single) in alone {
            let e = out.entry(m.to_string()).or_default();
            e.roles |= bit;
            if !single {
                e.combined_only |= bit;
            }
            if !owned[m] {
                e.inherited_only |= bit;
            }
        }
    }
    out
}

/// A cell's state from the findings bearing on the population and naming the method.
pub fn cell_state(findings: &[FindingFact], population: &str, method: &str) -> CellState {
    findings
        .iter()
        .filter(|f| f.bears_on(population) && f.methods.iter().any(|m| m == method))
        .map(|f| {
            if f.excepted {
                CellState::Excepted
            } else {
                CellState::Open
            }
        })
        .max()
        .unwrap_or(CellState::Standard)
}

/// Whether a journey's paths are the standard journey's, role by role.
pub fn is_standard(journey: &PopulationJourney, standard: &PopulationJourney) -> bool {
    JourneyRole::ALL
        .iter()
        .all(|r| journey.paths(*r) == standard.paths(*r))
}

fn knowledge_in(path: &Path, catalogue: &Catalogue) -> bool {
    path.factors().iter().any(|m| {
        catalogue
            .get(m)
            .is_some_and(|v| v.factor == FactorKind::Knowledge)
    })
}

/// Whether an application can remove passwords now, and what blocks it in plain words. It can
/// when, for every population it serves:
/// - a journey is declared, with a primary, none of whose paths needs a password, and which the
///   population can use (no finding of rule 9 stands for it);
/// - no other role (fallback, recovery, step-up, enrolment, device replacement) needs a password,
///   and no fallback or recovery path is below the policy's minimum assurance for the
///   application's criticality;
/// - device replacement is self-service (a path is declared and rule 18, help desk only, does
///   not stand);
///
/// and, for the application, a break-glass arrangement exists with a drill no older than the
/// policy allows where the policy requires one, and no open (not excepted) high or critical
/// finding remains.
#[allow(clippy::too_many_arguments)]
pub fn readiness(
    served: &[String],
    journey: &Declaration,
    criticality: Criticality,
    findings: &[FindingFact],
    policy: &Policy,
    catalogue: &Catalogue,
    names: &Names,
    today: Date,
) -> Readiness {
    let rules = policy.for_criticality(criticality);
    let mut blockers = Vec::new();
    if served.is_empty() {
        blockers.push("It serves no population.".to_string());
    }
    let standing = |rule: &str, population: &str| {
        findings
            .iter()
            .any(|f| f.rule == rule && f.population.as_deref() == Some(population))
    };
    for key in served {
        let pop = names.population(key);
        let Some(j) = journey.journey(key) else {
            blockers.push(format!("{pop}: no journey is declared."));
            continue;
        };
        if j.primary.is_empty() {
            blockers.push(format!("{pop}: no primary way to sign in is declared."));
        }
        for role in JourneyRole::ALL.iter().copied() {
            let with_password: Vec<String> = j
                .paths(role)
                .iter()
                .filter(|p| knowledge_in(p, catalogue))
                .map(|p| describe_path(p, names))
                .collect();
            if !with_password.is_empty() {
                blockers.push(format!(
                    "{pop}: the {} still needs a password ({}).",
                    role.label().to_lowercase(),
                    with_password.join("; ")
                ));
            }
        }
        if standing("no_usable_primary", key) {
            blockers.push(format!(
                "{pop}: the primary cannot be used by this population (rule 9)."
            ));
        }
        for role in [JourneyRole::Fallback, JourneyRole::Recovery] {
            for p in j.paths(role) {
                let a = path_assurance(p, catalogue);
                if a.procedure_only || knowledge_in(p, catalogue) {
                    continue;
                }
                if a.aal < rules.min_aal {
                    blockers.push(format!(
                        "{pop}: the {} {} is AAL{}, below the policy's AAL{} for {} applications.",
                        role.label().to_lowercase(),
                        describe_path(p, names),
                        a.aal,
                        rules.min_aal,
                        criticality.label().to_lowercase()
                    ));
                }
            }
        }
        if j.device_replacement.is_empty() {
            blockers.push(format!("{pop}: no way to replace a device is declared."));
        } else if standing("device_replacement_helpdesk_only", key) {
            blockers.push(format!(
                "{pop}: a new device needs the help desk (not self-service)."
            ));
        }
    }
    if rules.break_glass_required {
        match &journey.break_glass {
            None => blockers.push(format!(
                "No break-glass arrangement, which the policy requires for {} applications.",
                criticality.label().to_lowercase()
            )),
            Some(b) => match b
                .last_drill
                .as_deref()
                .and_then(crate::validation::parse_date)
            {
                None => blockers.push("The break-glass arrangement has never been drilled.".into()),
                Some(d) if (today - d).whole_days() > i64::from(rules.max_drill_age_days) => {
                    blockers.push(format!(
                        "The last break-glass drill ({d}) is older than the policy's {} days.",
                        rules.max_drill_age_days
                    ))
                }
                Some(_) => {}
            },
        }
    }
    let grave = findings
        .iter()
        .filter(|f| !f.excepted && matches!(f.severity, Severity::Critical | Severity::High))
        .count();
    if grave > 0 {
        blockers.push(format!(
            "{grave} open high or critical finding{} without an exception.",
            if grave == 1 { "" } else { "s" }
        ));
    }
    Readiness { blockers }
}

/// Counts of findings by severity: open (not excepted) and excepted.
fn tally<'a>(findings: impl Iterator<Item = &'a FindingFact>) -> (BySeverity, u32) {
    let mut open = [0; 4];
    let mut excepted = 0;
    for f in findings {
        if f.excepted {
            excepted += 1;
        } else {
            open[severity_index(f.severity)] += 1;
        }
    }
    (open, excepted)
}

/// Builds the estate: each application computed once (journeys interned, cells, assurance,
/// readiness).
#[allow(clippy::too_many_arguments)]
pub fn estate(
    apps: Vec<EstateApp>,
    methods: &[MethodView],
    policy: &Policy,
    policy_version: i32,
    names: Names,
    populations: Vec<Choice>,
    units: Vec<String>,
    today: Date,
) -> Estate {
    let catalogue = Catalogue::new(methods);
    let prepared: Vec<(EstateApp, Declaration)> = apps
        .into_iter()
        .map(|a| {
            let own = a.own.clone().unwrap_or_default();
            let e = if a.provider.is_some() || a.inherited.is_some() {
                effective(&own, a.inherited.as_ref())
            } else {
                own
            };
            (a, e)
        })
        .collect();
    let used: std::collections::HashSet<&str> = prepared
        .iter()
        .flat_map(|(_, d)| d.populations.iter())
        .flat_map(|j| JourneyRole::ALL.iter().flat_map(move |r| j.paths(*r)))
        .flat_map(|p| p.factors().iter().map(String::as_str))
        .collect();
    let columns = columns(methods, &|k| used.contains(k));
    let index: HashMap<&str, u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i as u16))
        .collect();
    let mut journeys: Vec<[Vec<Path>; 6]> = Vec::new();
    let mut standard_journeys: Vec<bool> = Vec::new();
    let mut interned: HashMap<[Vec<Path>; 6], u32> = HashMap::new();
    let mut entries = Vec::with_capacity(prepared.len());
    for (app, journey) in &prepared {
        let federated = app.provider.is_some() || app.inherited.is_some();
        let mut pops = Vec::with_capacity(app.served.len());
        for key in &app.served {
            let (open, excepted) = tally(app.findings.iter().filter(|f| f.bears_on(key)));
            let weaker = app
                .findings
                .iter()
                .any(|f| f.rule == "weakest_link" && f.bears_on(key));
            let Some(j) = journey.journey(key) else {
                pops.push(PopulationEntry {
                    key: key.clone(),
                    declared: false,
                    journey: None,
                    cells: Vec::new(),
                    aal: 0,
                    phishing_resistant: false,
                    standard: false,
                    restricted: false,
                    weaker,
                    open,
                    excepted,
                });
                continue;
            };
            let own = app.own.as_ref().and_then(|d| d.journey(key));
            let mut cells: Vec<Cell> = marks(j, own, federated)
                .into_iter()
                .filter_map(|(m, marks)| {
                    index.get(m.as_str()).map(|c| Cell {
                        column: *c,
                        marks,
                        state: cell_state(&app.findings, key, &m),
                    })
                })
                .collect();
            cells.sort_by_key(|c| c.column);
            let shape: [Vec<Path>; 6] =
                std::array::from_fn(|i| j.paths(JourneyRole::ALL[i]).to_vec());
            let standard = is_standard(j, &policy.standard_for(key));
            let id = *interned.entry(shape.clone()).or_insert_with(|| {
                journeys.push(shape);
                standard_journeys.push(false);
                (journeys.len() - 1) as u32
            });
            if standard {
                standard_journeys[id as usize] = true;
            }
            let assurance = population_assurance(j, &catalogue, federated);
            let restricted = cells.iter().any(|c| columns[c.column as usize].restricted);
            pops.push(PopulationEntry {
                key: key.clone(),
                declared: true,
                journey: Some(id),
                cells,
                aal: assurance.aal,
                phishing_resistant: assurance.phishing_resistant,
                standard,
                restricted,
                weaker,
                open,
                excepted,
            });
        }
        let (open, excepted) = tally(app.findings.iter());
        let readiness = readiness(
            &app.served,
            journey,
            app.criticality,
            &app.findings,
            policy,
            &catalogue,
            &names,
            today,
        );
        entries.push(Entry {
            id: app.id,
            name: app.name.clone(),
            name_key: app.name_key.clone(),
            unit: app.unit.clone(),
            criticality: app.criticality,
            integration: app.integration,
            provider: app.provider.clone(),
            owners: app.owners.clone(),
            populations: pops,
            open,
            excepted,
            open_rules: app
                .findings
                .iter()
                .filter(|f| !f.excepted)
                .map(|f| (f.population.clone(), f.rule.clone()))
                .collect(),
            readiness,
            expiring: app.expiring,
        });
    }
    entries.sort_by(|a, b| a.name_key.cmp(&b.name_key));
    Estate {
        columns,
        entries,
        journeys,
        standard_journeys,
        names,
        populations,
        units,
        policy_version,
    }
}

/// What one row shows under a filter: its cells (the union over the populations shown, in one
/// role when one is chosen), assurance and findings.
pub struct Shown {
    pub cells: Vec<Cell>,
    pub aal: u8,
    pub phishing_resistant: bool,
    pub open: BySeverity,
    pub excepted: u32,
    pub undeclared: bool,
    pub populations: usize,
}

pub fn shown(entry: &Entry, population: Option<&str>, role: Option<JourneyRole>) -> Shown {
    let mut cells: Vec<Cell> = Vec::new();
    let mut aal = u8::MAX;
    let mut pr = true;
    let mut undeclared = false;
    let mut count = 0;
    for p in entry.shown(population) {
        count += 1;
        undeclared |= !p.declared;
        aal = aal.min(p.aal);
        pr &= p.phishing_resistant;
        for c in &p.cells {
            let marks = match role {
                Some(r) => c.marks.only(r),
                None => c.marks,
            };
            if marks.is_empty() {
                continue;
            }
            match cells.iter_mut().find(|x| x.column == c.column) {
                Some(x) => {
                    x.marks = x.marks.union(&marks);
                    x.state = x.state.max(c.state);
                }
                None => cells.push(Cell {
                    column: c.column,
                    marks,
                    state: c.state,
                }),
            }
        }
    }
    cells.sort_by_key(|c| c.column);
    let (open, excepted) = match population {
        None => (entry.open, entry.excepted),
        Some(_) => entry.shown(population).fold(([0; 4], 0), |(o, e), p| {
            (std::array::from_fn(|i| o[i] + p.open[i]), e + p.excepted)
        }),
    };
    Shown {
        cells,
        aal: if count == 0 { 0 } else { aal },
        phishing_resistant: count > 0 && pr,
        open,
        excepted,
        undeclared,
        populations: count,
    }
}

/// The filter as the estate reads it.
pub struct Criteria<'a> {
    pub unit: Option<&'a str>,
    pub criticality: Option<Criticality>,
    pub population: Option<&'a str>,
    pub integration: Option<Integration>,
    pub owner: Option<String>,
    pub method: Option<u16>,
    pub role: Option<JourneyRole>,
    pub state: Option<CellState>,
    pub readiness: Option<bool>,
}

impl<'a> Criteria<'a> {
    /// Reads a filter; `viewer` is the viewer's user name (for `owner=mine`). Returns the
    /// criteria and the filter's parts that name nothing known, with why.
    pub fn of(
        filter: &'a MatrixFilter,
        estate: &Estate,
        viewer: Option<&str>,
    ) -> (Self, Vec<(String, String)>) {
        let mut unknown = Vec::new();
        let opt = |s: &'a str| (!s.is_empty()).then_some(s);
        let method = opt(&filter.method).and_then(|m| {
            let found = estate.columns.iter().position(|c| c.key == m);
            if found.is_none() {
                unknown.push((
                    "method".into(),
                    "No method of the catalogue has this key.".into(),
                ));
            }
            found.map(|i| i as u16)
        });
        let owner = match filter.owner.trim() {
            "" => None,
            "mine" => Some(viewer.unwrap_or_default().to_lowercase()),
            name => Some(name.to_lowercase()),
        };
        (
            Self {
                unit: opt(&filter.unit),
                criticality: Criticality::parse(&filter.criticality),
                population: opt(&filter.population),
                integration: Integration::parse(&filter.integration),
                owner,
                method,
                role: JourneyRole::parse(&filter.role),
                state: CellState::parse(&filter.state),
                readiness: match filter.readiness.as_str() {
                    "ready" => Some(true),
                    "blocked" => Some(false),
                    _ => None,
                },
            },
            unknown,
        )
    }

    pub fn matches(&self, e: &Entry) -> bool {
        if self.unit.is_some_and(|u| e.unit.as_deref() != Some(u))
            || self.criticality.is_some_and(|c| e.criticality != c)
            || self.integration.is_some_and(|i| e.integration != i)
            || self.readiness.is_some_and(|r| e.readiness.ready() != r)
            || self
                .owner
                .as_ref()
                .is_some_and(|o| !e.owners.iter().any(|x| x == o))
        {
            return false;
        }
        if let Some(p) = self.population
            && !e.populations.iter().any(|x| x.key == p)
        {
            return false;
        }
        if let Some(m) = self.method {
            let uses = e.shown(self.population).any(|p| {
                p.cells
                    .iter()
                    .any(|c| c.column == m && self.role.is_none_or(|r| c.marks.has(r)))
            });
            if !uses {
                return false;
            }
        }
        if let Some(s) = self.state {
            let shown = shown(e, self.population, None);
            let state = if shown.open.iter().sum::<u32>() > 0 {
                CellState::Open
            } else if shown.excepted > 0 {
                CellState::Excepted
            } else {
                CellState::Standard
            };
            if state != s {
                return false;
            }
        }
        true
    }
}

/// The applications matching a filter, in the filter's order.
pub fn matching<'e>(estate: &'e Estate, criteria: &Criteria, sort: &str) -> Vec<&'e Entry> {
    matching_indices(estate, criteria, sort)
        .into_iter()
        .map(|i| &estate.entries[i])
        .collect()
}

/// The places in `estate.entries` of the applications matching a filter, in the filter's order.
pub fn matching_indices(estate: &Estate, criteria: &Criteria, sort: &str) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..estate.entries.len())
        .filter(|i| criteria.matches(&estate.entries[*i]))
        .collect();
    let e = |i: &usize| &estate.entries[*i];
    let pop = criteria.population;
    match sort {
        // Entries are in name order, and the sorts are stable: ties stay by name.
        "assurance" => rows.sort_by_cached_key(|i| {
            let s = shown(e(i), pop, None);
            (s.aal, s.phishing_resistant)
        }),
        "findings" => rows.sort_by_cached_key(|i| std::cmp::Reverse(shown(e(i), pop, None).open)),
        "readiness" => rows.sort_by_key(|i| e(i).readiness.blockers.len()),
        "criticality" => rows.sort_by_key(|i| std::cmp::Reverse(e(i).criticality)),
        _ => {}
    }
    rows
}

/// The fragmentation figures of a set of rows.
pub fn fragmentation(rows: &[&Entry], population: Option<&str>) -> Fragmentation {
    let mut f = Fragmentation {
        applications: rows.len() as u32,
        ..Default::default()
    };
    let mut distinct = std::collections::HashSet::new();
    for e in rows {
        let mut all_standard = true;
        let mut any = false;
        let mut restricted = false;
        let mut weaker = false;
        for p in e.shown(population) {
            any = true;
            all_standard &= p.declared && p.standard;
            if let Some(j) = p.journey {
                f.journeys += 1;
                distinct.insert(j);
            }
            if p.restricted {
                restricted = true;
                f.restricted_populations += 1;
            }
            weaker |= p.weaker;
        }
        weaker |= e
            .open_rules
            .iter()
            .any(|(p, r)| p.is_none() && r == "weakest_link");
        if any && all_standard {
            f.on_standard += 1;
        }
        f.restricted_applications += u32::from(restricted);
        f.weaker_fallback += u32::from(weaker);
        let s = shown(e, population, None);
        for (t, n) in f.open.iter_mut().zip(s.open) {
            *t += n;
        }
        f.expiring_exceptions += e.expiring;
        f.ready += u32::from(e.readiness.ready());
    }
    f.distinct_journeys = distinct.len() as u32;
    f
}

/// Per column, how many of the rows use the method in each role (under the population filter).
pub fn column_counts(rows: &[&Entry], population: Option<&str>, columns: usize) -> Vec<[u32; 6]> {
    let mut counts = vec![[0u32; 6]; columns];
    for e in rows {
        for c in shown(e, population, None).cells {
            for (i, r) in JourneyRole::ALL.iter().enumerate() {
                if c.marks.has(*r) {
                    counts[c.column as usize][i] += 1;
                }
            }
        }
    }
    counts
}

/// One page of the matrix for a filter.
pub fn page(estate: &Estate, filter: &MatrixFilter, viewer: Option<&str>) -> MatrixPage {
    let (criteria, unknown) = Criteria::of(filter, estate, viewer);
    let rows = matching(estate, &criteria, &filter.sort);
    let figures = fragmentation(&rows, criteria.population);
    let counts = column_counts(&rows, criteria.population, estate.columns.len());
    let pages = rows.len().div_ceil(MATRIX_PAGE).max(1);
    let page = filter.page_number().min(pages);
    let start = (page - 1) * MATRIX_PAGE;
    let shown_rows = rows
        .iter()
        .skip(start)
        .take(MATRIX_PAGE)
        .map(|e| row_view(e, estate, criteria.population, criteria.role))
        .collect();
    MatrixPage {
        filter: filter.clone(),
        figures,
        columns: estate
            .columns
            .iter()
            .zip(counts)
            .map(|(c, by_role)| MethodColumn {
                key: c.key.clone(),
                name: c.name.clone(),
                category: c.category.clone(),
                restricted: c.restricted,
                phishing_resistant: c.phishing_resistant,
                by_role,
            })
            .collect(),
        rows: shown_rows,
        total: rows.len() as u32,
        page,
        pages,
        units: estate
            .units
            .iter()
            .map(|u| Choice {
                key: u.clone(),
                label: u.clone(),
            })
            .collect(),
        populations: estate.populations.clone(),
        policy_version: estate.policy_version,
        unknown,
    }
}

/// One row as shown.
pub fn row_view(
    e: &Entry,
    estate: &Estate,
    population: Option<&str>,
    role: Option<JourneyRole>,
) -> MatrixRowView {
    let s = shown(e, population, role);
    MatrixRowView {
        id: e.id,
        name: e.name.clone(),
        criticality: e.criticality,
        integration: e.integration,
        provider: e.provider.clone(),
        populations: e
            .shown(population)
            .map(|p| estate.names.population(&p.key))
            .collect(),
        aal: s.aal,
        phishing_resistant: s.phishing_resistant,
        open: s.open,
        excepted: s.excepted,
        readiness: e.readiness.clone(),
        cells: s.cells,
        undeclared: s.undeclared,
    }
}

/// Members of a journey group listed per group.
pub const GROUP_MEMBERS: usize = 12;

/// The journeys view: the rows' declared journeys grouped by identical paths, largest first.
pub fn journeys(estate: &Estate, filter: &MatrixFilter, viewer: Option<&str>) -> JourneysPage {
    let (criteria, _) = Criteria::of(filter, estate, viewer);
    let rows = matching(estate, &criteria, "name");
    struct Acc<'e> {
        members: Vec<(&'e Entry, &'e str)>,
        open: BySeverity,
        excepted: u32,
        rules: BTreeMap<String, u32>,
    }
    let mut groups: HashMap<u32, Acc> = HashMap::new();
    for e in &rows {
        for p in e.shown(criteria.population) {
            let Some(j) = p.journey else { continue };
            let acc = groups.entry(j).or_insert_with(|| Acc {
                members: Vec::new(),
                open: [0; 4],
                excepted: 0,
                rules: BTreeMap::new(),
            });
            acc.members.push((e, p.key.as_str()));
            for (t, n) in acc.open.iter_mut().zip(p.open) {
                *t += n;
            }
            acc.excepted += p.excepted;
            for (pop, rule) in &e.open_rules {
                if pop.as_deref().is_none_or(|k| k == p.key) {
                    *acc.rules.entry(rule.clone()).or_default() += 1;
                }
            }
        }
    }
    let mut ordered: Vec<(u32, Acc)> = groups.into_iter().collect();
    ordered.sort_by(|(ja, a), (jb, b)| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.members[0].0.name_key.cmp(&b.members[0].0.name_key))
            .then(ja.cmp(jb))
    });
    let journeys_total: usize = ordered.iter().map(|(_, a)| a.members.len()).sum();
    let mut covered = 0;
    let mut groups_for_80 = 0;
    for (_, a) in &ordered {
        if covered * 5 >= journeys_total * 4 {
            break;
        }
        covered += a.members.len();
        groups_for_80 += 1;
    }
    let per = super::model::JOURNEYS_PAGE;
    let total_groups = ordered.len() as u32;
    let pages = ordered.len().div_ceil(per).max(1);
    let page = filter.page_number().min(pages);
    let groups = ordered
        .into_iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|(j, a)| {
            let shape = &estate.journeys[j as usize];
            let mut rules: Vec<(String, u32)> = a
                .rules
                .into_iter()
                .map(|(r, n)| (rule_title(&r), n))
                .collect();
            rules.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let mut apps: Vec<ApplicationId> = a.members.iter().map(|(e, _)| e.id).collect();
            apps.sort();
            apps.dedup();
            JourneyGroup {
                roles: JourneyRole::ALL
                    .iter()
                    .zip(shape)
                    .filter(|(_, p)| !p.is_empty())
                    .map(|(r, p)| (*r, describe_paths(p, &estate.names)))
                    .collect(),
                standard: estate.standard_journeys[j as usize],
                applications: apps.len() as u32,
                open: a.open,
                excepted: a.excepted,
                rules,
                size: a.members.len() as u32,
                members: a
                    .members
                    .iter()
                    .take(GROUP_MEMBERS)
                    .map(|(e, p)| GroupMember {
                        id: e.id,
                        name: e.name.clone(),
                        population: estate.names.population(p),
                    })
                    .collect(),
            }
        })
        .collect();
    JourneysPage {
        filter: filter.clone(),
        groups,
        total_groups,
        journeys: journeys_total as u32,
        groups_for_80,
        page,
        pages,
        units: estate
            .units
            .iter()
            .map(|u| Choice {
                key: u.clone(),
                label: u.clone(),
            })
            .collect(),
        populations: estate.populations.clone(),
    }
}

/// A rule's number and title ("1. Fallback or recovery weaker than the primary").
pub fn rule_title(key: &str) -> String {
    crate::findings::facade::rule_title(key)
}
