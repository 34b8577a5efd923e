//! The findings list (`/findings`) and an application's findings section.

use super::api::{get_application_findings, list_findings};
use super::model::{
    ApplicationFindings, Choice, DraftImpact, ExceptionNote, FINDINGS_EXPORT_PATH,
    FindingExporters, FindingFilter, FindingRow, FindingState, FindingsPage as Page, ImpactLine,
    Severity,
};
use crate::components::{
    Feedback, Loaded, PageHeader, Pager, Position, count, encode_component, id_param, list_href,
    select_options, severity_class, vocab_options,
};
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
use crate::session::model::{Right, Role, viewer};
use crate::vocab::Criticality;
use crate::vocab::ExceptionState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// How strong a journey is, in words.
pub fn assurance_words(aal: u8) -> String {
    if aal == 0 {
        "No sign-in path".into()
    } else {
        format!("AAL{aal}")
    }
}

#[component]
pub fn FindingsPage() -> impl IntoView {
    view! {
        <Title text="Findings · Passwordless Governance Portal" />
        <Guarded>
            <FindingsContent />
        </Guarded>
    }
}

#[component]
fn FindingsContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = FindingFilter {
        rule: get("rule"),
        severity: get("severity"),
        state: get("state"),
        unit: get("unit"),
        criticality: get("criticality"),
        population: get("population"),
        method: get("method"),
        owner: get("owner"),
    };
    let position = Position::from_query(|k| q.get(k));
    let (after, before) = position.bounds();
    let page = Resource::new(
        move || (filter.clone(), after.clone(), before.clone()),
        |(f, a, b)| list_findings(f, a, b),
    );
    view! {
        <PageHeader
            title="Findings"
            subtitle="Every deviation of an application's journey from the standard policy, most severe first."
        />
        <Feedback />
        <Loaded
            resource=page
            render=move |p| view! { <FindingsList page=p position=position.clone() /> }
        />
    }
}

fn choice_pairs(choices: &[Choice]) -> Vec<(String, String)> {
    choices
        .iter()
        .map(|c| (c.key.clone(), c.label.clone()))
        .collect()
}

#[component]
fn FindingsList(page: Page, position: Position) -> impl IntoView {
    let f = page.filter.clone();
    let pairs = f.pairs();
    let can_export = viewer().is_some_and(|v| FindingExporters::admits(&v));
    let export = |format: &str| {
        let mut p = pairs.clone();
        p.push(("format", format.to_string()));
        list_href(FINDINGS_EXPORT_PATH, &p, &Position::First)
    };
    let (csv, json) = (export("csv"), export("json"));
    let state = FindingState::parse(&f.state).unwrap_or_default();
    let shown = match page.rows.len() {
        0 if page.total == 0 => "No finding matches.".to_string(),
        0 => format!("No finding on this page; {} match.", count(page.total)),
        n => format!(
            "Showing {n} of {} {} findings, judged against policy version {}.",
            count(page.total),
            state.label().to_lowercase(),
            page.policy_version
        ),
    };
    let empty = page.rows.is_empty();
    let neighbours = page.neighbours.clone();
    view! {
        <form method="get" action="/findings" class="card filters" role="search">
            <div class="filter-grid">
                <div>
                    <label for="f-state">"State"</label>
                    <select id="f-state" name="state">
                        {select_options(
                            FindingState::ALL
                                .iter()
                                .map(|s| (s.as_str().to_string(), s.label().to_string()))
                                .collect(),
                            state.as_str(),
                            None,
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-severity">"Severity"</label>
                    <select id="f-severity" name="severity">
                        {select_options(
                            vocab_options(Severity::ALL, Severity::as_str, Severity::label),
                            &f.severity,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-rule">"Rule"</label>
                    <select id="f-rule" name="rule">
                        {select_options(choice_pairs(&page.rules), &f.rule, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="f-unit">"Business unit"</label>
                    <select id="f-unit" name="unit">
                        {select_options(choice_pairs(&page.units), &f.unit, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="f-crit">"Criticality"</label>
                    <select id="f-crit" name="criticality">
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
                    <label for="f-pop">"Population"</label>
                    <select id="f-pop" name="population">
                        {select_options(
                            choice_pairs(&page.populations),
                            &f.population,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-owner">"Applications"</label>
                    <select id="f-owner" name="owner">
                        {select_options(
                            vec![("mine".to_string(), "Only mine".to_string())],
                            &f.owner,
                            Some("Everyone's"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="f-method">"Method"</label>
                    <select id="f-method" name="method">
                        {select_options(choice_pairs(&page.methods), &f.method, Some("Any"))}
                    </select>
                </div>
            </div>
            <div class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href="/findings">"Clear"</a>
                {can_export
                    .then(|| {
                        view! {
                            <span class="spacer"></span>
                            <a href=csv.clone() download="findings.csv">
                                "Download CSV"
                            </a>
                            <a href=json.clone() download="findings.json">
                                "Download JSON"
                            </a>
                        }
                    })}
            </div>
        </form>
        <div class="card">
            <p class="muted small">{shown}</p>
            {(!empty)
                .then(|| {
                    view! {
                        <table class="findings">
                            <caption class="sr-only">"Findings"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Application"</th>
                                    <th scope="col">"Rule"</th>
                                    <th scope="col">"Where"</th>
                                    <th scope="col">"What it means"</th>
                                    <th scope="col">"Since"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .rows
                                    .into_iter()
                                    .map(|r| view! { <FindingListRow r /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            <Pager path="/findings" pairs position neighbours empty />
        </div>
    }
}

/// Where a finding stands with exceptions: the one that holds (until when), the request waiting
/// for a decision, or a link to ask for one (open findings, for owners and security).
#[component]
fn ExceptionLine(
    #[prop(into)] application: ApplicationId,
    #[prop(into)] key: String,
    state: FindingState,
    exception: Option<ExceptionNote>,
) -> impl IntoView {
    match exception {
        Some(e) => {
            let href = format!("/exceptions/{}", e.id);
            let words = match e.state {
                ExceptionState::Approved => format!("Excepted until {}", e.until),
                _ => format!("Exception requested until {}", e.until),
            };
            let class = match e.state {
                ExceptionState::Approved => "badge excepted",
                _ => "badge",
            };
            view! {
                <a class=class href=href>
                    {words}
                </a>
            }
            .into_any()
        }
        None if state == FindingState::Open && may_request() => {
            let href = format!(
                "/exceptions/new?application={application}&finding={}",
                encode_component(&key)
            );
            view! {
                <a class="small" href=href>
                    "Request an exception"
                </a>
            }
            .into_any()
        }
        None => ().into_any(),
    }
}

/// Owners and security may ask for exceptions (the server checks ownership).
fn may_request() -> bool {
    viewer().is_some_and(|v| v.has_any(&[Role::Owner, Role::Security]))
}

#[component]
fn FindingListRow(r: FindingRow) -> impl IntoView {
    let href = format!("/applications/{}#findings", r.application_id);
    view! {
        <tr>
            <td>
                <span class=severity_class(r.finding.severity)>{r.finding.severity.label()}</span>
            </td>
            <td>
                <a href=href>{r.application}</a>
            </td>
            <td>{format!("{}. {}", r.rule_number, r.rule_title)}</td>
            <td>{r.scope}</td>
            <td>
                <p class="explanation">{r.finding.explanation}</p>
                <p class="fix small">
                    <strong>"Fix: "</strong>
                    {r.finding.fix}
                </p>
            </td>
            <td class="small">
                {match r.resolved_at {
                    Some(t) => format!("resolved {t}"),
                    None => r.opened_at,
                }} <br />
                <ExceptionLine
                    application=r.application_id
                    key=r.finding.key.clone()
                    state=r.state
                    exception=r.exception
                />
            </td>
        </tr>
    }
}

/// The application page's findings section: assurance, open findings with explanations, and
/// the latest resolved ones.
#[component]
pub fn ApplicationFindingsSection() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let found = Resource::new(move || id, get_application_findings);
    view! { <Loaded resource=found render=|f| view! { <FindingsSection f /> } /> }.into_any()
}

#[component]
fn FindingsSection(f: ApplicationFindings) -> impl IntoView {
    let summary = if !f.assessed {
        "Not judged: the application is archived.".to_string()
    } else if f.open.is_empty() {
        format!(
            "No open finding against policy version {}.",
            f.policy_version
        )
    } else {
        let excepted = f
            .open
            .iter()
            .filter(|r| r.state == FindingState::Excepted)
            .count();
        let open = f.open.len() - excepted;
        format!(
            "{} open finding{}{} against policy version {}.",
            open,
            if open == 1 { "" } else { "s" },
            if excepted > 0 {
                format!(" and {excepted} excepted")
            } else {
                String::new()
            },
            f.policy_version
        )
    };
    let pr = if f.phishing_resistant {
        "Phishing-resistant end to end"
    } else {
        "Not phishing-resistant end to end"
    };
    let populations = f
        .populations
        .iter()
        .map(|p| {
            view! {
                <li>
                    {format!(
                        "{}: {}, {}",
                        p.name,
                        assurance_words(p.aal),
                        if p.phishing_resistant {
                            "phishing-resistant"
                        } else {
                            "not phishing-resistant"
                        },
                    )}
                </li>
            }
        })
        .collect_view();
    let resolved = (!f.resolved.is_empty()).then(|| {
        let rows = f
            .resolved
            .iter()
            .map(|r| {
                view! {
                    <li>
                        {format!(
                            "{}. {} · {} — resolved {}",
                            r.rule_number,
                            r.rule_title,
                            r.scope,
                            r.resolved_at.clone().unwrap_or_default(),
                        )}
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="resolved">
                <summary>"Recently resolved"</summary>
                <ul>{rows}</ul>
            </details>
        }
    });
    let open = f
        .open
        .into_iter()
        .map(|r| {
            view! {
                <li class="finding">
                    <div class="finding-head">
                        <span class=severity_class(
                            r.finding.severity,
                        )>{r.finding.severity.label()}</span>
                        <strong>{format!("{}. {}", r.rule_number, r.rule_title)}</strong>
                        <span class="muted small">{r.scope}</span>
                    </div>
                    <p>{r.finding.explanation}</p>
                    <p class="small">
                        <strong>"Fix: "</strong>
                        {r.finding.fix}
                    </p>
                    <p class="muted small">
                        {format!(
                            "Controls: {} · open since {} · key {}",
                            r.finding.controls.join(", "),
                            r.opened_at,
                            r.finding.key,
                        )}
                    </p>
                    <p class="small">
                        <ExceptionLine
                            application=r.application_id
                            key=r.finding.key.clone()
                            state=r.state
                            exception=r.exception
                        />
                    </p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" id="findings" aria-labelledby="findings-title">
            <h2 id="findings-title">"Findings"</h2>
            {f
                .assessed
                .then(|| {
                    view! {
                        <p class="assurance">
                            <span class="badge">
                                {format!("Effective assurance {}", assurance_words(f.aal))}
                            </span>
                            <span class=if f.phishing_resistant {
                                "badge ok"
                            } else {
                                "badge warn"
                            }>{pr}</span>
                        </p>
                        <ul class="muted small populations">{populations}</ul>
                    }
                })}
            <p class="muted small">{summary}</p>
            <ul class="findings-list">{open}</ul>
            {resolved}
        </section>
    }
}

/// What the policy typed in the editor would do to the findings: shown above the editor when it
/// was asked for (`?preview=1` and the form's fields in the address).
#[component]
pub fn PolicyPreviewPanel() -> impl IntoView {
    use super::api::preview_policy;
    use crate::policy::model::PolicyForm;
    let q = use_query_map().get_untracked();
    if q.get("preview").is_none() {
        return ().into_any();
    }
    let pairs: Vec<(String, String)> = q
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let form = PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let preview = Resource::new(move || form.clone(), preview_policy);
    view! {
        <Suspense fallback=|| {
            view! { <p>"Judging every application against the change…"</p> }
        }>
            {move || {
                preview
                    .get()
                    .map(|r| match r {
                        Ok(p) => view! { <PreviewFigures p /> }.into_any(),
                        Err(e) => {
                            view! {
                                <div class="alert error" role="alert">
                                    {format!("The change cannot be previewed: {e}")}
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn PreviewFigures(p: crate::policy::model::PolicyPreview) -> impl IntoView {
    let unchanged = p.findings_added == 0 && p.findings_removed == 0;
    let rules = p
        .by_rule
        .iter()
        .map(|(rule, added, removed)| {
            view! {
                <tr>
                    <th scope="row">{rule.clone()}</th>
                    <td class="num">{format!("+{}", count(*added))}</td>
                    <td class="num">{format!("−{}", count(*removed))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"What this change would do"</h2>
            {if unchanged {
                view! {
                    <p>
                        {format!(
                            "No finding would open or close across {} applications.",
                            count(p.applications),
                        )}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <dl class="figures">
                        <div>
                            <dt>"Findings added"</dt>
                            <dd>{count(p.findings_added)}</dd>
                        </div>
                        <div>
                            <dt>"Findings removed"</dt>
                            <dd>{count(p.findings_removed)}</dd>
                        </div>
                        <div>
                            <dt>"Applications affected"</dt>
                            <dd>
                                {format!(
                                    "{} of {}",
                                    count(p.applications_changed),
                                    count(p.applications),
                                )}
                            </dd>
                        </div>
                        <div>
                            <dt>"Newly failing / newly clean"</dt>
                            <dd>
                                {format!(
                                    "{} / {}",
                                    count(p.applications_newly_failing),
                                    count(p.applications_newly_clean),
                                )}
                            </dd>
                        </div>
                        <div>
                            <dt>"Open findings"</dt>
                            <dd>
                                {format!("{} → {}", count(p.open_before), count(p.open_after))}
                            </dd>
                        </div>
                    </dl>
                    <table>
                        <caption>"By rule"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Rule"</th>
                                <th scope="col">"Added"</th>
                                <th scope="col">"Removed"</th>
                            </tr>
                        </thead>
                        <tbody>{rules}</tbody>
                    </table>
                }
                    .into_any()
            }}
            <p class="muted small">
                "Nothing is saved until you save: the form below keeps what you typed."
            </p>
        </section>
    }
}

/// The overview's findings card: for owners, the open findings of their own applications (the
/// most severe first); for everyone else, a way into the list.
#[component]
pub fn MyFindings() -> impl IntoView {
    use crate::session::model::Role;
    let Some(v) = viewer() else {
        return ().into_any();
    };
    if !v.has(Role::Owner) {
        return view! {
            <div class="card">
                <h2>"Findings"</h2>
                <p>
                    <a href="/findings">"Every open finding"</a>
                    ", most severe first, with filters by rule, severity, business unit and more."
                </p>
            </div>
        }
        .into_any();
    }
    let filter = FindingFilter {
        owner: "mine".into(),
        ..Default::default()
    };
    let page = Resource::new(move || filter.clone(), |f| list_findings(f, None, None));
    view! {
        <Loaded
            resource=page
            render=|p| {
                let shown = p.rows.iter().take(5).cloned().collect::<Vec<_>>();
                let total = p.total;
                view! {
                    <div class="card">
                        <h2>"Findings of your applications"</h2>
                        <p>
                            {if total == 0 {
                                "No open finding in the applications you own.".to_string()
                            } else {
                                format!(
                                    "{} open finding{}, most severe first:",
                                    count(total),
                                    if total == 1 { "" } else { "s" },
                                )
                            }}
                        </p>
                        <ul class="findings-list compact">
                            {shown
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <li>
                                            <span class=severity_class(
                                                r.finding.severity,
                                            )>{r.finding.severity.label()}</span>
                                            " "
                                            <a href=format!(
                                                "/applications/{}#findings",
                                                r.application_id,
                                            )>{r.application}</a>
                                            {format!(
                                                " · {}. {} · {}",
                                                r.rule_number,
                                                r.rule_title,
                                                r.scope,
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {(total > 0)
                            .then(|| {
                                view! {
                                    <a href="/findings?owner=mine">
                                        "All findings of your applications"
                                    </a>
                                }
                            })}
                    </div>
                }
            }
        />
    }
    .into_any()
}

/// What submitting the draft would do to the application's findings, for its review page (reads
/// the application id from the address).
#[component]
pub fn DraftImpactPanel() -> impl IntoView {
    use super::api::preview_draft;
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let impact = Resource::new(move || id, preview_draft);
    view! {
        <section class="card" aria-labelledby="impact-title">
            <h2 id="impact-title">"What submitting does to the findings"</h2>
            <Loaded resource=impact render=impact_view />
        </section>
    }
    .into_any()
}

fn impact_view(impact: Option<DraftImpact>) -> AnyView {
    let Some(i) = impact else {
        return view! { <p class="muted">"There is no draft to judge."</p> }.into_any();
    };
    let nothing = i.opened.is_empty() && i.resolved.is_empty();
    view! {
        <p>
            {format!(
                "{} opened · {} resolved · {} still open.",
                i.opened.len(),
                i.resolved.len(),
                i.still_open,
            )}
        </p>
        {nothing
            .then(|| {
                view! {
                    <p class="muted">
                        "No finding opens or resolves: the change keeps the findings as they are."
                    </p>
                }
            })}
        <ImpactList title="Opened by this version" lines=i.opened />
        <ImpactList title="Resolved by this version" lines=i.resolved />
    }
    .into_any()
}

#[component]
fn ImpactList(title: &'static str, lines: Vec<ImpactLine>) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            <h3>{title}</h3>
            <ul class="impact">
                {lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li>
                                <span class=severity_class(l.severity)>{l.severity.label()}</span>
                                " "
                                <strong>{l.rule}</strong>
                                ": "
                                {l.explanation}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}
