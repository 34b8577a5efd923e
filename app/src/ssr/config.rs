//! Configuration is a value, read once from the environment. Every variable is documented here and
//! in `.env.example`; a bad value stops start-up with a message that names the variable.

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// `PORTAL_DATABASE_URL`: `sqlite://path/to/file.db` (embedded) or `postgres://…`.
    pub database_url: String,
    /// `PORTAL_PUBLIC_URL`: the origin browsers see. WebAuthn's origin and relying-party id come
    /// from it, never from request headers.
    pub public_url: PublicUrl,
    /// `PORTAL_BIND`: the socket address the server listens on.
    pub bind: SocketAddr,
    /// `PORTAL_LOG`: a tracing filter, e.g. `info` or `app=debug,info`.
    /// Unset: `info` when serving, `warn` for the other commands (they print their result).
    pub log: Option<String>,
    /// `PORTAL_LOG_FORMAT`: `text` or `json`.
    pub log_json: bool,
    /// `PORTAL_SESSION_IDLE_MINUTES`: a session ends after this long without a request.
    pub session_idle: Duration,
    /// `PORTAL_SESSION_ABSOLUTE_HOURS`: a session ends this long after sign-in, whatever happens.
    pub session_absolute: Duration,
    /// `PORTAL_REQUEST_TIMEOUT_SECONDS`: a request still running after this is answered 503.
    pub request_timeout: Duration,
    /// `PORTAL_BODY_LIMIT_BYTES`: the largest request body accepted.
    pub body_limit: usize,
    /// `PORTAL_TRUSTED_PROXY`: when `true`, rate limits key on the last `X-Forwarded-For` hop
    /// instead of the peer address. Only set this behind a proxy that overwrites that header.
    pub trusted_proxy: bool,
    /// `LEPTOS_SITE_ROOT`: where the built stylesheet, JS and WASM are served from.
    pub site_root: String,
    /// `PORTAL_CHECKPOINT_KEY`: the file holding the Ed25519 key that signs the audit chain's
    /// checkpoints (made on first start; never in the database). Default: `checkpoint.key` in
    /// the SQLite database's folder, or `data/checkpoint.key` with PostgreSQL. Give every
    /// instance the same file.
    pub checkpoint_key: String,
}

/// The public origin, parsed once: scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, no trailing slash.
    pub origin: String,
    pub host: String,
    pub https: bool,
}

impl PublicUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, rest) = raw.split_once("://").ok_or_else(|| {
            format!("'{raw}' is not an absolute URL such as https://portal.example.com")
        })?;
        let https = match scheme {
            "https" => true,
            "http" => false,
            other => return Err(format!("scheme '{other}' is not http or https")),
        };
        if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('#') {
            return Err(format!(
                "'{raw}' must be an origin only: scheme, host and optional port"
            ));
        }
        let host = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => {
                port.parse::<u16>()
                    .map_err(|_| format!("port '{port}' is not a number from 1 to 65535"))?;
                host.to_string()
            }
            _ => rest.to_string(),
        };
        if host == "127.0.0.1" || host == "[::1]" {
            return Err(
                "browsers refuse WebAuthn on an IP address: use http://localhost:PORT".into(),
            );
        }
        if !https && host != "localhost" {
            return Err("plain http is allowed only for localhost; use https".into());
        }
        Ok(Self {
            origin: format!("{scheme}://{rest}"),
            host,
            https,
        })
    }

    /// The session cookie's name: `__Host-` prefixed whenever the portal is served over https.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-portal_session"
        } else {
            "portal_session"
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl Config {
    /// How long a writer waits for SQLite's write lock (held by another writer, such as the
    /// write phase of a bulk import) before it gives up and is answered 503 with
    /// `Retry-After`: half the request timeout, at most ten seconds, so that the writer answers
    /// before its request times out and keeps time for its own work.
    pub fn write_wait(&self) -> Duration {
        (self.request_timeout / 2).clamp(Duration::from_millis(250), Duration::from_secs(10))
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can build one by hand.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let err = |variable: &'static str, message: String| ConfigError { variable, message };
        let number =
            |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(v) => match v.trim().parse::<u64>() {
                        Ok(n) if (min..=max).contains(&n) => Ok(n),
                        _ => Err(err(
                            name,
                            format!("'{v}' is not a whole number from {min} to {max}"),
                        )),
                    },
                }
            };

        let database_url =
            get("PORTAL_DATABASE_URL").unwrap_or_else(|| "sqlite://data/portal.db".into());
        let checkpoint_key =
            get("PORTAL_CHECKPOINT_KEY").unwrap_or_else(|| default_checkpoint_key(&database_url));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                "PORTAL_DATABASE_URL",
                format!("'{database_url}' is neither sqlite://… nor postgres://…"),
            ));
        }
        let public_url = PublicUrl::parse(
            &get("PORTAL_PUBLIC_URL").unwrap_or_else(|| "http://localhost:3000".into()),
        )
        .map_err(|m| err("PORTAL_PUBLIC_URL", m))?;
        let bind_raw = get("PORTAL_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind = bind_raw.parse().map_err(|_| {
            err(
                "PORTAL_BIND",
                format!("'{bind_raw}' is not an address such as 127.0.0.1:3000"),
            )
        })?;
        let log_json = match get("PORTAL_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(err(
                    "PORTAL_LOG_FORMAT",
                    format!("'{other}' is not text or json"),
                ));
            }
        };
        let trusted_proxy = match get("PORTAL_TRUSTED_PROXY").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(err(
                    "PORTAL_TRUSTED_PROXY",
                    format!("'{other}' is not true or false"),
                ));
            }
        };
        Ok(Self {
            database_url,
            public_url,
            bind,
            log: get("PORTAL_LOG"),
            log_json,
            session_idle: Duration::from_secs(
                60 * number("PORTAL_SESSION_IDLE_MINUTES", 30, 1, 24 * 60)?,
            ),
            session_absolute: Duration::from_secs(
                3600 * number("PORTAL_SESSION_ABSOLUTE_HOURS", 12, 1, 24 * 7)?,
            ),
            request_timeout: Duration::from_secs(number(
                "PORTAL_REQUEST_TIMEOUT_SECONDS",
                30,
                1,
                600,
            )?),
            body_limit: number(
                "PORTAL_BODY_LIMIT_BYTES",
                1024 * 1024,
                1024,
                256 * 1024 * 1024,
            )? as usize,
            trusted_proxy,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            checkpoint_key,
        })
    }
}

/// `checkpoint.key` beside the SQLite file, or `data/checkpoint.key`.
fn default_checkpoint_key(database_url: &str) -> String {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match file.and_then(|f| std::path::Path::new(f).parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => {
            dir.join("checkpoint.key").to_string_lossy().into_owned()
        }
        _ => "data/checkpoint.key".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/portal.db");
        assert_eq!(c.public_url.origin, "http://localhost:3000");
        assert_eq!(c.public_url.host, "localhost");
        assert_eq!(c.session_idle, Duration::from_secs(30 * 60));
        assert_eq!(c.session_absolute, Duration::from_secs(12 * 3600));
        assert_eq!(c.public_url.session_cookie_name(), "portal_session");
    }

    #[test]
    fn a_writer_waits_less_than_the_request_timeout() {
        for (timeout, wait_ms) in [("1", 500), ("4", 2000), ("30", 10_000), ("600", 10_000)] {
            let c = config(&[("PORTAL_REQUEST_TIMEOUT_SECONDS", timeout)]).unwrap();
            assert_eq!(c.write_wait(), Duration::from_millis(wait_ms), "{timeout}");
            assert!(c.write_wait() < c.request_timeout);
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("PORTAL_DATABASE_URL", "mysql://x"),
            ("PORTAL_PUBLIC_URL", "localhost:3000"),
            ("PORTAL_PUBLIC_URL", "http://127.0.0.1:3000"),
            ("PORTAL_PUBLIC_URL", "http://portal.example.com"),
            ("PORTAL_PUBLIC_URL", "https://portal.example.com/path"),
            ("PORTAL_BIND", "nowhere"),
            ("PORTAL_SESSION_IDLE_MINUTES", "0"),
            ("PORTAL_SESSION_ABSOLUTE_HOURS", "many"),
            ("PORTAL_LOG_FORMAT", "xml"),
            ("PORTAL_TRUSTED_PROXY", "yes"),
        ] {
            let e = config(&[(var, value)]).expect_err(value);
            assert_eq!(e.variable, var, "{value}");
            assert!(e.to_string().contains(var));
        }
    }

    #[test]
    fn https_origin_gets_host_prefixed_cookie() {
        let c = config(&[("PORTAL_PUBLIC_URL", "https://portal.example.com:8443/")]).unwrap();
        assert_eq!(c.public_url.origin, "https://portal.example.com:8443");
        assert_eq!(c.public_url.host, "portal.example.com");
        assert!(c.public_url.https);
        assert_eq!(c.public_url.session_cookie_name(), "__Host-portal_session");
    }
}
