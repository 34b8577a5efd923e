//! The JSON encoding: one object, pretty-printed, applications in name order, fields in a fixed
//! order.

use super::{Sourced, file_problem, problem, text_of};
use crate::error::AppError;
use crate::transfer::model::{ApplicationRecord, ImportProblem, JSON_FORMAT, JSON_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// Where `applications` is in the file: the bytes before its elements (up to and including
/// `[`) and after them (from the closing `]`'s line end to the end of the file).
fn around_applications() -> Result<(Vec<u8>, Vec<u8>), AppError> {
    let mut empty = encode_json(&[])?;
    let at = empty
        .windows(2)
        .rposition(|w| w == b"[]")
        .ok_or_else(|| AppError::internal("the JSON file has no applications array"))?;
    let after = empty.split_off(at + 2);
    empty.truncate(at + 1);
    Ok((empty, after))
}

/// The file's opening, up to the `[` of `applications`.
pub(crate) fn json_opening() -> Result<Vec<u8>, AppError> {
    Ok(around_applications()?.0)
}

/// How deep the elements of `applications` are indented in the pretty-printed file.
const ELEMENT_INDENT: &[u8] = b"    ";
/// How deep the closing `]` of `applications` is indented.
const ARRAY_INDENT: &[u8] = b"  ";

/// One application as an element of `applications`, appended to `out`, after `written` others:
/// its separator, then the record pretty-printed one level deeper. Pretty-printed JSON has line
/// breaks only between tokens (a line break in a string is written `\n`), so indenting every
/// line is exactly how the whole file prints it.
pub(crate) fn json_element(
    out: &mut Vec<u8>,
    record: &ApplicationRecord,
    written: usize,
) -> Result<(), AppError> {
    let value = serde_json::to_vec_pretty(record).map_err(AppError::internal)?;
    let separator: &[u8] = if written == 0 { b"\n" } else { b",\n" };
    out.extend_from_slice(separator);
    out.extend_from_slice(ELEMENT_INDENT);
    for line in value.split_inclusive(|b| *b == b'\n') {
        out.extend_from_slice(line);
        if line.ends_with(b"\n") {
            out.extend_from_slice(ELEMENT_INDENT);
        }
    }
    Ok(())
}

/// The file's end after `written` applications: the closing `]` (on its own line unless the
/// array is empty) and what follows it.
pub(crate) fn json_closing(written: usize) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    if written > 0 {
        out.push(b'\n');
        out.extend_from_slice(ARRAY_INDENT);
    }
    out.push(b']');
    out.extend_from_slice(&around_applications()?.1);
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{declared, record};
    use super::*;

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
}
