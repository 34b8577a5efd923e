//! The pure parts of API tokens: the secret's format and its stored hash, reading an
//! `Authorization` header, the expiry rule, a token's state at a time, and the arithmetic of the
//! per-minute use window. No clock (time is a parameter), no database.

use super::model::{
    EXPIRY_DAYS_DEFAULT, EXPIRY_DAYS_MAX, EXPIRY_DAYS_MIN, SECRET_PREFIX, TokenState,
    USES_PER_MINUTE,
};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

/// Random bytes in a secret: 160 bits.
pub const SECRET_BYTES: usize = 20;
/// Characters after the prefix: the bytes in lower-case hex.
pub const SECRET_CHARS: usize = 2 * SECRET_BYTES;
/// Characters of the secret kept (and shown) to tell tokens apart: the prefix and 8 more.
pub const SHOWN_CHARS: usize = SECRET_PREFIX.len() + 8;

/// The secret made of `random`: `ppt_` and the bytes in lower-case hex (44 characters).
pub fn secret_from(random: &[u8; SECRET_BYTES]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(SECRET_PREFIX.len() + SECRET_CHARS);
    s.push_str(SECRET_PREFIX);
    for b in random {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

/// Whether `secret` has the shape of one the portal issues (checked before any database work).
pub fn is_well_formed(secret: &str) -> bool {
    secret.strip_prefix(SECRET_PREFIX).is_some_and(|rest| {
        rest.len() == SECRET_CHARS
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// What is stored of a secret: its SHA-256 in lower-case hex (a secret of 160 random bits
/// needs no slow hash: nobody guesses it).
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The start of the secret that is kept and shown (`ppt_1a2b3c4d`).
pub fn shown_prefix(secret: &str) -> String {
    secret.chars().take(SHOWN_CHARS).collect()
}

/// Why a request's credentials are not a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BearerProblem {
    /// No `Authorization` header.
    Missing,
    /// Another scheme, or no token after `Bearer`.
    NotBearer,
    /// Not the shape of a secret the portal issues.
    Malformed,
}

impl BearerProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Send an API token: Authorization: Bearer <token>.",
            Self::NotBearer => "The Authorization header must be: Bearer <token>.",
            Self::Malformed => "This is not a valid API token.",
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme's case does not matter;
/// spaces around the token are ignored).
pub fn bearer(header: Option<&str>) -> Result<&str, BearerProblem> {
    let header = header.ok_or(BearerProblem::Missing)?.trim();
    let (scheme, token) = header.split_once(' ').ok_or(BearerProblem::NotBearer)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(BearerProblem::NotBearer);
    }
    if !is_well_formed(token) {
        return Err(BearerProblem::Malformed);
    }
    Ok(token)
}

/// A token's life in days as typed: empty is the default (30); otherwise a whole number from 1
/// to 90.
pub fn expiry_days(typed: &str) -> Result<i64, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(EXPIRY_DAYS_DEFAULT);
    }
    match typed.parse::<i64>() {
        Ok(d) if (EXPIRY_DAYS_MIN..=EXPIRY_DAYS_MAX).contains(&d) => Ok(d),
        _ => Err(format!(
            "Choose a whole number of days from {EXPIRY_DAYS_MIN} to {EXPIRY_DAYS_MAX}."
        )),
    }
}

/// When a token issued at `now` for `days` days expires.
pub fn expires_at(now: OffsetDateTime, days: i64) -> OffsetDateTime {
    now + Duration::days(days)
}

/// A token's state at `now`: revoked before all, then expired from its expiry on.
pub fn state_at(expires_at: OffsetDateTime, revoked: bool, now: OffsetDateTime) -> TokenState {
    if revoked {
        TokenState::Revoked
    } else if now >= expires_at {
        TokenState::Expired
    } else {
        TokenState::Active
    }
}

/// The Unix minute `now` falls in: the use window's key.
pub fn minute_of(now: OffsetDateTime) -> i64 {
    now.unix_timestamp().div_euclid(60)
}

/// Seconds from `now` until the next minute's window opens (1 to 60).
pub fn retry_after_secs(now: OffsetDateTime) -> u64 {
    let into = now.unix_timestamp().rem_euclid(60);
    u64::try_from(60 - into).unwrap_or(60)
}

/// The use window after one more use at `now`, given the stored one (`start`: its Unix minute;
/// `count`: uses in it): `Ok((start, count))` to store, or `Err(seconds)` to wait when the
/// minute's uses are spent. The database applies the same rule in one conditional update, so
/// that every instance counts against the same window.
pub fn next_window(start: i64, count: i64, now: OffsetDateTime) -> Result<(i64, i64), u64> {
    let minute = minute_of(now);
    if start != minute {
        return Ok((minute, 1));
    }
    if count >= USES_PER_MINUTE {
        return Err(retry_after_secs(now));
    }
    Ok((minute, count + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_secret_is_the_prefix_and_forty_hex_characters() {
        let s = secret_from(&[0xab; SECRET_BYTES]);
        assert_eq!(s, format!("ppt_{}", "ab".repeat(20)));
        assert_eq!(s.len(), 44);
        assert!(is_well_formed(&s));
        let mut bytes = [0u8; SECRET_BYTES];
        bytes[0] = 0x0f;
        bytes[19] = 0xf0;
        let s = secret_from(&bytes);
        assert!(s.starts_with("ppt_0f00") && s.ends_with("00f0"), "{s}");
        assert_eq!(shown_prefix(&s), "ppt_0f000000");
    }

    #[test]
    fn only_secrets_of_the_issued_shape_are_well_formed() {
        let good = format!("ppt_{}", "0123456789abcdef0123456789abcdef01234567");
        assert!(is_well_formed(&good));
        for bad in [
            "",
            "ppt_",
            "ppt_abc",
            &good[..43],
            &format!("{good}0"),
            &good.to_uppercase(),
            &good.replace("ppt_", "pat_"),
            &good.replacen('a', "g", 1),
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn the_stored_hash_is_sha256_hex() {
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let s = secret_from(&[7; SECRET_BYTES]);
        assert_eq!(secret_hash(&s).len(), 64);
        assert!(!secret_hash(&s).contains(&s[4..]));
    }

    #[test]
    fn a_bearer_header_gives_its_token() {
        let t = secret_from(&[1; SECRET_BYTES]);
        assert_eq!(bearer(Some(&format!("Bearer {t}"))), Ok(t.as_str()));
        assert_eq!(bearer(Some(&format!("bearer   {t} "))), Ok(t.as_str()));
        assert_eq!(bearer(None), Err(BearerProblem::Missing));
        assert_eq!(bearer(Some("")), Err(BearerProblem::NotBearer));
        assert_eq!(bearer(Some("Bearer")), Err(BearerProblem::NotBearer));
        assert_eq!(bearer(Some("Bearer ")), Err(BearerProblem::NotBearer));
        assert_eq!(
            bearer(Some(&format!("Basic {t}"))),
            Err(BearerProblem::NotBearer)
        );
        assert_eq!(
            bearer(Some("Bearer ppt_nothex")),
            Err(BearerProblem::Malformed)
        );
        assert_eq!(
            bearer(Some(&format!("Bearer {t} {t}"))),
            Err(BearerProblem::Malformed)
        );
    }

    #[test]
    fn a_token_lives_1_to_90_days_30_by_default() {
        assert_eq!(expiry_days(""), Ok(30));
        assert_eq!(expiry_days("  "), Ok(30));
        assert_eq!(expiry_days("1"), Ok(1));
        assert_eq!(expiry_days(" 90 "), Ok(90));
        for bad in ["0", "91", "-1", "7.5", "thirty", "99999999999999999999"] {
            assert!(expiry_days(bad).is_err(), "{bad}");
        }
        let now = datetime!(2026-12-01 10:00 UTC);
        assert_eq!(expires_at(now, 30), datetime!(2026-12-31 10:00 UTC));
    }

    #[test]
    fn revoked_before_expired_before_active() {
        let exp = datetime!(2026-12-31 10:00 UTC);
        let before = datetime!(2026-12-31 09:59:59 UTC);
        assert_eq!(state_at(exp, false, before), TokenState::Active);
        assert_eq!(state_at(exp, false, exp), TokenState::Expired);
        assert_eq!(state_at(exp, true, before), TokenState::Revoked);
        assert_eq!(
            state_at(exp, true, datetime!(2027-01-05 00:00 UTC)),
            TokenState::Revoked
        );
    }

    #[test]
    fn sixty_uses_a_minute_then_wait_for_the_next() {
        let t0 = datetime!(2026-12-01 10:00:15 UTC);
        let minute = minute_of(t0);
        assert_eq!(minute, t0.unix_timestamp() / 60);
        // A window from an earlier minute starts again.
        assert_eq!(next_window(minute - 1, 60, t0), Ok((minute, 1)));
        assert_eq!(next_window(0, 0, t0), Ok((minute, 1)));
        let (mut start, mut count) = (0, 0);
        for n in 1..=USES_PER_MINUTE {
            (start, count) = next_window(start, count, t0).expect("within the limit");
            assert_eq!((start, count), (minute, n));
        }
        // The 61st in the same minute waits until the next one opens, 45 s later.
        assert_eq!(next_window(start, count, t0), Err(45));
        let last_second = datetime!(2026-12-01 10:00:59 UTC);
        assert_eq!(next_window(start, count, last_second), Err(1));
        let next_minute = datetime!(2026-12-01 10:01:00 UTC);
        assert_eq!(next_window(start, count, next_minute), Ok((minute + 1, 1)));
        assert_eq!(retry_after_secs(next_minute), 60);
    }
}
