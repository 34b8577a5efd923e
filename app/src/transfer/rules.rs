//! Pure rules of import and export: the CSV and JSON encodings, formula neutralisation, and
//! planning an import (resolving names to ids and checking every record with the registry's and
//! the declarations' own rules). No clock, no database.

use super::model::{ApplicationRecord, JSON_FORMAT, JSON_VERSION};
use crate::accounts::model::{validate_text, validate_username};
use crate::catalogue::model::CATALOGUE_NAME_MAX;
use crate::declarations::model::{
    BreakGlass, Declaration, DeviceRequirements, JourneyRole, Offboarding, Platform,
    PlatformSupport, PopulationJourney, SessionRules,
};
use crate::declarations::rules::{Known, validate};
use crate::error::AppError;
use crate::ids::{ApplicationId, DeclarationVersionId, UserId};
use crate::registry::rules::{Allowed, ApplicationInput, check, name_key};
use crate::registry::ssr::NewApplication;
use crate::registry::transfer_api::{ImportProblem, ImportSummary};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Formula neutralisation.

/// Characters that make a spreadsheet read a cell as a formula (or that hide one).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell needs a leading `'` on export: it starts like a formula, or it is a run of
/// quotes followed by one (so that a value that really starts with `'=` survives the round trip).
fn needs_guard(value: &str) -> bool {
    value.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The cell as exported: a leading `'` before anything a spreadsheet would evaluate.
pub fn guard_cell(value: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(value) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// The cell as imported: one leading `'` dropped when what follows needed it.
pub fn unguard_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// The CSV columns, in the order export writes them.
pub const COLUMNS: [&str; 27] = [
    "application",
    "description",
    "business_unit",
    "criticality",
    "integration",
    "lifecycle",
    "archived",
    "identity_provider",
    "provider",
    "owners",
    "tags",
    "populations",
    "population",
    "role",
    "methods",
    "offboarding",
    "max_session_minutes",
    "idle_timeout_minutes",
    "reauth_sensitive",
    "platforms",
    "managed_required",
    "byod_allowed",
    "shared_workstation",
    "break_glass_accounts",
    "break_glass_method",
    "break_glass_location",
    "break_glass_last_drill",
];

// Column positions.
const APPLICATION: usize = 0;
const DESCRIPTION: usize = 1;
const BUSINESS_UNIT: usize = 2;
const CRITICALITY: usize = 3;
const INTEGRATION: usize = 4;
const LIFECYCLE: usize = 5;
const ARCHIVED: usize = 6;
const IDENTITY_PROVIDER: usize = 7;
const PROVIDER: usize = 8;
const OWNERS: usize = 9;
const TAGS: usize = 10;
const POPULATIONS: usize = 11;
const POPULATION: usize = 12;
const ROLE: usize = 13;
const METHODS: usize = 14;
const OFFBOARDING: usize = 15;
const MAX_SESSION: usize = 16;
const IDLE_TIMEOUT: usize = 17;
const REAUTH: usize = 18;
const PLATFORMS: usize = 19;
const MANAGED: usize = 20;
const BYOD: usize = 21;
const SHARED: usize = 22;
const BG_ACCOUNTS: usize = 23;
const BG_METHOD: usize = 24;
const BG_LOCATION: usize = 25;
const BG_LAST_DRILL: usize = 26;

/// Cells that repeat on every row of an application and must agree.
const APPLICATION_CELLS: [usize; 16] = [
    APPLICATION,
    DESCRIPTION,
    BUSINESS_UNIT,
    CRITICALITY,
    INTEGRATION,
    LIFECYCLE,
    ARCHIVED,
    IDENTITY_PROVIDER,
    PROVIDER,
    OWNERS,
    TAGS,
    POPULATIONS,
    BG_ACCOUNTS,
    BG_METHOD,
    BG_LOCATION,
    BG_LAST_DRILL,
];

/// Cells that repeat on every row of one population and must agree.
const POPULATION_CELLS: [usize; 8] = [
    OFFBOARDING,
    MAX_SESSION,
    IDLE_TIMEOUT,
    REAUTH,
    PLATFORMS,
    MANAGED,
    BYOD,
    SHARED,
];

/// Separates the items of a list inside one cell.
pub const LIST_SEPARATOR: char = ';';

type Row = [String; COLUMNS.len()];

fn join(items: &[String]) -> String {
    items.join(&LIST_SEPARATOR.to_string())
}

fn split(cell: &str) -> Vec<String> {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

/// The rows of one application: one per declared population and role that has methods; one
/// with the role empty for a declared population without methods; one with population and role
/// empty for an application without a declaration (or declaring only break-glass).
pub fn rows_of(r: &ApplicationRecord) -> Vec<Row> {
    let mut base: Row = Default::default();
    base[APPLICATION] = r.name.clone();
    base[DESCRIPTION] = r.description.clone();
    base[BUSINESS_UNIT] = r.business_unit.clone().unwrap_or_default();
    base[CRITICALITY] = r.criticality.clone();
    base[INTEGRATION] = r.integration.clone();
    base[LIFECYCLE] = r.lifecycle.clone();
    base[ARCHIVED] = flag(r.archived);
    base[IDENTITY_PROVIDER] = flag(r.identity_provider);
    base[PROVIDER] = r.provider.clone().unwrap_or_default();
    base[OWNERS] = join(&r.owners);
    base[TAGS] = join(&r.tags);
    base[POPULATIONS] = join(&r.populations);
    let Some(d) = &r.declaration else {
        return vec![base];
    };
    if let Some(bg) = &d.break_glass {
        base[BG_ACCOUNTS] = bg.accounts.to_string();
        base[BG_METHOD] = bg.method.clone();
        base[BG_LOCATION] = bg.location.clone();
        base[BG_LAST_DRILL] = bg.last_drill.clone().unwrap_or_default();
    }
    if d.populations.is_empty() {
        return vec![base];
    }
    let mut rows = Vec::new();
    for j in &d.populations {
        let mut pop = base.clone();
        pop[POPULATION] = j.population.clone();
        pop[OFFBOARDING] = j
            .offboarding
            .map(|o| o.as_str().to_string())
            .unwrap_or_default();
        if let Some(s) = &j.session {
            pop[MAX_SESSION] = s.max_session_minutes.to_string();
            pop[IDLE_TIMEOUT] = s.idle_timeout_minutes.to_string();
            pop[REAUTH] = flag(s.reauth_sensitive);
        }
        if let Some(dev) = &j.devices {
            pop[PLATFORMS] = dev
                .platforms
                .iter()
                .map(|p| format!("{}:{}", p.platform.as_str(), p.min_version))
                .collect::<Vec<_>>()
                .join(&LIST_SEPARATOR.to_string());
            pop[MANAGED] = flag(dev.managed_required);
            pop[BYOD] = flag(dev.byod_allowed);
            pop[SHARED] = flag(dev.shared_workstation);
        }
        let before = rows.len();
        for role in JourneyRole::ALL.iter().copied() {
            let methods = j.methods(role);
            if methods.is_empty() {
                continue;
            }
            let mut row = pop.clone();
            row[ROLE] = role.as_str().to_string();
            row[METHODS] = join(methods);
            rows.push(row);
        }
        if rows.len() == before {
            rows.push(pop);
        }
    }
    rows
}

/// The CSV file: a header, then the rows of each application in the given order, every cell
/// neutralised.
pub fn encode_csv(records: &[ApplicationRecord]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(AppError::internal)?;
    for r in records {
        for row in rows_of(r) {
            w.write_record(row.iter().map(|c| guard_cell(c).into_owned()))
                .map_err(AppError::internal)?;
        }
    }
    w.into_inner().map_err(AppError::internal)
}

/// A record read from a file, with where it came from (for problems).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    pub record: ApplicationRecord,
    /// CSV: the application's first row. JSON: its position in `applications`, from 1.
    pub row: usize,
    /// CSV: the first row of each declared population.
    pub population_rows: BTreeMap<String, usize>,
}

fn problem(row: usize, application: &str, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        row,
        application: application.to_string(),
        message: message.into(),
    }
}

fn file_problem(message: impl Into<String>) -> ImportProblem {
    problem(0, "", message)
}

fn text_of(bytes: &[u8]) -> Result<&str, ImportProblem> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| file_problem("the file is not UTF-8 text"))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads a CSV file into records. Columns are found by their header (any order; a missing column
/// reads as empty cells; an unknown one is refused). Every problem is reported, each on its row.
pub fn decode_csv(bytes: &[u8]) -> (Vec<Sourced>, Vec<ImportProblem>) {
    let text = match text_of(bytes) {
        Ok(t) => t,
        Err(p) => return (Vec::new(), vec![p]),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return (
                Vec::new(),
                vec![file_problem(format!("unreadable CSV: {e}"))],
            );
        }
    };
    let mut problems = Vec::new();
    let mut position: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match COLUMNS.iter().position(|c| *c == h) {
            Some(c) if position[c].is_none() => position[c] = Some(i),
            Some(_) => problems.push(problem(1, "", format!("the column “{h}” appears twice"))),
            None => problems.push(problem(
                1,
                "",
                format!(
                    "unknown column “{h}”; the columns are: {}",
                    COLUMNS.join(", ")
                ),
            )),
        }
    }
    if position[APPLICATION].is_none() {
        problems.push(problem(1, "", "the column “application” is missing"));
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }

    // Rows grouped by application (names are unique ignoring case), in order of appearance.
    let mut groups: Vec<Vec<(usize, Row)>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, result) in reader.records().enumerate() {
        let number = i + 2;
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(number, "", format!("unreadable row: {e}")));
                continue;
            }
        };
        let mut row: Row = Default::default();
        for (c, cell) in row.iter_mut().enumerate() {
            if let Some(raw) = position[c].and_then(|i| record.get(i)) {
                *cell = unguard_cell(raw.trim()).to_string();
            }
        }
        if row.iter().all(String::is_empty) {
            continue;
        }
        let key = name_key(&row[APPLICATION]);
        if key.is_empty() {
            problems.push(problem(number, "", "application: the name is empty"));
            continue;
        }
        let g = *by_name.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push((number, row));
    }
    let mut records = Vec::with_capacity(groups.len());
    for rows in &groups {
        match record_of_rows(rows) {
            Ok(s) => records.push(s),
            Err(mut p) => problems.append(&mut p),
        }
    }
    problems.sort_by_key(|p| p.row);
    (records, problems)
}

fn parse_bool(cell: &str, column: usize) -> Result<bool, String> {
    match cell.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{}: write true or false", COLUMNS[column])),
    }
}

fn parse_minutes(cell: &str, column: usize) -> Result<u32, String> {
    cell.parse::<u32>()
        .map_err(|_| format!("{}: write whole minutes", COLUMNS[column]))
}

fn non_empty(cell: &str) -> Option<String> {
    (!cell.is_empty()).then(|| cell.to_string())
}

/// One application from its rows (all sharing the application cells).
fn record_of_rows(rows: &[(usize, Row)]) -> Result<Sourced, Vec<ImportProblem>> {
    let (first_number, first) = &rows[0];
    let name = first[APPLICATION].as_str();
    let mut problems = Vec::new();
    let mut push = |row: usize, message: String| problems.push(problem(row, name, message));

    let mut rows_ok: Vec<&(usize, Row)> = vec![&rows[0]];
    for r in &rows[1..] {
        match APPLICATION_CELLS.iter().find(|c| r.1[**c] != first[**c]) {
            Some(&c) => push(
                r.0,
                format!(
                    "{}: “{}” differs from “{}” on row {first_number}, the first row of this \
                     application (its cells repeat on every row; names are unique ignoring case)",
                    COLUMNS[c], r.1[c], first[c]
                ),
            ),
            None => rows_ok.push(r),
        }
    }

    let archived = match first[ARCHIVED].as_str() {
        "" => false,
        cell => parse_bool(cell, ARCHIVED).unwrap_or_else(|m| {
            push(*first_number, m);
            false
        }),
    };
    let identity_provider = match first[IDENTITY_PROVIDER].as_str() {
        "" => false,
        cell => parse_bool(cell, IDENTITY_PROVIDER).unwrap_or_else(|m| {
            push(*first_number, m);
            false
        }),
    };
    let break_glass = match break_glass_of(first) {
        Ok(bg) => bg,
        Err(m) => {
            push(*first_number, m);
            None
        }
    };

    // Declared populations, in order of appearance.
    let mut journeys: Vec<PopulationJourney> = Vec::new();
    let mut population_rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_of_population: HashMap<String, &Row> = HashMap::new();
    let mut seen_roles: HashMap<(String, JourneyRole), usize> = HashMap::new();
    let bare: Vec<_> = rows_ok
        .iter()
        .filter(|r| r.1[POPULATION].is_empty())
        .collect();
    let declared = rows_ok.len() > bare.len();
    for (i, (number, row)) in bare.iter().map(|r| (r.0, &r.1)).enumerate() {
        if !row[ROLE].is_empty() || !row[METHODS].is_empty() {
            push(
                number,
                "population: empty, but the row names a role or methods".into(),
            );
        } else if let Some(&c) = POPULATION_CELLS.iter().find(|c| !row[**c].is_empty()) {
            push(
                number,
                format!("{}: set on a row without a population", COLUMNS[c]),
            );
        } else if declared {
            push(
                number,
                "population: empty, but other rows of this application declare populations".into(),
            );
        } else if i > 0 {
            push(
                number,
                format!("a second row without a population (see row {})", bare[0].0),
            );
        }
    }
    for (number, row) in rows_ok.iter().map(|r| (r.0, &r.1)) {
        let key = row[POPULATION].as_str();
        if key.is_empty() {
            continue;
        }
        let index = match journeys.iter().position(|j| j.population == key) {
            Some(i) => {
                let first_row = first_of_population[key];
                if let Some(&c) = POPULATION_CELLS.iter().find(|c| row[**c] != first_row[**c]) {
                    push(
                        number,
                        format!(
                            "{}: “{}” differs from “{}” on row {} of the same population",
                            COLUMNS[c], row[c], first_row[c], population_rows[key]
                        ),
                    );
                    continue;
                }
                i
            }
            None => {
                let mut j = PopulationJourney {
                    population: key.to_string(),
                    ..Default::default()
                };
                if let Err(messages) = population_settings(row, &mut j) {
                    for m in messages {
                        push(number, m);
                    }
                }
                journeys.push(j);
                population_rows.insert(key.to_string(), number);
                first_of_population.insert(key.to_string(), row);
                journeys.len() - 1
            }
        };
        let methods = split(&row[METHODS]);
        match row[ROLE].as_str() {
            "" if methods.is_empty() => {}
            "" => push(number, "role: empty, but methods are given".into()),
            role => match JourneyRole::parse(role) {
                None => push(
                    number,
                    format!(
                        "role: unknown “{role}”; use one of: {}",
                        JourneyRole::keys()
                    ),
                ),
                Some(role) => match seen_roles.get(&(key.to_string(), role)) {
                    Some(other) => push(
                        number,
                        format!("role: {} of {key} is already on row {other}", role.as_str()),
                    ),
                    None => {
                        seen_roles.insert((key.to_string(), role), number);
                        *journeys[index].methods_mut(role) = methods;
                    }
                },
            },
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let declaration = (declared || break_glass.is_some()).then_some(Declaration {
        populations: journeys,
        break_glass,
    });
    Ok(Sourced {
        record: ApplicationRecord {
            name: name.to_string(),
            description: first[DESCRIPTION].clone(),
            business_unit: non_empty(&first[BUSINESS_UNIT]),
            criticality: first[CRITICALITY].clone(),
            integration: first[INTEGRATION].clone(),
            lifecycle: first[LIFECYCLE].clone(),
            archived,
            identity_provider,
            provider: non_empty(&first[PROVIDER]),
            owners: split(&first[OWNERS]),
            tags: split(&first[TAGS]),
            populations: split(&first[POPULATIONS]),
            declaration,
        },
        row: *first_number,
        population_rows,
    })
}

fn break_glass_of(row: &Row) -> Result<Option<BreakGlass>, String> {
    if [BG_ACCOUNTS, BG_METHOD, BG_LOCATION, BG_LAST_DRILL]
        .iter()
        .all(|c| row[*c].is_empty())
    {
        return Ok(None);
    }
    let accounts = row[BG_ACCOUNTS]
        .parse::<u32>()
        .map_err(|_| "break_glass_accounts: write how many accounts exist".to_string())?;
    Ok(Some(BreakGlass {
        accounts,
        method: row[BG_METHOD].clone(),
        location: row[BG_LOCATION].clone(),
        last_drill: non_empty(&row[BG_LAST_DRILL]),
    }))
}

/// Offboarding, session rules and device requirements of a population, from its first row.
fn population_settings(row: &Row, j: &mut PopulationJourney) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    j.offboarding = match row[OFFBOARDING].as_str() {
        "" => None,
        o => Offboarding::parse(o).or_else(|| {
            problems.push(format!(
                "offboarding: use one of: {}, or leave it empty",
                Offboarding::keys()
            ));
            None
        }),
    };
    let session = [MAX_SESSION, IDLE_TIMEOUT, REAUTH];
    if session.iter().all(|c| !row[*c].is_empty()) {
        let parsed = (
            parse_minutes(&row[MAX_SESSION], MAX_SESSION),
            parse_minutes(&row[IDLE_TIMEOUT], IDLE_TIMEOUT),
            parse_bool(&row[REAUTH], REAUTH),
        );
        match parsed {
            (Ok(max), Ok(idle), Ok(reauth)) => {
                j.session = Some(SessionRules {
                    max_session_minutes: max,
                    idle_timeout_minutes: idle,
                    reauth_sensitive: reauth,
                })
            }
            (a, b, c) => problems.extend([a.err(), b.err(), c.err()].into_iter().flatten()),
        }
    } else if session.iter().any(|c| !row[*c].is_empty()) {
        problems.push(
            "max_session_minutes, idle_timeout_minutes, reauth_sensitive: give all three, or \
             leave all three empty"
                .into(),
        );
    }
    let flags = [MANAGED, BYOD, SHARED];
    if !row[PLATFORMS].is_empty() || flags.iter().any(|c| !row[*c].is_empty()) {
        let mut devices = DeviceRequirements::default();
        for item in split(&row[PLATFORMS]) {
            let Some((key, version)) = item.split_once(':') else {
                problems.push(format!(
                    "platforms: “{item}”: write platform:minimum version, such as windows:10"
                ));
                continue;
            };
            match Platform::parse(key.trim()) {
                Some(platform) => devices.platforms.push(PlatformSupport {
                    platform,
                    min_version: version.trim().to_string(),
                }),
                None => problems.push(format!(
                    "platforms: unknown platform “{}”; use one of: {}",
                    key.trim(),
                    Platform::keys()
                )),
            }
        }
        let parsed: Vec<_> = flags.iter().map(|c| parse_bool(&row[*c], *c)).collect();
        match parsed.as_slice() {
            [Ok(managed), Ok(byod), Ok(shared)] => {
                devices.managed_required = *managed;
                devices.byod_allowed = *byod;
                devices.shared_workstation = *shared;
            }
            _ => problems.push(
                "managed_required, byod_allowed, shared_workstation: write true or false in each \
                 (all three stay empty, with platforms, only when the population declares no \
                 device requirements)"
                    .into(),
            ),
        }
        j.devices = Some(devices);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON.

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'a str,
    version: u32,
    applications: &'a [ApplicationRecord],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    format: String,
    version: u32,
    applications: Vec<serde_json::Value>,
}

/// The JSON file, pretty-printed, fields in a fixed order.
pub fn encode_json(records: &[ApplicationRecord]) -> Result<Vec<u8>, AppError> {
    let mut out = serde_json::to_vec_pretty(&FileOut {
        format: JSON_FORMAT,
        version: JSON_VERSION,
        applications: records,
    })
    .map_err(AppError::internal)?;
    out.push(b'\n');
    Ok(out)
}

/// Reads a JSON file into records; each application that cannot be read is reported by its
/// position.
pub fn decode_json(bytes: &[u8]) -> (Vec<Sourced>, Vec<ImportProblem>) {
    let file: FileIn = match text_of(bytes).and_then(|t| {
        serde_json::from_str(t)
            .map_err(|e| file_problem(format!("not a portal applications file: {e}")))
    }) {
        Ok(f) => f,
        Err(p) => return (Vec::new(), vec![p]),
    };
    if file.format != JSON_FORMAT || file.version != JSON_VERSION {
        return (
            Vec::new(),
            vec![file_problem(format!(
                "format and version must be “{JSON_FORMAT}” and {JSON_VERSION}"
            ))],
        );
    }
    let mut records = Vec::with_capacity(file.applications.len());
    let mut problems = Vec::new();
    for (i, value) in file.applications.into_iter().enumerate() {
        let name = value
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        match serde_json::from_value::<ApplicationRecord>(value) {
            Ok(record) => records.push(Sourced {
                record,
                row: i + 1,
                population_rows: BTreeMap::new(),
            }),
            Err(e) => problems.push(problem(i + 1, &name, e.to_string())),
        }
    }
    (records, problems)
}

// ---------------------------------------------------------------------------------------------
// Planning an import: every name resolved, every record checked, nothing written.

/// What the portal already holds, loaded once before planning.
#[derive(Clone, Debug, Default)]
pub struct Existing {
    /// Every business unit (retired too) by lower-cased name.
    pub business_units: BTreeMap<String, Uuid>,
    /// Every account by user name: its id and whether it holds the owner role.
    pub users: BTreeMap<String, (UserId, bool)>,
    /// Every application (archived too) by name key.
    pub applications: BTreeMap<String, Uuid>,
    /// What the registry's checks accept today (active identity providers only).
    pub allowed: Allowed,
    /// Archived identity providers: acceptable providers for archived applications only.
    pub archived_providers: BTreeSet<Uuid>,
    /// Active catalogue keys.
    pub known: Known,
}

/// Everything an import writes, in the order it must be written.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// New business units (id, name).
    pub business_units: Vec<(Uuid, String)>,
    /// New owner accounts (id, user name).
    pub owners: Vec<(Uuid, String)>,
    /// Identity providers first, so that every provider exists before its dependants.
    pub applications: Vec<NewApplication>,
    /// Each becomes version 1 of its application.
    pub declarations: Vec<(DeclarationVersionId, ApplicationId, Declaration)>,
}

impl Plan {
    pub fn summary(&self) -> ImportSummary {
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        ImportSummary {
            applications: self.applications.len(),
            declarations: self.declarations.len(),
            business_units: sorted(self.business_units.iter().map(|b| b.1.clone()).collect()),
            owners: sorted(self.owners.iter().map(|o| o.1.clone()).collect()),
        }
    }
}

/// Where a validation message belongs, in the file's words: `p[contractors][primary][0]` becomes
/// `contractors primary method 1`, `bg[method]` becomes `break_glass_method`.
fn place(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("bg[") {
        return format!("break_glass_{}", rest.trim_end_matches(']'));
    }
    let Some(rest) = field.strip_prefix("p[") else {
        return field.to_string();
    };
    let parts: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
    match parts.as_slice() {
        [pop, role, slot] if JourneyRole::parse(role).is_some() => match slot.parse::<usize>() {
            Ok(n) => format!("{pop} {role} method {}", n + 1),
            Err(_) => format!("{pop} {role}"),
        },
        [pop, "population"] => format!("population {pop}"),
        [pop, part, more @ ..] => format!("{pop} {part} {}", more.join(" "))
            .trim_end()
            .to_string(),
        _ => field.to_string(),
    }
}

fn message_of(e: AppError) -> String {
    match e {
        AppError::Validation { field, message } => format!("{}: {message}", place(&field)),
        other => other.to_string(),
    }
}

/// The population a declaration's validation message is about, if any.
fn population_of(field: &str) -> Option<&str> {
    field.strip_prefix("p[")?.split(']').next()
}

/// Resolves every name to an id (creating the missing business units and owner accounts) and
/// checks every record with the registry's and the declarations' rules. Ids come from `new_id`
/// in record order, so a seeded source gives the same ids every time. All or nothing: any
/// problem and there is no plan.
pub fn plan(
    sourced: &[Sourced],
    existing: &Existing,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<Plan, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut allowed = existing.allowed.clone();
    let mut plan = Plan::default();
    let mut archived_providers = existing.archived_providers.clone();

    // Names first: each application gets its id, and the file's identity providers become
    // acceptable providers.
    let mut in_file: HashMap<String, (Uuid, usize)> = HashMap::new();
    let mut ids = Vec::with_capacity(sourced.len());
    for s in sourced {
        let key = name_key(&s.record.name);
        let id = new_id();
        ids.push(id);
        if key.is_empty() {
            continue;
        }
        if existing.applications.contains_key(&key) {
            problems.push(problem(
                s.row,
                &s.record.name,
                format!(
                    "name: an application named “{}” already exists in the portal (names are \
                     unique ignoring case)",
                    s.record.name.trim()
                ),
            ));
        } else if let Some((_, other)) = in_file.get(&key) {
            problems.push(problem(
                s.row,
                &s.record.name,
                format!(
                    "name: “{}” is used twice in this file (also row {other}; names are unique \
                     ignoring case)",
                    s.record.name.trim()
                ),
            ));
        } else {
            in_file.insert(key, (id, s.row));
            if s.record.identity_provider {
                if s.record.archived {
                    archived_providers.insert(id);
                } else {
                    allowed.providers.insert(id);
                }
            }
        }
    }

    let mut new_units: HashMap<String, Uuid> = HashMap::new();
    let mut new_owners: HashMap<String, Uuid> = HashMap::new();
    for (s, id) in sourced.iter().zip(ids) {
        let r = &s.record;
        let mut report = |message: String| problems.push(problem(s.row, &r.name, message));
        let mut resolved = true;

        let business_unit = match r.business_unit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                let key = name.to_lowercase();
                match existing.business_units.get(&key).or(new_units.get(&key)) {
                    Some(id) => Some(*id),
                    None => match validate_text("business_unit", name, 1, CATALOGUE_NAME_MAX) {
                        Ok(name) => {
                            let id = new_id();
                            new_units.insert(key, id);
                            plan.business_units.push((id, name));
                            allowed.business_units.insert(id);
                            Some(id)
                        }
                        Err(e) => {
                            report(message_of(e.into()));
                            resolved = false;
                            None
                        }
                    },
                }
            }
        };

        let mut owners = Vec::with_capacity(r.owners.len());
        for raw in &r.owners {
            let username = match validate_username(raw) {
                Ok(u) => u,
                Err((_, m)) => {
                    report(format!("owners: “{raw}”: {m}"));
                    resolved = false;
                    continue;
                }
            };
            match existing.users.get(&username) {
                Some((id, true)) => owners.push(*id),
                Some((_, false)) => {
                    report(format!(
                        "owners: “{username}” has an account without the owner role; an \
                         administrator grants it on the Users page"
                    ));
                    resolved = false;
                }
                None => {
                    let id = *new_owners.entry(username.clone()).or_insert_with(|| {
                        let id = new_id();
                        plan.owners.push((id, username));
                        allowed.owners.insert(UserId(id));
                        id
                    });
                    owners.push(UserId(id));
                }
            }
        }

        let provider = match r.provider.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                let key = name_key(name);
                match in_file
                    .get(&key)
                    .map(|p| p.0)
                    .or_else(|| existing.applications.get(&key).copied())
                {
                    Some(id) => Some(id),
                    None => {
                        report(format!(
                            "provider: no application named “{name}” in this file or in the portal"
                        ));
                        resolved = false;
                        None
                    }
                }
            }
        };

        let checked = if resolved {
            let input = ApplicationInput {
                name: r.name.clone(),
                description: r.description.clone(),
                business_unit,
                criticality: r.criticality.clone(),
                integration: r.integration.clone(),
                lifecycle: r.lifecycle.clone(),
                is_identity_provider: r.identity_provider,
                provider,
                owners,
                populations: r.populations.clone(),
                tags: r.tags.clone(),
            };
            // An archived application may federate through an archived identity provider: the
            // provider is lent to the registry's check for this record only.
            let lent = provider.filter(|p| {
                r.archived && archived_providers.contains(p) && allowed.providers.insert(*p)
            });
            let checked = check(&input, &allowed);
            if let Some(p) = lent {
                allowed.providers.remove(&p);
            }
            checked
                .map_err(|e| match (&e, provider, r.provider.as_deref()) {
                    (AppError::Validation { field, .. }, Some(p), Some(name))
                        if field == "provider" && archived_providers.contains(&p) =>
                    {
                        report(format!(
                            "provider: “{}” is archived; only an archived application federates \
                             through an archived identity provider",
                            name.trim()
                        ))
                    }
                    _ => report(message_of(e)),
                })
                .ok()
        } else {
            None
        };

        if let Some(d) = &r.declaration {
            let served = checked.as_ref().map_or(&r.populations, |c| &c.populations);
            if d.populations.is_empty() && d.break_glass.is_none() {
                report("declaration: it declares nothing; leave it out".into());
            } else {
                match validate(d, served, &existing.known) {
                    Ok(d) => {
                        if checked.is_some() {
                            plan.declarations.push((
                                DeclarationVersionId(new_id()),
                                ApplicationId(id),
                                d,
                            ));
                        }
                    }
                    Err(e) => {
                        let row = e
                            .field()
                            .and_then(population_of)
                            .and_then(|p| s.population_rows.get(p))
                            .copied()
                            .unwrap_or(s.row);
                        problems.push(problem(row, &r.name, message_of(e)));
                    }
                }
            }
        }
        if let Some(app) = checked {
            plan.applications.push(NewApplication {
                id: ApplicationId(id),
                app,
                archived: r.archived,
            });
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(problems);
    }
    // Providers before the applications federated through them.
    plan.applications.sort_by_key(|a| a.app.provider.is_some());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declarations::rules::default_journey;

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for v in [
            "=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x",
        ] {
            let out = guard_cell(v);
            assert!(out.starts_with('\''), "{v:?} became {out:?}");
            assert_eq!(unguard_cell(&out), v, "{v:?} round trips");
        }
        for v in ["Payroll", "'quoted'", "", "a=b", "'", "''"] {
            assert_eq!(guard_cell(v), v, "{v:?} is left alone");
            assert_eq!(unguard_cell(v), v);
        }
        assert_eq!(unguard_cell("'=written by hand"), "=written by hand");
    }

    fn record(name: &str) -> ApplicationRecord {
        ApplicationRecord {
            name: name.into(),
            description: "Pays people.\nMonthly, “on time”; always".into(),
            business_unit: Some("Finance".into()),
            criticality: "high".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            archived: false,
            identity_provider: false,
            provider: None,
            owners: vec!["alice".into(), "bob".into()],
            tags: vec!["hr".into(), "sox".into()],
            populations: vec!["office_employees".into(), "contractors".into()],
            declaration: None,
        }
    }

    fn declared(name: &str) -> ApplicationRecord {
        let mut office = default_journey("office_employees", false);
        office.devices.as_mut().unwrap().platforms[1].min_version = "13.1".into();
        let contractors = PopulationJourney {
            population: "contractors".into(),
            session: Some(SessionRules {
                max_session_minutes: 60,
                idle_timeout_minutes: 15,
                reauth_sensitive: false,
            }),
            devices: Some(DeviceRequirements::default()),
            ..Default::default()
        };
        ApplicationRecord {
            declaration: Some(Declaration {
                populations: vec![office, contractors],
                break_glass: Some(BreakGlass {
                    accounts: 2,
                    method: "security_key".into(),
                    location: "=Safe in the SOC".into(),
                    last_drill: Some("2026-02-28".into()),
                }),
            }),
            ..record(name)
        }
    }

    #[test]
    fn csv_rows_follow_populations_and_roles() {
        let rows = rows_of(&record("Payroll"));
        assert_eq!(rows.len(), 1, "no declaration: one row");
        assert!(rows[0][POPULATION].is_empty() && rows[0][ROLE].is_empty());
        assert_eq!(rows[0][OWNERS], "alice;bob");

        let rows = rows_of(&declared("Payroll"));
        // office: six roles with methods; contractors: no methods, one row with the role empty.
        assert_eq!(rows.len(), 7, "{rows:#?}");
        assert_eq!(rows[0][ROLE], "enrolment");
        assert_eq!(rows[1][METHODS], "platform_passkey;security_key");
        assert_eq!(
            rows[0][PLATFORMS],
            "windows:10;macos:13.1;ios:17;android:13"
        );
        assert_eq!(rows[6][POPULATION], "contractors");
        assert_eq!(rows[6][ROLE], "");
        assert_eq!(rows[6][PLATFORMS], "");
        assert_eq!(
            rows[6][MANAGED], "false",
            "declared but empty devices are not absent"
        );
        assert!(rows.iter().all(|r| r[BG_LOCATION] == "=Safe in the SOC"));
        let office = rows_of(&ApplicationRecord {
            declaration: Some(Declaration {
                populations: vec![PopulationJourney {
                    population: "office_employees".into(),
                    primary: vec!["security_key".into()],
                    ..Default::default()
                }],
                break_glass: None,
            }),
            ..record("X")
        });
        assert_eq!(office[0][OFFBOARDING], "");
        assert_eq!(
            office[0][MANAGED], "",
            "no device requirements: the flags stay empty"
        );
        assert_eq!(office[0][MAX_SESSION], "");
    }

    #[test]
    fn csv_round_trips() {
        let records = vec![declared("Payroll"), record("=HYPERLINK(evil)"), {
            let mut r = record("Bare break-glass");
            r.declaration = Some(Declaration {
                populations: vec![],
                break_glass: declared("x").declaration.unwrap().break_glass,
            });
            r.archived = true;
            r
        }];
        let bytes = encode_csv(&records).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(
            "application,description,business_unit,criticality,integration,lifecycle,archived,\
             identity_provider,"
        ));
        assert_eq!(
            text.matches(",production,false,false,").count(),
            8,
            "{text}"
        );
        assert_eq!(text.matches(",production,true,false,").count(), 1, "{text}");
        assert!(text.contains("'=HYPERLINK(evil)"), "{text}");
        assert!(text.contains("'=Safe in the SOC"));
        let (decoded, problems) = decode_csv(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        let back: Vec<_> = decoded.into_iter().map(|s| s.record).collect();
        assert_eq!(back, records);
        assert_eq!(encode_csv(&back).unwrap(), bytes);
    }

    #[test]
    fn json_round_trips_and_names_the_format() {
        let records = vec![declared("Payroll"), record("CRM")];
        let bytes = encode_json(&records).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(
            "{\n  \"format\": \"passwordless-portal/applications\",\n  \"version\": 1,"
        ));
        let (decoded, problems) = decode_json(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(decoded[1].row, 2);
        let back: Vec<_> = decoded.into_iter().map(|s| s.record).collect();
        assert_eq!(back, records);
        let (_, problems) = decode_json(br#"{"format":"other","version":1,"applications":[]}"#);
        assert_eq!(problems[0].row, 0);
        let (ok, problems) = decode_json(
            br#"{"format":"passwordless-portal/applications","version":1,"applications":[
                {"name":"A","criticality":"low","integration":"local","lifecycle":"pilot","owners":[],"populations":[],"colour":"red"}]}"#,
        );
        assert!(ok.is_empty());
        assert_eq!(
            (problems[0].row, problems[0].application.as_str()),
            (1, "A")
        );
        assert!(problems[0].message.contains("colour"), "{problems:?}");
    }

    fn csv_of(lines: &[&str]) -> Vec<u8> {
        let mut text = COLUMNS.join(",");
        for l in lines {
            text.push('\n');
            text.push_str(l);
        }
        text.into_bytes()
    }

    /// A data line: the application cells, then population-level and break-glass cells.
    fn line(app: &str, population: &str, role: &str, methods: &str, rest: &str) -> String {
        format!(
            "{app},,,high,local,production,,false,,alice,,office_employees,{population},{role},{methods},{rest}"
        )
    }

    #[test]
    fn csv_problems_are_reported_on_their_rows() {
        let empty = ",,,,,,,,,,,";
        let lines = [
            line("A", "office_employees", "primary", "security_key", empty),
            // Row 3: the same application disagrees on criticality.
            "A,,,low,local,production,,false,,alice,,office_employees,office_employees,fallback,sms_otp,,,,,,,,,,,,".to_string(),
            // Row 4: an unknown role.
            line("B", "office_employees", "boss", "security_key", empty),
            // Row 5: session half given; platforms malformed.
            line("C", "office_employees", "primary", "security_key", "automatic,60,,,windows,,,,,,,"),
            // Row 6: a second row of C's population disagrees on offboarding.
            line("C", "office_employees", "fallback", "security_key", "manual,60,,,windows,,,,,,,"),
            // Row 7: the same role twice.
            line("D", "office_employees", "primary", "security_key", empty),
            line("D", "office_employees", "primary", "smart_card", empty),
            // Row 9: a bad identity-provider flag and break-glass count.
            "E,,,high,local,production,,maybe,,alice,,office_employees,,,,,,,,,,,,two,security_key,Safe,".to_string(),
            // Row 10: empty name.
            line("", "", "", "", empty),
            // Row 11: methods without a role.
            line("F", "office_employees", "", "security_key", empty),
            // Row 12: a good one.
            line("G", "office_employees", "primary", "security_key", "automatic,600,30,TRUE,windows:10,true,false,false,,,,"),
            ",,,,,,,,,,,,,,,,,,,,,,,,,,".to_string(),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (ok, problems) = decode_csv(&csv_of(&lines));
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(
            rows,
            vec![3, 4, 5, 5, 5, 6, 8, 9, 9, 10, 11],
            "{problems:#?}"
        );
        assert!(
            problems[0].message.starts_with("criticality:"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[1].application, "B");
        assert_eq!(ok.len(), 1, "only G is readable");
        let g = &ok[0];
        assert_eq!((g.row, g.record.name.as_str()), (12, "G"));
        let j = &g.record.declaration.as_ref().unwrap().populations[0];
        assert!(j.session.as_ref().unwrap().reauth_sensitive);
        assert!(j.devices.as_ref().unwrap().managed_required);
        assert_eq!(g.population_rows["office_employees"], 12);
    }

    #[test]
    fn the_archived_column_repeats_and_defaults_to_false() {
        let empty = ",,,,,,,,,,,";
        let mut archived = line("A", "office_employees", "primary", "security_key", empty);
        archived = archived.replacen(",production,,", ",production,TRUE,", 1);
        let mut disagrees = line("A", "office_employees", "fallback", "sms_otp", empty);
        disagrees = disagrees.replacen(",production,,", ",production,false,", 1);
        let mut bad = line("B", "", "", "", empty);
        bad = bad.replacen(",production,,", ",production,yes,", 1);
        let plain = line("C", "", "", "", empty);
        let lines = [
            archived.as_str(),
            disagrees.as_str(),
            bad.as_str(),
            plain.as_str(),
        ];
        let (ok, problems) = decode_csv(&csv_of(&lines));
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(problems[0].row, 3);
        assert!(
            problems[0].message.starts_with("archived:"),
            "{}",
            problems[0].message
        );
        assert_eq!(
            (problems[1].row, problems[1].message.as_str()),
            (4, "archived: write true or false")
        );
        let names: Vec<(&str, bool)> = ok
            .iter()
            .map(|s| (s.record.name.as_str(), s.record.archived))
            .collect();
        assert_eq!(names, vec![("C", false)], "A and B are refused");
        let (ok, problems) = decode_csv(&csv_of(&[archived.as_str()]));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(ok[0].record.archived);
        let (ok, problems) = decode_csv(b"application,owners\nPayroll,alice\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!ok[0].record.archived, "a missing column reads as false");
    }

    #[test]
    fn json_archived_defaults_to_false_and_follows_lifecycle() {
        let mut r = record("CRM");
        r.archived = true;
        let text = String::from_utf8(encode_json(&[r]).unwrap()).unwrap();
        assert!(
            text.contains("\"lifecycle\": \"production\",\n      \"archived\": true,\n      \"identity_provider\""),
            "{text}"
        );
        let (ok, problems) = decode_json(
            br#"{"format":"passwordless-portal/applications","version":1,"applications":[
                {"name":"A","criticality":"low","integration":"local","lifecycle":"pilot","owners":[],"populations":[]}]}"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!ok[0].record.archived);
    }

    #[test]
    fn csv_headers_are_matched_by_name() {
        let text = "criticality,application,owners\nlow,Payroll,alice\n";
        let (ok, problems) = decode_csv(text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(ok[0].record.criticality, "low");
        assert_eq!(ok[0].record.owners, vec!["alice"]);
        let (_, problems) = decode_csv(b"application,colour\nA,red\n");
        assert_eq!(problems[0].row, 1);
        assert!(problems[0].message.contains("colour"));
        let (_, problems) = decode_csv(&[0xff, 0xfe]);
        assert_eq!(problems[0].row, 0);
    }

    #[test]
    fn validation_fields_are_named_in_the_files_words() {
        assert_eq!(
            place("p[contractors][primary][0]"),
            "contractors primary method 1"
        );
        assert_eq!(
            place("p[contractors][population]"),
            "population contractors"
        );
        assert_eq!(
            place("p[contractors][platforms][windows]"),
            "contractors platforms windows"
        );
        assert_eq!(
            place("p[contractors][max_session_minutes]"),
            "contractors max_session_minutes"
        );
        assert_eq!(place("bg[last_drill]"), "break_glass_last_drill");
        assert_eq!(place("criticality"), "criticality");
        assert_eq!(population_of("p[partners][primary][1]"), Some("partners"));
    }

    fn existing() -> Existing {
        let finance = Uuid::from_u128(10);
        let idp = Uuid::from_u128(20);
        let alice = UserId(Uuid::from_u128(1));
        Existing {
            business_units: [("finance".to_string(), finance)].into(),
            users: [
                ("alice".to_string(), (alice, true)),
                ("carol".to_string(), (UserId(Uuid::from_u128(3)), false)),
            ]
            .into(),
            applications: [
                ("corporate idp".to_string(), idp),
                ("payroll".to_string(), Uuid::from_u128(21)),
            ]
            .into(),
            allowed: Allowed {
                business_units: [finance].into(),
                populations: vec!["contractors".into(), "office_employees".into()],
                owners: [alice].into(),
                providers: [idp].into(),
                editing: None,
            },
            archived_providers: [Uuid::from_u128(22)].into(),
            known: Known {
                methods: [
                    "security_key",
                    "platform_passkey",
                    "temporary_access_pass",
                    "helpdesk_proofing",
                    "smart_card",
                    "synced_passkey",
                    "sms_otp",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                populations: ["contractors", "office_employees"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        }
    }

    fn sourced(records: Vec<ApplicationRecord>) -> Vec<Sourced> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Sourced {
                record,
                row: i + 1,
                population_rows: BTreeMap::new(),
            })
            .collect()
    }

    fn counter() -> impl FnMut() -> Uuid {
        let mut n = 1000u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    #[test]
    fn a_good_file_is_planned_with_new_units_and_owners() {
        let mut local_idp = record("Partner IdP");
        local_idp.identity_provider = true;
        local_idp.business_unit = Some("Partner Office".into());
        local_idp.owners = vec!["alice".into()];
        let mut federated = declared("Expenses");
        federated.integration = "federated".into();
        federated.provider = Some("partner idp".into());
        federated.owners = vec!["Alice".into(), "dave".into()];
        let mut via_existing = record("Travel");
        via_existing.integration = "federated".into();
        via_existing.provider = Some("Corporate IdP".into());
        via_existing.owners = vec!["dave".into()];
        let plan = plan(
            &sourced(vec![federated, local_idp, via_existing]),
            &existing(),
            &mut counter(),
        )
        .unwrap();
        let names: Vec<&str> = plan
            .applications
            .iter()
            .map(|a| a.app.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["Partner IdP", "Expenses", "Travel"],
            "providers first"
        );
        assert_eq!(
            plan.applications[1].app.provider,
            Some(plan.applications[0].id.0)
        );
        assert_eq!(plan.applications[2].app.provider, Some(Uuid::from_u128(20)));
        assert_eq!(plan.owners.len(), 1, "dave is created once");
        assert_eq!(plan.owners[0].1, "dave");
        assert_eq!(
            plan.business_units
                .iter()
                .map(|b| b.1.as_str())
                .collect::<Vec<_>>(),
            vec!["Partner Office"]
        );
        assert_eq!(plan.declarations.len(), 1);
        let d = &plan.declarations[0].2;
        assert_eq!(
            d.populations[0].population, "contractors",
            "catalogue order"
        );
        let s = plan.summary();
        assert_eq!((s.applications, s.declarations), (3, 1));
    }

    #[test]
    fn every_bad_record_is_reported_and_nothing_is_planned() {
        let mut unknown_method = declared("One");
        unknown_method.declaration.as_mut().unwrap().populations[0].primary =
            vec!["carrier_pigeon".into()];
        let duplicate_in_db = record("PAYROLL");
        let mut ownerless_role = record("Three");
        ownerless_role.owners = vec!["carol".into()];
        let mut not_an_idp = record("Four");
        not_an_idp.integration = "federated".into();
        not_an_idp.provider = Some("Payroll".into());
        let mut bad_criticality = record("Five");
        bad_criticality.criticality = "huge".into();
        let twice = record("five");
        let mut no_provider = record("Seven");
        no_provider.integration = "federated".into();
        no_provider.provider = Some("Nowhere".into());
        let good = record("Eight");
        let problems = plan(
            &sourced(vec![
                unknown_method,
                duplicate_in_db,
                ownerless_role,
                not_an_idp,
                bad_criticality,
                twice,
                no_provider,
                good,
            ]),
            &existing(),
            &mut counter(),
        )
        .unwrap_err();
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![1, 2, 3, 4, 5, 6, 7], "{problems:#?}");
        assert!(problems[0].message.contains("carrier_pigeon"));
        assert!(
            problems[0]
                .message
                .starts_with("office_employees primary method 1:"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("already exists in the portal"));
        assert!(problems[2].message.contains("without the owner role"));
        assert!(problems[3].message.starts_with("provider:"));
        assert!(problems[4].message.starts_with("criticality:"));
        assert!(
            problems[5]
                .message
                .contains("used twice in this file (also row 5")
        );
        assert!(
            problems[6]
                .message
                .contains("no application named “Nowhere”")
        );
    }

    #[test]
    fn archived_providers_serve_archived_applications_only() {
        let federated = |name: &str, provider: &str, archived: bool| {
            let mut r = record(name);
            r.integration = "federated".into();
            r.provider = Some(provider.into());
            r.owners = vec!["alice".into()];
            r.archived = archived;
            r
        };
        let mut old_idp = record("Old IdP");
        old_idp.identity_provider = true;
        old_idp.owners = vec!["alice".into()];
        old_idp.archived = true;
        let mut existing = existing();
        existing
            .applications
            .insert("retired idp".into(), Uuid::from_u128(22));
        let records = sourced(vec![
            federated("Legacy CRM", "old idp", true),
            federated("Legacy HR", "Retired IdP", true),
            federated("Archived but active IdP", "Corporate IdP", true),
            old_idp,
        ]);
        let plan = plan(&records, &existing, &mut counter()).unwrap();
        let by_name: HashMap<&str, &NewApplication> = plan
            .applications
            .iter()
            .map(|a| (a.app.name.as_str(), a))
            .collect();
        assert!(plan.applications.iter().all(|a| a.archived));
        assert_eq!(plan.applications[0].app.name, "Old IdP", "providers first");
        assert_eq!(
            by_name["Legacy CRM"].app.provider,
            Some(by_name["Old IdP"].id.0)
        );
        assert_eq!(by_name["Legacy HR"].app.provider, Some(Uuid::from_u128(22)));

        let mut old_idp = record("Old IdP");
        old_idp.identity_provider = true;
        old_idp.owners = vec!["alice".into()];
        old_idp.archived = true;
        let problems = plan_of(
            vec![
                federated("Live CRM", "old idp", false),
                federated("Live HR", "Retired IdP", false),
                old_idp,
                federated("Fine", "Corporate IdP", false),
            ],
            &existing,
        );
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![1, 2], "{problems:#?}");
        assert_eq!(
            problems[0].message,
            "provider: “old idp” is archived; only an archived application federates through an \
             archived identity provider"
        );
        assert!(problems[1].message.contains("“Retired IdP” is archived"));
    }

    fn plan_of(records: Vec<ApplicationRecord>, existing: &Existing) -> Vec<ImportProblem> {
        plan(&sourced(records), existing, &mut counter()).unwrap_err()
    }

    #[test]
    fn planning_is_deterministic_for_a_deterministic_id_source() {
        let records = sourced(vec![declared("A"), record("B")]);
        let a = plan(&records, &existing(), &mut counter()).unwrap();
        let b = plan(&records, &existing(), &mut counter()).unwrap();
        assert_eq!(
            a.applications.iter().map(|x| x.id).collect::<Vec<_>>(),
            b.applications.iter().map(|x| x.id).collect::<Vec<_>>()
        );
        assert_eq!(a.declarations[0].0, b.declarations[0].0);
    }
}
