//! The application registry and journey declarations, driven through the real router as the
//! people of a small organisation: who may change what, what is refused next to its field,
//! immutable versions with history, differences and as-of, federation, search and archiving.

use crate::client::{Person, after, error_of, events, first_admin, invited};
use crate::on_each_backend;
use crate::support::{Reply, TestDb, World};
use app::components::{Neighbours, Position};
use app::declarations::model::DeclarationShown;
use app::declarations::model::{
    DeclarationEditor, DraftOrigin, Offboarding, Path, PopulationJourney, SessionRules,
};
use app::error::AppError;
use app::ids::{ApplicationId, UserId};
use app::registry::model::{
    ApplicationDetail, ApplicationList, Criticality, Integration, Lifecycle,
};
use app::registry::rules::CheckedApplication;
use app::registry::rules::NewApplication;
use app::registry::ssr::insert_applications;
use app::ssr::entities::{
    application, audit_event, declaration_draft, declaration_method, declaration_version,
};
use app::vocab::JourneyRole;
use http::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Forms as a browser posts them.

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The application form (`form[...]`).
#[derive(Clone, Debug)]
pub(crate) struct AppForm {
    name: String,
    description: String,
    criticality: String,
    integration: String,
    lifecycle: String,
    identity_provider: bool,
    provider: String,
    owners: Vec<String>,
    /// "Add owners": user names as typed.
    add_owners: String,
    populations: Vec<String>,
    tags: String,
}

impl AppForm {
    pub(crate) fn new(name: &str, owners: &[&Person<'_>]) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            criticality: "medium".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            identity_provider: false,
            provider: String::new(),
            owners: owners.iter().map(|p| p.id_string()).collect(),
            add_owners: String::new(),
            populations: vec!["office_employees".into()],
            tags: String::new(),
        }
    }

    pub(crate) fn describe(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    pub(crate) fn criticality(mut self, c: &str) -> Self {
        self.criticality = c.into();
        self
    }

    pub(crate) fn populations(mut self, keys: &[&str]) -> Self {
        self.populations = keys.iter().map(|k| k.to_string()).collect();
        self
    }

    pub(crate) fn tagged(mut self, tags: &str) -> Self {
        self.tags = tags.into();
        self
    }

    fn add_owners(mut self, typed: &str) -> Self {
        self.add_owners = typed.into();
        self
    }

    fn identity_provider(mut self) -> Self {
        self.identity_provider = true;
        self
    }

    pub(crate) fn federated_through(mut self, provider: &str) -> Self {
        self.integration = "federated".into();
        self.provider = provider.into();
        self
    }

    fn fields(&self) -> Vec<(String, String)> {
        let mut f = vec![
            ("form[name]".to_string(), self.name.clone()),
            ("form[description]".into(), self.description.clone()),
            ("form[business_unit]".into(), String::new()),
            ("form[criticality]".into(), self.criticality.clone()),
            ("form[integration]".into(), self.integration.clone()),
            ("form[lifecycle]".into(), self.lifecycle.clone()),
            ("form[provider]".into(), self.provider.clone()),
            ("form[tags]".into(), self.tags.clone()),
        ];
        if self.identity_provider {
            f.push(("form[identity_provider]".into(), "on".into()));
        }
        if !self.add_owners.is_empty() {
            f.push(("form[add_owners]".into(), self.add_owners.clone()));
        }
        for p in &self.populations {
            f.push((format!("form[populations][{p}]"), "on".into()));
        }
        f
    }

    /// The request body, after `leading` fields (the id of the application being edited).
    pub(crate) fn body(&self, leading: &[(&str, &str)]) -> String {
        let own = self.fields();
        let mut fields = leading.to_vec();
        fields.extend(refs(&own));
        let mut body = serde_urlencoded::to_string(&fields).expect("form encoding");
        for o in &self.owners {
            body.push('&');
            body.push_str(&owner_field(o));
            body.push_str("=on");
        }
        body
    }
}

/// The owner checkbox as the page names it: `form[owners][u<user id without hyphens>]`.
fn owner_field(id: &str) -> String {
    format!("form[owners][u{}]", id.replace('-', ""))
}

async fn create(p: &Person<'_>, form: &AppForm) -> Reply {
    p.client
        .post_raw("/api/applications/create", form.body(&[]))
        .await
}

/// Registers an application that must be accepted; returns its id.
async fn created(p: &Person<'_>, form: &AppForm) -> String {
    let r = create(p, form).await;
    assert_eq!(r.status, StatusCode::OK, "create {}: {}", form.name, r.body);
    let id: ApplicationId = serde_json::from_str(&r.body).unwrap();
    id.to_string()
}

pub(crate) async fn update(p: &Person<'_>, id: &str, form: &AppForm) -> Reply {
    p.client
        .post_raw("/api/applications/update", form.body(&[("id", id)]))
        .await
}

async fn archive(p: &Person<'_>, id: &str, archived: bool) -> Reply {
    let archived = if archived { "true" } else { "false" };
    p.client
        .post(
            "/api/applications/archive",
            &[("id", id), ("archived", archived)],
        )
        .await
}

async fn detail(p: &Person<'_>, id: &str) -> ApplicationDetail {
    p.client
        .call("/api/applications/detail", &[("id", id)])
        .await
}

async fn list(p: &Person<'_>, filter: &[(&str, &str)]) -> ApplicationList {
    let mut f: Vec<(String, String)> = filter
        .iter()
        .map(|(k, v)| match k.split_once('[') {
            Some((head, rest)) => (format!("filter[{head}][{rest}"), v.to_string()),
            None => (format!("filter[{k}]"), v.to_string()),
        })
        .collect();
    if f.is_empty() {
        // The argument is required: an unfiltered list posts an empty search.
        f.push(("filter[q]".into(), String::new()));
    }
    p.client.call("/api/applications", &refs(&f)).await
}

fn names_of(l: &ApplicationList) -> Vec<String> {
    l.rows.iter().map(|r| r.name.clone()).collect()
}

/// The declaration editor's form (`p[<population>][...]`, `bg[...]`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Decl(pub(crate) Vec<(String, String)>);

impl Decl {
    /// The paths of a role; `a+b` is one path that combines two methods.
    pub(crate) fn methods(mut self, population: &str, role: &str, paths: &[&str]) -> Self {
        for (i, path) in paths.iter().enumerate() {
            for (f, k) in path.split('+').enumerate() {
                self.0
                    .push((format!("p[{population}][{role}][{i}][{f}]"), k.to_string()));
            }
        }
        self
    }

    pub(crate) fn set(mut self, population: &str, part: &str, value: &str) -> Self {
        self.0
            .push((format!("p[{population}][{part}]"), value.to_string()));
        self
    }

    /// Drops the fields whose name starts with `prefix` (to replace them).
    pub(crate) fn without(mut self, prefix: &str) -> Self {
        self.0.retain(|(k, _)| !k.starts_with(prefix));
        self
    }

    /// A complete journey for one population.
    pub(crate) fn full(self, population: &str) -> Self {
        self.methods(population, "enrolment", &["temporary_access_pass"])
            .methods(population, "primary", &["platform_passkey", "security_key"])
            .methods(population, "fallback", &["security_key"])
            .methods(population, "recovery", &["helpdesk_proofing"])
            .methods(population, "step_up", &["security_key"])
            .methods(population, "device_replacement", &["temporary_access_pass"])
            .set(population, "offboarding", "automatic")
            .set(population, "max_session_minutes", "600")
            .set(population, "idle_timeout_minutes", "30")
            .set(population, "reauth_sensitive", "on")
            .set(population, "platforms][windows", "10")
            .set(population, "managed_required", "on")
    }
}

pub(crate) async fn save(p: &Person<'_>, id: &str, intent: &str, d: &Decl) -> Reply {
    let mut f = vec![
        ("id".to_string(), id.to_string()),
        ("intent".to_string(), intent.to_string()),
    ];
    f.extend(d.0.iter().cloned());
    p.client.post("/api/declarations/save", &refs(&f)).await
}

/// Submits a declaration that must be accepted; returns the new version number.
pub(crate) async fn submitted(p: &Person<'_>, id: &str, d: &Decl) -> i32 {
    let r = save(p, id, "submit", d).await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
    let n: Option<i32> = serde_json::from_str(&r.body).unwrap();
    n.expect("a version number")
}

async fn show(p: &Person<'_>, id: &str, query: &[(&str, &str)]) -> DeclarationShown {
    let mut f = vec![("id", id)];
    f.extend_from_slice(query);
    p.client.call("/api/declarations/show", &f).await
}

pub(crate) async fn editor(p: &Person<'_>, id: &str) -> DeclarationEditor {
    p.client
        .call("/api/declarations/editor", &[("id", id)])
        .await
}

fn refused(r: &Reply, status: StatusCode, field: &str) -> AppError {
    assert_eq!(r.status, status, "{}", r.body);
    let e = error_of(r);
    assert_eq!(e.field(), Some(field), "{e:?}");
    e
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

/// One-method paths.
fn paths(keys: &[&str]) -> Vec<Path> {
    keys.iter().map(|k| Path::single(*k)).collect()
}

// ---------------------------------------------------------------------------------------------
// The state, read straight from the database.

async fn application_count(w: &World) -> u64 {
    application::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap()
}

async fn audit_count(w: &World) -> u64 {
    audit_event::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap()
}

/// The audit events other than drafts saved (a refused declaration keeps what was typed as the
/// draft).
async fn audit_count_but_drafts(w: &World) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.ne("declaration.draft_saved"))
        .count(w.state.db.conn())
        .await
        .unwrap()
}

/// The audit events about one application.
async fn events_about(w: &World, id: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::SubjectId.eq(id))
        .order_by_asc(audit_event::Column::Seq)
        .all(w.state.db.conn())
        .await
        .unwrap()
}

async fn versions_of(w: &World, id: &str) -> Vec<declaration_version::Model> {
    declaration_version::Entity::find()
        .filter(declaration_version::Column::ApplicationId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .order_by_asc(declaration_version::Column::Version)
        .all(w.state.db.conn())
        .await
        .unwrap()
}

async fn draft_of(w: &World, id: &str) -> Option<declaration_draft::Model> {
    declaration_draft::Entity::find_by_id(ApplicationId(uuid::Uuid::parse_str(id).unwrap()))
        .one(w.state.db.conn())
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The organisation.

pub(crate) struct Org<'w> {
    pub(crate) admin: Person<'w>,
    /// Owns Payroll.
    pub(crate) alice: Person<'w>,
    /// Owns CRM.
    pub(crate) bob: Person<'w>,
    /// Security.
    pub(crate) carol: Person<'w>,
    /// The auditor.
    pub(crate) dave: Person<'w>,
    /// Owns the Central IdP.
    pub(crate) irene: Person<'w>,
    pub(crate) payroll: String,
    pub(crate) crm: String,
    pub(crate) idp: String,
}

pub(crate) async fn org(w: &World) -> Org<'_> {
    let admin = first_admin(w, "ada").await;
    let alice = invited(&admin, "alice", &["owner"]).await;
    let bob = invited(&admin, "bob", &["owner"]).await;
    let carol = invited(&admin, "carol", &["security"]).await;
    let dave = invited(&admin, "dave", &["auditor"]).await;
    let irene = invited(&admin, "irene", &["owner"]).await;
    let payroll = created(
        &alice,
        &AppForm::new("Payroll", &[&alice])
            .describe("Pays people every month.")
            .criticality("high")
            .populations(&["office_employees", "contractors"]),
    )
    .await;
    let crm = created(
        &bob,
        &AppForm::new("CRM", &[&bob]).describe("Customer relationships."),
    )
    .await;
    let idp = created(
        &carol,
        &AppForm::new("Central IdP", &[&irene])
            .describe("Single sign-on for the company.")
            .criticality("critical")
            .identity_provider(),
    )
    .await;
    Org {
        admin,
        alice,
        bob,
        carol,
        dave,
        irene,
        payroll,
        crm,
        idp,
    }
}

fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Who may touch what.

async fn owner_cannot_touch_another_owners_application(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let crm_before = detail(&o.bob, &o.crm).await;
    assert!(crm_before.can_edit, "bob edits his own application");
    assert!(
        !detail(&o.alice, &o.crm).await.can_edit,
        "alice sees CRM but may not edit it"
    );
    let audit_before = audit_count(&w).await;
    let hijack = AppForm::new("CRM (alice's now)", &[&o.alice]);
    let decl = Decl::default().full("office_employees");

    let attempts = vec![
        ("update", update(&o.alice, &o.crm, &hijack).await),
        ("archive", archive(&o.alice, &o.crm, true).await),
        ("save", save(&o.alice, &o.crm, "save", &decl).await),
        ("submit", save(&o.alice, &o.crm, "submit", &decl).await),
        (
            "discard",
            o.alice
                .client
                .post("/api/declarations/discard", &[("id", o.crm.as_str())])
                .await,
        ),
        (
            "editor",
            o.alice
                .client
                .post("/api/declarations/editor", &[("id", o.crm.as_str())])
                .await,
        ),
        (
            "form",
            o.alice
                .client
                .post("/api/applications/form", &[("id", o.crm.as_str())])
                .await,
        ),
    ];
    for (what, r) in attempts {
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "alice {what} CRM: {}",
            r.body
        );
        assert_eq!(error_of(&r), AppError::Forbidden, "alice {what} CRM");
    }
    assert_eq!(detail(&o.bob, &o.crm).await, crm_before, "CRM is unchanged");
    assert_eq!(audit_count(&w).await, audit_before, "nothing was audited");
    let about_crm: Vec<String> = events_about(&w, &o.crm)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(about_crm, vec!["application.created"]);
    assert!(events(&w, "application.updated").await.is_empty());
    assert!(events(&w, "application.archived").await.is_empty());
    assert!(events(&w, "declaration.draft_saved").await.is_empty());
    assert!(events(&w, "declaration.submitted").await.is_empty());
    assert!(draft_of(&w, &o.crm).await.is_none());
    assert!(versions_of(&w, &o.crm).await.is_empty());

    // Ids nobody registered are simply not found, for reads and changes alike.
    let ghost = random_id();
    for r in [
        update(&o.alice, &ghost, &hijack).await,
        archive(&o.alice, &ghost, true).await,
        save(&o.alice, &ghost, "submit", &decl).await,
        o.alice
            .client
            .post("/api/applications/detail", &[("id", &ghost)])
            .await,
        o.alice
            .client
            .post("/api/declarations/show", &[("id", &ghost)])
            .await,
        o.alice
            .client
            .post("/api/declarations/editor", &[("id", &ghost)])
            .await,
        update(&o.carol, &ghost, &hijack).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(error_of(&r), AppError::NotFound);
    }

    // The auditor reads everything and changes nothing.
    assert_eq!(detail(&o.dave, &o.crm).await.name, "CRM");
    assert!(!detail(&o.dave, &o.crm).await.can_edit);
    let apps_before = application_count(&w).await;
    for r in [
        create(&o.dave, &AppForm::new("Audit tool", &[&o.bob])).await,
        update(&o.dave, &o.crm, &hijack).await,
        archive(&o.dave, &o.crm, true).await,
        save(&o.dave, &o.crm, "save", &decl).await,
        save(&o.dave, &o.crm, "submit", &decl).await,
        o.dave
            .client
            .post("/api/declarations/discard", &[("id", o.crm.as_str())])
            .await,
        o.dave
            .client
            .post("/api/declarations/editor", &[("id", o.crm.as_str())])
            .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "auditor: {}", r.body);
        assert_eq!(error_of(&r), AppError::Forbidden);
    }
    assert_eq!(application_count(&w).await, apps_before);
    assert_eq!(detail(&o.bob, &o.crm).await, crm_before);
    assert_eq!(audit_count(&w).await, audit_before);

    // Security and administrators edit every application.
    assert!(detail(&o.carol, &o.crm).await.can_edit);
    let r = update(
        &o.carol,
        &o.crm,
        &AppForm::new("CRM", &[&o.bob])
            .describe("Customer relationships, reviewed by security.")
            .criticality("high"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let crm = detail(&o.bob, &o.crm).await;
    assert_eq!(
        crm.description,
        "Customer relationships, reviewed by security."
    );
    assert_eq!(crm.criticality, Criticality::High);
    assert_eq!(crm.owners.len(), 1);
    assert_eq!(crm.owners[0].id, o.bob.user.id, "bob still owns it");
    let e = events(&w, "application.updated").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].subject_id, o.crm);
    assert!(e[0].actor.contains(&o.carol.id_string()), "{}", e[0].actor);

    assert!(detail(&o.admin, &o.crm).await.can_edit);
    assert_eq!(submitted(&o.admin, &o.crm, &decl).await, 1);
    let crm = show(&o.bob, &o.crm, &[]).await;
    assert_eq!(crm.history.len(), 1);
    assert_eq!(crm.history[0].author, "First Admin");
    assert_eq!(crm.history[0].author_id, Some(o.admin.user.id));
    assert_eq!(
        editor(&o.carol, &o.crm).await.origin,
        DraftOrigin::LatestVersion(1)
    );
}
on_each_backend!(
    owner_cannot_touch_another_owners_application_on_each_backend,
    owner_cannot_touch_another_owners_application
);

// ---------------------------------------------------------------------------------------------
// 2. Owners.

async fn owner_registers_and_is_always_owner(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let owner_ids =
        |d: &ApplicationDetail| -> BTreeSet<UserId> { d.owners.iter().map(|p| p.id).collect() };

    // An owner ticking nobody, or only someone else, still owns what they register.
    let expenses = created(&o.alice, &AppForm::new("Expenses", &[])).await;
    let d = detail(&o.alice, &expenses).await;
    assert_eq!(owner_ids(&d), BTreeSet::from([o.alice.user.id]));
    assert!(d.can_edit);
    let shared = created(&o.alice, &AppForm::new("Shared drive", &[&o.bob])).await;
    assert_eq!(
        owner_ids(&detail(&o.alice, &shared).await),
        BTreeSet::from([o.alice.user.id, o.bob.user.id])
    );
    let e = events(&w, "application.created").await;
    let last = after(e.last().unwrap());
    assert_eq!(last["name"], "Shared drive");
    assert_eq!(last["owners"].as_array().unwrap().len(), 2);

    // Security registers applications for others, without becoming an owner.
    let risk = created(&o.carol, &AppForm::new("Risk register", &[&o.bob])).await;
    let d = detail(&o.carol, &risk).await;
    assert_eq!(owner_ids(&d), BTreeSet::from([o.bob.user.id]));
    assert!(d.can_edit, "security edits it anyway");
    assert!(detail(&o.bob, &risk).await.can_edit, "bob owns it");
    assert!(!detail(&o.alice, &risk).await.can_edit);

    let apps = application_count(&w).await;
    let audit = audit_count(&w).await;
    // Someone has to own it.
    let r = create(&o.carol, &AppForm::new("Orphan", &[])).await;
    refused(&r, StatusCode::BAD_REQUEST, "owners");
    let r = create(&o.admin, &AppForm::new("Orphan", &[])).await;
    refused(&r, StatusCode::BAD_REQUEST, "owners");
    // Owners hold the owner role: not security, not the auditor.
    let r = create(&o.carol, &AppForm::new("Security tool", &[&o.carol])).await;
    refused(&r, StatusCode::BAD_REQUEST, "owners");
    let r = create(&o.alice, &AppForm::new("Audit tool", &[&o.alice, &o.dave])).await;
    refused(&r, StatusCode::BAD_REQUEST, "owners");
    // Nor can owners be dropped to nobody on an edit.
    let r = update(&o.carol, &o.crm, &AppForm::new("CRM", &[])).await;
    refused(&r, StatusCode::BAD_REQUEST, "owners");
    assert_eq!(application_count(&w).await, apps, "nothing registered");
    assert_eq!(audit_count(&w).await, audit, "nothing audited");
    assert_eq!(
        owner_ids(&detail(&o.bob, &o.crm).await),
        BTreeSet::from([o.bob.user.id])
    );

    // On an edit the form says exactly who owns it: an owner may hand over to another owner.
    let r = update(&o.alice, &shared, &AppForm::new("Shared drive", &[&o.bob])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        owner_ids(&detail(&o.bob, &shared).await),
        BTreeSet::from([o.bob.user.id])
    );
    assert!(
        !detail(&o.alice, &shared).await.can_edit,
        "alice handed it over"
    );
}
on_each_backend!(
    owner_registers_and_is_always_owner_on_each_backend,
    owner_registers_and_is_always_owner
);

// ---------------------------------------------------------------------------------------------
// 3. Names.

async fn names_are_unique_regardless_of_case(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let apps = application_count(&w).await;
    let audit = audit_count(&w).await;

    for name in ["payroll ", "PAYROLL", "  Payroll"] {
        let r = create(&o.bob, &AppForm::new(name, &[&o.bob])).await;
        let e = refused(&r, StatusCode::BAD_REQUEST, "name");
        assert!(e.to_string().contains("exists"), "{name:?}: {e}");
    }
    // Renaming another application onto the name is refused the same way.
    let r = update(&o.bob, &o.crm, &AppForm::new("pAyRoLl", &[&o.bob])).await;
    let e = refused(&r, StatusCode::BAD_REQUEST, "name");
    assert!(e.to_string().contains("exists"), "{e}");
    assert_eq!(application_count(&w).await, apps, "nothing written");
    assert_eq!(audit_count(&w).await, audit, "nothing audited");
    assert_eq!(detail(&o.bob, &o.crm).await.name, "CRM");
    let all = list(&o.bob, &[("q", "payroll")]).await;
    assert_eq!(names_of(&all), vec!["Payroll"]);

    // An application may change the case of its own name; the name is stored trimmed.
    let r = update(
        &o.alice,
        &o.payroll,
        &AppForm::new(" PayRoll ", &[&o.alice]).populations(&["office_employees", "contractors"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(detail(&o.alice, &o.payroll).await.name, "PayRoll");
    let r = create(&o.bob, &AppForm::new("payroll", &[&o.bob])).await;
    refused(&r, StatusCode::BAD_REQUEST, "name");
}
on_each_backend!(
    names_are_unique_regardless_of_case_on_each_backend,
    names_are_unique_regardless_of_case
);

// ---------------------------------------------------------------------------------------------
// 4. Bad input.

async fn bad_input_is_refused_next_to_its_field_and_changes_nothing(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let apps = application_count(&w).await;
    let audit = audit_count_but_drafts(&w).await;
    let payroll = detail(&o.alice, &o.payroll).await;

    // Declarations: an unknown method, an idle timeout longer than the session, half the session
    // rules, a bad platform version, a bad break-glass drill date.
    let base = Decl::default().full("contractors").methods(
        "office_employees",
        "fallback",
        &["security_key"],
    );
    let cases: Vec<(Decl, &str)> = vec![
        (
            base.clone()
                .methods("office_employees", "primary", &["magic_beans"]),
            "p[office_employees][primary][0][0]",
        ),
        (
            base.clone().methods(
                "office_employees",
                "primary",
                &["security_key", "security_key"],
            ),
            "p[office_employees][primary][1][0]",
        ),
        (
            base.clone()
                .methods("office_employees", "primary", &["security_key"])
                .set("office_employees", "max_session_minutes", "30")
                .set("office_employees", "idle_timeout_minutes", "60"),
            "p[office_employees][idle_timeout_minutes]",
        ),
        (
            base.clone()
                .methods("office_employees", "primary", &["security_key"])
                .set("office_employees", "idle_timeout_minutes", "60"),
            "p[office_employees][max_session_minutes]",
        ),
        (
            base.clone()
                .methods("office_employees", "primary", &["security_key"])
                .set("office_employees", "platforms][android", "=1+1"),
            "p[office_employees][platforms][android]",
        ),
        (
            base.clone()
                .methods("office_employees", "primary", &["security_key"])
                .set("office_employees", "offboarding", "never"),
            "p[office_employees][offboarding]",
        ),
    ];
    for (decl, field) in &cases {
        for intent in ["save", "submit"] {
            let r = save(&o.alice, &o.payroll, intent, decl).await;
            refused(&r, StatusCode::BAD_REQUEST, field);
        }
    }
    let mut bg = base
        .clone()
        .methods("office_employees", "primary", &["security_key"]);
    bg.0.extend([
        ("bg[accounts]".to_string(), "2".to_string()),
        ("bg[method]".into(), "security_key".into()),
        ("bg[location]".into(), "Safe in the SOC".into()),
        ("bg[last_drill]".into(), "2026-02-30".into()),
    ]);
    let r = save(&o.alice, &o.payroll, "submit", &bg).await;
    refused(&r, StatusCode::BAD_REQUEST, "bg[last_drill]");
    // Nothing is submitted; what could be read is kept as the draft, so nothing typed is lost.
    let draft = draft_of(&w, &o.payroll).await.expect("the draft kept");
    assert!(
        draft.body.to_string().contains("Safe in the SOC"),
        "{draft:?}"
    );
    assert!(versions_of(&w, &o.payroll).await.is_empty(), "no version");

    // Applications: unknown vocabulary, federation without (or through a non-) provider, a name
    // too long, control characters.
    let ok = || AppForm::new("Timesheets", &[&o.alice]);
    let mut federated_nowhere = ok();
    federated_nowhere.integration = "federated".into();
    let mut unknown_lifecycle = ok();
    unknown_lifecycle.lifecycle = "zombie".into();
    let mut unknown_population = ok();
    unknown_population.populations = vec!["martians".into()];
    let mut bad_tag = ok();
    bad_tag.tags = "=HYPERLINK()".into();
    let mut provider_not_federated = ok();
    provider_not_federated.provider = o.idp.clone();
    let cases: Vec<(AppForm, &str)> = vec![
        (ok().criticality("apocalyptic"), "criticality"),
        (unknown_lifecycle, "lifecycle"),
        (unknown_population, "populations"),
        (federated_nowhere, "provider"),
        (ok().federated_through(&o.payroll), "provider"),
        (ok().federated_through(&random_id()), "provider"),
        (ok().federated_through("not-an-id"), "provider"),
        (provider_not_federated, "provider"),
        (
            ok().federated_through(&o.idp).identity_provider(),
            "identity_provider",
        ),
        (AppForm::new(&"x".repeat(121), &[&o.alice]), "name"),
        (AppForm::new("   ", &[&o.alice]), "name"),
        (AppForm::new("Time\u{7}sheets", &[&o.alice]), "name"),
        (ok().describe("Tracks hours.\u{1b}[31m"), "description"),
        (ok().describe(&"d".repeat(2001)), "description"),
        (bad_tag, "tags"),
    ];
    for (form, field) in &cases {
        let r = create(&o.alice, form).await;
        refused(&r, StatusCode::BAD_REQUEST, field);
        let r = update(&o.alice, &o.payroll, form).await;
        refused(&r, StatusCode::BAD_REQUEST, field);
    }
    // The same on an edit: an application cannot federate through itself.
    let r = update(
        &o.carol,
        &o.idp,
        &AppForm::new("Central IdP", &[&o.irene]).federated_through(&o.idp),
    )
    .await;
    refused(&r, StatusCode::BAD_REQUEST, "provider");

    assert_eq!(application_count(&w).await, apps, "no application written");
    assert_eq!(
        audit_count_but_drafts(&w).await,
        audit,
        "nothing audited but the drafts kept"
    );
    assert_eq!(
        detail(&o.alice, &o.payroll).await,
        payroll,
        "Payroll unchanged"
    );
    assert!(
        draft_of(&w, &o.payroll).await.is_some(),
        "the draft kept stays"
    );

    // Markup in a description is kept as typed and shown as text.
    let markup = "<script>alert('owned')</script> & <b>bold</b>";
    let id = created(
        &o.alice,
        &AppForm::new("Markup test", &[&o.alice]).describe(markup),
    )
    .await;
    assert_eq!(detail(&o.bob, &id).await.description, markup);
    let page = o.bob.client.page(&format!("/applications/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Markup test"));
    assert!(
        page.body.contains("&lt;script&gt;alert("),
        "the description is escaped"
    );
    assert!(
        !page.body.contains("<script>alert("),
        "no live script from a description"
    );
    assert!(!page.body.contains("<b>bold</b>"));
}
on_each_backend!(
    bad_input_is_refused_next_to_its_field_and_changes_nothing_on_each_backend,
    bad_input_is_refused_next_to_its_field_and_changes_nothing
);

// ---------------------------------------------------------------------------------------------
// 5. Versions.

async fn submitting_makes_immutable_versions_with_history(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let both = Decl::default().full("office_employees").full("contractors");

    // A draft is not a version.
    let r = save(&o.alice, &o.payroll, "save", &both).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(serde_json::from_str::<Option<i32>>(&r.body).unwrap(), None);
    assert!(versions_of(&w, &o.payroll).await.is_empty());
    let d = show(&o.alice, &o.payroll, &[]).await;
    assert!(d.draft_saved_at.is_some(), "the page says a draft exists");
    assert!(d.history.is_empty());
    let drafts = events(&w, "declaration.draft_saved").await;
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].subject_id, o.payroll);
    assert_eq!(
        after(&drafts[0])["populations"][0]["primary"],
        serde_json::json!(["platform_passkey", "security_key"])
    );
    let e = editor(&o.alice, &o.payroll).await;
    assert_eq!(e.origin, DraftOrigin::Draft);
    assert_eq!(show(&o.alice, &o.payroll, &[]).await.version, None);

    // Submitting makes version 1 and ends the draft.
    assert_eq!(submitted(&o.alice, &o.payroll, &both).await, 1);
    assert!(draft_of(&w, &o.payroll).await.is_none());
    let d = show(&o.alice, &o.payroll, &[]).await;
    assert_eq!(d.draft_saved_at, None);
    assert_eq!(d.history.len(), 1);
    let v1 = show(&o.alice, &o.payroll, &[])
        .await
        .version
        .expect("version 1");
    assert_eq!(v1.summary.version, 1);
    let office = v1.declaration.journey("office_employees").unwrap();
    assert_eq!(office.primary, paths(&["platform_passkey", "security_key"]));
    assert_eq!(
        office.session,
        Some(SessionRules {
            max_session_minutes: 600,
            idle_timeout_minutes: 30,
            reauth_sensitive: true
        })
    );
    assert_eq!(office.offboarding, Some(Offboarding::Automatic));
    assert_eq!(v1.effective, v1.declaration, "not federated");
    let subs = events(&w, "declaration.submitted").await;
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].subject_id, o.payroll);
    let a = after(&subs[0]);
    assert_eq!(a["version"], 1);
    assert_eq!(a["application"], "Payroll");
    assert_eq!(a["sha256"], v1.summary.sha256.as_str());
    assert_eq!(
        a["declaration"],
        serde_json::to_value(&v1.declaration).unwrap(),
        "the event holds the whole declaration"
    );

    // A changed journey submitted by security becomes version 2.
    let changed = both
        .clone()
        .without("p[office_employees][fallback]")
        .methods("office_employees", "fallback", &["password+hardware_otp"]);
    assert_eq!(
        changed.0.len(),
        both.0.len() + 1,
        "one method replaced by a path of two"
    );
    assert_eq!(submitted(&o.carol, &o.payroll, &changed).await, 2);

    let d = show(&o.dave, &o.payroll, &[]).await;
    let history: Vec<(i32, &str)> = d
        .history
        .iter()
        .map(|v| (v.version, v.author.as_str()))
        .collect();
    assert_eq!(history, vec![(2, "carol"), (1, "alice")], "newest first");
    let shown = show(&o.dave, &o.payroll, &[("from", "1"), ("to", "2")]).await;
    let v2 = shown.version.expect("the latest version");
    assert_eq!(v2.summary.version, 2);
    assert_eq!(
        v2.declaration.journey("office_employees").unwrap().fallback,
        vec![Path::of(&["password", "hardware_otp"])],
        "one path that combines two methods"
    );
    let (from, to, changes) = shown.diff.expect("a diff");
    assert_eq!((from, to), (1, 2));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].what, "Office employees · Fallback");
    assert_eq!(changes[0].before, "FIDO2 security key");
    assert_eq!(changes[0].after, "Password + Hardware OTP token");
    let rows = declaration_method::Entity::find()
        .filter(declaration_method::Column::VersionId.eq(v2.summary.id))
        .filter(declaration_method::Column::Role.eq(JourneyRole::Fallback))
        .order_by_asc(declaration_method::Column::Position)
        .all(w.state.db.conn())
        .await
        .unwrap();
    let fallback: Vec<(i32, i32, &str)> = rows
        .iter()
        .filter(|r| r.population_key == "office_employees")
        .map(|r| (r.path, r.position, r.method_key.as_str()))
        .collect();
    assert_eq!(
        fallback,
        vec![(0, 0, "password"), (0, 1, "hardware_otp")],
        "the matrix rows say which methods are used together"
    );
    let old = show(&o.dave, &o.payroll, &[("version", "1")]).await;
    assert_eq!(old.version.unwrap().declaration, v1.declaration);
    let r = o
        .dave
        .client
        .post(
            "/api/declarations/show",
            &[("id", o.payroll.as_str()), ("version", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(events(&w, "declaration.submitted").await.len(), 2);

    // The database itself refuses to rewrite or remove a version.
    let stored = versions_of(&w, &o.payroll).await;
    assert_eq!(stored.len(), 2);
    let conn = w.state.db.conn();
    for sql in [
        "UPDATE declaration_version SET source = 'forged'".to_string(),
        "UPDATE declaration_version SET body = '{}' WHERE version = 1".to_string(),
        "DELETE FROM declaration_version".to_string(),
        "UPDATE declaration_method SET method_key = 'password'".to_string(),
        "DELETE FROM declaration_method".to_string(),
    ] {
        assert!(
            conn.execute_unprepared(&sql).await.is_err(),
            "{sql} was allowed"
        );
    }
    assert_eq!(versions_of(&w, &o.payroll).await, stored, "rows unchanged");
    let shown = show(&o.alice, &o.payroll, &[("version", "1")]).await;
    assert_eq!(shown.version.unwrap().declaration, v1.declaration);
}
on_each_backend!(
    submitting_makes_immutable_versions_with_history_on_each_backend,
    submitting_makes_immutable_versions_with_history
);

// ---------------------------------------------------------------------------------------------
// 6. A failed submission keeps what was typed.

async fn submit_requires_a_primary_and_keeps_the_draft(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    // Contractors get a fallback and manual offboarding, but no primary method.
    let typed = Decl::default()
        .full("office_employees")
        .methods("contractors", "fallback", &["security_key"])
        .methods("contractors", "recovery", &["helpdesk_proofing"])
        .set("contractors", "offboarding", "manual");
    let r = save(&o.alice, &o.payroll, "submit", &typed).await;
    let e = refused(&r, StatusCode::BAD_REQUEST, "p[contractors][primary][0][0]");
    assert!(e.to_string().contains("Contractors"), "{e}");
    assert!(versions_of(&w, &o.payroll).await.is_empty(), "no version");
    assert!(events(&w, "declaration.submitted").await.is_empty());
    assert_eq!(events(&w, "declaration.draft_saved").await.len(), 1);

    let ed = editor(&o.alice, &o.payroll).await;
    assert_eq!(ed.origin, DraftOrigin::Draft);
    assert!(ed.draft_saved.is_some());
    let contractors = ed.declaration.journey("contractors").unwrap();
    assert_eq!(
        contractors,
        &PopulationJourney {
            population: "contractors".into(),
            fallback: paths(&["security_key"]),
            recovery: paths(&["helpdesk_proofing"]),
            offboarding: Some(Offboarding::Manual),
            ..Default::default()
        },
        "exactly what was typed, nothing filled in"
    );
    let office = ed.declaration.journey("office_employees").unwrap();
    assert_eq!(office.primary, paths(&["platform_passkey", "security_key"]));
    assert!(
        show(&o.alice, &o.payroll, &[])
            .await
            .draft_saved_at
            .is_some()
    );

    // With a primary method the same journey is submitted, and the draft is gone.
    let complete = typed.methods("contractors", "primary", &["synced_passkey"]);
    assert_eq!(submitted(&o.alice, &o.payroll, &complete).await, 1);
    assert!(draft_of(&w, &o.payroll).await.is_none());
    let ed = editor(&o.alice, &o.payroll).await;
    assert_eq!(ed.origin, DraftOrigin::LatestVersion(1));
    assert_eq!(
        ed.declaration.journey("contractors").unwrap().primary,
        paths(&["synced_passkey"])
    );

    // A draft can also be thrown away; the version stays.
    let r = save(
        &o.alice,
        &o.payroll,
        "save",
        &Decl::default().full("contractors"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(draft_of(&w, &o.payroll).await.is_some());
    let r = o
        .alice
        .client
        .post("/api/declarations/discard", &[("id", o.payroll.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(draft_of(&w, &o.payroll).await.is_none());
    let discarded = events(&w, "declaration.draft_discarded").await;
    assert_eq!(
        discarded.len(),
        1,
        "discarding is audited as its own action"
    );
    assert!(discarded[0].actor.contains(&o.alice.id_string()));
    assert_eq!(discarded[0].after, None, "nothing is left after a discard");
    let before: serde_json::Value =
        serde_json::from_str(discarded[0].before.as_deref().unwrap()).unwrap();
    assert_eq!(before["populations"][0]["population"], "contractors");
    assert_eq!(versions_of(&w, &o.payroll).await.len(), 1);
    assert_eq!(
        editor(&o.alice, &o.payroll).await.origin,
        DraftOrigin::LatestVersion(1)
    );
}
on_each_backend!(
    submit_requires_a_primary_and_keeps_the_draft_on_each_backend,
    submit_requires_a_primary_and_keeps_the_draft
);

// ---------------------------------------------------------------------------------------------
// 7. As of a date.

/// The number of Payroll's version in force at the end of `date`, as the page asks for it.
async fn version_on(o: &Org<'_>, date: time::Date) -> Option<i32> {
    let date = date.to_string();
    let shown = show(&o.dave, &o.payroll, &[("as_of", date.as_str())]).await;
    assert_eq!(shown.as_of.as_deref(), Some(date.as_str()));
    shown.version.map(|v| v.summary.version)
}

async fn as_of_shows_the_version_in_force(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    // Sessions were established at the real time; going back in time keeps them valid.
    w.clock.advance(time::Duration::days(-20));
    let day1 = w.state.now().date();
    let v1 = Decl::default().full("office_employees").full("contractors");
    assert_eq!(submitted(&o.alice, &o.payroll, &v1).await, 1);
    w.clock.advance(time::Duration::days(9));
    let day10 = w.state.now().date();
    let v2 = Decl::default()
        .full("office_employees")
        .full("contractors")
        .without("p[contractors][step_up]")
        .methods("contractors", "step_up", &["security_key", "smart_card"]);
    assert_eq!(submitted(&o.alice, &o.payroll, &v2).await, 2);
    w.clock.advance(time::Duration::days(11));

    let day = time::Duration::days;
    assert_eq!(version_on(&o, day1 - day(1)).await, None);
    assert_eq!(version_on(&o, day1).await, Some(1));
    assert_eq!(version_on(&o, day1 + day(4)).await, Some(1));
    assert_eq!(version_on(&o, day10 - day(1)).await, Some(1));
    assert_eq!(version_on(&o, day10).await, Some(2));
    assert_eq!(version_on(&o, w.state.now().date()).await, Some(2));

    let day5 = (day1 + day(4)).to_string();
    let shown = show(&o.dave, &o.payroll, &[("as_of", day5.as_str())]).await;
    let v = shown.version.unwrap();
    assert_eq!(
        v.declaration.journey("contractors").unwrap().step_up,
        paths(&["security_key"]),
        "the content of version 1"
    );
    // Without a date: the latest.
    assert_eq!(
        show(&o.dave, &o.payroll, &[])
            .await
            .version
            .unwrap()
            .summary
            .version,
        2
    );
    let r = o
        .dave
        .client
        .post(
            "/api/declarations/show",
            &[("id", o.payroll.as_str()), ("as_of", "5 days ago")],
        )
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "as_of");
}
on_each_backend!(
    as_of_shows_the_version_in_force_on_each_backend,
    as_of_shows_the_version_in_force
);

// ---------------------------------------------------------------------------------------------
// 8. Federation.

async fn federated_application_inherits_its_provider(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let idp_journey = Decl::default().full("office_employees");
    assert_eq!(submitted(&o.irene, &o.idp, &idp_journey).await, 1);
    let idp = show(&o.irene, &o.idp, &[])
        .await
        .version
        .unwrap()
        .declaration;

    let intranet = created(
        &o.alice,
        &AppForm::new("Intranet", &[&o.alice]).federated_through(&o.idp),
    )
    .await;
    let d = detail(&o.alice, &intranet).await;
    assert_eq!(d.integration, Integration::Federated);
    assert_eq!(
        d.provider.as_ref().map(|p| p.name.as_str()),
        Some("Central IdP")
    );
    let idp_detail = detail(&o.irene, &o.idp).await;
    assert_eq!(idp_detail.dependants, 1, "counted, not listed");
    // The provider's page links to the list narrowed to it, which names it and its row's provider.
    let through = list(&o.irene, &[("provider", o.idp.as_str())]).await;
    assert_eq!(names_of(&through), ["Intranet"]);
    assert_eq!(
        through.options.provider.as_ref().map(|p| p.name.as_str()),
        Some("Central IdP")
    );
    assert_eq!(
        through.rows[0].provider.as_ref().map(|p| p.name.as_str()),
        Some("Central IdP")
    );
    let ed = editor(&o.alice, &intranet).await;
    assert!(ed.federated);
    assert_eq!(ed.provider_name.as_deref(), Some("Central IdP"));
    assert_eq!(ed.origin, DraftOrigin::Defaults);
    assert!(
        ed.declaration.populations[0].primary.is_empty(),
        "a federated application starts from nothing of its own"
    );

    // Its editor says, role by role, what the provider's journey gives.
    let editor_page = o
        .alice
        .client
        .page(&format!("/applications/{intranet}/declaration"))
        .await
        .body;
    assert_eq!(
        editor_page.matches("class=\"inherits\"").count(),
        6,
        "one per role"
    );
    assert!(
        editor_page.contains("Device-bound platform passkey → FIDO2 security key"),
        "{editor_page}"
    );

    // Before it declares anything, its page shows the journey it inherits, every entry so marked.
    let app_page = || async {
        o.dave
            .client
            .page(&format!("/applications/{intranet}"))
            .await
            .body
    };
    let page = app_page().await;
    assert!(
        page.contains("No declaration of its own has been submitted"),
        "{page}"
    );
    assert!(
        page.contains("FIDO2 security key"),
        "the provider's paths are shown"
    );
    assert!(page.contains(">inherited</span>"));
    assert!(!page.contains(">added</span>") && !page.contains(">overrides</span>"));

    // It declares only what it adds: an SMS fallback. No primary of its own is needed.
    let own = Decl::default()
        .methods("office_employees", "fallback", &["sms_otp"])
        .set("office_employees", "max_session_minutes", "60")
        .set("office_employees", "idle_timeout_minutes", "15");
    assert_eq!(submitted(&o.alice, &intranet, &own).await, 1);
    // Its page marks each entry in effect: the provider's inherited, its SMS fallback added,
    // its session rules overriding the provider's.
    let page = app_page().await;
    for word in [">inherited</span>", ">added</span>", ">overrides</span>"] {
        assert!(page.contains(word), "{word}");
    }
    assert!(
        page.contains("SMS one-time code<span class=\"badge warn origin\">added</span>"),
        "{page}"
    );
    let v = show(&o.dave, &intranet, &[]).await.version.unwrap();
    assert_eq!(v.declaration.populations.len(), 1);
    assert_eq!(
        v.declaration.populations[0],
        PopulationJourney {
            population: "office_employees".into(),
            fallback: paths(&["sms_otp"]),
            session: Some(SessionRules {
                max_session_minutes: 60,
                idle_timeout_minutes: 15,
                reauth_sensitive: false,
            }),
            ..Default::default()
        },
        "the declaration holds only its own parts"
    );
    let inherited = idp.journey("office_employees").unwrap();
    let effective = v.effective.journey("office_employees").unwrap();
    assert_eq!(effective.primary, inherited.primary);
    assert_eq!(
        effective.primary,
        paths(&["platform_passkey", "security_key"])
    );
    assert_eq!(effective.fallback, paths(&["security_key", "sms_otp"]));
    assert_eq!(effective.recovery, inherited.recovery);
    assert_eq!(
        effective.session, v.declaration.populations[0].session,
        "its own"
    );
    assert_eq!(effective.offboarding, Some(Offboarding::Automatic));
    assert_eq!(effective.devices, inherited.devices);

    // The provider's new version flows into the effective journey.
    let idp_v2 = Decl::default()
        .methods("office_employees", "primary", &["security_key"])
        .set("office_employees", "offboarding", "manual");
    assert_eq!(submitted(&o.irene, &o.idp, &idp_v2).await, 2);
    let v = show(&o.dave, &intranet, &[]).await.version.unwrap();
    let effective = v.effective.journey("office_employees").unwrap();
    assert_eq!(effective.primary, paths(&["security_key"]));
    assert_eq!(effective.fallback, paths(&["sms_otp"]));
    assert_eq!(effective.offboarding, Some(Offboarding::Manual));
    assert_eq!(
        v.summary.version, 1,
        "the application's own version is unchanged"
    );
}
on_each_backend!(
    federated_application_inherits_its_provider_on_each_backend,
    federated_application_inherits_its_provider
);

// ---------------------------------------------------------------------------------------------
// 9. The list.

const BULK: usize = 60;

fn bulk_name(i: usize) -> String {
    match i {
        0 => "Budget 100% forecast".into(),
        1 => "Budget 1000 forecast".into(),
        2 => "Ledger a_b sync".into(),
        3 => "Ledger axb sync".into(),
        _ => format!("Ledger {i:02}"),
    }
}

fn bulk_criticality(i: usize) -> Criticality {
    [
        Criticality::Low,
        Criticality::Medium,
        Criticality::High,
        Criticality::Critical,
    ][i % 4]
}

async fn list_search_filters_and_paging(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let apps: Vec<NewApplication> = (0..BULK)
        .map(|i| NewApplication {
            id: ApplicationId::new(),
            app: CheckedApplication {
                name: bulk_name(i),
                description: String::new(),
                business_unit: None,
                criticality: bulk_criticality(i),
                integration: Integration::Local,
                lifecycle: Lifecycle::Production,
                is_identity_provider: false,
                provider: None,
                owners: vec![if i % 3 == 0 {
                    o.alice.user.id
                } else {
                    o.bob.user.id
                }],
                populations: if i % 5 == 0 {
                    strings(&["partners"])
                } else {
                    strings(&["office_employees"])
                },
                tags: if i % 10 == 0 {
                    strings(&["sox"])
                } else {
                    Vec::new()
                },
            },
            archived: false,
        })
        .collect();
    insert_applications(w.state.db.conn(), &apps, w.state.now())
        .await
        .unwrap();
    // Written behind the portal's back (no audit event): remembered counts cannot know.
    w.state.remembered.forget();
    let fixture = ["Payroll", "CRM", "Central IdP"];
    let total = fixture.len() + BULK;
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    let names =
        |range: &mut dyn Iterator<Item = usize>| range.map(bulk_name).collect::<BTreeSet<String>>();

    // Search: a case-insensitive fragment of the name.
    let l = list(&o.dave, &[("q", "LEDGER 1")]).await;
    assert_eq!(set(names_of(&l)), names(&mut (10..20)));
    assert_eq!(l.total, 10);
    let l = list(&o.dave, &[("q", "  payROLL ")]).await;
    assert_eq!(names_of(&l), vec!["Payroll"]);
    // ... in which `%` and `_` are literal characters, not wildcards.
    for (q, only) in [
        ("100%", "Budget 100% forecast"),
        ("%", "Budget 100% forecast"),
        ("a_b", "Ledger a_b sync"),
        ("_", "Ledger a_b sync"),
    ] {
        let l = list(&o.dave, &[("q", q)]).await;
        assert_eq!(names_of(&l), vec![only], "q={q}");
    }
    assert_eq!(list(&o.dave, &[("q", "no such thing")]).await.total, 0);
    // Descriptions are searched too.
    let l = list(&o.dave, &[("q", "single sign-on")]).await;
    assert_eq!(names_of(&l), vec!["Central IdP"]);

    // Filters, alone and together.
    let l = list(&o.dave, &[("criticality", "low")]).await;
    assert_eq!(
        set(names_of(&l)),
        names(&mut (0..BULK).filter(|i| i % 4 == 0))
    );
    assert!(l.rows.iter().all(|r| r.criticality == Criticality::Low));
    let l = list(&o.dave, &[("population", "partners")]).await;
    assert_eq!(
        set(names_of(&l)),
        names(&mut (0..BULK).filter(|i| i % 5 == 0))
    );
    let l = list(&o.dave, &[("tag", "sox")]).await;
    assert_eq!(
        set(names_of(&l)),
        names(&mut (0..BULK).filter(|i| i % 10 == 0))
    );
    let l = list(&o.dave, &[("criticality", "critical"), ("q", "ledger")]).await;
    assert_eq!(
        set(names_of(&l)),
        names(&mut (2..BULK).filter(|i| i % 4 == 3))
    );
    let l = list(&o.alice, &[("owner", "mine")]).await;
    let mut mine = names(&mut (0..BULK).filter(|i| i % 3 == 0));
    mine.insert("Payroll".into());
    assert_eq!(set(names_of(&l)), mine);
    assert_eq!(l.total, mine.len() as u64);
    assert!(
        l.rows
            .iter()
            .all(|r| r.owners.contains(&"alice".to_string()))
    );
    let l = list(&o.dave, &[("owner", "mine")]).await;
    assert_eq!(l.total, 0, "the auditor owns nothing");

    // Paging by name (keyset): 50 a page, the rest on the next, in name order, no row twice.
    let p1 = list(&o.dave, &[]).await;
    assert_eq!(p1.total, total as u64);
    assert_eq!(p1.rows.len(), 50);
    let last_key = p1.rows.last().unwrap().name.to_lowercase();
    assert_eq!(
        p1.neighbours,
        Neighbours {
            prev: None,
            next: Some(Position::After(last_key.clone())),
        }
    );
    let p2 = list(&o.dave, &[("position[after]", &last_key)]).await;
    assert_eq!(p2.rows.len(), total - 50);
    assert_eq!(
        p2.total, total as u64,
        "the count is the filter's, on every page"
    );
    let first_key = p2.rows[0].name.to_lowercase();
    assert_eq!(
        p2.neighbours,
        Neighbours {
            prev: Some(Position::Before(first_key.clone())),
            next: None,
        }
    );
    let mut all = names_of(&p1);
    all.extend(names_of(&p2));
    let unique = set(all.clone());
    assert_eq!(unique.len(), total, "no row on both pages");
    let mut expected = names(&mut (0..BULK));
    expected.extend(fixture.iter().map(|s| s.to_string()));
    assert_eq!(unique, expected);
    // In name order (checked on names every collation orders alike).
    let ledgers: Vec<&String> = all
        .iter()
        .filter(|n| n.starts_with("Ledger ") && n[7..].chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(ledgers.len(), BULK - 4);
    assert!(ledgers.is_sorted(), "ordered by name: {ledgers:?}");
    // Back from the second page is the first page.
    let back = list(&o.dave, &[("position[before]", &first_key)]).await;
    assert_eq!(names_of(&back), names_of(&p1));
    assert_eq!(back.neighbours.prev, None);
    assert_eq!(back.neighbours.next, Some(Position::After(last_key)));
    // Past the end: nothing, no neighbours, and the count still says what matches.
    let far = list(&o.dave, &[("position[after]", "zzzz")]).await;
    assert!(far.rows.is_empty());
    assert_eq!(
        (far.neighbours.clone(), far.total),
        (Neighbours::default(), total as u64)
    );
    let one = list(&o.dave, &[("q", "payroll"), ("position[after]", "a")]).await;
    assert_eq!(names_of(&one), ["Payroll"]);
    assert_eq!(one.neighbours.prev, None, "nothing before it matches");

    // Archived applications are hidden unless asked for.
    for i in [58, 59] {
        let r = archive(&o.admin, &apps[i].id.to_string(), true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let l = list(&o.dave, &[]).await;
    assert_eq!(l.total, total as u64 - 2);
    assert!(l.rows.iter().all(|r| !r.archived));
    let l = list(&o.dave, &[("status", "archived")]).await;
    assert_eq!(set(names_of(&l)), set(vec![bulk_name(58), bulk_name(59)]));
    assert!(l.rows.iter().all(|r| r.archived));
    assert_eq!(
        list(&o.dave, &[("status", "all")]).await.total,
        total as u64
    );
    let l = list(&o.dave, &[("q", "ledger 5")]).await;
    assert_eq!(l.total, 8, "Ledger 50..57: the archived two are hidden");
    assert!(!list(&o.dave, &[]).await.can_create);
    assert!(list(&o.alice, &[]).await.can_create);
}
on_each_backend!(
    list_search_filters_and_paging_on_each_backend,
    list_search_filters_and_paging
);

// ---------------------------------------------------------------------------------------------
// 10. Archiving.

async fn archiving_makes_read_only(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let journey = Decl::default().full("office_employees").full("contractors");
    assert_eq!(submitted(&o.alice, &o.payroll, &journey).await, 1);

    let r = archive(&o.alice, &o.payroll, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = detail(&o.alice, &o.payroll).await;
    assert!(d.archived);
    assert!(!d.can_edit, "archived applications are read-only");
    let e = events(&w, "application.archived").await;
    assert_eq!(e.len(), 1);
    assert_eq!(after(&e[0])["archived"], true);

    let audit = audit_count(&w).await;
    let rename = AppForm::new("Payroll 2", &[&o.alice]);
    for r in [
        update(&o.alice, &o.payroll, &rename).await,
        update(&o.carol, &o.payroll, &rename).await,
        save(&o.alice, &o.payroll, "save", &journey).await,
        save(&o.admin, &o.payroll, "submit", &journey).await,
        o.alice
            .client
            .post("/api/declarations/editor", &[("id", o.payroll.as_str())])
            .await,
    ] {
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(matches!(error_of(&r), AppError::Conflict(m) if m.contains("archived")));
    }
    // Other owners still may not touch it, archived or not.
    assert_eq!(
        archive(&o.bob, &o.payroll, false).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(audit_count(&w).await, audit, "nothing happened");
    assert!(draft_of(&w, &o.payroll).await.is_none());
    assert_eq!(versions_of(&w, &o.payroll).await.len(), 1);
    assert_eq!(detail(&o.alice, &o.payroll).await.name, "Payroll");
    // Its history is still there to read.
    assert_eq!(
        show(&o.dave, &o.payroll, &[])
            .await
            .version
            .unwrap()
            .summary
            .version,
        1
    );
    assert!(!names_of(&list(&o.alice, &[]).await).contains(&"Payroll".to_string()));
    assert_eq!(
        names_of(&list(&o.alice, &[("status", "archived")]).await),
        vec!["Payroll"]
    );

    // Restored, it can be changed again.
    let r = archive(&o.alice, &o.payroll, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = detail(&o.alice, &o.payroll).await;
    assert!(!d.archived && d.can_edit);
    let r = update(
        &o.alice,
        &o.payroll,
        &AppForm::new("Payroll 2", &[&o.alice]).populations(&["office_employees", "contractors"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(detail(&o.alice, &o.payroll).await.name, "Payroll 2");
    assert_eq!(submitted(&o.alice, &o.payroll, &journey).await, 2);
    assert_eq!(events(&w, "application.archived").await.len(), 2);

    // An identity provider others federate through never blocks its owner (issue 13, item 11).
    let intranet = created(
        &o.alice,
        &AppForm::new("Intranet", &[&o.alice]).federated_through(&o.idp),
    )
    .await;
    // It cannot stop being an identity provider while they do (that would change what they
    // declared) ...
    let r = update(
        &o.irene,
        &o.idp,
        &AppForm::new("Central IdP", &[&o.irene]).criticality("critical"),
    )
    .await;
    refused(&r, StatusCode::BAD_REQUEST, "identity_provider");
    assert!(detail(&o.irene, &o.idp).await.is_identity_provider);
    // ... but its owner archives it: the trail names the applications federated through it, and
    // their owners are told in the same step.
    let alice_unread: u64 = o.alice.client.call("/api/notifications/unread", &[]).await;
    let r = archive(&o.irene, &o.idp, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(detail(&o.irene, &o.idp).await.archived);
    let e = events(&w, "application.archived").await;
    assert_eq!(e.len(), 3);
    assert_eq!(
        after(&e[2])["federated_through_it"],
        serde_json::json!([intranet])
    );
    let mine: app::notifications::model::NotificationPage =
        o.alice.client.call("/api/notifications", &[]).await;
    assert_eq!(mine.unread, alice_unread + 1);
    assert!(
        mine.rows[0].text.contains("archived Central IdP"),
        "{}",
        mine.rows[0].text
    );
    assert_eq!(mine.rows[0].link, format!("/applications/{}", o.idp));
    // Intranet still names it and its owner can still edit it as it is, or move it.
    let r = update(
        &o.alice,
        &intranet,
        &AppForm::new("Intranet", &[&o.alice])
            .federated_through(&o.idp)
            .describe("Still federated while we move."),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = archive(&o.alice, &intranet, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events(&w, "application.archived").await.len(), 4);
}
on_each_backend!(
    archiving_makes_read_only_on_each_backend,
    archiving_makes_read_only
);

// ---------------------------------------------------------------------------------------------
// The wire format of the page itself.

/// An active user holding the owner role, with a chosen id (a fixture).
async fn insert_owner_with_id(w: &World, id: uuid::Uuid, username: &str) {
    use app::ssr::entities::{app_user, user_role};
    use sea_orm::ActiveValue::Set;
    let now = w.state.now();
    app_user::Entity::insert(app_user::ActiveModel {
        id: Set(UserId(id)),
        username: Set(username.into()),
        display_name: Set(username.into()),
        status: Set(app::vocab::UserStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .expect("insert user");
    user_role::Entity::insert(user_role::ActiveModel {
        user_id: Set(UserId(id)),
        role: Set(app::vocab::Role::Owner),
        granted_at: Set(now),
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .expect("insert role");
}

/// The application page names owner checkboxes `form[owners][<user id>]`; ten user ids in
/// sixteen start with a digit, and choosing such an owner must work like any other.
async fn owners_whose_id_starts_with_a_digit_can_be_chosen(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    let alice = invited(&admin, "alice", &["owner"]).await;
    let olga = uuid::Uuid::parse_str("31415926-5358-4979-8323-846264338327").unwrap();
    insert_owner_with_id(&w, olga, "olga").await;
    let olga_field = owner_field(&olga.to_string());
    let fields = [
        ("form[name]", "Pension fund"),
        ("form[description]", ""),
        ("form[business_unit]", ""),
        ("form[criticality]", "high"),
        ("form[integration]", "local"),
        ("form[lifecycle]", "production"),
        ("form[provider]", ""),
        ("form[tags]", ""),
        ("form[populations][office_employees]", "on"),
        (olga_field.as_str(), "on"),
    ];
    let r = alice.client.post("/api/applications/create", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id: ApplicationId = serde_json::from_str(&r.body).unwrap();
    let d = detail(&alice, &id.to_string()).await;
    let owners: BTreeSet<UserId> = d.owners.iter().map(|p| p.id).collect();
    assert_eq!(owners, BTreeSet::from([UserId(olga), alice.user.id]));
}
on_each_backend!(
    owners_whose_id_starts_with_a_digit_can_be_chosen_on_each_backend,
    owners_whose_id_starts_with_a_digit_can_be_chosen
);

/// Something that is not an id at all is a bad request, never a server error.
async fn malformed_ids_are_a_bad_request(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    for (path, id) in [
        ("/api/applications/detail", "1"),
        ("/api/declarations/show", "../../etc"),
        ("/api/applications/archive", "x"),
    ] {
        let r = admin
            .client
            .post(path, &[("id", id), ("archived", "true")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(matches!(error_of(&r), AppError::Request(_)), "{path}");
    }
}
on_each_backend!(
    malformed_ids_are_a_bad_request_on_each_backend,
    malformed_ids_are_a_bad_request
);

/// Owners are added by user name: resolved and checked on the server, and a name that is unknown,
/// disabled or without the owner role is refused next to the field, naming them, with nothing
/// changed.
async fn owners_are_added_by_user_name(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let owner_ids =
        |d: &ApplicationDetail| -> BTreeSet<UserId> { d.owners.iter().map(|p| p.id).collect() };

    // An owner adds a colleague by user name (any case, commas or spaces).
    let payroll2 = created(
        &o.alice,
        &AppForm::new("Pensions", &[&o.alice]).add_owners(" BOB, "),
    )
    .await;
    assert_eq!(
        owner_ids(&detail(&o.alice, &payroll2).await),
        BTreeSet::from([o.alice.user.id, o.bob.user.id])
    );
    let e = events(&w, "application.created").await;
    assert_eq!(
        after(e.last().unwrap())["owners"].as_array().unwrap().len(),
        2
    );
    // Security registers for others by user name alone, without becoming an owner.
    let risk = created(&o.carol, &AppForm::new("Risk", &[]).add_owners("irene bob")).await;
    assert_eq!(
        owner_ids(&detail(&o.carol, &risk).await),
        BTreeSet::from([o.bob.user.id, o.irene.user.id])
    );

    // Unknown, without the owner role, disabled: refused on the field, naming each.
    let olga = crate::client::invited(&o.admin, "olga", &["owner"]).await;
    let r = o
        .admin
        .client
        .post(
            "/api/admin/users/status",
            &[("user", olga.id_string().as_str()), ("enabled", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let apps = application_count(&w).await;
    let audit = audit_count(&w).await;
    let before = detail(&o.alice, &payroll2).await;
    let typed = "ghost, carol dave;olga";
    for r in [
        update(
            &o.alice,
            &payroll2,
            &AppForm::new("Pensions", &[&o.alice, &o.bob]).add_owners(typed),
        )
        .await,
        create(
            &o.alice,
            &AppForm::new("Ghost town", &[&o.alice]).add_owners(typed),
        )
        .await,
    ] {
        let e = refused(&r, StatusCode::BAD_REQUEST, "add_owners");
        let message = e.to_string();
        for name in ["ghost", "carol", "dave", "olga"] {
            assert!(message.contains(name), "{name} is named: {message}");
        }
        assert!(!message.contains("bob"), "{message}");
    }
    for typed in ["<script>", "x"] {
        let r = create(
            &o.alice,
            &AppForm::new("Bad names", &[&o.alice]).add_owners(typed),
        )
        .await;
        let e = refused(&r, StatusCode::BAD_REQUEST, "add_owners");
        assert!(e.to_string().contains(typed), "{e}");
    }
    assert_eq!(application_count(&w).await, apps, "nothing registered");
    assert_eq!(audit_count(&w).await, audit, "nothing audited");
    assert_eq!(detail(&o.alice, &payroll2).await, before, "nothing changed");

    // The edit form shows the current owners, and who can no longer own.
    let r = o
        .admin
        .client
        .post(
            "/api/admin/users/status",
            &[("user", o.bob.id_string().as_str()), ("enabled", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let editable: app::registry::model::EditableApplication = o
        .alice
        .client
        .call("/api/applications/form", &[("id", payroll2.as_str())])
        .await;
    let shown: Vec<(String, bool)> = editable
        .owners
        .iter()
        .map(|c| (c.person.username.clone(), c.eligible))
        .collect();
    assert_eq!(
        shown,
        [("alice".to_string(), true), ("bob".to_string(), false)]
    );
    assert_eq!(editable.form.owners.len(), 2, "both ticked");
    // Saving with a disabled owner still ticked names them; unticking saves.
    let r = update(
        &o.alice,
        &payroll2,
        &AppForm::new("Pensions", &[&o.alice, &o.bob]),
    )
    .await;
    let e = refused(&r, StatusCode::BAD_REQUEST, "owners");
    assert!(e.to_string().contains("bob"), "{e}");
    let r = update(
        &o.alice,
        &payroll2,
        &AppForm::new("Pensions", &[&o.alice]).add_owners("irene"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        owner_ids(&detail(&o.alice, &payroll2).await),
        BTreeSet::from([o.alice.user.id, o.irene.user.id])
    );
}
on_each_backend!(
    owners_are_added_by_user_name_on_each_backend,
    owners_are_added_by_user_name
);

/// The form loads no people beyond the application's own owners: its cost does not grow with the
/// estate's people.
async fn the_application_form_does_not_load_the_estates_people(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let cost = |path: String| {
        let client = &o.alice.client;
        let w = &w;
        async move {
            let before = w.state.db.statements();
            let r = client.page(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !r.body.contains("owner0007"),
                "{path} lists no other owners"
            );
            w.state.db.statements() - before
        }
    };
    let new_small = cost("/applications/new".into()).await;
    let edit_small = cost(format!("/applications/{}/edit", o.payroll)).await;
    let now = w.state.now();
    let names: Vec<String> = (1..=300).map(|i| format!("owner{i:04}")).collect();
    let users: Vec<app::accounts::facade::NewUser<'_>> = names
        .iter()
        .map(|n| app::accounts::facade::NewUser {
            id: UserId::new(),
            username: n,
            display_name: n,
            status: app::session::model::UserStatus::Invited,
            roles: &[app::session::model::Role::Owner],
        })
        .collect();
    app::accounts::facade::insert_users(w.state.db.conn(), &users, now)
        .await
        .unwrap();
    assert_eq!(cost("/applications/new".into()).await, new_small);
    assert_eq!(
        cost(format!("/applications/{}/edit", o.payroll)).await,
        edit_small
    );
}
on_each_backend!(
    the_application_form_does_not_load_the_estates_people_on_each_backend,
    the_application_form_does_not_load_the_estates_people
);

// ---------------------------------------------------------------------------------------------
// Concurrency.

/// Two people submitting the same application's declaration at the same moment get consecutive
/// versions; neither is refused with a server error.
async fn concurrent_submissions_make_consecutive_versions(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let journey = Decl::default().full("office_employees").full("contractors");
    for round in 0..3 {
        let (a, b) = futures::join!(
            save(&o.alice, &o.payroll, "submit", &journey),
            save(&o.carol, &o.payroll, "submit", &journey),
        );
        for r in [&a, &b] {
            assert_eq!(r.status, StatusCode::OK, "round {round}: {}", r.body);
        }
        let mut got: Vec<i32> = [&a, &b]
            .iter()
            .map(|r| {
                serde_json::from_str::<Option<i32>>(&r.body)
                    .unwrap()
                    .unwrap()
            })
            .collect();
        got.sort();
        assert_eq!(got, vec![2 * round + 1, 2 * round + 2], "round {round}");
    }
    let numbers: Vec<i32> = versions_of(&w, &o.payroll)
        .await
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(numbers, (1..=6).collect::<Vec<_>>());
    assert_eq!(events(&w, "declaration.submitted").await.len(), 6);
}
on_each_backend!(
    concurrent_submissions_make_consecutive_versions_on_each_backend,
    concurrent_submissions_make_consecutive_versions
);

/// Edits of one application's facts, and first saves of its draft, at the same moment: both are
/// applied one after the other; neither is refused with a server error.
async fn concurrent_edits_of_one_application_both_apply(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    for round in 0..3 {
        let by_bob = AppForm::new("CRM", &[&o.bob]).describe(&format!("bob {round}"));
        let by_carol = AppForm::new("CRM", &[&o.bob, &o.alice]).describe(&format!("carol {round}"));
        let (a, b) = futures::join!(
            update(&o.bob, &o.crm, &by_bob),
            update(&o.carol, &o.crm, &by_carol),
        );
        for r in [&a, &b] {
            assert_eq!(r.status, StatusCode::OK, "edit round {round}: {}", r.body);
        }
        let d = detail(&o.bob, &o.crm).await;
        let expected = if d.description.starts_with("carol") {
            2
        } else {
            1
        };
        assert_eq!(
            d.owners.len(),
            expected,
            "round {round}: one edit or the other"
        );
    }
    assert_eq!(events(&w, "application.updated").await.len(), 6);

    let journey = Decl::default().full("office_employees");
    for round in 0..3 {
        let (a, b) = futures::join!(
            save(&o.bob, &o.crm, "save", &journey),
            save(&o.carol, &o.crm, "save", &journey),
        );
        for r in [&a, &b] {
            assert_eq!(r.status, StatusCode::OK, "draft round {round}: {}", r.body);
        }
        assert!(draft_of(&w, &o.crm).await.is_some());
        let r = o
            .bob
            .client
            .post("/api/declarations/discard", &[("id", o.crm.as_str())])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Two saves and a discard per round, each audited as what it was.
    assert_eq!(events(&w, "declaration.draft_saved").await.len(), 6);
    let discards = events(&w, "declaration.draft_discarded").await;
    assert_eq!(discards.len(), 3);
    assert!(discards.iter().all(|e| e.subject_id == o.crm));
}
on_each_backend!(
    concurrent_edits_of_one_application_both_apply_on_each_backend,
    concurrent_edits_of_one_application_both_apply
);

// ---------------------------------------------------------------------------------------------
// The list at estate scale.

/// The applications list's addresses measured (searches, every filter, deep pages both ways),
/// and whether the page shows applications (at both sizes, so both cost the same statements).
const LIST_PAGES: &[(&str, bool)] = &[
    ("", true),
    ("q=a", true),
    ("q=no%20such%20application", false),
    ("criticality=high", true),
    ("integration=federated&lifecycle=production", true),
    ("population=contractors", true),
    ("tag=sox", true),
    ("owner=mine", false),
    ("status=all&criticality=critical&q=e", true),
    ("after=m", true),
    ("before=m", true),
    ("sort=criticality", true),
    ("sort=lifecycle&after=2m", true),
];

/// SQL statements of each measured page of the list, asked twice: the first time the filter is
/// counted, the second time the count is remembered (nothing changed in between).
async fn list_statements(w: &World, admin: &Person<'_>) -> Vec<(u64, u64)> {
    let mut counts = Vec::new();
    for (query, shows_rows) in LIST_PAGES {
        let path = format!("/applications?{query}");
        let mut twice = [0; 2];
        for n in &mut twice {
            let before = w.state.db.statements();
            let r = admin.client.page(&path).await;
            *n = w.state.db.statements() - before;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(r.body.contains("<table"), *shows_rows, "{path}");
        }
        counts.push((twice[0], twice[1]));
    }
    counts
}

/// The first 50 active applications' name keys with `field` = `value`, straight from the tables.
async fn expected_first_page(w: &World, field: &str, value: &str) -> Vec<String> {
    use app::ssr::entities::{application_population, application_tag};
    let db = w.state.db.conn();
    let ids: BTreeSet<ApplicationId> = match field {
        "population" => application_population::Entity::find()
            .filter(application_population::Column::PopulationKey.eq(value))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.application_id)
            .collect(),
        "tag" => application_tag::Entity::find()
            .filter(application_tag::Column::Tag.eq(value))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.application_id)
            .collect(),
        _ => application::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.name_key.contains(value) || a.description.to_lowercase().contains(value))
            .map(|a| a.id)
            .collect(),
    };
    let mut keys: Vec<String> = application::Entity::find()
        .filter(application::Column::Archived.eq(false))
        .order_by_asc(application::Column::NameKey)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| ids.contains(&a.id))
        .map(|a| a.name_key)
        .collect();
    keys.truncate(50);
    keys
}

/// A generated estate of `apps` applications, with its administrator.
pub(crate) async fn estate(db: &TestDb, apps: usize) -> World {
    let w = World::new(db).await;
    app::transfer::ssr::generate_estate(&w.state, apps, 11)
        .await
        .expect("generate");
    w
}

async fn a_page_of_applications_costs_the_same_statements_at_50_and_2000(db: &TestDb) {
    let small_db = if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    };
    let small = estate(&small_db, 50).await;
    let large = estate(db, 2000).await;
    let a = first_admin(&small, "margaret").await;
    let b = first_admin(&large, "margaret").await;
    let at_50 = list_statements(&small, &a).await;
    let at_2000 = list_statements(&large, &b).await;
    eprintln!(
        "statements (counted, remembered) at 50 and 2,000 applications: {at_50:?} {at_2000:?}"
    );
    assert_eq!(
        at_50, at_2000,
        "the same statements whatever the estate's size"
    );
    // Walking the names (many match) finds the page the tables say (collecting the few is
    // checked on small estates above).
    for (field, value) in [("population", "office_employees"), ("q", "a")] {
        let walked = list(&b, &[(field, value)]).await;
        let expected = expected_first_page(&large, field, value).await;
        assert_eq!(
            walked
                .rows
                .iter()
                .map(|r| r.name.to_lowercase())
                .collect::<Vec<_>>(),
            expected,
            "{field}={value}"
        );
        assert!(
            walked.total * 50 >= 2_000,
            "{field}={value} matches many: the walk is measured"
        );
    }
    // The first address is the first to count (its filter and the estate) and the first the
    // session keeps (for the breadcrumb back to the list); asked again, both counts are
    // remembered and the address is kept already.
    let (counted, remembered) = at_2000[0];
    assert_eq!(
        counted,
        remembered + 3,
        "a remembered count is not counted again"
    );
    for (first, again) in &at_2000 {
        assert!(
            // 14 (the providers' names of the page's rows among them), the session keeping a
            // new address, and the header's count of unread notifications.
            again <= first && *first <= 16,
            "a page costs few statements: {at_2000:?}"
        );
    }
    small_db.cleanup().await;
}
on_each_backend!(
    a_page_of_applications_costs_the_same_statements_at_50_and_2000_on_each_backend,
    a_page_of_applications_costs_the_same_statements_at_50_and_2000
);

async fn remembered_counts_follow_every_change(db: &TestDb) {
    let w = estate(db, 120).await;
    // The generator left the planner statistics of the tables it filled (on PostgreSQL without
    // waiting for autovacuum).
    let backend = w.state.db.conn().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'application'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM pg_stat_user_tables WHERE relname = 'application' \
             AND last_analyze IS NOT NULL"
        }
    };
    let analysed = w
        .state
        .db
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(backend, sql))
        .await
        .expect("statistics exist")
        .expect("a row");
    assert!(analysed.try_get::<i64>("", "n").unwrap() > 0);
    let admin = first_admin(&w, "margaret").await;
    assert_eq!(list(&admin, &[("status", "all")]).await.total, 120);
    let active = list(&admin, &[]).await;
    let archived = list(&admin, &[("status", "archived")]).await.total;
    assert_eq!(active.total + archived, 120);
    let critical = list(&admin, &[("criticality", "critical")]).await.total;
    let victim = active.rows[0].id.to_string();
    let r = archive(&admin, &victim, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        list(&admin, &[]).await.total,
        active.total - 1,
        "archiving is counted"
    );
    assert_eq!(
        list(&admin, &[("status", "archived")]).await.total,
        archived + 1
    );
    let r = archive(&admin, &victim, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        list(&admin, &[]).await.total,
        active.total,
        "restoring is counted"
    );
    assert_eq!(
        list(&admin, &[("criticality", "critical")]).await.total,
        critical
    );
    // A walk of every page, forwards by `next`, meets every application once, in order.
    let mut seen = Vec::new();
    let mut next: Option<Position> = Some(Position::First);
    while let Some(position) = next {
        let field = match &position {
            Position::After(k) => vec![("position[after]", k.as_str())],
            _ => vec![],
        };
        let page = list(&admin, &field).await;
        assert_eq!(page.total, active.total);
        seen.extend(page.rows.iter().map(|r| r.name.to_lowercase()));
        next = page.neighbours.next;
    }
    assert_eq!(seen.len() as u64, active.total);
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no application twice");
}
on_each_backend!(
    remembered_counts_follow_every_change_on_each_backend,
    remembered_counts_follow_every_change
);

async fn unread(p: &Person<'_>) -> u64 {
    p.client.call("/api/notifications/unread", &[]).await
}

async fn newest(p: &Person<'_>) -> app::notifications::model::NotificationView {
    let page: app::notifications::model::NotificationPage =
        p.client.call("/api/notifications", &[]).await;
    page.rows.into_iter().next().expect("a notification")
}

/// Someone made an owner of an application by another person is told, in the change's step; the
/// change's event lists the owners before and after (issue 13, item 11).
async fn a_new_co_owner_is_told(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let (alice0, bob0) = (unread(&o.alice).await, unread(&o.bob).await);

    // Each step a second later, so "newest" is well defined with the frozen clock.
    w.clock.advance(time::Duration::seconds(1));
    // Alice registers an application naming bob: bob is told, alice (who did it) is not.
    let shared = created(&o.alice, &AppForm::new("Shared drive", &[&o.alice, &o.bob])).await;
    assert_eq!(unread(&o.bob).await, bob0 + 1);
    let n = newest(&o.bob).await;
    assert!(
        n.text.contains("made you an owner of Shared drive"),
        "{}",
        n.text
    );
    assert_eq!(n.link, format!("/applications/{shared}"));
    assert_eq!(unread(&o.alice).await, alice0);

    // Adding irene on an edit tells irene only; bob, an owner already, is not told again.
    let irene0 = unread(&o.irene).await;
    w.clock.advance(time::Duration::seconds(1));
    let r = update(
        &o.alice,
        &shared,
        &AppForm::new("Shared drive", &[&o.alice, &o.bob, &o.irene]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(unread(&o.irene).await, irene0 + 1);
    assert!(newest(&o.irene).await.text.contains("Shared drive"));
    assert_eq!(unread(&o.bob).await, bob0 + 1);
    let e = events(&w, "application.updated").await;
    let last = e.last().unwrap();
    let before: serde_json::Value = serde_json::from_str(last.before.as_deref().unwrap()).unwrap();
    assert_eq!(before["owners"].as_array().unwrap().len(), 2);
    assert_eq!(after(last)["owners"].as_array().unwrap().len(), 3);
}
on_each_backend!(
    a_new_co_owner_is_told_on_each_backend,
    a_new_co_owner_is_told
);

/// The breadcrumb back to the applications list goes to the list as it was left (its filters
/// and page), however many pages were seen since; a cleared list is remembered as cleared.
async fn the_breadcrumb_goes_back_to_the_list_as_it_was_left(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let client = &o.alice.client;
    let crumb = |html: &str| -> String {
        let at = html.find("class=\"crumbs\"").expect("a breadcrumb");
        let rest = &html[at..];
        let href = rest.split("href=\"").nth(1).expect("a link");
        href[..href.find('"').unwrap()].replace("&amp;", "&")
    };
    let list = client
        .page("/applications?criticality=high&lifecycle=production")
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let app = client.page(&format!("/applications/{}", o.payroll)).await;
    assert_eq!(
        crumb(&app.body),
        "/applications?criticality=high&lifecycle=production"
    );
    // Still after another page (the editor), and on it.
    let editor = client
        .page(&format!("/applications/{}/declaration", o.payroll))
        .await;
    assert_eq!(
        crumb(&editor.body),
        "/applications?criticality=high&lifecycle=production"
    );
    // Cleared, the list is remembered cleared.
    assert_eq!(client.page("/applications").await.status, StatusCode::OK);
    let app = client.page(&format!("/applications/{}", o.payroll)).await;
    assert_eq!(crumb(&app.body), "/applications");
}
on_each_backend!(
    the_breadcrumb_goes_back_to_the_list_as_it_was_left_on_each_backend,
    the_breadcrumb_goes_back_to_the_list_as_it_was_left
);

/// The list in another order than by name: criticality, highest first, then by name, paged
/// forwards and back through a 120-application estate without a row lost or repeated.
async fn the_list_orders_by_criticality_and_pages_through_it(db: &TestDb) {
    let w = estate(db, 120).await;
    let admin = first_admin(&w, "margaret").await;
    let mut expected: Vec<(u8, String)> = application::Entity::find()
        .filter(application::Column::Archived.eq(false))
        .all(w.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            let rank = Criticality::ALL
                .iter()
                .rev()
                .position(|c| *c == a.criticality)
                .unwrap();
            (rank as u8, a.name)
        })
        .collect();
    expected.sort_by_key(|x| (x.0, x.1.to_lowercase()));
    let names = |e: &[(u8, String)]| e.iter().map(|x| x.1.clone()).collect::<Vec<_>>();

    let mut pages = Vec::new();
    let mut position: Option<Position> = None;
    loop {
        let mut f = vec![("sort", "criticality".to_string())];
        match &position {
            Some(Position::After(k)) => f.push(("position[after]", k.clone())),
            Some(Position::Before(k)) => f.push(("position[before]", k.clone())),
            _ => {}
        }
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = list(&admin, &refs).await;
        assert_eq!(page.total, expected.len() as u64);
        pages.push(page.clone());
        match page.neighbours.next {
            Some(next) => position = Some(next),
            None => break,
        }
    }
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let walked: Vec<String> = pages.iter().flat_map(names_of).collect();
    assert_eq!(walked, names(&expected), "every row once, in order");
    // Back from the last page: the one before it, as it was.
    let last = pages.last().unwrap();
    let Some(Position::Before(k)) = last.neighbours.prev.clone() else {
        panic!("the last page has a previous one")
    };
    let back = list(
        &admin,
        &[("sort", "criticality"), ("position[before]", k.as_str())],
    )
    .await;
    assert_eq!(names_of(&back), names_of(&pages[pages.len() - 2]));
}
on_each_backend!(
    the_list_orders_by_criticality_and_pages_through_it_on_each_backend,
    the_list_orders_by_criticality_and_pages_through_it
);
