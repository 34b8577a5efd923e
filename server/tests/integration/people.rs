//! People lists that grow with the estate: the users list pages by user name at a fixed number of
//! SQL statements whatever the number of people, walks every person once, searches and filters in
//! SQL; the owner search answers editors only, with at most ten people who may own applications.

use crate::client::{Client, error_of, first_admin, invited, user_list};
use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World};
use app::accounts::facade::{NewUser, insert_users};
use app::accounts::model::{Position, USERS_PAGE_SIZE, UserList};
use app::ids::{PasskeyId, UserId};
use app::registry::model::{OWNER_SEARCH_LIMIT, PersonRef};
use app::session::model::{Role, UserStatus};
use app::ssr::entities::{app_user, passkey, user_role};
use http::{Request, StatusCode, header};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// Fixtures.

/// Someone put straight into the database.
struct Fixture {
    username: String,
    display_name: String,
    status: UserStatus,
    roles: Vec<Role>,
    passkeys: usize,
}

impl Fixture {
    fn new(username: &str, display_name: &str, roles: &[Role]) -> Self {
        Self {
            username: username.into(),
            display_name: display_name.into(),
            status: UserStatus::Active,
            roles: roles.to_vec(),
            passkeys: 0,
        }
    }

    fn status(mut self, status: UserStatus) -> Self {
        self.status = status;
        self
    }

    fn passkeys(mut self, n: usize) -> Self {
        self.passkeys = n;
        self
    }
}

/// Inserts people with their roles and passkeys, in batches (a fixture).
async fn insert_people(w: &World, people: &[Fixture]) -> Vec<UserId> {
    let now = w.state.now();
    let ids: Vec<UserId> = people.iter().map(|_| UserId::new()).collect();
    let users: Vec<NewUser<'_>> = people
        .iter()
        .zip(&ids)
        .map(|(p, id)| NewUser {
            id: *id,
            username: &p.username,
            display_name: &p.display_name,
            status: p.status,
            roles: &p.roles,
        })
        .collect();
    insert_users(w.state.db.conn(), &users, now)
        .await
        .expect("insert people");
    // Written behind the portal's back (no audit event): remembered counts cannot know.
    w.state.remembered.forget();
    let keys: Vec<passkey::ActiveModel> = people
        .iter()
        .zip(&ids)
        .flat_map(|(p, id)| {
            (0..p.passkeys).map(move |n| {
                let key = PasskeyId::new();
                passkey::ActiveModel {
                    id: Set(key),
                    user_id: Set(*id),
                    credential_id: Set(key.to_string()),
                    name: Set(format!("Key {n}")),
                    credential: Set("{}".into()),
                    sign_count: Set(0),
                    backup_eligible: Set(true),
                    backup_state: Set(true),
                    attachment: Set(None),
                    created_at: Set(now),
                    last_used_at: Set(None),
                    flagged_at: Set(None),
                    flag_reason: Set(None),
                }
            })
        })
        .collect();
    for chunk in keys.chunks(500) {
        passkey::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(w.state.db.conn())
            .await
            .expect("insert passkeys");
    }
    ids
}

/// `n` generated people, `person0001`…: every role, every status, zero to two passkeys.
fn generated(from: usize, n: usize) -> Vec<Fixture> {
    (from..from + n)
        .map(|i| {
            let roles: &[Role] = match i % 4 {
                0 => &[Role::Owner],
                1 => &[Role::Owner, Role::Security],
                2 => &[Role::Auditor],
                _ => &[Role::Security],
            };
            let status = match i % 5 {
                0 => UserStatus::Disabled,
                1 | 2 => UserStatus::Invited,
                _ => UserStatus::Active,
            };
            Fixture::new(
                &format!("person{i:04}"),
                &format!("Person Number {i}"),
                roles,
            )
            .status(status)
            .passkeys(i % 3)
        })
        .collect()
}

/// Every user name in the database's own order, with what the list filters on.
async fn everyone(w: &World) -> Vec<(String, String, UserStatus, BTreeSet<Role>)> {
    let db = w.state.db.conn();
    let mut roles: BTreeMap<UserId, BTreeSet<Role>> = BTreeMap::new();
    for r in user_role::Entity::find().all(db).await.unwrap() {
        roles.entry(r.user_id).or_default().insert(r.role);
    }
    app_user::Entity::find()
        .order_by_asc(app_user::Column::Username)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            let r = roles.remove(&u.id).unwrap_or_default();
            (u.username, u.display_name, u.status, r)
        })
        .collect()
}

fn usernames(l: &UserList) -> Vec<String> {
    l.rows.iter().map(|r| r.username.clone()).collect()
}

/// The filter's fields plus a position, as `user_list` takes them.
fn at<'a>(filter: &[(&'a str, &'a str)], position: &'a Position) -> Vec<(&'a str, &'a str)> {
    let mut f = filter.to_vec();
    match position {
        Position::First => {}
        Position::After(name) => f.push(("position[after]", name.as_str())),
        Position::Before(name) => f.push(("position[before]", name.as_str())),
    }
    f
}

/// Walks the list from the first page to the last by `next`, then back by `prev`.
async fn walk(admin: &Client<'_>, filter: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let mut forward = Vec::new();
    let mut position = Position::First;
    let mut last = None;
    for _ in 0..1000 {
        let page = user_list(admin, &at(filter, &position)).await;
        assert!(page.rows.len() as u64 <= USERS_PAGE_SIZE);
        forward.extend(usernames(&page));
        match page.next.clone() {
            Some(next) => {
                assert!(matches!(next, Position::After(_)), "{next:?}");
                assert_eq!(
                    page.rows.len() as u64,
                    USERS_PAGE_SIZE,
                    "only the last page is short"
                );
                position = next;
            }
            None => {
                last = Some(page);
                break;
            }
        }
    }
    let last = last.expect("the walk ends");
    let mut backward: Vec<Vec<String>> = vec![usernames(&last)];
    let mut prev = last.prev.clone();
    for _ in 0..1000 {
        let Some(position) = prev else { break };
        assert!(matches!(position, Position::Before(_)), "{position:?}");
        let page = user_list(admin, &at(filter, &position)).await;
        assert!(!page.rows.is_empty());
        backward.push(usernames(&page));
        prev = page.prev.clone();
    }
    let backward = backward.into_iter().rev().flatten().collect();
    (forward, backward)
}

// ---------------------------------------------------------------------------------------------
// The users list.

/// SQL statements spent answering `request`.
async fn statements_of<F: std::future::Future>(w: &World, request: F) -> (u64, F::Output) {
    let before = w.state.db.statements();
    let out = request.await;
    (w.state.db.statements() - before, out)
}

/// The searches, filters and positions measured, as the API and as the page's address.
const MEASURED: &[(&[(&str, &str)], &str)] = &[
    (&[], ""),
    (&[("q", "person")], "q=person"),
    (&[("q", "NUMBER 1")], "q=NUMBER%201"),
    (&[("role", "owner")], "role=owner"),
    (&[("status", "invited")], "status=invited"),
    (
        &[("q", "person0"), ("role", "security"), ("status", "active")],
        "q=person0&role=security&status=active",
    ),
    (&[("position[after]", "person0010")], "after=person0010"),
    (&[("position[before]", "person0040")], "before=person0040"),
    (
        &[("role", "owner"), ("position[after]", "person0003")],
        "role=owner&after=person0003",
    ),
];

/// Statements per request of each measured search, API call and page load.
async fn measure(w: &World, admin: &Client<'_>) -> Vec<(u64, u64)> {
    let mut counts = Vec::new();
    for (filter, query) in MEASURED {
        let (api, list) = statements_of(w, user_list(admin, filter)).await;
        assert!(!list.rows.is_empty(), "{filter:?} finds people");
        let (page, reply) = statements_of(w, admin.page(&format!("/admin/users?{query}"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
        assert!(reply.body.contains(&list.rows[0].username), "{query}");
        counts.push((api, page));
    }
    counts
}

async fn a_page_of_users_costs_the_same_statements_at_50_and_2000_users(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    insert_people(&w, &generated(1, 49)).await;
    assert_eq!(everyone(&w).await.len(), 50);
    let small = measure(&w, &admin.client).await;

    insert_people(&w, &generated(50, 1950)).await;
    assert_eq!(everyone(&w).await.len(), 2000);
    let large = measure(&w, &admin.client).await;
    eprintln!("statements per request (API, page) at 50 and 2,000 users: {small:?} {large:?}");
    assert_eq!(
        small, large,
        "a page costs the same whatever the number of users"
    );
    for (api, page) in &large {
        // The session (three statements), then the count, the page, on a later page whether
        // anyone comes before (or after) it, the page's roles and its passkey counts; the page
        // also counts the header's unread notifications.
        assert!(*api <= 8, "{large:?}");
        assert!(*page <= 10, "{large:?}");
    }
    let first = user_list(&admin.client, &[]).await;
    assert_eq!(first.total, 2000);
    assert_eq!(first.rows.len() as u64, USERS_PAGE_SIZE);
    assert_eq!(first.prev, None);
    assert_eq!(
        first.next,
        Some(Position::After(first.rows.last().unwrap().username.clone()))
    );
}
on_each_backend!(
    a_page_of_users_costs_the_same_statements_at_50_and_2000_users_on_each_backend,
    a_page_of_users_costs_the_same_statements_at_50_and_2000_users
);

async fn paging_walks_every_user_exactly_once(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    insert_people(&w, &generated(1, 436)).await;
    let all = everyone(&w).await;
    let names: Vec<String> = all.iter().map(|p| p.0.clone()).collect();
    assert_eq!(names.len(), 437);

    let (forward, backward) = walk(&admin.client, &[]).await;
    assert_eq!(forward, names, "every user once, by user name");
    assert_eq!(backward, names, "and the same walking back");

    // With a search and filters, the walk holds exactly the people they match.
    let filter = [("q", "PERSON0"), ("role", "owner")];
    let expected: Vec<String> = all
        .iter()
        .filter(|(u, _, _, roles)| u.contains("person0") && roles.contains(&Role::Owner))
        .map(|p| p.0.clone())
        .collect();
    assert!(expected.len() > USERS_PAGE_SIZE as usize, "several pages");
    let (forward, backward) = walk(&admin.client, &filter).await;
    assert_eq!(forward, expected);
    assert_eq!(backward, expected);
    let first = user_list(&admin.client, &filter).await;
    assert_eq!(first.total, expected.len() as u64);

    // A position past the end is an empty page that says so, not an error.
    let past = user_list(&admin.client, &[("position[after]", "zzzz")]).await;
    assert!(past.rows.is_empty());
    assert_eq!((past.prev, past.next), (None, None));
    let page = admin.client.page("/admin/users?after=zzzz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Back to the first page"));
}
on_each_backend!(
    paging_walks_every_user_exactly_once_on_each_backend,
    paging_walks_every_user_exactly_once
);

async fn search_and_filters_find_the_right_people(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    insert_people(
        &w,
        &[
            Fixture::new("bob.builder", "Bob Builder", &[Role::Owner]).passkeys(2),
            Fixture::new("bobby", "Robert Tables", &[Role::Owner]),
            Fixture::new("carol", "Carol 100% Secure", &[Role::Security]),
            Fixture::new("dave_x", "Dave", &[Role::Auditor]).status(UserStatus::Invited),
            Fixture::new("erin", "Erin under_score", &[Role::Auditor, Role::Owner])
                .status(UserStatus::Disabled)
                .passkeys(1),
            Fixture::new("frank", "Frank Ocean", &[Role::Owner]).status(UserStatus::Invited),
        ],
    )
    .await;
    let find = |filter: &'static [(&'static str, &'static str)]| {
        let client = &admin.client;
        async move {
            let l = user_list(client, filter).await;
            assert_eq!(l.total, l.rows.len() as u64, "{filter:?}");
            usernames(&l)
        }
    };
    // By user name or display name, ignoring case.
    assert_eq!(find(&[("q", "BOB")]).await, ["bob.builder", "bobby"]);
    assert_eq!(find(&[("q", "builder")]).await, ["bob.builder"]);
    assert_eq!(find(&[("q", "  tables ")]).await, ["bobby"]);
    // `%` and `_` are what they are, not wildcards.
    assert_eq!(find(&[("q", "%")]).await, ["carol"]);
    assert_eq!(find(&[("q", "100% s")]).await, ["carol"]);
    assert_eq!(find(&[("q", "_")]).await, ["dave_x", "erin"]);
    assert!(find(&[("q", "nobody-like-this")]).await.is_empty());
    // Roles and status, alone and together.
    assert_eq!(
        find(&[("role", "owner")]).await,
        ["bob.builder", "bobby", "erin", "frank"]
    );
    assert_eq!(find(&[("role", "admin")]).await, ["ada"]);
    assert_eq!(
        find(&[("role", "owner"), ("status", "active")]).await,
        ["bob.builder", "bobby"]
    );
    assert_eq!(find(&[("status", "disabled")]).await, ["erin"]);
    assert_eq!(find(&[("status", "invited")]).await, ["dave_x", "frank"]);
    assert_eq!(
        find(&[("q", "b"), ("role", "owner"), ("status", "active")]).await,
        ["bob.builder", "bobby"]
    );
    // A value that is not a role is refused, not ignored, by the API.
    let r = admin
        .client
        .post("/api/admin/users", &[("filter[role]", "wizard")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // Each row's roles (sorted) and passkey count.
    let rows = user_list(&admin.client, &[]).await.rows;
    let row = |name: &str| rows.iter().find(|r| r.username == name).unwrap().clone();
    assert_eq!(row("ada").passkeys, 1, "enrolled with one passkey");
    assert_eq!(row("ada").roles, [Role::Admin]);
    assert_eq!(row("bob.builder").passkeys, 2);
    assert_eq!(row("erin").passkeys, 1);
    assert_eq!(row("erin").roles, [Role::Owner, Role::Auditor]);
    assert_eq!(row("erin").status, UserStatus::Disabled);
    assert_eq!(row("carol").passkeys, 0);
    assert_eq!(row("bobby").display_name, "Robert Tables");

    // The page reads the same filters from its address, and shows them in the form.
    let page = admin.client.page("/admin/users?q=%25&role=security").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("carol"));
    assert!(
        !page.body.contains("bob.builder"),
        "filtered on the page too"
    );
    assert!(page.body.contains("People (1)"));
    // Something in the address that is not a role or a status is no filter on the page.
    let page = admin.client.page("/admin/users?role=wizard&status=x").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("People (7)"));
}
on_each_backend!(
    search_and_filters_find_the_right_people_on_each_backend,
    search_and_filters_find_the_right_people
);

/// A plain-form action on a filtered page comes back to the same search, filters and position.
async fn actions_keep_the_lists_filters(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    let ids = insert_people(&w, &[Fixture::new("bob", "Bob", &[Role::Owner])]).await;
    let bob = ids[0].to_string();
    let body = serde_urlencoded::to_string([("user", bob.as_str()), ("enabled", "false")]).unwrap();
    let req = Request::post("/api/admin/users/status")
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCEPT, "text/html")
        .header(
            header::REFERER,
            format!("{ORIGIN}/admin/users?q=bo&role=owner&after=a&notice=Earlier"),
        )
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!(
                "{}={}",
                crate::client::COOKIE,
                admin.client.cookie().unwrap()
            ),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = w.send(req).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let location = r.header(header::LOCATION.as_str()).to_string();
    assert_eq!(
        location, "/admin/users?q=bo&role=owner&after=a",
        "the page's own query comes back; nothing of the outcome travels in the address"
    );
    let row = crate::client::user_row(&admin.client, "bob").await;
    assert_eq!(row.status, UserStatus::Disabled);

    // The notice waits in the session for the next page, once.
    let page = admin.client.page(&location).await;
    assert!(
        page.body
            .contains("User disabled; their sessions were ended."),
        "{}",
        page.body
    );
    let again = admin.client.page(&location).await;
    assert!(!again.body.contains("User disabled;"), "shown once");

    // Text put in an address is never shown in the portal's own voice.
    let forged = admin
        .client
        .page("/admin/users?notice=Your+account+is+locked.+Call+0800+123&error=Pay+the+fine+now&field=q")
        .await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(!forged.body.contains("Your account is locked"));
    assert!(!forged.body.contains("Pay the fine now"));
}
on_each_backend!(
    actions_keep_the_lists_filters_on_each_backend,
    actions_keep_the_lists_filters
);

// ---------------------------------------------------------------------------------------------
// The owner search.

async fn search(client: &Client<'_>, q: &str) -> Vec<PersonRef> {
    client
        .call("/api/applications/owners/search", &[("q", q)])
        .await
}

async fn the_owner_search_finds_only_people_who_may_own_at_most_ten_and_not_for_auditors(
    db: &TestDb,
) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    let alice = invited(&admin, "alice", &["owner"]).await;
    let carol = invited(&admin, "carol", &["security"]).await;
    let dave = invited(&admin, "dave", &["auditor"]).await;
    let mut people: Vec<Fixture> = (1..=14)
        .map(|i| {
            Fixture::new(
                &format!("olga{i:02}"),
                &format!("Olga Number {i:02}"),
                &[Role::Owner],
            )
            .status(if i % 2 == 0 {
                UserStatus::Invited
            } else {
                UserStatus::Active
            })
        })
        .collect();
    people.extend([
        Fixture::new("olga.disabled", "Olga Gone", &[Role::Owner]).status(UserStatus::Disabled),
        Fixture::new("olga.security", "Olga Guard", &[Role::Security]),
        Fixture::new("olga.auditor", "Olga Reads", &[Role::Auditor]),
        // Contains the search but does not start with it.
        Fixture::new("zolga", "Zed", &[Role::Owner]),
    ]);
    insert_people(&w, &people).await;
    let may_own: BTreeSet<String> = (1..=14).map(|i| format!("olga{i:02}")).collect();

    let found = search(&alice.client, "olg").await;
    assert_eq!(found.len() as u64, OWNER_SEARCH_LIMIT, "{found:?}");
    for p in &found {
        assert!(may_own.contains(&p.username), "{} may not own", p.username);
    }
    let found: Vec<String> = search(&alice.client, "OLGA1")
        .await
        .into_iter()
        .map(|p| p.username)
        .collect();
    assert_eq!(found, ["olga10", "olga11", "olga12", "olga13", "olga14"]);
    // By display name; the one that only contains the text comes after those that start with it.
    let found = search(&carol.client, "number 03").await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].username.as_str(), found[0].name.as_str()),
        ("olga03", "Olga Number 03")
    );
    let found: Vec<String> = search(&admin.client, "olga0")
        .await
        .into_iter()
        .map(|p| p.username)
        .collect();
    assert_eq!(found.len(), 9);
    assert!(search(&alice.client, "zolg").await.len() == 1);
    // Nobody disabled, nobody without the owner role, nothing for nothing, `%` literal.
    assert!(search(&alice.client, "olga.disabled").await.is_empty());
    assert!(search(&alice.client, "olga.security").await.is_empty());
    assert!(search(&alice.client, "Reads").await.is_empty());
    assert!(search(&alice.client, "  ").await.is_empty());
    assert!(search(&alice.client, "%").await.is_empty());
    // The owner themself is found like anyone else who may own.
    assert_eq!(search(&alice.client, "alice").await[0].id, alice.user.id);

    // Auditors read everything but choose no owners: refused.
    let r = dave
        .client
        .post("/api/applications/owners/search", &[("q", "olg")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(error_of(&r), app::error::AppError::Forbidden);
    // And nobody signed out.
    let r = Client::new(&w)
        .post("/api/applications/owners/search", &[("q", "olg")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // One statement for the search (besides the session), whatever matches.
    let (few, _) = statements_of(&w, search(&alice.client, "zolg")).await;
    let (many, _) = statements_of(&w, search(&alice.client, "o")).await;
    assert_eq!(few, many);
    let ids: Vec<UserId> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .filter(app_user::Column::Username.like("olga%"))
        .into_tuple()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(ids.len(), 17, "the fixture is there");
}
on_each_backend!(
    the_owner_search_finds_only_people_who_may_own_at_most_ten_and_not_for_auditors_on_each_backend,
    the_owner_search_finds_only_people_who_may_own_at_most_ten_and_not_for_auditors
);
