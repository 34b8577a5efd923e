//! Application pages: the list (search, filters, paging), registration and editing, and the
//! application page with its declaration, history, differences and as-of view.

use super::api::{
    CreateApplication, SetApplicationArchived, UpdateApplication, application_form_options,
    get_application, get_application_form, list_applications,
};
use super::model::{
    ApplicationDetail, ApplicationFilter, ApplicationForm, ApplicationList, Criticality,
    DESCRIPTION_MAX, DeclarationShown, FormOptions, Integration, Lifecycle, NAME_MAX, owner_key,
};
use super::transfer_api::{
    ImportOutcome, ImportReport, REPORTED_PROBLEMS_MAX, listing, take_import_report,
};
use crate::accounts::model::Role;
use crate::components::{Feedback, FieldError, Guarded, Loaded, PageHeader, encode_component};
use crate::declarations::api::show_declaration;
use crate::declarations::pages::{DeclarationView, DiffView, HistoryCard};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::session::model::viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::str::FromStr;

use super::rules::EDITORS;

pub fn criticality_class(c: Criticality) -> &'static str {
    match c {
        Criticality::Critical => "badge bad",
        Criticality::High => "badge warn",
        _ => "badge",
    }
}

// ---------------------------------------------------------------------------------------------
// The list.

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    view! {
        <Title text="Applications · Passwordless Governance Portal" />
        <Guarded>
            <ApplicationsContent />
        </Guarded>
    }
}

fn filter_from_query() -> ApplicationFilter {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    ApplicationFilter {
        q: get("q"),
        business_unit: get("business_unit"),
        criticality: get("criticality"),
        integration: get("integration"),
        lifecycle: get("lifecycle"),
        population: get("population"),
        tag: get("tag"),
        owner: get("owner"),
        status: get("status"),
        page: get("page").parse().unwrap_or(1),
    }
}

/// The list's query string for `filter` on `page`.
fn list_href(filter: &ApplicationFilter, page: u64) -> String {
    let pairs = [
        ("q", filter.q.as_str()),
        ("business_unit", &filter.business_unit),
        ("criticality", &filter.criticality),
        ("integration", &filter.integration),
        ("lifecycle", &filter.lifecycle),
        ("population", &filter.population),
        ("tag", &filter.tag),
        ("owner", &filter.owner),
        ("status", &filter.status),
    ];
    let mut query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    query.push(format!("page={page}"));
    format!("/applications?{}", query.join("&"))
}

#[component]
fn ApplicationsContent() -> impl IntoView {
    let filter = filter_from_query();
    let f = filter.clone();
    let list = Resource::new(move || f.clone(), list_applications);
    view! {
        <PageHeader
            title="Applications"
            subtitle="Every application, its owners and the journeys it declares for the people it serves."
        />
        <Feedback />
        <Loaded
            resource=list
            render=move |l| view! { <ApplicationsList list=l filter=filter.clone() /> }
        />
    }
}

fn select_options(
    all: Vec<(String, String)>,
    selected: &str,
    any_label: Option<&'static str>,
) -> impl IntoView + use<> {
    let selected = selected.to_string();
    view! {
        {any_label.map(|l| view! { <option value="">{l}</option> })}
        {all
            .into_iter()
            .map(|(value, label)| {
                let is = value == selected;
                view! {
                    <option value=value selected=is>
                        {label}
                    </option>
                }
            })
            .collect_view()}
    }
}

fn vocab_options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (key(*v).to_string(), label(*v).to_string()))
        .collect()
}

#[component]
fn ApplicationsList(list: ApplicationList, filter: ApplicationFilter) -> impl IntoView {
    let o = list.options.clone();
    let is_editor = viewer().is_some_and(|v| v.has_any(EDITORS));
    let can_import = viewer().is_some_and(|v| super::rules::can_import(&v));
    let prev = (list.page > 1).then(|| list_href(&filter, list.page - 1));
    let next = (list.page < list.pages).then(|| list_href(&filter, list.page + 1));
    let first = (list.page - 1) * super::model::PAGE_SIZE + 1;
    let last = first + list.rows.len() as u64 - 1;
    view! {
        <div class="toolbar">
            {list
                .can_create
                .then(|| {
                    view! {
                        <a class="button" href="/applications/new">
                            "Register an application"
                        </a>
                    }
                })}
            {list
                .can_transfer
                .then(|| {
                    view! {
                        <a class="button secondary" href="/api/applications/export?format=csv">
                            "Export CSV"
                        </a>
                        <a class="button secondary" href="/api/applications/export?format=json">
                            "Export JSON"
                        </a>
                    }
                })}
            {can_import
                .then(|| {
                    view! {
                        <a class="button secondary" href="/applications/import">
                            "Import"
                        </a>
                    }
                })}
        </div>
        <form method="get" action="/applications" class="card filters" role="search">
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
                            &filter.business_unit,
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
                            &filter.criticality,
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
                            &filter.integration,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-life">"Lifecycle"</label>
                    <select id="f-life" name="lifecycle">
                        {select_options(
                            vocab_options(Lifecycle::ALL, Lifecycle::as_str, Lifecycle::label),
                            &filter.lifecycle,
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
                            vec![
                                ("archived".to_string(), "Archived".to_string()),
                                ("all".to_string(), "All".to_string()),
                            ],
                            &filter.status,
                            Some("Active"),
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
                                    value="mine"
                                    checked=filter.owner == "mine"
                                />
                                "Only applications I own"
                            </label>
                        }
                    })} <button type="submit">"Apply filters"</button>
                <a href="/applications">"Clear"</a>
            </div>
        </form>
        <div class="card">
            <p class="muted small">
                {if list.total == 0 {
                    "No application matches.".to_string()
                } else {
                    format!("Showing {first}–{last} of {} applications", list.total)
                }}
            </p>
            {(list.total > 0)
                .then(|| {
                    view! {
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">"Application"</th>
                                    <th scope="col">"Business unit"</th>
                                    <th scope="col">"Criticality"</th>
                                    <th scope="col">"Integration"</th>
                                    <th scope="col">"Owners"</th>
                                    <th scope="col">"Populations"</th>
                                    <th scope="col">"Declaration"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .rows
                                    .into_iter()
                                    .map(|a| {
                                        view! {
                                            <tr>
                                                <td>
                                                    <a href=format!("/applications/{}", a.id)>{a.name}</a>
                                                    {a
                                                        .is_identity_provider
                                                        .then(|| {
                                                            view! { <span class="badge">"identity provider"</span> }
                                                        })}
                                                    {a
                                                        .archived
                                                        .then(|| {
                                                            view! { <span class="badge bad">"archived"</span> }
                                                        })}
                                                </td>
                                                <td>{a.business_unit.unwrap_or_else(|| "—".into())}</td>
                                                <td>
                                                    <span class=criticality_class(
                                                        a.criticality,
                                                    )>{a.criticality.label()}</span>
                                                </td>
                                                <td>{integration_short(a.integration)}</td>
                                                <td>{a.owners.join(", ")}</td>
                                                <td>{a.populations}</td>
                                                <td>
                                                    {match a.version {
                                                        Some(v) => {
                                                            view! { <span class="badge ok">{format!("v{v}")}</span> }
                                                                .into_any()
                                                        }
                                                        None => {
                                                            view! { <span class="badge warn">"none"</span> }.into_any()
                                                        }
                                                    }}
                                                    {a
                                                        .has_draft
                                                        .then(|| view! { <span class="badge">"draft"</span> })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            <nav class="pager" aria-label="Pages">
                {prev
                    .map(|href| {
                        view! {
                            <a href=href rel="prev">
                                "← Previous"
                            </a>
                        }
                    })}
                <span>{format!("Page {} of {}", list.page, list.pages)}</span>
                {next
                    .map(|href| {
                        view! {
                            <a href=href rel="next">
                                "Next →"
                            </a>
                        }
                    })}
            </nav>
        </div>
    }
}

pub fn integration_short(i: Integration) -> &'static str {
    match i {
        Integration::Federated => "Federated",
        Integration::Local => "Local",
        Integration::Legacy => "Legacy",
    }
}

// ---------------------------------------------------------------------------------------------
// Registering and editing.

#[component]
pub fn NewApplicationPage() -> impl IntoView {
    view! {
        <Title text="Register an application · Passwordless Governance Portal" />
        <Guarded roles=EDITORS>
            <NewApplicationContent />
        </Guarded>
    }
}

#[component]
fn NewApplicationContent() -> impl IntoView {
    let options = Resource::new(|| (), |_| application_form_options());
    let me = viewer().map(|v| owner_key(v.id)).unwrap_or_default();
    view! {
        <PageHeader
            title="Register an application"
            subtitle="Its facts first; then you declare, per population, how people enrol, sign in, fall back and recover."
        />
        <Feedback />
        <Loaded
            resource=options
            render=move |o| {
                let mut form = ApplicationForm {
                    criticality: "medium".into(),
                    integration: "federated".into(),
                    lifecycle: "production".into(),
                    ..Default::default()
                };
                form.owners.insert(me.clone(), "on".into());
                form.populations.insert("office_employees".into(), "on".into());
                view! { <ApplicationFormView options=o form=form id=None /> }
            }
        />
    }
}

#[component]
pub fn EditApplicationPage() -> impl IntoView {
    view! {
        <Title text="Edit application · Passwordless Governance Portal" />
        <Guarded roles=EDITORS>
            <EditApplicationContent />
        </Guarded>
    }
}

pub fn id_param() -> Option<ApplicationId> {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|s| ApplicationId::from_str(&s).ok())
}

#[component]
fn EditApplicationContent() -> impl IntoView {
    let Some(id) = id_param() else {
        return view! { <crate::components::NotFound /> }.into_any();
    };
    let data = Resource::new(
        move || id,
        |id| async move {
            let form = get_application_form(id).await?;
            let options = application_form_options().await?;
            Ok::<_, AppError>((form, options))
        },
    );
    view! {
        <PageHeader title="Edit application" />
        <p>
            <a href=format!("/applications/{id}")>"← Back to the application"</a>
        </p>
        <Feedback />
        <Loaded
            resource=data
            render=move |(form, options)| {
                view! { <ApplicationFormView options=options form=form id=Some(id) /> }
            }
        />
    }
    .into_any()
}

/// The application form: a plain form that works without JavaScript.
#[component]
fn ApplicationFormView(
    options: FormOptions,
    form: ApplicationForm,
    id: Option<ApplicationId>,
) -> impl IntoView {
    let action = if id.is_some() {
        UpdateApplication::PATH
    } else {
        CreateApplication::PATH
    };
    let field = |name: &str| format!("form[{name}]");
    let may_choose_owners = viewer().is_some_and(|v| v.has_any(&[Role::Security, Role::Admin]));
    view! {
        <form method="post" action=action class="card stack app-form">
            {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <div class="field">
                <label for="app-name">"Name"</label>
                <input
                    id="app-name"
                    type="text"
                    name=field("name")
                    value=form.name.clone()
                    required
                    maxlength=NAME_MAX
                    autocomplete="off"
                />
                <FieldError name="name" />
            </div>
            <div class="field">
                <label for="app-description">"Description"</label>
                <textarea
                    id="app-description"
                    name=field("description")
                    rows="3"
                    maxlength=DESCRIPTION_MAX
                >
                    {form.description.clone()}
                </textarea>
                <FieldError name="description" />
            </div>
            <div class="grid two">
                <div class="field">
                    <label for="app-bu">"Business unit"</label>
                    <select id="app-bu" name=field("business_unit")>
                        {select_options(
                            options
                                .business_units
                                .iter()
                                .map(|b| (b.id.to_string(), b.name.clone()))
                                .collect(),
                            &form.business_unit,
                            Some("None"),
                        )}
                    </select>
                    <FieldError name="business_unit" />
                </div>
                <div class="field">
                    <label for="app-crit">"Criticality"</label>
                    <select id="app-crit" name=field("criticality")>
                        {select_options(
                            vocab_options(
                                Criticality::ALL,
                                Criticality::as_str,
                                Criticality::label,
                            ),
                            &form.criticality,
                            None,
                        )}
                    </select>
                    <FieldError name="criticality" />
                </div>
                <div class="field">
                    <label for="app-life">"Lifecycle"</label>
                    <select id="app-life" name=field("lifecycle")>
                        {select_options(
                            vocab_options(Lifecycle::ALL, Lifecycle::as_str, Lifecycle::label),
                            &form.lifecycle,
                            None,
                        )}
                    </select>
                    <FieldError name="lifecycle" />
                </div>
            </div>
            <fieldset class="roles">
                <legend>"Sign-in integration"</legend>
                {Integration::ALL
                    .iter()
                    .map(|i| {
                        let input_id = format!("app-int-{}", i.as_str());
                        let for_id = input_id.clone();
                        view! {
                            <label class="check" for=for_id>
                                <input
                                    id=input_id
                                    type="radio"
                                    name=field("integration")
                                    value=i.as_str()
                                    checked=form.integration == i.as_str()
                                />
                                {i.label()}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldError name="integration" />
                <div class="field">
                    <label for="app-provider">"Identity provider (federated applications)"</label>
                    <select id="app-provider" name=field("provider")>
                        {select_options(
                            options
                                .providers
                                .iter()
                                .filter(|p| Some(p.id) != id.map(|i| i.0))
                                .map(|p| (p.id.to_string(), p.name.clone()))
                                .collect(),
                            &form.provider,
                            Some("None"),
                        )}
                    </select>
                    <p class="hint">
                        "A federated application inherits its provider's journey and declares only what it adds or overrides."
                    </p>
                    <FieldError name="provider" />
                </div>
                <label class="check" for="app-idp">
                    <input
                        id="app-idp"
                        type="checkbox"
                        name=field("identity_provider")
                        value="on"
                        checked=form.identity_provider.is_some()
                    />
                    "This application is an identity provider (others federate through it)"
                </label>
                <FieldError name="identity_provider" />
            </fieldset>
            <fieldset class="roles">
                <legend>"Populations served"</legend>
                {options
                    .populations
                    .iter()
                    .map(|(key, name)| {
                        let input_id = format!("app-pop-{key}");
                        let for_id = input_id.clone();
                        view! {
                            <label class="check" for=for_id>
                                <input
                                    id=input_id
                                    type="checkbox"
                                    name=format!("form[populations][{key}]")
                                    value="on"
                                    checked=form.populations.contains_key(key)
                                />
                                {name.clone()}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldError name="populations" />
            </fieldset>
            <fieldset class="roles">
                <legend>"Owners"</legend>
                {if options.owners.is_empty() {
                    view! {
                        <p class="hint">
                            "No user holds the owner role yet: an administrator grants it."
                        </p>
                    }
                        .into_any()
                } else {
                    options
                        .owners
                        .iter()
                        .map(|o| {
                            let input_id = format!("app-owner-{}", o.id);
                            let for_id = input_id.clone();
                            let checked = form.owners.contains_key(&owner_key(o.id));
                            view! {
                                <label class="check" for=for_id>
                                    <input
                                        id=input_id
                                        type="checkbox"
                                        name=format!("form[owners][{}]", owner_key(o.id))
                                        value="on"
                                        checked=checked
                                    />
                                    {format!("{} ({})", o.name, o.username)}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
                {(!may_choose_owners && id.is_none())
                    .then(|| {
                        view! {
                            <p class="hint">"You are always an owner of what you register."</p>
                        }
                    })}
                <FieldError name="owners" />
            </fieldset>
            <div class="field">
                <label for="app-tags">"Tags"</label>
                <input
                    id="app-tags"
                    type="text"
                    name=field("tags")
                    value=form.tags.clone()
                    placeholder="e.g. sox, customer-facing"
                />
                <p class="hint">"Separate tags with commas."</p>
                <FieldError name="tags" />
            </div>
            <button type="submit">
                {if id.is_some() { "Save application" } else { "Register application" }}
            </button>
        </form>
    }
}

// ---------------------------------------------------------------------------------------------
// The application page.

#[component]
pub fn ApplicationPage() -> impl IntoView {
    view! {
        <Title text="Application · Passwordless Governance Portal" />
        <Guarded>
            <ApplicationContent />
        </Guarded>
    }
}

#[component]
fn ApplicationContent() -> impl IntoView {
    let Some(id) = id_param() else {
        return view! { <crate::components::NotFound /> }.into_any();
    };
    let q = use_query_map().get_untracked();
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i32>().ok());
    let (version, from, to) = (num("version"), num("from"), num("to"));
    let as_of = q.get("as_of").filter(|d| !d.is_empty());
    let data = Resource::new(
        move || (id, version, as_of.clone(), from, to),
        |(id, version, as_of, from, to)| async move {
            let detail = get_application(id).await?;
            let shown = show_declaration(id, version, as_of, from, to).await?;
            Ok::<_, AppError>((detail, shown))
        },
    );
    view! {
        <Loaded resource=data render=|(detail, shown)| view! { <ApplicationView detail shown /> } />
    }
    .into_any()
}

#[component]
fn ApplicationView(detail: ApplicationDetail, shown: DeclarationShown) -> impl IntoView {
    let id = detail.id;
    let title = detail.name.clone();
    let history = detail.versions.clone();
    let names = shown.names.clone();
    view! {
        <Title text=format!("{title} · Applications · Passwordless Governance Portal") />
        <p class="crumbs">
            <a href="/applications">"Applications"</a>
            " / "
        </p>
        <div class="page-header with-actions">
            <div>
                <h1>
                    {detail.name.clone()}
                    {detail
                        .is_identity_provider
                        .then(|| view! { <span class="badge">"identity provider"</span> })}
                    {detail.archived.then(|| view! { <span class="badge bad">"archived"</span> })}
                </h1>
                {(!detail.description.is_empty())
                    .then(|| view! { <p class="lead pre">{detail.description.clone()}</p> })}
            </div>
            {detail
                .can_edit
                .then(|| {
                    view! {
                        <div class="actions">
                            <a class="button" href=format!("/applications/{id}/declaration")>
                                "Edit declaration"
                            </a>
                            <a class="button secondary" href=format!("/applications/{id}/edit")>
                                "Edit application"
                            </a>
                        </div>
                    }
                })}
        </div>
        <Feedback />
        {detail
            .draft_saved_at
            .clone()
            .map(|at| {
                view! {
                    <div class="alert info" role="status">
                        {format!("A draft saved {at} is not submitted yet. ")}
                        {detail
                            .can_edit
                            .then(|| {
                                view! {
                                    <a href=format!(
                                        "/applications/{id}/declaration",
                                    )>"Continue the draft"</a>
                                }
                            })}
                    </div>
                }
            })}
        <FactsCard detail=detail.clone() />
        {shown.diff.clone().map(|(a, b, changes)| view! { <DiffView from=a to=b changes /> })}
        <DeclarationView
            shown=shown.clone()
            federated=detail.integration == Integration::Federated
            provider=detail.provider.clone()
            names=names
        />
        <HistoryCard id versions=history as_of=shown.as_of.clone() />
        <ArchiveCard detail />
    }
}

#[component]
fn FactsCard(detail: ApplicationDetail) -> impl IntoView {
    view! {
        <div class="card">
            <h2>"Facts"</h2>
            <dl class="facts">
                <dt>"Business unit"</dt>
                <dd>{detail.business_unit.map(|b| b.name).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Criticality"</dt>
                <dd>
                    <span class=criticality_class(
                        detail.criticality,
                    )>{detail.criticality.label()}</span>
                </dd>
                <dt>"Integration"</dt>
                <dd>
                    {detail.integration.label()}
                    {detail
                        .provider
                        .map(|p| {
                            view! {
                                " · "
                                <a href=format!("/applications/{}", p.id)>{p.name}</a>
                            }
                        })}
                </dd>
                <dt>"Lifecycle"</dt>
                <dd>{detail.lifecycle.label()}</dd>
                <dt>"Owners"</dt>
                <dd>
                    {detail
                        .owners
                        .iter()
                        .map(|o| {
                            if o.name == o.username {
                                o.name.clone()
                            } else {
                                format!("{} ({})", o.name, o.username)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")}
                </dd>
                <dt>"Populations"</dt>
                <dd>
                    {detail
                        .populations
                        .iter()
                        .map(|(_, n)| n.clone())
                        .collect::<Vec<_>>()
                        .join(", ")}
                </dd>
                <dt>"Tags"</dt>
                <dd>
                    {if detail.tags.is_empty() {
                        view! { "—" }.into_any()
                    } else {
                        detail
                            .tags
                            .iter()
                            .map(|t| {
                                view! {
                                    <a
                                        class="badge"
                                        href=format!("/applications?tag={}", encode_component(t))
                                    >
                                        {t.clone()}
                                    </a>
                                    " "
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </dd>
                <dt>"Registered"</dt>
                <dd>{detail.created_at.clone()}</dd>
                <dt>"Last changed"</dt>
                <dd>{detail.updated_at.clone()}</dd>
            </dl>
            {(!detail.dependants.is_empty())
                .then(|| {
                    view! {
                        <h3>
                            {format!(
                                "Federated through this provider ({})",
                                detail.dependants.len(),
                            )}
                        </h3>
                        <p>
                            {detail
                                .dependants
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <a href=format!("/applications/{}", d.id)>{d.name}</a>
                                        " "
                                    }
                                })
                                .collect_view()}
                        </p>
                    }
                })}
        </div>
    }
}

#[component]
fn ArchiveCard(detail: ApplicationDetail) -> impl IntoView {
    detail.can_archive.then(|| {
        let (label, archived, class) = if detail.archived {
            ("Restore application", "false", "secondary")
        } else {
            ("Archive application", "true", "danger")
        };
        view! {
            <div class="card">
                <h2>{if detail.archived { "Archived" } else { "Archive" }}</h2>
                <p class="muted">
                    {if detail.archived {
                        "Archived applications are read-only and hidden from the list by default. Restore it to change it again."
                    } else {
                        "Archiving keeps the application and its history as evidence, read-only."
                    }}
                </p>
                <form method="post" action=SetApplicationArchived::PATH class="inline">
                    <input type="hidden" name="id" value=detail.id.to_string() />
                    <input type="hidden" name="archived" value=archived />
                    <button type="submit" class=class>
                        {label}
                    </button>
                </form>
            </div>
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Import (security and administrators).

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import applications · Passwordless Governance Portal" />
        <Guarded roles=super::rules::IMPORTERS>
            <ImportContent />
        </Guarded>
    }
}

#[component]
fn ImportContent() -> impl IntoView {
    let report = Resource::new(|| (), |_| take_import_report());
    view! {
        <p class="crumbs">
            <a href="/applications">"Applications"</a>
            " / "
        </p>
        <PageHeader
            title="Import applications"
            subtitle="Applications with their declarations, from the portal's CSV or JSON format (see the README). All or nothing: a file with any problem changes nothing."
        />
        <Feedback />
        <Loaded resource=report render=|r| r.map(|r| view! { <ImportReportView report=r /> }) />
        <form
            method="post"
            action="/api/applications/import"
            enctype="multipart/form-data"
            class="card stack"
        >
            <div class="field">
                <label for="import-file">"File (.csv or .json)"</label>
                <input
                    id="import-file"
                    type="file"
                    name="file"
                    accept=".csv,.json,text/csv,application/json"
                    required
                />
            </div>
            <label class="check" for="import-dry-run">
                <input id="import-dry-run" type="checkbox" name="dry_run" value="on" checked=true />
                "Dry run: check the file and report, write nothing"
            </label>
            <button type="submit">"Import"</button>
        </form>
    }
}

#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let head = format!(
        "{} · SHA-256 {}…{}",
        report.file_name,
        &report.sha256[..12.min(report.sha256.len())],
        if report.dry_run { " · dry run" } else { "" }
    );
    match report.outcome {
        ImportOutcome::Done(s) => {
            let verb = if report.dry_run { "Would import" } else { "Imported" };
            view! {
                <div class="alert ok" role="status">
                    <strong>
                        {format!(
                            "{verb} {} application(s), {} with a declaration.",
                            s.applications,
                            s.declarations,
                        )}
                    </strong>
                    <p class="small">{head}</p>
                    {(!s.business_units.is_empty())
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "New business units ({}): {}",
                                        s.business_units.len(),
                                        listing(&s.business_units, 20),
                                    )}
                                </p>
                            }
                        })}
                    {(!s.owners.is_empty())
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "New owner accounts ({}; invite them to enrol a passkey): {}",
                                        s.owners.len(),
                                        listing(&s.owners, 20),
                                    )}
                                </p>
                            }
                        })}
                </div>
            }
                .into_any()
        }
        ImportOutcome::Refused { problems, total } => {
            view! {
                <div class="alert error" role="alert">
                    <strong>
                        {format!("Nothing was imported: {total} problem(s) in the file.")}
                    </strong>
                    <p class="small">{head}</p>
                    <ul class="problems">
                        {problems
                            .into_iter()
                            .map(|p| view! { <li>{p.to_string()}</li> })
                            .collect_view()}
                    </ul>
                    {(total > REPORTED_PROBLEMS_MAX)
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "Only the first {REPORTED_PROBLEMS_MAX} are listed; `server import --dry-run FILE` lists them all.",
                                    )}
                                </p>
                            }
                        })}
                </div>
            }
                .into_any()
        }
    }
}
