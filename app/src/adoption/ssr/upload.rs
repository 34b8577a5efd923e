//! One file of figures, from the portal's upload form or the command line: decoded by its
//! format (the portal's CSV or JSON, or an identity provider's export aggregated on the way in
//! through the mapping table), stored all or nothing, and reported.

use super::ingest::{Origin, ingest};
use super::mappings;
use crate::adoption::model::{
    AdoptionReport, EventCounts, FileFormat, IngestSummary, REPORTED_PROBLEMS_MAX, ReportOutcome,
    RowProblem, UnmappedName,
};
use crate::adoption::rules::csv::{Sourced, decode_csv, decode_json};
use crate::adoption::rules::providers::{Mapping, aggregate};
use crate::error::AppError;
use crate::journey::JourneyRole;
use crate::matrix::facade::current_estate;
use crate::ssr::state::AppState;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A file to ingest.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    pub format: Option<FileFormat>,
    /// Providers' exports: count by day rather than by month.
    pub by_day: bool,
}

fn refused(mut problems: Vec<RowProblem>) -> ReportOutcome {
    let total = problems.len() as u64;
    problems.sort_by_key(|p| p.row);
    problems.truncate(REPORTED_PROBLEMS_MAX);
    ReportOutcome::Refused { problems, total }
}

/// Decodes, stores and reports one file. Errors of the database are errors; everything wrong
/// with the file is in the report.
pub async fn run(state: &AppState, file: File, origin: Origin) -> Result<AdoptionReport, AppError> {
    let File {
        name,
        bytes,
        format,
        by_day,
    } = file;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut report = AdoptionReport {
        file_name: name,
        sha256: sha256.clone(),
        format,
        outcome: ReportOutcome::Done(IngestSummary {
            applications: 0,
            periods: 0,
            replaced: 0,
            first: None,
            last: None,
        }),
        events: None,
        unmapped: Vec::new(),
    };
    let Some(format) = format else {
        report.outcome = refused(vec![RowProblem::new(
            0,
            "format",
            "Choose the file's format: the portal's CSV or JSON, or an identity provider's export.",
        )]);
        return Ok(report);
    };
    let decoded: Result<Vec<Sourced>, Vec<RowProblem>> = match format {
        FileFormat::Csv => decode_csv(&bytes),
        FileFormat::Json => decode_json(&bytes),
        FileFormat::Provider(provider) => {
            let current = current_estate(state).await?;
            let rows = mappings::of_provider(state.db.conn(), provider).await?;
            let mapping = Mapping::new(&rows, current.entries.iter().map(|e| e.name.clone()));
            let primaries: HashMap<String, Vec<String>> = current
                .entries
                .iter()
                .filter_map(|e| {
                    let mut keys: Vec<String> = Vec::new();
                    for p in &e.populations {
                        let journey = current.journeys.get(p.journey? as usize)?;
                        let primary = &journey[JourneyRole::ALL
                            .iter()
                            .position(|r| *r == JourneyRole::Primary)
                            .unwrap_or(1)];
                        for path in primary {
                            for m in path.factors() {
                                if !keys.contains(m) {
                                    keys.push(m.clone());
                                }
                            }
                        }
                    }
                    (!keys.is_empty()).then(|| (e.name.to_lowercase(), keys))
                })
                .collect();
            let declared = |app: &str| primaries.get(&app.to_lowercase()).cloned();
            match aggregate(provider, &bytes, &mapping, by_day, &declared) {
                Err(problem) => Err(vec![problem]),
                Ok(agg) => {
                    report.events = Some(EventCounts {
                        read: agg.events_read as u64,
                        counted: agg.events_counted as u64,
                        ignored: agg.events_ignored as u64,
                    });
                    report.unmapped = agg
                        .unmapped
                        .iter()
                        .map(|u| UnmappedName {
                            provider,
                            kind: u.kind,
                            external: u.external.clone(),
                            events: u.events as u64,
                        })
                        .collect();
                    if agg.figures.is_empty() {
                        Err(vec![RowProblem::new(
                            0,
                            "",
                            "No event of the export could be counted: map the names listed \
                             below, then send the file again.",
                        )])
                    } else {
                        Ok(agg
                            .figures
                            .into_iter()
                            .enumerate()
                            .map(|(i, figures)| Sourced {
                                figures,
                                row: i + 1,
                            })
                            .collect())
                    }
                }
            }
        }
    };
    let incoming = match decoded {
        Ok(incoming) => incoming,
        Err(problems) => {
            report.outcome = refused(problems);
            return Ok(report);
        }
    };
    let origin = Origin {
        sha256: Some(sha256),
        file_name: Some(report.file_name.clone()).filter(|n| !n.is_empty()),
        ..origin
    };
    report.outcome = match ingest(&state.db, state.now(), incoming, origin).await? {
        Ok(done) => ReportOutcome::Done(IngestSummary {
            applications: done.applications as u64,
            periods: done.periods as u64,
            replaced: done.replaced as u64,
            first: done.first,
            last: done.last,
        }),
        Err(problems) => refused(problems),
    };
    Ok(report)
}
