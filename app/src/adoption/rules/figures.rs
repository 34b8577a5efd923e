//! The adoption figures people read: counts summed over any set of reported figures
//! ([`Totals`]), and what is computed from them ([`Figures`]): the share of sign-ins that were
//! passwordless, how often passwordless sign-ins succeed, fallback uses and recoveries per
//! sign-in, help-desk tickets per person and per sign-in, tickets by journey stage and the stage
//! they concentrate in. Every ratio is `None` when there is nothing to divide by: a page shows
//! "—", never 0 % or NaN.

use crate::adoption::model::{MethodCounts, Period, PeriodFigures, TicketStage, Tickets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The catalogue key of the password, whose share of sign-ins drift watches.
pub const PASSWORD: &str = "password";

/// Tickets are said to concentrate in a stage only from this many tickets on: with fewer, one
/// or two tickets more or less would change the answer, and that is noise, not a pattern.
pub const CONCENTRATION_MIN_TICKETS: u64 = 10;

/// Counts summed over any set of [`PeriodFigures`] (applications, periods, populations). Users
/// are summed too: a person active in two periods or two applications counts twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Counts by catalogue key.
    pub methods: BTreeMap<String, MethodCounts>,
    pub users: u64,
    pub tickets: Tickets,
}

impl Totals {
    /// Adds one application's figures for one period and population.
    pub fn add(&mut self, f: &PeriodFigures) {
        for m in &f.methods {
            self.add_method(m);
        }
        self.users += f.users;
        self.add_tickets(&f.tickets);
    }

    /// Adds other totals to these.
    pub fn merge(&mut self, other: &Totals) {
        for m in other.methods.values() {
            self.add_method(m);
        }
        self.users += other.users;
        self.add_tickets(&other.tickets);
    }

    fn add_method(&mut self, m: &MethodCounts) {
        self.methods
            .entry(m.method.clone())
            .or_insert_with(|| MethodCounts::new(m.method.clone()))
            .add(m);
    }

    fn add_tickets(&mut self, tickets: &Tickets) {
        for (stage, n) in tickets {
            *self.tickets.entry(*stage).or_default() += n;
        }
    }

    fn sum(&self, count: impl Fn(&MethodCounts) -> u64) -> u64 {
        self.methods.values().map(count).sum()
    }

    /// Sign-ins that completed, with any method.
    pub fn sign_ins_succeeded(&self) -> u64 {
        self.sum(|m| m.sign_ins_succeeded)
    }

    /// Sign-ins that failed, at any method.
    pub fn sign_ins_failed(&self) -> u64 {
        self.sum(|m| m.sign_ins_failed)
    }

    /// Times any method was used as a fallback.
    pub fn fallback_uses(&self) -> u64 {
        self.sum(|m| m.fallback_uses)
    }

    /// Recoveries through any method.
    pub fn recoveries(&self) -> u64 {
        self.sum(|m| m.recoveries)
    }

    /// Enrolments of any method.
    pub fn enrolments(&self) -> u64 {
        self.sum(|m| m.enrolments)
    }

    /// Help-desk tickets at every stage.
    pub fn tickets_total(&self) -> u64 {
        self.tickets.values().sum()
    }

    /// Successful sign-ins with one method (0 when it was never reported).
    pub fn succeeded_with(&self, method: &str) -> u64 {
        self.methods.get(method).map_or(0, |m| m.sign_ins_succeeded)
    }
}

/// Tickets at one journey stage and their share of all tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageFigure {
    pub stage: TicketStage,
    pub tickets: u64,
    /// Of all tickets, from 0 to 1 (`None`: no ticket at all).
    pub share: Option<f64>,
}

/// What the browser shows for a set of totals. Shares and rates run from 0 to 1 (show them with
/// [`percent`]); "per 100" and "per 1,000" figures are plain numbers (show them with [`per`]).
/// Every ratio is `None` when its denominator is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Sign-ins that completed.
    pub sign_ins: u64,
    /// Sign-ins that failed.
    pub failed: u64,
    /// Sign-ins that completed with a passwordless method.
    pub passwordless_sign_ins: u64,
    /// The headline: the share of successful sign-ins that were passwordless.
    pub passwordless_share: Option<f64>,
    /// Passwordless sign-ins that completed, of those attempted (completed and failed).
    pub passwordless_success_rate: Option<f64>,
    /// Successful sign-ins with the password, of all successful sign-ins.
    pub password_share: Option<f64>,
    pub fallback_uses: u64,
    /// Fallback uses per 100 successful sign-ins.
    pub fallback_per_100: Option<f64>,
    pub recoveries: u64,
    /// Recoveries per 1,000 successful sign-ins.
    pub recoveries_per_1000: Option<f64>,
    pub enrolments: u64,
    /// Active users, summed as in [`Totals`].
    pub users: u64,
    /// Help-desk tickets at every stage.
    pub tickets: u64,
    /// Tickets per 1,000 active users.
    pub tickets_per_1000_users: Option<f64>,
    /// Tickets per 1,000 successful sign-ins.
    pub tickets_per_1000_sign_ins: Option<f64>,
    /// Every stage, in [`TicketStage`] order.
    pub stages: Vec<StageFigure>,
    /// The stage holding more than half of the tickets, when there are at least
    /// [`CONCENTRATION_MIN_TICKETS`] of them.
    pub concentration: Option<StageFigure>,
}

/// `part / whole * scale`, `None` when `whole` is 0.
fn ratio(part: u64, whole: u64, scale: f64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * scale)
}

/// The figures of some totals; `passwordless` tells whether a catalogue key is a passwordless
/// method.
pub fn figures(t: &Totals, passwordless: &dyn Fn(&str) -> bool) -> Figures {
    let sign_ins = t.sign_ins_succeeded();
    let (pl_ok, pl_failed) = t
        .methods
        .iter()
        .filter(|(key, _)| passwordless(key))
        .fold((0, 0), |(ok, failed), (_, m)| {
            (ok + m.sign_ins_succeeded, failed + m.sign_ins_failed)
        });
    let tickets = t.tickets_total();
    let stages: Vec<StageFigure> = TicketStage::ALL
        .iter()
        .map(|&stage| {
            let n = t.tickets.get(&stage).copied().unwrap_or(0);
            StageFigure {
                stage,
                tickets: n,
                share: ratio(n, tickets, 1.0),
            }
        })
        .collect();
    let concentration = (tickets >= CONCENTRATION_MIN_TICKETS)
        .then(|| stages.iter().find(|s| s.tickets * 2 > tickets).cloned())
        .flatten();
    let fallback_uses = t.fallback_uses();
    let recoveries = t.recoveries();
    Figures {
        sign_ins,
        failed: t.sign_ins_failed(),
        passwordless_sign_ins: pl_ok,
        passwordless_share: ratio(pl_ok, sign_ins, 1.0),
        passwordless_success_rate: ratio(pl_ok, pl_ok + pl_failed, 1.0),
        password_share: ratio(t.succeeded_with(PASSWORD), sign_ins, 1.0),
        fallback_uses,
        fallback_per_100: ratio(fallback_uses, sign_ins, 100.0),
        recoveries,
        recoveries_per_1000: ratio(recoveries, sign_ins, 1000.0),
        enrolments: t.enrolments(),
        users: t.users,
        tickets,
        tickets_per_1000_users: ratio(tickets, t.users, 1000.0),
        tickets_per_1000_sign_ins: ratio(tickets, sign_ins, 1000.0),
        stages,
        concentration,
    }
}

/// A share or rate (0 to 1) as people read it: "87.5 %"; "—" when there is none.
pub fn percent(r: Option<f64>) -> String {
    match r {
        Some(r) if r.is_finite() => format!("{:.1} %", r * 100.0),
        _ => "—".into(),
    }
}

/// A "per 100" or "per 1,000" figure as people read it: "4.2"; "—" when there is none.
pub fn per(r: Option<f64>) -> String {
    match r {
        Some(r) if r.is_finite() => format!("{r:.1}"),
        _ => "—".into(),
    }
}

/// The figures of each period, in period order; totals given twice for one period are added
/// together.
pub fn trend(
    series: &[(Period, Totals)],
    passwordless: &dyn Fn(&str) -> bool,
) -> Vec<(Period, Figures)> {
    let mut by: BTreeMap<Period, Totals> = BTreeMap::new();
    for (period, t) in series {
        by.entry(*period).or_default().merge(t);
    }
    by.into_iter()
        .map(|(p, t)| (p, figures(&t, passwordless)))
        .collect()
}

/// At most `n` rows with the most fallback uses per 100 sign-ins, highest first; on a tie the
/// row with more sign-ins first (then the order given). Rows without the figure are left out.
pub fn worst_by_fallback<K>(rows: &[(K, Figures)], n: usize) -> Vec<&(K, Figures)> {
    let mut with: Vec<&(K, Figures)> = rows
        .iter()
        .filter(|(_, f)| f.fallback_per_100.is_some())
        .collect();
    with.sort_by(|(_, a), (_, b)| {
        let (x, y) = (
            a.fallback_per_100.unwrap_or(0.0),
            b.fallback_per_100.unwrap_or(0.0),
        );
        y.total_cmp(&x).then(b.sign_ins.cmp(&a.sign_ins))
    });
    with.truncate(n);
    with
}

/// At most `n` rows whose tickets concentrate in one stage, the highest concentration first; on
/// a tie the row with more tickets first (then the order given). Rows without a concentration
/// are left out.
pub fn worst_by_concentration<K>(rows: &[(K, Figures)], n: usize) -> Vec<&(K, Figures)> {
    let share = |f: &Figures| {
        f.concentration
            .as_ref()
            .and_then(|c| c.share)
            .unwrap_or(0.0)
    };
    let mut with: Vec<&(K, Figures)> = rows
        .iter()
        .filter(|(_, f)| f.concentration.is_some())
        .collect();
    with.sort_by(|(_, a), (_, b)| {
        share(b)
            .total_cmp(&share(a))
            .then(b.tickets.cmp(&a.tickets))
    });
    with.truncate(n);
    with
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwordless(key: &str) -> bool {
        matches!(key, "platform_passkey" | "security_key")
    }

    fn method(key: &str, ok: u64, failed: u64, fallback: u64, recoveries: u64) -> MethodCounts {
        MethodCounts {
            sign_ins_succeeded: ok,
            sign_ins_failed: failed,
            fallback_uses: fallback,
            recoveries,
            ..MethodCounts::new(key)
        }
    }

    fn month(m: u8) -> Period {
        Period::Month {
            year: 2026,
            month: m,
        }
    }

    fn totals(methods: &[MethodCounts], users: u64, tickets: &[(TicketStage, u64)]) -> Totals {
        let mut f = PeriodFigures::new("Payroll", month(1), None);
        f.methods = methods.to_vec();
        f.users = users;
        f.tickets = tickets.iter().copied().collect();
        let mut t = Totals::default();
        t.add(&f);
        t
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    fn with_tickets(tickets: &[(TicketStage, u64)]) -> Figures {
        figures(&totals(&[], 0, tickets), &passwordless)
    }

    #[test]
    fn nothing_to_divide_by_gives_no_ratio() {
        let f = figures(&Totals::default(), &passwordless);
        assert_eq!((f.sign_ins, f.failed, f.tickets, f.users), (0, 0, 0, 0));
        for r in [
            f.passwordless_share,
            f.passwordless_success_rate,
            f.password_share,
            f.fallback_per_100,
            f.recoveries_per_1000,
            f.tickets_per_1000_users,
            f.tickets_per_1000_sign_ins,
        ] {
            assert_eq!(r, None);
        }
        assert_eq!(f.stages.len(), TicketStage::ALL.len());
        assert!(f.stages.iter().all(|s| s.tickets == 0 && s.share.is_none()));
        assert_eq!(f.concentration, None);
        assert_eq!(percent(f.passwordless_share), "—");
        assert_eq!(per(f.fallback_per_100), "—");
    }

    #[test]
    fn failed_passwordless_attempts_alone_give_a_zero_rate_not_none() {
        // Passwordless: 0 succeeded, 4 failed; nobody signed in at all.
        let t = totals(&[method("security_key", 0, 4, 0, 0)], 0, &[]);
        let f = figures(&t, &passwordless);
        assert_eq!(f.passwordless_share, None, "no successful sign-in");
        assert!(close(f.passwordless_success_rate, 0.0));
    }

    #[test]
    fn shares_and_rates_on_a_small_example() {
        // Succeeded: passkey 600 + security key 100 + password 300 = 1,000.
        // Passwordless: 700 succeeded, 50 + 50 = 100 failed → 700 / 800.
        // Fallback uses 30 + 12 = 42 → 4.2 per 100; recoveries 5 → 5 per 1,000.
        // Tickets 3 + 2 = 5: per 1,000 of 250 users = 20, per 1,000 sign-ins = 5.
        let t = totals(
            &[
                method("platform_passkey", 600, 50, 0, 0),
                method("security_key", 100, 50, 0, 0),
                method("password", 300, 20, 30, 5),
                method("totp_app", 0, 0, 12, 0),
            ],
            250,
            &[
                (TicketStage::Enrolment, 3),
                (TicketStage::LostDeviceRecovery, 2),
            ],
        );
        let f = figures(&t, &passwordless);
        assert_eq!(
            (f.sign_ins, f.failed, f.passwordless_sign_ins),
            (1000, 120, 700)
        );
        assert!(close(f.passwordless_share, 0.7));
        assert!(close(f.passwordless_success_rate, 0.875));
        assert!(close(f.password_share, 0.3));
        assert_eq!(f.fallback_uses, 42);
        assert!(close(f.fallback_per_100, 4.2));
        assert!(close(f.recoveries_per_1000, 5.0));
        assert_eq!(f.tickets, 5);
        assert!(close(f.tickets_per_1000_users, 20.0));
        assert!(close(f.tickets_per_1000_sign_ins, 5.0));
        assert_eq!(f.stages[0].stage, TicketStage::Enrolment);
        assert!(close(f.stages[0].share, 0.6));
        assert_eq!(f.concentration, None, "5 tickets are under the minimum");
        assert_eq!(percent(f.passwordless_success_rate), "87.5 %");
        assert_eq!(per(f.fallback_per_100), "4.2");
    }

    #[test]
    fn totals_add_and_merge_by_method() {
        let mut a = totals(
            &[method("password", 10, 1, 2, 3)],
            5,
            &[(TicketStage::Other, 1)],
        );
        let b = totals(
            &[
                method("password", 1, 1, 1, 1),
                method("sms_otp", 4, 0, 0, 0),
            ],
            7,
            &[(TicketStage::Other, 2), (TicketStage::Enrolment, 1)],
        );
        a.merge(&b);
        assert_eq!(a.methods["password"], method("password", 11, 2, 3, 4));
        assert_eq!(a.methods["sms_otp"].method, "sms_otp");
        assert_eq!(a.sign_ins_succeeded(), 15);
        assert_eq!(a.sign_ins_failed(), 2);
        assert_eq!(a.fallback_uses(), 3);
        assert_eq!(a.recoveries(), 4);
        assert_eq!(a.users, 12);
        assert_eq!(a.tickets[&TicketStage::Other], 3);
        assert_eq!(a.tickets_total(), 4);
    }

    #[test]
    fn exactly_half_of_the_tickets_is_no_concentration() {
        let f = with_tickets(&[(TicketStage::Enrolment, 10), (TicketStage::Other, 10)]);
        assert_eq!(f.concentration, None);
    }

    #[test]
    fn more_than_half_of_the_tickets_is_a_concentration() {
        let f = with_tickets(&[
            (TicketStage::LostDeviceRecovery, 51),
            (TicketStage::Enrolment, 49),
        ]);
        let c = f.concentration.expect("51 of 100 tickets");
        assert_eq!((c.stage, c.tickets), (TicketStage::LostDeviceRecovery, 51));
        assert!(close(c.share, 0.51));
    }

    #[test]
    fn too_few_tickets_are_not_a_concentration() {
        // 9 tickets, all at one stage: under the minimum of 10.
        assert_eq!(
            with_tickets(&[(TicketStage::Enrolment, 9)]).concentration,
            None
        );
        let c = with_tickets(&[(TicketStage::Enrolment, 10)]).concentration;
        assert_eq!(c.map(|c| c.tickets), Some(10));
    }

    #[test]
    fn the_trend_is_in_period_order_with_repeated_periods_added() {
        let t = |ok: u64| totals(&[method("platform_passkey", ok, 0, 0, 0)], 0, &[]);
        let series = [
            (month(3), t(30)),
            (month(1), t(10)),
            (month(3), t(5)),
            (month(2), t(20)),
        ];
        let trend = trend(&series, &passwordless);
        let got: Vec<(Period, u64)> = trend.iter().map(|(p, f)| (*p, f.sign_ins)).collect();
        assert_eq!(got, vec![(month(1), 10), (month(2), 20), (month(3), 35)]);
    }

    fn row(name: &'static str, sign_ins: u64, fallback: u64) -> (&'static str, Figures) {
        let t = totals(&[method("password", sign_ins, 0, fallback, 0)], 0, &[]);
        (name, figures(&t, &passwordless))
    }

    #[test]
    fn worst_by_fallback_is_highest_first_then_more_sign_ins_without_nones() {
        let rows = [
            row("none", 0, 5),          // no sign-in: no figure, left out
            row("low", 100, 1),         // 1 per 100
            row("high-small", 10, 3),   // 30 per 100
            row("high-large", 100, 30), // 30 per 100, more sign-ins
            row("mid", 100, 10),        // 10 per 100
        ];
        let names: Vec<&str> = worst_by_fallback(&rows, 10).iter().map(|r| r.0).collect();
        assert_eq!(names, vec!["high-large", "high-small", "mid", "low"]);
        let names: Vec<&str> = worst_by_fallback(&rows, 2).iter().map(|r| r.0).collect();
        assert_eq!(names, vec!["high-large", "high-small"]);
    }

    #[test]
    fn worst_by_concentration_is_highest_share_first_then_more_tickets() {
        let rows = [
            (
                "even",
                with_tickets(&[(TicketStage::Enrolment, 5), (TicketStage::Other, 5)]),
            ),
            (
                "sixty-small",
                with_tickets(&[(TicketStage::Enrolment, 6), (TicketStage::Other, 4)]),
            ),
            ("all", with_tickets(&[(TicketStage::Other, 12)])),
            (
                "sixty-large",
                with_tickets(&[(TicketStage::Enrolment, 12), (TicketStage::Other, 8)]),
            ),
        ];
        let names: Vec<&str> = worst_by_concentration(&rows, 10)
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(names, vec!["all", "sixty-large", "sixty-small"]);
        assert_eq!(worst_by_concentration(&rows, 1).len(), 1);
    }
}
