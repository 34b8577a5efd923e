//! The consistency matrix (`/matrix`), the journeys view (`/journeys`) and the application
//! page's readiness section. The matrix's body is thousands of cells: it is written as one piece
//! of escaped HTML, never a component per cell.

use super::api::{get_journeys, get_matrix, get_readiness};
use super::model::{
    ApplicationReadiness, CellState, Choice, Fragmentation, JourneyGroup, JourneysPage,
    MATRIX_EXPORT_PATH, MatrixFilter, MatrixPage, MatrixRowView, MethodColumn, percent,
};
use crate::components::Position;
use crate::components::{
    Loaded, PageHeader, count, escape_html, id_param, list_href, select_options, vocab_options,
};
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
use crate::vocab::{Criticality, Integration, JourneyRole};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::fmt::Write as _;

fn filter_from_query() -> MatrixFilter {
    let q = use_query_map().get_untracked();
    MatrixFilter::from_query(|k| q.get(k))
}

fn pairs_of(choices: &[Choice]) -> Vec<(String, String)> {
    choices
        .iter()
        .map(|c| (c.key.clone(), c.label.clone()))
        .collect()
}

/// The address of a view with `filter` changed by `change`.
fn href_with(path: &str, filter: &MatrixFilter, change: impl FnOnce(&mut MatrixFilter)) -> String {
    let mut f = filter.clone();
    f.page.clear();
    change(&mut f);
    let mut pairs = f.pairs();
    pairs.push(("page", f.page.clone()));
    list_href(path, &pairs, &Position::First)
}

#[component]
pub fn MatrixPageView() -> impl IntoView {
    view! {
        <Title text="Consistency matrix · Passwordless Governance Portal" />
        <Guarded>
            <MatrixContent />
        </Guarded>
    }
}

#[component]
fn MatrixContent() -> impl IntoView {
    let filter = filter_from_query();
    let page = Resource::new(move || filter.clone(), get_matrix);
    view! {
        <PageHeader
            title="Consistency matrix"
            subtitle="Every application's journey, method by method: which roles each method plays, and whether that is the standard, an excepted deviation or an open one."
        />
        <ViewTabs current="matrix" />
        <Loaded resource=page render=|p| view! { <Matrix page=p /> } />
    }
}

#[component]
fn ViewTabs(current: &'static str) -> impl IntoView {
    let q = use_query_map().get_untracked();
    let f = MatrixFilter::from_query(|k| q.get(k));
    let tab = |path: &'static str, key: &'static str, label: &'static str| {
        let href = href_with(path, &f, |_| {});
        let is = key == current;
        view! {
            <li>
                <a href=href aria-current=is.then_some("page")>
                    {label}
                </a>
            </li>
        }
    };
    view! {
        <nav class="tabs" aria-label="Views of the estate">
            <ul>{tab("/matrix", "matrix", "Matrix")} {tab("/journeys", "journeys", "Journeys")}</ul>
        </nav>
    }
}

/// The filter form shared by the matrix and the journeys view.
#[component]
fn Filters(
    action: &'static str,
    filter: MatrixFilter,
    units: Vec<Choice>,
    populations: Vec<Choice>,
    #[prop(optional)] columns: Vec<MethodColumn>,
    #[prop(optional)] unknown: Vec<(String, String)>,
    #[prop(optional)] download: Option<String>,
) -> impl IntoView {
    let f = filter;
    let problem = move |field: &str| {
        unknown
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, why)| view! { <p class="field-error">{why.clone()}</p> })
    };
    let method_problem = problem("method");
    let methods: Vec<(String, String)> = columns
        .iter()
        .map(|c| (c.key.clone(), c.name.clone()))
        .collect();
    let with_methods = action == "/matrix";
    view! {
        <form method="get" action=action class="card filters" role="search">
            <div class="filter-grid">
                <div>
                    <label for="m-unit">"Business unit"</label>
                    <select id="m-unit" name="unit">
                        {select_options(pairs_of(&units), &f.unit, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="m-crit">"Criticality"</label>
                    <select id="m-crit" name="criticality">
                        {select_options(
                            vocab_options(
                                Criticality::ALL,
                                Criticality::as_str,
                                Criticality::label,
                            ),
                            &f.criticality,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-pop">"Population"</label>
                    <select id="m-pop" name="population">
                        {select_options(pairs_of(&populations), &f.population, Some("All served"))}
                    </select>
                </div>
                <div>
                    <label for="m-int">"Integration"</label>
                    <select id="m-int" name="integration">
                        {select_options(
                            vocab_options(
                                Integration::ALL,
                                Integration::as_str,
                                Integration::label,
                            ),
                            &f.integration,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-owner">"Owner"</label>
                    <input
                        id="m-owner"
                        name="owner"
                        value=f.owner.clone()
                        placeholder="mine, or a user name"
                    />
                </div>
                {with_methods
                    .then(|| {
                        view! {
                            <div>
                                <label for="m-method">"Method"</label>
                                <select
                                    id="m-method"
                                    name="method"
                                    aria-invalid=method_problem.is_some().then_some("true")
                                >
                                    {select_options(methods, &f.method, Some("Any"))}
                                </select>
                                {method_problem}
                            </div>
                            <div>
                                <label for="m-role">"Role"</label>
                                <select id="m-role" name="role">
                                    {select_options(
                                        vocab_options(
                                            JourneyRole::ALL,
                                            JourneyRole::as_str,
                                            JourneyRole::label,
                                        ),
                                        &f.role,
                                        Some("Every role"),
                                    )}
                                </select>
                            </div>
                        }
                    })}
                <div>
                    <label for="m-state">"Findings"</label>
                    <select id="m-state" name="state">
                        {select_options(
                            CellState::ALL
                                .iter()
                                .map(|s| (s.as_str().to_string(), s.filter_label().to_string()))
                                .collect(),
                            &f.state,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-ready">"Password removal"</label>
                    <select id="m-ready" name="readiness">
                        {select_options(
                            vec![
                                ("ready".into(), "Ready".into()),
                                ("blocked".into(), "Not ready".into()),
                            ],
                            &f.readiness,
                            Some("Any"),
                        )}
                    </select>
                </div>
                {with_methods
                    .then(|| {
                        view! {
                            <div>
                                <label for="m-sort">"Order"</label>
                                <select id="m-sort" name="sort">
                                    {select_options(
                                        vec![
                                            ("assurance".into(), "Weakest assurance first".into()),
                                            ("findings".into(), "Most severe findings first".into()),
                                            ("readiness".into(), "Closest to ready first".into()),
                                            ("criticality".into(), "Most critical first".into()),
                                        ],
                                        &f.sort,
                                        Some("By name"),
                                    )}
                                </select>
                            </div>
                        }
                    })}
            </div>
            <div class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href=action>"Clear"</a>
                {download
                    .map(|href| {
                        view! {
                            <span class="spacer"></span>
                            <a href=href download="matrix.csv">
                                "Download CSV"
                            </a>
                        }
                    })}
            </div>
        </form>
    }
}

/// One figure, linking to the matrix filtered to what it counts (when it can).
#[component]
fn Figure(
    value: String,
    #[prop(into)] label: String,
    #[prop(optional)] href: Option<String>,
    #[prop(optional, into)] note: Option<String>,
) -> impl IntoView {
    view! {
        <div class="figure">
            <span class="figure-value">{value}</span>
            {match href {
                Some(h) => {
                    view! {
                        <a href=h class="figure-label">
                            {label}
                        </a>
                    }
                        .into_any()
                }
                None => view! { <span class="figure-label">{label}</span> }.into_any(),
            }}
            {note.map(|n| view! { <span class="figure-note">{n}</span> })}
        </div>
    }
}

/// The fragmentation figures of the filtered estate.
#[component]
pub fn FragmentationFigures(figures: Fragmentation, filter: MatrixFilter) -> impl IntoView {
    let f = figures;
    let open = f.open;
    let open_total: u32 = open.iter().sum();
    let ready_href = href_with("/matrix", &filter, |x| x.readiness = "ready".into());
    let open_href = href_with("/matrix", &filter, |x| x.state = "open".into());
    let journeys_href = href_with("/journeys", &filter, |_| {});
    view! {
        <section class="figures" aria-label="Fragmentation of the filtered estate">
            <Figure value=count(u64::from(f.applications)) label="applications" />
            <Figure
                value=count(u64::from(f.distinct_journeys))
                label="distinct journeys"
                href=journeys_href
                note=format!("across {} population journeys", count(u64::from(f.journeys)))
            />
            <Figure
                value=format!("{} %", f.standard_share())
                label="on the standard journey"
                note=format!("{} applications", count(u64::from(f.on_standard)))
            />
            <Figure
                value=count(u64::from(f.weaker_fallback))
                label="with a fallback or recovery weaker than the primary"
            />
            <Figure
                value=count(u64::from(f.restricted_applications))
                label="use a restricted method (SMS, voice)"
                note=format!(
                    "in {} population journeys",
                    count(u64::from(f.restricted_populations)),
                )
            />
            <Figure
                value=count(u64::from(open_total))
                label="open findings"
                href=open_href
                note=format!(
                    "{} critical · {} high · {} medium · {} low",
                    open[0],
                    open[1],
                    open[2],
                    open[3],
                )
            />
            <Figure
                value=count(u64::from(f.expiring_exceptions))
                label="exceptions expiring within 30 days"
                href="/exceptions?view=expiring".to_string()
            />
            <Figure
                value=count(u64::from(f.ready))
                label="ready to remove passwords"
                href=ready_href
                note=format!("{} % of these applications", percent(f.ready, f.applications))
            />
        </section>
    }
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <details class="card legend" open>
            <summary>"How to read a cell"</summary>
            <dl class="legend-list">
                <div>
                    <dt>"E P F R S D"</dt>
                    <dd>
                        "The roles the method plays: " <abbr title="Enrolment">"E"</abbr>
                        " enrolment, " <abbr title="Primary">"P"</abbr> " primary, "
                        <abbr title="Fallback">"F"</abbr> " fallback, "
                        <abbr title="Recovery">"R"</abbr> " recovery, "
                        <abbr title="Step-up">"S"</abbr> " step-up, "
                        <abbr title="Device replacement">"D"</abbr> " device replacement."
                    </dd>
                </div>
                <div>
                    <dt>"F+"</dt>
                    <dd>
                        "Only inside a combined path (the password of “password + authenticator code”)."
                    </dd>
                </div>
                <div>
                    <dt>"(P)"</dt>
                    <dd>"Inherited from the identity provider's journey."</dd>
                </div>
                <div>
                    <dt>"No mark"</dt>
                    <dd>"Standard: no finding bears on it."</dd>
                </div>
                <div>
                    <dt>"◇"</dt>
                    <dd>"Excepted deviation: every finding on it is accepted by an exception."</dd>
                </div>
                <div>
                    <dt>"✕"</dt>
                    <dd>"Open deviation: a finding on it has no exception."</dd>
                </div>
            </dl>
        </details>
    }
}

/// Groups of adjacent columns with the same category: (category, span).
fn categories(columns: &[MethodColumn]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in columns {
        match out.last_mut() {
            Some((cat, n)) if *cat == c.category => *n += 1,
            _ => out.push((c.category.clone(), 1)),
        }
    }
    out
}

/// The findings of a row in short, with the words in the abbreviation.
fn findings_cell(out: &mut String, open: &[u32; 4], excepted: u32) {
    let total: u32 = open.iter().sum();
    if total == 0 && excepted == 0 {
        out.push_str("<td class=\"num\">none</td>");
        return;
    }
    out.push_str("<td class=\"sev\">");
    for (n, (letter, word)) in open.iter().zip([
        ("C", "critical"),
        ("H", "high"),
        ("M", "medium"),
        ("L", "low"),
    ]) {
        if *n > 0 {
            let _ = write!(
                out,
                "<abbr class=\"sev-{word}\" title=\"{n} open {word}\">{n}{letter}</abbr> "
            );
        }
    }
    if excepted > 0 {
        let _ = write!(
            out,
            "<abbr title=\"{excepted} excepted\">{excepted}◇</abbr>"
        );
    }
    out.push_str("</td>");
}

/// The table's body: one row per application, as escaped HTML.
pub fn table_body(rows: &[MatrixRowView], columns: &[MethodColumn]) -> String {
    let mut out = String::with_capacity(rows.len() * (columns.len() * 12 + 600));
    for r in rows {
        out.push_str("<tr><th scope=\"row\" class=\"app\">");
        let _ = write!(
            out,
            "<a href=\"/applications/{}\">{}</a><span class=\"meta\">{}",
            r.id,
            escape_html(&r.name),
            r.criticality.label()
        );
        match &r.provider {
            Some(p) => {
                let _ = write!(out, " · through {}", escape_html(p));
            }
            None => {
                let _ = write!(out, " · {}", r.integration.label().to_lowercase());
            }
        }
        out.push_str("</span></th>");
        // Assurance.
        if r.undeclared && r.aal == 0 {
            out.push_str("<td class=\"assurance\">not declared</td>");
        } else {
            let _ = write!(
                out,
                "<td class=\"assurance\">{}<span class=\"meta\">{}</span></td>",
                if r.aal == 0 {
                    "none".to_string()
                } else {
                    format!("AAL{}", r.aal)
                },
                if r.phishing_resistant {
                    "phishing-resistant"
                } else {
                    "phishable"
                }
            );
        }
        findings_cell(&mut out, &r.open, r.excepted);
        // Readiness: a disclosure that works without JavaScript.
        if r.readiness.ready() {
            out.push_str("<td class=\"ready yes\">✓ Ready</td>");
        } else {
            let n = r.readiness.blockers.len();
            let _ = write!(
                out,
                "<td class=\"ready no\"><details><summary>Not ready ({n})</summary><ul>"
            );
            for b in &r.readiness.blockers {
                let _ = write!(out, "<li>{}</li>", escape_html(b));
            }
            out.push_str("</ul></details></td>");
        }
        let mut next = 0usize;
        for c in &r.cells {
            let col = c.column as usize;
            for _ in next..col {
                out.push_str("<td></td>");
            }
            next = col + 1;
            let method = columns.get(col).map(|m| m.name.as_str()).unwrap_or("");
            let _ = write!(
                out,
                "<td class=\"cell {}\"><abbr title=\"{}: {}; {}\">{}{}</abbr></td>",
                c.state.as_str(),
                escape_html(method),
                escape_html(&c.marks.words()),
                c.state.words(),
                escape_html(&c.marks.text()),
                match c.state {
                    CellState::Standard => String::new(),
                    s => format!(" {}", s.symbol()),
                }
            );
        }
        for _ in next..columns.len() {
            out.push_str("<td></td>");
        }
        out.push_str("</tr>");
    }
    out
}

#[component]
fn Matrix(page: MatrixPage) -> impl IntoView {
    let filter = page.filter.clone();
    let download = {
        let pairs = filter.pairs();
        list_href(MATRIX_EXPORT_PATH, &pairs, &Position::First)
    };
    let body = table_body(&page.rows, &page.columns);
    let cats = categories(&page.columns);
    let columns = page.columns.clone();
    let shown = if page.total == 0 {
        "No application matches these filters.".to_string()
    } else {
        format!(
            "{} applications × {} methods · page {} of {} · judged against policy version {}",
            count(u64::from(page.total)),
            page.columns.len(),
            page.page,
            page.pages,
            page.policy_version
        )
    };
    let prev = (page.page > 1).then(|| {
        let p = (page.page - 1).to_string();
        href_with("/matrix", &filter, |f| f.page = p)
    });
    let next = (page.page < page.pages).then(|| {
        let p = (page.page + 1).to_string();
        href_with("/matrix", &filter, |f| f.page = p)
    });
    let empty = page.rows.is_empty();
    let role_rows = JourneyRole::ALL
        .iter()
        .enumerate()
        .map(|(i, role)| {
            let cells = columns
                .iter()
                .map(|c| {
                    let n = c.by_role[i];
                    view! { <td class="num">{(n > 0).then(|| count(u64::from(n)))}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row" colspan="4" class="app">
                        {format!("Applications using it as {}", role.label().to_lowercase())}
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <Filters
            action="/matrix"
            filter=filter.clone()
            units=page.units.clone()
            populations=page.populations.clone()
            columns=page.columns.clone()
            unknown=page.unknown.clone()
            download=download
        />
        <FragmentationFigures figures=page.figures.clone() filter=filter.clone() />
        <Legend />
        <div class="card matrix-card">
            <p class="muted small" role="status">
                {shown}
            </p>
            {(!empty)
                .then(|| {
                    view! {
                        <div class="matrix-scroll" tabindex="0" role="region" aria-label="Matrix">
                            <table class="matrix">
                                <caption class="sr-only">
                                    "Consistency matrix: applications as rows, authentication methods as columns; each cell lists the roles the method plays and its state."
                                </caption>
                                <thead>
                                    <tr class="categories">
                                        <td colspan="4"></td>
                                        {cats
                                            .into_iter()
                                            .map(|(c, n)| {
                                                view! {
                                                    <th scope="colgroup" colspan=n.to_string()>
                                                        {c}
                                                    </th>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                    <tr class="names">
                                        <th scope="col" class="app">
                                            "Application"
                                        </th>
                                        <th scope="col">"Assurance"</th>
                                        <th scope="col">"Open findings"</th>
                                        <th scope="col">"Password removal"</th>
                                        {page
                                            .columns
                                            .iter()
                                            .map(|c| {
                                                let marks = match (c.phishing_resistant, c.restricted) {
                                                    (true, _) => " (phishing-resistant)",
                                                    (_, true) => " (restricted)",
                                                    _ => "",
                                                };
                                                view! {
                                                    <th scope="col" class="method">
                                                        <span title=format!(
                                                            "{}{marks}",
                                                            c.name,
                                                        )>{c.name.clone()}</span>
                                                    </th>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                </thead>
                                <tbody inner_html=body></tbody>
                                <tfoot>{role_rows}</tfoot>
                            </table>
                        </div>
                    }
                })}
            <nav class="pager" aria-label="Pages">
                {prev
                    .map(|h| {
                        view! {
                            <a href=h rel="prev">
                                "← Previous page"
                            </a>
                        }
                    })}
                <span class="muted small">{format!("Page {} of {}", page.page, page.pages)}</span>
                {next
                    .map(|h| {
                        view! {
                            <a href=h rel="next">
                                "Next page →"
                            </a>
                        }
                    })}
            </nav>
        </div>
    }
}

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
    let first = (page.page - 1) * super::model::JOURNEYS_PAGE;
    let prev = (page.page > 1).then(|| {
        let p = (page.page - 1).to_string();
        href_with("/journeys", &filter, |f| f.page = p)
    });
    let next = (page.page < page.pages).then(|| {
        let p = (page.page + 1).to_string();
        href_with("/journeys", &filter, |f| f.page = p)
    });
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
        <nav class="pager" aria-label="Pages">
            {prev
                .map(|h| {
                    view! {
                        <a href=h rel="prev">
                            "← Previous page"
                        </a>
                    }
                })}
            <span class="muted small">{format!("Page {} of {}", page.page, page.pages)}</span>
            {next
                .map(|h| {
                    view! {
                        <a href=h rel="next">
                            "Next page →"
                        </a>
                    }
                })}
        </nav>
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

/// The application page's section: can it remove passwords now, and what blocks it.
#[component]
pub fn ReadinessSection() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let found = Resource::new(move || id, get_readiness);
    view! { <Loaded resource=found render=|r| view! { <Readiness r /> } /> }.into_any()
}

#[component]
fn Readiness(r: ApplicationReadiness) -> impl IntoView {
    if !r.assessed {
        return ().into_any();
    }
    let ready = r.readiness.ready();
    view! {
        <section class="card readiness" id="readiness" aria-labelledby="readiness-title">
            <h2 id="readiness-title">"Password removal"</h2>
            {if ready {
                view! {
                    <p>
                        <span class="badge ok">"✓ Ready"</span>
                        " Every population signs in without a password, falls back and recovers at the policy's level, replaces devices by itself, and no high or critical finding is open."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <span class="badge warn">"Not ready"</span>
                        " Passwords cannot be removed yet. What blocks it:"
                    </p>
                    <ul class="blockers">
                        {r
                            .readiness
                            .blockers
                            .into_iter()
                            .map(|b| view! { <li>{b}</li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}
