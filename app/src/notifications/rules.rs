//! The pure parts of notifications and webhooks: the signature of a delivery, the body sent, the
//! retry schedule, and which webhook addresses are acceptable. No clock, no database.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use time::{Duration, OffsetDateTime};

/// The longest webhook address accepted (the column's width).
pub const WEBHOOK_URL_MAX: usize = 2000;

/// Attempts made before a delivery is given up (marked failed).
pub const MAX_ATTEMPTS: i32 = 6;

/// The wait before the next attempt, after `attempts_made` failed attempts (1-based); `None` when
/// the delivery is given up.
pub fn retry_delay(attempts_made: i32) -> Option<Duration> {
    match attempts_made {
        ..=1 => Some(Duration::seconds(30)),
        2 => Some(Duration::minutes(2)),
        3 => Some(Duration::minutes(10)),
        4 => Some(Duration::hours(1)),
        5 => Some(Duration::hours(6)),
        _ => None,
    }
}

/// HMAC-SHA256 of `message` under `key`, in lower-case hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Portal-Signature` header of a delivery: `sha256=` and the HMAC-SHA256, under the
/// webhook's secret (its text, as shown to the administrator), of `"<timestamp>.<body>"`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let signed = format!("{timestamp}.{body}");
    format!(
        "sha256={}",
        hmac_sha256_hex(secret.as_bytes(), signed.as_bytes())
    )
}

/// The JSON body of a delivery: `{"event", "id", "occurred_at", "data"}`.
pub fn delivery_body(
    event: &str,
    delivery_id: &str,
    occurred_at: OffsetDateTime,
    data: &serde_json::Value,
) -> String {
    let occurred_at = occurred_at
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| occurred_at.unix_timestamp().to_string());
    serde_json::json!({
        "event": event,
        "id": delivery_id,
        "occurred_at": occurred_at,
        "data": data,
    })
    .to_string()
}

/// Whether `link` is a path inside the portal (`/…`, never `//host` or `/\host`), safe to put in
/// an `href`.
pub fn is_portal_path(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && !link.starts_with("/\\")
        && !link.chars().any(|c| c.is_control() || c == '\\')
}

/// Where the portal itself answers: a webhook must never point there.
#[derive(Clone, Debug)]
pub struct PortalAddress {
    /// The public origin, e.g. `https://portal.example.com`.
    pub public_origin: String,
    /// The socket address the server listens on.
    pub bind: SocketAddr,
}

/// Checks a webhook address: http or https, a host, no credentials, at most
/// [`WEBHOOK_URL_MAX`] characters, and not the portal itself (its public origin, or a loopback,
/// unspecified or `localhost` host, or its bind address, on the port it listens on). Returns the
/// address as written (trimmed).
pub fn check_webhook_url(
    raw: &str,
    portal: &PortalAddress,
) -> Result<String, (&'static str, String)> {
    let refuse = |m: &str| Err(("url", m.to_string()));
    let text = raw.trim();
    if text.is_empty() {
        return refuse("Enter the address the portal should send events to.");
    }
    if text.chars().count() > WEBHOOK_URL_MAX {
        return refuse(&format!(
            "Keep the address to {WEBHOOK_URL_MAX} characters."
        ));
    }
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return refuse("The address cannot contain spaces or control characters.");
    }
    let Ok(url) = url::Url::parse(text) else {
        return refuse("This is not an address such as https://hooks.example.com/portal.");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse("The address must start with http:// or https://.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(
            "Do not put credentials in the address: the portal signs every delivery instead.",
        );
    }
    let Some(host) = url.host() else {
        return refuse("The address has no host.");
    };
    let port = url.port_or_known_default();
    let own = "This address is the portal itself: a webhook must point at another service.";
    if let Ok(public) = url::Url::parse(&portal.public_origin)
        && public.host_str().map(str::to_ascii_lowercase)
            == url.host_str().map(str::to_ascii_lowercase)
        && public.port_or_known_default() == port
    {
        return refuse(own);
    }
    let own_host = match host {
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => is_own_ip(IpAddr::V4(ip), portal.bind),
        url::Host::Ipv6(ip) => is_own_ip(IpAddr::V6(ip), portal.bind),
    };
    if own_host && port == Some(portal.bind.port()) {
        return refuse(own);
    }
    Ok(text.to_string())
}

/// Whether `ip` reaches this machine's portal: loopback, unspecified (also as IPv4-mapped IPv6),
/// or the address it is bound to.
fn is_own_ip(ip: IpAddr, bind: SocketAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    ip.is_loopback() || ip.is_unspecified() || ip == bind.ip()
}

/// Whether a resolved address is the portal itself (a host name that resolves to a loopback
/// address on the bind port, say): checked again just before sending.
pub fn is_portal_socket(addr: SocketAddr, bind: SocketAddr) -> bool {
    addr.port() == bind.port() && is_own_ip(addr.ip(), bind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal() -> PortalAddress {
        PortalAddress {
            public_origin: "https://portal.example.com".into(),
            bind: "0.0.0.0:3000".parse().unwrap(),
        }
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let body = r#"{"event":"x"}"#;
        let s = signature("s3cret", 1_700_000_000, body);
        assert_eq!(
            s,
            format!(
                "sha256={}",
                hmac_sha256_hex(b"s3cret", br#"1700000000.{"event":"x"}"#)
            )
        );
        assert_ne!(s, signature("s3cret", 1_700_000_001, body));
        assert_ne!(s, signature("other", 1_700_000_000, body));
    }

    #[test]
    fn the_body_carries_event_id_time_and_data() {
        let t = time::macros::datetime!(2026-11-30 10:00:00 +01:00);
        let body = delivery_body("exception.reminder", "d1", t, &serde_json::json!({"a": 1}));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["event"], "exception.reminder");
        assert_eq!(v["id"], "d1");
        assert_eq!(v["occurred_at"], "2026-11-30T09:00:00Z");
        assert_eq!(v["data"]["a"], 1);
    }

    #[test]
    fn retries_back_off_then_give_up_after_six_attempts() {
        let delays: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_delay).collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::seconds(30)),
                Some(Duration::minutes(2)),
                Some(Duration::minutes(10)),
                Some(Duration::hours(1)),
                Some(Duration::hours(6)),
                None,
            ]
        );
        assert_eq!(retry_delay(7), None);
    }

    #[test]
    fn portal_paths_only() {
        assert!(is_portal_path("/exceptions/1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "javascript:x",
            "",
        ] {
            assert!(!is_portal_path(bad), "{bad}");
        }
    }

    #[test]
    fn good_addresses_are_accepted() {
        for ok in [
            "https://hooks.example.com/portal",
            "http://10.0.0.5:8080/in",
            "http://127.0.0.1:9000/hook",
            "https://portal.example.com:8443/elsewhere",
        ] {
            assert_eq!(check_webhook_url(ok, &portal()), Ok(ok.to_string()), "{ok}");
        }
    }

    #[test]
    fn bad_addresses_are_refused_on_the_url_field() {
        for bad in [
            "",
            "hooks.example.com",
            "ftp://hooks.example.com/",
            "javascript:alert(1)",
            "https://user:pass@hooks.example.com/",
            "https://token@hooks.example.com/",
            "https://hooks.example.com/a b",
        ] {
            let e = check_webhook_url(bad, &portal()).expect_err(bad);
            assert_eq!(e.0, "url", "{bad}");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(WEBHOOK_URL_MAX));
        assert!(check_webhook_url(&long, &portal()).is_err());
    }

    #[test]
    fn the_portal_itself_is_refused() {
        for own in [
            "https://portal.example.com/api/admin/users/invite",
            "https://PORTAL.example.com:443/",
            "http://localhost:3000/api",
            "http://127.0.0.1:3000/",
            "http://127.1.2.3:3000/",
            "http://0.0.0.0:3000/",
            "http://[::1]:3000/",
            "http://[::ffff:127.0.0.1]:3000/",
            "http://app.localhost:3000/",
        ] {
            let e = check_webhook_url(own, &portal()).expect_err(own);
            assert!(e.1.contains("portal itself"), "{own}: {}", e.1);
        }
        // The bind address itself, when it is a specific one.
        let p = PortalAddress {
            public_origin: "http://localhost:3000".into(),
            bind: "10.1.2.3:8080".parse().unwrap(),
        };
        assert!(check_webhook_url("http://10.1.2.3:8080/", &p).is_err());
        assert!(check_webhook_url("http://localhost:3000/x", &p).is_err());
        assert!(check_webhook_url("http://10.1.2.3:9090/", &p).is_ok());
    }

    #[test]
    fn resolved_addresses_of_the_portal_are_recognised() {
        let bind: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        for own in [
            "127.0.0.1:3000",
            "127.9.9.9:3000",
            "[::1]:3000",
            "[::ffff:127.0.0.1]:3000",
        ] {
            assert!(is_portal_socket(own.parse().unwrap(), bind), "{own}");
        }
        for other in ["127.0.0.1:3001", "93.184.216.34:3000", "[2001:db8::1]:3000"] {
            assert!(!is_portal_socket(other.parse().unwrap(), bind), "{other}");
        }
        let specific: SocketAddr = "10.1.2.3:8080".parse().unwrap();
        assert!(is_portal_socket("10.1.2.3:8080".parse().unwrap(), specific));
        assert!(!is_portal_socket(
            "10.1.2.4:8080".parse().unwrap(),
            specific
        ));
    }
}
