//! Every form of the portal, refused as a browser without JavaScript posts it: the browser comes
//! back to the form's page, which shows what was typed (not what is saved), lists every problem
//! with a link to its field, and marks each field (`aria-invalid`, `aria-describedby`). Shown
//! once: the next visit is a fresh form. (The exception request and decision forms are tested
//! with the exceptions, the new-webhook form with the webhooks.)

use crate::client::passkeys_of;
use crate::on_each_backend;
use crate::registry::{AppForm, Decl, org};
use crate::support::{TestDb, World};
use app::policy::model::{PolicyForm, PolicyShown};
use app::ssr::entities::{declaration_draft, declaration_version};
use sea_orm::{EntityTrait, PaginatorTrait};

/// The tag of the element with id `id` (`<input id="…" …>`), for looking at its attributes.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let start = html[..at].rfind('<').expect("a tag");
    let end = at + html[at..].find('>').expect("a tag's end");
    &html[start..=end]
}

/// Whether the field with id `id` is marked invalid and described by its message, which the
/// page shows.
fn marked(html: &str, id: &str) -> bool {
    let t = tag(html, id);
    t.contains("aria-invalid=\"true\"")
        && t.contains(&format!("aria-describedby=\"{id}-error\""))
        && html.contains(&format!("id=\"{id}-error\""))
}

/// The value of the option selected in the select with id `id` (empty when none is).
fn selected(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no select with id {id}"));
    let end = start + html[start..].find("</select>").expect("the select's end");
    html[start..end]
        .split("<option")
        .find(|o| o[..o.find('>').unwrap_or(o.len())].contains("selected"))
        .and_then(|o| o.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// The tag holding `attribute` (`aria-label="…"`), for looking at its other attributes.
fn tag_with<'a>(html: &'a str, attribute: &str) -> &'a str {
    let at = html
        .find(attribute)
        .unwrap_or_else(|| panic!("no element with {attribute}"));
    let start = html[..at].rfind('<').expect("a tag");
    let end = at + html[at..].find('>').expect("a tag's end");
    &html[start..=end]
}

/// The links of the list of problems at the top of the page.
fn listed(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"form-problems\"") else {
        return Vec::new();
    };
    let end = start + html[start..].find("</ul>").expect("the list's end");
    html[start..end]
        .split("href=\"#")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

async fn an_application_form_refused_comes_back_as_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;

    // Registering: no name and federated without a provider; everything else as typed.
    let form = AppForm::new("", &[&o.alice])
        .describe("Typed description of the new service.")
        .criticality("critical")
        .populations(&["contractors"])
        .tagged("sox, typed-tag")
        .federated_through("");
    let html = o
        .alice
        .client
        .refused_form(
            "/api/applications/create",
            form.body(&[]),
            "/applications/new",
        )
        .await;
    assert_eq!(listed(&html), ["name", "provider"], "every problem, once");
    assert!(marked(&html, "name") && marked(&html, "provider"), "{html}");
    assert!(html.contains(">Typed description of the new service.</textarea>"));
    assert!(tag(&html, "tags").contains("value=\"sox, typed-tag\""));
    assert!(tag(&html, "app-int-federated").contains("checked"));
    assert!(tag(&html, "app-pop-contractors").contains("checked"));
    assert!(
        !tag(&html, "app-pop-office_employees").contains("checked"),
        "the page's default is not ticked again: the person unticked it"
    );
    assert_eq!(selected(&html, "criticality"), "critical");
    let fresh = o.alice.client.page("/applications/new").await.body;
    assert!(!fresh.contains("Typed description") && !fresh.contains("aria-invalid"));

    // Editing: a refused change shows the change, not the saved facts.
    let edit = format!("/applications/{}/edit", o.crm);
    let form = AppForm::new("", &[&o.bob]).describe("A changed description.");
    let html = o
        .bob
        .client
        .refused_form(
            "/api/applications/update",
            form.body(&[("id", &o.crm)]),
            &edit,
        )
        .await;
    assert!(marked(&html, "name"), "{html}");
    assert!(html.contains(">A changed description.</textarea>"));
    assert!(
        !html.contains("Customer relationships."),
        "not the saved one"
    );

    // Text in a text area stays text, whether typed or saved: a `</textarea>` ends nothing.
    let markup = r#"Ends here </textarea><b id="injected">bold</b> & more"#;
    let r = crate::registry::update(
        &o.bob,
        &o.crm,
        &AppForm::new("CRM", &[&o.bob]).describe(markup),
    )
    .await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    for html in [
        o.bob.client.page(&edit).await.body,
        o.bob
            .client
            .refused_form(
                "/api/applications/update",
                AppForm::new("", &[&o.bob])
                    .describe(markup)
                    .body(&[("id", &o.crm)]),
                &edit,
            )
            .await,
    ] {
        assert!(!html.contains(r#"<b id="injected">"#), "{html}");
        assert!(html.contains(
            "Ends here &lt;/textarea&gt;&lt;b id=&quot;injected&quot;&gt;bold&lt;/b&gt; &amp; more</textarea>"
        ));
    }
}
on_each_backend!(
    an_application_form_refused_comes_back_as_typed_on_each_backend,
    an_application_form_refused_comes_back_as_typed
);

async fn a_refused_declaration_comes_back_as_typed_and_is_kept_as_the_draft(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let editor = format!("/applications/{}/declaration", o.payroll);
    // Two mistakes (an idle timeout longer than the session, no number of break-glass accounts)
    // among changes to the fallback, the session and an OS version; contractors left empty.
    let decl = Decl::default()
        .full("office_employees")
        .without("p[office_employees][fallback]")
        .without("p[office_employees][max_session_minutes]")
        .without("p[office_employees][idle_timeout_minutes]")
        .without("p[office_employees][platforms]")
        .methods(
            "office_employees",
            "fallback",
            &["password+totp_app", "smart_card"],
        )
        .set("office_employees", "max_session_minutes", "60")
        .set("office_employees", "idle_timeout_minutes", "120")
        .set("office_employees", "platforms][macos", "14.4");
    let mut fields = vec![
        ("id".to_string(), o.payroll.clone()),
        ("intent".to_string(), "submit".to_string()),
    ];
    fields.extend(decl.0.iter().cloned());
    fields.extend([
        ("bg[accounts]".to_string(), String::new()),
        ("bg[method]".to_string(), "security_key".to_string()),
        (
            "bg[location]".to_string(),
            "Sealed envelope in the HQ safe".to_string(),
        ),
        ("bg[last_drill]".to_string(), String::new()),
    ]);
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let html = o
        .alice
        .client
        .refused_form("/api/declarations/save", body, &editor)
        .await;

    let problems = listed(&html);
    for expected in [
        "p-office_employees-idle_timeout_minutes",
        "bg-accounts",
        "p-contractors-primary-0-0",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected}: {problems:?}"
        );
        assert!(marked(&html, expected), "{expected}: {html}");
    }
    assert_eq!(problems.len(), 3, "{problems:?}");
    // Every change is there as typed, the mistakes included.
    let value = |id: &str| tag(&html, id).to_string();
    assert!(value("p-office_employees-max_session_minutes").contains("value=\"60\""));
    assert!(value("p-office_employees-idle_timeout_minutes").contains("value=\"120\""));
    assert!(value("p-office_employees-platforms-macos").contains("value=\"14.4\""));
    assert!(!value("p-office_employees-platforms-windows").contains("value=\"10\""));
    assert!(value("bg-location").contains("value=\"Sealed envelope in the HQ safe\""));
    let selected = |id: &str| selected(&html, id);
    assert_eq!(selected("p-office_employees-fallback-0-0"), "password");
    assert_eq!(selected("p-office_employees-fallback-0-1"), "totp_app");
    assert_eq!(selected("p-office_employees-fallback-1-0"), "smart_card");
    assert_eq!(selected("bg-method"), "security_key");

    // Nothing was submitted; what could be read was kept as the draft.
    let db = w.state.db.conn();
    assert_eq!(
        declaration_version::Entity::find().count(db).await.unwrap(),
        0
    );
    let drafts = declaration_draft::Entity::find().all(db).await.unwrap();
    assert_eq!(drafts.len(), 1);
    let draft = drafts[0].body.to_string();
    for kept in [
        "smart_card",
        "totp_app",
        "Sealed envelope in the HQ safe",
        "14.4",
    ] {
        assert!(draft.contains(kept), "{kept}: {draft}");
    }

    // Shown once: the editor then opens the draft.
    let again = o.alice.client.page(&editor).await.body;
    assert!(!again.contains("aria-invalid"));
    assert!(again.contains("Editing the draft saved"));
    assert!(tag(&again, "bg-location").contains("value=\"Sealed envelope in the HQ safe\""));
}
on_each_backend!(
    a_refused_declaration_comes_back_as_typed_and_is_kept_as_the_draft_on_each_backend,
    a_refused_declaration_comes_back_as_typed_and_is_kept_as_the_draft
);

async fn catalogue_forms_refused_come_back_as_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let admin = &o.admin.client;

    // A method: no name and a rank out of range, both named; the form opens again as typed.
    let body = serde_urlencoded::to_string([
        ("key", "sms_otp"),
        ("form[name]", ""),
        ("form[description]", "Typed: codes by text message."),
        ("form[max_aal]", "1"),
        ("form[strength_rank]", "0"),
        ("form[factor]", "possession"),
        ("form[restricted]", "on"),
    ])
    .unwrap();
    let html = admin
        .refused_form("/api/catalogue/methods/update", body, "/catalogue")
        .await;
    assert!(marked(&html, "sms_otp-name") && marked(&html, "sms_otp-strength_rank"));
    assert!(html.contains(">Typed: codes by text message.</textarea>"));
    assert!(tag(&html, "sms_otp-strength_rank").contains("value=\"0\""));
    assert!(
        !tag(&html, "sms_otp-active").contains("checked"),
        "unticked as typed"
    );
    assert!(
        !marked(&html, "security_key-name")
            && !tag(&html, "security_key-name").contains("value=\"\""),
        "other methods' forms are untouched"
    );

    // A new business unit with a name too long comes back in its field.
    let long = "B".repeat(121);
    let html = admin
        .refused_form(
            "/api/catalogue/business-units/add",
            serde_urlencoded::to_string([("name", long.as_str())]).unwrap(),
            "/catalogue",
        )
        .await;
    assert!(tag(&html, "new-business-unit").contains(&format!("value=\"{long}\"")));
    assert!(marked(&html, "new-business-unit"));

    // A population.
    let body = serde_urlencoded::to_string([
        ("key", "contractors"),
        ("name", ""),
        ("description", "Typed: people on fixed-term contracts."),
        ("active", "on"),
    ])
    .unwrap();
    let html = admin
        .refused_form("/api/catalogue/populations/update", body, "/catalogue")
        .await;
    assert!(marked(&html, "contractors-name"), "{html}");
    assert!(html.contains(">Typed: people on fixed-term contracts.</textarea>"));
}
on_each_backend!(
    catalogue_forms_refused_come_back_as_typed_on_each_backend,
    catalogue_forms_refused_come_back_as_typed
);

async fn account_and_user_forms_refused_come_back_as_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;

    // An invitation: a user name that cannot be one; the name and the roles ticked come back.
    let body = serde_urlencoded::to_string([
        ("username", "x"),
        ("display_name", "Typed Person"),
        ("role_auditor", "on"),
    ])
    .unwrap();
    let html = o
        .admin
        .client
        .refused_form("/api/admin/users/invite", body, "/admin/users")
        .await;
    assert!(marked(&html, "username"), "{html}");
    assert!(tag(&html, "username").contains("value=\"x\""));
    assert!(tag(&html, "display_name").contains("value=\"Typed Person\""));
    assert!(tag(&html, "invite-role-auditor").contains("checked"));
    assert!(!tag(&html, "invite-role-owner").contains("checked"));

    // Renaming one's passkey with a name too long.
    let key = passkeys_of(&w, o.alice.id()).await.remove(0);
    let long = "P".repeat(81);
    let body =
        serde_urlencoded::to_string([("id", key.id.to_string()), ("name", long.clone())]).unwrap();
    let html = o
        .alice
        .client
        .refused_form("/api/account/passkeys/rename", body, "/account")
        .await;
    let id = format!("passkey-{}-name", key.id);
    assert!(
        tag(&html, &id).contains(&format!("value=\"{long}\"")),
        "{html}"
    );
    assert!(marked(&html, &id));
}
on_each_backend!(
    account_and_user_forms_refused_come_back_as_typed_on_each_backend,
    account_and_user_forms_refused_come_back_as_typed
);

async fn a_refused_policy_change_comes_back_as_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let shown: PolicyShown = o.carol.client.call("/api/policy/show", &[]).await;
    let mut form = PolicyForm::of(&shown.policy);
    form.standard
        .get_mut("office_employees")
        .unwrap()
        .insert("fallback".into(), "smart_card; password+totp_ap".into());
    form.reason = "Typed: smart cards first.".into();
    let body = serde_urlencoded::to_string(form.to_pairs()).unwrap();
    let html = o
        .carol
        .client
        .refused_form("/api/policy/save", body, "/policy/edit")
        .await;
    assert!(
        html.contains("value=\"Typed: smart cards first.\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"smart_card; password+totp_ap\""),
        "{html}"
    );
    assert!(html.contains("field-error"));
}
on_each_backend!(
    a_refused_policy_change_comes_back_as_typed_on_each_backend,
    a_refused_policy_change_comes_back_as_typed
);

/// The value of the hidden field `name` on a page.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    let t = &html[start..end];
    t.split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn declaration_body(id: &str, intent: &str, d: &Decl) -> String {
    let mut fields = vec![
        ("id".to_string(), id.to_string()),
        ("intent".to_string(), intent.to_string()),
    ];
    fields.extend(d.0.iter().cloned());
    serde_urlencoded::to_string(&fields).unwrap()
}

async fn a_version_is_submitted_after_its_differences_are_reviewed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let editor = format!("/applications/{}/declaration", o.payroll);
    let review = format!("{editor}/review");
    let both = Decl::default().full("office_employees").full("contractors");

    // "Review and submit" saves the draft and shows what would change.
    let r = o
        .alice
        .client
        .post_form_raw(
            "/api/declarations/save",
            declaration_body(&o.payroll, "review", &both),
            &editor,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.header("location"), review);
    let page = o.alice.client.page(&review).await;
    assert_eq!(page.status, http::StatusCode::OK, "{}", page.body);
    let html = page.body;
    assert!(html.contains("Review version 1 of Payroll"), "{html}");
    assert!(html.contains("The first version: everything it declares"));
    assert!(
        html.contains("Contractors · Fallback"),
        "each role of a first version is listed"
    );
    assert!(html.contains("What submitting does to the findings"));
    assert!(html.contains("Submit version 1"));
    let first = hidden(&html, "draft");
    assert_eq!(
        declaration_version::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        0,
        "reviewing submits nothing"
    );
    // Only those who may edit the application review its draft.
    assert_ne!(
        o.bob.client.page(&review).await.status,
        http::StatusCode::OK
    );

    // The draft saved again after the review: the reviewed submission is refused.
    let changed = both.clone().without("p[contractors][fallback]").methods(
        "contractors",
        "fallback",
        &["sms_otp"],
    );
    let r = o
        .alice
        .client
        .post_form_raw(
            "/api/declarations/save",
            declaration_body(&o.payroll, "save", &changed),
            &editor,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let body = serde_urlencoded::to_string([
        ("id", o.payroll.as_str()),
        ("draft", first.as_str()),
        ("reason", "Typed reason"),
    ])
    .unwrap();
    let html = o
        .alice
        .client
        .refused_form("/api/declarations/submit", body, &review)
        .await;
    assert!(html.contains("saved again since you reviewed it"), "{html}");
    assert!(
        html.contains(">Typed reason</textarea>"),
        "the reason typed comes back"
    );
    assert_eq!(
        declaration_version::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        0
    );

    // The review of the new draft shows the SMS fallback opening a finding.
    let second = hidden(&html, "draft");
    assert_ne!(second, first);
    assert!(html.contains("Opened by this version"), "{html}");
    let body = serde_urlencoded::to_string([
        ("id", o.payroll.as_str()),
        ("draft", second.as_str()),
        (
            "reason",
            "Contractors keep SMS until their phones are replaced.",
        ),
    ])
    .unwrap();
    let r = o
        .alice
        .client
        .post_form_raw("/api/declarations/submit", body, &review)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.header("location"), format!("/applications/{}", o.payroll));
    let versions = declaration_version::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(
        versions[0].reason.as_deref(),
        Some("Contractors keep SMS until their phones are replaced.")
    );
    assert_eq!(
        declaration_draft::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        0,
        "the draft became the version"
    );
    let submitted = crate::client::events(&w, "declaration.submitted").await;
    assert_eq!(
        crate::client::after(&submitted[0])["reason"],
        "Contractors keep SMS until their phones are replaced."
    );
    let app_page = o
        .alice
        .client
        .page(&format!("/applications/{}", o.payroll))
        .await
        .body;
    assert!(app_page.contains("Contractors keep SMS until their phones are replaced."));
    assert!(app_page.contains("Version 1 submitted."));
    assert!(
        app_page.contains(&versions[0].body_sha256),
        "the whole SHA-256 is shown"
    );

    // Each version downloads as JSON, hash and reason included; anyone signed in reads it.
    let json = o
        .dave
        .client
        .page(&format!(
            "/api/declarations/version.json?id={}&version=1",
            o.payroll
        ))
        .await;
    assert_eq!(json.status, http::StatusCode::OK, "{}", json.body);
    assert!(json.header("content-disposition").contains("attachment"));
    let doc: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(doc["sha256"], versions[0].body_sha256.as_str());
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["reason"],
        "Contractors keep SMS until their phones are replaced."
    );
    assert!(doc["declaration"]["populations"].is_array());

    // Once a later version exists, the earlier one says it is superseded.
    crate::registry::submitted(&o.alice, &o.payroll, &both).await;
    let old = o
        .alice
        .client
        .page(&format!("/applications/{}?version=1", o.payroll))
        .await
        .body;
    assert!(
        old.contains("Superseded: version 2 is the one in force."),
        "{old}"
    );
    let latest = o
        .alice
        .client
        .page(&format!("/applications/{}", o.payroll))
        .await
        .body;
    assert!(!latest.contains("Superseded"));
}
on_each_backend!(
    a_version_is_submitted_after_its_differences_are_reviewed_on_each_backend,
    a_version_is_submitted_after_its_differences_are_reviewed
);

/// The editor's list buttons, as a browser without JavaScript posts them: each sends the whole
/// form with `edit=population/role/position/move`; the editor comes back at that role with the
/// list changed and everything else as typed, and nothing is saved until Save draft.
async fn paths_are_added_removed_and_reordered_without_javascript(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let editor = format!("/applications/{}/declaration", o.payroll);
    let client = &o.alice.client;
    let typed = |fallbacks: &[&str], edit: &str| {
        let decl = Decl::default()
            .full("office_employees")
            .without("p[office_employees][fallback]")
            .without("p[office_employees][max_session_minutes]")
            .methods("office_employees", "fallback", fallbacks)
            .set("office_employees", "max_session_hours", "9")
            .set("office_employees", "max_session_minutes", "15");
        let mut fields = vec![
            ("id".to_string(), o.payroll.clone()),
            ("edit".to_string(), edit.to_string()),
        ];
        fields.extend(decl.0);
        serde_urlencoded::to_string(&fields).unwrap()
    };
    let editor = editor.as_str();
    let press = |body: String| async move {
        let r = client
            .post_form_raw("/api/declarations/save", body, editor)
            .await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
        let location = r.header("location").to_string();
        assert_eq!(
            location,
            format!("{editor}#office_employees-fallback"),
            "back to the role's list"
        );
        let page = client.page(editor).await;
        assert_eq!(page.status, http::StatusCode::OK, "{}", page.body);
        page.body
    };
    let order = |html: &str| -> Vec<String> {
        (0..8)
            .map_while(|i| {
                let id = format!("p-office_employees-fallback-{i}-0");
                html.contains(&format!("id=\"{id}\"")).then(|| {
                    let second = format!("p-office_employees-fallback-{i}-1");
                    match selected(html, &second) {
                        s if s.is_empty() => selected(html, &id),
                        s => format!("{}+{s}", selected(html, &id)),
                    }
                })
            })
            .collect()
    };

    // Move the third path up.
    let html = press(typed(
        &["totp_app", "password+totp_app", "smart_card"],
        "office_employees/fallback/2/up",
    ))
    .await;
    assert_eq!(
        order(&html),
        ["totp_app", "smart_card", "password+totp_app", ""],
        "moved up, with one empty row after"
    );
    assert!(html.contains("Not saved yet"), "the notice says so");
    // Each filled path has its buttons, the ends disabled; an empty row has none.
    let button = |label: &str| tag_with(&html, &format!("aria-label=\"{label}\"")).to_string();
    assert!(button("Move Fallback path 1 up").contains("disabled"));
    assert!(button("Move Fallback path 3 down").contains("disabled"));
    assert!(!button("Move Fallback path 2 down").contains("disabled"));
    assert!(
        button("Remove Fallback path 2").contains("value=\"office_employees/fallback/1/remove\"")
    );
    assert!(
        !html.contains("Move Fallback path 4"),
        "an empty row has no buttons"
    );
    assert!(!html.contains("current.len()"), "no markup shown as text");
    // What was typed elsewhere is there as typed.
    assert!(tag(&html, "p-office_employees-max_session_hours").contains("value=\"9\""));
    assert!(tag(&html, "p-office_employees-max_session_minutes").contains("value=\"15\""));
    assert!(!html.contains("aria-invalid=\"true\""), "not a refusal");

    // Remove the first path.
    let html = press(typed(
        &["totp_app", "smart_card", "password+totp_app"],
        "office_employees/fallback/0/remove",
    ))
    .await;
    assert_eq!(order(&html), ["smart_card", "password+totp_app", ""]);

    // Add a path: the empty row sent stays and another is added after it.
    let html = press(typed(
        &["smart_card", "password+totp_app", ""],
        "office_employees/fallback/3/add",
    ))
    .await;
    assert_eq!(order(&html), ["smart_card", "password+totp_app", "", ""]);
    // Empty rows below it do not let the last filled path move down.
    assert!(
        tag_with(&html, "aria-label=\"Move Fallback path 2 down\"").contains("disabled"),
        "nothing filled below it"
    );

    // Nothing was saved by the buttons.
    let db = w.state.db.conn();
    assert_eq!(
        declaration_draft::Entity::find().count(db).await.unwrap(),
        0
    );

    // A button that names nothing known is refused, and loses nothing either.
    let html = client
        .refused_form(
            "/api/declarations/save",
            typed(&["smart_card"], "office_employees/fallback/0/jump"),
            editor,
        )
        .await;
    assert!(
        html.contains("This button asks for nothing known."),
        "{html}"
    );
    assert_eq!(
        selected(&html, "p-office_employees-fallback-0-0"),
        "smart_card"
    );
}
on_each_backend!(
    paths_are_added_removed_and_reordered_without_javascript_on_each_backend,
    paths_are_added_removed_and_reordered_without_javascript
);
