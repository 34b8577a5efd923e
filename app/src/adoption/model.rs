//! Adoption figures as the browser and the files see them: counts only, per application, period
//! and population (or all of them), never a person. One [`PeriodFigures`] is what one application
//! reported for one period and population: its sign-ins, fallback uses, recoveries and
//! enrolments by method, its active users and its help-desk tickets by journey stage.

pub use crate::vocab::{AdoptionSource, NameKind};
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

vocabulary!(
    /// The stage of the journey a help-desk ticket is about.
    pub enum TicketStage {
        Enrolment = ("enrolment", "Enrolment"),
        BiometricRegistration = ("biometric_registration", "Biometric registration"),
        AuthenticatorMigration = ("authenticator_migration", "Authenticator migration"),
        LostDeviceRecovery = ("lost_device_recovery", "Lost-device recovery"),
        ReauthenticationAfterReset = (
            "reauthentication_after_reset",
            "Re-authentication after reset",
        ),
        Other = ("other", "Other"),
    }
);

/// A reporting period: one calendar month or one day. Written `2026-11` or `2026-11-05`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Month { year: i32, month: u8 },
    Day { year: i32, month: u8, day: u8 },
}

impl Period {
    /// Reads `YYYY-MM` or `YYYY-MM-DD` (a real calendar date, years 2000 to 2999).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("\"{text}\" is not a period: write a month as 2026-11 or a day as 2026-11-05")
        };
        let t = text.trim();
        let parts: Vec<&str> = t.split('-').collect();
        let num = |s: &str, len: usize| -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let year = parts.first().and_then(|y| num(y, 4)).ok_or_else(bad)? as i32;
        if !(2000..=2999).contains(&year) {
            return Err(bad());
        }
        let month = parts.get(1).and_then(|m| num(m, 2)).ok_or_else(bad)?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        let month = month as u8;
        match parts.len() {
            2 => Ok(Self::Month { year, month }),
            3 => {
                let day = num(parts[2], 2).ok_or_else(bad)?;
                if day < 1 || day > u32::from(days_in_month(year, month)) {
                    return Err(bad());
                }
                Ok(Self::Day {
                    year,
                    month,
                    day: day as u8,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The month this period falls in.
    pub fn month(self) -> Self {
        match self {
            Self::Month { .. } => self,
            Self::Day { year, month, .. } => Self::Month { year, month },
        }
    }

    pub fn is_day(self) -> bool {
        matches!(self, Self::Day { .. })
    }

    /// The month after this one (for a day: the month after its month).
    pub fn next_month(self) -> Self {
        let Self::Month { year, month } = self.month() else {
            unreachable!("month() is a month")
        };
        if month == 12 {
            Self::Month {
                year: year + 1,
                month: 1,
            }
        } else {
            Self::Month {
                year,
                month: month + 1,
            }
        }
    }

    /// "Nov 2026", "5 Nov 2026".
    pub fn label(self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match self {
            Self::Month { year, month } => format!("{} {year}", NAMES[usize::from(month) - 1]),
            Self::Day { year, month, day } => {
                format!("{day} {} {year}", NAMES[usize::from(month) - 1])
            }
        }
    }
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Self::Day { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What one method did in one period: sign-ins that completed with it or failed at it, times it
/// was used as a fallback, recoveries through it and people who enrolled it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodCounts {
    /// A catalogue key (`platform_passkey`, `password`…).
    pub method: String,
    #[serde(default)]
    pub sign_ins_succeeded: u64,
    #[serde(default)]
    pub sign_ins_failed: u64,
    #[serde(default)]
    pub fallback_uses: u64,
    #[serde(default)]
    pub recoveries: u64,
    #[serde(default)]
    pub enrolments: u64,
}

impl MethodCounts {
    pub fn new(method: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            ..Self::default()
        }
    }

    /// Adds another's counts to these (the method is kept).
    pub fn add(&mut self, other: &MethodCounts) {
        self.sign_ins_succeeded += other.sign_ins_succeeded;
        self.sign_ins_failed += other.sign_ins_failed;
        self.fallback_uses += other.fallback_uses;
        self.recoveries += other.recoveries;
        self.enrolments += other.enrolments;
    }

    pub fn is_zero(&self) -> bool {
        self.sign_ins_succeeded == 0
            && self.sign_ins_failed == 0
            && self.fallback_uses == 0
            && self.recoveries == 0
            && self.enrolments == 0
    }
}

/// Help-desk tickets by stage (a stage without tickets is absent or zero).
pub type Tickets = BTreeMap<TicketStage, u64>;

/// What one application reported for one period and one population (`None`: all its people).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodFigures {
    /// The application's name as registered (case does not matter).
    pub application: String,
    pub period: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    #[serde(default)]
    pub methods: Vec<MethodCounts>,
    /// People who signed in at least once in the period.
    #[serde(default)]
    pub users: u64,
    #[serde(default)]
    pub tickets: Tickets,
}

impl PeriodFigures {
    pub fn new(application: impl Into<String>, period: Period, population: Option<String>) -> Self {
        Self {
            application: application.into(),
            period,
            population,
            methods: Vec::new(),
            users: 0,
            tickets: Tickets::new(),
        }
    }

    pub fn tickets_total(&self) -> u64 {
        self.tickets.values().sum()
    }
}

/// The body of `POST /api/v1/adoption` and of a JSON file: figures for one or more applications
/// and periods. Each (application, period) sent replaces what was stored for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptionDocument {
    pub figures: Vec<PeriodFigures>,
}

/// A problem with one row of a file (row 0: the file itself; for JSON the row is the entry's
/// position in `figures`, from 1) or with one name in a provider export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    /// The column or field concerned, when there is one.
    pub field: String,
    pub message: String,
}

impl RowProblem {
    pub fn new(row: usize, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.field.as_str()) {
            (0, "") => write!(f, "{}", self.message),
            (0, field) => write!(f, "{field}: {}", self.message),
            (row, "") => write!(f, "row {row}: {}", self.message),
            (row, field) => write!(f, "row {row}, {field}: {}", self.message),
        }
    }
}

/// Which identity provider's export a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Entra,
    Okta,
}

impl Provider {
    pub fn label(self) -> &'static str {
        match self {
            Self::Entra => "Microsoft Entra sign-in logs (JSON)",
            Self::Okta => "Okta System Log (JSON)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Entra => "entra",
            Self::Okta => "okta",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key.trim() {
            "entra" => Some(Self::Entra),
            "okta" => Some(Self::Okta),
            _ => None,
        }
    }
}

/// One row of the mapping table: a provider's name for an application or a method, and the
/// portal's (an application's name, a catalogue key). An empty `portal` means "ignore this
/// name on purpose" (e.g. Entra's "Previously satisfied").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameMapping {
    pub provider: Provider,
    pub kind: NameKind,
    pub external: String,
    pub portal: String,
}

pub use super::rules::drift::{Drift, DriftKind};
pub use super::rules::figures::{Figures, StageFigure, per, percent};

/// Who may send figures from the portal (upload) and edit the name mappings.
pub struct AdoptionImporters;

impl crate::session::model::Right for AdoptionImporters {
    const ROLES: &'static [crate::session::model::Role] = &[
        crate::session::model::Role::Security,
        crate::session::model::Role::Admin,
    ];
}

/// The adoption page's filters, as query parameters (`unit`, `criticality`, `population`, `from`,
/// `to`: months such as 2026-01).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionFilter {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub criticality: String,
    #[serde(default)]
    pub population: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl AdoptionFilter {
    /// The filter as query parameters, empty ones left out.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        crate::components::filled_pairs(&[
            ("unit", &self.unit),
            ("criticality", &self.criticality),
            ("population", &self.population),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

/// A choice of a filter: its key and what people read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

/// One month of a trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthFigures {
    /// `2026-11`.
    pub month: String,
    /// "Nov 2026".
    pub label: String,
    pub figures: Figures,
}

/// One application in a ranking of the estate page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppRow {
    pub id: crate::ids::ApplicationId,
    pub name: String,
    pub criticality: crate::vocab::Criticality,
    pub figures: Figures,
}

/// One application whose observed journey drifts from its declared one, with each drift in
/// words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRow {
    pub id: crate::ids::ApplicationId,
    pub name: String,
    pub criticality: crate::vocab::Criticality,
    pub drifts: Vec<String>,
}

/// The latest ingestion: when, from where, how much.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastIngestion {
    pub at: String,
    pub source: AdoptionSource,
    pub periods: i64,
}

/// The estate's adoption for a filter: headline figures over the months chosen, the trend by
/// month, the worst applications by fallback frequency and by ticket concentration, and the
/// applications whose observed journey drifts from the declared one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstateAdoption {
    pub filter: AdoptionFilter,
    /// The months chosen (first and last), and every month with figures.
    pub from: String,
    pub to: String,
    pub months: Vec<Choice>,
    pub units: Vec<Choice>,
    pub populations: Vec<Choice>,
    /// Applications with figures in the months chosen, and applications matching the filter.
    pub reporting: u32,
    pub applications: u32,
    pub figures: Figures,
    pub trend: Vec<MonthFigures>,
    pub worst_fallback: Vec<AppRow>,
    pub worst_concentration: Vec<AppRow>,
    /// How many applications concentrate tickets in one stage (all of them, not only those
    /// shown), and how many drift.
    pub concentrated: u32,
    pub drifting: Vec<DriftRow>,
    pub drifting_total: u32,
    pub last: Option<LastIngestion>,
    pub can_import: bool,
}

/// One method's counts on the application page, with the roles the declared journey gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRow {
    pub key: String,
    pub name: String,
    pub counts: MethodCounts,
    /// "Primary, Fallback" or empty: not declared.
    pub declared_roles: String,
    pub passwordless: bool,
}

/// An application's adoption: its figures over the last twelve months with figures, by month
/// and by method beside the roles declared, and where it drifts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationAdoption {
    pub name: String,
    pub from: String,
    pub to: String,
    pub figures: Figures,
    pub trend: Vec<MonthFigures>,
    pub methods: Vec<MethodRow>,
    pub declared: bool,
    pub drifts: Vec<String>,
}

/// The formats a file of figures can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// The portal's own CSV.
    Csv,
    /// The portal's own JSON (`{"figures": [...]}`).
    Json,
    /// An identity provider's export, aggregated on the way in.
    Provider(Provider),
}

impl FileFormat {
    pub fn parse(key: &str) -> Option<Self> {
        match key.trim() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            other => Provider::parse(other).map(Self::Provider),
        }
    }

    /// The portal's own formats by the file's extension (a provider's export must be named).
    pub fn of_file_name(name: &str) -> Option<Self> {
        let lower = name.to_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".json") {
            Some(Self::Json)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "Portal CSV",
            Self::Json => "Portal JSON",
            Self::Provider(p) => p.label(),
        }
    }
}

/// A name in a provider's export that maps to nothing in the portal, with how many events
/// named it (those events were not counted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedName {
    pub provider: Provider,
    pub kind: NameKind,
    pub external: String,
    pub events: u64,
}

/// What an ingestion stored, as people read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestSummary {
    pub applications: u64,
    pub periods: u64,
    pub replaced: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// For a provider's export: how many events it held, counted and left aside.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCounts {
    pub read: u64,
    pub counted: u64,
    pub ignored: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportOutcome {
    Done(IngestSummary),
    /// Nothing stored: the first problems (`total` in all).
    Refused {
        problems: Vec<RowProblem>,
        total: u64,
    },
}

/// The report of one file sent through the portal or the command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionReport {
    pub file_name: String,
    pub sha256: String,
    pub format: Option<FileFormat>,
    pub outcome: ReportOutcome,
    pub events: Option<EventCounts>,
    pub unmapped: Vec<UnmappedName>,
}

/// How many problems a report lists (the total is always given).
pub const REPORTED_PROBLEMS_MAX: usize = 100;

/// The upload's address (a multipart form) and the page its report shows on.
pub const UPLOAD_PATH: &str = "/api/adoption/import";
pub const IMPORT_PAGE: &str = "/adoption/import";
/// The figures as a download, in the format the import reads.
pub const EXPORT_PATH: &str = "/api/adoption/export";

/// The estate's adoption in a line, for the dashboard: the last twelve months with figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptionHeadline {
    pub from: String,
    pub to: String,
    pub figures: Figures,
}
