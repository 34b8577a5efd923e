//! The matrix itself: thousands of cells, written as one piece of escaped HTML, never a
//! component per cell.

use super::{Filters, FragmentationFigures, PageLinks, ViewTabs, filter_from_query};
use crate::components::{Loaded, PageHeader, Position, count, escape_html, list_href};
use crate::matrix::api::get_matrix;
use crate::matrix::model::{
    CellState, MATRIX_EXPORT_PATH, MatrixPage, MatrixRowView, MethodColumn,
};
use crate::session::facade::Guarded;
use crate::vocab::JourneyRole;
use leptos::prelude::*;
use leptos_meta::Title;
use std::fmt::Write as _;

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
    // The server writes the body with the page it keeps; written here only when it did not.
    let body = if page.body.is_empty() {
        table_body(&page.rows, &page.columns)
    } else {
        page.body.clone()
    };
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
            <PageLinks path="/matrix" filter=filter.clone() page=page.page pages=page.pages />
        </div>
    }
}
