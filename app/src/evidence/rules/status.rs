//! Control status, derived (pure): which controls a catalogue judges, and where an application
//! stands against each given its open findings and the exceptions holding for them.
//!
//! - A control is judged when at least one finding rule bears on it (directly or through one of
//!   its aliases); the others are listed but not judged by the portal.
//! - Not applicable: the control's framework names a tag (`applies_to_tag`, e.g. PCI DSS: `pci`)
//!   and the application does not carry it (tags compare without regard to case).
//! - Not met: an open finding of a rule bearing on the control has no exception holding.
//! - Excepted: every such open finding has an approved exception holding at that time.
//! - Met: no open finding of a rule bearing on it.
//!
//! As of a date: a finding is open at `t` when it was opened at or before `t` and not resolved
//! by then; an exception holds at `t` when it was approved at or before `t`, expires after `t`
//! and was not ended (revoked, replaced by its renewal) by then.

use crate::evidence::model::ControlStatus;
use crate::frameworks::model::CatalogueDocument;
use crate::vocab::ExceptionState;
use std::collections::HashMap;
use time::OffsetDateTime;

/// A control the portal judges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JudgedControl {
    pub framework: String,
    pub framework_name: String,
    /// Its label ("CSF PR.AA-03").
    pub label: String,
    pub id: String,
    pub title: String,
    /// Other ids it is cited by ("PR.AC-1").
    pub aliases: Vec<String>,
    pub applies_to_tag: Option<String>,
    /// The rules bearing on it (keys, sorted).
    pub rules: Vec<String>,
}

/// The judged controls of a catalogue, and which bear on each rule.
#[derive(Clone, Debug, Default)]
pub struct ControlIndex {
    pub controls: Vec<JudgedControl>,
    by_rule: HashMap<String, Vec<usize>>,
}

/// One open finding of an application, as status needs it.
#[derive(Clone, Copy, Debug)]
pub struct OpenFinding<'a> {
    pub rule: &'a str,
    /// An approved exception holds for it.
    pub excepted: bool,
}

impl ControlIndex {
    pub fn new(doc: &CatalogueDocument) -> Self {
        let mut controls = Vec::new();
        let mut by_rule: HashMap<String, Vec<usize>> = HashMap::new();
        for f in &doc.frameworks {
            for c in f.controls.iter().filter(|c| c.alias_of.is_none()) {
                let aliases: Vec<String> = f
                    .controls
                    .iter()
                    .filter(|a| a.alias_of.as_deref() == Some(c.id.as_str()))
                    .map(|a| a.id.clone())
                    .collect();
                let mut rules: Vec<String> = doc
                    .mappings
                    .iter()
                    .filter(|m| {
                        m.framework == f.key
                            && m.relationship.bears()
                            && (m.control == c.id || aliases.contains(&m.control))
                    })
                    .map(|m| m.rule.clone())
                    .collect();
                rules.sort();
                rules.dedup();
                if rules.is_empty() {
                    continue;
                }
                let at = controls.len();
                for r in &rules {
                    by_rule.entry(r.clone()).or_default().push(at);
                }
                controls.push(JudgedControl {
                    framework: f.key.clone(),
                    framework_name: f.name.clone(),
                    label: f.label(&c.id),
                    id: c.id.clone(),
                    title: c.title.clone(),
                    aliases,
                    applies_to_tag: f.applies_to_tag.clone(),
                    rules,
                });
            }
        }
        Self { controls, by_rule }
    }

    /// The judged control a framework's id (or alias) names.
    pub fn find(&self, framework: &str, id: &str) -> Option<usize> {
        self.controls.iter().position(|c| {
            c.framework == framework && (c.id == id || c.aliases.iter().any(|a| a == id))
        })
    }

    /// Whether a control's framework applies to an application with these tags.
    pub fn applies(&self, control: usize, tags: &[String]) -> bool {
        match &self.controls[control].applies_to_tag {
            None => true,
            Some(tag) => tags.iter().any(|t| t.eq_ignore_ascii_case(tag)),
        }
    }

    /// One application's status against every judged control (in the index's order).
    pub fn statuses(&self, tags: &[String], open: &[OpenFinding<'_>]) -> Vec<ControlStatus> {
        let mut out: Vec<ControlStatus> = (0..self.controls.len())
            .map(|i| {
                if self.applies(i, tags) {
                    ControlStatus::Met
                } else {
                    ControlStatus::NotApplicable
                }
            })
            .collect();
        for f in open {
            for &i in self
                .by_rule
                .get(f.rule)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                out[i] = match (out[i], f.excepted) {
                    (ControlStatus::NotApplicable, _) => ControlStatus::NotApplicable,
                    (ControlStatus::NotMet, _) | (_, false) => ControlStatus::NotMet,
                    (_, true) => ControlStatus::Excepted,
                };
            }
        }
        out
    }

    /// The open findings behind a control's status (those of rules bearing on it).
    pub fn bears(&self, control: usize, rule: &str) -> bool {
        self.controls[control].rules.iter().any(|r| r == rule)
    }
}

/// How many applications stand where, for one control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: u64,
    pub excepted: u64,
    pub not_met: u64,
    pub not_applicable: u64,
}

impl Tally {
    pub fn add(&mut self, s: ControlStatus) {
        match s {
            ControlStatus::Met => self.met += 1,
            ControlStatus::Excepted => self.excepted += 1,
            ControlStatus::NotMet => self.not_met += 1,
            ControlStatus::NotApplicable => self.not_applicable += 1,
        }
    }

    pub fn of(&self, s: ControlStatus) -> u64 {
        match s {
            ControlStatus::Met => self.met,
            ControlStatus::Excepted => self.excepted,
            ControlStatus::NotMet => self.not_met,
            ControlStatus::NotApplicable => self.not_applicable,
        }
    }

    /// Applications the control applies to.
    pub fn applicable(&self) -> u64 {
        self.met + self.excepted + self.not_met
    }
}

/// Whether a finding was open at `t`.
pub fn open_at(
    opened: OffsetDateTime,
    resolved: Option<OffsetDateTime>,
    t: OffsetDateTime,
) -> bool {
    opened <= t && resolved.is_none_or(|r| r > t)
}

/// An exception's life, as far as holding goes.
#[derive(Clone, Copy, Debug)]
pub struct ExceptionLife {
    pub state: ExceptionState,
    pub decided_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
}

/// Whether an exception held at `t`: approved by then, not expired, not ended.
pub fn held_at(e: ExceptionLife, t: OffsetDateTime) -> bool {
    let was_approved = matches!(
        e.state,
        ExceptionState::Approved
            | ExceptionState::Expired
            | ExceptionState::Revoked
            | ExceptionState::Renewed
    );
    was_approved
        && e.decided_at.is_some_and(|d| d <= t)
        && e.expires_at > t
        && e.ended_at.is_none_or(|end| end > t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::facade::shipped;
    use time::macros::datetime;

    fn index() -> ControlIndex {
        ControlIndex::new(&shipped())
    }

    fn status(
        ix: &ControlIndex,
        tags: &[&str],
        open: &[(&str, bool)],
        fw: &str,
        id: &str,
    ) -> ControlStatus {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let open: Vec<OpenFinding> = open
            .iter()
            .map(|&(rule, excepted)| OpenFinding { rule, excepted })
            .collect();
        ix.statuses(&tags, &open)[ix.find(fw, id).expect("judged control")]
    }

    #[test]
    fn each_state_is_derived_from_findings_and_exceptions() {
        let ix = index();
        // Nothing open: met.
        assert_eq!(status(&ix, &[], &[], "csf", "PR.AA-03"), ControlStatus::Met);
        // An open finding of a rule bearing on it: not met.
        assert_eq!(
            status(&ix, &[], &[("restricted_method", false)], "csf", "PR.AA-03"),
            ControlStatus::NotMet
        );
        // Every failing rule excepted: excepted.
        assert_eq!(
            status(
                &ix,
                &[],
                &[("restricted_method", true), ("weakest_link", true)],
                "csf",
                "PR.AA-03"
            ),
            ControlStatus::Excepted
        );
        // One of two excepted, in either order: not met.
        for open in [
            [("restricted_method", true), ("weakest_link", false)],
            [("weakest_link", false), ("restricted_method", true)],
        ] {
            assert_eq!(
                status(&ix, &[], &open, "csf", "PR.AA-03"),
                ControlStatus::NotMet
            );
        }
        // A rule that does not bear on the control leaves it met.
        assert_eq!(
            status(&ix, &[], &[("restricted_method", false)], "csf", "PR.AA-02"),
            ControlStatus::Met
        );
    }

    #[test]
    fn pci_controls_apply_only_to_applications_tagged_pci() {
        let ix = index();
        let open = [("assurance_below_minimum", false)];
        assert_eq!(
            status(&ix, &[], &open, "pci-dss", "8.4.2"),
            ControlStatus::NotApplicable
        );
        assert_eq!(
            status(&ix, &["PCI"], &open, "pci-dss", "8.4.2"),
            ControlStatus::NotMet
        );
        assert_eq!(
            status(&ix, &["pci"], &[], "pci-dss", "8.4.2"),
            ControlStatus::Met
        );
        // Other frameworks do not care about the tag.
        assert_eq!(
            status(&ix, &[], &open, "csf", "PR.AA-03"),
            ControlStatus::NotMet
        );
    }

    #[test]
    fn an_alias_is_judged_as_the_control_it_stands_for() {
        let ix = index();
        let via_alias = ix.find("csf", "PR.AC-1").expect("alias resolves");
        assert_eq!(Some(via_alias), ix.find("csf", "PR.AA-01"));
        assert_eq!(ix.controls[via_alias].aliases, vec!["PR.AC-1"]);
        assert_eq!(
            status(&ix, &[], &[("no_recovery", false)], "csf", "PR.AC-1"),
            ControlStatus::NotMet
        );
    }

    #[test]
    fn controls_no_rule_bears_on_are_not_judged() {
        let ix = index();
        assert_eq!(ix.find("csf", "PR.AA-06"), None);
        assert_eq!(ix.find("owasp-nhi", "NHI1"), None);
        assert!(ix.find("owasp-nhi", "NHI9").is_some());
        assert!(ix.controls.iter().all(|c| !c.rules.is_empty()));
    }

    #[test]
    fn tallies_count_each_state() {
        let ix = index();
        let at = ix.find("csf", "PR.AA-03").unwrap();
        let mut t = Tally::default();
        for open in [
            &[][..],
            &[("weakest_link", false)],
            &[("weakest_link", true)],
            &[],
        ] {
            t.add(
                ix.statuses(
                    &[],
                    open.iter()
                        .map(|&(rule, excepted)| OpenFinding { rule, excepted })
                        .collect::<Vec<_>>()
                        .as_slice(),
                )[at],
            );
        }
        assert_eq!(
            t,
            Tally {
                met: 2,
                excepted: 1,
                not_met: 1,
                not_applicable: 0
            }
        );
        assert_eq!(t.applicable(), 4);
    }

    #[test]
    fn as_of_a_date_findings_and_exceptions_hold_for_their_time() {
        let opened = datetime!(2026-03-01 10:00 UTC);
        let resolved = Some(datetime!(2026-06-01 00:00 UTC));
        assert!(!open_at(opened, resolved, datetime!(2026-02-28 23:59 UTC)));
        assert!(open_at(opened, resolved, opened));
        assert!(open_at(opened, resolved, datetime!(2026-05-31 23:59 UTC)));
        assert!(!open_at(opened, resolved, datetime!(2026-06-01 00:00 UTC)));
        assert!(open_at(opened, None, datetime!(2030-01-01 00:00 UTC)));

        let life = ExceptionLife {
            state: ExceptionState::Revoked,
            decided_at: Some(datetime!(2026-03-05 09:00 UTC)),
            expires_at: datetime!(2026-09-01 00:00 UTC),
            ended_at: Some(datetime!(2026-05-01 12:00 UTC)),
        };
        assert!(
            !held_at(life, datetime!(2026-03-04 00:00 UTC)),
            "before approval"
        );
        assert!(
            held_at(life, datetime!(2026-04-01 00:00 UTC)),
            "approved, not yet revoked"
        );
        assert!(
            !held_at(life, datetime!(2026-05-02 00:00 UTC)),
            "after revocation"
        );
        let expired = ExceptionLife {
            state: ExceptionState::Expired,
            ended_at: None,
            ..life
        };
        assert!(held_at(expired, datetime!(2026-08-31 23:59 UTC)));
        assert!(
            !held_at(expired, datetime!(2026-09-01 00:00 UTC)),
            "expiry is the first moment it no longer holds"
        );
        for never in [
            ExceptionState::Requested,
            ExceptionState::Rejected,
            ExceptionState::Withdrawn,
        ] {
            let e = ExceptionLife {
                state: never,
                ended_at: None,
                ..life
            };
            assert!(!held_at(e, datetime!(2026-04-01 00:00 UTC)), "{never:?}");
        }
    }
}
