//! Registering an application and editing its facts: a plain form that works without
//! JavaScript.

use super::super::api::{
    CreateApplication, UpdateApplication, application_form_options, get_application_form,
};
use super::super::model::{
    ApplicationForm, Criticality, DESCRIPTION_MAX, Editors, FormOptions, Integration, Lifecycle,
    NAME_MAX, owner_key,
};
use crate::components::{
    Feedback, FieldError, Loaded, NotFound, PageHeader, id_param, select_options, vocab_options,
};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
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
