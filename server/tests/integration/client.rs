//! A browser stand-in over the in-process router: it keeps the session cookie, sends the portal's
//! own `Origin`, form-encodes server-function arguments, asks for JSON, and comes from an address
//! of its own (so rate limits key on it). Plus the passkey journeys the tests share, driven with
//! the soft passkey of webauthn-authenticator-rs through the real endpoints.

use crate::support::{ORIGIN, Reply, World};
use app::error::AppError;
use app::session::model::CurrentUser;
use app::ssr::entities::{audit_event, passkey};
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{Request, StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

/// The session cookie's name on a plain-HTTP public URL.
pub const COOKIE: &str = "portal_session";

static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(1);

/// One browser: its cookie jar (the session cookie) and its network address.
pub struct Client<'w> {
    world: &'w World,
    addr: SocketAddr,
    cookie: Mutex<Option<String>>,
}

impl<'w> Client<'w> {
    /// A new browser with an address no other client of this run uses (127.0.x.y).
    pub fn new(world: &'w World) -> Self {
        let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
        Self::at(
            world,
            IpAddr::V4(Ipv4Addr::from(0x7f00_0000 + (n % 0x00ff_fffe) + 1)),
        )
    }

    pub fn at(world: &'w World, ip: IpAddr) -> Self {
        Self {
            world,
            addr: SocketAddr::new(ip, 40_000),
            cookie: Mutex::new(None),
        }
    }

    pub fn world(&self) -> &'w World {
        self.world
    }

    /// The session cookie's value this browser holds, if any.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    /// Replaces the cookie (to replay an old one).
    pub fn set_cookie(&self, value: Option<String>) {
        *self.cookie.lock().unwrap() = value;
    }

    fn builder(&self, method: http::Method, path: &str, accept: &str) -> http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ACCEPT, accept)
            .extension(ConnectInfo(self.addr));
        if let Some(c) = self.cookie() {
            b = b.header(header::COOKIE, format!("{COOKIE}={c}"));
        }
        b
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let reply = self.world.send(req).await;
        self.absorb(&reply);
        reply
    }

    /// Takes the session cookie from `Set-Cookie`, or drops it when the server removed it.
    fn absorb(&self, reply: &Reply) {
        for v in reply.headers.get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let mut parts = v.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            if name != COOKIE {
                continue;
            }
            let removed = value.is_empty() || parts.any(|a| a.eq_ignore_ascii_case("max-age=0"));
            self.set_cookie((!removed).then(|| value.to_string()));
        }
    }

    /// Calls a server function (a form-encoded POST answered in JSON).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("form encoding");
        self.post_raw(path, body).await
    }

    pub async fn post_raw(&self, path: &str, body: String) -> Reply {
        let req = self
            .builder(http::Method::POST, path, "application/json")
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a plain HTML form from the page at `referer` (no JavaScript): the answer is a
    /// redirect back to a page.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)], referer: &str) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("form encoding");
        self.post_form_raw(path, body, referer).await
    }

    /// Posts a plain HTML form body as it is (fields in the page's order) from the page at
    /// `referer`, as a browser without JavaScript does.
    pub async fn post_form_raw(&self, path: &str, body: String, referer: &str) -> Reply {
        let req = self
            .builder(http::Method::POST, path, "text/html,application/xhtml+xml")
            .header(header::ORIGIN, ORIGIN)
            .header(header::REFERER, format!("{ORIGIN}{referer}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a plain form body the portal must refuse, and follows the browser back to the page
    /// it is sent to: that page's HTML.
    pub async fn refused_form(&self, path: &str, body: String, referer: &str) -> String {
        let r = self.post_form_raw(path, body, referer).await;
        assert!(
            r.status.is_redirection(),
            "{path} should send the browser back: {} {}",
            r.status,
            r.body
        );
        let location = r.header("location").to_string();
        assert_eq!(
            location.split('?').next(),
            referer.split('?').next(),
            "back to the form's page"
        );
        let page = self.page(&location).await;
        assert_eq!(page.status, StatusCode::OK, "{location}: {}", page.body);
        page.body
    }

    /// Calls a server function that must succeed, and decodes its answer.
    pub async fn call<T: DeserializeOwned>(&self, path: &str, fields: &[(&str, &str)]) -> T {
        let r = self.post(path, fields).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", r.body))
    }

    /// Loads a page as a browser navigating to it would.
    pub async fn page(&self, path: &str) -> Reply {
        let req = self
            .builder(http::Method::GET, path, "text/html,application/xhtml+xml")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// Who the portal thinks this browser is.
    pub async fn me(&self) -> Option<CurrentUser> {
        self.call("/api/session/me", &[]).await
    }
}

/// The error a refused call carries.
pub fn error_of(reply: &Reply) -> AppError {
    serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {} {}", reply.status, reply.body))
}

/// Start endpoints answer a JSON string holding the WebAuthn options JSON.
pub fn options<T: DeserializeOwned>(reply: &Reply) -> T {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let inner: String = serde_json::from_str(&reply.body).expect("a JSON string");
    serde_json::from_str(&inner).unwrap_or_else(|e| panic!("{e}: {inner}"))
}

pub fn origin() -> Url {
    Url::parse(ORIGIN).unwrap()
}

/// A soft passkey that performs (claims) user verification.
pub fn authenticator() -> SoftPasskey {
    SoftPasskey::new(true)
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

/// The secret of a one-time link (`…/enrol/<secret>`).
pub fn token_of(url: &str) -> String {
    let prefix = format!("{ORIGIN}/enrol/");
    url.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("not an enrolment link: {url}"))
        .to_string()
}

pub async fn bootstrap_token(world: &World) -> String {
    let link = app::accounts::facade::issue_bootstrap_link(&world.state, false)
        .await
        .expect("bootstrap link");
    token_of(&link.url)
}

pub async fn enrol_start(
    client: &Client<'_>,
    token: &str,
    username: Option<&str>,
    display_name: Option<&str>,
) -> Reply {
    let mut fields = vec![("token", token)];
    if let Some(u) = username {
        fields.push(("username", u));
    }
    if let Some(d) = display_name {
        fields.push(("display_name", d));
    }
    client.post("/api/enrol/start", &fields).await
}

/// Registers a new passkey for a link; returns the credential the authenticator made.
pub async fn enrol_credential(
    client: &Client<'_>,
    token: &str,
    username: Option<&str>,
    display_name: Option<&str>,
    key: &mut SoftPasskey,
) -> RegisterPublicKeyCredential {
    let start = enrol_start(client, token, username, display_name).await;
    let ccr: CreationChallengeResponse = options(&start);
    key.do_registration(origin(), ccr)
        .expect("the soft passkey registers")
}

pub async fn enrol_finish(client: &Client<'_>, credential: &RegisterPublicKeyCredential) -> Reply {
    client
        .post("/api/enrol/finish", &[("credential", &json(credential))])
        .await
}

/// The whole enrolment: start, the authenticator, finish (which must succeed).
pub async fn enrol(
    client: &Client<'_>,
    token: &str,
    username: Option<&str>,
    display_name: Option<&str>,
    key: &mut SoftPasskey,
) -> CurrentUser {
    let cred = enrol_credential(client, token, username, display_name, key).await;
    let r = enrol_finish(client, &cred).await;
    assert_eq!(r.status, StatusCode::OK, "enrolment: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

pub async fn signin_start(client: &Client<'_>, username: &str) -> RequestChallengeResponse {
    options(
        &client
            .post("/api/signin/start", &[("username", username)])
            .await,
    )
}

pub async fn signin_finish(client: &Client<'_>, credential: &PublicKeyCredential) -> Reply {
    client
        .post("/api/signin/finish", &[("credential", &json(credential))])
        .await
}

/// Signs in by user name: start, the authenticator, finish. Returns the finish reply.
pub async fn sign_in(client: &Client<'_>, username: &str, key: &mut SoftPasskey) -> Reply {
    let rcr = signin_start(client, username).await;
    let cred = key
        .do_authentication(origin(), rcr)
        .expect("the soft passkey signs");
    signin_finish(client, &cred).await
}

/// Re-verifies the signed-in user with their passkey (must succeed).
pub async fn reverify(client: &Client<'_>, key: &mut SoftPasskey) {
    let rcr: RequestChallengeResponse =
        options(&client.post("/api/session/reverify/start", &[]).await);
    let cred = key
        .do_authentication(origin(), rcr)
        .expect("the soft passkey signs");
    let r = client
        .post(
            "/api/session/reverify/finish",
            &[("credential", &json(&cred))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "re-verification: {}", r.body);
}

/// Someone with an account, a passkey and a signed-in browser.
pub struct Person<'w> {
    pub client: Client<'w>,
    pub key: SoftPasskey,
    pub user: CurrentUser,
}

impl Person<'_> {
    pub fn id(&self) -> Uuid {
        self.user.id.0
    }

    pub fn id_string(&self) -> String {
        self.user.id.to_string()
    }
}

/// The first administrator, enrolled through a bootstrap link.
pub async fn first_admin<'w>(world: &'w World, username: &str) -> Person<'w> {
    let token = bootstrap_token(world).await;
    let client = Client::new(world);
    let mut key = authenticator();
    let user = enrol(
        &client,
        &token,
        Some(username),
        Some("First Admin"),
        &mut key,
    )
    .await;
    Person { client, key, user }
}

/// Adds a passkey named `name` to the signed-in account of `client`, on a new authenticator
/// (returned, to sign in with it).
pub async fn add_passkey(client: &Client<'_>, name: &str) -> SoftPasskey {
    let ccr: webauthn_authenticator_rs::prelude::CreationChallengeResponse =
        options(&client.post("/api/account/passkeys/start", &[]).await);
    let mut key = authenticator();
    let cred = key.do_registration(origin(), ccr).unwrap();
    let r = client
        .post(
            "/api/account/passkeys/finish",
            &[("credential", &json(&cred)), ("name", name)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    key
}

/// An administrator invites someone with roles (`"owner"`, `"security"`, `"auditor"`,
/// `"admin"`); returns the invitation's secret, read from the one-time flash like the page does.
pub async fn invite(admin: &Client<'_>, username: &str, roles: &[&str]) -> String {
    let role_fields: Vec<String> = roles.iter().map(|r| format!("role_{r}")).collect();
    let mut fields = vec![("username", username), ("display_name", username)];
    for r in &role_fields {
        fields.push((r.as_str(), "on"));
    }
    let r = admin.post("/api/admin/users/invite", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "invite: {}", r.body);
    issued_link(admin).await
}

/// The link the last invitation or recovery issued (shown once).
pub async fn issued_link(admin: &Client<'_>) -> String {
    let link: Option<app::accounts::model::IssuedLinkView> =
        admin.call("/api/admin/users/issued", &[]).await;
    token_of(&link.expect("a link was issued").url)
}

/// A page of the users list as an administrator asks for it: the filter's fields (`q`, `role`,
/// `status`, `position[after]`, `position[before]`) become `filter[...]`.
pub async fn user_list(
    admin: &Client<'_>,
    filter: &[(&str, &str)],
) -> app::accounts::model::UserList {
    let mut fields: Vec<(String, &str)> = filter
        .iter()
        .map(|(k, v)| match k.split_once('[') {
            Some((head, rest)) => (format!("filter[{head}][{rest}"), *v),
            None => (format!("filter[{k}]"), *v),
        })
        .collect();
    if fields.is_empty() {
        fields.push(("filter[q]".into(), ""));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    admin.call("/api/admin/users", &fields).await
}

/// The users list's row of `username` (searched by that name).
pub async fn user_row(admin: &Client<'_>, username: &str) -> app::accounts::model::UserSummary {
    user_list(admin, &[("q", username)])
        .await
        .rows
        .into_iter()
        .find(|u| u.username == username)
        .unwrap_or_else(|| panic!("{username} is listed"))
}

/// An invited person who enrolled their own passkey in their own browser.
pub async fn invited<'w>(admin: &Person<'w>, username: &str, roles: &[&str]) -> Person<'w> {
    let token = invite(&admin.client, username, roles).await;
    let client = Client::new(admin.client.world());
    let mut key = authenticator();
    let user = enrol(&client, &token, None, None, &mut key).await;
    assert_eq!(user.username, username);
    Person { client, key, user }
}

pub async fn passkeys_of(world: &World, user: Uuid) -> Vec<passkey::Model> {
    passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(world.state.db.conn())
        .await
        .unwrap()
}

pub async fn all_passkeys(world: &World) -> Vec<passkey::Model> {
    passkey::Entity::find()
        .all(world.state.db.conn())
        .await
        .unwrap()
}

pub async fn events(world: &World, action: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .order_by_asc(audit_event::Column::Seq)
        .all(world.state.db.conn())
        .await
        .unwrap()
}

/// The `after` snapshot of an audit event, parsed.
pub fn after(e: &audit_event::Model) -> serde_json::Value {
    serde_json::from_str(e.after.as_deref().unwrap_or("null")).unwrap()
}
