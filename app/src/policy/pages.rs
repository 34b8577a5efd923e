//! The policy page (`/policy`: the version in force, any earlier one, its history) and the
//! editor (`/policy/edit`), whose preview is composed in by the page that knows findings.

use super::api::{SavePolicy, show_policy};
use super::model::{
    Criticality, CriticalityForm, JourneyRole, Policy, PolicyEditors, PolicyForm, PolicyShown,
    PolicyVersionSummary, RuleChoice, Severity,
};
use crate::components::{Feedback, FieldError, Loaded, PageHeader};
use crate::journey::{Names, PopulationJourney, describe_paths, describe_session, duration};
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let version = q.get("version").and_then(|v| v.parse::<i32>().ok());
    let as_of = q.get("as_of").filter(|d| !d.is_empty());
    let shown = Resource::new(move || (version, as_of.clone()), |(v, a)| show_policy(v, a));
    view! {
        <Title text="Standard policy · Passwordless Governance Portal" />
        <Guarded>
            <PageHeader
                title="Standard policy"
                subtitle="The organisation's standard journey and what each application must meet, by criticality. Findings are judged against the version in force."
            />
            <Feedback />
            <Loaded resource=shown render=|s| view! { <PolicyView s /> } />
        </Guarded>
    }
}

#[component]
fn PolicyView(s: PolicyShown) -> impl IntoView {
    let current = s.history.first().map(|h| h.version) == Some(s.summary.version);
    let heading = if current {
        format!("Version {} · in force", s.summary.version)
    } else {
        format!("Version {} · superseded", s.summary.version)
    };
    let p = s.policy.clone();
    view! {
        <div class="card">
            <h2>{heading}</h2>
            <p class="muted small">
                {format!(
                    "Saved {} by {}. Reason: {} SHA-256 {}",
                    s.summary.created_at,
                    s.summary.author,
                    s.summary.reason,
                    s.summary.sha256,
                )}
            </p>
            {s.as_of.clone().map(|d| view! { <p class="small">{format!("In force on {d}.")}</p> })}
            {(s.can_edit && current)
                .then(|| {
                    view! {
                        <a class="button" href="/policy/edit">
                            "Edit the policy"
                        </a>
                    }
                })}
        </div>
        <CriticalityTable policy=p.clone() />
        <StandardJourneys policy=p.clone() names=s.names.clone() />
        <BeyondTheStandard policy=p.clone() names=s.names.clone() />
        <ExceptionLimits policy=p />
        <PolicyHistory history=s.history shown=s.summary.version />
    }
}

#[component]
fn CriticalityTable(policy: Policy) -> impl IntoView {
    let row = |label: &'static str, f: &dyn Fn(Criticality) -> String| {
        let cells = Criticality::ALL
            .iter()
            .map(|c| view! { <td>{f(*c)}</td> })
            .collect_view();
        view! {
            <tr>
                <th scope="row">{label}</th>
                {cells}
            </tr>
        }
    };
    let r = |c: Criticality| policy.for_criticality(c).clone();
    view! {
        <section class="card">
            <h2>"Requirements by criticality"</h2>
            <table>
                <caption class="sr-only">"What each criticality requires"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Requirement"</th>
                        {Criticality::ALL
                            .iter()
                            .map(|c| view! { <th scope="col">{c.label()}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {row(
                        "Minimum assurance of the weakest path",
                        &|c| format!("AAL{}", r(c).min_aal),
                    )}
                    {row(
                        "Phishing-resistant primary",
                        &|c| yes(r(c).phishing_resistant_primary).into(),
                    )}
                    {row(
                        "Phishing-resistant step-up",
                        &|c| yes(r(c).phishing_resistant_step_up).into(),
                    )} {row("Longest session", &|c| duration(r(c).max_session_minutes))}
                    {row("Longest idle time", &|c| duration(r(c).max_idle_minutes))}
                    {row(
                        "Re-authentication for sensitive actions",
                        &|c| yes(r(c).reauth_sensitive).into(),
                    )} {row("Break-glass required", &|c| yes(r(c).break_glass_required).into())}
                    {row(
                        "Break-glass drill at least every",
                        &|c| format!("{} days", r(c).max_drill_age_days),
                    )}
                    {row(
                        "Declaration reviewed at least every",
                        &|c| format!("{} days", r(c).review_interval_days),
                    )}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn StandardJourneys(policy: Policy, names: Names) -> impl IntoView {
    let journey = |j: PopulationJourney, title: String| {
        let rows = JourneyRole::ALL
            .iter()
            .map(|role| {
                view! {
                    <tr>
                        <th scope="row">{role.label()}</th>
                        <td>{describe_paths(j.paths(*role), &names)}</td>
                    </tr>
                }
            })
            .collect_view();
        let session = describe_session(j.session.as_ref());
        view! {
            <section class="journey">
                <h3>{title}</h3>
                <table class="journey-table">
                    <tbody>
                        {rows} <tr>
                            <th scope="row">"Session rules"</th>
                            <td>{session}</td>
                        </tr>
                    </tbody>
                </table>
            </section>
        }
    };
    let listed = policy
        .standard
        .iter()
        .map(|j| journey(j.clone(), names.population(&j.population)))
        .collect_view();
    let other = journey(
        policy.default_journey.clone(),
        "Any other population".to_string(),
    );
    view! {
        <section class="card">
            <h2>"Standard journey"</h2>
            <p class="muted small">
                "New declarations start from the standard journey of each population."
            </p>
            <div class="journeys">{listed} {other}</div>
        </section>
    }
}

#[component]
fn BeyondTheStandard(policy: Policy, names: Names) -> impl IntoView {
    let allowed = JourneyRole::ALL
        .iter()
        .map(|role| {
            let ms = policy.allowed.get(role).cloned().unwrap_or_default();
            let text = if ms.is_empty() {
                "nothing beyond the standard".to_string()
            } else {
                ms.iter()
                    .map(|m| names.method(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            view! {
                <tr>
                    <th scope="row">{role.label()}</th>
                    <td>{text}</td>
                </tr>
            }
        })
        .collect_view();
    let never = if policy.never.is_empty() {
        "nothing".to_string()
    } else {
        policy
            .never
            .iter()
            .map(|m| names.method(m))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card">
            <h2>"Beyond the standard"</h2>
            <p class="muted small">
                "A method in a role that is neither in the standard journey nor allowed here is a deviation (rule 12)."
            </p>
            <table>
                <caption class="sr-only">"Methods allowed beyond the standard, by role"</caption>
                <tbody>{allowed}</tbody>
            </table>
            <p>
                <strong>"Never allowed without an exception: "</strong>
                {never}
            </p>
        </section>
    }
}

#[component]
fn ExceptionLimits(policy: Policy) -> impl IntoView {
    let e = policy.exceptions.clone();
    let days = Severity::ALL
        .iter()
        .map(|s| {
            view! {
                <li>
                    {format!(
                        "{}: at most {} days",
                        s.label(),
                        e.max_days.get(s).copied().unwrap_or_default(),
                    )}
                </li>
            }
        })
        .collect_view();
    let overrides = if policy.severity.is_empty() {
        "none: every rule has its default severity".to_string()
    } else {
        policy
            .severity
            .iter()
            .map(|(k, s)| format!("{k} → {}", s.label()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card">
            <h2>"Exceptions and severities"</h2>
            <ul>{days}</ul>
            <p>
                {format!(
                    "Renewed at most {} times; reminders {} days before expiry and on the day it lapses.",
                    e.renewal_cap,
                    e.reminder_days.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                )}
            </p>
            <p class="small">
                <strong>"Severities set by the policy: "</strong>
                {overrides}
            </p>
        </section>
    }
}

#[component]
fn PolicyHistory(history: Vec<PolicyVersionSummary>, shown: i32) -> impl IntoView {
    let rows = history
        .into_iter()
        .map(|h| {
            view! {
                <tr>
                    <td>
                        {if h.version == shown {
                            view! { <strong>{format!("Version {}", h.version)}</strong> }.into_any()
                        } else {
                            view! {
                                <a href=format!(
                                    "/policy?version={}",
                                    h.version,
                                )>{format!("Version {}", h.version)}</a>
                            }
                                .into_any()
                        }}
                    </td>
                    <td>{h.author}</td>
                    <td>{h.created_at}</td>
                    <td>{h.reason}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"History"</h2>
            <table>
                <caption class="sr-only">"Every version of the policy, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Saved"</th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form method="get" action="/policy" class="inline">
                <label for="as-of">"In force on"</label>
                <input id="as-of" type="date" name="as_of" />
                <button type="submit" class="small">
                    "Show"
                </button>
            </form>
        </section>
    }
}

/// The editor. `rules` are the rules whose severity the policy may set; `children` show what
/// the typed change would do (composed in by the page that knows findings).
#[component]
pub fn PolicyEditorPage(rules: Vec<RuleChoice>, children: ChildrenFn) -> impl IntoView {
    let shown = Resource::new(|| (), |_| show_policy(None, None));
    let editor = move || {
        let rules = rules.clone();
        view! {
            <Loaded
                resource=shown
                render=move |s| view! { <PolicyEditorForm s rules=rules.clone() /> }
            />
        }
    };
    view! {
        <Title text="Edit the standard policy · Passwordless Governance Portal" />
        <Guarded roles=PolicyEditors::ROLES>
            <PageHeader
                title="Edit the standard policy"
                subtitle="Preview what a change does to the findings before saving it. Every version is kept, and saving judges every application again."
            />
            <Feedback />
            {children()}
            {editor()}
        </Guarded>
    }
}

#[component]
fn PolicyEditorForm(s: PolicyShown, rules: Vec<RuleChoice>) -> impl IntoView {
    let q = use_query_map().get_untracked();
    let previewing = q.get("preview").is_some();
    let form = if previewing {
        let pairs: Vec<(String, String)> = q
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    } else {
        PolicyForm::of(&s.policy)
    };
    let next = s.summary.version + 1;
    let names = s.names.clone();
    let crit_rows = criticality_inputs(&form);
    let methods = s.method_order.clone();
    let never = methods
        .iter()
        .map(|m| {
            let id = format!("never-{m}");
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        id=id
                        type="checkbox"
                        name=format!("never[{m}]")
                        checked=form.never.contains_key(m)
                    />
                    {names.method(m)}
                </label>
            }
        })
        .collect_view();
    let allowed = JourneyRole::ALL
        .iter()
        .map(|role| {
            let chosen = form.allowed.get(role.as_str()).cloned().unwrap_or_default();
            let boxes = methods
                .iter()
                .map(|m| {
                    let id = format!("allowed-{}-{m}", role.as_str());
                    let label_for = id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input
                                id=id
                                type="checkbox"
                                name=format!("allowed[{}][{m}]", role.as_str())
                                checked=chosen.contains_key(m)
                            />
                            {names.method(m)}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="checks">
                    <legend>{role.label()}</legend>
                    {boxes}
                    <FieldError name=format!("allowed[{}]", role.as_str()) />
                </fieldset>
            }
        })
        .collect_view();
    let severities = rules
        .iter()
        .map(|r| {
            let chosen = form.severity.get(&r.key).cloned().unwrap_or_default();
            let id = format!("sev-{}", r.key);
            let name = format!("severity[{}]", r.key);
            view! {
                <div class="field">
                    <label for=id.clone()>{r.title.clone()}</label>
                    <select id=id name=name.clone()>
                        <option value="" selected=chosen.is_empty()>
                            {format!("Default ({})", r.default.label())}
                        </option>
                        {Severity::ALL
                            .iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=chosen == s.as_str()>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldError name=name />
                </div>
            }
        })
        .collect_view();
    let max_days = Severity::ALL
        .iter()
        .map(|s| {
            let name = format!("exceptions[max_days][{}]", s.as_str());
            let id = format!("max-days-{}", s.as_str());
            view! {
                <div class="field">
                    <label for=id
                        .clone()>
                        {format!("{} findings: longest exception (days)", s.label())}
                    </label>
                    <input
                        id=id
                        type="number"
                        min="1"
                        name=name.clone()
                        value=form.exceptions.max_days.get(s.as_str()).cloned().unwrap_or_default()
                    />
                    <FieldError name=name />
                </div>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=SavePolicy::PATH class="policy-editor">
            <input type="hidden" name="preview" value="1" />
            <section class="card">
                <h2>"Requirements by criticality"</h2>
                {crit_rows}
            </section>
            <section class="card">
                <h2>"Methods allowed beyond the standard journey"</h2>
                <p class="muted small">
                    "Anything else in a role is a deviation (rule 12). The standard journeys themselves are kept from the version in force."
                </p>
                {allowed}
                <fieldset class="checks">
                    <legend>"Never allowed without an exception"</legend>
                    {never}
                    <FieldError name="never" />
                </fieldset>
            </section>
            <section class="card">
                <h2>"Exceptions"</h2>
                <div class="grid four">
                    {max_days} <div class="field">
                        <label for="renewal-cap">"Renewals allowed"</label>
                        <input
                            id="renewal-cap"
                            type="number"
                            min="0"
                            name="exceptions[renewal_cap]"
                            value=form.exceptions.renewal_cap.clone()
                        />
                        <FieldError name="exceptions[renewal_cap]" />
                    </div> <div class="field">
                        <label for="reminders">"Reminders (days before expiry)"</label>
                        <input
                            id="reminders"
                            type="text"
                            name="exceptions[reminder_days]"
                            value=form.exceptions.reminder_days.clone()
                        />
                        <FieldError name="exceptions[reminder_days]" />
                    </div>
                </div>
            </section>
            <section class="card">
                <h2>"Severity of each rule"</h2>
                <div class="grid four">{severities}</div>
            </section>
            <section class="card sticky-actions">
                <div class="field">
                    <label for="reason">"Why this change (kept with the version)"</label>
                    <input
                        id="reason"
                        type="text"
                        name="reason"
                        maxlength="500"
                        value=form.reason.clone()
                    />
                    <FieldError name="reason" />
                </div>
                <div class="form-actions">
                    <button type="submit" formmethod="get" formaction="/policy/edit">
                        "Preview the change"
                    </button>
                    <button type="submit" class="secondary">
                        {format!("Save as version {next}")}
                    </button>
                    <a href="/policy">"Cancel"</a>
                </div>
            </section>
        </form>
    }
}

fn criticality_inputs(form: &PolicyForm) -> impl IntoView + use<> {
    Criticality::ALL
        .iter()
        .map(|c| {
            let f = form.crit.get(c.as_str()).cloned().unwrap_or_default();
            let key = c.as_str();
            let name = move |part: &str| format!("crit[{key}][{part}]");
            let id = move |part: &str| format!("crit-{key}-{part}");
            let number = |part: &'static str, label: &'static str, value: String| {
                view! {
                    <div class="field">
                        <label for=id(part)>{label}</label>
                        <input id=id(part) type="number" min="1" name=name(part) value=value />
                        <FieldError name=name(part) />
                    </div>
                }
            };
            let check = |part: &'static str, label: &'static str, on: bool| {
                view! {
                    <label class="check" for=id(part)>
                        <input id=id(part) type="checkbox" name=name(part) checked=on />
                        {label}
                    </label>
                }
            };
            let CriticalityForm {
                min_aal,
                phishing_resistant_primary,
                phishing_resistant_step_up,
                max_session_minutes,
                max_idle_minutes,
                reauth_sensitive,
                break_glass_required,
                max_drill_age_days,
                review_interval_days,
            } = f;
            view! {
                <fieldset class="population">
                    <legend>{format!("{} applications", c.label())}</legend>
                    <div class="grid six">
                        {number("min_aal", "Minimum AAL (1–3)", min_aal)}
                        {number(
                            "max_session_minutes",
                            "Longest session (min)",
                            max_session_minutes,
                        )} {number("max_idle_minutes", "Longest idle (min)", max_idle_minutes)}
                        {number(
                            "max_drill_age_days",
                            "Drill at least every (days)",
                            max_drill_age_days,
                        )}
                        {number(
                            "review_interval_days",
                            "Review at least every (days)",
                            review_interval_days,
                        )}
                    </div>
                    <div class="checks">
                        {check(
                            "phishing_resistant_primary",
                            "Phishing-resistant primary",
                            phishing_resistant_primary.is_some(),
                        )}
                        {check(
                            "phishing_resistant_step_up",
                            "Phishing-resistant step-up",
                            phishing_resistant_step_up.is_some(),
                        )}
                        {check(
                            "reauth_sensitive",
                            "Re-authentication for sensitive actions",
                            reauth_sensitive.is_some(),
                        )}
                        {check(
                            "break_glass_required",
                            "Break-glass required",
                            break_glass_required.is_some(),
                        )}
                    </div>
                </fieldset>
            }
        })
        .collect_view()
}
