//! Password-removal readiness, in plain words.

use super::FindingFact;
use crate::catalogue::model::FactorKind;
use crate::declarations::facade::describe_path;
use crate::findings::facade::{Catalogue, path_assurance};
use crate::journey::{Declaration, JourneyRole, Names, Path};
use crate::matrix::model::Readiness;
use crate::policy::model::Policy;
use crate::vocab::{Criticality, Severity};
use time::Date;

fn knowledge_in(path: &Path, catalogue: &Catalogue) -> bool {
    path.factors().iter().any(|m| {
        catalogue
            .get(m)
            .is_some_and(|v| v.factor == FactorKind::Knowledge)
    })
}

/// Whether an application can remove passwords now, and what blocks it in plain words. It can
/// when, for every population it serves:
/// - a journey is declared, with a primary, none of whose paths needs a password, and which the
///   population can use (no finding of rule 9 stands for it);
/// - no other role (fallback, recovery, step-up, enrolment, device replacement) needs a password,
///   and no fallback or recovery path is below the policy's minimum assurance for the
///   application's criticality;
/// - device replacement is self-service (a path is declared and rule 18, help desk only, does
///   not stand);
///
/// and, for the application, a break-glass arrangement exists with a drill no older than the
/// policy allows where the policy requires one, and no open (not excepted) high or critical
/// finding remains.
#[allow(clippy::too_many_arguments)]
pub fn readiness(
    served: &[String],
    journey: &Declaration,
    criticality: Criticality,
    findings: &[FindingFact],
    policy: &Policy,
    catalogue: &Catalogue,
    names: &Names,
    today: Date,
) -> Readiness {
    let rules = policy.for_criticality(criticality);
    let mut blockers = Vec::new();
    if served.is_empty() {
        blockers.push("It serves no population.".to_string());
    }
    let standing = |rule: &str, population: &str| {
        findings
            .iter()
            .any(|f| f.rule == rule && f.population.as_deref() == Some(population))
    };
    for key in served {
        let pop = names.population(key);
        let Some(j) = journey.journey(key) else {
            blockers.push(format!("{pop}: no journey is declared."));
            continue;
        };
        if j.primary.is_empty() {
            blockers.push(format!("{pop}: no primary way to sign in is declared."));
        }
        for role in JourneyRole::ALL.iter().copied() {
            let with_password: Vec<String> = j
                .paths(role)
                .iter()
                .filter(|p| knowledge_in(p, catalogue))
                .map(|p| describe_path(p, names))
                .collect();
            if !with_password.is_empty() {
                blockers.push(format!(
                    "{pop}: the {} still needs a password ({}).",
                    role.label().to_lowercase(),
                    with_password.join("; ")
                ));
            }
        }
        if standing("no_usable_primary", key) {
            blockers.push(format!(
                "{pop}: the primary cannot be used by this population (rule 9)."
            ));
        }
        for role in [JourneyRole::Fallback, JourneyRole::Recovery] {
            for p in j.paths(role) {
                let a = path_assurance(p, catalogue);
                if a.procedure_only || knowledge_in(p, catalogue) {
                    continue;
                }
                if a.aal < rules.min_aal {
                    blockers.push(format!(
                        "{pop}: the {} {} is AAL{}, below the policy's AAL{} for {} applications.",
                        role.label().to_lowercase(),
                        describe_path(p, names),
                        a.aal,
                        rules.min_aal,
                        criticality.label().to_lowercase()
                    ));
                }
            }
        }
        if j.device_replacement.is_empty() {
            blockers.push(format!("{pop}: no way to replace a device is declared."));
        } else if standing("device_replacement_helpdesk_only", key) {
            blockers.push(format!(
                "{pop}: a new device needs the help desk (not self-service)."
            ));
        }
    }
    if rules.break_glass_required {
        match &journey.break_glass {
            None => blockers.push(format!(
                "No break-glass arrangement, which the policy requires for {} applications.",
                criticality.label().to_lowercase()
            )),
            Some(b) => match b
                .last_drill
                .as_deref()
                .and_then(crate::validation::parse_date)
            {
                None => blockers.push("The break-glass arrangement has never been drilled.".into()),
                Some(d) if (today - d).whole_days() > i64::from(rules.max_drill_age_days) => {
                    blockers.push(format!(
                        "The last break-glass drill ({d}) is older than the policy's {} days.",
                        rules.max_drill_age_days
                    ))
                }
                Some(_) => {}
            },
        }
    }
    let grave = findings
        .iter()
        .filter(|f| !f.excepted && matches!(f.severity, Severity::Critical | Severity::High))
        .count();
    if grave > 0 {
        blockers.push(format!(
            "{grave} open high or critical finding{} without an exception.",
            if grave == 1 { "" } else { "s" }
        ));
    }
    Readiness { blockers }
}
