//! The application page: its facts and archiving, with the sections of the features above
//! (the declaration, later findings and exceptions) composed in by the route list.

use super::super::api::{SetApplicationArchived, get_application};
use super::super::model::ApplicationDetail;
use super::criticality_class;
use crate::components::{
    Feedback, Loaded, NotFound, count, encode_component, id_param, list_as_left,
};
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

/// The application page. `children` are the sections of the features above, shown between the
/// facts and archiving (the route list in `app.rs` composes them).
#[component]
pub fn ApplicationPage(children: ChildrenFn) -> impl IntoView {
    view! {
        <Title text="Application · Passwordless Governance Portal" />
        <Guarded>
            <ApplicationContent sections=children.clone() />
        </Guarded>
    }
}

#[component]
fn ApplicationContent(sections: ChildrenFn) -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return view! { <NotFound /> }.into_any();
    };
    let detail = Resource::new(move || id, get_application);
    view! {
        <Loaded
            resource=detail
            render=move |detail| view! { <ApplicationView detail sections=sections.clone() /> }
        />
    }
    .into_any()
}

#[component]
fn ApplicationView(detail: ApplicationDetail, sections: ChildrenFn) -> impl IntoView {
    let id = detail.id;
    let title = detail.name.clone();
    view! {
        <Title text=format!("{title} · Applications · Passwordless Governance Portal") />
        <p class="crumbs">
            <a href=list_as_left("/applications")>"Applications"</a>
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
                            <a class="button secondary" href=format!("/applications/{id}/edit")>
                                "Edit application"
                            </a>
                        </div>
                    }
                })}
        </div>
        <Feedback />
        <FactsCard detail=detail.clone() />
        {sections()}
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
            {(detail.dependants > 0)
                .then(|| {
                    let n = detail.dependants;
                    view! {
                        <p class="dependants">
                            {format!(
                                "{} active application{} federate{} through this provider. ",
                                count(n),
                                if n == 1 { "" } else { "s" },
                                if n == 1 { "s" } else { "" },
                            )}
                            <a href=format!(
                                "/applications?provider={}",
                                detail.id,
                            )>"See them in the applications list"</a>
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
