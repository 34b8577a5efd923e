//! The consistency matrix (`/matrix`), the journeys view (`/journeys`) and the application
//! page's readiness section. What both views share lives here: the filter form (its state in the
//! address), the tabs, the fragmentation figures and the page links.

mod journeys;
mod readiness;
mod table;

pub use journeys::JourneysPageView;
pub use readiness::ReadinessSection;
pub use table::{MatrixPageView, table_body};

use super::model::{CellState, Choice, Fragmentation, MatrixFilter, MethodColumn, percent};
use crate::components::{Figure, Position, count, list_href, select_options, vocab_options};
use crate::vocab::{Criticality, Integration, JourneyRole};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn filter_from_query() -> MatrixFilter {
    let q = use_query_map().get_untracked();
    MatrixFilter::from_query(|k| q.get(k))
}

fn pairs_of(choices: &[Choice]) -> Vec<(String, String)> {
    choices
        .iter()
        .map(|c| (c.key.clone(), c.label.clone()))
        .collect()
}

/// The address of a view with `filter` changed by `change`.
fn href_with(path: &str, filter: &MatrixFilter, change: impl FnOnce(&mut MatrixFilter)) -> String {
    let mut f = filter.clone();
    f.page.clear();
    change(&mut f);
    let mut pairs = f.pairs();
    pairs.push(("page", f.page.clone()));
    list_href(path, &pairs, &Position::First)
}

#[component]
fn ViewTabs(current: &'static str) -> impl IntoView {
    let q = use_query_map().get_untracked();
    let f = MatrixFilter::from_query(|k| q.get(k));
    let tab = |path: &'static str, key: &'static str, label: &'static str| {
        let href = href_with(path, &f, |_| {});
        let is = key == current;
        view! {
            <li>
                <a href=href aria-current=is.then_some("page")>
                    {label}
                </a>
            </li>
        }
    };
    view! {
        <nav class="tabs" aria-label="Views of the estate">
            <ul>{tab("/matrix", "matrix", "Matrix")} {tab("/journeys", "journeys", "Journeys")}</ul>
        </nav>
    }
}

/// The filter form shared by the matrix and the journeys view.
#[component]
fn Filters(
    action: &'static str,
    filter: MatrixFilter,
    units: Vec<Choice>,
    populations: Vec<Choice>,
    #[prop(optional)] columns: Vec<MethodColumn>,
    #[prop(optional)] unknown: Vec<(String, String)>,
    #[prop(optional)] download: Option<String>,
) -> impl IntoView {
    let f = filter;
    let problem = move |field: &str| {
        unknown
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, why)| view! { <p class="field-error">{why.clone()}</p> })
    };
    let method_problem = problem("method");
    let methods: Vec<(String, String)> = columns
        .iter()
        .map(|c| (c.key.clone(), c.name.clone()))
        .collect();
    let with_methods = action == "/matrix";
    view! {
        <form method="get" action=action class="card filters" role="search">
            <div class="filter-grid">
                <div>
                    <label for="m-unit">"Business unit"</label>
                    <select id="m-unit" name="unit">
                        {select_options(pairs_of(&units), &f.unit, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="m-crit">"Criticality"</label>
                    <select id="m-crit" name="criticality">
                        {select_options(
                            vocab_options(
                                Criticality::ALL,
                                Criticality::as_str,
                                Criticality::label,
                            ),
                            &f.criticality,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-pop">"Population"</label>
                    <select id="m-pop" name="population">
                        {select_options(pairs_of(&populations), &f.population, Some("All served"))}
                    </select>
                </div>
                <div>
                    <label for="m-int">"Integration"</label>
                    <select id="m-int" name="integration">
                        {select_options(
                            vocab_options(
                                Integration::ALL,
                                Integration::as_str,
                                Integration::label,
                            ),
                            &f.integration,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-owner">"Owner"</label>
                    <input
                        id="m-owner"
                        type="text"
                        name="owner"
                        value=f.owner.clone()
                        placeholder="mine, or a user name"
                    />
                </div>
                {with_methods
                    .then(|| {
                        view! {
                            <div>
                                <label for="m-method">"Method"</label>
                                <select
                                    id="m-method"
                                    name="method"
                                    aria-invalid=method_problem.is_some().then_some("true")
                                >
                                    {select_options(methods, &f.method, Some("Any"))}
                                </select>
                                {method_problem}
                            </div>
                            <div>
                                <label for="m-role">"Role"</label>
                                <select id="m-role" name="role">
                                    {select_options(
                                        vocab_options(
                                            JourneyRole::ALL,
                                            JourneyRole::as_str,
                                            JourneyRole::label,
                                        ),
                                        &f.role,
                                        Some("Every role"),
                                    )}
                                </select>
                            </div>
                        }
                    })}
                <div>
                    <label for="m-state">"Findings"</label>
                    <select id="m-state" name="state">
                        {select_options(
                            CellState::ALL
                                .iter()
                                .map(|s| (s.as_str().to_string(), s.filter_label().to_string()))
                                .collect(),
                            &f.state,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-ready">"Password removal"</label>
                    <select id="m-ready" name="readiness">
                        {select_options(
                            vec![
                                ("ready".into(), "Ready".into()),
                                ("blocked".into(), "Not ready".into()),
                            ],
                            &f.readiness,
                            Some("Any"),
                        )}
                    </select>
                </div>
                {with_methods
                    .then(|| {
                        view! {
                            <div>
                                <label for="m-sort">"Order"</label>
                                <select id="m-sort" name="sort">
                                    {select_options(
                                        vec![
                                            ("assurance".into(), "Weakest assurance first".into()),
                                            ("findings".into(), "Most severe findings first".into()),
                                            ("readiness".into(), "Closest to ready first".into()),
                                            ("criticality".into(), "Most critical first".into()),
                                        ],
                                        &f.sort,
                                        Some("By name"),
                                    )}
                                </select>
                            </div>
                        }
                    })}
            </div>
            <div class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href=action>"Clear"</a>
                {download
                    .map(|href| {
                        view! {
                            <span class="spacer"></span>
                            <a href=href download="matrix.csv">
                                "Download CSV"
                            </a>
                        }
                    })}
            </div>
        </form>
    }
}

/// One figure, linking to the matrix filtered to what it counts (when it can).
/// The fragmentation figures of the filtered estate.
#[component]
pub fn FragmentationFigures(figures: Fragmentation, filter: MatrixFilter) -> impl IntoView {
    let f = figures;
    let open = f.open;
    let open_total: u32 = open.iter().sum();
    let ready_href = href_with("/matrix", &filter, |x| x.readiness = "ready".into());
    let open_href = href_with("/matrix", &filter, |x| x.state = "open".into());
    let journeys_href = href_with("/journeys", &filter, |_| {});
    view! {
        <section class="figures" aria-label="Fragmentation of the filtered estate">
            <Figure value=count(u64::from(f.applications)) label="applications" />
            <Figure
                value=count(u64::from(f.distinct_journeys))
                label="distinct journeys"
                href=journeys_href
                note=format!("across {} population journeys", count(u64::from(f.journeys)))
            />
            <Figure
                value=format!("{} %", f.standard_share())
                label="on the standard journey"
                note=format!("{} applications", count(u64::from(f.on_standard)))
            />
            <Figure
                value=count(u64::from(f.weaker_fallback))
                label="with a fallback or recovery weaker than the primary"
            />
            <Figure
                value=count(u64::from(f.restricted_applications))
                label="use a restricted method (SMS, voice)"
                note=format!(
                    "in {} population journeys",
                    count(u64::from(f.restricted_populations)),
                )
            />
            <Figure
                value=count(u64::from(open_total))
                label="open findings"
                href=open_href
                note=format!(
                    "{} critical · {} high · {} medium · {} low",
                    open[0],
                    open[1],
                    open[2],
                    open[3],
                )
            />
            <Figure
                value=count(u64::from(f.expiring_exceptions))
                label="exceptions expiring within 30 days"
                href="/exceptions?view=expiring".to_string()
            />
            <Figure
                value=count(u64::from(f.ready))
                label="ready to remove passwords"
                href=ready_href
                note=format!("{} % of these applications", percent(f.ready, f.applications))
            />
        </section>
    }
}

/// Links to the previous and next pages of a view, keeping its filters.
#[component]
fn PageLinks(path: &'static str, filter: MatrixFilter, page: usize, pages: usize) -> impl IntoView {
    let link = |n: usize| {
        let p = n.to_string();
        href_with(path, &filter, |f| f.page = p)
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev
                .map(|h| {
                    view! {
                        <a href=h rel="prev">
                            "← Previous page"
                        </a>
                    }
                })}
            <span class="muted small">{format!("Page {page} of {pages}")}</span>
            {next
                .map(|h| {
                    view! {
                        <a href=h rel="next">
                            "Next page →"
                        </a>
                    }
                })}
        </nav>
    }
}
