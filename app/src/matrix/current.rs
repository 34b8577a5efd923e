//! The estate kept per instance for one stamp (the audit chain's head and the day), with what
//! requests derive from it: each filter's rows, figures and column counts, each page as shown,
//! each journeys page, the estate's own figures. Computed once per stamp and filter, so a page
//! of the matrix costs the rows it shows, not the estate's size.

use super::model::{Fragmentation, JourneysPage, MatrixFilter, MatrixPage};
use super::rules::{self, Criteria, Estate, View};
use crate::ssr::snapshot::Memo;
use std::sync::Arc;

pub struct Current {
    pub estate: Arc<Estate>,
    /// What the estate was loaded at.
    pub stamp: String,
    /// The audit chain's length when it was loaded (events after it may change it).
    pub seq: i64,
    /// The day it was computed for.
    pub day: time::Date,
    /// Shared by the stamps that changed nothing in the estate.
    memo: Arc<Memo>,
}

impl std::ops::Deref for Current {
    type Target = Estate;

    fn deref(&self) -> &Estate {
        &self.estate
    }
}

/// The key of what a filter shows: the filter (page and all) and, when it reads "my
/// applications", whose.
fn key(filter: &MatrixFilter, viewer: Option<&str>, page: bool) -> String {
    let mut k = format!("{:?}", filter.pairs());
    if page {
        k.push_str(&format!("|page={}", filter.page_number()));
    }
    if filter.owner.trim() == "mine" {
        k.push_str(&format!("|viewer={}", viewer.unwrap_or_default()));
    }
    k
}

impl Current {
    pub fn new(estate: Estate, stamp: String, seq: i64, day: time::Date) -> Self {
        Self {
            estate: Arc::new(estate),
            stamp,
            seq,
            day,
            memo: Arc::default(),
        }
    }

    /// The same estate, and what was derived from it, at a later stamp (the events since changed
    /// nothing it holds).
    pub fn restamped(&self, stamp: String, seq: i64) -> Self {
        Self {
            estate: self.estate.clone(),
            stamp,
            seq,
            day: self.day,
            memo: self.memo.clone(),
        }
    }

    /// Whatever a caller derives from the estate alone, kept under `key` with the estate.
    pub fn derived<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        compute: impl FnOnce(&Estate) -> T,
    ) -> Arc<T> {
        self.memo.get_or(key, || compute(&self.estate))
    }

    /// A filter's rows in order, with their figures and column counts.
    fn view(&self, filter: &MatrixFilter, viewer: Option<&str>) -> Arc<View> {
        self.memo.get_or(&key(filter, viewer, false), || {
            let (criteria, _) = Criteria::of(filter, &self.estate, viewer);
            rules::view(&self.estate, &criteria, &filter.sort)
        })
    }

    /// A page of the matrix, its table's body written.
    pub fn matrix_page(
        &self,
        filter: &MatrixFilter,
        viewer: Option<&str>,
        write_body: impl FnOnce(&MatrixPage) -> String,
    ) -> Arc<MatrixPage> {
        self.memo.get_or(&key(filter, viewer, true), || {
            let view = self.view(filter, viewer);
            let mut page = rules::page_of(&self.estate, &view, filter, viewer);
            page.body = write_body(&page);
            page
        })
    }

    /// A page of the journeys view.
    pub fn journeys_page(&self, filter: &MatrixFilter, viewer: Option<&str>) -> Arc<JourneysPage> {
        self.memo.get_or(&key(filter, viewer, true), || {
            rules::journeys(&self.estate, filter, viewer)
        })
    }

    /// The fragmentation figures of the whole estate.
    pub fn figures(&self) -> Arc<Fragmentation> {
        self.derived("estate", |e| {
            let all: Vec<&rules::Entry> = e.entries.iter().map(|e| &**e).collect();
            rules::fragmentation(&all, None)
        })
    }
}
