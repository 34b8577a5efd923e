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

mod journeys;
mod readiness;
mod view;

pub use journeys::{GROUP_MEMBERS, journeys, rule_title};
pub use readiness::readiness;
pub use view::{
    Criteria, Shown, View, column_counts, fragmentation, matching, matching_indices, page, page_of,
    row_view, shown, view,
};

use super::model::{
    BySeverity, Cell, CellState, Choice, Readiness, RoleMarks, role_bit, severity_index,
};
use crate::catalogue::model::{FactorKind, MethodView};
use crate::declarations::facade::effective;
use crate::findings::facade::{Catalogue, population_assurance};
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
