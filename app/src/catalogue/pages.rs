//! The catalogue page: methods strongest first with their attributes, and populations.

use super::api::get_catalogue;
use super::model::CatalogueView;
use crate::components::{Guarded, Loaded, PageHeader};
use leptos::prelude::*;
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
        <Loaded resource=catalogue render=|c| view! { <CatalogueView catalogue=c /> } />
    }
}

#[component]
fn CatalogueView(catalogue: CatalogueView) -> impl IntoView {
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
                                        <strong>{p.name}</strong>
                                        <br />
                                        <code class="small">{p.key}</code>
                                    </td>
                                    <td>{p.description}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
