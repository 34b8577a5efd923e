//! The exceptions pages: the lists (`/exceptions`), one exception (`/exceptions/<id>`) with its
//! decision, withdrawal and revocation forms, and the request form (`/exceptions/new`). Every
//! form is a plain post that works without JavaScript.

use super::api::{
    DecideException, RequestException, RevokeException, WithdrawException, get_exception,
    get_request_form, list_exceptions,
};
use super::model::{
    EXCEPTIONS_EXPORT_PATH, ExceptionDetail, ExceptionFilter, ExceptionState, ExceptionSummary,
    ExceptionView, ExceptionsPage as Page, RequestContext, Severity,
};
use crate::components::{
    Feedback, Loaded, PageHeader, Pager, Position, Typed, count, encode_component, field_error_id,
    field_id, field_problem, id_param, list_href, select_options, severity_class, textarea_text,
    typed, vocab_options,
};
use crate::ids::{ApplicationId, ExceptionId};
use crate::session::facade::Guarded;
use crate::session::model::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A state in words, with what "now" makes of it.
fn state_words(s: &ExceptionSummary) -> String {
    match s.state {
        ExceptionState::Approved if s.days_left == 0 => {
            format!("Approved, last day today ({})", s.until)
        }
        ExceptionState::Approved if s.days_left == 1 => {
            format!("Approved until {} (1 day left)", s.until)
        }
        ExceptionState::Approved => {
            format!("Approved until {} ({} days left)", s.until, s.days_left)
        }
        ExceptionState::Requested => format!("Requested until {}", s.until),
        ExceptionState::Expired => format!("Expired (last day {})", s.until),
        other => other.label().to_string(),
    }
}

fn state_class(s: ExceptionState) -> &'static str {
    match s {
        ExceptionState::Approved => "badge excepted",
        ExceptionState::Requested => "badge warn",
        ExceptionState::Expired | ExceptionState::Revoked => "badge bad",
        _ => "badge",
    }
}

#[component]
pub fn ExceptionsPage() -> impl IntoView {
    view! {
        <Title text="Exceptions · Passwordless Governance Portal" />
        <Guarded>
            <ExceptionsContent />
        </Guarded>
    }
}

#[component]
fn ExceptionsContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = ExceptionFilter {
        view: get("view"),
        state: get("state"),
        severity: get("severity"),
    };
    let position = Position::from_query(|k| q.get(k));
    let (after, before) = position.bounds();
    let page = Resource::new(
        move || (filter.clone(), after.clone(), before.clone()),
        |(f, a, b)| list_exceptions(f, a, b),
    );
    view! {
        <PageHeader
            title="Exceptions"
            subtitle="Time-limited acceptances of findings: what waits for a decision, what expires soon, what lapsed."
        />
        <Feedback />
        <Loaded
            resource=page
            render=move |p| view! { <ExceptionsList page=p position=position.clone() /> }
        />
    }
}

#[component]
fn ExceptionsList(page: Page, position: Position) -> impl IntoView {
    let f = page.filter.clone();
    let mut pairs = f.pairs();
    // The view shown stays in the address of every link (paging, export).
    if let Some(p) = pairs.iter_mut().find(|p| p.0 == "view") {
        p.1 = page.view.as_str().to_string();
    }
    let export = |format: &str| {
        let mut p = pairs.clone();
        p.push(("format", format.to_string()));
        list_href(EXCEPTIONS_EXPORT_PATH, &p, &Position::First)
    };
    let (csv, json) = (export("csv"), export("json"));
    let tabs = ExceptionView::ALL
        .iter()
        .map(|v| {
            let n = match v {
                ExceptionView::Queue => Some(page.waiting),
                ExceptionView::Expiring => Some(page.expiring),
                ExceptionView::Expired => Some(page.expired),
                _ => None,
            };
            let label = match n {
                Some(n) => format!("{} ({})", v.label(), count(n)),
                None => v.label().to_string(),
            };
            let href = format!("/exceptions?view={}", v.as_str());
            let current = (*v == page.view).then_some("page");
            view! {
                <li>
                    <a href=href aria-current=current>
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let shown = match page.rows.len() {
        0 if page.total == 0 => "No exception here.".to_string(),
        0 => format!("No exception on this page; {} match.", count(page.total)),
        n => format!("Showing {n} of {}.", count(page.total)),
    };
    let empty = page.rows.is_empty();
    let neighbours = page.neighbours.clone();
    let view_key = page.view.as_str().to_string();
    let overseer = page.overseer;
    view! {
        <nav class="tabs" aria-label="Exception lists">
            <ul>{tabs}</ul>
        </nav>
        <form method="get" action="/exceptions" class="card filters" role="search">
            <input type="hidden" name="view" value=view_key />
            <div class="filter-grid">
                <div>
                    <label for="x-state">"State"</label>
                    <select id="x-state" name="state">
                        {select_options(
                            vocab_options(
                                ExceptionState::ALL,
                                ExceptionState::as_str,
                                ExceptionState::label,
                            ),
                            &f.state,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="x-severity">"Severity"</label>
                    <select id="x-severity" name="severity">
                        {select_options(
                            vocab_options(Severity::ALL, Severity::as_str, Severity::label),
                            &f.severity,
                            Some("Any"),
                        )}
                    </select>
                </div>
            </div>
            <div class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href="/exceptions">"Clear"</a>
                {overseer
                    .then(|| {
                        view! {
                            <span class="spacer"></span>
                            <a href=csv.clone() download="exceptions.csv">
                                "Download CSV"
                            </a>
                            <a href=json.clone() download="exceptions.json">
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
                        <table class="exceptions">
                            <caption class="sr-only">{page.view.label()}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Application"</th>
                                    <th scope="col">"Finding"</th>
                                    <th scope="col">"State"</th>
                                    <th scope="col">"Requested"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .rows
                                    .into_iter()
                                    .map(|s| view! { <ExceptionRow s /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            <Pager path="/exceptions" pairs position neighbours empty />
        </div>
    }
}

#[component]
fn ExceptionRow(s: ExceptionSummary) -> impl IntoView {
    let href = format!("/exceptions/{}", s.id);
    let app_href = format!("/applications/{}#findings", s.application_id);
    let words = state_words(&s);
    let renewal = (s.renewal_number > 0).then(|| format!(" · renewal {}", s.renewal_number));
    view! {
        <tr>
            <td>
                <span class=severity_class(s.severity)>{s.severity.label()}</span>
            </td>
            <td>
                <a href=app_href>{s.application}</a>
            </td>
            <td>
                <a href=href>{s.rule}</a>
                <br />
                <span class="muted small">{s.scope}</span>
            </td>
            <td>
                <span class=state_class(s.state)>{words}</span>
                {s
                    .no_longer_needed
                    .then(|| {
                        view! {
                            <br />
                            <span class="small">"No longer needed: the finding is resolved."</span>
                        }
                    })}
            </td>
            <td class="small">
                {format!("{} by {}{}", s.requested_at, s.requested_by, renewal.unwrap_or_default())}
            </td>
        </tr>
    }
}

#[component]
pub fn ExceptionPage() -> impl IntoView {
    view! {
        <Title text="Exception · Passwordless Governance Portal" />
        <Guarded>
            <ExceptionContent />
        </Guarded>
    }
}

#[component]
fn ExceptionContent() -> impl IntoView {
    let Some(id) = id_param::<ExceptionId>() else {
        return view! { <crate::components::NotFound /> }.into_any();
    };
    let found = Resource::new(move || id, get_exception);
    view! {
        <Feedback />
        <Loaded resource=found render=|d| view! { <ExceptionDetailView d /> } />
    }
    .into_any()
}

#[component]
fn ExceptionDetailView(d: ExceptionDetail) -> impl IntoView {
    let s = d.summary.clone();
    let id = s.id.to_string();
    let title = format!("Exception for {} on {}", s.rule, s.application);
    let app_href = format!("/applications/{}#findings", s.application_id);
    let finding_words = match d.finding_state.as_str() {
        "open" => "The finding is open.",
        "excepted" => "The finding is excepted.",
        "resolved" => "The finding is resolved: the declaration no longer deviates.",
        _ => "The finding no longer exists.",
    };
    let renew_href = format!(
        "/exceptions/new?application={}&finding={}",
        s.application_id,
        encode_component(&s.finding_key)
    );
    let chain = d
        .chain
        .iter()
        .map(|c| {
            let href = format!("/exceptions/{}", c.id);
            let this = (c.id == s.id).then_some("page");
            view! {
                <li>
                    <a href=href aria-current=this>
                        {if c.renewal_number == 0 {
                            "First request".to_string()
                        } else {
                            format!("Renewal {}", c.renewal_number)
                        }}
                    </a>
                    {format!(
                        " · {} · requested {} by {}",
                        state_words(c),
                        c.requested_at,
                        c.requested_by,
                    )}
                </li>
            }
        })
        .collect_view();
    let history = d
        .history
        .iter()
        .map(|h| {
            view! {
                <li>
                    <strong>{h.what.clone()}</strong>
                    {format!(" · {} · {}", h.at, h.who)}
                    {h
                        .reason
                        .clone()
                        .map(|r| view! { <blockquote class="reason">{r}</blockquote> })}
                </li>
            }
        })
        .collect_view();
    let permitted = d.permitted.clone();
    let limits = format!(
        "Policy: at most {} days for a {} finding, {} renewal{}.",
        d.max_days,
        s.severity.label().to_lowercase(),
        d.renewal_cap,
        if d.renewal_cap == 1 { "" } else { "s" }
    );
    view! {
        <PageHeader title=title subtitle=limits />
        <section class="card" aria-labelledby="x-what">
            <h2 id="x-what">"What is accepted"</h2>
            <p>
                <span class=severity_class(s.severity)>{s.severity.label()}</span>
                " "
                <span class=state_class(s.state)>{state_words(&s)}</span>
            </p>
            <dl class="facts">
                <dt>"Application"</dt>
                <dd>
                    <a href=app_href>{s.application.clone()}</a>
                </dd>
                <dt>"Finding"</dt>
                <dd>{s.rule.clone()} <br /> <span class="muted small">{s.scope.clone()}</span></dd>
                <dt>"Finding now"</dt>
                <dd>{finding_words}</dd>
                <dt>"Requested"</dt>
                <dd>{format!("{} by {}", s.requested_at, s.requested_by)}</dd>
            </dl>
            {d.finding_explanation.clone().map(|e| view! { <p class="explanation">{e}</p> })}
            {s
                .no_longer_needed
                .then(|| {
                    view! {
                        <p class="alert ok" role="status">
                            "No longer needed: the deviation is gone."
                        </p>
                    }
                })}
        </section>
        <section class="card" aria-labelledby="x-why">
            <h2 id="x-why">"Justification"</h2>
            <p class="prose">{d.justification.clone()}</p>
            <h3>"Compensating controls"</h3>
            <p class="prose">{d.compensating_controls.clone()}</p>
        </section>
        <DecisionForms
            id=id.clone()
            permitted=permitted.clone()
            waiting=s.state == ExceptionState::Requested
        />
        {permitted
            .renew
            .then(|| {
                view! {
                    <p>
                        <a class="button" href=renew_href.clone()>
                            "Ask to renew"
                        </a>
                    </p>
                }
            })}
        {permitted.renew_refused_because.clone().map(|why| view! { <p class="muted">{why}</p> })}
        <section class="card" aria-labelledby="x-history">
            <h2 id="x-history">"History"</h2>
            <ol class="history">{history}</ol>
        </section>
        <section class="card" aria-labelledby="x-chain">
            <h2 id="x-chain">"Exceptions on this finding"</h2>
            <ol class="chain">{chain}</ol>
        </section>
    }
}

/// The forms for what the viewer may do: decide (approve or reject, with a reason), withdraw,
/// revoke; or why a security user may not decide this one.
#[component]
fn DecisionForms(id: String, permitted: super::model::Permitted, waiting: bool) -> impl IntoView {
    // A refused decision or revocation comes back with the reason as it was typed.
    let decided = Typed::of_record(DecideException::PATH, "id", &id);
    let revoked = Typed::of_record(RevokeException::PATH, "id", &id);
    let decide = permitted.decide.then(|| {
        view! {
            <section class="card" aria-labelledby="x-decide">
                <h2 id="x-decide">"Decide"</h2>
                <form method="post" action=DecideException::PATH class="stack">
                    <input type="hidden" name="id" value=id.clone() />
                    <label for="x-reason">
                        "Reason (needed to reject; read by the requester and auditors)"
                    </label>
                    <textarea
                        id="x-reason"
                        name="reason"
                        rows="3"
                        maxlength="4000"
                        aria-invalid=decided.invalid("reason")
                        aria-describedby=decided.described("reason", "x-reason")
                    >
                        {textarea_text(&decided.text("reason", ""))}
                    </textarea>
                    {decided.message("reason", "x-reason")}
                    <div class="actions">
                        <button type="submit" name="decision" value="approve">
                            "Approve"
                        </button>
                        <button type="submit" name="decision" value="reject" class="danger">
                            "Reject"
                        </button>
                    </div>
                </form>
            </section>
        }
    });
    let why_not = match permitted.not_decider_because.clone() {
        Some(why) => Some(view! {
            <p class="alert" role="note">
                {why}
            </p>
        }.into_any()),
        None if waiting && !permitted.decide => Some(
            view! {
                <p class="note">
                    "Waiting for a decision by a security user who neither asked for it nor owns the application."
                </p>
            }
                .into_any(),
        ),
        None => None,
    };
    let withdraw = permitted.withdraw.then(|| {
        view! {
            <form method="post" action=WithdrawException::PATH class="inline">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="reason" value="" />
                <button type="submit" class="secondary">
                    "Withdraw the request"
                </button>
            </form>
        }
    });
    let revoke = permitted.revoke.then(|| {
        view! {
            <section class="card" aria-labelledby="x-revoke">
                <h2 id="x-revoke">"Revoke"</h2>
                <form method="post" action=RevokeException::PATH class="stack">
                    <input type="hidden" name="id" value=id.clone() />
                    <label for="x-revoke-reason">"Reason"</label>
                    <textarea
                        id="x-revoke-reason"
                        name="reason"
                        rows="2"
                        maxlength="4000"
                        required
                        aria-invalid=revoked.invalid("reason")
                        aria-describedby=revoked.described("reason", "x-revoke-reason")
                    >
                        {textarea_text(&revoked.text("reason", ""))}
                    </textarea>
                    {revoked.message("reason", "x-revoke-reason")}
                    <button type="submit" class="danger">
                        "Revoke now: the finding opens again"
                    </button>
                </form>
            </section>
        }
    });
    view! {
        {why_not}
        {decide}
        {withdraw}
        {revoke}
    }
}

#[component]
pub fn RequestExceptionPage() -> impl IntoView {
    view! {
        <Title text="Request an exception · Passwordless Governance Portal" />
        <Guarded roles=&[Role::Owner, Role::Security]>
            <RequestContent />
        </Guarded>
    }
}

#[component]
fn RequestContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let Some(application) = q
        .get("application")
        .and_then(|a| a.parse::<ApplicationId>().ok())
    else {
        return view! {
            <PageHeader title="Request an exception" />
            <div class="card">
                <p>
                    "An exception accepts one finding. Open the finding on its application's page or in "
                    <a href="/findings">"the findings list"</a>
                    " and choose “Request an exception”."
                </p>
            </div>
        }
            .into_any();
    };
    let finding = q.get("finding").unwrap_or_default();
    let form = Resource::new(
        move || (application, finding.clone()),
        |(a, f)| get_request_form(a, f),
    );
    view! {
        <PageHeader
            title="Request an exception"
            subtitle="Accept one finding for a limited time, with the reason and what reduces the risk meanwhile. A security user who is neither you nor an owner decides."
        />
        <Loaded resource=form render=|c| view! { <RequestForm c /> } />
    }
    .into_any()
}

#[component]
fn RequestForm(c: RequestContext) -> impl IntoView {
    // A refused request for this finding comes back as it was typed, every problem named (the
    // list of them is at the top of the page).
    let (application, finding) = (c.application_id.to_string(), c.finding_key.clone());
    let typed = typed::<RequestException>()
        .map(|r| r.input)
        .filter(|t| t.application == application && t.finding == finding)
        .unwrap_or_default();
    let problem = |name: &str| field_problem(name);
    let until = if typed.until.is_empty() {
        c.latest_until.clone()
    } else {
        typed.until.clone()
    };
    let renewal = c.renews.map(|r| {
        let href = format!("/exceptions/{r}");
        view! {
            <p class="note">
                "This renews " <a href=href>"an earlier exception"</a>
                {format!(
                    " on this finding: renewal {} of at most {}.",
                    c.renewal_number,
                    c.renewal_cap,
                )}
            </p>
        }
    });
    let field = |name: &'static str, help: String| {
        let err = problem(name);
        let id = field_id(name);
        let help_id = format!("{id}-help");
        let err_id = field_error_id(name);
        let described = if err.is_some() {
            format!("{help_id} {err_id}")
        } else {
            help_id.clone()
        };
        (id, help_id, err_id, described, err, help)
    };
    let (j_id, j_help_id, j_err_id, j_desc, j_err, j_help) = field(
        "justification",
        "Why the deviation must stay for now, and what will end it.".into(),
    );
    let (k_id, k_help_id, k_err_id, k_desc, k_err, k_help) = field(
        "compensating_controls",
        "What reduces the risk meanwhile: monitoring, restricted access, alerts…".into(),
    );
    let (u_id, u_help_id, u_err_id, u_desc, u_err, u_help) = field(
        "until",
        format!(
            "The last day it holds. The policy allows at most {} days for a {} finding: {} at the latest.",
            c.max_days,
            c.severity.label().to_lowercase(),
            c.latest_until
        ),
    );
    let renewal_err = problem("renewal");
    let (j_for, k_for, u_for) = (j_id.clone(), k_id.clone(), u_id.clone());
    view! {
        <Feedback />
        <section class="card" aria-labelledby="x-finding">
            <h2 id="x-finding">"The finding"</h2>
            <p>
                <span class=severity_class(c.severity)>{c.severity.label()}</span>
                " "
                <strong>{c.rule.clone()}</strong>
                " on "
                <a href=format!(
                    "/applications/{}#findings",
                    c.application_id,
                )>{c.application.clone()}</a>
            </p>
            <p class="muted small">{c.scope.clone()}</p>
            <p class="explanation">{c.explanation.clone()}</p>
            {renewal}
            {renewal_err
                .map(|e| {
                    view! {
                        <p class="field-error" id="renewal">
                            {e}
                        </p>
                    }
                })}
        </section>
        <form method="post" action=RequestException::PATH class="card stack">
            <input type="hidden" name="input[application]" value=c.application_id.to_string() />
            <input type="hidden" name="input[finding]" value=c.finding_key.clone() />
            <label for=j_for>"Justification"</label>
            <textarea
                id=j_id
                name="input[justification]"
                rows="5"
                maxlength="4000"
                aria-invalid=j_err.is_some().then_some("true")
                aria-describedby=j_desc
            >
                {textarea_text(&typed.justification)}
            </textarea>
            <p class="hint" id=j_help_id>
                {j_help}
            </p>
            {j_err
                .map(|e| {
                    view! {
                        <p class="field-error" id=j_err_id.clone()>
                            {e}
                        </p>
                    }
                })}
            <label for=k_for>"Compensating controls"</label>
            <textarea
                id=k_id
                name="input[compensating_controls]"
                rows="3"
                maxlength="4000"
                aria-invalid=k_err.is_some().then_some("true")
                aria-describedby=k_desc
            >
                {textarea_text(&typed.compensating_controls)}
            </textarea>
            <p class="hint" id=k_help_id>
                {k_help}
            </p>
            {k_err
                .map(|e| {
                    view! {
                        <p class="field-error" id=k_err_id.clone()>
                            {e}
                        </p>
                    }
                })}
            <label for=u_for>"Last day"</label>
            <input
                id=u_id
                name="input[until]"
                type="date"
                value=until
                max=c.latest_until.clone()
                aria-invalid=u_err.is_some().then_some("true")
                aria-describedby=u_desc
            />
            <p class="hint" id=u_help_id>
                {u_help}
            </p>
            {u_err
                .map(|e| {
                    view! {
                        <p class="field-error" id=u_err_id.clone()>
                            {e}
                        </p>
                    }
                })}
            <div class="actions">
                <button type="submit">"Send the request"</button>
                <a href=format!("/applications/{}#findings", c.application_id)>"Cancel"</a>
            </div>
        </form>
    }
}
