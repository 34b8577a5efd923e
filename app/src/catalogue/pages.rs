//! The catalogue page: methods strongest first with their attributes, and populations.

use super::api::{
    AddBusinessUnit, SetBusinessUnitActive, UpdateMethod, UpdatePopulation, get_catalogue,
    list_business_units,
};
use super::model::{
    BusinessUnitView, CATALOGUE_DESCRIPTION_MAX, CATALOGUE_NAME_MAX, CatalogueAdministrators,
    CatalogueView, FactorKind, MethodView, PopulationView,
};
use crate::components::{Feedback, Loaded, PageHeader, Typed, textarea_text};
use crate::session::facade::Guarded;
use crate::session::model::{Right, viewer};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn CataloguePage() -> impl IntoView {
    view! {
        <Title text="Catalogue · Passwordless Governance Portal" />
        <Guarded>
            <CatalogueContent />
        </Guarded>
    }
}

#[component]
fn CatalogueContent() -> impl IntoView {
    let catalogue = Resource::new(|| (), |_| get_catalogue());
    view! {
        <PageHeader
            title="Catalogue"
            subtitle="The authentication methods journeys are declared with, strongest first, and the populations applications serve."
        />
        <Feedback />
        <Loaded resource=catalogue render=|c| view! { <CatalogueView catalogue=c /> } />
        {viewer()
            .is_some_and(|v| CatalogueAdministrators::admits(&v))
            .then(|| view! { <BusinessUnits /> })}
    }
}

#[component]
fn CatalogueView(catalogue: CatalogueView) -> impl IntoView {
    let admin = viewer().is_some_and(|v| CatalogueAdministrators::admits(&v));
    view! {
        <div class="card">
            <h2>{format!("Authentication methods ({})", catalogue.methods.len())}</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Rank"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col">"Highest assurance"</th>
                        <th scope="col">"Attributes"</th>
                    </tr>
                </thead>
                <tbody>
                    {catalogue
                        .methods
                        .into_iter()
                        .map(|m| {
                            let aal_class = match m.max_aal {
                                3 => "badge ok",
                                2 => "badge warn",
                                _ => "badge bad",
                            };
                            view! {
                                <tr>
                                    <td>{m.strength_rank}</td>
                                    <td>
                                        <strong>{m.name.clone()}</strong>
                                        <br />
                                        <code class="small">{m.key.clone()}</code>
                                        <p class="muted small">{m.description.clone()}</p>
                                        {(!m.active)
                                            .then(|| {
                                                view! { <span class="badge bad">"retired"</span> }
                                            })}
                                        {admin.then(|| view! { <MethodEditor method=m.clone() /> })}
                                    </td>
                                    <td>
                                        <span class=aal_class>{m.aal()}</span>
                                    </td>
                                    <td>
                                        {m
                                            .traits()
                                            .into_iter()
                                            .map(|t| {
                                                view! {
                                                    <span class="badge">{t}</span>
                                                    " "
                                                }
                                            })
                                            .collect_view()}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="card">
            <h2>{format!("Populations ({})", catalogue.populations.len())}</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Population"</th>
                        <th scope="col">"Who"</th>
                    </tr>
                </thead>
                <tbody>
                    {catalogue
                        .populations
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <td>
                                        <strong>{p.name.clone()}</strong>
                                        <br />
                                        <code class="small">{p.key.clone()}</code>
                                    </td>
                                    <td>
                                        {p.description.clone()}
                                        {admin
                                            .then(|| {
                                                view! { <PopulationEditor population=p.clone() /> }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// An administrator's editor for one method; a plain form that works without JavaScript.
#[component]
fn MethodEditor(method: MethodView) -> impl IntoView {
    // A refused edit of this method comes back open, as it was typed.
    let typed = Typed::of_record(UpdateMethod::PATH, "key", &method.key);
    let id = |field: &str| format!("{}-{field}", method.key);
    let check = |field: &'static str, label: &'static str, on: bool| {
        let input_id = id(field);
        let for_id = input_id.clone();
        let name = format!("form[{field}]");
        view! {
            <label class="check" for=for_id>
                <input
                    id=input_id
                    type="checkbox"
                    name=name.clone()
                    value="on"
                    checked=typed.checked(&name, on)
                />
                {label}
            </label>
        }
    };
    let marked = |field: &str| {
        let input_id = id(field);
        (
            typed.invalid(field),
            typed.described(field, &input_id),
            typed.message(field, &input_id),
        )
    };
    let (name_invalid, name_described, name_message) = marked("name");
    let (desc_invalid, desc_described, desc_message) = marked("description");
    let (aal_invalid, aal_described, aal_message) = marked("max_aal");
    let (rank_invalid, rank_described, rank_message) = marked("strength_rank");
    let (factor_invalid, factor_described, factor_message) = marked("factor");
    let aal = typed.text("form[max_aal]", method.max_aal.to_string());
    let factor = typed.text("form[factor]", method.factor.as_str());
    view! {
        <details class="editor" open=typed.refused()>
            <summary>{format!("Edit {}", method.name)}</summary>
            <form method="post" action=UpdateMethod::PATH class="stack">
                <input type="hidden" name="key" value=method.key.clone() />
                <label for=id("name")>"Name"</label>
                <input
                    id=id("name")
                    type="text"
                    name="form[name]"
                    value=typed.text("form[name]", method.name.clone())
                    required
                    maxlength=CATALOGUE_NAME_MAX
                    aria-invalid=name_invalid
                    aria-describedby=name_described
                />
                {name_message}
                <label for=id("description")>"Description"</label>
                <textarea
                    id=id("description")
                    name="form[description]"
                    rows="2"
                    maxlength=CATALOGUE_DESCRIPTION_MAX
                    aria-invalid=desc_invalid
                    aria-describedby=desc_described
                >
                    {textarea_text(&typed.text("form[description]", method.description.clone()))}
                </textarea>
                {desc_message}
                <div class="grid two">
                    <div>
                        <label for=id("max_aal")>"Highest assurance"</label>
                        <select
                            id=id("max_aal")
                            name="form[max_aal]"
                            aria-invalid=aal_invalid
                            aria-describedby=aal_described
                        >
                            {[1, 2, 3]
                                .into_iter()
                                .map(|a| {
                                    view! {
                                        <option value=a.to_string() selected=a.to_string() == aal>
                                            {format!("AAL{a}")}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        {aal_message}
                    </div>
                    <div>
                        <label for=id("strength_rank")>"Strength rank (1 is strongest)"</label>
                        <input
                            id=id("strength_rank")
                            type="number"
                            name="form[strength_rank]"
                            min="1"
                            max="99"
                            value=typed
                                .text("form[strength_rank]", method.strength_rank.to_string())
                            required
                            aria-invalid=rank_invalid
                            aria-describedby=rank_described
                        />
                        {rank_message}
                    </div>
                </div>
                <div>
                    <label for=id("factor")>"Kind of factor"</label>
                    <select
                        id=id("factor")
                        name="form[factor]"
                        aria-invalid=factor_invalid
                        aria-describedby=factor_described
                    >
                        {FactorKind::ALL
                            .iter()
                            .map(|f| {
                                view! {
                                    <option value=f.as_str() selected=f.as_str() == factor>
                                        {f.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {factor_message}
                </div>
                <fieldset class="roles">
                    <legend>"Attributes"</legend>
                    {check("phishing_resistant", "Phishing-resistant", method.phishing_resistant)}
                    {check("syncable", "Syncable", method.syncable)}
                    {check("restricted", "Restricted (SMS, voice)", method.restricted)}
                    {check(
                        "needs_personal_phone",
                        "Needs a personal phone",
                        method.needs_personal_phone,
                    )}
                    {check(
                        "needs_managed_device",
                        "Needs a managed device",
                        method.needs_managed_device,
                    )}
                    {check(
                        "shared_workstation_ok",
                        "Works on shared workstations",
                        method.shared_workstation_ok,
                    )}
                    {check("active", "In use (unticked: retired)", method.active)}
                </fieldset>
                <button type="submit" class="small">
                    {format!("Save {}", method.name)}
                </button>
            </form>
        </details>
    }
}

/// Business units, for administrators: add, retire, restore.
#[component]
fn BusinessUnits() -> impl IntoView {
    let units = Resource::new(|| (), |_| list_business_units());
    let typed = Typed::of(AddBusinessUnit::PATH);
    view! {
        <div class="card">
            <h2>"Business units"</h2>
            <Loaded resource=units render=|list| view! { <BusinessUnitList units=list /> } />
            <form method="post" action=AddBusinessUnit::PATH class="inline">
                <label for="new-business-unit">"New business unit"</label>
                <input
                    id="new-business-unit"
                    type="text"
                    name="name"
                    value=typed.text("name", "")
                    required
                    maxlength=CATALOGUE_NAME_MAX
                    aria-invalid=typed.invalid("name")
                    aria-describedby=typed.described("name", "new-business-unit")
                />
                <button type="submit" class="small">
                    "Add business unit"
                </button>
                {typed.message("name", "new-business-unit")}
            </form>
        </div>
    }
}

#[component]
fn BusinessUnitList(units: Vec<BusinessUnitView>) -> impl IntoView {
    if units.is_empty() {
        return view! { <p class="muted">"No business units yet."</p> }.into_any();
    }
    view! {
        <ul class="plain">
            {units
                .into_iter()
                .map(|u| {
                    let (label, next) = if u.active {
                        ("Retire", "false")
                    } else {
                        ("Restore", "true")
                    };
                    view! {
                        <li>
                            <form method="post" action=SetBusinessUnitActive::PATH class="inline">
                                <span>{u.name.clone()}</span>
                                {(!u.active)
                                    .then(|| view! { <span class="badge bad">"retired"</span> })}
                                <input type="hidden" name="id" value=u.id.to_string() />
                                <input type="hidden" name="active" value=next />
                                <button type="submit" class="secondary small">
                                    {format!("{label} {}", u.name)}
                                </button>
                            </form>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// An administrator's editor for one population (plain form).
#[component]
fn PopulationEditor(population: PopulationView) -> impl IntoView {
    let typed = Typed::of_record(UpdatePopulation::PATH, "key", &population.key);
    let id = |field: &str| format!("{}-{field}", population.key);
    let (name_id, desc_id) = (id("name"), id("description"));
    view! {
        <details class="editor" open=typed.refused()>
            <summary>{format!("Edit {}", population.name)}</summary>
            <form method="post" action=UpdatePopulation::PATH class="stack">
                <input type="hidden" name="key" value=population.key.clone() />
                <label for=id("name")>"Name"</label>
                <input
                    id=name_id.clone()
                    type="text"
                    name="name"
                    value=typed.text("name", population.name.clone())
                    required
                    maxlength=CATALOGUE_NAME_MAX
                    aria-invalid=typed.invalid("name")
                    aria-describedby=typed.described("name", &name_id)
                />
                {typed.message("name", &name_id)}
                <label for=id("description")>"Who"</label>
                <textarea
                    id=desc_id.clone()
                    name="description"
                    rows="2"
                    maxlength=CATALOGUE_DESCRIPTION_MAX
                    aria-invalid=typed.invalid("description")
                    aria-describedby=typed.described("description", &desc_id)
                >
                    {textarea_text(&typed.text("description", population.description.clone()))}
                </textarea>
                {typed.message("description", &desc_id)}
                <label class="check" for=id("active")>
                    <input
                        id=id("active")
                        type="checkbox"
                        name="active"
                        value="on"
                        checked=typed.checked("active", true)
                    />
                    "In use (unticked: retired)"
                </label>
                <button type="submit" class="small">
                    {format!("Save {}", population.name)}
                </button>
            </form>
        </details>
    }
}
