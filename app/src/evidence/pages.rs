//! The evidence pages: framework coverage (`/frameworks`), one control's applications
//! (`/frameworks/control`), an application's control status (its section, and as of a date on
//! `/evidence/application`), the audit trail (`/evidence`), one event (`/evidence/events/:seq`)
//! and the chain's verification (`/evidence/verify`).

use super::api::{
    ImportFrameworks, get_application_controls, get_coverage, get_drill, get_event, get_trail,
    verify_chain_now,
};
use super::model::{
    AppControls, CATALOGUE_EXPORT_PATH, ChainView, ControlRow, ControlStatus, Coverage, Drill,
    EVIDENCE_EXPORT_PATH, EventDetail, EventRow, EvidenceReaders, FindingLine, FrameworkRow, PAGE,
    Trail, TrailFilter,
};
use crate::components::{
    Feedback, FieldError, Loaded, PageHeader, aria_describedby, aria_invalid, count,
    encode_component, id_param, select_options, severity_class, typed,
};
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The four statuses as column headings.
#[component]
fn StatusHeads() -> impl IntoView {
    ControlStatus::ALL
        .iter()
        .map(|s| {
            view! {
                <th scope="col" class="num">
                    {s.label()}
                </th>
            }
        })
        .collect_view()
}

fn bad_if(n: u64) -> &'static str {
    if n > 0 { "num bad" } else { "num" }
}

fn drill_href(framework: &str, id: &str, status: ControlStatus) -> String {
    format!(
        "/frameworks/control?framework={}&id={}&status={}",
        encode_component(framework),
        encode_component(id),
        status.as_str()
    )
}

#[component]
pub fn FrameworksPage() -> impl IntoView {
    view! {
        <Title text="Frameworks · Passwordless Governance Portal" />
        <Guarded>
            <FrameworksContent />
        </Guarded>
    }
}

#[component]
fn FrameworksContent() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_coverage());
    view! {
        <PageHeader
            title="Frameworks"
            subtitle="For each framework and control: how many applications meet it, are excepted (an approved exception covers every failing rule), fail it, or are outside its scope. Derived from the findings and exceptions, never typed in."
        />
        <Feedback />
        <Loaded resource=page render=|c| view! { <CoverageView c /> } />
    }
}

#[component]
fn CoverageView(c: Coverage) -> impl IntoView {
    let import = c.can_import.then(|| view! { <ImportForm /> });
    view! {
        <p class="muted">
            {format!("{} active applications. ", count(c.applications))}
            <a href=CATALOGUE_EXPORT_PATH download="frameworks.json">
                "Download the catalogue and mapping (JSON)"
            </a>
        </p>
        <nav class="card" aria-label="Frameworks">
            <ul class="inline-list">
                {c
                    .frameworks
                    .iter()
                    .map(|f| {
                        view! {
                            <li>
                                <a href=format!("#fw-{}", f.key)>{f.name.clone()}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        {c.frameworks.into_iter().map(|f| view! { <FrameworkCard f /> }).collect_view()}
        {import}
    }
}

#[component]
fn FrameworkCard(f: FrameworkRow) -> impl IntoView {
    let scope = f
        .applies_to_tag
        .as_ref()
        .map(|t| {
            view! {
                <p class="small">
                    {format!(
                        "Applies only to applications tagged \u{201c}{t}\u{201d}; for the others its controls are not applicable.",
                    )}
                </p>
            }
        });
    let url = (!f.url.is_empty()).then(|| {
        view! {
            <a href=f.url.clone() rel="noopener">
                "Source"
            </a>
        }
    });
    let key = f.key.clone();
    view! {
        <section class="card" id=format!("fw-{}", f.key)>
            <h2>{format!("{} {}", f.name, f.version)}</h2>
            <p class="muted small">{f.licence.clone()} " " {url}</p>
            {scope}
            <div class="table-wrap">
                <table class="data">
                    <caption class="sr-only">
                        {format!("Controls of {} and how many applications meet each", f.name)}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Control"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col">"Rules bearing on it"</th>
                            <StatusHeads />
                        </tr>
                    </thead>
                    <tbody>
                        {f
                            .controls
                            .into_iter()
                            .map(|c| view! { <ControlLine framework=key.clone() c /> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn ControlLine(framework: String, c: ControlRow) -> impl IntoView {
    let alias = c
        .alias_of
        .as_ref()
        .map(|a| view! { <div class="small muted">{format!("Alias of {a}: judged as it")}</div> });
    let summary = c
        .summary
        .clone()
        .map(|s| view! { <div class="small muted">{s}</div> });
    let rules = if c.rules.is_empty() {
        view! { <span class="muted">"None"</span> }.into_any()
    } else {
        let numbers: Vec<String> = c
            .rules
            .iter()
            .map(|r| r.title.split('.').next().unwrap_or_default().to_string())
            .collect();
        view! {
            <details class="rules">
                <summary>
                    {format!(
                        "{} rule{}: {}",
                        c.rules.len(),
                        if c.rules.len() == 1 { "" } else { "s" },
                        numbers.join(", "),
                    )}
                </summary>
                <ul class="plain small">
                    {c
                        .rules
                        .iter()
                        .map(|r| view! { <li>{format!("{} ({})", r.title, r.relationship)}</li> })
                        .collect_view()}
                </ul>
            </details>
        }
        .into_any()
    };
    let cells = match c.counts {
        None => view! {
            <td colspan="4" class="muted small">
                "Not judged: no rule of the portal bears on it."
            </td>
        }
        .into_any(),
        Some(n) => ControlStatus::ALL
            .iter()
            .map(|s| {
                let v = n.of(*s);
                let href = drill_href(&framework, &c.id, *s);
                let class = if *s == ControlStatus::NotMet && v > 0 {
                    "num bad"
                } else {
                    "num"
                };
                view! {
                    <td class=class>
                        {if v == 0 {
                            view! { <span>"0"</span> }.into_any()
                        } else {
                            view! {
                                <a
                                    href=href
                                    aria-label=format!(
                                        "{} applications: {}, {}",
                                        s.label(),
                                        count(v),
                                        c.label,
                                    )
                                >
                                    {count(v)}
                                </a>
                            }
                                .into_any()
                        }}
                    </td>
                }
            })
            .collect_view()
            .into_any(),
    };
    view! {
        <tr>
            <th scope="row">{c.label.clone()}</th>
            <td>{c.title.clone()} {summary} {alias}</td>
            <td>{rules}</td>
            {cells}
        </tr>
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let kept = typed::<ImportFrameworks>()
        .map(|f| f.document)
        .unwrap_or_default();
    view! {
        <form method="post" action=ImportFrameworks::PATH class="card stack">
            <h2 class="section-title">"Import frameworks"</h2>
            <p class="small">
                "Paste a catalogue document (the download's format). Each framework in it replaces the one with its key, with its controls and every mapping to them, or is added; the others stay as they are. Add your own internal standard this way. Audited; findings name the controls as mapped from then on."
            </p>
            <div class="field">
                <label for="document">"Catalogue document (JSON)"</label>
                <textarea
                    id="document"
                    name="document"
                    rows="10"
                    required
                    aria-invalid=aria_invalid("document")
                    aria-describedby=aria_describedby("document")
                >
                    {kept}
                </textarea>
                <FieldError name="document" />
            </div>
            <button type="submit" class="button">
                "Import"
            </button>
        </form>
    }
}

#[component]
pub fn ControlPage() -> impl IntoView {
    view! {
        <Title text="Control · Passwordless Governance Portal" />
        <Guarded>
            <ControlContent />
        </Guarded>
    }
}

#[component]
fn ControlContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let (framework, id, status) = (get("framework"), get("id"), get("status"));
    let offset = get("offset").parse::<usize>().unwrap_or(0);
    if framework.is_empty() || id.is_empty() {
        return view! {
            <PageHeader title="Control" />
            <p>
                "Choose a control and a status on the " <a href="/frameworks">"Frameworks"</a>
                " page."
            </p>
        }
        .into_any();
    }
    let page = Resource::new(
        move || (framework.clone(), id.clone(), status.clone(), offset),
        |(f, i, s, o)| get_drill(f, i, s, o),
    );
    view! {
        <p class="crumbs">
            <a href="/frameworks">"Frameworks"</a>
            " / "
        </p>
        <Loaded resource=page render=|d| view! { <DrillView d /> } />
    }
    .into_any()
}

#[component]
fn DrillView(d: Drill) -> impl IntoView {
    let tabs = ControlStatus::ALL
        .iter()
        .map(|s| {
            let current = (*s == d.status).then_some("page");
            view! {
                <li>
                    <a href=drill_href(&d.framework, &d.id, *s) aria-current=current>
                        {format!("{} ({})", s.label(), count(d.counts.of(*s)))}
                    </a>
                </li>
            }
        })
        .collect_view();
    let aliases = (!d.aliases.is_empty()).then(
        || view! { <p class="small">{format!("Also cited as {}.", d.aliases.join(", "))}</p> },
    );
    let scope = d.applies_to_tag.as_ref().map(|t| {
        view! {
            <p class="small">
                {format!(
                    "{} applies only to applications tagged \u{201c}{t}\u{201d}.",
                    d.framework_name,
                )}
            </p>
        }
    });
    let rows = if d.rows.is_empty() {
        view! {
            <p>
                {format!("No application is {} for this control.", d.status.label().to_lowercase())}
            </p>
        }
        .into_any()
    } else {
        let show_findings = matches!(d.status, ControlStatus::NotMet | ControlStatus::Excepted);
        view! {
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Application"</th>
                        <th scope="col">"Criticality"</th>
                        {show_findings.then(|| view! { <th scope="col">"Findings behind it"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {d
                        .rows
                        .iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!(
                                            "/applications/{}#controls",
                                            r.id,
                                        )>{r.name.clone()}</a>
                                    </th>
                                    <td>{r.criticality.label()}</td>
                                    {show_findings
                                        .then(|| {
                                            view! {
                                                <td>
                                                    <FindingList findings=r.findings.clone() />
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let base = drill_href(&d.framework, &d.id, d.status);
    let prev = (d.offset > 0).then(|| {
        let o = d.offset.saturating_sub(PAGE);
        view! {
            <a href=format!("{base}&offset={o}") rel="prev">
                "← Previous"
            </a>
        }
    });
    let next = d.more.then(|| {
        let o = d.offset + PAGE;
        view! {
            <a href=format!("{base}&offset={o}") rel="next">
                "Next →"
            </a>
        }
    });
    view! {
        <PageHeader
            title=format!("{} — {}", d.label, d.title)
            subtitle=d.framework_name.clone()
        />
        {aliases}
        {scope}
        <section class="card">
            <h2 class="section-title">"Rules bearing on it"</h2>
            <ul>
                {d
                    .rules
                    .iter()
                    .map(|r| view! { <li>{format!("{} ({})", r.title, r.relationship)}</li> })
                    .collect_view()}
            </ul>
        </section>
        <nav class="tabs" aria-label="Status">
            <ul>{tabs}</ul>
        </nav>
        <section class="card">{rows} <p class="pager">{prev} " " {next}</p></section>
    }
}

#[component]
fn FindingList(findings: Vec<FindingLine>) -> impl IntoView {
    view! {
        <ul class="plain">
            {findings
                .into_iter()
                .map(|f| {
                    let exception = f
                        .exception
                        .map(|e| {
                            view! {
                                " "
                                <a href=format!(
                                    "/exceptions/{e}",
                                )>"Excepted: who approved it, why, until when"</a>
                            }
                        });
                    view! {
                        <li>
                            <span class=format!(
                                "badge {}",
                                severity_class(f.severity),
                            )>{f.severity.label()}</span>
                            " "
                            <strong>{f.rule.clone()}</strong>
                            ": "
                            {f.explanation.clone()}
                            {exception}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The application page's section: its control status per framework.
#[component]
pub fn ApplicationControlsSection() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    // The application page as of a date (`?as_of=`) shows the status as of that date too.
    let as_of = use_query_map()
        .get_untracked()
        .get("as_of")
        .unwrap_or_default();
    let found = Resource::new(
        move || (id, as_of.clone()),
        |(id, at)| get_application_controls(id, at),
    );
    view! { <Loaded resource=found render=move |c| view! { <ControlsSection id c /> } /> }
        .into_any()
}

#[component]
fn ControlsSection(id: ApplicationId, c: AppControls) -> impl IntoView {
    let heading = match &c.as_of {
        Some(d) => format!("Control status of {} as of {d}", c.application),
        None => "Control status".to_string(),
    };
    let unregistered = (!c.registered)
        .then(|| view! { <p>"The application was not registered yet on that date: nothing was judged."</p> });
    view! {
        <section class="card" id="controls">
            <h2>{heading}</h2>
            {unregistered}
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Framework"</th>
                        <StatusHeads />
                    </tr>
                </thead>
                <tbody>
                    {c
                        .frameworks
                        .iter()
                        .map(|f| {
                            view! {
                                <tr>
                                    <th scope="row">{f.name.clone()}</th>
                                    <td class="num">{count(f.counts.met)}</td>
                                    <td class="num">{count(f.counts.excepted)}</td>
                                    <td class=bad_if(
                                        f.counts.not_met,
                                    )>{count(f.counts.not_met)}</td>
                                    <td class="num">{count(f.counts.not_applicable)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {c
                .frameworks
                .into_iter()
                .filter(|f| !f.controls.is_empty())
                .map(|f| {
                    view! {
                        <h3>{f.name.clone()}</h3>
                        <ul class="plain">
                            {f
                                .controls
                                .into_iter()
                                .map(|ctl| {
                                    view! {
                                        <li>
                                            <strong>
                                                {format!("{} {}", ctl.label, ctl.status.label())}
                                            </strong>
                                            {format!(" — {}", ctl.title)}
                                            <FindingList findings=ctl.findings />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
            {c
                .as_of
                .clone()
                .map(|d| {
                    view! {
                        <p class="small">
                            <a href=format!(
                                "/applications/{id}?as_of={d}",
                            )>{format!("The application and its declaration as of {d}")}</a>
                        </p>
                    }
                })}
            <form method="get" action="/evidence/application" class="inline">
                <input type="hidden" name="id" value=id.to_string() />
                <label for="controls-at">"Status as of"</label>
                " "
                <input
                    id="controls-at"
                    type="date"
                    name="at"
                    required
                    value=c.as_of.clone().unwrap_or_default()
                />
                " "
                <button type="submit" class="button secondary">
                    "Show"
                </button>
            </form>
        </section>
    }
}

/// `/evidence/application?id=…&at=YYYY-MM-DD`: an application's control status and the
/// findings behind it as of the end of a day.
#[component]
pub fn AsOfPage() -> impl IntoView {
    view! {
        <Title text="Status as of a date · Passwordless Governance Portal" />
        <Guarded>
            <AsOfContent />
        </Guarded>
    }
}

#[component]
fn AsOfContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let id = q.get("id").and_then(|v| v.parse::<ApplicationId>().ok());
    let at = q.get("at").unwrap_or_default();
    let Some(id) = id else {
        return view! { <p>"Choose an application from its page."</p> }.into_any();
    };
    let found = Resource::new(
        move || (id, at.clone()),
        |(id, at)| get_application_controls(id, at),
    );
    view! {
        <p class="crumbs">
            <a href=format!("/applications/{id}")>"Application"</a>
            " / "
            <a href=format!("/applications/{id}#versions")>"Its versions"</a>
        </p>
        <PageHeader
            title="Control status as of a date"
            subtitle="The findings open at the end of that day (UTC) and the exceptions holding then, against today's control catalogue."
        />
        <Loaded resource=found render=move |c| view! { <ControlsSection id c /> } />
    }
    .into_any()
}

#[component]
pub fn EvidencePage() -> impl IntoView {
    view! {
        <Title text="Evidence · Passwordless Governance Portal" />
        <Guarded roles=EvidenceReaders::ROLES>
            <EvidenceContent />
        </Guarded>
    }
}

#[component]
fn EvidenceContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = TrailFilter {
        actor: get("actor"),
        action: get("action"),
        application: get("application"),
        from: get("from"),
        to: get("to"),
        before: get("before").parse().ok(),
    };
    let shown = filter.clone();
    let page = Resource::new(move || filter.clone(), get_trail);
    view! {
        <PageHeader
            title="Evidence"
            subtitle="The audit trail, newest first: who did what, when, to what, with each change's before and after. Every event is chained by hash to the one before; the portal signs the chain's head."
        />
        <Loaded resource=page render=move |t| view! { <TrailView t filter=shown.clone() /> } />
    }
}

#[component]
fn ChainPanel(c: ChainView) -> impl IntoView {
    let (class, status) = match c.intact {
        Some(true) => ("alert ok", "Verified"),
        Some(false) => ("alert error", "NOT verified"),
        None => ("alert warn", "Not checked yet"),
    };
    let checkpoint = match &c.checkpoint {
        Some((seq, hash, at)) => {
            format!("Latest signed checkpoint: event {seq}, {at}, hash {hash}.")
        }
        None => "No checkpoint signed yet.".into(),
    };
    view! {
        <section class=class aria-label="Chain verification">
            <p>
                <strong>{format!("Audit chain: {status}")}</strong>
                {c
                    .checked_at
                    .clone()
                    .map(|t| {
                        format!(" (last check {t}, {} events)", count(c.events.max(0) as u64))
                    })}
            </p>
            <p class="small">{c.detail.clone()}</p>
            <p class="small">{checkpoint}</p>
            <p class="small">{format!("Head now: event {}, hash {}", c.head.0, c.head.1)}</p>
            <p class="small">
                "Checkpoint key (Ed25519, public half): "
                <code class="hash">
                    {c.public_key.clone().unwrap_or_else(|| "not available".into())}
                </code>
            </p>
            <p>
                <a href="/evidence/verify" class="button secondary">
                    "Verify the chain now"
                </a>
            </p>
        </section>
    }
}

fn trail_href(filter: &TrailFilter, before: Option<i64>) -> String {
    let mut q: Vec<String> = filter
        .pairs()
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if let Some(b) = before {
        q.push(format!("before={b}"));
    }
    if q.is_empty() {
        "/evidence".into()
    } else {
        format!("/evidence?{}", q.join("&"))
    }
}

#[component]
fn TrailView(t: Trail, filter: TrailFilter) -> impl IntoView {
    let problem = |field: &str| {
        t.problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let field = move |name: &'static str,
                      label: &'static str,
                      value: String,
                      kind: &'static str,
                      p: Option<String>| {
        let err_id = format!("trail-{name}-error");
        let invalid = p.is_some().then_some("true");
        let described = p.is_some().then(|| err_id.clone());
        view! {
            <div>
                <label for=format!("trail-{name}")>{label}</label>
                <input
                    id=format!("trail-{name}")
                    type=kind
                    name=name
                    value=value
                    aria-invalid=invalid
                    aria-describedby=described
                />
                {p
                    .map(|m| {
                        view! {
                            <p class="field-error" id=err_id>
                                {m}
                            </p>
                        }
                    })}
            </div>
        }
    };
    let actions: Vec<(String, String)> = t.actions.iter().map(|a| (a.clone(), a.clone())).collect();
    let next = t.next_before.map(|b| {
        view! {
            <a href=trail_href(&filter, Some(b)) rel="next">
                "Older events →"
            </a>
        }
    });
    let newest = filter
        .before
        .map(|_| view! { <a href=trail_href(&filter, None)>"← Newest"</a> });
    let events = if t.events.is_empty() {
        view! { <p>"No event matches."</p> }.into_any()
    } else {
        view! {
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col" class="num">
                            "#"
                        </th>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Subject"</th>
                    </tr>
                </thead>
                <tbody>
                    {t.events.into_iter().map(|e| view! { <EventLine e /> }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <ChainPanel c=t.chain.clone() />
        <section class="card" aria-label="Exports">
            <h2 class="section-title">"Export the evidence"</h2>
            <p class="small">
                "Each download is recorded in the trail and signs a checkpoint of the chain first. The bundle holds every application, declaration version, finding, exception with its history, control status, policy version, the catalogue, the trail up to that checkpoint, both OSCAL documents, the checkpoint and its public key, and a manifest with every file's SHA-256."
            </p>
            <p>
                <a class="button" href=format!("{EVIDENCE_EXPORT_PATH}?kind=bundle") download>
                    "Evidence bundle (ZIP)"
                </a>
                " "
                <a
                    class="button secondary"
                    href=format!("{EVIDENCE_EXPORT_PATH}?kind=oscal-ar")
                    download
                >
                    "OSCAL assessment results"
                </a>
                " "
                <a
                    class="button secondary"
                    href=format!("{EVIDENCE_EXPORT_PATH}?kind=oscal-poam")
                    download
                >
                    "OSCAL POA&M"
                </a>
            </p>
        </section>
        <form method="get" action="/evidence" class="card filters" role="search" autocomplete="off">
            <div class="filter-grid">
                {field(
                    "actor",
                    "Who (username, system, host-operator)",
                    filter.actor.clone(),
                    "text",
                    problem("actor"),
                )} <div>
                    <label for="trail-action">"Action"</label>
                    <select id="trail-action" name="action">
                        {select_options(actions, &filter.action, Some("Any action"))}
                    </select>
                    {problem("action").map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                {field(
                    "application",
                    "Application (id)",
                    filter.application.clone(),
                    "text",
                    problem("application"),
                )} {field("from", "From", filter.from.clone(), "date", problem("from"))}
                {field("to", "To", filter.to.clone(), "date", problem("to"))}
            </div>
            <button type="submit" class="button">
                "Filter"
            </button>
            " "
            <a href="/evidence">"Clear"</a>
        </form>
        <section class="card">{events} <p class="pager">{newest} " " {next}</p></section>
    }
}

#[component]
fn EventLine(e: EventRow) -> impl IntoView {
    let subject = match &e.subject_href {
        Some(h) => view! { <a href=h.clone()>{format!("{} {}", e.subject_type, e.subject_id)}</a> }
            .into_any(),
        None => view! { <span>{format!("{} {}", e.subject_type, e.subject_id)}</span> }.into_any(),
    };
    view! {
        <tr>
            <td class="num">
                <a href=format!("/evidence/events/{}", e.seq)>{e.seq}</a>
            </td>
            <td>{e.occurred_at.replace('T', " ")}</td>
            <td>{e.actor.clone()}</td>
            <td>
                <code>{e.action.clone()}</code>
            </td>
            <td>{subject}</td>
        </tr>
    }
}

#[component]
pub fn EventPage() -> impl IntoView {
    view! {
        <Title text="Audit event · Passwordless Governance Portal" />
        <Guarded roles=EvidenceReaders::ROLES>
            <EventContent />
        </Guarded>
    }
}

#[component]
fn EventContent() -> impl IntoView {
    let seq = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let found = Resource::new(move || seq, get_event);
    view! {
        <p class="crumbs">
            <a href="/evidence">"Evidence"</a>
            " / "
        </p>
        <Loaded resource=found render=|e| view! { <EventView e /> } />
    }
}

#[component]
fn EventView(e: EventDetail) -> impl IntoView {
    let block = |title: &'static str, body: Option<String>| {
        view! {
            <section class="card">
                <h2 class="section-title">{title}</h2>
                {match body {
                    Some(b) => view! { <pre class="json">{b}</pre> }.into_any(),
                    None => view! { <p class="muted">"Nothing"</p> }.into_any(),
                }}
            </section>
        }
    };
    let hash = if e.hash_ok {
        view! { <p class="alert ok">"Its hash, recomputed over the bytes stored, matches."</p> }
            .into_any()
    } else {
        view! {
            <p class="alert error">
                "Its hash, recomputed over the bytes stored, does NOT match: the event was altered."
            </p>
        }
        .into_any()
    };
    view! {
        <PageHeader title=format!("Event {}: {}", e.row.seq, e.row.action) />
        <section class="card">
            <dl class="facts">
                <dt>"When (UTC)"</dt>
                <dd>{e.row.occurred_at.clone()}</dd>
                <dt>"Who"</dt>
                <dd>{e.row.actor.clone()}</dd>
                <dt>"Subject"</dt>
                <dd>{format!("{} {}", e.row.subject_type, e.row.subject_id)}</dd>
                <dt>"Hash"</dt>
                <dd>
                    <code class="hash">{e.hash.clone()}</code>
                </dd>
                <dt>"Previous event's hash"</dt>
                <dd>
                    <code class="hash">{e.prev_hash.clone()}</code>
                </dd>
            </dl>
            {hash}
        </section>
        {block("Before", e.before)}
        {block("After", e.after)}
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <Title text="Verify the audit chain · Passwordless Governance Portal" />
        <Guarded roles=EvidenceReaders::ROLES>
            <VerifyContent />
        </Guarded>
    }
}

#[component]
fn VerifyContent() -> impl IntoView {
    let result = Resource::new(|| (), |_| verify_chain_now());
    view! {
        <p class="crumbs">
            <a href="/evidence">"Evidence"</a>
            " / "
        </p>
        <PageHeader
            title="Verify the audit chain"
            subtitle="Every event's hash recomputed over the bytes stored and linked to the one before, then the chain compared with the latest checkpoint the portal signed (kept outside the database)."
        />
        <Loaded
            resource=result
            render=|(ok, words)| {
                view! {
                    <section class=if ok { "alert ok" } else { "alert error" } role="status">
                        <strong>{if ok { "Verified" } else { "NOT verified" }}</strong>
                        <p>{words}</p>
                    </section>
                }
            }
        />
    }
}
