//! The consistency matrix, the journeys view and password-removal readiness as the browser sees
//! them.

use crate::ids::ApplicationId;
use crate::vocab::{Criticality, Integration, JourneyRole, Severity};
use serde::{Deserialize, Serialize};

/// Rows of the matrix per page.
pub const MATRIX_PAGE: usize = 200;

/// Journey groups of the journeys view per page.
pub const JOURNEYS_PAGE: usize = 50;

/// The download of the matrix as filtered (`?` the page's filters).
pub const MATRIX_EXPORT_PATH: &str = "/api/matrix/export";

/// Days ahead in which an approved exception counts as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// The filters, sort and page of the matrix (and of the journeys view), as the address carries
/// them; empty means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixFilter {
    /// A business unit's name.
    pub unit: String,
    pub criticality: String,
    /// A population key: cells, assurance and findings for that population only.
    pub population: String,
    /// A method key: applications using it (in `role` when one is chosen).
    pub method: String,
    /// A role key: cells show that role only.
    pub role: String,
    /// `open` (an open deviation), `excepted` (an excepted one and none open) or `standard`.
    pub state: String,
    /// `ready` or `blocked`.
    pub readiness: String,
    pub integration: String,
    /// `mine`, or an owner's user name.
    pub owner: String,
    /// `name` (the default), `assurance`, `findings`, `readiness`, `criticality`.
    pub sort: String,
    /// Page number from 1.
    pub page: String,
}

impl MatrixFilter {
    /// The filters as query pairs, in a fixed order (sort and page excluded).
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("unit", self.unit.clone()),
            ("criticality", self.criticality.clone()),
            ("population", self.population.clone()),
            ("integration", self.integration.clone()),
            ("owner", self.owner.clone()),
            ("method", self.method.clone()),
            ("role", self.role.clone()),
            ("state", self.state.clone()),
            ("readiness", self.readiness.clone()),
        ]
    }

    /// Filters and sort, for links that keep the view (paging, downloads).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p = self.filter_pairs();
        p.push(("sort", self.sort.clone()));
        p
    }

    /// Reads the filter from query pairs.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let g = |k: &str| get(k).unwrap_or_default().trim().to_string();
        Self {
            unit: g("unit"),
            criticality: g("criticality"),
            population: g("population"),
            method: g("method"),
            role: g("role"),
            state: g("state"),
            readiness: g("readiness"),
            integration: g("integration"),
            owner: g("owner"),
            sort: g("sort"),
            page: g("page"),
        }
    }

    /// The page asked for, from 1.
    pub fn page_number(&self) -> usize {
        self.page
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub fn is_empty(&self) -> bool {
        self.filter_pairs().iter().all(|(_, v)| v.is_empty())
    }
}

/// How a method's use in an application stands against the standard, from the findings.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    /// No finding bears on it.
    #[default]
    Standard,
    /// Findings bear on it, each accepted by an approved exception.
    Excepted,
    /// A finding bears on it that no exception accepts.
    Open,
}

impl CellState {
    pub const ALL: &'static [CellState] = &[Self::Open, Self::Excepted, Self::Standard];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Excepted => "excepted",
            Self::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// What the filter says.
    pub fn filter_label(self) -> &'static str {
        match self {
            Self::Standard => "Standard only",
            Self::Excepted => "Excepted deviations",
            Self::Open => "Open deviations",
        }
    }

    /// The symbol a cell carries (none for the standard), with its words in the legend.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Standard => "",
            Self::Excepted => "◇",
            Self::Open => "✕",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Excepted => "excepted deviation",
            Self::Open => "open deviation",
        }
    }
}

/// The roles a method plays in one journey (or the union of several), one bit per role in
/// `JourneyRole::ALL` order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleMarks {
    /// The method serves in these roles.
    pub roles: u8,
    /// ... and in these only inside a path with other factors (the password of
    /// "password + authenticator code").
    pub combined_only: u8,
    /// ... and in these only through the identity provider's journey (inherited).
    pub inherited_only: u8,
}

pub fn role_bit(role: JourneyRole) -> u8 {
    1 << JourneyRole::ALL
        .iter()
        .position(|r| *r == role)
        .unwrap_or(0)
}

impl RoleMarks {
    pub fn has(&self, role: JourneyRole) -> bool {
        self.roles & role_bit(role) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.roles == 0
    }

    /// Only the given role's marks.
    pub fn only(&self, role: JourneyRole) -> Self {
        let b = role_bit(role);
        Self {
            roles: self.roles & b,
            combined_only: self.combined_only & b,
            inherited_only: self.inherited_only & b,
        }
    }

    /// Both sets of marks: a role is combined-only (inherited-only) when it is so in every
    /// journey that has it.
    pub fn union(&self, other: &Self) -> Self {
        let only =
            |mine: u8, theirs: u8| (mine & theirs) | (mine & !other.roles) | (theirs & !self.roles);
        Self {
            roles: self.roles | other.roles,
            combined_only: only(self.combined_only, other.combined_only),
            inherited_only: only(self.inherited_only, other.inherited_only),
        }
    }

    /// The cell's text: a letter per role (E P F R S D), `+` after a role held only inside a
    /// combined path, an inherited role in parentheses: `(P) F+`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for role in JourneyRole::ALL.iter().copied() {
            if !self.has(role) {
                continue;
            }
            let b = role_bit(role);
            if !out.is_empty() {
                out.push(' ');
            }
            let inherited = self.inherited_only & b != 0;
            if inherited {
                out.push('(');
            }
            out.push(role.letter());
            if self.combined_only & b != 0 {
                out.push('+');
            }
            if inherited {
                out.push(')');
            }
        }
        out
    }

    /// The cell in words, for the abbreviation's title and the CSV.
    pub fn words(&self) -> String {
        JourneyRole::ALL
            .iter()
            .copied()
            .filter(|r| self.has(*r))
            .map(|r| {
                let b = role_bit(r);
                let mut w = r.label().to_string();
                if self.combined_only & b != 0 {
                    w.push_str(" (with another factor)");
                }
                if self.inherited_only & b != 0 {
                    w.push_str(" (inherited)");
                }
                w
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One method's cell in one application's row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The column: the method's place in `MatrixPage::columns`.
    pub column: u16,
    pub marks: RoleMarks,
    pub state: CellState,
}

/// Open findings by severity: critical, high, medium, low.
pub type BySeverity = [u32; 4];

pub fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

/// Whether an application can remove passwords now, and if not, what blocks it in plain words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// In the order met: population by population, then the application's own.
    pub blockers: Vec<String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// One row of the matrix as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRowView {
    pub id: ApplicationId,
    pub name: String,
    pub criticality: Criticality,
    pub integration: Integration,
    /// The identity provider's name, for a federated application.
    pub provider: Option<String>,
    /// Populations shown (names).
    pub populations: Vec<String>,
    /// The weakest sign-in path's level (0: none).
    pub aal: u8,
    pub phishing_resistant: bool,
    pub open: BySeverity,
    pub excepted: u32,
    pub readiness: Readiness,
    /// Non-empty cells, by column.
    pub cells: Vec<Cell>,
    /// Nothing submitted yet for some population shown.
    pub undeclared: bool,
}

/// A method column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodColumn {
    pub key: String,
    pub name: String,
    pub category: String,
    pub restricted: bool,
    pub phishing_resistant: bool,
    /// Applications (of the filtered estate) using it in each role, `JourneyRole::ALL` order.
    pub by_role: [u32; 6],
}

/// The figures above the matrix, for the filtered estate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fragmentation {
    pub applications: u32,
    /// Distinct journeys (application × population, by their paths in every role).
    pub distinct_journeys: u32,
    /// Journeys declared (application × population).
    pub journeys: u32,
    /// Applications whose every population follows the standard journey.
    pub on_standard: u32,
    /// Applications with a fallback or recovery weaker than their primary (rule 1).
    pub weaker_fallback: u32,
    /// Applications and populations (application × population) using a restricted method.
    pub restricted_applications: u32,
    pub restricted_populations: u32,
    pub open: BySeverity,
    pub expiring_exceptions: u32,
    pub ready: u32,
}

impl Fragmentation {
    /// Share of applications on the standard journey, in whole per cent.
    pub fn standard_share(&self) -> u32 {
        percent(self.on_standard, self.applications)
    }
}

pub use crate::components::charts::whole_percent as percent;

/// A choice in a filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

/// A page of the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixPage {
    pub filter: MatrixFilter,
    pub figures: Fragmentation,
    pub columns: Vec<MethodColumn>,
    pub rows: Vec<MatrixRowView>,
    /// Applications matching the filters.
    pub total: u32,
    pub page: usize,
    pub pages: usize,
    pub units: Vec<Choice>,
    pub populations: Vec<Choice>,
    pub policy_version: i32,
    /// The filter's method or owner is unknown (shown beside the filter).
    pub unknown: Vec<(String, String)>,
    /// The table's body as escaped HTML, when the server wrote it with the page (it keeps the
    /// page, body and all, until the next change); empty otherwise.
    #[serde(default)]
    pub body: String,
}

/// One entry of a journey group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: ApplicationId,
    pub name: String,
    pub population: String,
}

/// Applications living with one identical journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyGroup {
    /// The journey's paths per role in words, `JourneyRole::ALL` order, empty roles left out.
    pub roles: Vec<(JourneyRole, String)>,
    /// It is the standard journey of some population it is used by.
    pub standard: bool,
    /// Distinct applications.
    pub applications: u32,
    /// Open findings (not excepted) of its members by severity, and excepted ones.
    pub open: BySeverity,
    pub excepted: u32,
    /// The rules behind those findings, most frequent first: (title, count).
    pub rules: Vec<(String, u32)>,
    /// The first members (application × population), by name.
    pub members: Vec<GroupMember>,
    /// Members in all.
    pub size: u32,
}

/// The journeys view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneysPage {
    pub filter: MatrixFilter,
    pub groups: Vec<JourneyGroup>,
    /// Groups in all, journeys (application × population) in all.
    pub total_groups: u32,
    pub journeys: u32,
    /// How many of the largest groups it takes to cover 80 % of the journeys.
    pub groups_for_80: u32,
    pub page: usize,
    pub pages: usize,
    pub units: Vec<Choice>,
    pub populations: Vec<Choice>,
}

/// An application's readiness as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationReadiness {
    /// Not in the matrix (archived).
    pub assessed: bool,
    pub readiness: Readiness,
}
