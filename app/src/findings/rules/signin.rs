//! How people sign in: the weakest link (1), passwords beside a passwordless primary (5),
//! phishing resistance where required (6), the minimum assurance (7), synced passkeys where AAL3
//! is required (8) and populations without a usable primary (9).

use super::{Context, Population, Rule, SignIn, a_role, role_word, scope};
use crate::findings::model::Finding;
use crate::journey::{JourneyRole, Path};

/// The population the catalogue ships for people on shared workstations. (The population
/// catalogue has no attribute for it yet; a journey can also say so in its device requirements.)
pub const SHARED_WORKSTATION_POPULATION: &str = "shared_workstation";
/// The population the catalogue ships for workers without a company phone. (The population
/// catalogue has no attribute for it yet.)
pub const WITHOUT_COMPANY_PHONE_POPULATION: &str = "frontline_shift";

pub(super) fn check(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    weakest_link(ctx, pop, out);
    password_beside_passwordless(ctx, pop, out);
    not_phishing_resistant(ctx, pop, out);
    let synced = synced_at_aal3(ctx, pop, out);
    below_minimum(ctx, pop, &synced, out);
    no_usable_primary(ctx, pop, out);
}

/// Rule 9 for a population the application serves but has not declared: its one finding.
pub(super) fn undeclared(ctx: &Context, key: &str) -> Finding {
    let name = ctx.names.population(key);
    ctx.finding(
        Rule::NoUsablePrimary,
        scope(key, Some(JourneyRole::Primary), None),
        format!(
            "The application serves {name}, but their journey is not declared: nothing says how \
             they sign in, fall back or recover."
        ),
        format!("Declare the journey of {name} and submit a new version."),
    )
}

/// Rule 1: each fallback or recovery sign-in path is compared with the weakest primary path: a
/// lower assurance level, or a path that can be phished where every primary path resists
/// phishing, is the journey's weak link.
fn weakest_link(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let primaries: Vec<&SignIn> = pop.sign_in(JourneyRole::Primary).collect();
    let Some(weakest) = primaries.iter().min_by_key(|s| s.assurance.aal) else {
        return;
    };
    let all_resist = primaries.iter().all(|s| s.assurance.phishing_resistant);
    for s in pop
        .sign_in
        .iter()
        .filter(|s| matches!(s.role, JourneyRole::Fallback | JourneyRole::Recovery))
    {
        let why = if s.assurance.aal < weakest.assurance.aal {
            format!(
                "reaches only AAL{} while the weakest primary path, {}, reaches AAL{}",
                s.assurance.aal,
                ctx.path(weakest.path),
                weakest.assurance.aal
            )
        } else if all_resist && !s.assurance.phishing_resistant {
            "can be phished while every primary path resists phishing".to_string()
        } else {
            continue;
        };
        out.push(ctx.finding(
            Rule::WeakestLink,
            pop.scope(Some(s.role), Some(s.path)),
            format!(
                "For {}, {} as {} path {why}: an attacker takes the weaker path, so the \
                 journey is only as strong as it.",
                pop.name,
                ctx.path(s.path),
                a_role(s.role)
            ),
            format!(
                "Replace {} with {} path at least as strong as the primary (for example a \
                 security key), or remove it.",
                ctx.path(s.path),
                a_role(s.role)
            ),
        ));
    }
}

/// Rule 5: a population with a passwordless primary path (no password in it, and not a bare
/// federated sign-in) that still has a password in any path of any role.
fn password_beside_passwordless(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let Some(passwordless) = pop
        .sign_in(JourneyRole::Primary)
        .find(|s| !s.assurance.knowledge && !s.assurance.federation_only)
    else {
        return;
    };
    for (role, path) in pop.all_paths() {
        if !super::path_assurance(path, ctx.catalogue).knowledge {
            continue;
        }
        out.push(ctx.finding(
            Rule::PasswordBesidePasswordless,
            pop.scope(Some(role), Some(path)),
            format!(
                "{} sign in with {} without a password, yet {} is still kept as {} path: the \
                 legacy password stays open to phishing and reuse.",
                pop.name,
                ctx.path(passwordless.path),
                ctx.path(path),
                a_role(role)
            ),
            format!(
                "Remove {} from the {} paths of {} and disable their passwords.",
                ctx.path(path),
                role_word(role),
                pop.name
            ),
        ));
    }
}

/// Rule 6: where the criticality requires it, every primary sign-in path and every step-up path
/// must resist phishing.
fn not_phishing_resistant(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let mut report = |role: JourneyRole, path: &Path| {
        out.push(ctx.finding(
            Rule::PrimaryNotPhishingResistant,
            pop.scope(Some(role), Some(path)),
            format!(
                "{} as {} path of {} can be phished, but the policy requires phishing-resistant \
                 {} methods for {} applications.",
                ctx.path(path),
                a_role(role),
                pop.name,
                role_word(role),
                ctx.criticality()
            ),
            format!(
                "Use a phishing-resistant method (a passkey, a security key or a smart card) as \
                 the {} of {}, and remove {}.",
                role_word(role),
                pop.name,
                ctx.path(path)
            ),
        ));
    };
    if ctx.required.phishing_resistant_primary {
        for s in pop.sign_in(JourneyRole::Primary) {
            if !s.assurance.phishing_resistant {
                report(s.role, s.path);
            }
        }
    }
    if ctx.required.phishing_resistant_step_up {
        for path in &pop.journey.step_up {
            if !super::path_assurance(path, ctx.catalogue).phishing_resistant {
                report(JourneyRole::StepUp, path);
            }
        }
    }
}

/// Rule 8: where the criticality requires AAL3, a sign-in or step-up path below AAL3 because it
/// relies on a synced passkey (synced keys reach AAL2, never AAL3). Returns the paths reported,
/// which rule 7 leaves to this rule (one cause, one finding).
fn synced_at_aal3<'p>(
    ctx: &Context,
    pop: &'p Population,
    out: &mut Vec<Finding>,
) -> Vec<(JourneyRole, &'p Path)> {
    if ctx.required.min_aal < 3 {
        return Vec::new();
    }
    let step_up = pop.journey.step_up.iter().map(|p| (JourneyRole::StepUp, p));
    let mut reported = Vec::new();
    for (role, path) in pop.sign_in.iter().map(|s| (s.role, s.path)).chain(step_up) {
        let a = super::path_assurance(path, ctx.catalogue);
        if !(a.synced && a.aal < 3) {
            continue;
        }
        reported.push((role, path));
        out.push(ctx.finding(
            Rule::SyncedPasskeyAtAal3,
            pop.scope(Some(role), Some(path)),
            format!(
                "{} as {} path of {} relies on a synced passkey, which reaches AAL2 at most, \
                 but {} applications require AAL3.",
                ctx.path(path),
                a_role(role),
                pop.name,
                ctx.criticality()
            ),
            format!(
                "Use a device-bound passkey, a security key or a smart card for {} instead of {}.",
                pop.name,
                ctx.path(path)
            ),
        ));
    }
    reported
}

/// Rule 7: the population's weakest sign-in path is below the minimum assurance level of the
/// application's criticality. Paths rule 8 already reported are left out.
fn below_minimum(
    ctx: &Context,
    pop: &Population,
    synced: &[(JourneyRole, &Path)],
    out: &mut Vec<Finding>,
) {
    let min = ctx.required.min_aal;
    let below: Vec<&SignIn> = pop
        .sign_in
        .iter()
        .filter(|s| s.assurance.aal < min && !synced.contains(&(s.role, s.path)))
        .collect();
    let Some(weakest) = below.iter().map(|s| s.assurance.aal).min() else {
        return;
    };
    out.push(ctx.finding(
        Rule::AssuranceBelowMinimum,
        pop.scope(None, None),
        format!(
            "The journey of {} reaches only AAL{weakest}, below the AAL{min} the policy requires \
             for {} applications: {} fall{} short.",
            pop.name,
            ctx.criticality(),
            ctx.paths(below.iter().map(|s| s.path)),
            if below.len() == 1 { "s" } else { "" }
        ),
        format!(
            "Strengthen or remove {} so that every way {} sign in reaches AAL{min}.",
            ctx.paths(below.iter().map(|s| s.path)),
            pop.name
        ),
    ));
}

/// Rule 9: no primary path the population can actually use. A primary path is unusable when it
/// is only a procedure (not a way to sign in); on shared workstations (the shared-workstation
/// population, or a journey declaring shared-workstation mode) when one of its methods is not
/// usable there (a platform passkey bound to a personal device); and for workers without a
/// company phone (the frontline population, unless the journey allows personal devices) when one
/// of its methods needs a personal phone.
fn no_usable_primary(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let primaries = &pop.journey.primary;
    let why = if primaries.is_empty() {
        match ctx.facts.provider_name.filter(|_| ctx.facts.federated) {
            Some(provider) => format!(
                "neither {provider} nor the application declares a primary path for {}",
                pop.name
            ),
            None => format!("no primary path is declared for {}", pop.name),
        }
    } else {
        let reasons: Vec<String> = primaries
            .iter()
            .filter_map(|p| unusable(ctx, pop, p))
            .collect();
        if reasons.len() < primaries.len() {
            return;
        }
        reasons.join("; ")
    };
    out.push(ctx.finding(
        Rule::NoUsablePrimary,
        pop.scope(Some(JourneyRole::Primary), None),
        format!(
            "{} have no usable primary way to sign in: {why}. They will live on fallbacks, \
             shared credentials or help-desk resets.",
            pop.name
        ),
        format!(
            "Give {} a primary method that works where they sign in (for example a security key \
             or a smart card on shared workstations).",
            pop.name
        ),
    ));
}

/// Why a primary path is unusable for the population, if it is.
fn unusable(ctx: &Context, pop: &Population, path: &Path) -> Option<String> {
    let a = super::path_assurance(path, ctx.catalogue);
    if !super::signs_in(&a, ctx.facts.federated) {
        return Some(format!(
            "{} is not a way to sign in by itself",
            ctx.path(path)
        ));
    }
    let devices = pop.journey.devices.as_ref();
    let shared =
        pop.key == SHARED_WORKSTATION_POPULATION || devices.is_some_and(|d| d.shared_workstation);
    let without_phone =
        pop.key == WITHOUT_COMPANY_PHONE_POPULATION && !devices.is_some_and(|d| d.byod_allowed);
    for key in path.factors() {
        let Some(m) = ctx.catalogue.get(key) else {
            continue;
        };
        if shared && !m.shared_workstation_ok {
            return Some(format!(
                "{} cannot be used on a shared workstation",
                ctx.method(key)
            ));
        }
        if without_phone && m.needs_personal_phone {
            return Some(format!(
                "{} needs a personal phone, which {} are not given",
                ctx.method(key),
                pop.name
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Case, office};
    use crate::findings::rules::Rule;
    use crate::journey::{DeviceRequirements, JourneyRole, Path};
    use crate::vocab::Criticality;

    #[test]
    fn weakest_link_fires_for_a_fallback_below_the_weakest_primary() {
        let case = Case::office(|j| j.fallback = vec![Path::of(&["password", "totp_app"])]);
        let f = case.only(Rule::WeakestLink);
        assert_eq!(
            f.key,
            "weakest_link/office_employees/fallback/password+totp_app"
        );
        assert!(f.explanation.contains("AAL2"), "{}", f.explanation);
        assert!(
            f.explanation
                .contains("Password + Authenticator app (TOTP)")
        );
    }

    #[test]
    fn weakest_link_fires_for_a_phishable_recovery_of_equal_level() {
        let case = Case::office(|j| {
            j.primary = vec![Path::single("synced_passkey")];
            j.recovery = vec![Path::of(&["password", "push_number_matching"])];
        });
        let f = case.only(Rule::WeakestLink);
        assert_eq!(f.scope.role, Some(JourneyRole::Recovery));
        assert!(
            f.explanation.contains("can be phished"),
            "{}",
            f.explanation
        );
    }

    #[test]
    fn weakest_link_is_silent_for_strong_fallbacks_and_procedures() {
        let case = Case::office(|j| {
            j.fallback = vec![Path::single("smart_card")];
            j.recovery = vec![Path::single("helpdesk_proofing")];
        });
        case.none(Rule::WeakestLink);
        let weak_primary = Case::office(|j| {
            j.primary = vec![Path::of(&["password", "totp_app"])];
            j.fallback = vec![Path::of(&["password", "hardware_otp"])];
        });
        weak_primary.none(Rule::WeakestLink);
    }

    #[test]
    fn a_password_beside_a_passkey_is_a_legacy_path() {
        let case = Case::office(|j| j.fallback.push(Path::single("password")));
        let f = case.only(Rule::PasswordBesidePasswordless);
        assert_eq!(
            f.key,
            "password_beside_passwordless/office_employees/fallback/password"
        );
        assert!(f.explanation.contains("Office employees"));
    }

    #[test]
    fn a_password_journey_without_a_passwordless_primary_is_not_rule_5() {
        let case = Case::office(|j| {
            j.primary = vec![Path::of(&["password", "totp_app"])];
            j.fallback = vec![Path::of(&["password", "hardware_otp"])];
        });
        case.none(Rule::PasswordBesidePasswordless);
        Case::office(|_| {}).none(Rule::PasswordBesidePasswordless);
    }

    #[test]
    fn a_phishable_primary_fires_where_the_policy_requires_resistance() {
        let case = Case::office(|j| j.primary.push(Path::single("push_number_matching")))
            .at(Criticality::High);
        let f = case.only(Rule::PrimaryNotPhishingResistant);
        assert_eq!(
            f.key,
            "primary_not_phishing_resistant/office_employees/primary/push_number_matching"
        );
    }

    #[test]
    fn a_phishable_step_up_fires_where_the_policy_requires_it() {
        let case = Case::office(|j| j.step_up = vec![Path::single("push_number_matching")])
            .at(Criticality::Critical);
        let f = case.only(Rule::PrimaryNotPhishingResistant);
        assert_eq!(f.scope.role, Some(JourneyRole::StepUp));
        Case::office(|j| j.step_up = vec![Path::single("push_number_matching")])
            .at(Criticality::High)
            .none(Rule::PrimaryNotPhishingResistant);
    }

    #[test]
    fn a_phishable_primary_is_not_rule_6_where_the_policy_allows_it() {
        Case::office(|j| j.primary.push(Path::single("push_number_matching")))
            .at(Criticality::Medium)
            .none(Rule::PrimaryNotPhishingResistant);
    }

    #[test]
    fn assurance_below_the_minimum_fires_once_per_population() {
        let case = Case::office(|j| {
            j.primary = vec![Path::single("password")];
            j.fallback = vec![Path::single("totp_app")];
        })
        .at(Criticality::Medium);
        let f = case.only(Rule::AssuranceBelowMinimum);
        assert_eq!(f.key, "assurance_below_minimum/office_employees");
        assert!(f.explanation.contains("AAL1"), "{}", f.explanation);
        assert!(
            f.explanation
                .contains("Password and Authenticator app (TOTP)")
        );
        assert_eq!(case.run().aal, 1);
    }

    #[test]
    fn assurance_at_the_minimum_is_not_rule_7() {
        let case = Case::office(|j| j.fallback = vec![Path::of(&["password", "totp_app"])])
            .at(Criticality::Medium);
        case.none(Rule::AssuranceBelowMinimum);
        assert_eq!(case.run().aal, 2);
        Case::office(|j| j.primary = vec![Path::single("password")])
            .at(Criticality::Low)
            .none(Rule::AssuranceBelowMinimum);
    }

    #[test]
    fn a_synced_passkey_where_aal3_is_required_is_rule_8_not_rule_7() {
        let case = Case::office(|j| j.primary.push(Path::single("synced_passkey")))
            .at(Criticality::Critical);
        let f = case.only(Rule::SyncedPasskeyAtAal3);
        assert_eq!(
            f.key,
            "synced_passkey_at_aal3/office_employees/primary/synced_passkey"
        );
        case.none(Rule::AssuranceBelowMinimum);
        assert_eq!(case.run().aal, 2, "the assurance still says what it is");
    }

    #[test]
    fn a_synced_passkey_below_aal3_requirements_or_with_a_key_is_not_rule_8() {
        Case::office(|j| j.primary.push(Path::single("synced_passkey")))
            .at(Criticality::High)
            .none(Rule::SyncedPasskeyAtAal3);
        Case::office(|j| {
            j.primary
                .push(Path::of(&["synced_passkey", "security_key"]))
        })
        .at(Criticality::Critical)
        .none(Rule::SyncedPasskeyAtAal3);
    }

    #[test]
    fn shared_workstation_users_with_only_a_platform_passkey_have_no_usable_primary() {
        let case = Case::population("shared_workstation", |j| {
            j.primary = vec![Path::single("platform_passkey")];
        });
        let f = case.only(Rule::NoUsablePrimary);
        assert_eq!(f.key, "no_usable_primary/shared_workstation/primary");
        assert!(f.explanation.contains("Shared-workstation users"));
        assert!(
            f.explanation
                .contains("Device-bound platform passkey cannot be used")
        );
        let declared = Case::office(|j| {
            j.primary = vec![Path::single("platform_passkey")];
            j.devices = Some(DeviceRequirements {
                shared_workstation: true,
                ..Default::default()
            });
        });
        declared.only(Rule::NoUsablePrimary);
    }

    #[test]
    fn frontline_workers_without_company_phones_cannot_rely_on_a_phone_app() {
        let case = Case::population("frontline_shift", |j| {
            j.primary = vec![Path::of(&["hardware_otp", "totp_app"])];
            j.devices = Some(DeviceRequirements::default());
        });
        let f = case.only(Rule::NoUsablePrimary);
        assert!(
            f.explanation.contains("needs a personal phone"),
            "{}",
            f.explanation
        );
        let byod = Case::population("frontline_shift", |j| {
            j.primary = vec![Path::of(&["hardware_otp", "totp_app"])];
            j.devices = Some(DeviceRequirements {
                byod_allowed: true,
                ..Default::default()
            });
        });
        byod.none(Rule::NoUsablePrimary);
    }

    #[test]
    fn one_usable_primary_is_enough_and_an_empty_primary_is_not() {
        Case::population("shared_workstation", |j| {
            j.primary = vec![
                Path::single("platform_passkey"),
                Path::single("security_key"),
            ];
        })
        .none(Rule::NoUsablePrimary);
        let empty = Case::office(|j| j.primary.clear());
        let f = empty.only(Rule::NoUsablePrimary);
        assert!(f.explanation.contains("no primary path is declared"));
        let procedure = Case::office(|j| j.primary = vec![office().enrolment[0].clone()]);
        procedure.only(Rule::NoUsablePrimary);
    }
}
