//! The declaration sections of the application page (the journey shown, history,
//! differences) and the declaration editor.

use super::api::{SubmitDeclaration, get_declaration_review, show_declaration};
use super::model::{
    Change, DeclarationReview, DeclarationShown, Effect, JourneyRole, Names, Path,
    PopulationJourney, REASON_MAX, Source, VERSION_DOWNLOAD_PATH, VersionSummary,
};
use super::rules::{
    describe_break_glass, describe_devices, describe_offboarding, describe_path, describe_session,
};
use crate::components::{
    Feedback, Loaded, NotFound, PageHeader, Typed, id_param, list_as_left, textarea_text,
};
use crate::ids::ApplicationId;
use crate::registry::model::{Editors, NamedRef};
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

mod editor;
pub use editor::DeclarationEditorPage;

/// The declaration's sections on the application page: a draft waiting, the differences asked
/// for, the version shown and the history. Reads the application id and the version, as-of date
/// and comparison from the address.
#[component]
pub fn DeclarationSections() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let q = use_query_map().get_untracked();
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i32>().ok());
    let (version, from, to) = (num("version"), num("from"), num("to"));
    let as_of = q.get("as_of").filter(|d| !d.is_empty());
    let shown = Resource::new(
        move || (id, version, as_of.clone(), from, to),
        |(id, version, as_of, from, to)| show_declaration(id, version, as_of, from, to),
    );
    view! { <Loaded resource=shown render=|shown| view! { <DeclarationShownView shown /> } /> }
        .into_any()
}

#[component]
fn DeclarationShownView(shown: DeclarationShown) -> impl IntoView {
    let id = shown.application_id;
    view! {
        {shown
            .draft_saved_at
            .clone()
            .map(|at| {
                view! {
                    <div class="alert info" role="status">
                        {format!("A draft saved {at} is not submitted yet. ")}
                        {shown
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
        {shown
            .can_edit
            .then(|| {
                view! {
                    <p class="actions">
                        <a class="button" href=format!("/applications/{id}/declaration")>
                            "Edit declaration"
                        </a>
                    </p>
                }
            })}
        {shown.diff.clone().map(|(a, b, changes)| view! { <DiffView from=a to=b changes /> })}
        <DeclarationView
            shown=shown.clone()
            federated=shown.federated
            provider=shown.provider.clone()
            names=shown.names.clone()
        />
        <HistoryCard id versions=shown.history.clone() as_of=shown.as_of.clone() />
    }
}

/// The declaration shown on the application page, one card per population.
#[component]
fn DeclarationView(
    shown: DeclarationShown,
    federated: bool,
    provider: Option<NamedRef<ApplicationId>>,
    names: Names,
) -> impl IntoView {
    let heading = match (&shown.version, &shown.as_of) {
        (Some(v), Some(d)) => format!(
            "Declaration as of {d}: version {} (submitted {})",
            v.summary.version, v.summary.submitted_at
        ),
        (None, Some(d)) => format!("Declaration as of {d}"),
        (Some(v), None) => format!("Declaration · version {}", v.summary.version),
        (None, None) => "Declaration".into(),
    };
    // A version shown that is not the latest says which one is in force.
    let superseded = match (&shown.version, shown.history.first()) {
        (Some(v), Some(latest)) if latest.version != v.summary.version => Some(latest.version),
        _ => None,
    };
    let provider_link = move |provider: Option<NamedRef<ApplicationId>>| {
        provider
            .map(|p| {
                view! {
                    <a href=format!("/applications/{}", p.id)>{p.name}</a>
                    "'s"
                }
                .into_any()
            })
            .unwrap_or_else(|| view! { "the provider's" }.into_any())
    };
    let Some(v) = shown.version else {
        // A federated application shows the journey it inherits even before it declares.
        if let Some(inherited) = shown.inherited {
            return view! {
                <div class="card">
                    <h2>"Declaration · inherited"</h2>
                    <p class="alert info">
                        "No declaration of its own has been submitted: the journey in effect is "
                        {provider_link(provider.clone())}
                        ", every entry inherited. Declare what this application adds or overrides."
                    </p>
                    {inherited
                        .populations
                        .iter()
                        .map(|j| {
                            view! {
                                <JourneyTable
                                    journey=j.clone()
                                    own=None
                                    provider=Some(j.clone())
                                    federated=true
                                    names=names.clone()
                                />
                            }
                        })
                        .collect_view()}
                    <h3>"Break-glass"</h3>
                    <p>{describe_break_glass(inherited.break_glass.as_ref(), &names)}</p>
                </div>
            }
            .into_any();
        }
        return view! {
            <div class="card">
                <h2>{heading}</h2>
                <p class="muted">
                    {if shown.as_of.is_some() {
                        "No version had been submitted by that date."
                    } else {
                        "No declaration has been submitted yet."
                    }}
                </p>
            </div>
        }
        .into_any();
    };
    let from_provider = v.provider.clone().unwrap_or_default();
    let effective = v.effective.clone();
    let own = v.declaration.clone();
    view! {
        <div class="card">
            <h2>{heading}</h2>
            <p class="muted small">
                {format!("Submitted {} by {}. ", v.summary.submitted_at, v.summary.author)}
                <a
                    href=format!(
                        "{VERSION_DOWNLOAD_PATH}?id={}&version={}",
                        shown.application_id,
                        v.summary.version,
                    )
                    download
                >
                    {format!("Download version {} as JSON", v.summary.version)}
                </a>
            </p>
            <p class="small">
                <span id="version-sha">"SHA-256 of this version: "</span>
                <code class="hash" aria-describedby="version-sha">
                    {v.summary.sha256.clone()}
                </code>
            </p>
            {superseded
                .map(|latest| {
                    view! {
                        <p class="alert info" role="note">
                            {format!("Superseded: version {latest} is the one in force. ")}
                            <a href=format!(
                                "/applications/{}",
                                shown.application_id,
                            )>{format!("Show version {latest}")}</a>
                        </p>
                    }
                })}
            {v
                .summary
                .reason
                .clone()
                .map(|r| {
                    view! {
                        <p class="reason">
                            <strong>"Why: "</strong>
                            {r}
                        </p>
                    }
                })}
            {(federated)
                .then(|| {
                    view! {
                        <p class="alert info">
                            "Federated: the journey in effect is " {provider_link(provider.clone())}
                            " journey plus what this application adds or overrides; each entry says which: inherited, added or overrides."
                        </p>
                    }
                })}
            {effective
                .populations
                .iter()
                .map(|j| {
                    let own_j = own.journey(&j.population).cloned();
                    let provider_j = from_provider.journey(&j.population).cloned();
                    view! {
                        <JourneyTable
                            journey=j.clone()
                            own=own_j
                            provider=provider_j
                            federated
                            names=names.clone()
                        />
                    }
                })
                .collect_view()}
            <h3>"Break-glass"</h3>
            <p>{describe_break_glass(effective.break_glass.as_ref(), &names)}</p>
        </div>
    }
    .into_any()
}

#[component]
fn JourneyTable(
    journey: PopulationJourney,
    own: Option<PopulationJourney>,
    /// The provider's journey for this population (federated applications).
    provider: Option<PopulationJourney>,
    federated: bool,
    names: Names,
) -> impl IntoView {
    // Where each entry in effect comes from, in words (never colour alone).
    let path_origin = |role: JourneyRole, p: &Path| -> Option<Origin> {
        federated.then(|| {
            if provider.as_ref().is_some_and(|o| o.paths(role).contains(p)) {
                Origin::Inherited
            } else {
                Origin::Added
            }
        })
    };
    let setting_origin = |declared_here: bool, by_provider: bool| -> Option<Origin> {
        match (federated, declared_here, by_provider) {
            (false, _, _) => None,
            (true, true, true) => Some(Origin::Overrides),
            (true, true, false) => Some(Origin::Added),
            (true, false, true) => Some(Origin::Inherited),
            (true, false, false) => None,
        }
    };
    let own_j = own.clone().unwrap_or_default();
    let prov_j = provider.clone().unwrap_or_default();
    let offboarding_origin =
        setting_origin(own_j.offboarding.is_some(), prov_j.offboarding.is_some());
    let session_origin = setting_origin(own_j.session.is_some(), prov_j.session.is_some());
    let devices_origin = setting_origin(own_j.devices.is_some(), prov_j.devices.is_some());
    let rows = JourneyRole::ALL
        .iter()
        .copied()
        .map(|role| {
            let paths = journey.paths(role).to_vec();
            let cells = if paths.is_empty() {
                view! { <span class="muted">"none"</span> }.into_any()
            } else {
                paths
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let origin = path_origin(role, p);
                        view! {
                            {(i > 0)
                                .then(|| {
                                    view! {
                                        <span class="arrow" aria-hidden="true">
                                            " → "
                                        </span>
                                    }
                                })}
                            <span class="method" class:combined=p.is_combined()>
                                {describe_path(p, &names)}
                                {origin.map(origin_badge)}
                            </span>
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            view! {
                <tr>
                    <th scope="row">
                        <span class="role-letter" aria-hidden="true">
                            {role.letter().to_string()}
                        </span>
                        {role.label()}
                    </th>
                    <td>{cells}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="journey">
            <h3>{names.population(&journey.population)}</h3>
            <table class="journey-table">
                <tbody>
                    {rows} <tr>
                        <th scope="row">"Offboarding"</th>
                        <td>
                            {describe_offboarding(journey.offboarding)}
                            {offboarding_origin.map(origin_badge)}
                        </td>
                    </tr> <tr>
                        <th scope="row">"Session rules"</th>
                        <td>
                            {describe_session(journey.session.as_ref())}
                            {session_origin.map(origin_badge)}
                        </td>
                    </tr> <tr>
                        <th scope="row">"Devices"</th>
                        <td>
                            {describe_devices(journey.devices.as_ref())}
                            {devices_origin.map(origin_badge)}
                        </td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
}

/// Where an entry of a federated application's journey in effect comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The provider's.
    Inherited,
    /// The application's own, beside the provider's.
    Added,
    /// The application's own, in place of the provider's.
    Overrides,
}

fn origin_badge(origin: Origin) -> impl IntoView {
    let (class, word) = match origin {
        Origin::Inherited => ("badge", "inherited"),
        Origin::Added => ("badge warn", "added"),
        Origin::Overrides => ("badge warn", "overrides"),
    };
    view! { <span class=format!("{class} origin")>{word}</span> }
}

/// Version history with links to each version, a comparison form and an as-of form.
#[component]
fn HistoryCard(
    id: ApplicationId,
    versions: Vec<VersionSummary>,
    as_of: Option<String>,
) -> impl IntoView {
    let href = format!("/applications/{id}");
    let newest = versions.first().map(|v| v.version).unwrap_or(0);
    let choices = |selected: i32| {
        versions
            .iter()
            .map(|v| {
                view! {
                    <option value=v.version.to_string() selected=v.version == selected>
                        {format!("Version {}", v.version)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card" id="history" aria-labelledby="history-heading">
            <h2 id="history-heading">
                {format!(
                    "History ({} version{})",
                    versions.len(),
                    if versions.len() == 1 { "" } else { "s" },
                )}
            </h2>
            {if versions.is_empty() {
                view! { <p class="muted">"Nothing submitted yet."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Version"</th>
                                <th scope="col">"Submitted"</th>
                                <th scope="col">"By"</th>
                                <th scope="col">"SHA-256"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {versions
                                .iter()
                                .map(|v| {
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!(
                                                    "{href}?version={}",
                                                    v.version,
                                                )>{format!("Version {}", v.version)}</a>
                                            </td>
                                            <td>{v.submitted_at.clone()}</td>
                                            <td>
                                                {v.author.clone()}
                                                {(v.source != Source::Portal && v.author_id.is_some())
                                                    .then(|| {
                                                        view! { <span class="badge">{v.source.as_str()}</span> }
                                                    })}
                                                {v
                                                    .reason
                                                    .clone()
                                                    .map(|r| view! { <p class="muted small">{r}</p> })}
                                            </td>
                                            <td>
                                                <code class="small">
                                                    {v.sha256[..12.min(v.sha256.len())].to_string()}
                                                </code>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <div class="grid two history-tools">
                        {(versions.len() > 1)
                            .then(|| {
                                view! {
                                    <form method="get" action=href.clone() class="inline">
                                        <label for="diff-from">"Compare"</label>
                                        <select id="diff-from" name="from">
                                            {choices(newest - 1)}
                                        </select>
                                        <label for="diff-to">"with"</label>
                                        <select id="diff-to" name="to">
                                            {choices(newest)}
                                        </select>
                                        <button type="submit" class="secondary small">
                                            "Show differences"
                                        </button>
                                    </form>
                                }
                            })} <form method="get" action=href.clone() class="inline">
                            <label for="as-of">"As of"</label>
                            <input
                                id="as-of"
                                type="date"
                                name="as_of"
                                value=as_of.unwrap_or_default()
                            />
                            <button type="submit" class="secondary small">
                                "Show"
                            </button>
                        </form>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn DiffView(from: i32, to: i32, changes: Vec<Change>) -> impl IntoView {
    view! {
        <div class="card" id="diff">
            <h2>{format!("Differences from version {from} to version {to}")}</h2>
            <ChangesTable
                changes
                before=format!("Version {from}")
                after=format!("Version {to}")
                same="The two versions declare the same journey."
            />
        </div>
    }
}

/// Differences as a table: what, before, after (each change on its row, both sides in words).
/// Whether a change strengthens or weakens the journey, in words and a sign (not colour alone).
fn effect_badge(e: Effect) -> impl IntoView {
    let (class, sign) = match e {
        Effect::Strengthens => ("badge ok", "▲"),
        Effect::Weakens => ("badge bad", "▼"),
        Effect::Mixed => ("badge warn", "▲▼"),
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{sign}" "</span>
            {e.label()}
        </span>
    }
}

#[component]
fn ChangesTable(
    changes: Vec<Change>,
    before: String,
    after: String,
    same: &'static str,
) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p class="muted">{same}</p> }.into_any();
    }
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"What"</th>
                    <th scope="col">{before}</th>
                    <th scope="col">{after}</th>
                    <th scope="col">"Change"</th>
                </tr>
            </thead>
            <tbody>
                {changes
                    .into_iter()
                    .map(|c| {
                        let items = c
                            .added
                            .into_iter()
                            .map(|a| ("+", "added", a))
                            .chain(c.removed.into_iter().map(|r| ("−", "removed", r)))
                            .map(|(mark, class, item)| {
                                view! {
                                    <li class=class>
                                        <span class="mark" aria-hidden="true">
                                            {mark}
                                        </span>
                                        <span class="sr-only">{format!("{class}: ")}</span>
                                        {item}
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <tr>
                                <th scope="row">{c.what}</th>
                                <td class="before">{c.before}</td>
                                <td class="after">{c.after}</td>
                                <td class="change">
                                    {c.effect.map(effect_badge)} <ul class="items">{items}</ul>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// The review before submitting.

/// The last step before a version is submitted: the differences from the version in force,
/// what the change does to the findings (`children`, composed in by the page that knows
/// findings), an optional reason, and the submission itself.
#[component]
pub fn DeclarationReviewPage(children: ChildrenFn) -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return view! { <NotFound /> }.into_any();
    };
    let review = Resource::new(move || id, get_declaration_review);
    let content = move || {
        let impact = children.clone();
        view! {
            <Loaded
                resource=review
                render=move |r| view! { <ReviewView r impact=impact.clone() /> }
            />
        }
    };
    view! {
        <Title text="Review the declaration · Passwordless Governance Portal" />
        <Guarded roles=Editors::ROLES>{content()}</Guarded>
    }
    .into_any()
}

#[component]
fn ReviewView(r: DeclarationReview, impact: ChildrenFn) -> impl IntoView {
    let id = r.application_id;
    let editor = format!("/applications/{id}/declaration");
    let typed = Typed::of_record(SubmitDeclaration::PATH, "id", &id.to_string());
    let before = r.in_force.map_or_else(
        || "Nothing submitted".to_string(),
        |v| format!("Version {v} (in force)"),
    );
    let after = format!("Draft (version {})", r.next_version);
    let can_submit = r.problems.is_empty();
    view! {
        <p class="crumbs">
            <a href=list_as_left("/applications")>"Applications"</a>
            " / "
            <a href=format!("/applications/{id}")>{r.application_name.clone()}</a>
            " / "
            <a href=editor.clone()>"Declaration"</a>
            " / "
        </p>
        <PageHeader
            title=format!("Review version {} of {}", r.next_version, r.application_name)
            subtitle="Check what changes before submitting: a submitted version cannot be changed or deleted."
        />
        <Feedback />
        {r
            .draft_saved
            .clone()
            .map(|(at, by)| {
                view! { <p class="muted">{format!("The draft saved {at} by {by}.")}</p> }
            })}
        {(!can_submit)
            .then(|| {
                view! {
                    <div class="alert error" role="alert">
                        <p>
                            <strong>"The draft cannot be submitted yet:"</strong>
                        </p>
                        <ul>
                            {r
                                .problems
                                .iter()
                                .map(|p| view! { <li>{p.message.clone()}</li> })
                                .collect_view()}
                        </ul>
                        <p>
                            <a href=editor.clone()>"Back to the editor"</a>
                        </p>
                    </div>
                }
            })}
        <section class="card" aria-labelledby="review-changes">
            <h2 id="review-changes">
                {match r.in_force {
                    Some(v) => format!("What changes from version {v}"),
                    None => "The first version: everything it declares".to_string(),
                }}
            </h2>
            <ChangesTable
                changes=r.changes.clone()
                before
                after
                same="The draft declares the same journey as the version in force."
            />
        </section>
        {impact()}
        {can_submit
            .then(|| {
                view! {
                    <form method="post" action=SubmitDeclaration::PATH class="card stack">
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="draft" value=r.draft_stamp.clone() />
                        <label for="reason">
                            "Why this change (optional, kept with the version)"
                        </label>
                        <textarea
                            id="reason"
                            name="reason"
                            rows="3"
                            maxlength=REASON_MAX
                            aria-invalid=typed.invalid("reason")
                            aria-describedby=typed.described("reason", "reason")
                        >
                            {textarea_text(&typed.text("reason", ""))}
                        </textarea>
                        {typed.message("reason", "reason")}
                        <div class="form-actions sticky">
                            <button type="submit">
                                {format!("Submit version {}", r.next_version)}
                            </button>
                            <a class="button secondary" href=editor.clone()>
                                "Back to the editor"
                            </a>
                        </div>
                    </form>
                }
            })}
    }
}
