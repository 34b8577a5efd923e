//! The policy editor (`/policy/edit`): every part of the policy as a plain form, a preview by
//! GET that shows what the typed change would do, and saving as the next version.

use super::fields::{Problem, field_id, field_problem};
use super::standard::standard_journey_inputs;
use crate::components::{Feedback, Loaded, PageHeader};
use crate::policy::api::{SavePolicy, show_policy};
use crate::policy::model::{
    Criticality, CriticalityForm, JourneyRole, PolicyEditors, PolicyForm, PolicyShown, RuleChoice,
    Severity,
};
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeSet;

/// What is wrong with a previewed form, checked as saving it would (none when the address
/// already carries a refused save's error, which is shown instead).
fn previewed_problem(form: &PolicyForm, s: &PolicyShown) -> Problem {
    let methods: BTreeSet<String> = s.method_order.iter().cloned().collect();
    let populations: BTreeSet<String> = s.names.populations.keys().cloned().collect();
    crate::policy::rules::from_form(form, &s.policy)
        .and_then(|p| crate::policy::rules::validate(&p, &methods, &populations))
        .err()
        .map(|e| (e.field().unwrap_or("").to_string(), e.to_string()))
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
    let typed = crate::components::typed_pairs(SavePolicy::PATH);
    let refused = crate::components::form_outcome().is_some_and(|o| o.error.is_some());
    let form = if let Some(pairs) = typed {
        // A refused save: the form as it was typed.
        PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    } else if previewing {
        let pairs: Vec<(String, String)> = q
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PolicyForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    } else {
        PolicyForm::of(&s.policy)
    };
    let problem = (previewing && !refused)
        .then(|| previewed_problem(&form, &s))
        .flatten();
    let next = s.summary.version + 1;
    let names = s.names.clone();
    let saved = PolicyForm::of(&s.policy);
    let standard = standard_journey_inputs(&form, &saved, &names, &s.method_order, &problem);
    let crit_rows = criticality_inputs(&form, &problem);
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
                    {field_problem(&format!("allowed[{}]", role.as_str()), &problem)}
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
                    {field_problem(&name, &problem)}
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
                    {field_problem(&name, &problem)}
                </div>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=SavePolicy::PATH class="policy-editor">
            <input type="hidden" name="preview" value="1" />
            {problem
                .as_ref()
                .map(|(field, message)| {
                    view! {
                        <div class="alert error" role="alert">
                            {format!("This change cannot be saved: {message} ")}
                            <a href=format!("#{}", field_id(field))>"Go to the field"</a>
                        </div>
                    }
                })}
            {standard}
            <section class="card">
                <h2>"Requirements by criticality"</h2>
                {crit_rows}
            </section>
            <section class="card">
                <h2>"Methods allowed beyond the standard journey"</h2>
                <p class="muted small">"Anything else in a role is a deviation (rule 12)."</p>
                {allowed}
                <fieldset class="checks">
                    <legend>"Never allowed without an exception"</legend>
                    {never}
                    {field_problem("never", &problem)}
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
                        {field_problem("exceptions[renewal_cap]", &problem)}
                    </div> <div class="field">
                        <label for="reminders">"Reminders (days before expiry)"</label>
                        <input
                            id="reminders"
                            type="text"
                            name="exceptions[reminder_days]"
                            value=form.exceptions.reminder_days.clone()
                        />
                        {field_problem("exceptions[reminder_days]", &problem)}
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
                    {field_problem("reason", &problem)}
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

fn criticality_inputs(form: &PolicyForm, problem: &Problem) -> impl IntoView + use<> {
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
                        {field_problem(&name(part), problem)}
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
