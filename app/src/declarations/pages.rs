//! The declaration sections of the application page (the journey shown, history,
//! differences) and the declaration editor.

use super::api::{DiscardDraft, SaveDeclaration, get_declaration_editor, show_declaration};
use super::model::{
    Change, DeclarationEditor, DeclarationShown, DraftOrigin, Intent, JourneyRole, MethodOption,
    Names, Offboarding, Path, Platform, PopulationJourney, Source, VersionSummary,
};
use super::rules::{
    self, MAX_BREAK_GLASS_ACCOUNTS, MAX_SESSION_MINUTES, describe_break_glass, describe_devices,
    describe_offboarding, describe_path, describe_session, factor_field, field,
};
use crate::components::{Feedback, FieldError, Loaded, NotFound, PageHeader, id_param};
use crate::ids::ApplicationId;
use crate::registry::model::{Editors, NamedRef};
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
    let Some(v) = shown.version else {
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
    let effective = v.effective.clone();
    let own = v.declaration.clone();
    view! {
        <div class="card">
            <h2>{heading}</h2>
            <p class="muted small">
                {format!(
                    "Submitted {} by {} · SHA-256 {}",
                    v.summary.submitted_at,
                    v.summary.author,
                    &v.summary.sha256[..12.min(v.summary.sha256.len())],
                )}
            </p>
            {(federated)
                .then(|| {
                    view! {
                        <p class="alert info">
                            "Federated: the journey in effect is "
                            {provider
                                .clone()
                                .map(|p| {
                                    view! {
                                        <a href=format!("/applications/{}", p.id)>{p.name}</a>
                                        "'s"
                                    }
                                        .into_any()
                                })
                                .unwrap_or_else(|| view! { "the provider's" }.into_any())}
                            " journey plus what this application adds or overrides (marked “own”)."
                        </p>
                    }
                })}
            {effective
                .populations
                .iter()
                .map(|j| {
                    let own_j = own.journey(&j.population).cloned();
                    view! {
                        <JourneyTable journey=j.clone() own=own_j federated names=names.clone() />
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
    federated: bool,
    names: Names,
) -> impl IntoView {
    let is_own = |role: JourneyRole, p: &Path| {
        federated && own.as_ref().is_some_and(|o| o.paths(role).contains(p))
    };
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
                        let own = is_own(role, p);
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
                                {own.then(|| view! { <span class="badge warn">"own"</span> })}
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
                        <td>{describe_offboarding(journey.offboarding)}</td>
                    </tr> <tr>
                        <th scope="row">"Session rules"</th>
                        <td>{describe_session(journey.session.as_ref())}</td>
                    </tr> <tr>
                        <th scope="row">"Devices"</th>
                        <td>{describe_devices(journey.devices.as_ref())}</td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
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
            {if changes.is_empty() {
                view! { <p class="muted">"The two versions declare the same journey."</p> }
                    .into_any()
            } else {
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"What"</th>
                                <th scope="col">{format!("Version {from}")}</th>
                                <th scope="col">{format!("Version {to}")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {changes
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <tr>
                                            <th scope="row">{c.what}</th>
                                            <td class="before">{c.before}</td>
                                            <td class="after">{c.after}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// The editor.

#[component]
pub fn DeclarationEditorPage() -> impl IntoView {
    view! {
        <Title text="Declaration · Passwordless Governance Portal" />
        <Guarded roles=Editors::ROLES>
            <EditorContent />
        </Guarded>
    }
}

#[component]
fn EditorContent() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return view! { <NotFound /> }.into_any();
    };
    let editor = Resource::new(move || id, get_declaration_editor);
    view! { <Loaded resource=editor render=|e| view! { <EditorView editor=e /> } /> }.into_any()
}

#[component]
fn EditorView(editor: DeclarationEditor) -> impl IntoView {
    let id = editor.application_id;
    let origin = match editor.origin {
        DraftOrigin::Draft => {
            let (at, by) = editor.draft_saved.clone().unwrap_or_default();
            format!("Editing the draft saved {at} by {by}.")
        }
        DraftOrigin::LatestVersion(n) => {
            format!("Starting from version {n}, the latest submitted.")
        }
        DraftOrigin::Defaults => {
            if editor.federated {
                "A new declaration: lists start empty because the provider's journey is inherited."
                    .into()
            } else {
                "A new declaration, pre-filled from the standard journey: change what differs."
                    .into()
            }
        }
    };
    let methods = editor.methods.clone();
    let names = Names {
        methods: methods
            .iter()
            .map(|m| (m.key.clone(), m.name.clone()))
            .collect(),
        populations: editor
            .populations
            .iter()
            .map(|p| (p.key.clone(), p.name.clone()))
            .collect(),
    };
    let bg = editor.declaration.break_glass.clone();
    view! {
        <Title text=format!(
            "Declaration of {} · Passwordless Governance Portal",
            editor.application_name,
        ) />
        <p class="crumbs">
            <a href="/applications">"Applications"</a>
            " / "
            <a href=format!("/applications/{id}")>{editor.application_name.clone()}</a>
            " / "
        </p>
        <PageHeader
            title=format!("Declaration of {}", editor.application_name)
            subtitle="For each population: how people enrol, sign in, fall back, recover, step up, replace a device and leave. Save a draft at any time; submitting makes an immutable version."
        />
        <Feedback />
        <p class="muted">{origin}</p>
        {editor
            .federated
            .then(|| {
                view! {
                    <p class="alert info">
                        {format!(
                            "Federated through {}: leave a list empty to inherit it. List only the paths this application keeps beside federation, and settings it overrides.",
                            editor
                                .provider_name
                                .clone()
                                .unwrap_or_else(|| "its identity provider".into()),
                        )}
                    </p>
                }
            })}
        <form method="post" action=SaveDeclaration::PATH class="declaration-form">
            <input type="hidden" name="id" value=id.to_string() />
            {editor
                .declaration
                .populations
                .iter()
                .map(|j| {
                    view! {
                        <PopulationFieldset
                            journey=j.clone()
                            methods=methods.clone()
                            names=names.clone()
                        />
                    }
                })
                .collect_view()}
            <fieldset class="card">
                <legend>"Break-glass arrangement"</legend>
                <p class="hint">
                    "Emergency accounts for when the normal journey fails. Leave empty if there is none."
                </p>
                <div class="grid four">
                    <div class="field">
                        <label for="bg-accounts">"Accounts"</label>
                        <input
                            id="bg-accounts"
                            type="number"
                            name="bg[accounts]"
                            min="1"
                            max=MAX_BREAK_GLASS_ACCOUNTS
                            value=bg.as_ref().map(|b| b.accounts.to_string()).unwrap_or_default()
                        />
                        <FieldError name="bg[accounts]" />
                    </div>
                    <div class="field">
                        <label for="bg-method">"Protected by"</label>
                        <select id="bg-method" name="bg[method]">
                            <option value="">"—"</option>
                            {method_options(
                                &methods,
                                bg.as_ref().map(|b| b.method.as_str()).unwrap_or(""),
                            )}
                        </select>
                        <FieldError name="bg[method]" />
                    </div>
                    <div class="field">
                        <label for="bg-location">"Where the credential is kept"</label>
                        <input
                            id="bg-location"
                            type="text"
                            name="bg[location]"
                            maxlength=rules::LOCATION_MAX
                            value=bg.as_ref().map(|b| b.location.clone()).unwrap_or_default()
                        />
                        <FieldError name="bg[location]" />
                    </div>
                    <div class="field">
                        <label for="bg-drill">"Last drill"</label>
                        <input
                            id="bg-drill"
                            type="date"
                            name="bg[last_drill]"
                            value=bg.as_ref().and_then(|b| b.last_drill.clone()).unwrap_or_default()
                        />
                        <FieldError name="bg[last_drill]" />
                    </div>
                </div>
            </fieldset>
            <div class="form-actions">
                <button type="submit" name="intent" value=Intent::Submit.as_str()>
                    "Submit version"
                </button>
                <button type="submit" name="intent" value=Intent::Save.as_str() class="secondary">
                    "Save draft"
                </button>
                <a href=format!("/applications/{id}")>"Cancel"</a>
            </div>
        </form>
        {(editor.origin == DraftOrigin::Draft)
            .then(|| {
                view! {
                    <form method="post" action=DiscardDraft::PATH class="inline discard">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="danger small">
                            "Discard the draft"
                        </button>
                    </form>
                }
            })}
    }
}

/// Empty paths offered after the declared ones (more appear after saving the draft).
const EMPTY_PATHS: usize = 1;
/// At least this many path rows per role.
const MIN_PATHS: usize = 2;

fn method_options(methods: &[MethodOption], selected: &str) -> impl IntoView + use<> {
    methods
        .iter()
        .map(|m| {
            view! {
                <option value=m.key.clone() selected=m.key == selected>
                    {format!("{} (AAL{})", m.name, m.max_aal)}
                </option>
            }
        })
        .collect_view()
}

#[component]
fn PopulationFieldset(
    journey: PopulationJourney,
    methods: Vec<MethodOption>,
    names: Names,
) -> impl IntoView {
    let pop = journey.population.clone();
    let id = |part: &str| format!("{pop}-{part}");
    let session = journey.session.clone();
    let devices = journey.devices.clone().unwrap_or_default();
    let roles = JourneyRole::ALL
        .iter()
        .copied()
        .map(|role| {
            let current = journey.paths(role).to_vec();
            let shown = (current.len() + EMPTY_PATHS).clamp(MIN_PATHS, role.slots());
            let slots = (0..shown)
                .map(|i| {
                    let factors = current
                        .get(i)
                        .map(|p| p.factors().to_vec())
                        .unwrap_or_default();
                    let boxes = factors.len().max(2);
                    let selects = (0..boxes)
                        .map(|f| {
                            let name = factor_field(&pop, role, i, f);
                            let input_id = format!("{pop}-{}-{i}-{f}", role.as_str());
                            let selected = factors.get(f).cloned().unwrap_or_default();
                            let label = if f == 0 {
                                format!("{} path {}", role.label(), i + 1)
                            } else {
                                format!("{} path {}, together with", role.label(), i + 1)
                            };
                            view! {
                                {(f > 0)
                                    .then(|| {
                                        view! {
                                            <span class="plus" aria-hidden="true">
                                                "+"
                                            </span>
                                        }
                                    })}
                                <label class="sr-only" for=input_id.clone()>
                                    {format!("{} · {label}", names.population(&pop))}
                                </label>
                                <select
                                    id=input_id
                                    name=name.clone()
                                    class=(f > 0).then_some("with")
                                >
                                    <option value="">
                                        {if f == 0 { "—" } else { "(alone)" }}
                                    </option>
                                    {method_options(&methods, &selected)}
                                </select>
                                <FieldError name=name />
                            }
                        })
                        .collect_view();
                    view! { <div class="slot path">{selects}</div> }
                })
                .collect_view();
            view! {
                <div class="role-row">
                    <div class="role-label">
                        <strong>{role.label()}</strong>
                        <p class="hint">{role.help()}</p>
                    </div>
                    <div class="slots">{slots}</div>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="card population">
            <legend>{names.population(&pop)}</legend>
            <FieldError name=field(&pop, "population") />
            {roles}
            <div class="grid four">
                <div class="field">
                    <label for=id("offboarding")>"Offboarding"</label>
                    <select id=id("offboarding") name=field(&pop, "offboarding")>
                        <option value="">"Not declared"</option>
                        {Offboarding::ALL
                            .iter()
                            .map(|o| {
                                view! {
                                    <option
                                        value=o.as_str()
                                        selected=journey.offboarding == Some(*o)
                                    >
                                        {o.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldError name=field(&pop, "offboarding") />
                </div>
                <div class="field">
                    <label for=id("max")>"Maximum session (minutes)"</label>
                    <input
                        id=id("max")
                        type="number"
                        min="1"
                        max=MAX_SESSION_MINUTES
                        name=field(&pop, "max_session_minutes")
                        value=session
                            .as_ref()
                            .map(|s| s.max_session_minutes.to_string())
                            .unwrap_or_default()
                    />
                    <FieldError name=field(&pop, "max_session_minutes") />
                </div>
                <div class="field">
                    <label for=id("idle")>"Idle timeout (minutes)"</label>
                    <input
                        id=id("idle")
                        type="number"
                        min="1"
                        max=MAX_SESSION_MINUTES
                        name=field(&pop, "idle_timeout_minutes")
                        value=session
                            .as_ref()
                            .map(|s| s.idle_timeout_minutes.to_string())
                            .unwrap_or_default()
                    />
                    <FieldError name=field(&pop, "idle_timeout_minutes") />
                </div>
                <div class="field">
                    <span class="label">"Sensitive actions"</span>
                    <label class="check" for=id("reauth")>
                        <input
                            id=id("reauth")
                            type="checkbox"
                            name=field(&pop, "reauth_sensitive")
                            value="on"
                            checked=session.as_ref().is_some_and(|s| s.reauth_sensitive)
                        />
                        "Ask to authenticate again"
                    </label>
                </div>
            </div>
            <div class="devices">
                <strong>"Devices"</strong>
                <p class="hint">
                    "Minimum OS version per supported platform; leave empty if not supported."
                </p>
                <div class="grid six">
                    {Platform::ALL
                        .iter()
                        .map(|p| {
                            let name = field(&pop, &format!("platforms][{}", p.as_str()));
                            let input_id = id(&format!("platform-{}", p.as_str()));
                            let value = devices
                                .platforms
                                .iter()
                                .find(|s| s.platform == *p)
                                .map(|s| s.min_version.clone())
                                .unwrap_or_default();
                            view! {
                                <div class="field">
                                    <label for=input_id.clone()>{p.label()}</label>
                                    <input
                                        id=input_id
                                        type="text"
                                        inputmode="decimal"
                                        name=name.clone()
                                        value=value
                                        maxlength=rules::VERSION_MAX
                                        placeholder="e.g. 14"
                                    />
                                    <FieldError name=name />
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
                {[
                    ("managed_required", "Managed device required", devices.managed_required),
                    ("byod_allowed", "Personal devices (BYOD) allowed", devices.byod_allowed),
                    ("shared_workstation", "Shared-workstation mode", devices.shared_workstation),
                ]
                    .into_iter()
                    .map(|(part, label, on)| {
                        let input_id = id(part);
                        let for_id = input_id.clone();
                        view! {
                            <label class="check" for=for_id>
                                <input
                                    id=input_id
                                    type="checkbox"
                                    name=field(&pop, part)
                                    value="on"
                                    checked=on
                                />
                                {label}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldError name=field(&pop, "byod_allowed") />
            </div>
        </fieldset>
    }
}
