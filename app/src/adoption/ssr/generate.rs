//! Generated figures for a generated estate: a year of months ending with the current one,
//! shaped by each application's declared journey (see `rules::generate`), stored through the
//! same ingestion as any file (so the trail records it).

use super::ingest::{Ingested, Origin, ingest};
use super::read::journeys_of;
use crate::adoption::model::{AdoptionSource, Period, RowProblem};
use crate::adoption::rules::csv::Sourced;
use crate::adoption::rules::generate::{Subject, figures, months_ending};
use crate::audit::facade::Actor;
use crate::error::AppError;
use crate::matrix::facade::current_estate;
use crate::ssr::state::AppState;

/// Generates and stores a year of monthly figures for every application with a declaration.
pub async fn generate_figures(
    state: &AppState,
    seed: u64,
) -> Result<Result<Ingested, Vec<RowProblem>>, AppError> {
    let current = current_estate(state).await?;
    let now = state.now();
    let last = Period::Month {
        year: now.year(),
        month: u8::from(now.month()),
    };
    let months = months_ending(last, 12);
    let rank: std::collections::HashMap<&str, u32> = current
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i as u32))
        .collect();
    let strength = |m: &str| rank.get(m).copied().unwrap_or(0);
    let subjects: Vec<Subject> = current
        .entries
        .iter()
        .map(|e| Subject {
            name: &e.name,
            journeys: journeys_of(&current, e),
        })
        .collect();
    let generated = figures(&subjects, &months, seed, &strength);
    let incoming: Vec<Sourced> = generated
        .into_iter()
        .enumerate()
        .map(|(i, figures)| Sourced {
            figures,
            row: i + 1,
        })
        .collect();
    ingest(
        &state.db,
        now,
        incoming,
        Origin {
            source: AdoptionSource::Generated,
            file_name: None,
            sha256: None,
            actor: Actor::HostOperator,
        },
    )
    .await
}
