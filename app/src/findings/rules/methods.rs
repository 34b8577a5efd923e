//! Which methods a journey uses: restricted methods (2), methods outside the standard (12),
//! knowledge questions (13), email as a fallback or recovery channel (14), and a federated
//! application's own local paths (20).

use super::{Context, Population, Rule, a_role, raised, role_word, scope};
use crate::findings::model::Finding;
use crate::journey::{JourneyRole, Path, PopulationJourney};
use crate::vocab::Criticality;

/// The help-desk reset with knowledge questions. The catalogue has no attribute that tells it
/// from a reset with identity proofing yet, so rule 13 knows it by its key.
pub const KNOWLEDGE_QUESTIONS: &str = "helpdesk_kba";
/// The catalogue category of email links and codes (rule 14).
pub const EMAIL_CATEGORY: &str = "email";

pub(super) fn check(ctx: &Context, pop: &Population, out: &mut Vec<Finding>) {
    for (role, path) in pop.all_paths() {
        restricted(ctx, pop, role, path, out);
        outside_standard(ctx, pop, role, path, out);
        knowledge_questions(ctx, pop, role, path, out);
        email(ctx, pop, role, path, out);
    }
}

/// Rule 2: a restricted authenticator (SMS, voice) in any role; one level more severe as
/// recovery (it then resets everything) or on a critical application.
fn restricted(
    ctx: &Context,
    pop: &Population,
    role: JourneyRole,
    path: &Path,
    out: &mut Vec<Finding>,
) {
    let methods: Vec<&str> = path
        .factors()
        .iter()
        .filter(|k| ctx.catalogue.get(k).is_some_and(|m| m.restricted))
        .map(|k| ctx.method(k))
        .collect();
    if methods.is_empty() {
        return;
    }
    let mut f = ctx.finding(
        Rule::RestrictedMethod,
        pop.scope(Some(role), Some(path)),
        format!(
            "{} use {} as {} path: {} {} a restricted authenticator (SP 800-63B 5.2.10), \
             exposed to SIM swap and interception.",
            pop.name,
            ctx.path(path),
            a_role(role),
            methods.join(" and "),
            if methods.len() == 1 { "is" } else { "are" }
        ),
        format!(
            "Replace {} with an unrestricted method (a passkey, a security key or an \
             authenticator app), or keep it only with a migration plan and user notice.",
            ctx.path(path)
        ),
    );
    if role == JourneyRole::Recovery || ctx.facts.criticality == Criticality::Critical {
        f.severity = raised(f.severity);
    }
    out.push(f);
}

/// Rule 12: a path the policy does not accept in its role (neither a standard path nor made of
/// methods the standard or the policy's allowed list has for the role); a method the policy
/// never accepts; a method retired from the catalogue; or one the catalogue does not know.
fn outside_standard(
    ctx: &Context,
    pop: &Population,
    role: JourneyRole,
    path: &Path,
    out: &mut Vec<Finding>,
) {
    let mut reasons = Vec::new();
    for key in path.factors() {
        let name = ctx.method(key);
        match ctx.catalogue.get(key) {
            None => reasons.push(format!("{name} is not in the method catalogue")),
            Some(m) if !m.active => reasons.push(format!("{name} is retired from the catalogue")),
            Some(_) if ctx.policy.never.contains(key) => {
                reasons.push(format!("the policy never accepts {name}"))
            }
            Some(_) => {}
        }
    }
    if reasons.is_empty() && !ctx.policy.accepts(pop.key, role, path) {
        reasons.push(format!(
            "it is not part of the standard {} of {} nor allowed beyond it",
            role_word(role),
            pop.name
        ));
    }
    if reasons.is_empty() {
        return;
    }
    out.push(ctx.finding(
        Rule::MethodOutsideStandard,
        pop.scope(Some(role), Some(path)),
        format!(
            "{} as {} path of {} deviates from the standard: {}.",
            ctx.path(path),
            a_role(role),
            pop.name,
            reasons.join("; ")
        ),
        format!(
            "Use the standard {} of {} instead of {}, or request a time-limited exception.",
            role_word(role),
            pop.name,
            ctx.path(path)
        ),
    ));
}

/// Rule 13: a help-desk reset with knowledge questions, in whatever role it is declared.
fn knowledge_questions(
    ctx: &Context,
    pop: &Population,
    role: JourneyRole,
    path: &Path,
    out: &mut Vec<Finding>,
) {
    if !path.contains(KNOWLEDGE_QUESTIONS) {
        return;
    }
    out.push(ctx.finding(
        Rule::KnowledgeQuestionsRecovery,
        pop.scope(Some(role), Some(path)),
        format!(
            "{} can get in through {}, declared as {} path: the answers to knowledge \
             questions are often public or guessable, so anyone who finds them takes over the \
             account.",
            pop.name,
            ctx.method(KNOWLEDGE_QUESTIONS),
            a_role(role)
        ),
        format!(
            "Replace {} with a help-desk reset that proofs identity, or recovery codes.",
            ctx.path(path)
        ),
    ));
}

/// Rule 14: a fallback or recovery path that goes through email.
fn email(ctx: &Context, pop: &Population, role: JourneyRole, path: &Path, out: &mut Vec<Finding>) {
    if !matches!(role, JourneyRole::Fallback | JourneyRole::Recovery) {
        return;
    }
    let Some(key) = path.factors().iter().find(|k| {
        ctx.catalogue
            .get(k)
            .is_some_and(|m| m.category == EMAIL_CATEGORY)
    }) else {
        return;
    };
    out.push(ctx.finding(
        Rule::EmailFallbackRecovery,
        pop.scope(Some(role), Some(path)),
        format!(
            "{} use {} as {} channel: whoever controls the mailbox controls the account, and \
             email is not an acceptable out-of-band channel (SP 800-63B 5.1.3.1).",
            pop.name,
            ctx.method(key),
            a_role(role)
        ),
        format!(
            "Remove {} from the {} paths of {}; offer a security key or recovery codes instead.",
            ctx.path(path),
            role_word(role),
            pop.name
        ),
    ));
}

/// Rule 20, on a federated application's own declaration: every primary, fallback or recovery
/// path it keeps beside its provider's journey (other than federated sign-in itself) is a local
/// way in that bypasses the central journey.
pub(super) fn check_local_paths(ctx: &Context, own: &PopulationJourney, out: &mut Vec<Finding>) {
    let name = ctx.names.population(&own.population);
    let provider = ctx
        .facts
        .provider_name
        .unwrap_or("the identity provider")
        .to_string();
    for role in super::SIGN_IN_ROLES {
        for path in own.paths(role) {
            if super::path_assurance(path, ctx.catalogue).federation_only {
                continue;
            }
            out.push(ctx.finding(
                Rule::FederatedLocalBypass,
                scope(&own.population, Some(role), Some(path)),
                format!(
                    "The application signs {name} in through {provider}, yet keeps {} as its own \
                     {} path: a local way in that bypasses the central journey and its \
                     controls.",
                    ctx.path(path),
                    role_word(role)
                ),
                format!(
                    "Remove {} from the application's own {} paths and rely on {provider}.",
                    ctx.path(path),
                    role_word(role)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Case, catalogue_with, method};
    use crate::findings::rules::Rule;
    use crate::journey::{JourneyRole, Path};
    use crate::vocab::{Criticality, FactorKind, Severity};

    #[test]
    fn sms_as_a_fallback_is_restricted() {
        let case = Case::office(|j| j.fallback.push(Path::of(&["password", "sms_otp"])));
        let f = case.only(Rule::RestrictedMethod);
        assert_eq!(
            f.key,
            "restricted_method/office_employees/fallback/password+sms_otp"
        );
        assert_eq!(f.severity, Severity::Medium);
        assert!(f.explanation.contains("SMS one-time code"));
    }

    #[test]
    fn a_restricted_method_is_worse_as_recovery_or_on_a_critical_application() {
        let recovery = Case::office(|j| j.recovery.push(Path::single("voice_call")));
        assert_eq!(
            recovery.only(Rule::RestrictedMethod).severity,
            Severity::High
        );
        let critical =
            Case::office(|j| j.fallback.push(Path::single("sms_otp"))).at(Criticality::Critical);
        assert_eq!(
            critical.only(Rule::RestrictedMethod).severity,
            Severity::High
        );
    }

    #[test]
    fn no_restricted_method_no_rule_2() {
        Case::office(|j| j.fallback.push(Path::single("totp_app"))).none(Rule::RestrictedMethod);
    }

    #[test]
    fn a_method_the_standard_does_not_have_for_the_role_deviates() {
        let case = Case::office(|j| j.primary.push(Path::single("password")));
        let f = case.only(Rule::MethodOutsideStandard);
        assert_eq!(
            f.key,
            "method_outside_standard/office_employees/primary/password"
        );
        assert!(f.explanation.contains("not part of the standard primary"));
        let sms = Case::office(|j| j.fallback.push(Path::single("sms_otp")));
        sms.only(Rule::MethodOutsideStandard);
    }

    #[test]
    fn standard_and_allowed_methods_do_not_deviate() {
        Case::office(|_| {}).none(Rule::MethodOutsideStandard);
        Case::office(|j| {
            j.fallback.push(Path::single("totp_app"));
            j.recovery.push(Path::single("recovery_codes"));
        })
        .none(Rule::MethodOutsideStandard);
    }

    #[test]
    fn a_method_never_accepted_deviates_even_if_allowed() {
        let mut case = Case::office(|j| j.recovery.push(Path::single("recovery_codes")));
        case.policy.never.push("recovery_codes".into());
        let f = case.only(Rule::MethodOutsideStandard);
        assert!(f.explanation.contains("never accepts"), "{}", f.explanation);
    }

    #[test]
    fn a_retired_method_deviates_and_says_so() {
        let mut case = Case::office(|_| {});
        let mut methods = super::super::fixture::methods();
        for m in &mut methods {
            if m.key == "security_key" {
                m.active = false;
            }
        }
        case.catalogue = crate::findings::rules::Catalogue::new(&methods);
        let found = case.of(Rule::MethodOutsideStandard);
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|f| f.explanation.contains("FIDO2 security key is retired")),
            "{found:?}"
        );
        assert!(
            case.run()
                .findings
                .iter()
                .any(|f| f.key == "method_outside_standard/office_employees/fallback/security_key")
        );
    }

    #[test]
    fn a_method_missing_from_the_catalogue_deviates_and_counts_as_aal1() {
        let case = Case::office(|j| j.fallback.push(Path::single("carrier_pigeon")));
        let f = case.only(Rule::MethodOutsideStandard);
        assert!(f.explanation.contains("not in the method catalogue"));
        let weak = case.only(Rule::WeakestLink);
        assert!(weak.explanation.contains("AAL1"));
    }

    #[test]
    fn knowledge_questions_as_recovery_fire_rule_13() {
        let case = Case::office(|j| j.recovery = vec![Path::single("helpdesk_kba")]);
        let f = case.only(Rule::KnowledgeQuestionsRecovery);
        assert_eq!(
            f.key,
            "knowledge_questions_recovery/office_employees/recovery/helpdesk_kba"
        );
        assert!(
            f.explanation
                .contains("Help-desk reset with knowledge questions")
        );
        case.only(Rule::MethodOutsideStandard);
    }

    #[test]
    fn a_proofed_help_desk_reset_is_not_rule_13() {
        Case::office(|j| j.recovery = vec![Path::single("helpdesk_proofing")])
            .none(Rule::KnowledgeQuestionsRecovery);
    }

    #[test]
    fn email_as_fallback_or_recovery_fires_rule_14() {
        let case = Case::office(|j| j.recovery.push(Path::single("email_link")));
        let f = case.only(Rule::EmailFallbackRecovery);
        assert_eq!(f.scope.role, Some(JourneyRole::Recovery));
        assert!(f.explanation.contains("Email link or code"));
        let fallback = Case::office(|j| j.fallback.push(Path::of(&["password", "email_link"])));
        fallback.only(Rule::EmailFallbackRecovery);
    }

    #[test]
    fn email_found_by_category_not_by_key() {
        let mut case = Case::office(|j| j.fallback.push(Path::single("mail_code")));
        case.catalogue = catalogue_with(method(
            "mail_code",
            "Code by mail",
            "email",
            FactorKind::Possession,
        ));
        case.only(Rule::EmailFallbackRecovery);
    }

    #[test]
    fn email_elsewhere_is_not_rule_14() {
        Case::office(|j| j.enrolment.push(Path::single("email_link")))
            .none(Rule::EmailFallbackRecovery);
        Case::office(|_| {}).none(Rule::EmailFallbackRecovery);
    }
}
