//! How strong a path, a population's journey and an application are, in SP 800-63B terms.
//!
//! A path is one or more methods used together. Its assurance level is the best of these
//! candidates (adding a factor never lowers it), and at least AAL1:
//! - a multi-factor method (a passkey, a security key, a smart card with its PIN) gives its
//!   highest level;
//! - something you know with at least one something-you-have gives AAL2 at most: the lower of 2
//!   and the best possession factor's highest level (a password with an authenticator code, a
//!   push approval or an SMS code is AAL2; with recovery codes or an email link, AAL1);
//! - a federated sign-in or a procedure gives its highest level (the catalogue says AAL2 and
//!   AAL1);
//! - any single factor alone, or two possession factors, gives AAL1.
//!
//! A method missing from the catalogue counts as an AAL1 factor that can be relayed.
//!
//! A path is phishing-resistant when one of its factors is and none of its factors can be
//! relayed to a fake site: something you know and something you have (codes, pushes) can be,
//! unless the catalogue marks that very method phishing-resistant. A federated sign-in never
//! makes a path phishing-resistant here: its strength is the provider's journey, judged there.
//!
//! A population signs in through its primary, fallback and recovery paths. Paths made only of
//! procedures (a help-desk reset with identity proofing, a temporary access pass) are not ways to
//! sign in: they issue a credential, and their own rules judge them (3, 4, 13, 17, 18). For an
//! application with a provider, a path made only of federated sign-in stands for the provider's
//! journey, which is merged in already, so it is not counted twice. The population is worth its
//! weakest sign-in path; the application is worth its weakest population.

use crate::catalogue::model::{FactorKind, MethodView};
use crate::findings::model::PopulationAssurance;
use crate::journey::{JourneyRole, Path, PopulationJourney};
use std::collections::BTreeMap;

/// The authentication methods the rules read attributes from, by key (retired ones included:
/// a declaration may still name them).
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    methods: BTreeMap<String, MethodView>,
}

impl Catalogue {
    pub fn new(methods: &[MethodView]) -> Self {
        Self {
            methods: methods.iter().map(|m| (m.key.clone(), m.clone())).collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&MethodView> {
        self.methods.get(key)
    }
}

/// What a path is worth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathAssurance {
    /// 1 to 3.
    pub aal: u8,
    pub phishing_resistant: bool,
    /// One of its methods is a restricted authenticator (SP 800-63B 5.2.10: SMS, voice).
    pub restricted: bool,
    /// One of its factors can be relayed to a fake site (see the module's notes).
    pub relayable: bool,
    /// Every method is a procedure (an issuance or reset, not a way to sign in).
    pub procedure_only: bool,
    /// Every method is a federated sign-in.
    pub federation_only: bool,
    /// One of its methods is syncable (a synced passkey).
    pub synced: bool,
    /// One of its methods is something you know (a password).
    pub knowledge: bool,
    /// One of its methods is missing from the catalogue.
    pub unknown: bool,
}

/// The assurance of one path (see the module's notes for the rules).
pub fn path_assurance(path: &Path, catalogue: &Catalogue) -> PathAssurance {
    // Looked up once; on the stack for the paths the editor allows (at most three methods).
    const INLINE: usize = 4;
    let mut inline: [Option<&MethodView>; INLINE] = [None; INLINE];
    let spilled: Vec<Option<&MethodView>>;
    let factors: &[Option<&MethodView>] = if path.factors().len() <= INLINE {
        for (slot, k) in inline.iter_mut().zip(path.factors()) {
            *slot = catalogue.get(k);
        }
        &inline[..path.factors().len()]
    } else {
        spilled = path.factors().iter().map(|k| catalogue.get(k)).collect();
        &spilled
    };
    let kind = |k: FactorKind| factors.iter().flatten().filter(move |m| m.factor == k);
    let clamp = |aal: i32| aal.clamp(1, 3) as u8;

    let mut aal = 1;
    for m in factors.iter().flatten() {
        if matches!(
            m.factor,
            FactorKind::MultiFactor | FactorKind::Federation | FactorKind::Procedure
        ) {
            aal = aal.max(clamp(m.max_aal));
        }
    }
    if kind(FactorKind::Knowledge).next().is_some()
        && let Some(best) = kind(FactorKind::Possession).map(|m| m.max_aal).max()
    {
        aal = aal.max(clamp(best.min(2)));
    }

    let relayable_factor = |m: &Option<&MethodView>| match m {
        None => true,
        Some(m) => {
            matches!(m.factor, FactorKind::Knowledge | FactorKind::Possession)
                && !m.phishing_resistant
        }
    };
    let relayable = factors.iter().any(relayable_factor);
    let resists = factors
        .iter()
        .flatten()
        .any(|m| m.phishing_resistant && m.factor != FactorKind::Federation);
    let known_all = |k: FactorKind| {
        !factors.is_empty() && factors.iter().all(|m| m.is_some_and(|m| m.factor == k))
    };
    PathAssurance {
        aal,
        phishing_resistant: resists && !relayable,
        restricted: factors.iter().flatten().any(|m| m.restricted),
        relayable,
        procedure_only: known_all(FactorKind::Procedure),
        federation_only: known_all(FactorKind::Federation),
        synced: factors.iter().flatten().any(|m| m.syncable),
        knowledge: kind(FactorKind::Knowledge).next().is_some(),
        unknown: factors.iter().any(Option::is_none),
    }
}

/// One way a population signs in, with what it is worth.
#[derive(Clone, Debug)]
pub struct SignIn<'j> {
    pub role: JourneyRole,
    pub path: &'j Path,
    pub assurance: PathAssurance,
}

/// The roles people sign in through.
pub const SIGN_IN_ROLES: [JourneyRole; 3] = [
    JourneyRole::Primary,
    JourneyRole::Fallback,
    JourneyRole::Recovery,
];

/// Whether a path is a way to sign in (see the module's notes): not procedures only, and not a
/// federated sign-in that stands for a provider's journey merged in already.
pub fn signs_in(a: &PathAssurance, has_provider: bool) -> bool {
    let stands_for_provider = has_provider && a.federation_only;
    !(a.procedure_only || stands_for_provider)
}

/// The sign-in paths of a population: primary, fallback and recovery, in that order.
pub fn sign_in_paths<'j>(
    journey: &'j PopulationJourney,
    catalogue: &Catalogue,
    has_provider: bool,
) -> Vec<SignIn<'j>> {
    SIGN_IN_ROLES
        .iter()
        .flat_map(|role| {
            journey.paths(*role).iter().map(move |path| SignIn {
                role: *role,
                path,
                assurance: path_assurance(path, catalogue),
            })
        })
        .filter(|s| signs_in(&s.assurance, has_provider))
        .collect()
}

/// A population's assurance: its weakest sign-in path (0 and not phishing-resistant when it has
/// none).
pub fn population_assurance(
    journey: &PopulationJourney,
    catalogue: &Catalogue,
    has_provider: bool,
) -> PopulationAssurance {
    weakest(
        &journey.population,
        &sign_in_paths(journey, catalogue, has_provider),
    )
}

/// A population worth its weakest sign-in path.
pub(super) fn weakest(population: &str, paths: &[SignIn]) -> PopulationAssurance {
    PopulationAssurance {
        population: population.to_string(),
        aal: paths.iter().map(|s| s.assurance.aal).min().unwrap_or(0),
        phishing_resistant: !paths.is_empty()
            && paths.iter().all(|s| s.assurance.phishing_resistant),
    }
}

/// An application's assurance: its weakest population's (0 and not phishing-resistant when it
/// has none).
pub fn application_assurance(populations: &[PopulationAssurance]) -> (u8, bool) {
    (
        populations.iter().map(|p| p.aal).min().unwrap_or(0),
        !populations.is_empty() && populations.iter().all(|p| p.phishing_resistant),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::rules::fixture::catalogue;

    fn of(keys: &[&str]) -> PathAssurance {
        path_assurance(&Path::of(keys), &catalogue())
    }

    #[test]
    fn a_password_alone_is_aal1() {
        let a = of(&["password"]);
        assert_eq!((a.aal, a.phishing_resistant), (1, false));
        assert!(a.knowledge && a.relayable);
    }

    #[test]
    fn a_password_with_an_sms_code_is_aal2_and_restricted() {
        let a = of(&["password", "sms_otp"]);
        assert_eq!(
            (a.aal, a.phishing_resistant, a.restricted),
            (2, false, true)
        );
    }

    #[test]
    fn a_password_with_an_authenticator_code_is_aal2_not_aal1() {
        let a = of(&["password", "totp_app"]);
        assert_eq!(
            (a.aal, a.phishing_resistant, a.restricted),
            (2, false, false)
        );
        assert_eq!(
            of(&["totp_app", "password"]).aal,
            2,
            "order does not matter"
        );
    }

    #[test]
    fn a_password_with_a_number_matching_push_is_aal2() {
        assert_eq!(of(&["password", "push_number_matching"]).aal, 2);
    }

    #[test]
    fn a_password_with_a_weak_possession_factor_stays_aal1() {
        assert_eq!(of(&["password", "recovery_codes"]).aal, 1);
        assert_eq!(of(&["password", "email_link"]).aal, 1);
    }

    #[test]
    fn device_bound_multi_factor_methods_alone_are_aal3_and_phishing_resistant() {
        for key in ["smart_card", "platform_passkey", "security_key"] {
            let a = of(&[key]);
            assert_eq!(
                (a.aal, a.phishing_resistant, a.synced),
                (3, true, false),
                "{key}"
            );
        }
    }

    #[test]
    fn a_synced_passkey_is_aal2_and_phishing_resistant() {
        let a = of(&["synced_passkey"]);
        assert_eq!((a.aal, a.phishing_resistant, a.synced), (2, true, true));
    }

    #[test]
    fn a_security_key_with_a_password_is_aal3_but_the_password_can_be_relayed() {
        let a = of(&["security_key", "password"]);
        assert_eq!((a.aal, a.phishing_resistant), (3, false));
    }

    #[test]
    fn a_single_possession_factor_or_two_of_them_are_aal1() {
        assert_eq!(of(&["totp_app"]).aal, 1);
        assert_eq!(of(&["sms_otp"]).aal, 1);
        assert_eq!(of(&["totp_app", "sms_otp"]).aal, 1);
        assert!(!of(&["totp_app"]).phishing_resistant);
    }

    #[test]
    fn federation_and_procedures_give_their_highest_level_and_never_resist_phishing() {
        let f = of(&["federated_idp"]);
        assert_eq!(
            (f.aal, f.phishing_resistant, f.federation_only),
            (2, false, true)
        );
        let p = of(&["helpdesk_proofing"]);
        assert_eq!((p.aal, p.procedure_only), (1, true));
        let mixed = of(&["temporary_access_pass", "password"]);
        assert!(!mixed.procedure_only);
    }

    #[test]
    fn a_method_missing_from_the_catalogue_is_aal1_and_relayable() {
        let a = of(&["carrier_pigeon"]);
        assert_eq!((a.aal, a.phishing_resistant, a.unknown), (1, false, true));
        let b = of(&["platform_passkey", "carrier_pigeon"]);
        assert_eq!((b.aal, b.phishing_resistant), (3, false));
        assert!(!of(&["carrier_pigeon"]).procedure_only);
    }

    #[test]
    fn a_population_is_worth_its_weakest_sign_in_path_procedures_aside() {
        let journey = PopulationJourney {
            population: "office_employees".into(),
            primary: vec![Path::single("platform_passkey")],
            fallback: vec![Path::of(&["password", "totp_app"])],
            recovery: vec![Path::single("helpdesk_proofing")],
            ..Default::default()
        };
        let a = population_assurance(&journey, &catalogue(), false);
        assert_eq!((a.aal, a.phishing_resistant), (2, false));
        let strong = PopulationJourney {
            fallback: vec![Path::single("security_key")],
            ..journey.clone()
        };
        let a = population_assurance(&strong, &catalogue(), false);
        assert_eq!((a.aal, a.phishing_resistant), (3, true));
        let empty = PopulationJourney::default();
        let a = population_assurance(&empty, &catalogue(), false);
        assert_eq!((a.aal, a.phishing_resistant), (0, false));
    }

    #[test]
    fn a_federated_sign_in_stands_for_the_provider_when_there_is_one() {
        let journey = PopulationJourney {
            primary: vec![
                Path::single("platform_passkey"),
                Path::single("federated_idp"),
            ],
            ..Default::default()
        };
        assert_eq!(population_assurance(&journey, &catalogue(), true).aal, 3);
        assert_eq!(population_assurance(&journey, &catalogue(), false).aal, 2);
    }

    #[test]
    fn an_application_is_worth_its_weakest_population() {
        let p = |aal, pr| PopulationAssurance {
            population: String::new(),
            aal,
            phishing_resistant: pr,
        };
        assert_eq!(application_assurance(&[p(3, true), p(2, true)]), (2, true));
        assert_eq!(
            application_assurance(&[p(3, true), p(3, false)]),
            (3, false)
        );
        assert_eq!(application_assurance(&[]), (0, false));
    }
}
