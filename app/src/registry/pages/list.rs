//! The applications list: search, filters and paging.

use super::super::api::list_applications;
use super::super::model::{
    ApplicationFilter, ApplicationList, ApplicationSummary, Criticality, Editors, Integration,
    Lifecycle, ListSort, OwnerFilter, StatusFilter,
};
use super::{criticality_class, integration_short};
use crate::components::{
    Feedback, Loaded, PageHeader, Pager, Position, count, list_href, select_options, vocab_options,
};
use crate::session::facade::Guarded;
use crate::session::model::{Right, viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list. `children` are the actions of the features above (export, import), shown in the
/// toolbar beside "Register an application".
#[component]
pub fn ApplicationsPage(children: ChildrenFn) -> impl IntoView {
    view! {
        <Title text="Applications · Passwordless Governance Portal" />
        <Guarded>
            <ApplicationsContent actions=children.clone() />
        </Guarded>
    }
}

fn filter_from_query() -> ApplicationFilter {
    let q = use_query_map().get_untracked();
    ApplicationFilter::from_query(|k| q.get(k))
}

#[component]
fn ApplicationsContent(actions: ChildrenFn) -> impl IntoView {
    let filter = filter_from_query();
    let f = filter.clone();
    let list = Resource::new(move || f.clone(), list_applications);
    let can_create = viewer().is_some_and(|v| Editors::admits(&v));
    view! {
        <PageHeader
            title="Applications"
            subtitle="Every application, its owners and the journeys it declares for the people it serves."
        />
        <Feedback />
        <div class="toolbar">
            {can_create
                .then(|| {
                    view! {
                        <a class="button" href="/applications/new">
                            "Register an application"
                        </a>
                    }
                })} {actions()}
        </div>
        <Loaded
            resource=list
            render=move |l| view! { <ApplicationsList list=l filter=filter.clone() /> }
        />
    }
}

#[component]
fn ApplicationsList(list: ApplicationList, filter: ApplicationFilter) -> impl IntoView {
    let o = list.options.clone();
    let is_editor = viewer().is_some_and(|v| Editors::admits(&v));
    let shown = match (list.rows.first(), list.rows.last()) {
        (Some(a), Some(b)) => format!(
            "Showing {} of {} applications by {}, from {} to {}.",
            list.rows.len(),
            count(list.total),
            filter.sort.label(),
            a.name,
            b.name
        ),
        _ if list.total == 0 => "No application matches.".to_string(),
        _ => format!("No application on this page; {} match.", count(list.total)),
    };
    let empty = list.rows.is_empty();
    let pairs = filter.query_pairs();
    let position = filter.position.clone();
    let neighbours = list.neighbours.clone();
    view! {
        // Off: after Back, the browser must not put back what the fields held on a later page;
        // they show what the address says.
        <form
            method="get"
            action="/applications"
            class="card filters"
            role="search"
            autocomplete="off"
        >
            {o
                .provider
                .clone()
                .map(|p| {
                    let without: Vec<(&str, String)> = filter
                        .query_pairs()
                        .into_iter()
                        .filter(|(k, _)| *k != "provider")
                        .collect();
                    let clear = list_href("/applications", &without, &Position::First);
                    view! {
                        <input type="hidden" name="provider" value=p.id.to_string() />
                        <p class="narrowed">
                            "Federated through "
                            <a href=format!("/applications/{}", p.id)>{p.name}</a> " · "
                            <a href=clear>"Show every provider's"</a>
                        </p>
                    }
                })}
            {(filter.sort != ListSort::default())
                .then(|| view! { <input type="hidden" name="sort" value=filter.sort.as_str() /> })}
            <div class="filter-grid">
                <div>
                    <label for="f-q">"Search"</label>
                    <input
                        id="f-q"
                        type="search"
                        name="q"
                        value=filter.q.clone()
                        placeholder="Name or description"
                    />
                </div>
                <div>
                    <label for="f-bu">"Business unit"</label>
                    <select id="f-bu" name="business_unit">
                        {select_options(
                            o
                                .business_units
                                .iter()
                                .map(|b| (b.id.to_string(), b.name.clone()))
                                .collect(),
                            &filter.business_unit.map(|b| b.to_string()).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-crit">"Criticality"</label>
                    <select id="f-crit" name="criticality">
                        {select_options(
                            vocab_options(
                                Criticality::ALL,
                                Criticality::as_str,
                                Criticality::label,
                            ),
                            filter.criticality.map(|v| v.as_str()).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-int">"Integration"</label>
                    <select id="f-int" name="integration">
                        {select_options(
                            vocab_options(
                                Integration::ALL,
                                Integration::as_str,
                                Integration::label,
                            ),
                            filter.integration.map(|v| v.as_str()).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-life">"Lifecycle"</label>
                    <select id="f-life" name="lifecycle">
                        {select_options(
                            vocab_options(Lifecycle::ALL, Lifecycle::as_str, Lifecycle::label),
                            filter.lifecycle.map(|v| v.as_str()).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-pop">"Population"</label>
                    <select id="f-pop" name="population">
                        {select_options(o.populations.clone(), &filter.population, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="f-tag">"Tag"</label>
                    <input id="f-tag" type="text" name="tag" value=filter.tag.clone() />
                </div>
                <div>
                    <label for="f-status">"Status"</label>
                    <select id="f-status" name="status">
                        {select_options(
                            vocab_options(
                                StatusFilter::ALL,
                                StatusFilter::as_str,
                                StatusFilter::label,
                            ),
                            filter.status.as_str(),
                            None,
                        )}
                    </select>
                </div>
            </div>
            <div class="filter-actions">
                {is_editor
                    .then(|| {
                        view! {
                            <label class="check" for="f-mine">
                                <input
                                    id="f-mine"
                                    type="checkbox"
                                    name="owner"
                                    value=OwnerFilter::Mine.as_str()
                                    checked=filter.owner == OwnerFilter::Mine
                                />
                                {OwnerFilter::Mine.label()}
                            </label>
                        }
                    })} <button type="submit">"Apply filters"</button>
                <a href="/applications">"Clear"</a>
            </div>
        </form>
        <div class="card">
            <p class="muted small">{shown}</p>
            {(!empty)
                .then(|| {
                    view! {
                        <table class="applications">
                            <thead>
                                <tr>
                                    {sortable("Application", ListSort::Name, &filter)}
                                    {sortable("Criticality", ListSort::Criticality, &filter)}
                                    {sortable("Lifecycle", ListSort::Lifecycle, &filter)}
                                    <th scope="col">"Business unit"</th>
                                    <th scope="col">"Integration"</th>
                                    <th scope="col">"Populations"</th> <th scope="col">"Owners"</th>
                                    <th scope="col">"Declaration"</th>
                                    <th scope="col">"Last changed"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .rows
                                    .into_iter()
                                    .map(|a| view! { <ApplicationRow a /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            <Pager path="/applications" pairs position neighbours empty />
        </div>
    }
}

/// A column heading that orders the list by it (the search and filters kept, from the first
/// page), marked when it is the list's order.
fn sortable(
    label: &'static str,
    sort: ListSort,
    filter: &ApplicationFilter,
) -> impl IntoView + use<> {
    let current = filter.sort == sort;
    let ordered = ApplicationFilter {
        sort,
        ..filter.clone()
    };
    let href = list_href("/applications", &ordered.query_pairs(), &Position::First);
    let direction = match sort {
        ListSort::Criticality => "descending",
        _ => "ascending",
    };
    view! {
        <th scope="col" aria-sort=current.then_some(direction)>
            {if current {
                view! {
                    <span class="sorted">
                        {label}
                        <span aria-hidden="true">
                            {if direction == "descending" { " ▼" } else { " ▲" }}
                        </span>
                    </span>
                }
                    .into_any()
            } else {
                view! {
                    <a href=href title=format!("Order by {}", sort.label())>
                        {label}
                    </a>
                }
                    .into_any()
            }}
        </th>
    }
}

#[component]
fn ApplicationRow(a: ApplicationSummary) -> impl IntoView {
    let integration = match &a.provider {
        Some(p) => view! {
            {integration_short(a.integration)}
            " via "
            <a href=format!("/applications/{}", p.id)>{p.name.clone()}</a>
        }
        .into_any(),
        None => integration_short(a.integration).into_any(),
    };
    view! {
        <tr>
            <td>
                <a href=format!("/applications/{}", a.id)>{a.name}</a>
                {a
                    .is_identity_provider
                    .then(|| view! { <span class="badge">"identity provider"</span> })}
                {a.archived.then(|| view! { <span class="badge bad">"archived"</span> })}
            </td>
            <td>
                <span class=criticality_class(a.criticality)>{a.criticality.label()}</span>
            </td>
            <td>{a.lifecycle.label()}</td>
            <td>{a.business_unit.unwrap_or_else(|| "—".into())}</td>
            <td>{integration}</td>
            <td class="populations">
                {if a.populations.is_empty() {
                    "—".to_string()
                } else {
                    a.populations.join(", ")
                }}
            </td>
            <td>{a.owners.join(", ")}</td>
            <td>
                {match a.version {
                    Some(v) => view! { <span class="badge ok">{format!("v{v}")}</span> }.into_any(),
                    None => view! { <span class="badge warn">"none"</span> }.into_any(),
                }} {a.has_draft.then(|| view! { <span class="badge">"draft"</span> })}
            </td>
            <td class="nowrap">{a.last_changed}</td>
        </tr>
    }
}
