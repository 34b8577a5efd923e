//! The exports an assessor loads, written to a file in flat memory (applications read a chunk at
//! a time, tables read a page at a time by their key) and then streamed:
//!
//! - OSCAL `assessment-results`: one result per export, an observation per application's latest
//!   declaration, a finding per (application, control judged) that applies to it;
//! - OSCAL `plan-of-action-and-milestones`: a POA&M item, a risk and an observation per
//!   exception, the risk's status from the exception's state, its deadline the expiry;
//! - the evidence bundle (ZIP): applications, every declaration version, findings, exceptions
//!   with their whole life, control status, policy versions, the catalogue, the audit trail up to
//!   the export's checkpoint, both OSCAL documents, the checkpoint and its public key, and a
//!   `manifest.json` (last) with every file's size and SHA-256 and the chain head.
//!
//! Every export is audited (`evidence.exported`) and then the chain's head is signed, so the
//! export names a checkpoint that covers its own event.

use super::checkpoint::{key, sign};
use super::status::{EstateStatus, compute, open_findings};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::evidence::model::ControlStatus;
use crate::evidence::rules::checkpoint::Checkpoint;
use crate::evidence::rules::oscal::{
    AssessmentResultsWriter, Document, FindingRef, Judgement, Observation, PoamEntry, PoamWriter,
};
use crate::ids::{ApplicationId, UserId};
use crate::ssr::entities::{
    app_user, application, audit_event, declaration_version, finding, finding_exception,
    policy_version,
};
use crate::ssr::state::AppState;
use crate::ssr::zip::ZipWriter;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// What can be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bundle,
    AssessmentResults,
    Poam,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bundle => "bundle",
            Self::AssessmentResults => "oscal-assessment-results",
            Self::Poam => "oscal-poam",
        }
    }

    /// The file name a download suggests.
    pub fn file_name(self, at: OffsetDateTime) -> String {
        let day = at.date();
        match self {
            Self::Bundle => format!("evidence-{day}.zip"),
            Self::AssessmentResults => format!("oscal-assessment-results-{day}.json"),
            Self::Poam => format!("oscal-poam-{day}.json"),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Bundle => "application/zip",
            _ => "application/json",
        }
    }
}

/// Applications (and their findings) read per statement.
const CHUNK: usize = 500;
/// Rows of a table read per statement.
const PAGE: u64 = 1_000;

fn io(e: std::io::Error) -> AppError {
    AppError::internal(format!("writing an export: {e}"))
}

/// A file in the temporary folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    fn new(kind: Kind) -> Self {
        Self(std::env::temp_dir().join(format!(
            "portal-{}-{}.tmp",
            kind.as_str(),
            uuid::Uuid::new_v4().simple()
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What an export wrote.
pub struct Exported {
    pub file: Scratch,
    pub checkpoint: Option<Checkpoint>,
    pub at: OffsetDateTime,
}

/// Audits the export, signs the head, then writes `kind` to a scratch file.
pub async fn export(state: &AppState, actor: Actor, kind: Kind) -> Result<Exported, AppError> {
    let at = state.now();
    let txn = state.db.begin_write().await?;
    record(
        &txn,
        at,
        NewAuditEvent {
            actor: actor.clone(),
            action: AuditAction::EvidenceExported,
            subject_type: "evidence",
            subject_id: kind.as_str().to_string(),
            before: None,
            after: Some(json!({ "kind": kind.as_str() })),
        },
    )
    .await?;
    txn.commit().await?;
    let (_, checkpoint) = sign(state, actor).await?;
    let file = Scratch::new(kind);
    let out = BufWriter::new(std::fs::File::create(&file.0).map_err(io)?);
    // One read transaction: every table as of the same moment.
    let read = state.db.conn().begin().await?;
    // The head the export stands on: the checkpoint it signed (its own event included), or the
    // head now when the chain did not verify and nothing was signed.
    let head = match &checkpoint {
        Some(c) => format!("{}:{}", c.seq, c.hash),
        None => crate::audit::facade::head(&read).await?,
    };
    let origin = state.config.public_url.origin.clone();
    let doc = Document {
        title: "Passwordless programme: control assessment",
        generated_at: at,
        portal_version: env!("CARGO_PKG_VERSION"),
        origin: &origin,
        chain_head: &head,
    };
    let out = match kind {
        Kind::AssessmentResults => {
            let estate = compute(&read, at).await?;
            assessment_results(&read, out, &doc, &estate).await?
        }
        Kind::Poam => poam(&read, out, &doc).await?,
        Kind::Bundle => {
            let estate = compute(&read, at).await?;
            let key = key(state)?;
            bundle(
                &read,
                out,
                &doc,
                &estate,
                checkpoint.as_ref(),
                &key.public_hex(),
            )
            .await?
        }
    };
    read.commit().await?;
    out.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    Ok(Exported {
        file,
        checkpoint,
        at,
    })
}

/// What an observation names of a declaration version.
struct Latest {
    version: i32,
    body_sha256: String,
    submitted_at: OffsetDateTime,
}

/// The latest version of each application's declaration (one statement per chunk).
async fn latest<C: ConnectionTrait>(
    db: &C,
    ids: &[ApplicationId],
) -> Result<HashMap<ApplicationId, Latest>, AppError> {
    let mut out: HashMap<ApplicationId, Latest> = HashMap::new();
    // The versions' numbers, hashes and times only (never their bodies).
    for (application_id, version, body_sha256, submitted_at) in declaration_version::Entity::find()
        .select_only()
        .column(declaration_version::Column::ApplicationId)
        .column(declaration_version::Column::Version)
        .column(declaration_version::Column::BodySha256)
        .column(declaration_version::Column::SubmittedAt)
        .filter(declaration_version::Column::ApplicationId.is_in(ids.to_vec()))
        .into_tuple::<(ApplicationId, i32, String, OffsetDateTime)>()
        .all(db)
        .await?
    {
        match out.get(&application_id) {
            Some(kept) if kept.version >= version => {}
            _ => {
                out.insert(
                    application_id,
                    Latest {
                        version,
                        body_sha256,
                        submitted_at,
                    },
                );
            }
        }
    }
    Ok(out)
}

async fn assessment_results<C: ConnectionTrait, W: Write>(
    db: &C,
    out: W,
    doc: &Document<'_>,
    estate: &EstateStatus,
) -> Result<W, AppError> {
    let mut w = AssessmentResultsWriter::begin(out, doc).map_err(io)?;
    for chunk in estate.apps.chunks(CHUNK) {
        let ids: Vec<ApplicationId> = chunk.iter().map(|a| a.id).collect();
        let versions = latest(db, &ids).await?;
        for a in chunk {
            let v = versions.get(&a.id);
            w.observation(&Observation {
                application_id: a.id.0,
                application_name: &a.name,
                criticality: a.criticality.as_str(),
                version: v.map(|v| v.version),
                declaration_sha256: v.map(|v| v.body_sha256.as_str()),
                submitted_at: v.map(|v| v.submitted_at),
            })
            .map_err(io)?;
        }
    }
    w.start_findings().map_err(io)?;
    for chunk in estate.apps.chunks(CHUNK) {
        let ids: Vec<ApplicationId> = chunk.iter().map(|a| a.id).collect();
        let open = open_findings(db, estate.at, Some(&ids)).await?;
        let titles: Vec<String> = open
            .iter()
            .map(|r| crate::findings::facade::rule_title(&r.rule))
            .collect();
        for a in chunk {
            for (i, c) in estate.index.controls.iter().enumerate() {
                let status = a.statuses[i];
                if status == ControlStatus::NotApplicable {
                    continue;
                }
                let refs: Vec<FindingRef> = open
                    .iter()
                    .zip(&titles)
                    .filter(|(r, _)| r.application_id == a.id && estate.index.bears(i, &r.rule))
                    .map(|(r, t)| FindingRef {
                        key: &r.key,
                        rule_title: t,
                        severity: r.severity,
                        explanation: &r.explanation,
                    })
                    .collect();
                w.finding(&Judgement {
                    framework: &c.framework,
                    framework_name: &c.framework_name,
                    control_id: &c.id,
                    control_title: &c.title,
                    application_id: a.id.0,
                    application_name: &a.name,
                    status,
                    findings: &refs,
                })
                .map_err(io)?;
            }
        }
    }
    w.finish().map_err(io)
}

/// One page of exceptions with what a POA&M entry needs: their applications' names and their
/// findings' explanations (read for the page only), and the people's usernames.
struct Exceptions<'n> {
    rows: Vec<finding_exception::Model>,
    titles: Vec<String>,
    names: &'n HashMap<UserId, String>,
    apps: HashMap<ApplicationId, String>,
    explanations: HashMap<(ApplicationId, String), String>,
}

impl<'n> Exceptions<'n> {
    /// The page of exceptions after `after` (by id), `PAGE` of them (three statements).
    async fn page<C: ConnectionTrait>(
        db: &C,
        after: Option<crate::ids::ExceptionId>,
        names: &'n HashMap<UserId, String>,
    ) -> Result<Self, AppError> {
        let mut q = finding_exception::Entity::find()
            .order_by_asc(finding_exception::Column::Id)
            .limit(PAGE);
        if let Some(a) = after {
            q = q.filter(finding_exception::Column::Id.gt(a));
        }
        let rows = q.all(db).await?;
        let mut ids: Vec<ApplicationId> = rows.iter().map(|e| e.application_id).collect();
        ids.sort();
        ids.dedup();
        let keys: std::collections::HashSet<(ApplicationId, &str)> = rows
            .iter()
            .map(|e| (e.application_id, e.finding_key.as_str()))
            .collect();
        let mut apps = HashMap::new();
        let mut explanations = HashMap::new();
        if !ids.is_empty() {
            for (id, name) in application::Entity::find()
                .select_only()
                .column(application::Column::Id)
                .column(application::Column::Name)
                .filter(application::Column::Id.is_in(ids.clone()))
                .into_tuple::<(ApplicationId, String)>()
                .all(db)
                .await?
            {
                apps.insert(id, name);
            }
            for (id, key, explanation) in finding::Entity::find()
                .select_only()
                .column(finding::Column::ApplicationId)
                .column(finding::Column::Key)
                .column(finding::Column::Explanation)
                .filter(finding::Column::ApplicationId.is_in(ids))
                .into_tuple::<(ApplicationId, String, String)>()
                .all(db)
                .await?
            {
                if keys.contains(&(id, key.as_str())) {
                    explanations.insert((id, key), explanation);
                }
            }
        }
        let titles = rows
            .iter()
            .map(|e| crate::findings::facade::rule_title(&e.rule))
            .collect();
        Ok(Self {
            rows,
            titles,
            names,
            apps,
            explanations,
        })
    }

    fn last(&self) -> Option<crate::ids::ExceptionId> {
        self.rows.last().map(|e| e.id)
    }

    fn entries(&self) -> impl Iterator<Item = PoamEntry<'_>> + '_ {
        let name = |id: Option<UserId>| id.and_then(|u| self.names.get(&u)).map(String::as_str);
        self.rows
            .iter()
            .zip(&self.titles)
            .map(move |(e, title)| PoamEntry {
                exception_id: e.id.0,
                application_id: e.application_id.0,
                application_name: self.apps.get(&e.application_id).map_or("", String::as_str),
                finding_key: &e.finding_key,
                rule_title: title,
                finding_explanation: self
                    .explanations
                    .get(&(e.application_id, e.finding_key.clone()))
                    .map_or("(the finding is no longer stored)", String::as_str),
                severity: e.severity,
                state: e.state,
                justification: &e.justification,
                compensating_controls: &e.compensating_controls,
                requested_at: e.requested_at,
                requested_by: name(Some(e.requested_by)).unwrap_or("unknown"),
                decided_at: e.decided_at,
                decided_by: name(e.decided_by),
                ended_at: e.ended_at,
                ended_by: name(e.ended_by),
                expires_at: e.expires_at,
            })
    }
}

/// Which of the POA&M's three lists a pass writes.
#[derive(Clone, Copy)]
enum Pass {
    Observations,
    Risks,
    Items,
}

async fn poam<C: ConnectionTrait, W: Write>(
    db: &C,
    out: W,
    doc: &Document<'_>,
) -> Result<W, AppError> {
    let names: HashMap<UserId, String> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Username)
        .into_tuple::<(UserId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut w = PoamWriter::begin(out, doc).map_err(io)?;
    // The three lists in turn, each reading the exceptions a page at a time: memory holds one
    // page, whatever the number of exceptions.
    for pass in [Pass::Observations, Pass::Risks, Pass::Items] {
        let mut after = None;
        loop {
            let page = Exceptions::page(db, after, &names).await?;
            for e in page.entries() {
                match pass {
                    Pass::Observations => w.observation(&e),
                    Pass::Risks => w.risk(&e),
                    Pass::Items => w.item(&e),
                }
                .map_err(io)?;
            }
            after = page.last();
            if page.rows.len() < PAGE as usize {
                break;
            }
        }
    }
    w.finish().map_err(io)
}

/// Writes each row of a table as one JSON line, a page at a time by its key column.
async fn dump<E, C, W>(
    db: &C,
    zip: &mut ZipWriter<W>,
    at: OffsetDateTime,
    name: &str,
    key: E::Column,
    upto: Option<i64>,
) -> Result<(), AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
    W: Write,
{
    zip.start_file(name, at).map_err(io)?;
    let key_name = sea_orm::IdenStatic::as_str(&key).to_string();
    let mut after: Option<Value> = None;
    loop {
        let mut q = E::find().order_by_asc(key).limit(PAGE);
        if let Some(a) = &after {
            q = q.filter(key.gt(json_value(a)));
        }
        if let Some(u) = upto {
            q = q.filter(key.lte(u));
        }
        let rows = q.into_json().all(db).await?;
        let n = rows.len() as u64;
        for r in &rows {
            serde_json::to_writer(&mut *zip, r).map_err(|e| io(e.into()))?;
            zip.write_all(b"\n").map_err(io)?;
        }
        after = rows.last().and_then(|r| r.get(&key_name).cloned());
        if n < PAGE || after.is_none() {
            break;
        }
    }
    zip.finish_file().map_err(io)
}

fn json_value(v: &Value) -> sea_orm::Value {
    match v {
        Value::Number(n) => n.as_i64().map_or_else(|| n.to_string().into(), Into::into),
        Value::String(s) => match uuid::Uuid::parse_str(s) {
            Ok(u) if s.len() == 36 => u.into(),
            _ => s.clone().into(),
        },
        other => other.to_string().into(),
    }
}

async fn bundle<C: ConnectionTrait, W: Write>(
    db: &C,
    out: W,
    doc: &Document<'_>,
    estate: &EstateStatus,
    checkpoint: Option<&Checkpoint>,
    public_key: &str,
) -> Result<W, AppError> {
    let at = doc.generated_at;
    let mut zip = ZipWriter::new(out);
    dump::<application::Entity, _, _>(
        db,
        &mut zip,
        at,
        "applications.jsonl",
        application::Column::Id,
        None,
    )
    .await?;
    dump::<declaration_version::Entity, _, _>(
        db,
        &mut zip,
        at,
        "declaration-versions.jsonl",
        declaration_version::Column::Id,
        None,
    )
    .await?;
    dump::<finding::Entity, _, _>(
        db,
        &mut zip,
        at,
        "findings.jsonl",
        finding::Column::SortKey,
        None,
    )
    .await?;
    dump::<finding_exception::Entity, _, _>(
        db,
        &mut zip,
        at,
        "exceptions.jsonl",
        finding_exception::Column::Id,
        None,
    )
    .await?;
    dump::<policy_version::Entity, _, _>(
        db,
        &mut zip,
        at,
        "policy-versions.jsonl",
        policy_version::Column::Version,
        None,
    )
    .await?;
    dump::<audit_event::Entity, _, _>(
        db,
        &mut zip,
        at,
        "audit-trail.jsonl",
        audit_event::Column::Seq,
        checkpoint.map(|c| c.seq),
    )
    .await?;

    zip.start_file("control-status.csv", at).map_err(io)?;
    zip.write_all(b"application_id,application,framework,control,status\n")
        .map_err(io)?;
    for a in &estate.apps {
        for (i, c) in estate.index.controls.iter().enumerate() {
            let line = format!(
                "{},{},{},{},{}\n",
                a.id,
                csv_cell(&a.name),
                c.framework,
                csv_cell(&c.id),
                a.statuses[i].as_str()
            );
            zip.write_all(line.as_bytes()).map_err(io)?;
        }
    }
    zip.finish_file().map_err(io)?;

    zip.start_file("frameworks.json", at).map_err(io)?;
    let catalogue = crate::frameworks::facade::load(db).await?;
    serde_json::to_writer_pretty(&mut zip, &catalogue).map_err(|e| io(e.into()))?;
    zip.finish_file().map_err(io)?;

    zip.start_file("oscal-assessment-results.json", at)
        .map_err(io)?;
    let zip_ref = &mut zip;
    let _ = assessment_results(db, zip_ref, doc, estate).await?;
    zip.finish_file().map_err(io)?;
    zip.start_file("oscal-poam.json", at).map_err(io)?;
    let zip_ref = &mut zip;
    let _ = poam(db, zip_ref, doc).await?;
    zip.finish_file().map_err(io)?;

    zip.start_file("checkpoint.json", at).map_err(io)?;
    serde_json::to_writer_pretty(
        &mut zip,
        &json!({ "checkpoint": checkpoint, "public_key": public_key }),
    )
    .map_err(|e| io(e.into()))?;
    zip.finish_file().map_err(io)?;

    let files: Vec<Value> = zip
        .entries()
        .iter()
        .map(|e| json!({ "name": e.name, "bytes": e.size, "sha256": e.sha256_hex() }))
        .collect();
    let manifest = json!({
        "format": "portal-evidence-bundle/1",
        "generated_at": crate::ssr::clock::format_timestamp(at),
        "portal_version": doc.portal_version,
        "origin": doc.origin,
        "chain_head": doc.chain_head,
        "checkpoint": checkpoint,
        "checkpoint_public_key": public_key,
        "files": files,
    });
    zip.start_file("manifest.json", at).map_err(io)?;
    serde_json::to_writer_pretty(&mut zip, &manifest).map_err(|e| io(e.into()))?;
    zip.finish_file().map_err(io)?;
    let (out, _) = zip.finish().map_err(io)?;
    Ok(out)
}

/// A CSV cell a spreadsheet opens safely: formula-guarded, quoted when it must be.
fn csv_cell(value: &str) -> String {
    let v = crate::spreadsheet::guard_cell(value);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.into_owned()
    }
}

/// Copies an export's file to `out`.
pub fn copy_to(file: &Path, out: &mut impl Write) -> Result<u64, AppError> {
    let mut f = std::fs::File::open(file).map_err(io)?;
    std::io::copy(&mut f, out).map_err(io)
}
