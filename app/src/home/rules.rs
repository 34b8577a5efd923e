//! The dashboards from the estate (the matrix's, in memory) and a few figures read beside it:
//! pure functions.

use super::model::{AppLine, AuditorDashboard, ChainView, OwnerDashboard};
use crate::ids::ApplicationId;
use crate::matrix::facade::{Entry, Estate};
use std::collections::{BTreeMap, HashSet};

/// At most this many applications per list.
pub const LISTED: usize = 10;

fn severity_words(open: &[u32; 4]) -> String {
    let parts: Vec<String> = open
        .iter()
        .zip(["critical", "high", "medium", "low"])
        .filter(|(n, _)| **n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    if parts.is_empty() {
        "no open finding".into()
    } else {
        format!("open: {}", parts.join(", "))
    }
}

pub fn line(e: &Entry, note: Option<String>) -> AppLine {
    AppLine {
        id: e.id,
        name: e.name.clone(),
        open: e.open,
        note: note.unwrap_or_else(|| severity_words(&e.open)),
    }
}

/// The applications with open findings, most severe first (then by name), at most `LISTED`.
pub fn worst<'e>(entries: impl Iterator<Item = &'e Entry>) -> Vec<AppLine> {
    let mut with: Vec<&Entry> = entries.filter(|e| e.open.iter().sum::<u32>() > 0).collect();
    with.sort_by(|a, b| b.open.cmp(&a.open).then(a.name_key.cmp(&b.name_key)));
    with.into_iter()
        .take(LISTED)
        .map(|e| line(e, None))
        .collect()
}

/// Rules with the most open findings: (title, count), at most eight.
pub fn top_rules(estate: &Estate) -> Vec<(String, u32)> {
    let mut by: BTreeMap<&str, u32> = BTreeMap::new();
    for e in &estate.entries {
        for (_, rule) in &e.open_rules {
            *by.entry(rule.as_str()).or_default() += 1;
        }
    }
    let mut rules: Vec<(String, u32)> = by
        .into_iter()
        .map(|(r, n)| (crate::findings::facade::rule_title(r), n))
        .collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rules.truncate(8);
    rules
}

/// An owner's applications and what needs them; `drafts` are the applications with a draft.
pub fn owner(estate: &Estate, username: &str, drafts: &HashSet<ApplicationId>) -> OwnerDashboard {
    let me = username.to_lowercase();
    let mine: Vec<&Entry> = estate
        .entries
        .iter()
        .map(|e| e.as_ref())
        .filter(|e| e.owners.contains(&me))
        .collect();
    let mut open = [0; 4];
    for e in &mine {
        for (t, n) in open.iter_mut().zip(e.open) {
            *t += n;
        }
    }
    OwnerDashboard {
        applications: mine.len() as u32,
        ready: mine.iter().filter(|e| e.readiness.ready()).count() as u32,
        open,
        worst: worst(mine.iter().copied()),
        drafts: mine
            .iter()
            .filter(|e| drafts.contains(&e.id))
            .take(LISTED)
            .map(|e| line(e, Some("a draft waits to be submitted".into())))
            .collect(),
        reviews_due: mine
            .iter()
            .filter(|e| e.open_rules.iter().any(|(_, r)| r == "review_overdue"))
            .take(LISTED)
            .map(|e| line(e, Some("the declaration is due for review".into())))
            .collect(),
        expiring: Vec::new(),
    }
}

/// Coverage for auditors.
pub fn auditor(estate: &Estate, chain: ChainView) -> AuditorDashboard {
    let declared = estate
        .entries
        .iter()
        .filter(|e| !e.populations.is_empty() && e.populations.iter().all(|p| p.declared))
        .count() as u32;
    let clean = |e: &&Entry| e.open.iter().sum::<u32>() == 0;
    AuditorDashboard {
        applications: estate.entries.len() as u32,
        declared,
        meeting_policy: estate
            .entries
            .iter()
            .map(|e| e.as_ref())
            .filter(clean)
            .count() as u32,
        excepted_only: estate
            .entries
            .iter()
            .map(|e| e.as_ref())
            .filter(clean)
            .filter(|e| e.excepted > 0)
            .count() as u32,
        chain,
    }
}
