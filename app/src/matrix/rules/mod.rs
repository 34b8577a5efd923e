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

mod changes;
mod journeys;
mod readiness;
mod view;

pub use changes::{Changed, MAX_EVENTS, Reach, changed, reach};
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
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
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
    pub own: Option<Arc<Declaration>>,
    /// The provider's latest version, when federated (shared by all its applications).
    pub inherited: Option<Arc<Declaration>>,
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
    /// In the order of names; shared with the estates patched from this one.
    pub entries: Vec<Arc<Entry>>,
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

/// What every application's entry is computed against: the catalogue, the columns, the policy,
/// the names and the day; with the journeys met so far (interned: one id per distinct journey).
struct Builder<'a> {
    catalogue: Catalogue,
    index: HashMap<String, u16>,
    restricted: Vec<bool>,
    policy: &'a Policy,
    names: &'a Names,
    today: Date,
    journeys: Vec<[Vec<Path>; 6]>,
    interned: HashMap<[Vec<Path>; 6], u32>,
}

impl<'a> Builder<'a> {
    fn new(
        methods: &[MethodView],
        columns: &[Column],
        policy: &'a Policy,
        names: &'a Names,
        today: Date,
        journeys: Vec<[Vec<Path>; 6]>,
    ) -> Self {
        let interned = journeys
            .iter()
            .enumerate()
            .map(|(i, j)| (j.clone(), i as u32))
            .collect();
        Self {
            catalogue: Catalogue::new(methods),
            index: columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.key.clone(), i as u16))
                .collect(),
            restricted: columns.iter().map(|c| c.restricted).collect(),
            policy,
            names,
            today,
            journeys,
            interned,
        }
    }

    /// One application computed: `None` when its journey uses a method that has no column.
    fn entry(&mut self, app: &EstateApp, journey: &Declaration) -> Option<Entry> {
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
            let own = app.own.as_deref().and_then(|d| d.journey(key));
            let mut cells = Vec::new();
            for (m, marks) in marks(j, own, federated) {
                cells.push(Cell {
                    column: *self.index.get(m.as_str())?,
                    marks,
                    state: cell_state(&app.findings, key, &m),
                });
            }
            cells.sort_by_key(|c| c.column);
            let shape: [Vec<Path>; 6] =
                std::array::from_fn(|i| j.paths(JourneyRole::ALL[i]).to_vec());
            let standard = is_standard(j, &self.policy.standard_for(key));
            let id = match self.interned.get(&shape) {
                Some(id) => *id,
                None => {
                    let id = self.journeys.len() as u32;
                    self.interned.insert(shape.clone(), id);
                    self.journeys.push(shape);
                    id
                }
            };
            let assurance = population_assurance(j, &self.catalogue, federated);
            let restricted = cells.iter().any(|c| self.restricted[c.column as usize]);
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
            self.policy,
            &self.catalogue,
            self.names,
            self.today,
        );
        Some(Entry {
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
        })
    }
}

/// The journey an application lives with: its own, merged into its provider's when federated.
fn effective_journey(app: &EstateApp) -> std::borrow::Cow<'_, Declaration> {
    let own = app.own.as_deref();
    if app.provider.is_some() || app.inherited.is_some() {
        std::borrow::Cow::Owned(effective(
            own.unwrap_or(&Declaration::default()),
            app.inherited.as_deref(),
        ))
    } else {
        match own {
            Some(d) => std::borrow::Cow::Borrowed(d),
            None => std::borrow::Cow::Owned(Declaration::default()),
        }
    }
}

/// The order of entries: by name, ties by id (so a load and a patch give the same order).
fn order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    a.name_key.cmp(&b.name_key).then(a.id.cmp(&b.id))
}

/// Which journeys are some population's standard journey.
fn standard_journeys(entries: &[Arc<Entry>], journeys: usize) -> Vec<bool> {
    let mut standard = vec![false; journeys];
    for p in entries.iter().flat_map(|e| e.populations.iter()) {
        if let (Some(j), true) = (p.journey, p.standard) {
            standard[j as usize] = true;
        }
    }
    standard
}

/// The methods used in the journeys of the populations applications serve (each gets a column,
/// even when inactive): the methods of some cell.
fn used_methods<'a>(
    journeys: impl Iterator<Item = (&'a EstateApp, &'a Declaration)>,
) -> HashSet<&'a str> {
    journeys
        .flat_map(|(a, d)| a.served.iter().filter_map(|k| d.journey(k)))
        .flat_map(|j| JourneyRole::ALL.iter().flat_map(move |r| j.paths(*r)))
        .flat_map(|p| p.factors().iter().map(String::as_str))
        .collect()
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
    let prepared: Vec<_> = apps.iter().map(|a| (a, effective_journey(a))).collect();
    let used = used_methods(prepared.iter().map(|(a, d)| (*a, d.as_ref())));
    let columns = columns(methods, &|k| used.contains(k));
    let mut builder = Builder::new(methods, &columns, policy, &names, today, Vec::new());
    let entries: Vec<Arc<Entry>> = prepared
        .iter()
        .filter_map(|(a, d)| builder.entry(a, d))
        .map(Arc::new)
        .collect();
    let mut entries = entries;
    entries.sort_by(|a, b| order(a, b));
    let journeys = builder.journeys;
    let standard_journeys = standard_journeys(&entries, journeys.len());
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

/// The estate with some applications computed again (`changed`: the ids whose facts may have
/// changed; `apps`: those of them that are still in the estate, read again), the others kept as
/// they were. `None` when the result would differ from loading the estate anew in more than
/// those applications (the policy changed, or the methods used are no longer those with
/// columns): the caller loads it whole.
pub fn patch(
    kept: &Estate,
    changed: &HashSet<ApplicationId>,
    apps: Vec<EstateApp>,
    methods: &[MethodView],
    policy: &Policy,
    policy_version: i32,
    today: Date,
) -> Option<Estate> {
    if policy_version != kept.policy_version {
        return None;
    }
    let mut builder = Builder::new(
        methods,
        &kept.columns,
        policy,
        &kept.names,
        today,
        kept.journeys.clone(),
    );
    let mut entries: Vec<Arc<Entry>> = kept
        .entries
        .iter()
        .filter(|e| !changed.contains(&e.id))
        .cloned()
        .collect();
    // Each computed again goes in its place (the others are in order already).
    for app in &apps {
        let entry = Arc::new(builder.entry(app, &effective_journey(app))?);
        let at = entries.partition_point(|e| order(e, &entry).is_lt());
        entries.insert(at, entry);
    }
    // The columns a load would show: the same methods, used or active.
    let mut used = vec![false; kept.columns.len()];
    for c in entries
        .iter()
        .flat_map(|e| e.populations.iter())
        .flat_map(|p| p.cells.iter())
    {
        used[c.column as usize] = true;
    }
    let now_shown = columns(methods, &|k| {
        kept.columns
            .iter()
            .position(|c| c.key == k)
            .is_some_and(|i| used[i])
    });
    let same = now_shown.len() == kept.columns.len()
        && now_shown
            .iter()
            .zip(&kept.columns)
            .all(|(a, b)| a.key == b.key && a.restricted == b.restricted);
    if !same {
        return None;
    }
    let journeys = builder.journeys;
    let standard_journeys = standard_journeys(&entries, journeys.len());
    Some(Estate {
        columns: kept.columns.clone(),
        entries,
        journeys,
        standard_journeys,
        names: kept.names.clone(),
        populations: kept.populations.clone(),
        units: kept.units.clone(),
        policy_version,
    })
}
