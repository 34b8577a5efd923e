//! The matrix as CSV, as filtered: one row per application, the row's figures and one column per
//! method holding the cell's roles in words and its state. Written in pieces so that an export
//! of the whole estate never holds more than a piece of text.

use super::model::{CellState, MatrixRowView, severity_index};
use super::rules::{Estate, row_view};
use crate::spreadsheet::guard_cell;
use crate::vocab::{JourneyRole, Severity};

/// Rows per piece of the download.
pub const PIECE: usize = 500;

/// The header: the row's columns, then one per method (its name).
pub fn header(estate: &Estate) -> Vec<String> {
    let mut h: Vec<String> = [
        "application",
        "business_unit",
        "criticality",
        "integration",
        "identity_provider",
        "populations",
        "assurance",
        "phishing_resistant",
        "open_critical",
        "open_high",
        "open_medium",
        "open_low",
        "excepted",
        "ready_to_remove_passwords",
        "blockers",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(estate.columns.iter().map(|c| c.key.clone()));
    h
}

/// A cell in words: "Primary, Fallback (with another factor); open deviation".
fn cell_words(row: &MatrixRowView, column: usize) -> String {
    match row.cells.iter().find(|c| c.column as usize == column) {
        None => String::new(),
        Some(c) => {
            let marks = c.marks.words();
            match c.state {
                CellState::Standard => marks,
                s => format!("{marks}; {}", s.words()),
            }
        }
    }
}

/// One application's record.
pub fn record(row: &MatrixRowView, unit: Option<&str>, columns: usize) -> Vec<String> {
    let mut r = vec![
        row.name.clone(),
        unit.unwrap_or_default().to_string(),
        row.criticality.as_str().to_string(),
        row.integration.as_str().to_string(),
        row.provider.clone().unwrap_or_default(),
        row.populations.join("; "),
        if row.aal == 0 {
            "none".into()
        } else {
            format!("AAL{}", row.aal)
        },
        if row.phishing_resistant { "yes" } else { "no" }.into(),
    ];
    for s in Severity::ALL {
        r.push(row.open[severity_index(*s)].to_string());
    }
    r.push(row.excepted.to_string());
    r.push(if row.readiness.ready() { "yes" } else { "no" }.into());
    r.push(row.readiness.blockers.join(" "));
    r.extend((0..columns).map(|c| cell_words(row, c)));
    r
}

/// Writes records as CSV text (cells guarded against spreadsheet formulas).
pub fn to_csv<'a>(records: impl IntoIterator<Item = &'a [String]>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for rec in records {
        w.write_record(rec.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One piece of the download: the records of `indices` (places in `estate.entries`).
pub fn piece(
    estate: &Estate,
    indices: &[usize],
    population: Option<&str>,
    role: Option<JourneyRole>,
) -> Result<Vec<u8>, csv::Error> {
    let records: Vec<Vec<String>> = indices
        .iter()
        .map(|i| {
            let e = &estate.entries[*i];
            record(
                &row_view(e, estate, population, role),
                e.unit.as_deref(),
                estate.columns.len(),
            )
        })
        .collect();
    to_csv(records.iter().map(Vec::as_slice))
}
