//! The test world: a real database with migrations applied, a frozen clock and the real router.

use app::ssr::clock::FixedClock;
use app::ssr::config::Config;
use app::ssr::state::AppState;
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use std::sync::Arc;
use tower::ServiceExt as _;

/// A database for one test: a fresh SQLite file, or a fresh PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/portal.db", dir.path().display());
        Self {
            url,
            label: "sqlite",
            _dir: Some(dir),
            pg: None,
        }
    }

    pub async fn postgres() -> Option<Self> {
        let admin = std::env::var("PORTAL_TEST_POSTGRES_URL")
            .ok()
            .filter(|v| !v.is_empty())?;
        let name = format!("portal_t_{}", uuid::Uuid::new_v4().simple());
        // Set but unreachable is a failure, never a silent skip; and a quick one.
        let mut options = sea_orm::ConnectOptions::new(admin.clone());
        options
            .connect_timeout(std::time::Duration::from_secs(3))
            .acquire_timeout(std::time::Duration::from_secs(3))
            .sqlx_logging(false);
        let conn = Database::connect(options).await.unwrap_or_else(|e| {
            panic!("PORTAL_TEST_POSTGRES_URL is set but PostgreSQL is not reachable there: {e}")
        });
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        conn.close().await.ok();
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .expect("database URL with a path");
        Some(Self {
            url: format!("{base}/{name}"),
            label: "postgres",
            _dir: None,
            pg: Some((admin, name)),
        })
    }

    pub async fn cleanup(self) {
        let Some((admin, name)) = &self.pg else {
            return;
        };
        if let Ok(conn) = Database::connect(admin).await {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            conn.execute_unprepared(&drop).await.ok();
            conn.close().await.ok();
        }
    }
}

/// Every backend this run can reach: SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    if let Some(pg) = TestDb::postgres().await {
        v.push(pg);
    }
    v
}

/// Runs a test body once per backend, naming the backend when it fails.
#[macro_export]
macro_rules! on_each_backend {
    ($name:ident, $body:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            for db in $crate::support::backends().await {
                eprintln!("-- {} on {}", stringify!($name), db.label);
                $body(&db).await;
                db.cleanup().await;
            }
        }
    };
}

pub const ORIGIN: &str = "http://localhost:3000";

pub fn config_for(db: &TestDb) -> Config {
    config_with(db, &[])
}

/// The test configuration with some variables set (`PORTAL_REQUEST_TIMEOUT_SECONDS`, …).
pub fn config_with(db: &TestDb, vars: &[(&str, &str)]) -> Config {
    let url = db.url.clone();
    // Each database its own checkpoint key and latest checkpoint.
    let key = std::env::temp_dir()
        .join(format!(
            "portal-checkpoint-{}.key",
            hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(url.as_bytes())[..8])
        ))
        .to_string_lossy()
        .into_owned();
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |name| match name {
        "PORTAL_DATABASE_URL" => Some(url.clone()),
        "PORTAL_PUBLIC_URL" => Some(ORIGIN.into()),
        "PORTAL_CHECKPOINT_KEY" if !vars.iter().any(|(k, _)| k == name) => Some(key.clone()),
        _ => vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
    })
    .expect("test configuration")
}

/// A running portal (in process) over one test database.
pub struct World {
    pub state: AppState,
    pub router: Router,
    pub clock: FixedClock,
}

impl World {
    pub async fn new(db: &TestDb) -> Self {
        Self::with_config(config_for(db)).await
    }

    /// A portal over `config` (its database included).
    pub async fn with_config(config: Config) -> Self {
        // `PORTAL_TEST_LOG=1` shows the server's log (an internal error's cause, say).
        if std::env::var_os("PORTAL_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        // Frozen at the real time (whole seconds), so that expiry computed by libraries from the
        // system clock and expiry checked against this clock agree until a test moves it.
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("valid");
        let clock = FixedClock::at(now);
        let state = server::build_state_with_clock(config, Arc::new(clock.clone()))
            .await
            .expect("state");
        let router = server::build_router(state.clone()).expect("a consistent access table");
        Self {
            state,
            router,
            clock,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 256 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (files that are not text).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Inserts an active user with the given roles straight into the database (a fixture).
pub async fn insert_user(state: &AppState, username: &str, roles: &[&str]) -> uuid::Uuid {
    use app::ssr::entities::{app_user, user_role};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let id = uuid::Uuid::new_v4();
    let now = state.now();
    app_user::Entity::insert(app_user::ActiveModel {
        id: Set(app::ids::UserId(id)),
        username: Set(username.into()),
        display_name: Set(username.into()),
        status: Set(app::vocab::UserStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(state.db.conn())
    .await
    .expect("insert user");
    for role in roles {
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(app::ids::UserId(id)),
            role: Set(app::vocab::Role::parse(role).expect("a role")),
            granted_at: Set(now),
        })
        .exec_without_returning(state.db.conn())
        .await
        .expect("insert role");
    }
    id
}
