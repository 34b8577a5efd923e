//! The credential's lifecycle around sign-in: recovery (3, 4), enrolment (17), device
//! replacement (18) and offboarding (19).

use super::{Context, Population, Rule, role_word};
use crate::catalogue::model::{FactorKind, MethodView};
use crate::findings::model::Finding;
use crate::journey::{JourneyRole, Offboarding, Path};

/// The catalogue category of help-desk resets (rule 18).
pub const HELPDESK_CATEGORY: &str = "helpdesk";

pub(super) fn check(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    no_recovery(ctx, pop, out);
    recovery_same_device(ctx, pop, out);
    enrolment(ctx, pop, out);
    device_replacement(ctx, pop, out);
    offboarding(ctx, pop, out);
}

/// Rule 3: no recovery path at all.
fn no_recovery(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    if !pop.journey.recovery.is_empty() {
        return;
    }
    out.push(ctx.finding(
        Rule::NoRecovery,
        pop.scope(Some(JourneyRole::Recovery), None),
        format!(
            "No recovery path is declared for {}: a person who loses every credential depends \
             on improvised resets nobody has agreed on.",
            pop.name
        ),
        format!(
            "Declare how {} recover, for example a help-desk reset with identity proofing.",
            pop.name
        ),
    ));
}

/// A method that lives on the person's own single device: anything that needs their personal
/// phone, or a device-bound multi-factor credential that cannot roam to another workstation (a
/// platform passkey). A platform passkey may well live on that same phone, so both count as one
/// device. (The catalogue has no "roaming" attribute; "device-bound and not usable on a shared
/// workstation" stands for "bound to the person's own device".)
fn on_own_device(m: &MethodView) -> bool {
    m.needs_personal_phone
        || (m.factor == FactorKind::MultiFactor && !m.syncable && !m.shared_workstation_ok)
}

fn needs_own_device(ctx: &Context, path: &Path) -> bool {
    path.factors()
        .iter()
        .any(|k| ctx.catalogue.get(k).is_some_and(on_own_device))
}

/// Rule 4: every primary sign-in path needs the person's own single device (see
/// `on_own_device`), and so does every recovery path: losing that one device loses both the
/// daily sign-in and the way back. A recovery path that does not need it (recovery codes, a
/// security key, a help-desk reset) is a way back.
fn recovery_same_device(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let primaries: Vec<&Path> = pop.sign_in(JourneyRole::Primary).map(|s| s.path).collect();
    let recovery = &pop.journey.recovery;
    if primaries.is_empty()
        || recovery.is_empty()
        || !primaries.iter().all(|p| needs_own_device(ctx, p))
        || !recovery.iter().all(|p| needs_own_device(ctx, p))
    {
        return;
    }
    out.push(ctx.finding(
        Rule::RecoverySameDevice,
        pop.scope(Some(JourneyRole::Recovery), None),
        format!(
            "{} sign in with {} and recover with {}: both depend on the same personal device, \
             so losing it loses the way back too.",
            pop.name,
            ctx.paths(primaries.iter().copied()),
            ctx.paths(recovery)
        ),
        format!(
            "Add a recovery path for {} that does not need that device: recovery codes kept \
             apart, a second security key, or a help-desk reset with identity proofing.",
            pop.name
        ),
    ));
}

/// Rule 17: no enrolment path, or an enrolment path weaker than the strongest primary it can
/// bootstrap that is also restricted or can be relayed (an SMS code to enrol a passkey caps the
/// passkey at the code's strength). Procedures (a temporary access pass after identity
/// proofing, a proofed help-desk enrolment) are the standard way in and never count as weak.
fn enrolment(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let enrolment = &pop.journey.enrolment;
    if enrolment.is_empty() {
        out.push(ctx.finding(
            Rule::EnrolmentWeakOrMissing,
            pop.scope(Some(JourneyRole::Enrolment), None),
            format!(
                "Nothing says how {} enrol their first credential, so whoever handles it \
                 decides, and the journey's strength is unknown from the start.",
                pop.name
            ),
            format!(
                "Declare the enrolment of {}: a temporary access pass after identity proofing \
                 is the standard.",
                pop.name
            ),
        ));
        return;
    }
    // The first of the strongest primary paths.
    let Some(strongest) = pop.sign_in(JourneyRole::Primary).reduce(|best, s| {
        if s.assurance.aal > best.assurance.aal {
            s
        } else {
            best
        }
    }) else {
        return;
    };
    for path in enrolment {
        let a = super::path_assurance(path, ctx.catalogue);
        if a.procedure_only || !(a.restricted || a.relayable) || a.aal >= strongest.assurance.aal {
            continue;
        }
        out.push(ctx.finding(
            Rule::EnrolmentWeakOrMissing,
            pop.scope(Some(JourneyRole::Enrolment), Some(path)),
            format!(
                "{} enrol with {} (AAL{}), which can be intercepted or relayed, to bootstrap {} \
                 (AAL{}): whoever steals the code enrols their own credential.",
                pop.name,
                ctx.path(path),
                a.aal,
                ctx.path(strongest.path),
                strongest.assurance.aal
            ),
            format!(
                "Enrol {} with a temporary access pass after identity proofing, or from an \
                 existing phishing-resistant credential, instead of {}.",
                pop.name,
                ctx.path(path)
            ),
        ));
    }
}

/// A help-desk reset: every method of the path is a procedure of the help-desk category.
fn helpdesk_only(ctx: &Context, path: &Path) -> bool {
    path.factors().iter().all(|k| {
        ctx.catalogue
            .get(k)
            .is_some_and(|m| m.factor == FactorKind::Procedure && m.category == HELPDESK_CATEGORY)
    })
}

/// Rule 18: no device-replacement path, or only help-desk resets (no self-service migration:
/// a synced passkey, a temporary access pass, signing in on the new device with another
/// credential).
fn device_replacement(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let paths = &pop.journey.device_replacement;
    let why = if paths.is_empty() {
        "no way to move to a new device is declared, so every replacement becomes a help-desk \
         ticket"
            .to_string()
    } else if paths.iter().all(|p| helpdesk_only(ctx, p)) {
        format!(
            "the only way to a new device is {}, so every replacement becomes a help-desk ticket",
            ctx.paths(paths)
        )
    } else {
        return;
    };
    out.push(ctx.finding(
        Rule::DeviceReplacementHelpdeskOnly,
        pop.scope(Some(JourneyRole::DeviceReplacement), None),
        format!("For {}, {why}.", pop.name),
        format!(
            "Offer {} a self-service {} path, such as a temporary access pass or signing in on \
             the new device with a second credential.",
            pop.name,
            role_word(JourneyRole::DeviceReplacement)
        ),
    ));
}

/// Rule 19: offboarding by hand, or not declared.
fn offboarding(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    let how = match pop.journey.offboarding {
        Some(Offboarding::Automatic) => return,
        Some(Offboarding::Manual) => "are revoked by hand",
        None => "are revoked in a way nobody has declared",
    };
    out.push(ctx.finding(
        Rule::OffboardingManual,
        pop.scope(None, None),
        format!(
            "The credentials of {} who leave {how}: a missed step leaves a working account \
             behind.",
            pop.name
        ),
        format!(
            "Revoke the credentials of {} automatically by deprovisioning them from the \
             identity provider.",
            pop.name
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Case;
    use crate::findings::rules::Rule;
    use crate::journey::{Offboarding, Path};

    #[test]
    fn no_recovery_path_fires_rule_3() {
        let case = Case::office(|j| j.recovery.clear());
        let f = case.only(Rule::NoRecovery);
        assert_eq!(f.key, "no_recovery/office_employees/recovery");
        assert!(f.explanation.contains("Office employees"));
    }

    #[test]
    fn any_recovery_path_satisfies_rule_3() {
        Case::office(|_| {}).none(Rule::NoRecovery);
    }

    #[test]
    fn recovery_on_the_same_phone_as_a_platform_passkey_fires_rule_4() {
        let case = Case::office(|j| {
            j.primary = vec![Path::single("platform_passkey")];
            j.recovery = vec![Path::single("sms_otp")];
        });
        let f = case.only(Rule::RecoverySameDevice);
        assert_eq!(f.key, "recovery_same_device/office_employees/recovery");
        assert!(f.explanation.contains("Device-bound platform passkey"));
        assert!(f.explanation.contains("SMS one-time code"));
        let phone = Case::office(|j| {
            j.primary = vec![Path::single("push_number_matching")];
            j.recovery = vec![Path::of(&["password", "totp_app"])];
        });
        phone.only(Rule::RecoverySameDevice);
    }

    #[test]
    fn recovery_that_survives_the_device_is_not_rule_4() {
        Case::office(|j| {
            j.primary = vec![Path::single("platform_passkey")];
            j.recovery = vec![Path::single("sms_otp"), Path::single("helpdesk_proofing")];
        })
        .none(Rule::RecoverySameDevice);
        Case::office(|j| {
            j.primary = vec![
                Path::single("platform_passkey"),
                Path::single("security_key"),
            ];
            j.recovery = vec![Path::single("totp_app")];
        })
        .none(Rule::RecoverySameDevice);
        Case::office(|j| {
            j.primary = vec![Path::single("synced_passkey")];
            j.recovery = vec![Path::single("totp_app")];
        })
        .none(Rule::RecoverySameDevice);
    }

    #[test]
    fn enrolment_missing_fires_rule_17() {
        let case = Case::office(|j| j.enrolment.clear());
        let f = case.only(Rule::EnrolmentWeakOrMissing);
        assert_eq!(
            f.key,
            "enrolment_weak_or_missing/office_employees/enrolment"
        );
    }

    #[test]
    fn an_sms_code_to_enrol_a_passkey_fires_rule_17() {
        let case = Case::office(|j| j.enrolment = vec![Path::single("sms_otp")]);
        let f = case.only(Rule::EnrolmentWeakOrMissing);
        assert_eq!(
            f.key,
            "enrolment_weak_or_missing/office_employees/enrolment/sms_otp"
        );
        assert!(f.explanation.contains("SMS one-time code"));
        Case::office(|j| j.enrolment = vec![Path::single("email_link")])
            .only(Rule::EnrolmentWeakOrMissing);
    }

    #[test]
    fn a_temporary_access_pass_or_a_passkey_to_enrol_is_not_rule_17() {
        Case::office(|_| {}).none(Rule::EnrolmentWeakOrMissing);
        Case::office(|j| j.enrolment = vec![Path::single("helpdesk_proofing")])
            .none(Rule::EnrolmentWeakOrMissing);
        Case::office(|j| j.enrolment = vec![Path::single("security_key")])
            .none(Rule::EnrolmentWeakOrMissing);
        Case::office(|j| {
            j.primary = vec![Path::of(&["password", "totp_app"])];
            j.enrolment = vec![Path::of(&["password", "totp_app"])];
        })
        .none(Rule::EnrolmentWeakOrMissing);
    }

    #[test]
    fn device_replacement_only_through_the_help_desk_fires_rule_18() {
        let case = Case::office(|j| j.device_replacement = vec![Path::single("helpdesk_proofing")]);
        let f = case.only(Rule::DeviceReplacementHelpdeskOnly);
        assert_eq!(
            f.key,
            "device_replacement_helpdesk_only/office_employees/device_replacement"
        );
        assert!(
            f.explanation
                .contains("Help-desk reset with identity proofing")
        );
        let none = Case::office(|j| j.device_replacement.clear());
        assert!(
            none.only(Rule::DeviceReplacementHelpdeskOnly)
                .explanation
                .contains("no way to move")
        );
    }

    #[test]
    fn a_self_service_device_replacement_is_not_rule_18() {
        Case::office(|_| {}).none(Rule::DeviceReplacementHelpdeskOnly);
        Case::office(|j| {
            j.device_replacement = vec![
                Path::single("helpdesk_proofing"),
                Path::single("synced_passkey"),
            ]
        })
        .none(Rule::DeviceReplacementHelpdeskOnly);
    }

    #[test]
    fn manual_or_undeclared_offboarding_fires_rule_19() {
        let manual = Case::office(|j| j.offboarding = Some(Offboarding::Manual));
        let f = manual.only(Rule::OffboardingManual);
        assert_eq!(f.key, "offboarding_manual/office_employees");
        assert!(f.explanation.contains("by hand"));
        let none = Case::office(|j| j.offboarding = None);
        assert!(
            none.only(Rule::OffboardingManual)
                .explanation
                .contains("nobody")
        );
    }

    #[test]
    fn automatic_offboarding_is_not_rule_19() {
        Case::office(|_| {}).none(Rule::OffboardingManual);
    }
}
