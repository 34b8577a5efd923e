//! The portal's own adoption file, in both encodings: CSV (one row per method, plus one row per
//! period for its active users and help-desk tickets) and JSON (an
//! [`AdoptionDocument`](crate::adoption::model::AdoptionDocument)). Reading either reports every
//! problem in the file, each on its row (CSV: the row a spreadsheet shows, the header being row
//! 1; JSON: the entry's position in `figures`, from 1); writing either gives a file that reads
//! back to the same figures.

use crate::adoption::model::{
    MethodCounts, Period, PeriodFigures, RowProblem, TicketStage, Tickets,
};
use crate::registry::facade::name_key;
use crate::spreadsheet::{guard_cell, unguard_cell};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The largest count a file may give (a trillion).
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// What a ticket column's name starts with; the rest is the stage's key.
pub const TICKET_PREFIX: &str = "tickets_";

/// The columns before the ticket columns, in the order export writes them.
const LEADING_COLUMNS: [&str; 10] = [
    "application",
    "period",
    "population",
    "method",
    "sign_ins_succeeded",
    "sign_ins_failed",
    "fallback_uses",
    "recoveries",
    "enrolments",
    "users",
];

// Column positions.
const APPLICATION: usize = 0;
const PERIOD: usize = 1;
const POPULATION: usize = 2;
const METHOD: usize = 3;
/// The five method counts, in the order of [`METHOD_COUNTS`].
const SUCCEEDED: usize = 4;
const ENROLMENTS: usize = 8;
const USERS: usize = 9;
/// The first ticket column; the stage `TicketStage::ALL[i]` is at `TICKETS + i`.
const TICKETS: usize = 10;

/// The columns a file must have.
const REQUIRED: [usize; 2] = [APPLICATION, PERIOD];

/// Every column, in the order export writes them: the leading columns, then `tickets_` and each
/// ticket stage's key.
pub static COLUMNS: LazyLock<Vec<String>> = LazyLock::new(|| {
    LEADING_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(
            TicketStage::ALL
                .iter()
                .map(|s| format!("{TICKET_PREFIX}{}", s.as_str())),
        )
        .collect()
});

/// Where a method count goes, by its column.
fn method_count(m: &mut MethodCounts, column: usize) -> &mut u64 {
    match column {
        4 => &mut m.sign_ins_succeeded,
        5 => &mut m.sign_ins_failed,
        6 => &mut m.fallback_uses,
        7 => &mut m.recoveries,
        8 => &mut m.enrolments,
        _ => unreachable!("column {column} is not a method count"),
    }
}

const METHOD_COUNTS: std::ops::RangeInclusive<usize> = SUCCEEDED..=ENROLMENTS;

/// The method counts with their columns.
fn method_counts(m: &MethodCounts) -> [(usize, u64); 5] {
    [
        (SUCCEEDED, m.sign_ins_succeeded),
        (SUCCEEDED + 1, m.sign_ins_failed),
        (SUCCEEDED + 2, m.fallback_uses),
        (SUCCEEDED + 3, m.recoveries),
        (ENROLMENTS, m.enrolments),
    ]
}

/// The columns of a period's row: users and the tickets.
fn period_columns() -> std::ops::Range<usize> {
    USERS..TICKETS + TicketStage::ALL.len()
}

/// Figures read from a file, with where they came from (for problems).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    pub figures: PeriodFigures,
    /// CSV: the first row of the figures. JSON: the entry's position in `figures`, from 1.
    pub row: usize,
}

/// The file as text: UTF-8, a byte-order mark ignored.
fn text_of(bytes: &[u8]) -> Result<&str, RowProblem> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RowProblem::new(0, "", "the file is not UTF-8 text"))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// "Payroll, 2026-11" or "Payroll, 2026-11, office_employees".
fn label(f: &PeriodFigures) -> String {
    match &f.population {
        Some(p) => format!("{}, {}, {p}", f.application, f.period),
        None => format!("{}, {}", f.application, f.period),
    }
}

/// The problem with a count above [`MAX_COUNT`].
fn too_large(n: impl std::fmt::Display) -> String {
    format!("{n} is more than {MAX_COUNT}: write a whole number, 0 or more, up to {MAX_COUNT}")
}

/// Reads a count: empty is 0; otherwise a whole number from 0 to [`MAX_COUNT`].
fn parse_count(cell: &str) -> Result<u64, String> {
    if cell.is_empty() {
        return Ok(0);
    }
    let not_a_count = || format!("{cell} is not a count: write a whole number, 0 or more");
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_count());
    }
    // All digits: parsing fails only when the number is too large for u64.
    match cell.parse::<u64>() {
        Ok(n) if n <= MAX_COUNT => Ok(n),
        _ => Err(too_large(cell)),
    }
}

/// What a data row gives: the counts of one method, or the period's users and tickets.
enum RowKind {
    Method(MethodCounts),
    Period { users: u64, tickets: Tickets },
}

struct Row {
    number: usize,
    application: String,
    period: Period,
    population: Option<String>,
    kind: RowKind,
}

/// One data row read, its problems pushed to `problems`; `None` when the row cannot be placed
/// in a group (its application or period unreadable).
fn read_row(number: usize, cells: &[String], problems: &mut Vec<RowProblem>) -> Option<Row> {
    let mut problem = |column: usize, message: String| {
        problems.push(RowProblem::new(number, COLUMNS[column].as_str(), message))
    };
    let count = |column: usize, problem: &mut dyn FnMut(usize, String)| -> u64 {
        parse_count(&cells[column]).unwrap_or_else(|m| {
            problem(column, m);
            0
        })
    };
    let application = cells[APPLICATION].clone();
    if application.is_empty() {
        problem(
            APPLICATION,
            "the application is empty: name the application as registered".into(),
        );
    }
    let period = match cells[PERIOD].as_str() {
        "" => {
            problem(
                PERIOD,
                "the period is empty: write a month as 2026-11 or a day as 2026-11-05".into(),
            );
            None
        }
        text => Period::parse(text).map_err(|m| problem(PERIOD, m)).ok(),
    };
    let population = Some(cells[POPULATION].clone()).filter(|p| !p.is_empty());
    let method = cells[METHOD].as_str();
    let kind = if method.is_empty() {
        for column in METHOD_COUNTS {
            if !cells[column].is_empty() {
                problem(
                    column,
                    "a row without a method gives the period's users and tickets only: name \
                     the method on a row of its own to give its counts"
                        .into(),
                );
            }
        }
        let users = count(USERS, &mut problem);
        let mut tickets = Tickets::new();
        for (i, stage) in TicketStage::ALL.iter().enumerate() {
            let n = count(TICKETS + i, &mut problem);
            if n > 0 {
                tickets.insert(*stage, n);
            }
        }
        RowKind::Period { users, tickets }
    } else {
        let mut counts = MethodCounts::new(method);
        for column in METHOD_COUNTS {
            *method_count(&mut counts, column) = count(column, &mut problem);
        }
        for column in period_columns() {
            if !cells[column].is_empty() {
                problem(
                    column,
                    format!(
                        "a method's row ({method}) gives its counts only: put users and tickets \
                         on the period's row, the one with the method empty"
                    ),
                );
            }
        }
        RowKind::Method(counts)
    };
    if application.is_empty() {
        return None;
    }
    Some(Row {
        number,
        application,
        period: period?,
        population,
        kind,
    })
}

/// The row a spreadsheet shows for each record the csv reader yields, the header first: the
/// reader skips empty lines, which a spreadsheet shows as rows, and a quoted cell may span
/// lines. Follows the reader's rules: a quote opens a quoted cell only at the start of the cell,
/// `""` in a quoted cell is a quote, and `\r\n`, `\n` and `\r` end a row.
fn sheet_rows(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    let mut row = 1;
    let (mut empty, mut cell_start, mut quoted) = (true, true, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if quoted {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match b {
            b'"' if cell_start => quoted = true,
            b',' => {
                empty = false;
                cell_start = true;
                continue;
            }
            b'\r' | b'\n' => {
                if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                if !empty {
                    rows.push(row);
                }
                row += 1;
                (empty, cell_start) = (true, true);
                continue;
            }
            _ => {}
        }
        (empty, cell_start) = (false, false);
    }
    if !empty {
        rows.push(row);
    }
    rows
}

/// Reads the portal's adoption CSV. Columns are found by their header (any order; only
/// `application` and `period` are required, any other missing column reads as empty); rows are
/// grouped into figures by application (ignoring case), period and population, in order of first
/// appearance. Every problem in the file is reported, each on its row.
pub fn decode_csv(bytes: &[u8]) -> Result<Vec<Sourced>, Vec<RowProblem>> {
    let text = text_of(bytes).map_err(|p| vec![p])?;
    if text.trim().is_empty() {
        return Err(vec![RowProblem::new(
            0,
            "",
            format!(
                "the file is empty: it needs a header row ({}) and a row of figures",
                COLUMNS.join(",")
            ),
        )]);
    }
    let columns = &*COLUMNS;
    let sheet_rows = sheet_rows(text);
    let header_row = sheet_rows.first().copied().unwrap_or(1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![RowProblem::new(
                header_row,
                "",
                format!("unreadable header row: {e}"),
            )]
        })?
        .clone();

    let mut problems = Vec::new();
    let mut position: Vec<Option<usize>> = vec![None; columns.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = unguard_cell(h.trim());
        match columns.iter().position(|c| c == h) {
            Some(c) if position[c].is_none() => position[c] = Some(i),
            Some(_) => problems.push(RowProblem::new(
                header_row,
                h,
                format!("the column \"{h}\" appears twice"),
            )),
            None => problems.push(RowProblem::new(
                header_row,
                h,
                format!(
                    "unknown column \"{h}\": the columns are {}",
                    columns.join(", ")
                ),
            )),
        }
    }
    for c in REQUIRED {
        if position[c].is_none() {
            let name = columns[c].as_str();
            problems.push(RowProblem::new(
                header_row,
                name,
                format!("the column \"{name}\" is missing: it is required"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut read = 0;
    loop {
        let more = reader.read_record(&mut record);
        read += 1;
        let number = sheet_rows.get(read).copied().unwrap_or(read + 1);
        match more {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(RowProblem::new(number, "", format!("unreadable row: {e}")));
                continue;
            }
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push(RowProblem::new(
                number,
                "",
                format!(
                    "the row has {} cells but the header has {}: a comma too many or too few?",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let cells: Vec<String> = position
            .iter()
            .map(|p| {
                p.and_then(|i| record.get(i))
                    .map(|raw| unguard_cell(raw.trim()).trim().to_string())
                    .unwrap_or_default()
            })
            .collect();
        if let Some(row) = read_row(number, &cells, &mut problems) {
            rows.push(row);
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(vec![RowProblem::new(
            0,
            "",
            "the file has a header row but no figures",
        )]);
    }

    // Rows grouped by application (ignoring case), period and population.
    struct Group {
        figures: PeriodFigures,
        row: usize,
        period_row: Option<usize>,
        method_rows: HashMap<String, usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(String, Period, Option<String>), usize> = HashMap::new();
    for row in rows {
        let key = (
            name_key(&row.application),
            row.period,
            row.population.clone(),
        );
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                figures: PeriodFigures::new(row.application.clone(), row.period, row.population),
                row: row.number,
                period_row: None,
                method_rows: HashMap::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[g];
        match row.kind {
            RowKind::Method(counts) => match group.method_rows.get(&counts.method) {
                Some(first) => problems.push(RowProblem::new(
                    row.number,
                    columns[METHOD].as_str(),
                    format!(
                        "{} is already counted for {} in row {first}",
                        counts.method,
                        label(&group.figures)
                    ),
                )),
                None => {
                    group.method_rows.insert(counts.method.clone(), row.number);
                    group.figures.methods.push(counts);
                }
            },
            RowKind::Period { users, tickets } => match group.period_row {
                Some(first) => problems.push(RowProblem::new(
                    row.number,
                    columns[METHOD].as_str(),
                    format!(
                        "the users and tickets of {} are already given in row {first} (the row \
                         with the method empty); send one such row",
                        label(&group.figures)
                    ),
                )),
                None => {
                    group.period_row = Some(row.number);
                    group.figures.users = users;
                    group.figures.tickets = tickets;
                }
            },
        }
    }
    let sourced: Vec<Sourced> = groups
        .into_iter()
        .map(|g| Sourced {
            figures: g.figures,
            row: g.row,
        })
        .collect();
    problems.extend(check(&sourced));
    if problems.is_empty() {
        Ok(sourced)
    } else {
        problems.sort_by_key(|p| p.row);
        Err(problems)
    }
}

/// The checks figures read from either encoding must pass together: each (application, period,
/// population) given once, each method once in it, counts up to [`MAX_COUNT`], for one
/// application and period either every figure names a population or none does, and for one
/// application and month either the month or its days.
pub fn check(sourced: &[Sourced]) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<(String, Period, Option<String>), usize> = HashMap::new();
    // (application, period) → whether figures for all people and for one population were seen.
    let mut populations: HashMap<(String, Period), (bool, bool)> = HashMap::new();
    // (application, month) → whether the month and a day of it were seen (and which day).
    let mut months: HashMap<(String, Period), (bool, Option<Period>)> = HashMap::new();
    for s in sourced {
        let f = &s.figures;
        let row = s.row;
        let app = name_key(&f.application);
        if app.is_empty() {
            problems.push(RowProblem::new(
                row,
                "application",
                "the application is empty: name the application as registered",
            ));
            continue;
        }
        if f.population.as_ref().is_some_and(|p| p.trim().is_empty()) {
            problems.push(RowProblem::new(
                row,
                "population",
                "the population is empty: leave it out for all the application's people",
            ));
        }
        match seen.get(&(app.clone(), f.period, f.population.clone())) {
            Some(first) => problems.push(RowProblem::new(
                row,
                "",
                format!("{} is already given in row {first}; send it once", label(f)),
            )),
            None => {
                seen.insert((app.clone(), f.period, f.population.clone()), row);
            }
        }

        let mut methods: HashMap<&str, usize> = HashMap::new();
        for (i, m) in f.methods.iter().enumerate() {
            if m.method.trim().is_empty() {
                problems.push(RowProblem::new(
                    row,
                    "method",
                    format!("method {} of {} has no method key", i + 1, label(f)),
                ));
            } else if methods.insert(m.method.as_str(), i).is_some() {
                problems.push(RowProblem::new(
                    row,
                    "method",
                    format!("{} is counted twice for {}", m.method, label(f)),
                ));
            }
            for (column, n) in method_counts(m) {
                if n > MAX_COUNT {
                    problems.push(RowProblem::new(
                        row,
                        COLUMNS[column].as_str(),
                        format!("{}: {}", m.method, too_large(n)),
                    ));
                }
            }
        }
        let period_counts = std::iter::once((USERS, f.users)).chain(
            TicketStage::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| (TICKETS + i, f.tickets.get(s).copied().unwrap_or(0))),
        );
        for (column, n) in period_counts {
            if n > MAX_COUNT {
                problems.push(RowProblem::new(row, COLUMNS[column].as_str(), too_large(n)));
            }
        }

        let (all, one) = populations
            .entry((app.clone(), f.period))
            .or_insert((false, false));
        let mixed_before = *all && *one;
        if f.population.is_some() {
            *one = true;
        } else {
            *all = true;
        }
        if !mixed_before && *all && *one {
            problems.push(RowProblem::new(
                row,
                "population",
                format!(
                    "{} {} mixes figures for all people with figures for one population; send \
                     one or the other",
                    f.application, f.period
                ),
            ));
        }

        let (month, day) = months
            .entry((app, f.period.month()))
            .or_insert((false, None));
        let mixed_before = *month && day.is_some();
        if f.period.is_day() {
            day.get_or_insert(f.period);
        } else {
            *month = true;
        }
        if let (false, true, Some(day)) = (mixed_before, *month, *day) {
            problems.push(RowProblem::new(
                row,
                "period",
                format!(
                    "{} has figures for the month {} and for the day {day}; send one or the other",
                    f.application,
                    f.period.month()
                ),
            ));
        }
    }
    problems
}

/// One CSV cell, guarded against formulas and quoted when it must be.
fn push_cell(out: &mut String, value: &str) {
    let value = guard_cell(value);
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

fn push_line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, c);
    }
    out.push_str("\r\n");
}

/// The CSV header line, which opens the file.
pub fn encode_csv_header() -> String {
    let mut out = String::new();
    push_line(&mut out, &COLUMNS);
    out
}

/// The rows of one [`PeriodFigures`], appended to `out`: the period's row first when it has users
/// or tickets (or when there are no methods, so that the figures are not lost), then one row per
/// method in key order. The header and the rows of each figures in turn make the file.
pub fn encode_csv_rows(f: &PeriodFigures, out: &mut String) {
    let mut base = vec![String::new(); COLUMNS.len()];
    base[APPLICATION] = f.application.clone();
    base[PERIOD] = f.period.to_string();
    base[POPULATION] = f.population.clone().unwrap_or_default();
    if f.users > 0 || f.tickets_total() > 0 || f.methods.is_empty() {
        let mut row = base.clone();
        row[USERS] = f.users.to_string();
        for (i, stage) in TicketStage::ALL.iter().enumerate() {
            row[TICKETS + i] = f.tickets.get(stage).copied().unwrap_or(0).to_string();
        }
        push_line(out, &row);
    }
    let mut methods: Vec<&MethodCounts> = f.methods.iter().collect();
    methods.sort_by(|a, b| a.method.cmp(&b.method));
    for m in methods {
        let mut row = base.clone();
        row[METHOD] = m.method.clone();
        for (column, n) in method_counts(m) {
            row[column] = n.to_string();
        }
        push_line(out, &row);
    }
}

/// The whole CSV file of some figures.
pub fn encode_csv(figs: &[PeriodFigures]) -> String {
    let mut out = encode_csv_header();
    for f in figs {
        encode_csv_rows(f, &mut out);
    }
    out
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    figures: &'a [PeriodFigures],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentIn {
    figures: Vec<serde_json::Value>,
}

/// The JSON document (an [`AdoptionDocument`](crate::adoption::model::AdoptionDocument)) of some
/// figures, pretty-printed.
pub fn encode_json(figs: &[PeriodFigures]) -> String {
    let mut out = serde_json::to_string_pretty(&DocumentOut { figures: figs })
        .expect("adoption figures serialise: every map key is a string");
    out.push('\n');
    out
}

/// Reads an [`AdoptionDocument`](crate::adoption::model::AdoptionDocument): each entry of
/// `figures` that cannot be read is reported by its position (from 1) and the others are still
/// checked; then come the checks every file passes.
pub fn decode_json(bytes: &[u8]) -> Result<Vec<Sourced>, Vec<RowProblem>> {
    let text = text_of(bytes).map_err(|p| vec![p])?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![RowProblem::new(0, "", format!("not JSON: {e}"))])?;
    let document: DocumentIn = serde_json::from_value(value).map_err(|e| {
        vec![RowProblem::new(
            0,
            "",
            format!("not an adoption document ({{\"figures\": [...]}}): {e}"),
        )]
    })?;
    if document.figures.is_empty() {
        return Err(vec![RowProblem::new(
            0,
            "figures",
            "the document has no figures",
        )]);
    }
    let mut problems = Vec::new();
    let mut sourced = Vec::with_capacity(document.figures.len());
    for (i, entry) in document.figures.into_iter().enumerate() {
        match serde_json::from_value::<PeriodFigures>(entry) {
            Ok(figures) => sourced.push(Sourced {
                figures,
                row: i + 1,
            }),
            Err(e) => problems.push(RowProblem::new(i + 1, "", e.to_string())),
        }
    }
    problems.extend(check(&sourced));
    if problems.is_empty() {
        Ok(sourced)
    } else {
        problems.sort_by_key(|p| p.row);
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adoption::model::AdoptionDocument;

    fn month(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    fn counts(method: &str, base: u64) -> MethodCounts {
        MethodCounts {
            method: method.into(),
            sign_ins_succeeded: base,
            sign_ins_failed: base + 1,
            fallback_uses: base + 2,
            recoveries: base + 3,
            enrolments: base + 4,
        }
    }

    /// The header, then the lines, each with its cells in the order of COLUMNS filled from the
    /// left and the rest empty.
    fn file(lines: &[&str]) -> Vec<u8> {
        let mut text = COLUMNS.join(",");
        for l in lines {
            text.push('\n');
            text.push_str(l);
            let given = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes())
                .records()
                .next()
                .map_or(1, |r| r.unwrap().len());
            for _ in given..COLUMNS.len() {
                text.push(',');
            }
        }
        text.push('\n');
        text.into_bytes()
    }

    fn problems_of(bytes: &[u8]) -> Vec<(usize, String, String)> {
        decode_csv(bytes)
            .expect_err("the file has problems")
            .into_iter()
            .map(|p| (p.row, p.field, p.message))
            .collect()
    }

    #[test]
    fn csv_columns_are_the_documented_ones() {
        assert_eq!(
            encode_csv_header(),
            "application,period,population,method,sign_ins_succeeded,sign_ins_failed,\
             fallback_uses,recoveries,enrolments,users,tickets_enrolment,\
             tickets_biometric_registration,tickets_authenticator_migration,\
             tickets_lost_device_recovery,tickets_reauthentication_after_reset,tickets_other\r\n"
        );
    }

    #[test]
    fn csv_groups_method_rows_and_the_period_row() {
        let bytes = file(&[
            "Payroll,2026-11,,platform_passkey,10,1,2,3,4",
            "CRM,2026-11,,password,5",
            " payroll ,2026-11,,,,,,,,40,1,,,,,2",
            "Payroll,2026-11,,password,7,,,,",
        ]);
        let got = decode_csv(&bytes).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].row, 2);
        assert_eq!(got[1].row, 3);
        let payroll = &got[0].figures;
        assert_eq!(payroll.application, "Payroll");
        assert_eq!(payroll.period, month("2026-11"));
        assert_eq!(payroll.population, None);
        assert_eq!(
            payroll.methods,
            vec![
                MethodCounts {
                    method: "platform_passkey".into(),
                    sign_ins_succeeded: 10,
                    sign_ins_failed: 1,
                    fallback_uses: 2,
                    recoveries: 3,
                    enrolments: 4,
                },
                MethodCounts {
                    method: "password".into(),
                    sign_ins_succeeded: 7,
                    ..Default::default()
                },
            ]
        );
        assert_eq!(payroll.users, 40);
        assert_eq!(
            payroll.tickets,
            Tickets::from([(TicketStage::Enrolment, 1), (TicketStage::Other, 2)])
        );
        assert_eq!(
            got[1].figures.methods,
            vec![MethodCounts {
                method: "password".into(),
                sign_ins_succeeded: 5,
                ..Default::default()
            }]
        );
        assert_eq!(got[1].figures.users, 0);
    }

    #[test]
    fn csv_columns_may_come_in_any_order_and_be_missing() {
        let text = "period,sign_ins_failed,method,application,population\n\
                    2026-11-05,3,security_key,Payroll,contractors\n";
        let got = decode_csv(text.as_bytes()).unwrap();
        assert_eq!(got.len(), 1);
        let f = &got[0].figures;
        assert_eq!(f.application, "Payroll");
        assert_eq!(f.period, month("2026-11-05"));
        assert_eq!(f.population.as_deref(), Some("contractors"));
        assert_eq!(
            f.methods,
            vec![MethodCounts {
                method: "security_key".into(),
                sign_ins_failed: 3,
                ..Default::default()
            }]
        );
        let got = decode_csv(b"application,period,users\nPayroll,2026-11,12\n").unwrap();
        assert_eq!(got[0].figures.users, 12);
        assert!(got[0].figures.methods.is_empty());
    }

    #[test]
    fn csv_tolerates_a_byte_order_mark() {
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend_from_slice(
            b"application,period,method,enrolments\r\nPayroll,2026-11,totp_app,9\r\n",
        );
        let got = decode_csv(&bytes).unwrap();
        assert_eq!(got[0].figures.methods[0].enrolments, 9);
        assert_eq!(got[0].figures.application, "Payroll");
    }

    #[test]
    fn csv_refuses_unknown_duplicated_and_missing_columns() {
        let p = problems_of(b"application,period,colour\nPayroll,2026-11,red\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].0, p[0].1.as_str()), (1, "colour"));
        assert!(
            p[0].2.starts_with(
                "unknown column \"colour\": the columns are application, period, population, \
                 method, sign_ins_succeeded,"
            ),
            "{}",
            p[0].2
        );
        assert!(p[0].2.ends_with("tickets_other"), "{}", p[0].2);

        let p = problems_of(b"period,users,users\n2026-11,1,1\n");
        assert_eq!(
            p,
            vec![
                (
                    1,
                    "users".into(),
                    "the column \"users\" appears twice".into()
                ),
                (
                    1,
                    "application".into(),
                    "the column \"application\" is missing: it is required".into()
                ),
            ]
        );
        let p = problems_of(b"application\nPayroll\n");
        assert_eq!(
            p,
            vec![(
                1,
                "period".into(),
                "the column \"period\" is missing: it is required".into()
            )]
        );
    }

    #[test]
    fn csv_refuses_an_empty_file_and_a_header_only() {
        for empty in [&b""[..], b"\xef\xbb\xbf", b"  \r\n\n"] {
            let p = problems_of(empty);
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].0, 0);
            assert!(p[0].2.starts_with("the file is empty"), "{}", p[0].2);
        }
        let p = problems_of(&file(&[]));
        assert_eq!(
            p,
            vec![(
                0,
                String::new(),
                "the file has a header row but no figures".into()
            )]
        );
        let p = problems_of(&file(&[",,,", ""]));
        assert_eq!(p[0].2, "the file has a header row but no figures");
        let p = problems_of(&[0xff, 0xfe, 0x00]);
        assert_eq!(
            p,
            vec![(0, String::new(), "the file is not UTF-8 text".into())]
        );
    }

    #[test]
    fn csv_refuses_counts_that_are_not_whole_non_negative_numbers() {
        let bytes = file(&[
            "Payroll,2026-11,,password,1,-3",
            "Payroll,2026-11,,totp_app,1.5,,abc",
            "Payroll,2026-11,,sms_otp,,,,1e3,1000000000001",
            "Payroll,2026-11,,,,,,,,+4",
            "Payroll,2026-11,,security_key,1000000000000,0007",
        ]);
        let p = decode_csv(&bytes).unwrap_err();
        let got: Vec<(usize, &str, &str)> = p
            .iter()
            .map(|p| (p.row, p.field.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    "sign_ins_failed",
                    "-3 is not a count: write a whole number, 0 or more"
                ),
                (
                    3,
                    "sign_ins_succeeded",
                    "1.5 is not a count: write a whole number, 0 or more"
                ),
                (
                    3,
                    "fallback_uses",
                    "abc is not a count: write a whole number, 0 or more"
                ),
                (
                    4,
                    "recoveries",
                    "1e3 is not a count: write a whole number, 0 or more"
                ),
                (
                    4,
                    "enrolments",
                    "1000000000001 is more than 1000000000000: write a whole number, 0 or more, \
                     up to 1000000000000"
                ),
                (
                    5,
                    "users",
                    "+4 is not a count: write a whole number, 0 or more"
                ),
            ]
        );
        assert_eq!(
            p[0].to_string(),
            "row 2, sign_ins_failed: -3 is not a count: write a whole number, 0 or more"
        );
    }

    #[test]
    fn csv_refuses_malformed_periods() {
        let bytes = file(&[
            "Payroll,2026-13,,password,1",
            "Payroll,2026-02-30,,password,1",
            "Payroll,26-11,,password,1",
            "Payroll,,,password,1",
            "Payroll,2028-02-29,,password,1",
        ]);
        let p = problems_of(&bytes);
        assert_eq!(
            p,
            vec![
                (
                    2,
                    "period".into(),
                    "\"2026-13\" is not a period: write a month as 2026-11 or a day as 2026-11-05"
                        .into()
                ),
                (
                    3,
                    "period".into(),
                    "\"2026-02-30\" is not a period: write a month as 2026-11 or a day as \
                     2026-11-05"
                        .into()
                ),
                (
                    4,
                    "period".into(),
                    "\"26-11\" is not a period: write a month as 2026-11 or a day as 2026-11-05"
                        .into()
                ),
                (
                    5,
                    "period".into(),
                    "the period is empty: write a month as 2026-11 or a day as 2026-11-05".into()
                ),
            ],
            "a leap day is a day"
        );
    }

    #[test]
    fn csv_method_rows_carry_no_tickets_and_period_rows_no_method_counts() {
        let bytes = file(&[
            // Row 2: a method row with users and two tickets.
            "Payroll,2026-11,,password,1,,,,,5,,,,2,,0",
            // Row 3: a period row with a method count.
            "Payroll,2026-12,,,,3,,,,5",
            // Row 4: no application.
            ",2026-11,,password,1",
        ]);
        let p = problems_of(&bytes);
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.0, p.1.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (2, "users"),
                (2, "tickets_lost_device_recovery"),
                (2, "tickets_other"),
                (3, "sign_ins_failed"),
                (4, "application"),
            ],
            "{p:#?}"
        );
        assert!(
            p[0].2
                .starts_with("a method's row (password) gives its counts only"),
            "{}",
            p[0].2
        );
        assert!(
            p[3].2
                .starts_with("a row without a method gives the period's users and tickets only"),
            "{}",
            p[3].2
        );
    }

    #[test]
    fn csv_counts_each_method_and_the_period_row_once_per_group() {
        let bytes = file(&[
            "Payroll,2026-11,,platform_passkey,1",
            "Payroll,2026-11,,,,,,,,3",
            "Payroll,2026-11,office,platform_passkey,1",
            "Payroll,2026-12,,platform_passkey,1",
            "payroll,2026-11,,password,1",
            "PAYROLL,2026-11,,platform_passkey,2",
            "Payroll,2026-11,,,,,,,,4",
        ]);
        let p = problems_of(&bytes);
        let got: Vec<(usize, &str, &str)> = p
            .iter()
            .map(|p| (p.0, p.1.as_str(), p.2.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    4,
                    "population",
                    "Payroll 2026-11 mixes figures for all people with figures for one \
                     population; send one or the other"
                ),
                (
                    7,
                    "method",
                    "platform_passkey is already counted for Payroll, 2026-11 in row 2"
                ),
                (
                    8,
                    "method",
                    "the users and tickets of Payroll, 2026-11 are already given in row 3 (the \
                     row with the method empty); send one such row"
                ),
            ]
        );
        let p = problems_of(&file(&[
            "Payroll,2026-11,office,platform_passkey,1",
            "Payroll,2026-11,office,platform_passkey,1",
        ]));
        assert_eq!(
            p[0].2,
            "platform_passkey is already counted for Payroll, 2026-11, office in row 2"
        );
    }

    #[test]
    fn csv_refuses_mixing_all_people_and_populations() {
        let bytes = file(&[
            "Payroll,2026-11,office,password,1",
            "Payroll,2026-11,contractors,password,1",
            "CRM,2026-11,,password,1",
            "Payroll,2026-10,,password,1",
            "Payroll,2026-11-05,,password,1",
            "Payroll,2026-11,,password,1",
            "CRM,2026-11,office,password,1",
            "Payroll,2026-11,,totp_app,1",
            "Payroll,2026-11,field,password,1",
        ]);
        let p = problems_of(&bytes);
        let rows: Vec<(usize, &str)> = p.iter().map(|p| (p.0, p.1.as_str())).collect();
        assert_eq!(
            rows,
            vec![(6, "period"), (7, "population"), (8, "population")],
            "{p:#?}"
        );
        assert_eq!(
            p[1].2,
            "Payroll 2026-11 mixes figures for all people with figures for one population; send \
             one or the other"
        );
        assert_eq!(
            p[2].2,
            "CRM 2026-11 mixes figures for all people with figures for one population; send one \
             or the other"
        );
    }

    #[test]
    fn csv_refuses_a_month_and_its_days() {
        let bytes = file(&[
            "Payroll,2026-11-04,,password,1",
            "Payroll,2026-11-05,,password,1",
            "Payroll,2026-12,,password,1",
            "CRM,2026-11,,password,1",
            "Payroll,2026-11,,password,1",
            "Payroll,2026-11-06,,password,1",
            "CRM,2026-11-05,office,password,1",
            "Payroll,2026-12-01,,,,,,,,1",
        ]);
        let p = problems_of(&bytes);
        let got: Vec<(usize, &str, &str)> = p
            .iter()
            .map(|p| (p.0, p.1.as_str(), p.2.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    6,
                    "period",
                    "Payroll has figures for the month 2026-11 and for the day 2026-11-04; send \
                     one or the other"
                ),
                (
                    8,
                    "period",
                    "CRM has figures for the month 2026-11 and for the day 2026-11-05; send one \
                     or the other"
                ),
                (
                    9,
                    "period",
                    "Payroll has figures for the month 2026-12 and for the day 2026-12-01; send \
                     one or the other"
                ),
            ],
            "reported once per application and month, on the row that makes the conflict"
        );
    }

    #[test]
    fn csv_reports_every_problem_with_the_row_a_spreadsheet_shows() {
        // A quoted name spanning two lines is one row; a blank line is a row of its own.
        let mut text = COLUMNS.join(",");
        text.push_str("\r\n\"Pay\nroll\",2026-11,,password,1,,,,,,,,,,,\r\n");
        text.push_str("\r\n");
        text.push_str("Payroll,2026-11,,password,x,,,,,,,,,,,\r\n");
        text.push_str("Payroll,2026-11,,password\r\n");
        text.push_str("Payroll,2026-11,,password,1,,,,,,,,,,,,\r\n");
        let p = problems_of(text.as_bytes());
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.0, p.1.as_str())).collect();
        assert_eq!(
            got,
            vec![(4, "sign_ins_succeeded"), (5, ""), (6, "")],
            "{p:#?}"
        );
        assert_eq!(
            p[1].2,
            "the row has 4 cells but the header has 16: a comma too many or too few?"
        );
    }

    #[test]
    fn sheet_rows_follow_the_readers_quoting() {
        let text = "a,b\r\n\"x\ny\",1\r\n\r\n5\" screen,\"say \"\"hi\"\"\n\"\rz,2\n\n\n\"\"";
        assert_eq!(sheet_rows(text), vec![1, 2, 4, 5, 8]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(
            records,
            vec![
                vec!["a", "b"],
                vec!["x\ny", "1"],
                vec!["5\" screen", "say \"hi\"\n"],
                vec!["z", "2"],
                vec![""],
            ],
            "one record per row found"
        );
    }

    #[test]
    fn csv_finds_the_one_bad_count_among_ten_thousand_rows() {
        let mut text = COLUMNS.join(",");
        text.push('\n');
        for row in 2..=10_001 {
            let app = format!("App {}", row / 100);
            let day = 1 + row % 28;
            let failed = if row == 7_777 {
                "-3".to_string()
            } else {
                (row % 7).to_string()
            };
            // The rows of one application and day are 28 apart: each names another method.
            let method = ["password", "platform_passkey", "totp_app", "sms_otp"][row / 28 % 4];
            text.push_str(&format!(
                "{app},2026-02-{day:02},,{method},{row},{failed},1,0,2,,,,,,,\n"
            ));
        }
        let problems = decode_csv(text.as_bytes()).unwrap_err();
        assert_eq!(
            problems.len(),
            1,
            "{:?}",
            &problems[..problems.len().min(5)]
        );
        assert_eq!(
            problems,
            vec![RowProblem::new(
                7_777,
                "sign_ins_failed",
                "-3 is not a count: write a whole number, 0 or more"
            )]
        );
        let fixed = text.replace(",-3,", ",3,");
        let got = decode_csv(fixed.as_bytes()).unwrap();
        assert_eq!(
            got.iter().map(|s| s.figures.methods.len()).sum::<usize>(),
            10_000
        );
        assert_eq!(got[0].row, 2);
    }

    fn sample() -> Vec<PeriodFigures> {
        let mut all_stages = PeriodFigures::new("=Payroll", month("2026-11"), None);
        all_stages.methods = vec![counts("totp_app", 1), counts("password", 20)];
        all_stages.users = 120;
        for (i, s) in TicketStage::ALL.iter().enumerate() {
            all_stages.tickets.insert(*s, i as u64 + 1);
        }
        let mut day = PeriodFigures::new(
            "Sales, \"EMEA\" edition",
            month("2026-11-05"),
            Some("office_employees".into()),
        );
        day.methods = vec![counts("platform_passkey", 1_000_000_000_000 - 4)];
        let mut only_users = PeriodFigures::new("+CRM", month("2026-10"), Some("@field".into()));
        only_users.users = 7;
        only_users
            .tickets
            .insert(TicketStage::LostDeviceRecovery, 3);
        let empty = PeriodFigures::new("-Legacy", month("2027-01"), None);
        vec![all_stages, day, only_users, empty]
    }

    #[test]
    fn csv_round_trips() {
        let figs = sample();
        let text = encode_csv(&figs);
        assert!(
            text.contains("\r\n'=Payroll,2026-11,,,,,,,,120,1,2,3,4,5,6\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\n'=Payroll,2026-11,,password,20,21,22,23,24,,,,,,,\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\n\"Sales, \"\"EMEA\"\" edition\",2026-11-05,office_employees,"),
            "{text}"
        );
        assert!(
            text.contains("\r\n'+CRM,2026-10,'@field,,,,,,,7,0,0,0,3,0,0\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\n'-Legacy,2027-01,,,,,,,,0,0,0,0,0,0,0\r\n"),
            "{text}"
        );
        let back: Vec<PeriodFigures> = decode_csv(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|s| s.figures)
            .collect();
        let mut expected = figs;
        expected[0].methods.sort_by(|a, b| a.method.cmp(&b.method));
        assert_eq!(back, expected);
        // The header and the rows, written in batches, make the same file.
        let mut batched = encode_csv_header();
        for f in &back {
            encode_csv_rows(f, &mut batched);
        }
        assert_eq!(batched, text);
    }

    #[test]
    fn json_round_trips() {
        let figs = sample();
        let text = encode_json(&figs);
        assert!(text.starts_with("{\n  \"figures\": [\n"), "{text}");
        let doc: AdoptionDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(doc.figures, figs);
        let got = decode_json(text.as_bytes()).unwrap();
        assert_eq!(
            got.iter().map(|s| s.row).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        let back: Vec<PeriodFigures> = got.into_iter().map(|s| s.figures).collect();
        assert_eq!(back, figs);
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert!(decode_json(&bom).is_ok());
    }

    #[test]
    fn json_names_each_bad_entry_and_checks_the_others() {
        let bytes = br#"{"figures": [
            {"application": "Payroll", "period": "2026-11", "methods": [{"method": "password"}]},
            {"application": "CRM", "period": "2026-13"},
            {"application": "CRM", "period": "2026-11", "colour": "red"},
            {"application": "payroll", "period": "2026-11", "users": 3},
            {"application": "Payroll", "period": "2026-11-05", "population": "office",
             "methods": [{"method": "totp_app"}, {"method": "totp_app", "recoveries": 1}]},
            {"application": "Sales", "period": "2026-11", "population": "office"},
            {"application": "Sales", "period": "2026-11"},
            {"application": "Sales", "period": "2026-11", "tickets": {"printer": 1}},
            {"application": "Sales", "period": "2026-12", "methods": [{"method": "password", "enrolments": -1}]},
            {"application": "Sales", "period": "2026-12", "users": 1000000000001}
        ]}"#;
        let p = decode_json(bytes).unwrap_err();
        let rows: Vec<(usize, &str)> = p.iter().map(|p| (p.row, p.field.as_str())).collect();
        assert_eq!(
            rows,
            vec![
                (2, ""),
                (3, ""),
                (4, ""),
                (5, "method"),
                (5, "period"),
                (7, "population"),
                (8, ""),
                (9, ""),
                (10, "users"),
            ],
            "{p:#?}"
        );
        assert!(
            p[0].message.contains("\"2026-13\" is not a period"),
            "{}",
            p[0].message
        );
        assert!(p[1].message.contains("colour"), "{}", p[1].message);
        assert_eq!(
            p[2].message,
            "payroll, 2026-11 is already given in row 1; send it once"
        );
        assert_eq!(
            p[3].message,
            "totp_app is counted twice for Payroll, 2026-11-05, office"
        );
        assert_eq!(
            p[4].message,
            "Payroll has figures for the month 2026-11 and for the day 2026-11-05; send one or \
             the other"
        );
        assert!(p[6].message.contains("printer"), "{}", p[6].message);
        assert!(p[7].message.contains("-1"), "{}", p[7].message);
    }

    #[test]
    fn json_refuses_what_is_not_an_adoption_document() {
        for (bytes, start) in [
            (&b"{\"figures\": ["[..], "not JSON: "),
            (b"[]", "not an adoption document"),
            (
                b"{\"figures\": [], \"extra\": 1}",
                "not an adoption document",
            ),
            (b"{}", "not an adoption document"),
        ] {
            let p = decode_json(bytes).unwrap_err();
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].row, 0);
            assert!(p[0].message.starts_with(start), "{}", p[0].message);
        }
        let p = decode_json(b"{\"figures\": []}").unwrap_err();
        assert_eq!(
            p,
            vec![RowProblem::new(0, "figures", "the document has no figures")]
        );
    }
}
