//! Rate limits for sign-in and enrolment: a sliding window of attempts per client address, kept in
//! memory per portal instance.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt; `Err(retry_after_secs)` when the client is over its limit.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 50_000 {
            // Bounded memory under a flood of addresses: forget idle clients.
            hits.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let q = hits.entry(client).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = *q.front().unwrap_or(&now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        q.push_back(now);
        Ok(())
    }
}

/// The client address a limit keys on: the peer, or behind a trusted proxy the last
/// `X-Forwarded-For` hop that proxy appended.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted_proxy: bool,
) -> Option<IpAddr> {
    let forwarded = forwarded_for
        .and_then(|v| v.rsplit(',').next())
        .and_then(|s| s.trim().parse().ok());
    match forwarded {
        Some(ip) if trusted_proxy => Some(ip),
        _ => peer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_says_when_to_retry() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(ip, t0).is_ok());
        }
        assert_eq!(l.check(ip, t0 + Duration::from_secs(20)), Err(40));
        assert!(
            l.check("10.0.0.2".parse().unwrap(), t0).is_ok(),
            "other clients unaffected"
        );
        assert!(
            l.check(ip, t0 + Duration::from_secs(61)).is_ok(),
            "the window slides"
        );
    }

    #[test]
    fn forwarded_for_only_behind_a_trusted_proxy() {
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let xff = Some("203.0.113.9, 198.51.100.7");
        assert_eq!(client_address(Some(peer), xff, false), Some(peer));
        assert_eq!(
            client_address(Some(peer), xff, true),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            client_address(Some(peer), Some("garbage"), true),
            Some(peer)
        );
    }
}
