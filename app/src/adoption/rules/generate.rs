//! A year of generated monthly figures whose shape follows each application's declared
//! journey: primary methods carry most sign-ins and gain share over the year, weak fallbacks
//! (lower in the catalogue's strength order) are used more than strong ones, a few applications
//! concentrate their tickets in lost-device recovery, and some drift (sign-ins by a method no
//! population declares, or still mostly by password behind a passwordless primary). The same
//! seed gives the same figures.

use crate::adoption::model::{MethodCounts, Period, PeriodFigures, TicketStage};
use crate::journey::PopulationJourney;
use crate::random::SplitMix64;
use std::collections::BTreeMap;

/// What the generator needs of one application.
pub struct Subject<'a> {
    pub name: &'a str,
    /// Its declared journeys (empty: nothing declared, no figures).
    pub journeys: Vec<PopulationJourney>,
}

/// The `count` months ending with `last`, oldest first.
pub fn months_ending(last: Period, count: usize) -> Vec<Period> {
    let Period::Month {
        mut year,
        mut month,
    } = last.month()
    else {
        unreachable!("month() is a month")
    };
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(Period::Month { year, month });
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
    }
    out.reverse();
    out
}

/// Whether any role of a journey names the method (alone or in a combined path).
fn declares(j: &PopulationJourney, method: &str) -> bool {
    crate::journey::JourneyRole::ALL
        .iter()
        .any(|r| j.paths(*r).iter().any(|p| p.contains(method)))
}

/// The methods sign-ins through these paths are logged under: each path's last factor (a
/// password followed by an app code is logged as the app code, as identity providers log the
/// step that completed the sign-in).
fn completing_factors(paths: &[crate::journey::Path]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        if let Some(m) = p.factors().last()
            && !out.contains(m)
        {
            out.push(m.clone());
        }
    }
    out
}

/// Figures of every subject for every month. `strength` ranks a method (0 strongest);
/// `passwordless` tells the methods that count as passwordless.
pub fn figures(
    subjects: &[Subject<'_>],
    months: &[Period],
    seed: u64,
    strength: &dyn Fn(&str) -> u32,
) -> Vec<PeriodFigures> {
    let mut rng = SplitMix64::new(seed ^ 0xAD0F_7104_0000_0001);
    let mut out = Vec::with_capacity(subjects.len() * months.len());
    for s in subjects {
        if s.journeys.is_empty() {
            continue;
        }
        let primaries: Vec<String> = {
            let mut v = Vec::new();
            for j in &s.journeys {
                for m in completing_factors(&j.primary) {
                    if !v.contains(&m) {
                        v.push(m);
                    }
                }
            }
            v
        };
        let fallbacks: Vec<String> = {
            let mut v = Vec::new();
            for j in &s.journeys {
                for m in completing_factors(&j.fallback) {
                    if !v.contains(&m) && !primaries.contains(&m) {
                        v.push(m);
                    }
                }
            }
            v
        };
        let recovery: Option<String> = s
            .journeys
            .iter()
            .find_map(|j| completing_factors(&j.recovery).into_iter().next());
        if primaries.is_empty() {
            continue;
        }
        let users = 40 + rng.below(4_000) as u64;
        // Drift: one in fourteen signs in partly by a method nobody declared; one in twenty
        // is still mostly on passwords; one in twelve has a fallback more used than its primary.
        let undeclared = rng.percent(7).then(|| {
            let pool = ["password", "sms_otp", "email_link", "push_plain"];
            pool.iter()
                .find(|m| !s.journeys.iter().any(|j| declares(j, m)))
                .map(|m| m.to_string())
        });
        let undeclared = undeclared.flatten();
        let password_heavy = rng.percent(5);
        let fallback_heavy = !fallbacks.is_empty() && rng.percent(8);
        let recovery_tickets = rng.percent(9);
        let start_share = 45 + rng.below(30) as u64; // % of sign-ins on the primary, month 1
        let gain = rng.below(30) as u64; // points gained over the year
        for (i, period) in months.iter().enumerate() {
            let month_users = users + rng.below((users / 10 + 1) as usize) as u64;
            let sign_ins = month_users * (12 + rng.below(14) as u64);
            let progress = (i as u64 * gain) / months.len().max(1) as u64;
            let primary_share = (start_share + progress).min(97);
            let mut methods: BTreeMap<String, MethodCounts> = BTreeMap::new();
            let mut add = |m: &str, ok: u64, failed: u64, fallback: u64| {
                let c = methods
                    .entry(m.to_string())
                    .or_insert_with(|| MethodCounts::new(m));
                c.sign_ins_succeeded += ok;
                c.sign_ins_failed += failed;
                c.fallback_uses += fallback;
            };
            let mut left = sign_ins;
            if password_heavy {
                let pw = sign_ins * (55 + rng.below(20) as u64) / 100;
                add("password", pw, pw / 20, 0);
                left -= pw;
            }
            if let Some(m) = &undeclared {
                let n = sign_ins * (3 + rng.below(10) as u64) / 100;
                add(m, n, n / 15, n);
                left -= n.min(left);
            }
            let on_primary = if fallback_heavy {
                left * 30 / 100
            } else {
                left * primary_share / 100
            };
            let per_primary = on_primary / primaries.len() as u64;
            for m in &primaries {
                add(m, per_primary, per_primary / 40, 0);
            }
            let rest = left - per_primary * primaries.len() as u64;
            if fallbacks.is_empty() {
                if let Some(m) = primaries.first() {
                    add(m, rest, rest / 40, 0);
                }
            } else {
                // Weaker fallbacks take more of what is left.
                let weights: Vec<u64> = fallbacks
                    .iter()
                    .map(|m| 1 + u64::from(strength(m)))
                    .collect();
                let total: u64 = weights.iter().sum();
                for (m, w) in fallbacks.iter().zip(&weights) {
                    let n = rest * w / total;
                    add(m, n, n / 12, n);
                }
            }
            let mut f = PeriodFigures::new(s.name, *period, None);
            let recoveries = sign_ins / 1000 * (1 + rng.below(4) as u64) / 2;
            if let Some(r) = &recovery {
                methods
                    .entry(r.clone())
                    .or_insert_with(|| MethodCounts::new(r.clone()))
                    .recoveries += recoveries;
            }
            let new_people = month_users / 50 + rng.below(5) as u64;
            if let Some(m) = primaries.first() {
                methods
                    .entry(m.clone())
                    .or_insert_with(|| MethodCounts::new(m.clone()))
                    .enrolments += new_people;
            }
            f.methods = methods.into_values().filter(|c| !c.is_zero()).collect();
            f.users = month_users;
            let tickets = month_users * (3 + rng.below(20) as u64) / 1000;
            let weights: [(TicketStage, u64); 6] = if recovery_tickets {
                [
                    (TicketStage::Enrolment, 1),
                    (TicketStage::BiometricRegistration, 1),
                    (TicketStage::AuthenticatorMigration, 1),
                    (TicketStage::LostDeviceRecovery, 8),
                    (TicketStage::ReauthenticationAfterReset, 1),
                    (TicketStage::Other, 1),
                ]
            } else {
                [
                    (TicketStage::Enrolment, 3),
                    (TicketStage::BiometricRegistration, 2),
                    (TicketStage::AuthenticatorMigration, 2),
                    (TicketStage::LostDeviceRecovery, 2),
                    (TicketStage::ReauthenticationAfterReset, 2),
                    (TicketStage::Other, 1),
                ]
            };
            let total: u64 = weights.iter().map(|w| w.1).sum();
            for (stage, w) in weights {
                let n = tickets * w / total + u64::from(rng.percent(30));
                if n > 0 {
                    f.tickets.insert(stage, n);
                }
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::Path;

    fn journey(primary: &[&str], fallback: &[&str]) -> PopulationJourney {
        PopulationJourney {
            population: "office_employees".into(),
            primary: primary.iter().map(|m| Path::from(*m)).collect(),
            fallback: fallback.iter().map(|m| Path::from(*m)).collect(),
            recovery: vec![Path::from("helpdesk_proofing")],
            ..PopulationJourney::default()
        }
    }

    #[test]
    fn a_year_ends_with_the_month_given() {
        let m = months_ending(Period::parse("2026-02-14").unwrap(), 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0].to_string(), "2025-03");
        assert_eq!(m[11].to_string(), "2026-02");
    }

    #[test]
    fn figures_follow_the_journey_and_the_seed() {
        let subjects: Vec<Subject> = (0..60)
            .map(|i| Subject {
                name: ["a", "b", "c", "d", "e", "f"][i % 6],
                journeys: vec![journey(&["platform_passkey"], &["sms_otp", "security_key"])],
            })
            .collect();
        let months = months_ending(Period::parse("2026-11").unwrap(), 12);
        let strength = |m: &str| if m == "sms_otp" { 10 } else { 1 };
        let a = figures(&subjects, &months, 7, &strength);
        let b = figures(&subjects, &months, 7, &strength);
        assert_eq!(a, b, "the same seed gives the same figures");
        assert_eq!(a.len(), 60 * 12);
        let sum = |m: &str, fallback: bool| -> u64 {
            a.iter()
                .flat_map(|f| &f.methods)
                .filter(|c| c.method == m)
                .map(|c| {
                    if fallback {
                        c.fallback_uses
                    } else {
                        c.sign_ins_succeeded
                    }
                })
                .sum()
        };
        // The weaker fallback is used more than the stronger one.
        assert!(sum("sms_otp", true) > sum("security_key", true));
        // The primary carries the most sign-ins.
        assert!(sum("platform_passkey", false) > sum("sms_otp", false));
        // Some tickets concentrate in lost-device recovery.
        assert!(a.iter().any(|f| {
            let total: u64 = f.tickets.values().sum();
            f.tickets
                .get(&TicketStage::LostDeviceRecovery)
                .is_some_and(|n| total >= 10 && *n * 2 > total)
        }));
        assert_ne!(a, figures(&subjects, &months, 8, &strength));
    }
}
