//! The exception's life as pure functions: the state machine, what "now" makes of a stored state,
//! the duration and renewal limits, who may decide, and which reminders are due. No database, no
//! clock: time is a parameter.

use super::model::{ExceptionRequestInput, ExceptionState, Severity};
use crate::ids::UserId;
use crate::policy::model::ExceptionLimits;
use time::{Date, Duration, OffsetDateTime, Time};

/// What can happen to an exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Approve,
    Reject,
    Withdraw,
    Revoke,
    /// Its expiry passed (the job records it).
    Expire,
    /// Its renewal was approved: the renewal holds from now on.
    Replace,
}

/// The state a transition leads to from `from`, or why it cannot happen.
pub fn next(from: ExceptionState, t: Transition) -> Result<ExceptionState, String> {
    use ExceptionState as S;
    use Transition as T;
    match (from, t) {
        (S::Requested, T::Approve) => Ok(S::Approved),
        (S::Requested, T::Reject) => Ok(S::Rejected),
        (S::Requested, T::Withdraw) => Ok(S::Withdrawn),
        (S::Approved, T::Revoke) => Ok(S::Revoked),
        (S::Approved, T::Expire) => Ok(S::Expired),
        (S::Approved, T::Replace) => Ok(S::Renewed),
        (from, t) => Err(format!(
            "An exception that is {} cannot be {}.",
            from.label().to_lowercase(),
            match t {
                T::Approve => "approved",
                T::Reject => "rejected",
                T::Withdraw => "withdrawn",
                T::Revoke => "revoked",
                T::Expire => "expired",
                T::Replace => "renewed",
            }
        )),
    }
}

/// The state as of `now`: an approved exception is expired from its expiry on, whether or not
/// the job has recorded it yet.
pub fn effective(
    stored: ExceptionState,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> ExceptionState {
    if stored == ExceptionState::Approved && now >= expires_at {
        ExceptionState::Expired
    } else {
        stored
    }
}

/// An approved exception holds (its finding is excepted) until its expiry.
pub fn holds(stored: ExceptionState, expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    effective(stored, expires_at, now) == ExceptionState::Approved
}

/// The first moment an exception whose last day is `until` no longer holds: the next midnight,
/// UTC.
pub fn expires_at(until: Date) -> OffsetDateTime {
    until
        .next_day()
        .unwrap_or(until)
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

/// The last day an exception expiring at `expires_at` holds.
pub fn last_day(expires_at: OffsetDateTime) -> Date {
    (expires_at - Duration::nanoseconds(1)).date()
}

/// Whole days from `today` to the last day (0 on the last day itself, negative after it).
pub fn days_left(expires_at: OffsetDateTime, now: OffsetDateTime) -> i64 {
    (last_day(expires_at) - now.date()).whole_days()
}

/// The longest an exception of this severity may run, in days.
pub fn max_days(limits: &ExceptionLimits, severity: Severity) -> u32 {
    limits.max_days.get(&severity).copied().unwrap_or(0)
}

/// The latest last day a request made `today` may ask for. A renewal counts from the end of the
/// exception it renews when that is later than today, so renewing early loses nothing.
pub fn latest_until(
    limits: &ExceptionLimits,
    severity: Severity,
    today: Date,
    renews_until: Option<Date>,
) -> Date {
    let from = renews_until.map_or(today, |u| u.max(today));
    from.saturating_add(Duration::days(i64::from(max_days(limits, severity))))
}

/// A request, checked: every problem by field (empty when it may be stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedRequest {
    pub until: Date,
    pub justification: String,
    pub compensating_controls: String,
}

/// At most this many characters in a justification or the compensating controls.
pub const TEXT_MAX: usize = 4000;
/// At least this many characters of justification: a word or two is not a reason.
pub const JUSTIFICATION_MIN: usize = 20;

/// Checks a request's typed fields against the policy: every problem, by field.
pub fn check_request(
    input: &ExceptionRequestInput,
    limits: &ExceptionLimits,
    severity: Severity,
    today: Date,
    renews_until: Option<Date>,
    renewal_number: i32,
) -> Result<CheckedRequest, Vec<(String, String)>> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let justification = input.justification.trim().to_string();
    let compensating = input.compensating_controls.trim().to_string();
    if justification.chars().count() < JUSTIFICATION_MIN {
        problems.push((
            "justification".into(),
            format!(
                "Say why the deviation must stay for now (at least {JUSTIFICATION_MIN} characters)."
            ),
        ));
    } else if justification.chars().count() > TEXT_MAX {
        problems.push((
            "justification".into(),
            format!("At most {TEXT_MAX} characters."),
        ));
    }
    if compensating.is_empty() {
        problems.push((
            "compensating_controls".into(),
            "Name what reduces the risk meanwhile (monitoring, restricted access, …).".into(),
        ));
    } else if compensating.chars().count() > TEXT_MAX {
        problems.push((
            "compensating_controls".into(),
            format!("At most {TEXT_MAX} characters."),
        ));
    }
    let max = max_days(limits, severity);
    let latest = latest_until(limits, severity, today, renews_until);
    let until = match parse_date(&input.until) {
        None => {
            problems.push((
                "until".into(),
                "Give the last day as a date, e.g. 2027-03-31.".into(),
            ));
            None
        }
        Some(d) if d < today => {
            problems.push(("until".into(), "The last day cannot be in the past.".into()));
            None
        }
        Some(_) if max == 0 => {
            problems.push((
                "until".into(),
                format!(
                    "The policy allows no exception for {} findings.",
                    severity.label().to_lowercase()
                ),
            ));
            None
        }
        Some(d) if d > latest => {
            problems.push((
                "until".into(),
                format!(
                    "The policy allows at most {max} days for a {} finding: the last day can be {latest} at the latest.",
                    severity.label().to_lowercase()
                ),
            ));
            None
        }
        Some(d) => Some(d),
    };
    if renewal_number > 0 && renewal_number as u32 > limits.renewal_cap {
        problems.push(("renewal".into(), renewal_refusal(limits.renewal_cap)));
    }
    match (until, problems.is_empty()) {
        (Some(until), true) => Ok(CheckedRequest {
            until,
            justification,
            compensating_controls: compensating,
        }),
        _ => Err(problems),
    }
}

/// Why another renewal is refused.
pub fn renewal_refusal(cap: u32) -> String {
    match cap {
        0 => "The policy allows no renewal: fix the deviation instead.".into(),
        1 => "This exception was already renewed once, the most the policy allows: fix the deviation instead.".into(),
        n => format!(
            "This exception was already renewed {n} times, the most the policy allows: fix the deviation instead."
        ),
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Why someone may not decide an exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotDecider {
    NotSecurity,
    Requester,
    Owner,
}

impl NotDecider {
    pub fn explain(self) -> &'static str {
        match self {
            Self::NotSecurity => "Only security decides exceptions.",
            Self::Requester => "You requested this exception: another security user decides it.",
            Self::Owner => "You own this application: a security user who does not own it decides.",
        }
    }
}

/// A security user who is neither the requester nor an owner of the application decides.
pub fn may_decide(
    decider: UserId,
    is_security: bool,
    requester: UserId,
    owners: &[UserId],
) -> Result<(), NotDecider> {
    if !is_security {
        Err(NotDecider::NotSecurity)
    } else if decider == requester {
        Err(NotDecider::Requester)
    } else if owners.contains(&decider) {
        Err(NotDecider::Owner)
    } else {
        Ok(())
    }
}

/// The thresholds (days before expiry; 0 when it lapses) whose reminder is due at `now` and not
/// sent yet. When several are due at once (an exception approved with five days left is already
/// past its 30- and 7-day marks) only the nearest is worth sending: all of them are returned, the
/// nearest first, and recorded together so none goes out later.
pub fn reminders_due(
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
    thresholds: &[u32],
    sent: &[i32],
) -> Vec<i32> {
    let mut all: Vec<i32> = thresholds.iter().map(|d| *d as i32).collect();
    all.push(0);
    all.sort_unstable();
    all.dedup();
    all.into_iter()
        .filter(|t| !sent.contains(t))
        .filter(|t| now >= expires_at - Duration::days(i64::from(*t)))
        // Before expiry only the "days before" reminders; the lapse one from expiry on.
        .filter(|t| *t == 0 || now < expires_at)
        .collect()
}

/// The words of a reminder.
pub fn reminder_text(threshold: i32, application: &str, rule: &str, until: Date) -> String {
    match threshold {
        0 => format!(
            "The exception for \u{201c}{rule}\u{201d} on {application} lapsed: its last day was {until}. The finding is open again."
        ),
        1 => format!(
            "The exception for \u{201c}{rule}\u{201d} on {application} ends tomorrow ({until} is its last day)."
        ),
        d => format!(
            "The exception for \u{201c}{rule}\u{201d} on {application} ends in {d} days ({until} is its last day)."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExceptionState as S;
    use Transition as T;
    use std::collections::BTreeMap;
    use time::macros::{date, datetime};

    fn limits() -> ExceptionLimits {
        ExceptionLimits {
            max_days: BTreeMap::from([
                (Severity::Critical, 30),
                (Severity::High, 90),
                (Severity::Medium, 180),
                (Severity::Low, 0),
            ]),
            renewal_cap: 2,
            reminder_days: vec![30, 7, 1],
        }
    }

    fn input(until: &str) -> ExceptionRequestInput {
        ExceptionRequestInput {
            application: String::new(),
            finding: String::new(),
            justification: "The vendor ships FIDO2 support in the spring release.".into(),
            compensating_controls: "Sign-ins by SMS are alerted on.".into(),
            until: until.into(),
        }
    }

    #[test]
    fn every_legal_transition_and_no_other() {
        let legal = [
            (S::Requested, T::Approve, S::Approved),
            (S::Requested, T::Reject, S::Rejected),
            (S::Requested, T::Withdraw, S::Withdrawn),
            (S::Approved, T::Revoke, S::Revoked),
            (S::Approved, T::Expire, S::Expired),
            (S::Approved, T::Replace, S::Renewed),
        ];
        let transitions = [
            T::Approve,
            T::Reject,
            T::Withdraw,
            T::Revoke,
            T::Expire,
            T::Replace,
        ];
        let mut checked = 0;
        for from in ExceptionState::ALL {
            for t in transitions {
                let expected = legal
                    .iter()
                    .find(|(f, tt, _)| f == from && *tt == t)
                    .map(|l| l.2);
                match expected {
                    Some(to) => assert_eq!(next(*from, t), Ok(to), "{from:?} {t:?}"),
                    None => assert!(next(*from, t).is_err(), "{from:?} {t:?} must be refused"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 42);
        assert_eq!(
            next(S::Rejected, T::Approve).unwrap_err(),
            "An exception that is rejected cannot be approved."
        );
    }

    #[test]
    fn an_approved_exception_expires_by_the_clock_alone() {
        let at = expires_at(date!(2027 - 03 - 31));
        assert_eq!(at, datetime!(2027-04-01 00:00 UTC));
        assert_eq!(last_day(at), date!(2027 - 03 - 31));
        let before = datetime!(2027-03-31 23:59:59 UTC);
        assert_eq!(effective(S::Approved, at, before), S::Approved);
        assert!(holds(S::Approved, at, before));
        assert_eq!(effective(S::Approved, at, at), S::Expired);
        assert!(!holds(S::Approved, at, at));
        // Other states are what they are.
        assert_eq!(effective(S::Requested, at, at), S::Requested);
        assert!(!holds(S::Requested, at, before));
        assert_eq!(days_left(at, datetime!(2027-03-30 12:00 UTC)), 1);
        assert_eq!(days_left(at, before), 0);
        assert_eq!(days_left(at, datetime!(2027-04-02 00:00 UTC)), -2);
    }

    #[test]
    fn the_duration_is_capped_by_severity() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(
            latest_until(&limits(), Severity::High, today, None),
            date!(2027 - 03 - 01)
        );
        assert!(
            check_request(
                &input("2027-03-01"),
                &limits(),
                Severity::High,
                today,
                None,
                0
            )
            .is_ok()
        );
        let refused = check_request(
            &input("2027-03-02"),
            &limits(),
            Severity::High,
            today,
            None,
            0,
        )
        .unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "until");
        assert!(refused[0].1.contains("at most 90 days"), "{}", refused[0].1);
        assert!(refused[0].1.contains("2027-03-01"), "{}", refused[0].1);
        // Critical: 30 days.
        assert!(
            check_request(
                &input("2027-01-01"),
                &limits(),
                Severity::Critical,
                today,
                None,
                0
            )
            .is_err()
        );
        assert!(
            check_request(
                &input("2026-12-31"),
                &limits(),
                Severity::Critical,
                today,
                None,
                0
            )
            .is_ok()
        );
        // Low allows none at all.
        let none = check_request(
            &input("2026-12-02"),
            &limits(),
            Severity::Low,
            today,
            None,
            0,
        )
        .unwrap_err();
        assert!(none[0].1.contains("no exception"), "{}", none[0].1);
        // Not in the past, and a date.
        assert!(
            check_request(
                &input("2026-11-30"),
                &limits(),
                Severity::High,
                today,
                None,
                0
            )
            .is_err()
        );
        assert!(
            check_request(
                &input("31/03/2027"),
                &limits(),
                Severity::High,
                today,
                None,
                0
            )
            .is_err()
        );
    }

    #[test]
    fn a_renewal_counts_from_the_end_of_the_one_it_renews_and_the_cap_holds() {
        let today = date!(2026 - 12 - 01);
        let renews = Some(date!(2026 - 12 - 20));
        assert_eq!(
            latest_until(&limits(), Severity::Critical, today, renews),
            date!(2027 - 01 - 19)
        );
        assert!(
            check_request(
                &input("2027-01-19"),
                &limits(),
                Severity::Critical,
                today,
                renews,
                2
            )
            .is_ok()
        );
        let capped = check_request(
            &input("2027-01-19"),
            &limits(),
            Severity::Critical,
            today,
            renews,
            3,
        )
        .unwrap_err();
        assert_eq!(capped[0].0, "renewal");
        assert!(capped[0].1.contains("renewed 2 times"), "{}", capped[0].1);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let mut bad = input("");
        bad.justification = "because".into();
        bad.compensating_controls = "  ".into();
        let problems = check_request(
            &bad,
            &limits(),
            Severity::High,
            date!(2026 - 12 - 01),
            None,
            0,
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(fields, ["justification", "compensating_controls", "until"]);
    }

    #[test]
    fn nobody_decides_their_own_request_or_for_their_own_application() {
        let (alice, bob, carol) = (
            UserId(uuid::Uuid::from_u128(1)),
            UserId(uuid::Uuid::from_u128(2)),
            UserId(uuid::Uuid::from_u128(3)),
        );
        assert_eq!(
            may_decide(alice, true, alice, &[]),
            Err(NotDecider::Requester)
        );
        assert_eq!(
            may_decide(alice, true, bob, &[carol, alice]),
            Err(NotDecider::Owner)
        );
        assert_eq!(
            may_decide(alice, false, bob, &[]),
            Err(NotDecider::NotSecurity)
        );
        assert_eq!(may_decide(alice, true, bob, &[carol]), Ok(()));
    }

    #[test]
    fn reminders_fall_due_at_30_7_1_days_and_at_the_lapse_once_each() {
        let at = datetime!(2027-04-01 00:00 UTC);
        let th = [30, 7, 1];
        assert!(reminders_due(at, datetime!(2027-03-01 23:59 UTC), &th, &[]).is_empty());
        assert_eq!(
            reminders_due(at, datetime!(2027-03-02 00:00 UTC), &th, &[]),
            vec![30]
        );
        assert!(reminders_due(at, datetime!(2027-03-20 00:00 UTC), &th, &[30]).is_empty());
        assert_eq!(
            reminders_due(at, datetime!(2027-03-25 00:00 UTC), &th, &[30]),
            vec![7]
        );
        assert_eq!(
            reminders_due(at, datetime!(2027-03-31 00:00 UTC), &th, &[30, 7]),
            vec![1]
        );
        assert!(reminders_due(at, datetime!(2027-03-31 23:00 UTC), &th, &[30, 7, 1]).is_empty());
        assert_eq!(reminders_due(at, at, &th, &[30, 7, 1]), vec![0]);
        assert!(reminders_due(at, at, &th, &[30, 7, 1, 0]).is_empty());
        // Approved late: the nearest comes first, the passed ones with it (recorded, not sent).
        assert_eq!(
            reminders_due(at, datetime!(2027-03-28 00:00 UTC), &th, &[]),
            vec![7, 30]
        );
        // Once it lapsed the "days before" reminders are moot.
        assert_eq!(
            reminders_due(at, datetime!(2027-04-03 00:00 UTC), &th, &[]),
            vec![0]
        );
    }
}
