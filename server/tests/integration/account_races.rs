//! The last passkey and the last administrator under concurrent requests. On PostgreSQL (read
//! committed) two requests can each check "another one is left" before either writes; the test
//! makes that happen every time by holding the table the change writes in `SHARE` mode (reads
//! pass, writes wait) until both requests wait for a lock, then lets them go. On SQLite the write
//! transactions take turns by construction; the same requests run there too.

use crate::client::{Client, first_admin, invited, passkeys_of};
use crate::on_each_backend;
use crate::support::{Reply, TestDb, World};
use app::session::model::{Role, UserStatus};
use app::ssr::entities::{app_user, user_role};
use http::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait, Statement,
    TransactionTrait,
};

/// On PostgreSQL, a transaction of the test's own holding `table` in `SHARE` mode: every write to
/// it waits until [`Gate::open_when_waiting`]. Nothing on SQLite.
struct Gate(Option<(DatabaseConnection, DatabaseTransaction)>);

impl Gate {
    async fn hold(db: &TestDb, table: &str) -> Self {
        if db.label != "postgres" {
            return Self(None);
        }
        let conn = Database::connect(&db.url).await.expect("connect");
        let txn = conn.begin().await.expect("begin");
        txn.execute_unprepared(&format!("LOCK TABLE {table} IN SHARE MODE"))
            .await
            .expect("lock");
        Self(Some((conn, txn)))
    }

    /// Once `n` sessions of this database wait for a lock, ends the hold.
    async fn open_when_waiting(self, n: i64) {
        let Some((conn, txn)) = self.0 else {
            return;
        };
        let waiting = Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE NOT l.granted AND a.datname = current_database()",
        );
        let mut polls = 0;
        loop {
            let row = conn.query_one_raw(waiting.clone()).await.unwrap().unwrap();
            let now: i64 = row.try_get("", "n").unwrap();
            if now >= n {
                break;
            }
            polls += 1;
            assert!(
                polls < 6000,
                "the requests never both waited ({now} waiting)"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        txn.commit().await.unwrap();
        conn.close().await.ok();
    }
}

fn outcome(replies: [&Reply; 2]) -> Vec<StatusCode> {
    let mut s: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    s.sort();
    s
}

async fn active_admins(w: &World) -> u64 {
    user_role::Entity::find()
        .join(JoinType::InnerJoin, user_role::Relation::AppUser.def())
        .filter(user_role::Column::Role.eq(Role::Admin))
        .filter(app_user::Column::Status.eq(UserStatus::Active))
        .count(w.state.db.conn())
        .await
        .unwrap()
}

async fn removing_the_last_two_passkeys_at_once_leaves_one(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    crate::client::add_passkey(&ada.client, "Backup key").await;
    let ids: Vec<String> = passkeys_of(&w, ada.id())
        .await
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(ids.len(), 2);

    // The same session in a second tab.
    let tab = Client::new(&w);
    tab.set_cookie(ada.client.cookie());
    let gate = Gate::hold(db, "passkey").await;
    let (first, second) = ([("id", ids[0].as_str())], [("id", ids[1].as_str())]);
    let (a, b, ()) = tokio::join!(
        ada.client.post("/api/account/passkeys/remove", &first),
        tab.post("/api/account/passkeys/remove", &second),
        gate.open_when_waiting(2),
    );
    assert_eq!(
        outcome([&a, &b]),
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.body,
        b.body
    );
    assert_eq!(
        passkeys_of(&w, ada.id()).await.len(),
        1,
        "one passkey stays"
    );
    assert_eq!(crate::client::events(&w, "passkey.removed").await.len(), 1);
}
on_each_backend!(
    removing_the_last_two_passkeys_at_once_leaves_one_on_each_backend,
    removing_the_last_two_passkeys_at_once_leaves_one
);

async fn two_admins_demoting_each_other_at_once_leave_one(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let bea = invited(&ada, "bea", &["admin"]).await;
    let gate = Gate::hold(db, "user_role").await;
    let (bea_id, ada_id) = (bea.id_string(), ada.id_string());
    let demote_bea = [("user", bea_id.as_str()), ("role_owner", "on")];
    let demote_ada = [("user", ada_id.as_str()), ("role_owner", "on")];
    let (a, b, ()) = tokio::join!(
        ada.client.post("/api/admin/users/roles", &demote_bea),
        bea.client.post("/api/admin/users/roles", &demote_ada),
        gate.open_when_waiting(2),
    );
    // The loser is refused: 409 when both got past the access check at once (as the gate makes
    // sure on PostgreSQL), 403 when SQLite ran the winner first and the loser was no longer an
    // administrator by the time it was checked, or 401 when its session had already been ended
    // by the winner (a change of roles ends the person's sessions).
    let (won, lost) = match outcome([&a, &b])[..] {
        [won, lost] => (won, lost),
        _ => unreachable!("two replies"),
    };
    assert_eq!(won, StatusCode::OK, "{} / {}", a.body, b.body);
    assert!(
        matches!(
            lost,
            StatusCode::CONFLICT | StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
        ),
        "{lost}: {} / {}",
        a.body,
        b.body
    );
    assert_eq!(active_admins(&w).await, 1, "an administrator is left");
    assert_eq!(
        crate::client::events(&w, "user.roles_changed").await.len(),
        1
    );
}
on_each_backend!(
    two_admins_demoting_each_other_at_once_leave_one_on_each_backend,
    two_admins_demoting_each_other_at_once_leave_one
);

async fn two_admins_disabling_each_other_at_once_leave_one(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let bea = invited(&ada, "bea", &["admin"]).await;
    let gate = Gate::hold(db, "app_user").await;
    let (bea_id, ada_id) = (bea.id_string(), ada.id_string());
    let disable_bea = [("user", bea_id.as_str()), ("enabled", "false")];
    let disable_ada = [("user", ada_id.as_str()), ("enabled", "false")];
    let (a, b, ()) = tokio::join!(
        ada.client.post("/api/admin/users/status", &disable_bea),
        bea.client.post("/api/admin/users/status", &disable_ada),
        gate.open_when_waiting(2),
    );
    // The loser is refused: 409 when both got past the access check at once (as the gate makes
    // sure on PostgreSQL), or 401 when SQLite ran the winner first and the loser's session had
    // ended with their account by the time it was checked.
    let (won, lost) = match outcome([&a, &b])[..] {
        [won, lost] => (won, lost),
        _ => unreachable!("two replies"),
    };
    assert_eq!(won, StatusCode::OK, "{} / {}", a.body, b.body);
    assert!(
        matches!(lost, StatusCode::CONFLICT | StatusCode::UNAUTHORIZED),
        "{lost}: {} / {}",
        a.body,
        b.body
    );
    assert_eq!(active_admins(&w).await, 1, "an administrator is left");
    assert_eq!(crate::client::events(&w, "user.disabled").await.len(), 1);
}
on_each_backend!(
    two_admins_disabling_each_other_at_once_leave_one_on_each_backend,
    two_admins_disabling_each_other_at_once_leave_one
);
