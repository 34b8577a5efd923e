//! The findings as files: CSV (one row per finding, cells guarded for spreadsheets) and JSON.

use crate::findings::model::FindingRow;
use crate::spreadsheet::guard_cell;
use serde::Serialize;

pub const CSV_COLUMNS: &[&str] = &[
    "application",
    "rule",
    "rule_number",
    "rule_title",
    "severity",
    "state",
    "population",
    "role",
    "method",
    "key",
    "explanation",
    "fix",
    "controls",
    "opened_at",
    "resolved_at",
    "exception_id",
    "exception_state",
    "exception_last_day",
];

/// The rows as CSV (CRLF line ends, a header row first).
pub fn to_csv(rows: &[FindingRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for r in rows {
        let f = &r.finding;
        let cells = [
            r.application.clone(),
            f.rule.clone(),
            r.rule_number.to_string(),
            r.rule_title.clone(),
            f.severity.as_str().to_string(),
            r.state.as_str().to_string(),
            f.scope.population.clone().unwrap_or_default(),
            f.scope
                .role
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            f.scope.method.clone().unwrap_or_default(),
            f.key.clone(),
            f.explanation.clone(),
            f.fix.clone(),
            f.controls.join(";"),
            r.opened_at.clone(),
            r.resolved_at.clone().unwrap_or_default(),
            r.exception
                .as_ref()
                .map(|e| e.id.to_string())
                .unwrap_or_default(),
            r.exception
                .as_ref()
                .map(|e| e.state.as_str().to_string())
                .unwrap_or_default(),
            r.exception
                .as_ref()
                .map(|e| e.until.clone())
                .unwrap_or_default(),
        ];
        w.write_record(cells.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    application: &'a str,
    application_id: String,
    rule: &'a str,
    rule_number: u8,
    rule_title: &'a str,
    severity: &'a str,
    state: &'a str,
    population: Option<&'a str>,
    role: Option<&'a str>,
    method: Option<&'a str>,
    key: &'a str,
    explanation: &'a str,
    fix: &'a str,
    controls: &'a [String],
    opened_at: &'a str,
    resolved_at: Option<&'a str>,
    /// The exception that holds (or waits for a decision).
    exception: Option<&'a crate::findings::model::ExceptionNote>,
}

/// The rows as a JSON document `{"findings": [...]}`.
pub fn to_json(rows: &[FindingRow]) -> serde_json::Result<Vec<u8>> {
    let findings: Vec<JsonFinding> = rows
        .iter()
        .map(|r| JsonFinding {
            application: &r.application,
            application_id: r.application_id.to_string(),
            rule: &r.finding.rule,
            rule_number: r.rule_number,
            rule_title: &r.rule_title,
            severity: r.finding.severity.as_str(),
            state: r.state.as_str(),
            population: r.finding.scope.population.as_deref(),
            role: r.finding.scope.role.map(|r| r.as_str()),
            method: r.finding.scope.method.as_deref(),
            key: &r.finding.key,
            explanation: &r.finding.explanation,
            fix: &r.finding.fix,
            controls: &r.finding.controls,
            opened_at: &r.opened_at,
            resolved_at: r.resolved_at.as_deref(),
            exception: r.exception.as_ref(),
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({ "findings": findings }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::model::{Finding, FindingState, Scope};
    use crate::ids::ApplicationId;
    use crate::vocab::{JourneyRole, Severity};

    fn row(app: &str) -> FindingRow {
        FindingRow {
            application_id: ApplicationId::new(),
            application: app.into(),
            finding: Finding {
                rule: "restricted_method".into(),
                severity: Severity::High,
                scope: Scope {
                    population: Some("office_employees".into()),
                    role: Some(JourneyRole::Fallback),
                    method: Some("password+sms_otp".into()),
                },
                key: "restricted_method/office_employees/fallback/password+sms_otp".into(),
                explanation: "Office employees fall back to an SMS code.".into(),
                fix: "Remove SMS.".into(),
                controls: vec!["63B-5.2.10".into(), "CSF PR.AA-03".into()],
            },
            rule_number: 2,
            rule_title: "Restricted method".into(),
            scope: "Office employees · Fallback".into(),
            state: FindingState::Open,
            opened_at: "2026-11-30 10:00 UTC".into(),
            resolved_at: None,
            exception: None,
        }
    }

    #[test]
    fn csv_has_a_header_and_guards_formulas() {
        let text = String::from_utf8(to_csv(&[row("Payroll"), row("=cmd()")]).unwrap()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert!(
            lines[1].starts_with("Payroll,restricted_method,2,"),
            "{text}"
        );
        assert!(lines[1].contains("password+sms_otp"));
        assert!(lines[1].contains("63B-5.2.10;CSF PR.AA-03"));
        assert!(lines[2].starts_with("'=cmd()"), "{text}");
    }

    #[test]
    fn json_lists_each_finding_with_its_scope() {
        let v: serde_json::Value =
            serde_json::from_slice(&to_json(&[row("Payroll")]).unwrap()).unwrap();
        let f = &v["findings"][0];
        assert_eq!(f["application"], "Payroll");
        assert_eq!(f["role"], "fallback");
        assert_eq!(f["state"], "open");
        assert_eq!(f["controls"][1], "CSF PR.AA-03");
        assert!(f["resolved_at"].is_null());
    }
}
