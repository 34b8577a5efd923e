//! Cells a spreadsheet will open: every CSV the portal writes (estate exports, findings) guards
//! cells that a spreadsheet would read as formulas, and reading a file drops the guard again.

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
