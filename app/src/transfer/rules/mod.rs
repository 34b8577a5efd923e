//! Pure rules of import and export: the CSV and JSON encodings (whole, or a batch at a time for
//! a streamed export), formula neutralisation, and planning an import (resolving names to ids
//! and checking every record with the registry's and the declarations' own rules). No clock, no
//! database.

pub mod cells;
pub mod csv;
pub mod encoder;
pub mod json;
pub mod plan;

pub use csv::{COLUMNS, decode_csv, encode_csv};
pub use encoder::Encoder;
pub use json::{decode_json, encode_json};
pub use plan::{Existing, Plan, plan};

use crate::transfer::model::{ApplicationRecord, ImportProblem};
use std::collections::BTreeMap;

/// A record read from a file, with where it came from (for problems).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    pub record: ApplicationRecord,
    /// CSV: the application's first row. JSON: its position in `applications`, from 1.
    pub row: usize,
    /// CSV: the first row of each declared population.
    pub population_rows: BTreeMap<String, usize>,
}

pub(crate) fn problem(row: usize, application: &str, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        row,
        application: application.to_string(),
        message: message.into(),
    }
}

pub(crate) fn file_problem(message: impl Into<String>) -> ImportProblem {
    problem(0, "", message)
}

/// The file as text: UTF-8, a byte-order mark ignored.
pub(crate) fn text_of(bytes: &[u8]) -> Result<&str, ImportProblem> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| file_problem("the file is not UTF-8 text"))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Records the encoding and planning tests share.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::declarations::facade::default_journey;
    use crate::declarations::model::*;
    use crate::policy::facade::shipped;
    use crate::transfer::model::ApplicationRecord;

    pub fn record(name: &str) -> ApplicationRecord {
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

    pub fn declared(name: &str) -> ApplicationRecord {
        let mut office = default_journey("office_employees", false, &shipped());
        office.devices.as_mut().unwrap().platforms[1].min_version = "13.1".into();
        let contractors = PopulationJourney {
            population: "contractors".into(),
            primary: vec![Path::of(&["password", "totp_app"])],
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
}
