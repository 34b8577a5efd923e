//! The standard journeys in the policy editor: one group of fields per journey (the one of any
//! population without its own, then each population's), each role's paths written with method
//! keys as the CSV writes them, with their meaning in words beside them.

use super::fields::{Problem, field_id, field_problem};
use crate::journey::{
    JourneyRole, MAX_SESSION_MINUTES, Names, Offboarding, Platform, VERSION_MAX, describe_paths,
    paths_from_text,
};
use crate::policy::model::{JourneyFields, PolicyForm, part};
use leptos::prelude::*;

/// Every standard journey of the form, and the method keys to write them with.
pub fn standard_journey_inputs(
    form: &PolicyForm,
    saved: &PolicyForm,
    names: &Names,
    methods: &[String],
    problem: &Problem,
) -> impl IntoView + use<> {
    let empty = JourneyFields::new();
    let default = journey_inputs(
        "default_journey".to_string(),
        None,
        (&form.default_journey, &saved.default_journey),
        names,
        problem,
    );
    let populations = names
        .populations
        .iter()
        .map(|(key, name)| {
            journey_inputs(
                format!("standard[{key}]"),
                Some(name.clone()),
                (
                    form.standard.get(key).unwrap_or(&empty),
                    saved.standard.get(key).unwrap_or(&empty),
                ),
                names,
                problem,
            )
        })
        .collect_view();
    let keys = methods
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <td>
                        <code>{m.clone()}</code>
                    </td>
                    <td>{names.method(m)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="standard-title">
            <h2 id="standard-title">"Standard journeys"</h2>
            <p class="muted small">
                "New declarations start from the standard journey of their population, and a path that is neither in it nor allowed below is a deviation. Write each role's paths with method keys, preferred first: a semicolon separates alternatives, a plus joins the methods of one path (security_key; password+totp_app)."
            </p>
            <details class="method-keys">
                <summary>"Method keys"</summary>
                <table class="compact">
                    <thead>
                        <tr>
                            <th scope="col">"Key"</th>
                            <th scope="col">"Method"</th>
                        </tr>
                    </thead>
                    <tbody>{keys}</tbody>
                </table>
            </details>
            {default}
            {populations}
        </section>
    }
}

/// The fields that say something (an empty field and a missing one mean the same).
fn filled(fields: &JourneyFields) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// The fields of one standard journey as typed and as saved; `at` names them
/// (`default_journey`, `standard[contractors]`), `population` is the population's name (none:
/// the default journey). A journey with a change or a problem is shown open.
fn journey_inputs(
    at: String,
    population: Option<String>,
    (fields, saved): (&JourneyFields, &JourneyFields),
    names: &Names,
    problem: &Problem,
) -> impl IntoView + use<> {
    let changed = filled(fields) != filled(saved);
    let name = |p: &str| format!("{at}[{p}]");
    let value = |p: &str| fields.get(p).cloned().unwrap_or_default();
    let on = |p: &str| fields.contains_key(p);
    let own = population.is_none() || on(part::OWN);
    let query_field = crate::components::form_outcome().and_then(|o| o.field);
    let has_problem = problem
        .as_ref()
        .map(|(f, _)| f.clone())
        .or(query_field)
        .is_some_and(|f| f.starts_with(&at));
    let (title, status) = match &population {
        None => (
            "Any other population".to_string(),
            "the standard of every population without its own",
        ),
        Some(p) if own => (p.clone(), "its own standard journey"),
        Some(p) => (p.clone(), "follows the standard of any other population"),
    };
    let status = if changed {
        format!("{status} · changed, not saved yet")
    } else {
        status.to_string()
    };
    let own_input = population.as_ref().map(|p| {
        let n = name(part::OWN);
        let id = field_id(&n);
        let label_for = id.clone();
        view! {
            <label class="check" for=label_for>
                <input id=id type="checkbox" name=n checked=own />
                {format!(
                    "{p} have their own standard journey (otherwise the one of any other population applies and these fields are ignored)",
                )}
            </label>
        }
    });
    let roles = JourneyRole::ALL
        .iter()
        .map(|role| {
            let n = name(role.as_str());
            let id = field_id(&n);
            let hint_id = format!("{id}-hint");
            let typed = value(role.as_str());
            let meaning = describe_paths(&paths_from_text(&typed), names);
            view! {
                <div class="field">
                    <label for=id.clone()>{role.label()}</label>
                    <input
                        id=id
                        type="text"
                        name=n.clone()
                        value=typed
                        spellcheck="false"
                        autocomplete="off"
                        aria-describedby=hint_id.clone()
                    />
                    <p class="hint" id=hint_id>
                        {format!("{} Now: {meaning}.", role.help())}
                    </p>
                    {field_problem(&n, problem)}
                </div>
            }
        })
        .collect_view();
    let offboarding_name = name(part::OFFBOARDING);
    let chosen = value(part::OFFBOARDING);
    let offboarding = view! {
        <div class="field">
            <label for=field_id(&offboarding_name)>"Offboarding"</label>
            <select id=field_id(&offboarding_name) name=offboarding_name.clone()>
                <option value="" selected=chosen.is_empty()>
                    "Not set"
                </option>
                {Offboarding::ALL
                    .iter()
                    .map(|o| {
                        view! {
                            <option value=o.as_str() selected=chosen == o.as_str()>
                                {o.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {field_problem(&offboarding_name, problem)}
        </div>
    };
    let minutes = |p: &'static str, label: &'static str| {
        let n = name(p);
        view! {
            <div class="field">
                <label for=field_id(&n)>{label}</label>
                <input
                    id=field_id(&n)
                    type="number"
                    min="1"
                    max=MAX_SESSION_MINUTES
                    name=n.clone()
                    value=value(p)
                />
                {field_problem(&n, problem)}
            </div>
        }
    };
    let check = |p: &str, label: String| {
        let n = name(p);
        let id = field_id(&n);
        let label_for = id.clone();
        view! {
            <label class="check" for=label_for>
                <input id=id type="checkbox" name=n.clone() checked=on(p) />
                {label}
            </label>
            {field_problem(&n, problem)}
        }
    };
    let platforms = Platform::ALL
        .iter()
        .map(|p| {
            let version = name(&part::version(*p));
            view! {
                <div class="platform">
                    {check(&part::platform(*p), p.label().to_string())}
                    <label class="sr-only" for=field_id(&version)>
                        {format!("{} minimum version", p.label())}
                    </label>
                    <input
                        id=field_id(&version)
                        type="text"
                        class="version"
                        name=version.clone()
                        value=value(&part::version(*p))
                        maxlength=VERSION_MAX
                        placeholder="e.g. 14"
                    /> {field_problem(&version, problem)}
                </div>
            }
        })
        .collect_view();
    view! {
        <details class="standard-journey" open=population.is_none() || has_problem || changed>
            <summary>
                <strong>{title}</strong>
                <span class="muted small">{format!(" · {status}")}</span>
            </summary>
            {own_input}
            {field_problem(&at, problem)}
            <div class="grid two">{roles}</div>
            <div class="grid four">
                {offboarding} {minutes(part::MAX_SESSION, "Longest session (min)")}
                {minutes(part::IDLE, "Longest idle (min)")}
                <div class="field checks">
                    {check(part::REAUTH, "Re-authentication for sensitive actions".into())}
                </div>
            </div>
            <fieldset class="checks">
                <legend>"Devices"</legend>
                {check(part::MANAGED, "Managed device required".into())}
                {check(part::BYOD, "Personal devices allowed".into())}
                {check(part::SHARED, "Shared workstations".into())}
                <div class="platforms">{platforms}</div>
            </fieldset>
        </details>
    }
}
