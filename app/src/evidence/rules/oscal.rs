//! OSCAL 1.1.2 JSON documents, written as a stream: an `assessment-results` (every application's
//! standing against the frameworks' controls) and a `plan-of-action-and-milestones` (every
//! exception, as a risk and a POA&M item).
//!
//! An estate can hold 20,000 applications, so neither document is ever held whole: the writers
//! write the opening, then each item as it is given (one small JSON value at a time), then the
//! closing. The output is compact JSON, and the same inputs always give the same bytes.
//!
//! Pure: no database and no clock (every time is a parameter).
//!
//! # Identifiers
//!
//! OSCAL asks that an object keep its UUID across revisions of a document. Every object the
//! portal knows (an application's observation, a finding, a risk, a POA&M item) gets a name-based
//! version-5 UUID (RFC 4122, SHA-1) under [`UUID_NAMESPACE`], from a name such as
//! `finding/<application id>/<framework>/<control>`: see [`stable_uuid`]. The documents and the
//! assessment result are new at each export: their UUIDs come from the audit chain head and the
//! time of the export, which the caller chooses.
//!
//! # Where things go (checked against NIST's OSCAL 1.1.2 JSON schemas)
//!
//! - The portal is the assessment tool: a `software` component among the `assessment-assets` of
//!   the result's (or the POA&M's) `local-definitions`, used by one assessment platform; every
//!   observation, finding, risk and POA&M item names it as its origin (actor type `tool`).
//! - An application is a subject of type `component`, with a UUID derived from its id (the
//!   components themselves are the portal's registry, not repeated here).
//! - The portal's own properties carry the namespace `<origin>/ns/oscal`.
//! - OSCAL forbids empty arrays: a list with nothing in it is left out, never written as `[]`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::evidence::model::ControlStatus;
use crate::vocab::{ExceptionState, Severity};

/// The OSCAL version both documents are written against.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of every name-based UUID the portal writes. Fixed for ever: changing it changes
/// every exported identifier.
pub const UUID_NAMESPACE: Uuid = Uuid::from_u128(0x5d0e_8a63_2f4b_4c1e_9a7d_3b6f_01c2_e845);

/// How the portal names itself in the documents.
pub const PORTAL_NAME: &str = "Passwordless programme governance portal";

/// The OSCAL identifier scheme of a system identified by a UUID.
const RFC4122: &str = "https://ietf.org/rfc/rfc4122";

/// What every export shares.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// The document's title.
    pub title: &'a str,
    /// When the export was made: the documents' `last-modified` and the result's `start`.
    pub generated_at: OffsetDateTime,
    /// The portal's version, the documents' `version`.
    pub portal_version: &'a str,
    /// The portal's public origin, an absolute `http(s)` URL such as `https://portal.example`.
    pub origin: &'a str,
    /// The audit chain's head at the export (recorded, and seeds the documents' UUIDs).
    pub chain_head: &'a str,
}

/// One application and the declaration it was judged on.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    pub application_id: Uuid,
    pub application_name: &'a str,
    pub criticality: &'a str,
    /// The declaration's version; `None` when the application has none.
    pub version: Option<i32>,
    pub declaration_sha256: Option<&'a str>,
    pub submitted_at: Option<OffsetDateTime>,
}

/// An open finding behind a judgement.
#[derive(Clone, Copy, Debug)]
pub struct FindingRef<'a> {
    pub key: &'a str,
    pub rule_title: &'a str,
    pub severity: Severity,
    pub explanation: &'a str,
}

/// Where one application stands against one control.
#[derive(Clone, Copy, Debug)]
pub struct Judgement<'a> {
    /// The framework's key, such as `csf`.
    pub framework: &'a str,
    pub framework_name: &'a str,
    pub control_id: &'a str,
    pub control_title: &'a str,
    pub application_id: Uuid,
    pub application_name: &'a str,
    pub status: ControlStatus,
    /// The open findings bearing on the control (excepted or not).
    pub findings: &'a [FindingRef<'a>],
}

/// One exception, with the finding it accepts.
#[derive(Clone, Copy, Debug)]
pub struct PoamEntry<'a> {
    pub exception_id: Uuid,
    pub application_id: Uuid,
    pub application_name: &'a str,
    pub finding_key: &'a str,
    pub rule_title: &'a str,
    pub finding_explanation: &'a str,
    pub severity: Severity,
    /// The state as it stands (an approved exception past its expiry is `Expired`).
    pub state: ExceptionState,
    pub justification: &'a str,
    pub compensating_controls: &'a str,
    pub requested_at: OffsetDateTime,
    pub requested_by: &'a str,
    /// The approval or rejection.
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<&'a str>,
    /// The end of an exception that had been approved: withdrawn, revoked, expired or renewed.
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<&'a str>,
    /// The first moment the exception no longer holds: the risk's `deadline`.
    pub expires_at: OffsetDateTime,
}

/// The name-based version-5 UUID (RFC 4122: SHA-1 of the namespace's bytes, then the name) of
/// `name` under `namespace`.
pub fn uuid_v5(namespace: Uuid, name: &[u8]) -> Uuid {
    let mut sha1 = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    sha1.update(namespace.as_bytes());
    sha1.update(name);
    let digest = sha1.finish();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
    Uuid::from_bytes(bytes)
}

/// The portal's UUID for the object named `name`, the same in every export.
pub fn stable_uuid(name: &str) -> Uuid {
    uuid_v5(UUID_NAMESPACE, name.as_bytes())
}

/// The OSCAL risk status of an exception in `state`:
///
/// | exception | risk status |
/// |---|---|
/// | requested | `deviation-requested` |
/// | approved | `deviation-approved` |
/// | expired | `open` (the finding is no longer accepted: the risk is open again) |
/// | rejected, withdrawn, revoked, renewed | `closed` (this exception no longer speaks for the risk; a renewal is a risk of its own) |
pub fn risk_status(state: ExceptionState) -> &'static str {
    match state {
        ExceptionState::Requested => "deviation-requested",
        ExceptionState::Approved => "deviation-approved",
        ExceptionState::Expired => "open",
        ExceptionState::Rejected
        | ExceptionState::Withdrawn
        | ExceptionState::Revoked
        | ExceptionState::Renewed => "closed",
    }
}

/// The OSCAL objective state of a judgement; `None` for not applicable (not written).
fn objective_state(status: ControlStatus) -> Option<(&'static str, &'static str)> {
    match status {
        ControlStatus::Met => Some(("satisfied", "pass")),
        ControlStatus::Excepted => Some(("satisfied", "other")),
        ControlStatus::NotMet => Some(("not-satisfied", "fail")),
        ControlStatus::NotApplicable => None,
    }
}

/// An OSCAL timestamp (`date-time-with-timezone`), in UTC.
fn timestamp(t: OffsetDateTime) -> io::Result<String> {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// `s` as an OSCAL `string` (one line, no surrounding blanks), or `None` when nothing is left.
fn one_line(s: &str) -> Option<String> {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

/// `s` on one line, for a title (blank stays blank).
fn line(s: &str) -> String {
    one_line(s).unwrap_or_default()
}

/// `s` as an OSCAL `token` (an XML NCName): ASCII letters, digits, `.`, `-` and `_`, starting
/// with a letter or `_`; anything else becomes `_`.
fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The objective a judgement targets: the framework's key and the control's id, as a token.
pub fn objective_id(framework: &str, control_id: &str) -> String {
    token(&format!("{framework}_{control_id}"))
}

/// The UUID of the subject standing for an application.
pub fn application_uuid(application_id: Uuid) -> Uuid {
    stable_uuid(&format!("application/{application_id}"))
}

/// The UUID of the observation of an application's declaration (a new declaration is a new
/// observation).
pub fn observation_uuid(application_id: Uuid, declaration_sha256: Option<&str>) -> Uuid {
    let sha = declaration_sha256.unwrap_or("none");
    stable_uuid(&format!("observation/{application_id}/{sha}"))
}

/// The UUID of the finding on one application's standing against one control.
pub fn finding_uuid(application_id: Uuid, framework: &str, control_id: &str) -> Uuid {
    stable_uuid(&format!(
        "finding/{application_id}/{framework}/{control_id}"
    ))
}

/// The UUID of the risk an exception accepts.
pub fn risk_uuid(exception_id: Uuid) -> Uuid {
    stable_uuid(&format!("risk/{exception_id}"))
}

/// The UUID of an exception's POA&M item.
pub fn poam_item_uuid(exception_id: Uuid) -> Uuid {
    stable_uuid(&format!("poam-item/{exception_id}"))
}

/// The UUID of the observation of the finding behind an exception.
pub fn poam_observation_uuid(exception_id: Uuid) -> Uuid {
    stable_uuid(&format!("poam-observation/{exception_id}"))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_owned())
}

/// What both writers derive from the [`Document`] once.
struct Common {
    origin: String,
    /// The namespace of the portal's own properties.
    ns: String,
    generated_at: String,
    /// `origins` naming the portal as the tool.
    origins: Value,
}

impl Common {
    fn new(doc: &Document) -> io::Result<Self> {
        let origin = doc.origin.trim_end_matches('/').to_owned();
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        if host.is_none_or(|h| h.is_empty() || h.contains(char::is_whitespace)) {
            return Err(invalid("the origin must be an absolute http(s) URL"));
        }
        Ok(Self {
            ns: format!("{origin}/ns/oscal"),
            origin,
            generated_at: timestamp(doc.generated_at)?,
            origins: json!([{ "actors": [{ "type": "tool", "actor-uuid": stable_uuid("component/portal") }] }]),
        })
    }

    /// A property of the portal's namespace; `None` when the value is blank.
    fn prop(&self, name: &str, value: &str) -> Option<Value> {
        one_line(value).map(|value| json!({ "name": name, "ns": self.ns, "value": value }))
    }

    /// The properties that have a value (OSCAL forbids an empty list: check before writing).
    fn props(&self, pairs: &[(&str, &str)]) -> Vec<Value> {
        pairs.iter().filter_map(|(n, v)| self.prop(n, v)).collect()
    }

    fn metadata(&self, doc: &Document) -> Value {
        let mut metadata = json!({
            "title": doc.title,
            "last-modified": self.generated_at,
            "version": one_line(doc.portal_version).unwrap_or_else(|| "unknown".to_owned()),
            "oscal-version": OSCAL_VERSION,
        });
        let props = self.props(&[("audit-chain-head", doc.chain_head)]);
        if !props.is_empty() {
            metadata["props"] = json!(props);
        }
        metadata
    }

    /// The portal as the assessment tool.
    fn assessment_assets(&self, doc: &Document) -> Value {
        let portal = stable_uuid("component/portal");
        let mut component = json!({
            "uuid": portal,
            "type": "software",
            "title": PORTAL_NAME,
            "description": format!(
                "The {PORTAL_NAME} at {}: it judges every application's declaration against the \
                 standard and the frameworks' controls, and keeps the exceptions.",
                self.origin
            ),
            "status": { "state": "operational" },
        });
        let props = self.props(&[("version", doc.portal_version)]);
        if !props.is_empty() {
            component["props"] = json!(props);
        }
        json!({
            "components": [component],
            "assessment-platforms": [{
                "uuid": stable_uuid("assessment-platform/portal"),
                "title": PORTAL_NAME,
                "uses-components": [{ "component-uuid": portal }],
            }],
        })
    }

    /// An application as the subject of an observation.
    fn subject(&self, application_id: Uuid, application_name: &str) -> Value {
        json!([{
            "subject-uuid": application_uuid(application_id),
            "type": "component",
            "title": line(application_name),
        }])
    }

    fn application_link(&self, application_id: Uuid) -> Value {
        json!([{
            "href": format!("{}/applications/{application_id}", self.origin),
            "rel": "reference",
            "text": "The application in the portal",
        }])
    }
}

/// Writes `value` as compact JSON.
fn put<W: Write>(w: &mut W, value: &Value) -> io::Result<()> {
    serde_json::to_writer(w, value).map_err(io::Error::from)
}

/// Where an [`AssessmentResultsWriter`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArSection {
    /// Nothing after the result's opening yet.
    Head,
    Observations,
    /// Observations closed (or never opened), findings not opened.
    BeforeFindings,
    Findings,
}

/// Streams an OSCAL `assessment-results` with one result: one observation per application (its
/// declaration), then one finding per (application, control) judged.
///
/// Call [`observation`](Self::observation) for every application first, then
/// [`finding`](Self::finding) for every judgement ([`start_findings`](Self::start_findings) is
/// optional: the first finding closes the observations), then [`finish`](Self::finish). A
/// finding's application must have had its observation: the writer remembers each application's
/// observation UUID (16 bytes a pair) to link the findings to it.
pub struct AssessmentResultsWriter<W: Write> {
    w: W,
    common: Common,
    section: ArSection,
    observed: HashMap<Uuid, Uuid>,
}

impl<W: Write> AssessmentResultsWriter<W> {
    /// Writes the document's opening, up to the result's reviewed controls.
    pub fn begin(mut w: W, doc: &Document) -> io::Result<Self> {
        let common = Common::new(doc)?;
        let seed = format!("{}/{}", doc.chain_head, common.generated_at);
        let import_ap = json!({
            "href": format!("{}/frameworks", common.origin),
            "remarks": "The assessment plan is the portal's standard and the frameworks' controls \
                        mapped to its rules, published on this page.",
        });
        let mut result = json!({
            "uuid": stable_uuid(&format!("result/{seed}")),
            "title": doc.title,
            "description": format!(
                "Every application's standing against the controls of the frameworks that apply \
                 to it, judged by the {PORTAL_NAME} from the declarations, the findings and the \
                 exceptions as they stood at {}.",
                common.generated_at
            ),
            "start": common.generated_at,
        });
        let props = common.props(&[("audit-chain-head", doc.chain_head)]);
        if !props.is_empty() {
            result["props"] = json!(props);
        }

        w.write_all(b"{\"assessment-results\":{\"uuid\":")?;
        put(
            &mut w,
            &json!(stable_uuid(&format!("assessment-results/{seed}"))),
        )?;
        w.write_all(b",\"metadata\":")?;
        put(&mut w, &common.metadata(doc))?;
        w.write_all(b",\"import-ap\":")?;
        put(&mut w, &import_ap)?;
        w.write_all(b",\"results\":[")?;
        // The result's opening: its fields, without the closing brace.
        let opening = serde_json::to_vec(&result).map_err(io::Error::from)?;
        w.write_all(&opening[..opening.len() - 1])?;
        w.write_all(b",\"local-definitions\":")?;
        put(
            &mut w,
            &json!({ "assessment-assets": common.assessment_assets(doc) }),
        )?;
        w.write_all(b",\"reviewed-controls\":")?;
        put(
            &mut w,
            &json!({
                "description": "Every control of every framework the portal maps.",
                "control-selections": [{ "include-all": {} }],
            }),
        )?;
        Ok(Self {
            w,
            common,
            section: ArSection::Head,
            observed: HashMap::new(),
        })
    }

    /// Writes the observation of one application's declaration (one per application).
    pub fn observation(&mut self, o: &Observation) -> io::Result<()> {
        match self.section {
            ArSection::Head => self.w.write_all(b",\"observations\":[")?,
            ArSection::Observations => self.w.write_all(b",")?,
            _ => return Err(invalid("observations come before findings")),
        }
        self.section = ArSection::Observations;
        let uuid = observation_uuid(o.application_id, o.declaration_sha256);
        self.observed.insert(o.application_id, uuid);

        let c = &self.common;
        let version = o.version.map(|v| v.to_string()).unwrap_or_default();
        let props = c.props(&[
            ("application-id", &o.application_id.to_string()),
            ("criticality", o.criticality),
            ("declaration-version", &version),
            ("declaration-sha256", o.declaration_sha256.unwrap_or("")),
        ]);
        let (title, description) = match o.version {
            Some(v) => (
                format!("Declaration of {}", line(o.application_name)),
                format!(
                    "Version {v} of the declaration of {} (criticality {}){}, examined against \
                     the standard's rules.",
                    o.application_name,
                    o.criticality,
                    o.declaration_sha256
                        .map(|s| format!(", SHA-256 {s}"))
                        .unwrap_or_default(),
                ),
            ),
            None => (
                format!("No declaration of {}", line(o.application_name)),
                format!(
                    "{} (criticality {}) has no submitted declaration: it is judged as having \
                     declared nothing.",
                    o.application_name, o.criticality
                ),
            ),
        };
        let collected = match o.submitted_at {
            Some(t) => timestamp(t)?,
            None => c.generated_at.clone(),
        };
        let mut observation = json!({
            "uuid": uuid,
            "title": title,
            "description": description,
            "links": c.application_link(o.application_id),
            "methods": ["EXAMINE"],
            "types": ["control-objective"],
            "origins": c.origins,
            "subjects": c.subject(o.application_id, o.application_name),
            "collected": collected,
        });
        if !props.is_empty() {
            observation["props"] = json!(props);
        }
        put(&mut self.w, &observation)
    }

    /// Closes the observations; the findings follow. Optional: the first finding does it.
    pub fn start_findings(&mut self) -> io::Result<()> {
        match self.section {
            ArSection::Head => self.section = ArSection::BeforeFindings,
            ArSection::Observations => {
                self.w.write_all(b"]")?;
                self.section = ArSection::BeforeFindings;
            }
            ArSection::BeforeFindings | ArSection::Findings => {}
        }
        Ok(())
    }

    /// Writes the finding on one application's standing against one control. A not-applicable
    /// judgement is not a finding: nothing is written.
    pub fn finding(&mut self, j: &Judgement) -> io::Result<()> {
        self.start_findings()?;
        let Some((state, reason)) = objective_state(j.status) else {
            return Ok(());
        };
        let Some(&observation) = self.observed.get(&j.application_id) else {
            return Err(invalid(
                "a finding's application must have its observation written first",
            ));
        };
        if self.section == ArSection::BeforeFindings {
            self.w.write_all(b",\"findings\":[")?;
            self.section = ArSection::Findings;
        } else {
            self.w.write_all(b",")?;
        }

        let c = &self.common;
        let mut props = c.props(&[
            ("application-id", &j.application_id.to_string()),
            ("framework", j.framework),
            ("control-id", j.control_id),
            ("status", j.status.as_str()),
        ]);
        props.extend(
            j.findings
                .iter()
                .filter_map(|f| c.prop("finding-key", f.key)),
        );
        let mut description = format!(
            "{}: {} against {} {} ({}).",
            j.application_name,
            j.status.label(),
            j.framework_name,
            j.control_id,
            j.control_title
        );
        if !j.findings.is_empty() {
            description.push_str(" Open findings:");
            for f in j.findings {
                description.push_str(&format!(
                    " {} ({}, {}): {}.",
                    f.rule_title,
                    f.severity.label(),
                    f.key,
                    f.explanation.trim_end_matches('.')
                ));
            }
        }
        let mut status = json!({ "state": state, "reason": reason });
        if j.status == ControlStatus::Excepted {
            let keys: Vec<&str> = j.findings.iter().map(|f| f.key).collect();
            status["remarks"] = json!(format!(
                "Satisfied by exception: every open finding bearing on the control is covered by \
                 an approved, unexpired exception ({}).",
                keys.join(", ")
            ));
        }
        let finding = json!({
            "uuid": finding_uuid(j.application_id, j.framework, j.control_id),
            "title": format!(
                "{} {}: {}",
                j.framework_name,
                j.control_id,
                line(j.application_name)
            ),
            "description": description,
            "props": props,
            "origins": c.origins,
            "target": {
                "type": "objective-id",
                "target-id": objective_id(j.framework, j.control_id),
                "title": format!("{} {} {}", j.framework_name, j.control_id, j.control_title),
                "status": status,
            },
            "related-observations": [{ "observation-uuid": observation }],
        });
        put(&mut self.w, &finding)
    }

    /// Writes the closing and gives the writer back (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        self.start_findings()?;
        if self.section == ArSection::Findings {
            self.w.write_all(b"]")?;
        }
        self.w.write_all(b"}]}}")?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Where a [`PoamWriter`] is; each section's array is open while in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PoamSection {
    Head,
    Observations,
    Risks,
    Items,
}

/// Streams an OSCAL `plan-of-action-and-milestones`: per exception, one observation (the finding
/// it accepts), one risk (the finding's risk, its status from the exception's state, its
/// deadline the expiry) and one POA&M item linking both.
///
/// The three are separate arrays, so the entries are given three times, in three passes: every
/// entry to [`observation`](Self::observation), then every entry to [`risk`](Self::risk), then
/// every entry to [`item`](Self::item), then [`finish`](Self::finish), which checks that the
/// three passes saw as many entries. Memory stays flat: nothing is kept between calls but
/// counts. [`write_poam`] does the three passes over an iterator it can make again.
///
/// OSCAL requires at least one POA&M item: a portal with no exception writes a single item saying
/// so.
pub struct PoamWriter<W: Write> {
    w: W,
    common: Common,
    section: PoamSection,
    counts: [usize; 3],
}

impl<W: Write> PoamWriter<W> {
    /// Writes the document's opening, up to its local definitions.
    pub fn begin(mut w: W, doc: &Document) -> io::Result<Self> {
        let common = Common::new(doc)?;
        let seed = format!("{}/{}", doc.chain_head, common.generated_at);
        w.write_all(b"{\"plan-of-action-and-milestones\":{\"uuid\":")?;
        put(
            &mut w,
            &json!(stable_uuid(&format!(
                "plan-of-action-and-milestones/{seed}"
            ))),
        )?;
        w.write_all(b",\"metadata\":")?;
        put(&mut w, &common.metadata(doc))?;
        w.write_all(b",\"system-id\":")?;
        put(
            &mut w,
            &json!({
                "identifier-type": RFC4122,
                "id": stable_uuid(&format!("system/{}", common.origin)).to_string(),
            }),
        )?;
        w.write_all(b",\"local-definitions\":")?;
        put(
            &mut w,
            &json!({
                "assessment-assets": common.assessment_assets(doc),
                "remarks": format!(
                    "The system is the passwordless programme governed by the {PORTAL_NAME} at {}.",
                    common.origin
                ),
            }),
        )?;
        Ok(Self {
            w,
            common,
            section: PoamSection::Head,
            counts: [0; 3],
        })
    }

    /// Enters `section` (closing the one before) or goes on in it.
    fn enter(&mut self, section: PoamSection, key: &str) -> io::Result<()> {
        if self.section > section {
            return Err(invalid(
                "POA&M sections come in order: observations, risks, items",
            ));
        }
        if self.section == section {
            return self.w.write_all(b",");
        }
        if self.section != PoamSection::Head {
            self.w.write_all(b"]")?;
        }
        self.section = section;
        write!(self.w, ",\"{key}\":[")
    }

    /// First pass: the observation of the finding behind the exception.
    pub fn observation(&mut self, e: &PoamEntry) -> io::Result<()> {
        self.enter(PoamSection::Observations, "observations")?;
        self.counts[0] += 1;
        let c = &self.common;
        let props = c.props(&[
            ("application-id", &e.application_id.to_string()),
            ("finding-key", e.finding_key),
            ("severity", e.severity.as_str()),
        ]);
        let description = one_line(e.finding_explanation).unwrap_or_else(|| {
            format!(
                "{} does not meet the rule \"{}\".",
                e.application_name, e.rule_title
            )
        });
        let mut observation = json!({
            "uuid": poam_observation_uuid(e.exception_id),
            "title": format!("{}: {}", e.rule_title, line(e.application_name)),
            "description": description,
            "links": c.application_link(e.application_id),
            "methods": ["EXAMINE"],
            "types": ["finding"],
            "origins": c.origins,
            "subjects": c.subject(e.application_id, e.application_name),
            "collected": timestamp(e.requested_at)?,
            "remarks": format!(
                "The {} finding {} of {}, as it stood when the exception was requested.",
                e.severity.label().to_lowercase(),
                e.finding_key,
                e.application_name
            ),
        });
        if !props.is_empty() {
            observation["props"] = json!(props);
        }
        put(&mut self.w, &observation)
    }

    /// Second pass: the risk the exception accepts.
    pub fn risk(&mut self, e: &PoamEntry) -> io::Result<()> {
        self.enter(PoamSection::Risks, "risks")?;
        self.counts[1] += 1;
        let c = &self.common;
        let props = c.props(&[
            ("application-id", &e.application_id.to_string()),
            ("exception-id", &e.exception_id.to_string()),
            ("exception-state", e.state.as_str()),
            ("finding-key", e.finding_key),
        ]);
        let statement = match one_line(e.justification) {
            Some(_) => format!("Justification for accepting it: {}", e.justification.trim()),
            None => "No justification was given for accepting it.".to_owned(),
        };
        let mut entries = vec![json!({
            "uuid": stable_uuid(&format!("risk-log/{}/requested", e.exception_id)),
            "title": "Exception requested",
            "description": format!("Requested by {}.", e.requested_by),
            "start": timestamp(e.requested_at)?,
            "status-change": risk_status(ExceptionState::Requested),
        })];
        if let Some(at) = e.decided_at {
            let rejected = e.state == ExceptionState::Rejected;
            entries.push(json!({
                "uuid": stable_uuid(&format!("risk-log/{}/decided", e.exception_id)),
                "title": if rejected { "Exception rejected" } else { "Exception approved" },
                "description": format!(
                    "{} by {}.",
                    if rejected { "Rejected" } else { "Approved" },
                    e.decided_by.unwrap_or("an unrecorded person")
                ),
                "start": timestamp(at)?,
                "status-change": if rejected { "closed" } else { "deviation-approved" },
            }));
        }
        if let Some(at) = e.ended_at {
            entries.push(json!({
                "uuid": stable_uuid(&format!("risk-log/{}/ended", e.exception_id)),
                "title": format!("Exception {}", e.state.label().to_lowercase()),
                "description": match e.ended_by {
                    Some(by) => format!("{} by {by}.", e.state.label()),
                    None => format!("{}.", e.state.label()),
                },
                "start": timestamp(at)?,
                "status-change": risk_status(e.state),
            }));
        }
        let mut risk = json!({
            "uuid": risk_uuid(e.exception_id),
            "title": format!("{} on {}", e.rule_title, line(e.application_name)),
            "description": one_line(e.finding_explanation).unwrap_or_else(|| e.rule_title.to_owned()),
            "statement": statement,
            "props": props,
            "status": risk_status(e.state),
            "origins": c.origins,
            "characterizations": [{
                "origin": { "actors": c.origins[0]["actors"] },
                "facets": [{ "name": "severity", "system": c.ns, "value": e.severity.as_str() }],
            }],
            "deadline": timestamp(e.expires_at)?,
            "risk-log": { "entries": entries },
            "related-observations": [{ "observation-uuid": poam_observation_uuid(e.exception_id) }],
        });
        if one_line(e.compensating_controls).is_some() {
            risk["mitigating-factors"] = json!([{
                "uuid": stable_uuid(&format!("mitigating-factor/{}", e.exception_id)),
                "description": format!("Compensating controls: {}", e.compensating_controls.trim()),
                "subjects": c.subject(e.application_id, e.application_name),
            }]);
        }
        put(&mut self.w, &risk)
    }

    /// Third pass: the POA&M item.
    pub fn item(&mut self, e: &PoamEntry) -> io::Result<()> {
        self.enter(PoamSection::Items, "poam-items")?;
        self.counts[2] += 1;
        let c = &self.common;
        let props = c.props(&[
            ("application-id", &e.application_id.to_string()),
            ("exception-id", &e.exception_id.to_string()),
            ("exception-state", e.state.as_str()),
        ]);
        let mut remarks = format!(
            "Justification: {}\n\nCompensating controls: {}\n\nRequested by {} on {}.",
            one_line(e.justification).map_or("none given", |_| e.justification.trim()),
            one_line(e.compensating_controls)
                .map_or("none given", |_| e.compensating_controls.trim()),
            e.requested_by,
            timestamp(e.requested_at)?,
        );
        if let Some(at) = e.decided_at {
            let verb = if e.state == ExceptionState::Rejected {
                "Rejected"
            } else {
                "Approved"
            };
            remarks.push_str(&format!(
                " {verb} by {} on {}.",
                e.decided_by.unwrap_or("an unrecorded person"),
                timestamp(at)?
            ));
        }
        if let Some(at) = e.ended_at {
            remarks.push_str(&format!(" {}", e.state.label()));
            if let Some(by) = e.ended_by {
                remarks.push_str(&format!(" by {by}"));
            }
            remarks.push_str(&format!(" on {}.", timestamp(at)?));
        }
        let item = json!({
            "uuid": poam_item_uuid(e.exception_id),
            "title": format!("{} on {}", e.rule_title, line(e.application_name)),
            "description": format!(
                "Exception {} for the {} finding {} of {}, until {}.",
                e.state.label().to_lowercase(),
                e.severity.label().to_lowercase(),
                e.finding_key,
                e.application_name,
                timestamp(e.expires_at)?
            ),
            "props": props,
            "links": [{
                "href": format!("{}/exceptions/{}", c.origin, e.exception_id),
                "rel": "reference",
                "text": "The exception in the portal",
            }],
            "origins": c.origins,
            "related-observations": [{ "observation-uuid": poam_observation_uuid(e.exception_id) }],
            "related-risks": [{ "risk-uuid": risk_uuid(e.exception_id) }],
            "remarks": remarks,
        });
        put(&mut self.w, &item)
    }

    /// Writes the closing and gives the writer back (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        if self.counts[0] != self.counts[1] || self.counts[1] != self.counts[2] {
            return Err(invalid(
                "every POA&M entry is given to observation, risk and item",
            ));
        }
        if self.counts[2] == 0 {
            self.enter(PoamSection::Items, "poam-items")?;
            put(
                &mut self.w,
                &json!({
                    "uuid": stable_uuid("poam-item/none"),
                    "title": "No exceptions",
                    "description": format!(
                        "No exception had been requested at {}: no finding is accepted and \
                         nothing is planned.",
                        self.common.generated_at
                    ),
                    "origins": self.common.origins,
                }),
            )?;
        }
        self.w.write_all(b"]}}")?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Writes a whole POA&M: `entries` is called three times (observations, risks, items) and must
/// give the same entries in the same order each time.
pub fn write_poam<'a, W, I, F>(w: W, doc: &Document, mut entries: F) -> io::Result<W>
where
    W: Write,
    I: IntoIterator<Item = PoamEntry<'a>>,
    F: FnMut() -> I,
{
    let mut writer = PoamWriter::begin(w, doc)?;
    for e in entries() {
        writer.observation(&e)?;
    }
    for e in entries() {
        writer.risk(&e)?;
    }
    for e in entries() {
        writer.item(&e)?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DOC: Document<'static> = Document {
        title: "Passwordless programme: control evidence",
        generated_at: datetime!(2026-12-01 09:30:00 UTC),
        portal_version: "0.1.0",
        origin: "https://portal.example/",
        chain_head: "3f1c9a0d5e7b2c4a",
    };

    const APP_A: Uuid = Uuid::from_u128(0x0a);
    const APP_B: Uuid = Uuid::from_u128(0x0b);
    const APP_C: Uuid = Uuid::from_u128(0x0c);

    const NO_MFA: FindingRef<'static> = FindingRef {
        key: "no-phishing-resistant-mfa",
        rule_title: "Phishing-resistant sign-in",
        severity: Severity::High,
        explanation: "The workforce signs in with passwords and SMS codes.",
    };
    const SHARED: FindingRef<'static> = FindingRef {
        key: "shared-accounts",
        rule_title: "No shared accounts",
        severity: Severity::Medium,
        explanation: "Two shared administrator accounts.",
    };

    fn observations() -> Vec<Observation<'static>> {
        vec![
            Observation {
                application_id: APP_A,
                application_name: "Payroll",
                criticality: "critical",
                version: Some(3),
                declaration_sha256: Some(
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                ),
                submitted_at: Some(datetime!(2026-11-20 14:05:06.25 +01:00)),
            },
            Observation {
                application_id: APP_B,
                application_name: "Wiki  \n (internal)",
                criticality: "",
                version: Some(1),
                declaration_sha256: Some(
                    "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
                ),
                submitted_at: Some(datetime!(2026-10-01 08:00:00 UTC)),
            },
            Observation {
                application_id: APP_C,
                application_name: "Build farm",
                criticality: "low",
                version: None,
                declaration_sha256: None,
                submitted_at: None,
            },
        ]
    }

    fn judgement(
        application_id: Uuid,
        application_name: &'static str,
        (framework, control_id): (&'static str, &'static str),
        status: ControlStatus,
        findings: &'static [FindingRef<'static>],
    ) -> Judgement<'static> {
        Judgement {
            framework,
            framework_name: framework,
            control_id,
            control_title: "A control",
            application_id,
            application_name,
            status,
            findings,
        }
    }

    fn judgements() -> Vec<Judgement<'static>> {
        use ControlStatus::*;
        vec![
            judgement(APP_A, "Payroll", ("csf", "PR.AA-01"), Met, &[]),
            judgement(APP_A, "Payroll", ("pci-dss", "8.4.1"), NotMet, &[NO_MFA]),
            judgement(APP_A, "Payroll", ("cis", "6.3"), Excepted, &[SHARED]),
            judgement(APP_B, "Wiki", ("csf", "PR.AA-01"), NotApplicable, &[]),
            judgement(
                APP_B,
                "Wiki",
                ("sp800-63b", "63B-AAL2"),
                NotMet,
                &[NO_MFA, SHARED],
            ),
            judgement(APP_C, "Build farm", ("csf", "PR.AA-01"), NotMet, &[NO_MFA]),
            judgement(APP_C, "Build farm", ("owasp-nhi", "NHI1"), Met, &[]),
        ]
    }

    /// One exception in every state.
    fn entries() -> Vec<PoamEntry<'static>> {
        ExceptionState::ALL
            .iter()
            .enumerate()
            .map(|(i, &state)| {
                let decided =
                    !matches!(state, ExceptionState::Requested | ExceptionState::Withdrawn);
                let ended = matches!(
                    state,
                    ExceptionState::Withdrawn
                        | ExceptionState::Revoked
                        | ExceptionState::Expired
                        | ExceptionState::Renewed
                );
                PoamEntry {
                    exception_id: Uuid::from_u128(0xe0 + i as u128),
                    application_id: if i % 2 == 0 { APP_A } else { APP_B },
                    application_name: if i % 2 == 0 { "Payroll" } else { "Wiki" },
                    finding_key: if i % 3 == 0 { NO_MFA.key } else { SHARED.key },
                    rule_title: "Phishing-resistant sign-in",
                    finding_explanation: if i == 1 { " \n" } else { NO_MFA.explanation },
                    severity: Severity::ALL[i % Severity::ALL.len()],
                    state,
                    justification: if i == 2 {
                        ""
                    } else {
                        "Hardware keys arrive in\nJanuary."
                    },
                    compensating_controls: if i == 3 { "  " } else { "VPN only; alerts." },
                    requested_at: datetime!(2026-09-01 10:00:00 UTC),
                    requested_by: "Olive Owner",
                    decided_at: decided.then_some(datetime!(2026-09-03 11:00:00 UTC)),
                    decided_by: decided.then_some("Sam Security"),
                    ended_at: ended.then_some(datetime!(2026-11-01 00:00:00 UTC)),
                    ended_by: (ended && state != ExceptionState::Expired).then_some("Sam Security"),
                    expires_at: datetime!(2027-01-01 00:00:00 UTC),
                }
            })
            .collect()
    }

    fn assessment_results(
        observations: &[Observation],
        judgements: &[Judgement],
    ) -> io::Result<Vec<u8>> {
        let mut w = AssessmentResultsWriter::begin(Vec::new(), &DOC)?;
        for o in observations {
            w.observation(o)?;
        }
        w.start_findings()?;
        for j in judgements {
            w.finding(j)?;
        }
        w.finish()
    }

    fn poam(entries: &[PoamEntry]) -> io::Result<Vec<u8>> {
        write_poam(Vec::new(), &DOC, || entries.iter().copied())
    }

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("the document is JSON")
    }

    fn uuids<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
        list.as_array()
            .map(|items| items.iter().map(|i| i[key].as_str().unwrap()).collect())
            .unwrap_or_default()
    }

    /// Every value under a key ending in `uuid`, anywhere in the document.
    fn all_uuids<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v.as_str() {
                        Some(s) if k.ends_with("uuid") => out.push(s),
                        _ => all_uuids(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| all_uuids(v, out)),
            _ => {}
        }
    }

    /// What OSCAL 1.1.2 accepts as a UUID: version 4 or 5, the RFC 4122 variant, lower case here.
    fn oscal_uuid(s: &str) -> bool {
        Uuid::parse_str(s).is_ok_and(|u| {
            matches!(u.get_version_num(), 4 | 5)
                && u.get_variant() == uuid::Variant::RFC4122
                && u.hyphenated().to_string() == s
        })
    }

    /// No array anywhere is empty (OSCAL's `minItems: 1`) and nothing is null.
    fn no_empty_arrays(value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Array(items) => !items.is_empty() && items.iter().all(no_empty_arrays),
            Value::Object(map) => map.values().all(no_empty_arrays),
            _ => true,
        }
    }

    #[test]
    fn version_5_uuids_follow_rfc_4122() {
        // Python's `uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")`.
        let dns = Uuid::from_u128(0x6ba7b810_9dad_11d1_80b4_00c04fd430c8);
        assert_eq!(
            uuid_v5(dns, b"python.org").to_string(),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
        let a = stable_uuid("risk/x");
        assert_eq!(a, stable_uuid("risk/x"));
        assert_ne!(a, stable_uuid("risk/y"));
        assert_eq!(a.get_version_num(), 5);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn objects_keep_their_uuids_across_exports() {
        let later = Document {
            generated_at: datetime!(2027-02-01 00:00:00 UTC),
            chain_head: "ffff",
            ..DOC
        };
        let first = parse(&assessment_results(&observations(), &judgements()).unwrap());
        let mut w = AssessmentResultsWriter::begin(Vec::new(), &later).unwrap();
        for o in observations() {
            w.observation(&o).unwrap();
        }
        for j in judgements() {
            w.finding(&j).unwrap();
        }
        let second = parse(&w.finish().unwrap());
        let (a, b) = (&first["assessment-results"], &second["assessment-results"]);
        // The document and the result are new…
        assert_ne!(a["uuid"], b["uuid"]);
        assert_ne!(a["results"][0]["uuid"], b["results"][0]["uuid"]);
        // …what they describe is not.
        for list in ["observations", "findings"] {
            assert_eq!(
                uuids(&a["results"][0][list], "uuid"),
                uuids(&b["results"][0][list], "uuid")
            );
        }
        assert_eq!(
            a["results"][0]["findings"][1]["uuid"],
            json!(finding_uuid(APP_A, "pci-dss", "8.4.1"))
        );
    }

    #[test]
    fn the_same_inputs_give_the_same_bytes() {
        let ar = assessment_results(&observations(), &judgements()).unwrap();
        assert_eq!(
            ar,
            assessment_results(&observations(), &judgements()).unwrap()
        );
        let p = poam(&entries()).unwrap();
        assert_eq!(p, poam(&entries()).unwrap());
        // Not trivially so: a different estate gives a different document.
        assert_ne!(ar, assessment_results(&observations()[..2], &[]).unwrap());
    }

    #[test]
    fn every_uuid_is_one_oscal_accepts() {
        for bytes in [
            assessment_results(&observations(), &judgements()).unwrap(),
            poam(&entries()).unwrap(),
            poam(&[]).unwrap(),
        ] {
            let doc = parse(&bytes);
            let mut found = Vec::new();
            all_uuids(&doc, &mut found);
            assert!(found.len() > 5);
            for u in found {
                assert!(oscal_uuid(u), "{u} is not a version 4 or 5 UUID");
            }
            assert!(no_empty_arrays(&doc));
        }
        assert!(!oscal_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    }

    #[test]
    fn risk_status_follows_the_exception() {
        use ExceptionState::*;
        let table = [
            (Requested, "deviation-requested"),
            (Approved, "deviation-approved"),
            (Expired, "open"),
            (Rejected, "closed"),
            (Withdrawn, "closed"),
            (Revoked, "closed"),
            (Renewed, "closed"),
        ];
        assert_eq!(table.len(), ExceptionState::ALL.len());
        for (state, status) in table {
            assert_eq!(risk_status(state), status, "{state:?}");
        }
        let doc = parse(&poam(&entries()).unwrap());
        let risks = doc["plan-of-action-and-milestones"]["risks"]
            .as_array()
            .unwrap();
        for (risk, entry) in risks.iter().zip(entries()) {
            assert_eq!(risk["status"], risk_status(entry.state));
            assert_eq!(risk["deadline"], "2027-01-01T00:00:00Z");
        }
    }

    #[test]
    fn not_applicable_judgements_are_not_findings() {
        let na = judgement(
            APP_B,
            "Wiki",
            ("csf", "PR.AA-01"),
            ControlStatus::NotApplicable,
            &[],
        );
        let doc = parse(&assessment_results(&observations(), &[na]).unwrap());
        let result = &doc["assessment-results"]["results"][0];
        assert!(result.get("findings").is_none());
        assert_eq!(result["observations"].as_array().unwrap().len(), 3);

        let doc = parse(&assessment_results(&observations(), &judgements()).unwrap());
        let findings = doc["assessment-results"]["results"][0]["findings"]
            .as_array()
            .unwrap();
        let applicable = judgements()
            .iter()
            .filter(|j| j.status != ControlStatus::NotApplicable)
            .count();
        assert_eq!(findings.len(), applicable);
        assert!(findings.iter().all(|f| {
            f["props"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["value"] != "not_applicable")
        }));
    }

    #[test]
    fn an_empty_estate_is_a_document() {
        let doc = parse(&assessment_results(&[], &[]).unwrap());
        let ar = &doc["assessment-results"];
        assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
        assert_eq!(ar["metadata"]["last-modified"], "2026-12-01T09:30:00Z");
        let result = &ar["results"][0];
        assert!(result.get("observations").is_none() && result.get("findings").is_none());
        assert_eq!(result["start"], "2026-12-01T09:30:00Z");
        assert!(no_empty_arrays(&doc));

        let doc = parse(&poam(&[]).unwrap());
        let p = &doc["plan-of-action-and-milestones"];
        assert!(p.get("observations").is_none() && p.get("risks").is_none());
        let items = p["poam-items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "OSCAL requires one POA&M item");
        assert_eq!(items[0]["title"], "No exceptions");
    }

    #[test]
    fn a_small_estate_links_up() {
        let doc = parse(&assessment_results(&observations(), &judgements()).unwrap());
        let ar = &doc["assessment-results"];
        assert_eq!(ar["import-ap"]["href"], "https://portal.example/frameworks");
        let result = &ar["results"][0];
        let observed = uuids(&result["observations"], "uuid");
        assert_eq!(observed.len(), 3);
        assert_eq!(
            observed[0],
            observation_uuid(APP_A, observations()[0].declaration_sha256).to_string()
        );
        let findings = result["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 6);
        for f in findings {
            for u in uuids(&f["related-observations"], "observation-uuid") {
                assert!(observed.contains(&u), "{u} is no observation");
            }
        }
        // Payroll's findings point at Payroll's observation.
        assert_eq!(
            findings[0]["related-observations"][0]["observation-uuid"],
            observed[0]
        );
        let states: Vec<&str> = findings
            .iter()
            .map(|f| f["target"]["status"]["state"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            [
                "satisfied",
                "not-satisfied",
                "satisfied",
                "not-satisfied",
                "not-satisfied",
                "satisfied"
            ]
        );
        assert!(
            findings[2]["target"]["status"]["remarks"]
                .as_str()
                .unwrap()
                .contains("shared-accounts")
        );
        assert!(findings[0]["target"]["status"].get("remarks").is_none());
        assert_eq!(findings[1]["target"]["target-id"], "pci-dss_8.4.1");
        assert_eq!(findings[3]["target"]["target-id"], "sp800-63b_63B-AAL2");
        // The tool every item names is the one the result defines.
        let tool = &result["local-definitions"]["assessment-assets"]["components"][0]["uuid"];
        assert_eq!(findings[0]["origins"][0]["actors"][0]["actor-uuid"], *tool);
        // Observations: the version and hash, and properties that are one line and not blank.
        let wiki = &result["observations"][1];
        assert_eq!(wiki["title"], "Declaration of Wiki (internal)");
        assert_eq!(wiki["subjects"][0]["title"], "Wiki (internal)");
        let props = wiki["props"].as_array().unwrap();
        assert!(props.iter().all(|p| p["name"] != "criticality"));
        assert!(
            props
                .iter()
                .any(|p| p["name"] == "declaration-version" && p["value"] == "1")
        );
        assert_eq!(
            result["observations"][0]["collected"],
            "2026-11-20T13:05:06.25Z"
        );
        assert_eq!(
            result["observations"][2]["collected"],
            "2026-12-01T09:30:00Z"
        );
        assert!(
            result["observations"][2]
                .get("props")
                .unwrap()
                .as_array()
                .unwrap()
                .len()
                == 2
        );

        let doc = parse(&poam(&entries()).unwrap());
        let p = &doc["plan-of-action-and-milestones"];
        let observations = uuids(&p["observations"], "uuid");
        let risks = uuids(&p["risks"], "uuid");
        let items = p["poam-items"].as_array().unwrap();
        assert_eq!(observations.len(), 7);
        assert_eq!(risks.len(), 7);
        assert_eq!(items.len(), 7);
        for item in items {
            for u in uuids(&item["related-observations"], "observation-uuid") {
                assert!(observations.contains(&u));
            }
            for u in uuids(&item["related-risks"], "risk-uuid") {
                assert!(risks.contains(&u));
            }
        }
        for risk in p["risks"].as_array().unwrap() {
            for u in uuids(&risk["related-observations"], "observation-uuid") {
                assert!(observations.contains(&u));
            }
        }
        assert_eq!(
            items[0]["uuid"],
            json!(poam_item_uuid(Uuid::from_u128(0xe0)))
        );
        assert_eq!(p["system-id"]["identifier-type"], RFC4122);
        // Compensating controls are a mitigating factor, when there are any.
        let risks = p["risks"].as_array().unwrap();
        assert!(
            risks[0]["mitigating-factors"][0]["description"]
                .as_str()
                .unwrap()
                .contains("VPN only")
        );
        assert!(risks[3].get("mitigating-factors").is_none());
        assert!(
            risks[0]["statement"]
                .as_str()
                .unwrap()
                .contains("Hardware keys")
        );
        // The log: requested, then decided, then ended, as they happened.
        let log = |i: usize| {
            risks[i]["risk-log"]["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["status-change"].as_str().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(log(0), ["deviation-requested"]);
        assert_eq!(log(1), ["deviation-requested", "deviation-approved"]);
        assert_eq!(log(2), ["deviation-requested", "closed"]);
        assert_eq!(
            log(5),
            ["deviation-requested", "deviation-approved", "open"]
        );
    }

    #[test]
    fn misuse_is_an_error_not_a_broken_document() {
        let mut w = AssessmentResultsWriter::begin(Vec::new(), &DOC).unwrap();
        w.observation(&observations()[0]).unwrap();
        w.finding(&judgements()[0]).unwrap();
        assert!(w.observation(&observations()[1]).is_err());
        // A finding for an application never observed.
        assert!(w.finding(&judgements()[5]).is_err());

        let e = entries();
        let mut w = PoamWriter::begin(Vec::new(), &DOC).unwrap();
        w.observation(&e[0]).unwrap();
        w.risk(&e[0]).unwrap();
        assert!(w.observation(&e[1]).is_err());
        w.item(&e[0]).unwrap();
        w.item(&e[1]).unwrap();
        assert!(w.finish().is_err(), "more items than risks");

        for origin in ["", "portal.example", "https://", "ftp://portal.example"] {
            let doc = Document { origin, ..DOC };
            assert!(
                AssessmentResultsWriter::begin(Vec::new(), &doc).is_err(),
                "{origin:?}"
            );
            assert!(PoamWriter::begin(Vec::new(), &doc).is_err(), "{origin:?}");
        }
    }

    #[test]
    fn identifiers_and_strings_fit_oscal_types() {
        assert_eq!(objective_id("csf", "PR.AA-01"), "csf_PR.AA-01");
        assert_eq!(objective_id("cis", "6.3"), "cis_6.3");
        assert_eq!(token("6.3 (a)"), "_6.3__a_");
        assert_eq!(token(""), "_");
        assert_eq!(one_line("  a \n\t b  ").as_deref(), Some("a b"));
        assert_eq!(one_line(" \n "), None);
        assert_eq!(
            timestamp(datetime!(2026-06-01 02:00:00 +02:00)).unwrap(),
            "2026-06-01T00:00:00Z"
        );
    }

    /// With `PORTAL_OSCAL_OUT=<directory>`, writes the sample documents there for NIST's schemas
    /// to check (`server/tests/oscal/validate.py`).
    #[test]
    fn writes_the_sample_documents_when_asked() {
        let documents = [
            (
                "oscal-ar.json",
                assessment_results(&observations(), &judgements()).unwrap(),
            ),
            ("oscal-poam.json", poam(&entries()).unwrap()),
            ("oscal-ar-empty.json", assessment_results(&[], &[]).unwrap()),
            ("oscal-poam-empty.json", poam(&[]).unwrap()),
        ];
        let Some(dir) = std::env::var_os("PORTAL_OSCAL_OUT") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in documents {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}
