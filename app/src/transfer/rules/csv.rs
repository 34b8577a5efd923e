//! The CSV encoding: one row per application × declared population × role, columns found by
//! their header on import, every cell neutralised on export.

use super::cells::{
    LIST_SEPARATOR, flag, guard_cell, join, join_paths, split, split_paths, unguard_cell,
};
use super::{Sourced, file_problem, problem, text_of};
use crate::declarations::model::{
    BreakGlass, Declaration, DeviceRequirements, JourneyRole, Offboarding, Platform,
    PlatformSupport, PopulationJourney, SessionRules,
};
use crate::error::AppError;
use crate::registry::facade::name_key;
use crate::transfer::model::{ApplicationRecord, ImportProblem};
use std::collections::{BTreeMap, HashMap};

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

type Row = [String; COLUMNS.len()];

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
            let paths = j.paths(role);
            if paths.is_empty() {
                continue;
            }
            let mut row = pop.clone();
            row[ROLE] = role.as_str().to_string();
            row[METHODS] = join_paths(paths);
            rows.push(row);
        }
        if rows.len() == before {
            rows.push(pop);
        }
    }
    rows
}

fn writer<W: std::io::Write>(to: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(to)
}

/// The CSV file: a header, then the rows of each application in the given order, every cell
/// neutralised.
pub fn encode_csv(records: &[ApplicationRecord]) -> Result<Vec<u8>, AppError> {
    let mut w = writer(Vec::new());
    w.write_record(COLUMNS).map_err(AppError::internal)?;
    for r in records {
        for row in rows_of(r) {
            w.write_record(row.iter().map(|c| guard_cell(c).into_owned()))
                .map_err(AppError::internal)?;
        }
    }
    w.into_inner().map_err(AppError::internal)
}

/// The header line, which opens the file.
pub(crate) fn csv_header() -> Result<Vec<u8>, AppError> {
    let mut w = writer(Vec::new());
    w.write_record(COLUMNS).map_err(AppError::internal)?;
    w.into_inner().map_err(AppError::internal)
}

/// The rows of some applications, appended to `out`: the header then the rows of each batch in
/// turn make the file `encode_csv` writes (every row stands alone, so one writer per batch
/// writes the same bytes as one for the whole file).
pub(crate) fn csv_rows(out: &mut Vec<u8>, records: &[ApplicationRecord]) -> Result<(), AppError> {
    let mut w = writer(out);
    for r in records {
        for row in rows_of(r) {
            w.write_record(row.iter().map(|c| guard_cell(c).into_owned()))
                .map_err(AppError::internal)?;
        }
    }
    w.flush().map_err(AppError::internal)
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
        let methods = split_paths(&row[METHODS]);
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
                        *journeys[index].paths_mut(role) = methods;
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{declared, record};
    use super::*;

    #[test]
    fn csv_rows_follow_populations_and_roles() {
        let rows = rows_of(&record("Payroll"));
        assert_eq!(rows.len(), 1, "no declaration: one row");
        assert!(rows[0][POPULATION].is_empty() && rows[0][ROLE].is_empty());
        assert_eq!(rows[0][OWNERS], "alice;bob");

        let rows = rows_of(&declared("Payroll"));
        // office: six roles with paths; contractors: one combined primary path.
        assert_eq!(rows.len(), 7, "{rows:#?}");
        assert_eq!(rows[0][ROLE], "enrolment");
        assert_eq!(rows[1][METHODS], "platform_passkey;security_key");
        assert_eq!(rows[6][METHODS], "password+totp_app");
        assert_eq!(
            rows[0][PLATFORMS],
            "windows:10;macos:13.1;ios:17;android:13"
        );
        assert_eq!(rows[6][POPULATION], "contractors");
        assert_eq!(rows[6][ROLE], "primary");
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
        let mut federated = declared("Federated");
        federated.integration = "federated".into();
        federated.provider = Some("Payroll".into());
        federated.declaration.as_mut().unwrap().populations[1]
            .primary
            .clear();
        let records = vec![
            declared("Payroll"),
            federated,
            record("=HYPERLINK(evil)"),
            {
                let mut r = record("Bare break-glass");
                r.declaration = Some(Declaration {
                    populations: vec![],
                    break_glass: declared("x").declaration.unwrap().break_glass,
                });
                r.archived = true;
                r
            },
        ];
        let bytes = encode_csv(&records).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(
            "application,description,business_unit,criticality,integration,lifecycle,archived,\
             identity_provider,"
        ));
        assert_eq!(
            text.matches(",production,false,false,").count(),
            15,
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
}
