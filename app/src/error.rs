//! The one error type that crosses the wire. Variants are what the UI can act on; infrastructure
//! failures become `Internal` (or `Unavailable`) in one place and are logged there once.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Validation { field: String, message: String },
    /// Several values refused at once: every problem, each next to its field.
    #[error("{}", summary(problems))]
    Invalid { problems: Vec<Problem> },
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The service is temporarily unavailable. Try again shortly.")]
    Unavailable,
    /// The database's write lock stayed taken (a long write such as a bulk import) for as long
    /// as a request may wait for it: nothing was written; try again after the pause given.
    #[error("The portal is busy with another change. Try again in {retry_after_secs} seconds.")]
    Busy { retry_after_secs: u64 },
    #[error("Something went wrong on our side (reference {reference}).")]
    Internal { reference: String },
    /// The request itself could not be carried out (bad arguments, network failure).
    #[error("{0}")]
    Request(String),
}

/// One value refused: the form field it belongs next to and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn summary(problems: &[Problem]) -> String {
    match problems {
        [] => "Something in the form needs attention.".to_string(),
        [one] => one.message.clone(),
        many => format!("{} things need attention.", many.len()),
    }
}

impl AppError {
    /// The refusal of every problem found: none is no refusal, one is a [`AppError::Validation`].
    pub fn from_problems(mut problems: Vec<Problem>) -> Result<(), Self> {
        match problems.len() {
            0 => Ok(()),
            1 => {
                let p = problems.remove(0);
                Err(Self::validation(p.field, p.message))
            }
            _ => Err(Self::Invalid { problems }),
        }
    }

    /// Every value the error refuses, each with its field (empty for other errors).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Validation { field, message } => vec![Problem {
                field: field.clone(),
                message: message.clone(),
            }],
            Self::Invalid { problems } => problems.clone(),
            _ => Vec::new(),
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status that goes with the error.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Validation { .. } | Self::Invalid { .. } | Self::Request(_) => 400,
            Self::Conflict(_) => 409,
            Self::RateLimited { .. } => 429,
            Self::Unavailable | Self::Busy { .. } => 503,
            Self::Internal { .. } => 500,
        }
    }

    /// The pause a client should take before trying again (`Retry-After`), if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } | Self::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// The field a validation message belongs next to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            Self::Invalid { problems } => problems.first().map(|p| p.field.as_str()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Arguments that cannot be read are the caller's mistake: 400, not 500.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_)
        ) && let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            options.set_status(http::StatusCode::BAD_REQUEST);
        }
        Self::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
pub use server::{BUSY_RETRY_AFTER_SECS, is_busy};

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;
    use sea_orm::DbErr;

    impl AppError {
        /// Logs an unexpected failure once, with a reference the user can quote.
        pub fn internal(err: impl std::fmt::Display) -> Self {
            let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
            tracing::error!(%reference, error = %err, "internal error");
            Self::Internal { reference }
        }
    }

    impl AppError {
        /// A unique-constraint violation becomes a validation message on `field` (a taken name);
        /// any other database error stays what it is.
        pub fn taken(field: &'static str, message: &'static str) -> impl FnOnce(DbErr) -> AppError {
            move |e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    AppError::validation(field, message)
                }
                _ => e.into(),
            }
        }
    }

    impl From<DbErr> for AppError {
        /// The database out of reach (see [`crate::ssr::db::is_unavailable`]) is `Unavailable`
        /// (503 with `Retry-After`); any other failure is `Internal`.
        fn from(err: DbErr) -> Self {
            match err {
                ref e if is_busy(e) => {
                    tracing::warn!(error = %e, "the database stayed locked: answered busy");
                    Self::Busy {
                        retry_after_secs: BUSY_RETRY_AFTER_SECS,
                    }
                }
                ref e if crate::ssr::db::is_unavailable(e) => {
                    tracing::warn!(error = %e, "database unavailable");
                    Self::Unavailable
                }
                other => Self::internal(other),
            }
        }
    }

    /// The pause suggested to a writer that could not get the database's write lock in time.
    pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

    /// Whether `err` is SQLite's "database is busy / locked" (primary codes 5 and 6, with their
    /// extended codes): the write lock stayed taken past the busy timeout.
    pub fn is_busy(err: &DbErr) -> bool {
        let runtime = match err {
            DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
            _ => return false,
        };
        let sea_orm::RuntimeErr::SqlxError(e) = runtime else {
            return false;
        };
        let Some(db) = e.as_database_error() else {
            return false;
        };
        let Some(code) = db.code() else {
            return false;
        };
        // Only SQLite reports these bare numeric codes (PostgreSQL's are five-character SQLSTATEs).
        matches!(code.parse::<u32>().map(|c| c & 0xff), Ok(5 | 6)) && code.len() <= 4
    }
}

impl From<(&'static str, String)> for AppError {
    /// A validation failure from a pure check: (field, message).
    fn from((field, message): (&'static str, String)) -> Self {
        Self::Validation {
            field: field.into(),
            message,
        }
    }
}
