//! What a journey declares around its methods: device requirements (10) and session rules (11)
//! per population; the application's break-glass arrangement (15) and review (16).

use super::{Context, Population, Rule};
use crate::findings::model::{Finding, Scope};
use crate::journey::Declaration;
use time::Date;

pub(super) fn check_population(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    devices(ctx, pop, out);
    session(ctx, pop, out);
}

pub(super) fn check_application(ctx: &Context, journey: &Declaration, out: &mut Vec<Finding>) {
    break_glass(ctx, journey, out);
    review(ctx, out);
}

/// Rule 10: no device requirements declared.
fn devices(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    if pop.journey.devices.is_some() {
        return;
    }
    out.push(ctx.finding(
        Rule::DevicesUndeclared,
        pop.scope(None, None),
        format!(
            "The device requirements of {} are not declared: nobody can tell which platforms \
             their methods must work on, or whether shared or personal devices are in play.",
            pop.name
        ),
        format!(
            "Declare the platforms {} use with their minimum versions, and whether managed, \
             personal or shared devices are expected.",
            pop.name
        ),
    ));
}

/// Whole minutes in words: "12 h", "30 min".
fn minutes(m: u32) -> String {
    if m >= 60 && m.is_multiple_of(60) {
        format!("{} h", m / 60)
    } else {
        format!("{m} min")
    }
}

/// Rule 11: session rules not declared, or a maximum session or idle timeout longer than the
/// policy allows for the criticality, or no re-authentication for sensitive actions where the
/// policy requires it. One finding per population, naming every breach.
fn session(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let req = ctx.required;
    let limits = format!(
        "sessions of at most {}, {} idle{}",
        minutes(req.max_session_minutes),
        minutes(req.max_idle_minutes),
        if req.reauth_sensitive {
            ", and re-authentication for sensitive actions"
        } else {
            ""
        }
    );
    let breaches = match &pop.journey.session {
        None => vec!["its session rules are not declared".to_string()],
        Some(s) => {
            let mut b = Vec::new();
            if s.max_session_minutes > req.max_session_minutes {
                b.push(format!(
                    "a session lasts up to {}",
                    minutes(s.max_session_minutes)
                ));
            }
            if s.idle_timeout_minutes > req.max_idle_minutes {
                b.push(format!(
                    "an idle session lasts {}",
                    minutes(s.idle_timeout_minutes)
                ));
            }
            if req.reauth_sensitive && !s.reauth_sensitive {
                b.push("sensitive actions do not ask for authentication again".to_string());
            }
            b
        }
    };
    if breaches.is_empty() {
        return;
    }
    out.push(ctx.finding(
        Rule::SessionOutsidePolicy,
        pop.scope(None, None),
        format!(
            "For {}, {}; the policy sets {limits} for {} applications.",
            pop.name,
            breaches.join(", "),
            ctx.criticality()
        ),
        format!("Set the session rules of {} to {limits}.", pop.name),
    ));
}

pub(super) fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Rule 15: where the criticality requires one (the policy says which), no break-glass
/// arrangement, one never drilled (or with an unreadable date), or a drill older than the
/// policy allows.
fn break_glass(ctx: &Context, journey: &Declaration, out: &mut Vec<Finding>) {
    let req = ctx.required;
    if !req.break_glass_required {
        return;
    }
    let crit = ctx.criticality();
    let (explanation, fix) = match &journey.break_glass {
        None => (
            format!(
                "The application is {crit} but declares no break-glass arrangement: when the \
                 identity provider or the normal journey fails, nobody can get in, or someone \
                 gets in in a way nobody planned."
            ),
            "Set up break-glass accounts protected by a security key kept in a safe, declare \
             them, and drill them."
                .to_string(),
        ),
        Some(bg) => match bg.last_drill.as_deref().and_then(parse_date) {
            None => (
                format!(
                    "The application's break-glass arrangement ({} account{} protected by {}) \
                     has never been drilled: nobody knows it works.",
                    bg.accounts,
                    if bg.accounts == 1 { "" } else { "s" },
                    ctx.method(&bg.method)
                ),
                "Drill the break-glass accounts and record the date.".to_string(),
            ),
            Some(drill) => {
                let age = (ctx.today - drill).whole_days();
                if age <= i64::from(req.max_drill_age_days) {
                    return;
                }
                (
                    format!(
                        "The break-glass arrangement was last drilled on {drill}, {age} days \
                         ago; the policy asks for a drill at least every {} days for {crit} \
                         applications.",
                        req.max_drill_age_days
                    ),
                    "Drill the break-glass accounts again and record the date.".to_string(),
                )
            }
        },
    };
    out.push(ctx.finding(Rule::BreakGlass, Scope::default(), explanation, fix));
}

/// Rule 16: the latest version was submitted longer ago than the policy's review interval for
/// the criticality. Nothing submitted is nothing to review (undeclared populations are rule 9's).
fn review(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(submitted) = ctx.facts.last_submitted else {
        return;
    };
    let age = (ctx.today - submitted).whole_days();
    let interval = ctx.required.review_interval_days;
    if age <= i64::from(interval) {
        return;
    }
    out.push(ctx.finding(
        Rule::ReviewOverdue,
        Scope::default(),
        format!(
            "The declaration was last submitted on {submitted}, {age} days ago; the policy asks \
             for a review at least every {interval} days for {} applications.",
            ctx.criticality()
        ),
        "Review the declaration and submit it again, even unchanged.".to_string(),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Case, today};
    use crate::findings::rules::Rule;
    use crate::journey::{BreakGlass, SessionRules};
    use crate::vocab::Criticality;
    use time::Duration;

    #[test]
    fn undeclared_devices_fire_rule_10() {
        let case = Case::office(|j| j.devices = None);
        let f = case.only(Rule::DevicesUndeclared);
        assert_eq!(f.key, "devices_undeclared/office_employees");
    }

    #[test]
    fn declared_devices_are_not_rule_10() {
        Case::office(|_| {}).none(Rule::DevicesUndeclared);
    }

    fn session(max: u32, idle: u32, reauth: bool) -> Option<SessionRules> {
        Some(SessionRules {
            max_session_minutes: max,
            idle_timeout_minutes: idle,
            reauth_sensitive: reauth,
        })
    }

    #[test]
    fn a_session_outside_the_policy_fires_rule_11_once_naming_every_breach() {
        let case = Case::office(|j| j.session = session(1440, 60, false)).at(Criticality::Critical);
        let f = case.only(Rule::SessionOutsidePolicy);
        assert_eq!(f.key, "session_outside_policy/office_employees");
        for part in ["24 h", "1 h", "do not ask", "12 h", "15 min"] {
            assert!(f.explanation.contains(part), "{part}: {}", f.explanation);
        }
        let undeclared = Case::office(|j| j.session = None);
        assert!(
            undeclared
                .only(Rule::SessionOutsidePolicy)
                .explanation
                .contains("not declared")
        );
    }

    #[test]
    fn a_session_within_the_policy_is_not_rule_11() {
        Case::office(|j| j.session = session(1440, 60, false))
            .at(Criticality::Low)
            .none(Rule::SessionOutsidePolicy);
        Case::office(|j| j.session = session(720, 30, true))
            .at(Criticality::High)
            .none(Rule::SessionOutsidePolicy);
        Case::office(|j| j.session = session(720, 30, true))
            .at(Criticality::Critical)
            .only(Rule::SessionOutsidePolicy);
    }

    fn drilled(days_ago: Option<i64>) -> Option<BreakGlass> {
        Some(BreakGlass {
            accounts: 2,
            method: "security_key".into(),
            location: "Safe in the SOC".into(),
            last_drill: days_ago.map(|d| (today() - Duration::days(d)).to_string()),
        })
    }

    #[test]
    fn a_critical_application_without_a_drilled_break_glass_fires_rule_15() {
        let mut none = Case::office(|_| {}).at(Criticality::Critical);
        let f = none.only(Rule::BreakGlass);
        assert_eq!(f.key, "break_glass");
        assert_eq!(f.scope, Default::default());
        none.own.as_mut().unwrap().break_glass = drilled(None);
        assert!(none.only(Rule::BreakGlass).explanation.contains("never"));
        none.own.as_mut().unwrap().break_glass = drilled(Some(366));
        let f = none.only(Rule::BreakGlass);
        assert!(f.explanation.contains("366 days ago"), "{}", f.explanation);
    }

    #[test]
    fn a_recent_drill_or_a_lower_criticality_is_not_rule_15() {
        let mut case = Case::office(|_| {}).at(Criticality::Critical);
        case.own.as_mut().unwrap().break_glass = drilled(Some(365));
        case.none(Rule::BreakGlass);
        Case::office(|_| {})
            .at(Criticality::High)
            .none(Rule::BreakGlass);
    }

    #[test]
    fn a_declaration_older_than_the_review_interval_fires_rule_16() {
        let mut case = Case::office(|_| {}).at(Criticality::Critical);
        case.last_submitted = Some(today() - Duration::days(181));
        let f = case.only(Rule::ReviewOverdue);
        assert_eq!(f.key, "review_overdue");
        assert!(f.explanation.contains("181 days ago"));
    }

    #[test]
    fn a_recent_or_missing_submission_is_not_rule_16() {
        let mut case = Case::office(|_| {}).at(Criticality::Critical);
        case.last_submitted = Some(today() - Duration::days(180));
        case.none(Rule::ReviewOverdue);
        case.last_submitted = None;
        case.none(Rule::ReviewOverdue);
        let mut medium = Case::office(|_| {}).at(Criticality::Medium);
        medium.last_submitted = Some(today() - Duration::days(300));
        medium.none(Rule::ReviewOverdue);
    }
}
