//! The matrix under a filter: which applications, in which order, what each row shows, the
//! figures above and the counts below.

use super::{Entry, Estate};
use crate::journey::JourneyRole;
use crate::matrix::model::{
    BySeverity, Cell, CellState, Choice, Fragmentation, MATRIX_PAGE, MatrixFilter, MatrixPage,
    MatrixRowView, MethodColumn,
};
use crate::vocab::{Criticality, Integration};

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
        .map(|i| estate.entries[i].as_ref())
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

/// What a filter shows of the estate, whatever the page: its rows (places in
/// `estate.entries`) in the filter's order, their fragmentation figures and per-column counts.
#[derive(Clone, Debug)]
pub struct View {
    pub rows: Vec<usize>,
    pub figures: Fragmentation,
    pub counts: Vec<[u32; 6]>,
}

/// The view of a filter: the estate-sized work of a matrix page, done once per filter.
pub fn view(estate: &Estate, criteria: &Criteria, sort: &str) -> View {
    let rows = matching_indices(estate, criteria, sort);
    let entries: Vec<&Entry> = rows.iter().map(|i| estate.entries[*i].as_ref()).collect();
    View {
        figures: fragmentation(&entries, criteria.population),
        counts: column_counts(&entries, criteria.population, estate.columns.len()),
        rows,
    }
}

/// One page of the matrix for a filter.
pub fn page(estate: &Estate, filter: &MatrixFilter, viewer: Option<&str>) -> MatrixPage {
    let (criteria, _) = Criteria::of(filter, estate, viewer);
    page_of(
        estate,
        &view(estate, &criteria, &filter.sort),
        filter,
        viewer,
    )
}

/// One page of a filter's view: only the page's rows are computed.
pub fn page_of(
    estate: &Estate,
    view: &View,
    filter: &MatrixFilter,
    viewer: Option<&str>,
) -> MatrixPage {
    let (criteria, unknown) = Criteria::of(filter, estate, viewer);
    let total = view.rows.len();
    let pages = total.div_ceil(MATRIX_PAGE).max(1);
    let page = filter.page_number().min(pages);
    let start = (page - 1) * MATRIX_PAGE;
    let shown_rows = view
        .rows
        .iter()
        .skip(start)
        .take(MATRIX_PAGE)
        .map(|i| {
            row_view(
                &estate.entries[*i],
                estate,
                criteria.population,
                criteria.role,
            )
        })
        .collect();
    MatrixPage {
        filter: filter.clone(),
        figures: view.figures.clone(),
        columns: estate
            .columns
            .iter()
            .zip(&view.counts)
            .map(|(c, by_role)| MethodColumn {
                key: c.key.clone(),
                name: c.name.clone(),
                category: c.category.clone(),
                restricted: c.restricted,
                phishing_resistant: c.phishing_resistant,
                by_role: *by_role,
            })
            .collect(),
        rows: shown_rows,
        total: total as u32,
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
        body: String::new(),
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
