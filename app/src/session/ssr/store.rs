//! Server-side sessions: a tower-sessions store on sea-orm. Rows carry their expiry (enforced on
//! load and swept periodically) and the signed-in user, so all of a user's sessions can be ended.
//! A row is stored under a hash of the session id, never the id itself: whoever reads the table
//! (a backup, a replica, a support query) cannot present its sessions.

use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::AUTH_KEY;
use crate::ssr::clock::Clock;
use crate::ssr::db::{Db, is_unavailable};
use crate::ssr::entities::web_session;
use async_trait::async_trait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    clock: Arc<dyn Clock>,
}

/// The key a session is stored under: the SHA-256 of its id, in hex. The id is 128 random bits,
/// so an unsalted hash cannot be reversed or guessed.
pub fn session_key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

/// What a store error says when the database is out of reach, so that the request is answered
/// 503 (see [`answer`]) rather than 500.
const DATABASE_UNAVAILABLE: &str = "database unavailable";

fn backend(e: sea_orm::DbErr) -> session_store::Error {
    if is_unavailable(&e) {
        tracing::warn!(error = %e, "database unavailable");
        session_store::Error::Backend(DATABASE_UNAVAILABLE.into())
    } else {
        session_store::Error::Backend(e.to_string())
    }
}

/// A session error as the portal answers it: the database out of reach is `Unavailable`,
/// anything else is internal.
pub fn answer(e: tower_sessions::session::Error) -> AppError {
    match e {
        tower_sessions::session::Error::Store(session_store::Error::Backend(m))
            if m == DATABASE_UNAVAILABLE =>
        {
            AppError::Unavailable
        }
        other => AppError::internal(format!("session: {other}")),
    }
}

impl DbSessionStore {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    fn row(record: &Record) -> session_store::Result<web_session::ActiveModel> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(web_session::ActiveModel {
            id: Set(session_key(&record.id)),
            user_id: Set(signed_in_user(record)),
            data: Set(data),
            expires_at: Set(record.expiry_date.unix_timestamp()),
        })
    }

    /// Ends every session of `user` (sign-out everywhere, disabling, role changes, recovery).
    pub async fn delete_for_user<C: sea_orm::ConnectionTrait>(
        db: &C,
        user: UserId,
    ) -> Result<u64, sea_orm::DbErr> {
        let res = web_session::Entity::delete_many()
            .filter(web_session::Column::UserId.eq(user))
            .exec(db)
            .await?;
        Ok(res.rows_affected)
    }
}

/// The user a session belongs to, read from the typed auth bucket.
fn signed_in_user(record: &Record) -> Option<UserId> {
    record
        .data
        .get(AUTH_KEY)
        .and_then(|v| v.get("user_id"))
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; a collision is astronomically unlikely but still handled.
        for _ in 0..8 {
            match web_session::Entity::insert(Self::row(record)?)
                .exec_without_returning(self.db.conn())
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Err(session_store::Error::Backend(
            "could not allocate a unique session id".into(),
        ))
    }

    /// Updates a session that exists, and only then: a request still running for a session that
    /// was ended meanwhile (sign-out everywhere, recovery, a role change) must not write it back
    /// when it finishes. New sessions are `create`d.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match web_session::Entity::update(Self::row(record)?)
            .exec(self.db.conn())
            .await
        {
            Ok(_) | Err(sea_orm::DbErr::RecordNotUpdated) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.clock.now().unix_timestamp();
        let Some(row) = web_session::Entity::find_by_id(session_key(id))
            .filter(web_session::Column::ExpiresAt.gt(now))
            .one(self.db.conn())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        web_session::Entity::delete_by_id(session_key(id))
            .exec(self.db.conn())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = self.clock.now().unix_timestamp();
        web_session::Entity::delete_many()
            .filter(web_session::Column::ExpiresAt.lte(now))
            .exec(self.db.conn())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
