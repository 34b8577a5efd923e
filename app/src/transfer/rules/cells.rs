//! Cells of the exchange formats: formula neutralisation, lists inside one cell, booleans.

pub use crate::spreadsheet::{guard_cell, unguard_cell};

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

/// A role's paths in one cell (the kernel's text form of paths).
pub use crate::journey::{paths_from_text as split_paths, paths_to_text as join_paths};

pub fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::Path;

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
        let paths = vec![
            Path::single("platform_passkey"),
            Path::of(&["password", "totp_app"]),
        ];
        assert_eq!(join_paths(&paths), "platform_passkey;password+totp_app");
        assert_eq!(
            split_paths(" platform_passkey ; password + totp_app ;"),
            paths
        );
        assert_eq!(
            split_paths("a;b"),
            vec![Path::single("a"), Path::single("b")]
        );
        assert_eq!(flag(true), "true");
        assert_eq!(flag(false), "false");
    }
}
