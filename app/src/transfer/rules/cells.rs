//! Cells of the exchange formats: formula neutralisation, lists inside one cell, booleans.

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

/// Separates the items of a list inside one cell.
pub const LIST_SEPARATOR: char = ';';

pub fn join(items: &[String]) -> String {
    items.join(&LIST_SEPARATOR.to_string())
}

pub fn split(cell: &str) -> Vec<String> {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn lists_and_flags() {
        assert_eq!(join(&["a".into(), "b".into()]), "a;b");
        assert_eq!(split(" a ; ;b;"), vec!["a".to_string(), "b".to_string()]);
        assert_eq!(flag(true), "true");
        assert_eq!(flag(false), "false");
    }
}
