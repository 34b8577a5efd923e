//! The findings function (pure): every deviation of one application's journey from the standard
//! policy, and what the journey is worth. It reads the declaration, the provider's declaration,
//! the policy, the method catalogue and today's date, all given; never the clock or the
//! database.
//!
//! - A federated application (one with a provider) is judged on its effective journey: the
//!   provider's journey with the application's own paths and settings merged in. Its own
//!   declaration is also judged by rule 20 (a local path beside federation is a bypass).
//! - Only the populations the application serves are judged, in its order. A served population
//!   without a declared journey yields exactly one finding (rule 9, "not declared"), never a
//!   cascade; nothing submitted yet (`own == None`) is every population undeclared.
//! - Each finding's key is the rule's key and its scope (population, role, path) joined by `/`,
//!   so the same deviation keeps its key across versions and recomputations: exceptions refer to
//!   it. A path's part is its methods joined by `+` (`password+totp_app`).
//! - Severity is the rule's default, or the policy's override for that rule key; a restricted
//!   method is one level worse as recovery or on a critical application.
//! - Findings come most severe first, then by key; no key appears twice.

mod assurance;
mod catalog;
#[cfg(feature = "ssr")]
pub mod export;
mod lifecycle;
mod methods;
mod settings;
mod signin;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

pub use assurance::{
    Catalogue, PathAssurance, SIGN_IN_ROLES, SignIn, application_assurance, path_assurance,
    population_assurance, sign_in_paths, signs_in,
};
pub use catalog::{RULES, Rule, RuleInfo, raised};

use crate::declarations::facade::effective;
use crate::declarations::model::Names;
use crate::findings::model::{Evaluation, Finding, Scope};
use crate::journey::{Declaration, JourneyRole, Path, PopulationJourney};
use crate::policy::model::{CriticalityRules, Policy};
use crate::vocab::{Criticality, Severity};
use std::borrow::Cow;
use time::Date;

/// What the rules need to know about the application besides its declarations.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub criticality: Criticality,
    /// The populations it serves, in its order.
    pub served: &'a [String],
    /// It names a provider and inherits the provider's journey.
    pub federated: bool,
    /// The provider's name, for explanations.
    pub provider_name: Option<&'a str>,
    /// When its latest version was submitted (`None`: nothing submitted, nothing to review).
    pub last_submitted: Option<Date>,
}

/// Judges one application (see the module's notes). `provider` is read only when the
/// application is federated; `today` dates the break-glass drill and the review.
pub fn evaluate(
    facts: &Facts,
    own: Option<&Declaration>,
    provider: Option<&Declaration>,
    policy: &Policy,
    catalogue: &Catalogue,
    names: &Names,
    today: Date,
) -> Evaluation {
    let nothing = Declaration::default();
    let own = own.unwrap_or(&nothing);
    let journey = if facts.federated {
        Cow::Owned(effective(own, provider))
    } else {
        Cow::Borrowed(own)
    };
    let ctx = Context {
        facts,
        policy,
        required: policy.for_criticality(facts.criticality),
        catalogue,
        names,
        today,
    };
    let mut findings = Vec::new();
    let mut populations = Vec::new();
    for key in facts.served {
        let Some(j) = journey.journey(key) else {
            findings.push(signin::undeclared(&ctx, key));
            populations.push(assurance::weakest(key, &[]));
            continue;
        };
        let pop = Population::new(&ctx, j);
        populations.push(assurance::weakest(key, &pop.sign_in));
        signin::check(&ctx, &pop, &mut findings);
        methods::check(&ctx, &pop, &mut findings);
        lifecycle::check(&ctx, &pop, &mut findings);
        settings::check_population(&ctx, &pop, &mut findings);
        if facts.federated
            && let Some(local) = own.journey(key)
        {
            methods::check_local_paths(&ctx, local, &mut findings);
        }
    }
    settings::check_application(&ctx, &journey, &mut findings);
    let (aal, phishing_resistant) = application_assurance(&populations);
    Evaluation {
        findings: ordered(findings),
        populations,
        aal,
        phishing_resistant,
    }
}

/// Most severe first, then by key; of two findings with one key, the more severe stays.
fn ordered(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_unstable_by(|a, b| (&a.key, a.severity).cmp(&(&b.key, b.severity)));
    findings.dedup_by(|later, kept| later.key == kept.key);
    findings.sort_unstable_by(|a, b| (a.severity, &a.key).cmp(&(b.severity, &b.key)));
    findings
}

/// Everything a rule reads, and how it words and scores a finding.
struct Context<'a> {
    pub facts: &'a Facts<'a>,
    pub policy: &'a Policy,
    /// The policy's requirements for the application's criticality.
    pub required: &'a CriticalityRules,
    pub catalogue: &'a Catalogue,
    pub names: &'a Names,
    pub today: Date,
}

impl Context<'_> {
    /// The rule's severity under this policy.
    pub fn severity(&self, rule: Rule) -> Severity {
        let info = rule.info();
        self.policy
            .severity
            .get(info.key)
            .copied()
            .unwrap_or(info.severity)
    }

    pub fn finding(&self, rule: Rule, scope: Scope, explanation: String, fix: String) -> Finding {
        let info = rule.info();
        Finding {
            rule: info.key.to_string(),
            severity: self.severity(rule),
            key: key(rule, &scope),
            scope,
            explanation,
            fix,
            // Labelled from the frameworks' mapping where findings are stored.
            controls: Vec::new(),
        }
    }

    pub fn method<'k>(&'k self, key: &'k str) -> &'k str {
        self.names.method_name(key)
    }

    /// A path in words: "Password + Authenticator app (TOTP)".
    pub fn path(&self, path: &Path) -> String {
        let mut out = String::new();
        for (i, m) in path.factors().iter().enumerate() {
            if i > 0 {
                out.push_str(" + ");
            }
            out.push_str(self.names.method_name(m));
        }
        out
    }

    /// Several paths in words: "A, B and C".
    pub fn paths<'p>(&self, paths: impl IntoIterator<Item = &'p Path>) -> String {
        let words: Vec<String> = paths.into_iter().map(|p| self.path(p)).collect();
        match words.as_slice() {
            [] => "none".into(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    pub fn criticality(&self) -> String {
        self.facts.criticality.label().to_lowercase()
    }
}

/// One population's journey as the rules read it.
struct Population<'a> {
    pub key: &'a str,
    /// Its display name.
    pub name: String,
    pub journey: &'a PopulationJourney,
    /// Its ways to sign in, with what each is worth.
    pub sign_in: Vec<SignIn<'a>>,
}

impl<'a> Population<'a> {
    fn new(ctx: &Context, journey: &'a PopulationJourney) -> Self {
        Self {
            key: &journey.population,
            name: ctx.names.population(&journey.population),
            journey,
            sign_in: sign_in_paths(journey, ctx.catalogue, ctx.facts.federated),
        }
    }

    pub fn sign_in(&self, role: JourneyRole) -> impl Iterator<Item = &SignIn<'a>> {
        self.sign_in.iter().filter(move |s| s.role == role)
    }

    /// Every path of every role, with its role.
    pub fn all_paths(&self) -> impl Iterator<Item = (JourneyRole, &'a Path)> {
        let journey = self.journey;
        JourneyRole::ALL
            .iter()
            .flat_map(move |r| journey.paths(*r).iter().map(move |p| (*r, p)))
    }

    pub fn scope(&self, role: Option<JourneyRole>, path: Option<&Path>) -> Scope {
        scope(self.key, role, path)
    }
}

/// A finding's scope: as many parts as apply.
fn scope(population: &str, role: Option<JourneyRole>, path: Option<&Path>) -> Scope {
    Scope {
        population: Some(population.to_string()),
        role,
        method: path.map(Path::to_cell),
    }
}

/// The stable key: the rule's key and the scope's parts, joined by `/`.
pub fn key(rule: Rule, scope: &Scope) -> String {
    let parts = [
        scope.population.as_deref(),
        scope.role.map(|r| r.as_str()),
        scope.method.as_deref(),
    ];
    let mut key = String::with_capacity(64);
    key.push_str(rule.key());
    for part in parts.into_iter().flatten() {
        key.push('/');
        key.push_str(part);
    }
    key
}

/// A role as it reads inside a sentence: "fallback", "step-up".
fn role_word(role: JourneyRole) -> &'static str {
    match role {
        JourneyRole::Enrolment => "enrolment",
        JourneyRole::Primary => "primary",
        JourneyRole::Fallback => "fallback",
        JourneyRole::Recovery => "recovery",
        JourneyRole::StepUp => "step-up",
        JourneyRole::DeviceReplacement => "device replacement",
    }
}

/// A role with its article: "a fallback", "an enrolment".
fn a_role(role: JourneyRole) -> &'static str {
    match role {
        JourneyRole::Enrolment => "an enrolment",
        JourneyRole::Primary => "a primary",
        JourneyRole::Fallback => "a fallback",
        JourneyRole::Recovery => "a recovery",
        JourneyRole::StepUp => "a step-up",
        JourneyRole::DeviceReplacement => "a device replacement",
    }
}
