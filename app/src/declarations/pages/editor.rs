//! The declaration editor: per population an ordered list of paths for each role (add, remove
//! and move buttons that work as plain form posts), session limits in hours and minutes, device
//! requirements with each platform's version hints, and the break-glass arrangement. Methods are
//! offered with their assurance and caveats, those weak for the application's criticality
//! grouped apart and warned about.

use super::super::api::{DiscardDraft, SaveDeclaration, get_declaration_editor};
use super::super::model::{
    DeclarationEditor, DeclarationForm, DraftOrigin, Intent, JourneyRole, ListEdit, ListMove,
    MAX_FACTORS, MethodOption, Names, Offboarding, Platform, PopulationForm, PopulationJourney,
};
use super::super::rules::{
    self, MAX_BREAK_GLASS_ACCOUNTS, MAX_SESSION_MINUTES, describe_paths, factor_field, field,
};
use crate::components::{
    Feedback, FieldError, Loaded, NotFound, PageHeader, aria_describedby, aria_invalid, field_id,
    id_param, list_as_left, typed,
};
use crate::ids::ApplicationId;
use crate::registry::model::Editors;
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use std::collections::BTreeMap;

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
    let weak = editor.weak.clone();
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
    // A refused save shows what was typed; otherwise the draft, the latest version or defaults.
    let form = typed::<SaveDeclaration>()
        .filter(|typed| typed.id == id)
        .map(|typed| DeclarationForm {
            p: typed.p,
            bg: typed.bg,
        })
        .unwrap_or_else(|| rules::to_form(&editor.declaration));
    let bg = form.bg.clone();
    let populations: Vec<(String, PopulationForm)> = editor
        .declaration
        .populations
        .iter()
        .map(|j| {
            let pf = form.p.get(&j.population).cloned().unwrap_or_default();
            (j.population.clone(), pf)
        })
        .collect();
    view! {
        <Title text=format!(
            "Declaration of {} · Passwordless Governance Portal",
            editor.application_name,
        ) />
        <p class="crumbs">
            <a href=list_as_left("/applications")>"Applications"</a>
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
            // Enter in a field saves the draft: the first submit button is what Enter presses,
            // and the list buttons below come before the action bar.
            <button
                type="submit"
                name="intent"
                value=Intent::Save.as_str()
                class="default-submit"
                tabindex="-1"
                aria-hidden="true"
            >
                "Save draft"
            </button>
            <input type="hidden" name="id" value=id.to_string() />
            {populations
                .into_iter()
                .map(|(pop, form)| {
                    let inherited = editor
                        .provider_declaration
                        .as_ref()
                        .map(|d| d.journey(&pop).cloned().unwrap_or_default());
                    view! {
                        <PopulationFieldset
                            pop
                            form
                            inherited
                            methods=methods.clone()
                            names=names.clone()
                            weak=weak.clone()
                            criticality=editor.criticality.clone()
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
                        <label for=field_id("bg[accounts]")>"Accounts"</label>
                        <input
                            id=field_id("bg[accounts]")
                            type="number"
                            name="bg[accounts]"
                            min="1"
                            max=MAX_BREAK_GLASS_ACCOUNTS
                            value=bg.accounts.clone()
                            aria-invalid=aria_invalid("bg[accounts]")
                            aria-describedby=aria_describedby("bg[accounts]")
                        />
                        <FieldError name="bg[accounts]" />
                    </div>
                    <div class="field">
                        <label for=field_id("bg[method]")>"Protected by"</label>
                        <select
                            id=field_id("bg[method]")
                            name="bg[method]"
                            aria-invalid=aria_invalid("bg[method]")
                            aria-describedby=aria_describedby("bg[method]")
                        >
                            <option value="">"—"</option>
                            {method_options(&methods, &bg.method, None)}
                        </select>
                        <FieldError name="bg[method]" />
                    </div>
                    <div class="field">
                        <label for=field_id("bg[location]")>"Where the credential is kept"</label>
                        <input
                            id=field_id("bg[location]")
                            type="text"
                            name="bg[location]"
                            maxlength=rules::LOCATION_MAX
                            value=bg.location.clone()
                            aria-invalid=aria_invalid("bg[location]")
                            aria-describedby=aria_describedby("bg[location]")
                        />
                        <FieldError name="bg[location]" />
                    </div>
                    <div class="field">
                        <label for=field_id("bg[last_drill]")>"Last drill"</label>
                        <input
                            id=field_id("bg[last_drill]")
                            type="date"
                            name="bg[last_drill]"
                            value=bg.last_drill.clone()
                            aria-invalid=aria_invalid("bg[last_drill]")
                            aria-describedby=aria_describedby("bg[last_drill]")
                        />
                        <FieldError name="bg[last_drill]" />
                    </div>
                </div>
            </fieldset>
            <div class="form-actions sticky">
                // Saving the draft comes first: it is what Enter does, and it loses nothing.
                <button type="submit" name="intent" value=Intent::Save.as_str()>
                    "Save draft"
                </button>
                <button type="submit" name="intent" value=Intent::Review.as_str() class="secondary">
                    "Review and submit…"
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

/// Empty paths offered after the declared ones (the role's Add button gives more).
const EMPTY_PATHS: usize = 1;
/// At least this many path rows per role.
const MIN_PATHS: usize = 2;

/// How a weak choice is offered: the methods of a role that meet the standard first, then those
/// weak for the application's criticality, grouped under a heading that says so and each marked.
struct WeakChoices<'a> {
    methods: &'a BTreeMap<String, String>,
    criticality: &'a str,
}

fn method_options(
    methods: &[MethodOption],
    selected: &str,
    weak: Option<&WeakChoices>,
) -> impl IntoView + use<> {
    let option = |m: &MethodOption, marked: bool| {
        let label = if marked {
            format!("⚠ {}", m.label())
        } else {
            m.label()
        };
        view! {
            <option value=m.key.clone() selected=m.key == selected class=marked.then_some("weak")>
                {label}
            </option>
        }
    };
    let Some(weak) = weak.filter(|w| !w.methods.is_empty()) else {
        return methods
            .iter()
            .map(|m| option(m, false))
            .collect_view()
            .into_any();
    };
    let (strong, weaker): (Vec<&MethodOption>, Vec<&MethodOption>) = methods
        .iter()
        .partition(|m| !weak.methods.contains_key(&m.key));
    view! {
        <optgroup label="Meets the standard">
            {strong.into_iter().map(|m| option(m, false)).collect_view()}
        </optgroup>
        <optgroup label=format!(
            "Weak for a {}-criticality application",
            weak.criticality,
        )>{weaker.into_iter().map(|m| option(m, true)).collect_view()}</optgroup>
    }
    .into_any()
}

/// Whether a path as the form sends it names any method.
fn filled(path: &[String]) -> bool {
    path.iter().any(|m| !m.trim().is_empty())
}

/// The path rows shown for a role: every path sent or declared (empty ones the Add button asked
/// for included), and one empty row after the last filled one, within `MIN_PATHS..=max`.
fn rows_shown(paths: &[Vec<String>], max: usize) -> usize {
    let last_filled = paths.iter().rposition(|p| filled(p)).map_or(0, |i| i + 1);
    paths
        .len()
        .max(last_filled + EMPTY_PATHS)
        .clamp(MIN_PATHS, max.max(MIN_PATHS))
}

/// The method selects shown in a path: the filled ones and one more, at least two.
fn factors_shown(factors: &[String]) -> usize {
    let filled = factors
        .iter()
        .rposition(|m| !m.trim().is_empty())
        .map_or(0, |i| i + 1);
    (filled + 1).clamp(2, MAX_FACTORS)
}

/// An input's attributes for field `name`: its id and whether the refused form named it.
fn marks(name: &str) -> (String, Option<&'static str>, Option<String>) {
    (field_id(name), aria_invalid(name), aria_describedby(name))
}

/// The anchor of a population's role in the editor (where a list button brings the page back).
fn role_anchor(pop: &str, role: JourneyRole) -> String {
    format!("{pop}-{}", role.as_str())
}

/// A population's journey in one line, for its collapsed heading.
fn summary_line(form: &PopulationForm, names: &Names) -> String {
    let count = |role: JourneyRole| form.slots(role).iter().filter(|p| filled(p)).count();
    let first = form.primary.iter().find(|p| filled(p)).map(|p| {
        p.iter()
            .filter(|m| !m.trim().is_empty())
            .map(|m| names.method(m.trim()))
            .collect::<Vec<_>>()
            .join(" + ")
    });
    let mut parts = vec![match first {
        Some(primary) => format!("Primary: {primary}"),
        None => "No primary".to_string(),
    }];
    for (role, one, many) in [
        (JourneyRole::Fallback, "fallback", "fallbacks"),
        (JourneyRole::Recovery, "recovery path", "recovery paths"),
        (JourneyRole::StepUp, "step-up", "step-ups"),
    ] {
        match count(role) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    let minutes = |h: &str, m: &str| -> Option<u32> {
        let h: u32 = h.trim().parse().unwrap_or(0);
        let m: u32 = m.trim().parse().unwrap_or(0);
        (h * 60 + m > 0).then_some(h * 60 + m)
    };
    if let Some(max) = minutes(&form.max_session_hours, &form.max_session_minutes) {
        parts.push(format!("session {}", rules::duration(max)));
    }
    let platforms = form
        .platforms
        .values()
        .filter(|v| !v.trim().is_empty())
        .count();
    if platforms > 0 {
        parts.push(format!(
            "{platforms} platform{}",
            if platforms == 1 { "" } else { "s" }
        ));
    }
    parts.join(" · ")
}

#[component]
fn PopulationFieldset(
    pop: String,
    form: PopulationForm,
    /// What a federated application inherits for this population from its provider.
    inherited: Option<PopulationJourney>,
    methods: Vec<MethodOption>,
    names: Names,
    /// Per role, the methods weak for the application's criticality, with why.
    weak: BTreeMap<JourneyRole, BTreeMap<String, String>>,
    criticality: String,
) -> impl IntoView {
    let no_weak = BTreeMap::new();
    let roles = JourneyRole::ALL
        .iter()
        .copied()
        .map(|role| {
            let weak_here = WeakChoices {
                methods: weak.get(&role).unwrap_or(&no_weak),
                criticality: &criticality,
            };
            let current = form.slots(role).clone();
            let shown = rows_shown(&current, role.slots());
            let edit = |position: usize, action: ListMove| {
                ListEdit {
                    population: pop.clone(),
                    role,
                    position,
                    action,
                }
                .value()
            };
            let rows = (0..shown)
                .map(|i| {
                    let factors = current.get(i).cloned().unwrap_or_default();
                    let has_methods = filled(&factors);
                    let selects = (0..factors_shown(&factors))
                        .map(|f| {
                            let name = factor_field(&pop, role, i, f);
                            let (input_id, invalid, described) = marks(&name);
                            let selected = factors
                                .get(f)
                                .map(|m| m.trim().to_string())
                                .unwrap_or_default();
                            let label = if f == 0 {
                                format!("{} path {}", role.label(), i + 1)
                            } else if f == 1 {
                                format!("{} path {}, together with", role.label(), i + 1)
                            } else {
                                format!("{} path {}, and also with", role.label(), i + 1)
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
                                    aria-invalid=invalid
                                    aria-describedby=described
                                >
                                    <option value="">
                                        {if f == 0 { "—" } else { "(alone)" }}
                                    </option>
                                    {method_options(&methods, &selected, Some(&weak_here))}
                                </select>
                                <FieldError name=name />
                            }
                        })
                        .collect_view();
                    let notes: Vec<String> = factors
                        .iter()
                        .filter_map(|m| weak_here.methods.get(m.trim()).cloned())
                        .collect();
                    let place = format!("{} path {}", role.label(), i + 1);
                    // The last filled path: nothing below it to move past.
                    let last = !current.iter().skip(i + 1).any(|p| filled(p));
                    let tools = has_methods.then(|| {
                        view! {
                            <span class="path-tools">
                                <button
                                    type="submit"
                                    name="edit"
                                    value=edit(i, ListMove::Up)
                                    class="small secondary"
                                    disabled=i == 0
                                    title="Move up"
                                    aria-label=format!("Move {place} up")
                                >
                                    "↑"
                                </button>
                                <button
                                    type="submit"
                                    name="edit"
                                    value=edit(i, ListMove::Down)
                                    class="small secondary"
                                    disabled=last
                                    title="Move down"
                                    aria-label=format!("Move {place} down")
                                >
                                    "↓"
                                </button>
                                <button
                                    type="submit"
                                    name="edit"
                                    value=edit(i, ListMove::Remove)
                                    class="small secondary"
                                    aria-label=format!("Remove {place}")
                                >
                                    "Remove"
                                </button>
                            </span>
                        }
                    });
                    view! {
                        <li class="path">
                            <span class="path-factors">{selects}</span>
                            {tools}
                            {(!notes.is_empty())
                                .then(|| {
                                    view! {
                                        <ul class="weak-notes">
                                            {notes
                                                .into_iter()
                                                .map(|n| view! { <li>{n}</li> })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view();
            let add = (shown < role.slots()).then(|| {
                view! {
                    <button
                        type="submit"
                        name="edit"
                        value=edit(current.len().max(shown), ListMove::Add)
                        class="small secondary add-path"
                    >
                        {format!("+ Add a {} path", role.label().to_lowercase())}
                    </button>
                }
            });
            let from_provider = inherited.as_ref().map(|j| {
                let given = describe_paths(j.paths(role), &names);
                view! {
                    <p class="inherits">
                        <span class="badge">"inherited"</span>
                        " "
                        {given}
                        <br />
                        <span class="hint">"Paths chosen here are added after these."</span>
                    </p>
                }
            });
            view! {
                <div class="role-row" id=role_anchor(&pop, role)>
                    <div class="role-label">
                        <strong>{role.label()}</strong>
                        <p class="hint">{role.help()}</p>
                        {from_provider}
                    </div>
                    <div class="slots">
                        <ol class="paths">{rows}</ol>
                        {add}
                    </div>
                </div>
            }
        })
        .collect_view();
    let offboarding = field(&pop, "offboarding");
    let reauth = field(&pop, "reauth_sensitive");
    let duration = |part: &str, legend: &'static str, hours: &String, minutes: &String| {
        let h = field(&pop, &format!("{part}_hours"));
        let m = field(&pop, &format!("{part}_minutes"));
        let (h_id, h_invalid, h_described) = marks(&h);
        let (m_id, m_invalid, m_described) = marks(&m);
        view! {
            <fieldset class="field duration">
                <legend class="label">{legend}</legend>
                <span class="duration-parts">
                    <input
                        id=h_id.clone()
                        type="number"
                        min="0"
                        max=MAX_SESSION_MINUTES / 60
                        name=h.clone()
                        value=hours.clone()
                        aria-invalid=h_invalid
                        aria-describedby=h_described
                    />
                    <label for=h_id>
                        <span class="sr-only">{format!("{legend}, hours")}</span>
                        <span aria-hidden="true">"h"</span>
                    </label>
                    <input
                        id=m_id.clone()
                        type="number"
                        min="0"
                        name=m.clone()
                        value=minutes.clone()
                        aria-invalid=m_invalid
                        aria-describedby=m_described
                    />
                    <label for=m_id>
                        <span class="sr-only">{format!("{legend}, minutes")}</span>
                        <span aria-hidden="true">"min"</span>
                    </label>
                </span>
                <FieldError name=h />
                <FieldError name=m />
            </fieldset>
        }
    };
    let summary = summary_line(&form, &names);
    view! {
        <details class="card population" open id=field_id(&field(&pop, "population"))>
            <summary>
                <strong>{names.population(&pop)}</strong>
                <span class="muted">{summary}</span>
            </summary>
            <fieldset class="population-fields">
                <legend class="sr-only">{names.population(&pop)}</legend>
                <FieldError name=field(&pop, "population") />
                {roles}
                <div class="grid four">
                    <div class="field">
                        <label for=field_id(&offboarding)>"Offboarding"</label>
                        <select
                            id=field_id(&offboarding)
                            name=offboarding.clone()
                            aria-invalid=aria_invalid(&offboarding)
                            aria-describedby=aria_describedby(&offboarding)
                        >
                            <option value="">"Not declared"</option>
                            {Offboarding::ALL
                                .iter()
                                .map(|o| {
                                    view! {
                                        <option
                                            value=o.as_str()
                                            selected=form.offboarding.trim() == o.as_str()
                                        >
                                            {o.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <FieldError name=offboarding.clone() />
                    </div>
                    {duration(
                        "max_session",
                        "Maximum session",
                        &form.max_session_hours,
                        &form.max_session_minutes,
                    )}
                    {duration(
                        "idle_timeout",
                        "Idle timeout",
                        &form.idle_timeout_hours,
                        &form.idle_timeout_minutes,
                    )}
                    <div class="field">
                        <span class="label">"Sensitive actions"</span>
                        <label class="check" for=field_id(&reauth)>
                            <input
                                id=field_id(&reauth)
                                type="checkbox"
                                name=reauth.clone()
                                value="on"
                                checked=form.reauth_sensitive.is_some()
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
                    <div class="grid three">
                        {Platform::ALL
                            .iter()
                            .map(|p| {
                                let name = field(&pop, &format!("platforms][{}", p.as_str()));
                                let (input_id, invalid, described) = marks(&name);
                                let value = form
                                    .platforms
                                    .get(p.as_str())
                                    .cloned()
                                    .unwrap_or_default();
                                let hint_id = format!("{input_id}-hint");
                                let described = Some(
                                    described.map_or(hint_id.clone(), |d| format!("{d} {hint_id}")),
                                );
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
                                            placeholder=format!("e.g. {}", p.version_example())
                                            aria-invalid=invalid
                                            aria-describedby=described
                                        />
                                        <p class="hint" id=hint_id>
                                            {p.version_hint()}
                                        </p>
                                        <FieldError name=name />
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                    {[
                        (
                            "managed_required",
                            "Managed device required",
                            form.managed_required.is_some(),
                        ),
                        (
                            "byod_allowed",
                            "Personal devices (BYOD) allowed",
                            form.byod_allowed.is_some(),
                        ),
                        (
                            "shared_workstation",
                            "Shared-workstation mode",
                            form.shared_workstation.is_some(),
                        ),
                    ]
                        .into_iter()
                        .map(|(part, label, on)| {
                            let name = field(&pop, part);
                            let (input_id, invalid, described) = marks(&name);
                            let for_id = input_id.clone();
                            view! {
                                <label class="check" for=for_id>
                                    <input
                                        id=input_id
                                        type="checkbox"
                                        name=name
                                        value="on"
                                        checked=on
                                        aria-invalid=invalid
                                        aria-describedby=described
                                    />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                    <FieldError name=field(&pop, "byod_allowed") />
                </div>
            </fieldset>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|p| p.iter().map(|m| m.to_string()).collect())
            .collect()
    }

    #[test]
    fn rows_follow_the_list_with_one_empty_row_after_the_last_filled() {
        assert_eq!(rows_shown(&[], 4), 2);
        assert_eq!(rows_shown(&paths(&[&["passkey"]]), 4), 2);
        // An empty row asked for by Add stays, and one more is not added after it.
        assert_eq!(rows_shown(&paths(&[&["passkey"], &[""], &[""]]), 6), 3);
        // Never more than the role holds.
        assert_eq!(rows_shown(&paths(&[&["a"], &["b"], &["c"], &["d"]]), 4), 4);
    }

    #[test]
    fn a_summary_names_the_primary_and_counts_the_rest() {
        let names = Names {
            methods: [("passkey".to_string(), "Passkey".to_string())].into(),
            populations: BTreeMap::new(),
        };
        let form = PopulationForm {
            primary: paths(&[&["", ""], &["passkey"]]),
            fallback: paths(&[&["totp_app"], &["sms", ""], &["", ""]]),
            max_session_hours: "8".into(),
            max_session_minutes: "30".into(),
            platforms: [("ios".to_string(), "17".to_string())].into(),
            ..PopulationForm::default()
        };
        assert_eq!(
            summary_line(&form, &names),
            "Primary: Passkey · 2 fallbacks · session 8 h 30 min · 1 platform"
        );
        assert_eq!(
            summary_line(&PopulationForm::default(), &names),
            "No primary"
        );
    }
}
