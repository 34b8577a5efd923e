//! Registering an application and editing its facts: a plain form that works without
//! JavaScript, and the owner search that helps fill it in when JavaScript runs.

use super::super::api::{
    CreateApplication, UpdateApplication, application_form_options, get_application_form,
};
use super::super::model::{
    ApplicationForm, Criticality, DESCRIPTION_MAX, EditableApplication, Editors, FormOptions,
    Integration, Lifecycle, NAME_MAX, OwnerChoice, PersonRef, owner_key,
};
use crate::components::{
    ErrorAlert, Feedback, FieldError, Loaded, NotFound, PageHeader, aria_describedby, aria_invalid,
    id_param, select_options, textarea_text, typed, vocab_options,
};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::session::facade::{Guarded, use_hydrated};
use crate::session::model::{Right, Role, viewer};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn NewApplicationPage() -> impl IntoView {
    view! {
        <Title text="Register an application · Passwordless Governance Portal" />
        <Guarded roles=Editors::ROLES>
            <NewApplicationContent />
        </Guarded>
    }
}

#[component]
fn NewApplicationContent() -> impl IntoView {
    let options = Resource::new(|| (), |_| application_form_options());
    // The person registering is its first owner when they hold the owner role.
    let me: Vec<OwnerChoice> = viewer()
        .filter(|v| v.has(Role::Owner))
        .map(|v| OwnerChoice {
            person: PersonRef {
                id: v.id,
                name: v.display_name,
                username: v.username,
            },
            eligible: true,
        })
        .into_iter()
        .collect();
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
                for o in &me {
                    form.owners.insert(owner_key(o.person.id), "on".into());
                }
                form.populations.insert("office_employees".into(), "on".into());
                let form = typed::<CreateApplication>().map(|a| a.form).unwrap_or(form);
                // A refused registration comes back as it was typed.
                view! { <ApplicationFormView options=o form=form owners=me.clone() id=None /> }
            }
        />
    }
}

#[component]
pub fn EditApplicationPage() -> impl IntoView {
    view! {
        <Title text="Edit application · Passwordless Governance Portal" />
        <Guarded roles=Editors::ROLES>
            <EditApplicationContent />
        </Guarded>
    }
}

#[component]
fn EditApplicationContent() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return view! { <NotFound /> }.into_any();
    };
    let data = Resource::new(
        move || id,
        |id| async move {
            let editable = get_application_form(id).await?;
            let options = application_form_options().await?;
            Ok::<_, AppError>((editable, options))
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
            render=move |(editable, options): (EditableApplication, FormOptions)| {
                let form = typed::<UpdateApplication>()
                    .filter(|a| a.id == id)
                    .map(|a| a.form)
                    .unwrap_or(editable.form);
                view! {
                    <ApplicationFormView
                        options=options
                        form=form
                        owners=editable.owners
                        id=Some(id)
                    />
                }
            }
        />
    }
    .into_any()
}

/// The application form: a plain form that works without JavaScript. `owners` are the people
/// shown ticked (the current owners); others are added by user name.
#[component]
fn ApplicationFormView(
    options: FormOptions,
    form: ApplicationForm,
    owners: Vec<OwnerChoice>,
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
                <label for="name">"Name"</label>
                <input
                    id="name"
                    aria-invalid=aria_invalid("name")
                    aria-describedby=aria_describedby("name")
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
                <label for="description">"Description"</label>
                <textarea
                    id="description"
                    aria-invalid=aria_invalid("description")
                    aria-describedby=aria_describedby("description")
                    name=field("description")
                    rows="3"
                    maxlength=DESCRIPTION_MAX
                >
                    {textarea_text(&form.description)}
                </textarea>
                <FieldError name="description" />
            </div>
            <div class="grid two">
                <div class="field">
                    <label for="business_unit">"Business unit"</label>
                    <select
                        id="business_unit"
                        aria-invalid=aria_invalid("business_unit")
                        aria-describedby=aria_describedby("business_unit")
                        name=field("business_unit")
                    >
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
                    <label for="criticality">"Criticality"</label>
                    <select
                        id="criticality"
                        aria-invalid=aria_invalid("criticality")
                        aria-describedby=aria_describedby("criticality")
                        name=field("criticality")
                    >
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
                    <label for="lifecycle">"Lifecycle"</label>
                    <select
                        id="lifecycle"
                        aria-invalid=aria_invalid("lifecycle")
                        aria-describedby=aria_describedby("lifecycle")
                        name=field("lifecycle")
                    >
                        {select_options(
                            vocab_options(Lifecycle::ALL, Lifecycle::as_str, Lifecycle::label),
                            &form.lifecycle,
                            None,
                        )}
                    </select>
                    <FieldError name="lifecycle" />
                </div>
            </div>
            <fieldset class="roles" id="integration">
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
                    <label for="provider">"Identity provider (federated applications)"</label>
                    <select
                        id="provider"
                        aria-invalid=aria_invalid("provider")
                        aria-describedby=aria_describedby("provider")
                        name=field("provider")
                    >
                        {select_options(
                            options
                                .providers
                                .iter()
                                .filter(|p| Some(p.id) != id)
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
                <label class="check" for="identity_provider">
                    <input
                        id="identity_provider"
                        aria-invalid=aria_invalid("identity_provider")
                        aria-describedby=aria_describedby("identity_provider")
                        type="checkbox"
                        name=field("identity_provider")
                        value="on"
                        checked=form.identity_provider.is_some()
                    />
                    "This application is an identity provider (others federate through it)"
                </label>
                <FieldError name="identity_provider" />
            </fieldset>
            <fieldset class="roles" id="populations">
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
            <fieldset class="roles" id="owners">
                <legend>"Owners"</legend>
                {if owners.is_empty() {
                    view! { <p class="hint">"No owner yet: add owners by user name."</p> }
                        .into_any()
                } else {
                    owners
                        .iter()
                        .map(|o| {
                            let input_id = format!("app-owner-{}", o.person.id);
                            let for_id = input_id.clone();
                            let key = owner_key(o.person.id);
                            let checked = form.owners.contains_key(&key);
                            view! {
                                <label class="check" for=for_id>
                                    <input
                                        id=input_id
                                        type="checkbox"
                                        name=format!("form[owners][{key}]")
                                        value="on"
                                        checked=checked
                                    />
                                    {format!("{} ({})", o.person.name, o.person.username)}
                                    {(!o.eligible)
                                        .then(|| {
                                            view! {
                                                <span class="badge bad">
                                                    "disabled or without the owner role: untick to save"
                                                </span>
                                            }
                                        })}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
                <FieldError name="owners" />
                <OwnerPicker
                    typed=form.add_owners.clone()
                    invalid=aria_invalid("add_owners").is_some()
                />
                <FieldError name="add_owners" />
                {(!may_choose_owners && id.is_none())
                    .then(|| {
                        view! {
                            <p class="hint">"You are always an owner of what you register."</p>
                        }
                    })}
            </fieldset>
            <div class="field">
                <label for="tags">"Tags"</label>
                <input
                    id="tags"
                    aria-invalid=aria_invalid("tags")
                    aria-describedby=aria_describedby("tags")
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

/// "Add owners": a text field of user names that works as it is without JavaScript; with
/// JavaScript, a search of the people who may own applications adds the chosen user name to it.
#[island]
pub fn OwnerPicker(
    typed: String,
    /// Whether the refused form named this field (its message has id `add_owners-error`).
    invalid: bool,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let (names, set_names) = signal(typed.clone());
    let (query, set_query) = signal(String::new());
    let (found, set_found) = signal(Vec::<PersonRef>::new());
    let (error, set_error) = signal(None::<String>);
    // Answers to earlier keystrokes arriving late are dropped.
    let (asked, set_asked) = signal(0u64);
    let search = move |q: String| {
        set_query.set(q.clone());
        set_error.set(None);
        let n = asked.get_untracked() + 1;
        set_asked.set(n);
        if q.trim().is_empty() {
            set_found.set(Vec::new());
            return;
        }
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let answer = super::super::api::search_owners(q).await;
            if asked.get_untracked() != n {
                return;
            }
            match answer {
                Ok(people) => set_found.set(people),
                Err(e) => {
                    set_found.set(Vec::new());
                    set_error.set(Some(e.to_string()));
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (n, set_found);
    };
    let add = move |username: String| {
        set_names.update(|names| {
            let present = names
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .any(|n| n.eq_ignore_ascii_case(&username));
            if !present {
                let trimmed = names
                    .trim_end()
                    .trim_end_matches(',')
                    .trim_end()
                    .to_string();
                *names = if trimmed.is_empty() {
                    username
                } else {
                    format!("{trimmed}, {username}")
                };
            }
        });
        set_asked.update(|n| *n += 1);
        set_query.set(String::new());
        set_found.set(Vec::new());
    };
    // In the search box, Enter picks the first match rather than sending the whole form.
    view! {
        <div class="field">
            <label for="add_owners">"Add owners"</label>
            <input
                id="add_owners"
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then_some("add_owners-error")
                type="text"
                name="form[add_owners]"
                value=typed
                prop:value=names
                on:input=move |ev| set_names.set(event_target_value(&ev))
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                placeholder="e.g. ada.lovelace, grace"
            />
            <p class="hint">
                "User names of people holding the owner role, separated by commas or spaces."
            </p>
        </div>
        <Show when=move || hydrated.get()>
            <div class="field owner-search">
                <label for="app-owner-search">"Find people"</label>
                <input
                    id="app-owner-search"
                    type="search"
                    autocomplete="off"
                    autocapitalize="none"
                    spellcheck="false"
                    placeholder="User name or display name"
                    prop:value=query
                    on:input=move |ev| search(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            if let Some(first) = found.get_untracked().first() {
                                add(first.username.clone());
                            }
                        }
                    }
                />
                <p class="muted small" role="status" aria-live="polite">
                    {move || {
                        let n = found.get().len();
                        match (query.get().trim().is_empty(), n) {
                            (true, _) => String::new(),
                            (false, 0) => "Nobody who may own applications matches.".to_string(),
                            (false, 1) => "One person matches.".to_string(),
                            (false, n) => format!("{n} people match."),
                        }
                    }}
                </p>
                <ul class="plain" aria-label="Matching people">
                    <For
                        each=move || found.get()
                        key=|p| p.id
                        children=move |p| {
                            let username = p.username.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="secondary small"
                                        on:click=move |_| add(username.clone())
                                    >
                                        {format!("Add {} ({})", p.name, p.username)}
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
                <ErrorAlert message=error />
            </div>
        </Show>
    }
}
