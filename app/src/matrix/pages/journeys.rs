//! The journeys view: the population journeys grouped by identical paths, largest first.

use super::{Filters, PageLinks, ViewTabs, filter_from_query};
use crate::components::{Loaded, PageHeader, count};
use crate::matrix::api::get_journeys;
use crate::matrix::model::{JourneyGroup, JourneysPage, percent};
use crate::session::facade::Guarded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn JourneysPageView() -> impl IntoView {
    view! {
        <Title text="Journeys · Passwordless Governance Portal" />
        <Guarded>
            <JourneysContent />
        </Guarded>
    }
}

#[component]
fn JourneysContent() -> impl IntoView {
    let filter = filter_from_query();
    let page = Resource::new(move || filter.clone(), get_journeys);
    view! {
        <PageHeader
            title="Journeys"
            subtitle="Applications grouped by the journey people actually live with: the same paths in every role. The fewer groups, the less fragmented the programme."
        />
        <ViewTabs current="journeys" />
        <Loaded resource=page render=|p| view! { <Journeys page=p /> } />
    }
}

#[component]
fn Journeys(page: JourneysPage) -> impl IntoView {
    let filter = page.filter.clone();
    let summary = if page.journeys == 0 {
        "No declared journey matches these filters.".to_string()
    } else {
        format!(
            "{} distinct journeys across {} population journeys (application × population). The {} largest cover 80 % of them.",
            count(u64::from(page.total_groups)),
            count(u64::from(page.journeys)),
            count(u64::from(page.groups_for_80)),
        )
    };
    let first = (page.page - 1) * crate::matrix::model::JOURNEYS_PAGE;
    let journeys = page.journeys;
    view! {
        <Filters
            action="/journeys"
            filter=filter.clone()
            units=page.units.clone()
            populations=page.populations.clone()
        />
        <p class="lead" role="status">
            {summary}
        </p>
        <ol class="journey-groups" start=(first + 1).to_string()>
            {page.groups.into_iter().map(|g| view! { <GroupCard g journeys /> }).collect_view()}
        </ol>
        <PageLinks path="/journeys" filter=filter.clone() page=page.page pages=page.pages />
    }
}

#[component]
fn GroupCard(g: JourneyGroup, journeys: u32) -> impl IntoView {
    let share = percent(g.size, journeys);
    let open: u32 = g.open.iter().sum();
    let more = g.size as usize - g.members.len();
    view! {
        <li class="card journey-group">
            <header class="group-head">
                <h2>
                    {format!(
                        "{} population journeys · {} applications · {share} %",
                        count(u64::from(g.size)),
                        count(u64::from(g.applications)),
                    )}
                </h2>
                {g.standard.then(|| view! { <span class="badge ok">"Standard journey"</span> })}
                {(open > 0)
                    .then(|| {
                        view! {
                            <span class="badge bad">
                                {format!(
                                    "{open} open findings: {} critical, {} high, {} medium, {} low",
                                    g.open[0],
                                    g.open[1],
                                    g.open[2],
                                    g.open[3],
                                )}
                            </span>
                        }
                    })}
                {(g.excepted > 0)
                    .then(|| {
                        view! { <span class="badge">{format!("{} excepted", g.excepted)}</span> }
                    })}
            </header>
            <dl class="journey-roles">
                {g
                    .roles
                    .into_iter()
                    .map(|(role, words)| {
                        view! {
                            <div>
                                <dt>{role.label()}</dt>
                                <dd>{words}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
            {(!g.rules.is_empty())
                .then(|| {
                    view! {
                        <p class="small">
                            <strong>"Findings behind it: "</strong>
                            {g
                                .rules
                                .iter()
                                .take(5)
                                .map(|(t, n)| format!("{t} ({n})"))
                                .collect::<Vec<_>>()
                                .join(" · ")}
                        </p>
                    }
                })}
            <p class="small members">
                <strong>"Who lives with it: "</strong>
                {g
                    .members
                    .into_iter()
                    .map(|m| {
                        let href = format!("/applications/{}", m.id);
                        view! {
                            <a href=href>{m.name}</a>
                            {format!(" ({}) ", m.population)}
                        }
                    })
                    .collect_view()}
                {(more > 0).then(|| format!("and {} more.", count(more as u64)))}
            </p>
        </li>
    }
}
