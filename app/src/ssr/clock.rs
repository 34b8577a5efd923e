//! Time is a parameter: everything that needs "now" asks the clock in the state, so tests can
//! freeze it and move it.

use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use time::macros::format_description;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<OffsetDateTime>>);

impl FixedClock {
    pub fn at(now: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(now)))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Timestamps stored as text (the audit trail hashes them) and shown in exports: fixed-width UTC,
/// so the bytes never depend on a driver.
pub fn format_timestamp(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A time as people read it on a page: `2026-11-22 12:45 UTC`.
pub fn display_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_fixed_width_utc() {
        let t = datetime!(2026-11-22 13:02:03.5 +01:00);
        assert_eq!(format_timestamp(t), "2026-11-22T12:02:03.500000Z");
        assert_eq!(display_time(t), "2026-11-22 12:02 UTC");
    }
}
