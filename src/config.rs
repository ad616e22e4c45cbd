//! Settings, read once at start from the environment (and `.env`), validated, with defaults.
//!
//! Every variable is parsed here and nowhere else: a bad value stops the process before it
//! binds a socket or touches a database, with an error that names the variable.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite database file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite:PATH`, `sqlite://PATH`, a bare path, or a `postgres://` URL.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = match raw.strip_prefix("sqlite://") {
            Some(path) => path,
            None => match raw.strip_prefix("sqlite:") {
                Some(path) => path,
                None => {
                    if let Some((scheme, _)) = raw.split_once("://") {
                        return Err(format!(
                            "unsupported scheme `{scheme}://` (expected `sqlite:PATH` or `postgres://…`)"
                        ));
                    }
                    raw
                }
            },
        };
        if path.is_empty() {
            return Err("the SQLite path is empty".into());
        }
        if path == ":memory:" || path.contains("mode=memory") {
            return Err(
                "an in-memory database cannot be shared by the connection pool; give a file path"
                    .into(),
            );
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// A form safe to log: the PostgreSQL password is masked.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:password@host/db → postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// A string that must never reach a log line: `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// No `/metrics` endpoint (the default).
    Off,
    /// Anyone who can reach the server (keep it on a private network).
    Public,
    /// Only requests with this bearer token.
    Token(Secret),
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`): fine for a public read API, since tokens travel in headers, not cookies.
    Any,
    /// Only these exact origins (`https://www.example.com`); empty means no cross-origin access.
    List(Vec<String>),
}

/// Everything the server needs to know, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub jwt_secret: Option<Secret>,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub cors_origins: CorsOrigins,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// `max-age` of `Cache-Control` on public responses.
    pub cache_max_age: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub db_pool_size: u32,
    /// How long a request waits for a database connection before a 503.
    pub db_acquire_timeout: Duration,
    pub workers: usize,
    pub shutdown_timeout: Duration,
    /// The header a trusted reverse proxy puts the client address in (`X-Forwarded-For`,
    /// `X-Real-IP`). Unset: the peer address is the client, and such headers are ignored.
    pub client_ip_header: Option<String>,
    /// Login attempts allowed per client address, and per account, per minute.
    pub login_rate_per_ip: u32,
    pub login_rate_per_account: u32,
    /// Comments accepted per client address per minute.
    pub comment_rate_per_ip: u32,
    /// Whether anonymous read responses are cached in process (see `http::cache`).
    pub response_cache: bool,
    pub metrics: MetricsAccess,
    /// Longest a client may take to send a request's head (slow clients hold connections).
    pub request_timeout: Duration,
    /// Longest a client may take to send a request's body.
    pub body_timeout: Duration,
    /// How many bodies may be arriving slowly (for more than a second) at once; more are cut
    /// off at once.
    pub slow_body_limit: usize,
    /// Memory the response cache may use, in bytes.
    pub response_cache_bytes: u64,
    /// Background jobs this process runs at once (0: none; another process runs them).
    pub job_workers: usize,
    /// How often an idle job worker looks for due jobs.
    pub job_poll: Duration,
    /// How long a worker's claim on a job lasts without renewal; a job of a killed process
    /// runs again once it has passed.
    pub job_lease: Duration,
    /// Where this process keeps its search index (each instance needs its own).
    pub search_dir: PathBuf,
    /// Where media files are kept: a directory, or an S3 bucket for several instances.
    pub media_store: crate::media::storage::StoreUrl,
    /// How to reach an S3 media store.
    pub media_s3: crate::media::storage::S3Options,
    /// Where rendition URLs point (a CDN or the bucket); unset: `/media` on this server.
    pub media_public_url: Option<String>,
    /// The largest upload, in bytes.
    pub media_max_bytes: usize,
    /// The most pixels an uploaded image may have (judged from its header).
    pub media_max_pixels: u64,
    /// Images of at most this many pixels get their renditions during the upload; larger
    /// ones from a background job.
    pub media_inline_pixels: u64,
    /// Longest a client may take to send an upload.
    pub media_body_timeout: Duration,
    /// The public site: its address, URL patterns and publication details (feeds,
    /// sitemaps, structured data, every `url` field).
    pub site: crate::links::Site,
    /// Webhook delivery: the SSRF guard, timeouts, retries and when an endpoint is disabled.
    pub webhooks: crate::webhooks::Settings,
    /// How long the outbox keeps events (and the webhook delivery log), for stream resumes
    /// and replays (`SAHIFA_EVENTS_KEEP_DAYS`).
    pub events_keep: Duration,
    /// Requests per minute an API key may make unless it was given its own limit
    /// (`SAHIFA_API_KEY_RATE_LIMIT`).
    pub api_key_rate_limit: u32,
    /// How long audit entries are kept (`SAHIFA_AUDIT_KEEP_DAYS`, 0 for ever).
    pub audit_keep: Option<Duration>,
    /// How many revisions of each article or page are kept, newest first
    /// (`SAHIFA_REVISIONS_KEEP`, 0 for all).
    pub revisions_keep: u32,
}

/// A variable that could not be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl Settings {
    /// Reads the process environment (after `.env` has been loaded by the caller).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own variables.
    /// An empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let env = Env { get: &get };
        let database_url = env.parse("DATABASE_URL", "sqlite:sahifa.db", DatabaseUrl::parse)?;
        // SQLite's pool only reads (writes have a connection of their own). PostgreSQL runs
        // writes from the pool too, each waiting for its commit to be flushed: with 4, a burst
        // of comment submissions left reads queued behind them (mixed 95/5 load at 10,000 articles: p99 20.4 ms with 4, 8.1 ms with 10).
        let default_pool_size = match database_url {
            DatabaseUrl::Sqlite(_) => "4",
            DatabaseUrl::Postgres(_) => "10",
        };
        Ok(Self {
            bind: env.parse("SAHIFA_BIND", "127.0.0.1:8080", parse_bind)?,
            jwt_secret: match get("SAHIFA_JWT_SECRET") {
                Some(s) if s.len() < 32 => {
                    return Err(ConfigError {
                        var: "SAHIFA_JWT_SECRET",
                        message: "must be at least 32 bytes long (or unset to generate one)".into(),
                    });
                }
                other => other.map(Secret::new),
            },
            admin_email: get("SAHIFA_ADMIN_EMAIL"),
            admin_password: get("SAHIFA_ADMIN_PASSWORD").map(Secret::new),
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".into()),
            log_format: env.parse("SAHIFA_LOG_FORMAT", "text", |v| match v {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err("expected `text` or `json`".into()),
            })?,
            cors_origins: env.parse("SAHIFA_CORS_ORIGINS", "", parse_origins)?,
            max_body_bytes: env.parse("SAHIFA_MAX_BODY_BYTES", "1048576", |v| {
                bounded(v, 1024, 64 * 1024 * 1024)
            })?,
            cache_max_age: env.parse("SAHIFA_CACHE_MAX_AGE", "60", |v| {
                bounded(v, 0, 31_536_000).map(Duration::from_secs)
            })?,
            access_token_ttl: env.parse("SAHIFA_ACCESS_TOKEN_TTL", "900", |v| {
                bounded(v, 30, 86_400).map(Duration::from_secs)
            })?,
            refresh_token_ttl: env.parse("SAHIFA_REFRESH_TOKEN_TTL", "2592000", |v| {
                bounded(v, 60, 365 * 86_400).map(Duration::from_secs)
            })?,
            db_pool_size: env.parse("SAHIFA_DB_POOL_SIZE", default_pool_size, |v| {
                bounded(v, 1, 256)
            })?,
            db_acquire_timeout: env.parse("SAHIFA_DB_ACQUIRE_TIMEOUT_MS", "5000", |v| {
                bounded(v, 10, 600_000).map(Duration::from_millis)
            })?,
            workers: env.parse("SAHIFA_WORKERS", &default_workers().to_string(), |v| {
                bounded(v, 1, 1024)
            })?,
            shutdown_timeout: env.parse("SAHIFA_SHUTDOWN_TIMEOUT", "30", |v| {
                bounded(v, 0, 3600).map(Duration::from_secs)
            })?,
            client_ip_header: match get("SAHIFA_CLIENT_IP_HEADER") {
                None => None,
                Some(name) => Some(env.parse("SAHIFA_CLIENT_IP_HEADER", "", |_| {
                    parse_header_name(name.trim())
                })?),
            },
            login_rate_per_ip: env.parse("SAHIFA_LOGIN_RATE_PER_IP", "20", |v| {
                bounded(v, 1, 1_000_000)
            })?,
            login_rate_per_account: env.parse("SAHIFA_LOGIN_RATE_PER_ACCOUNT", "10", |v| {
                bounded(v, 1, 1_000_000)
            })?,
            comment_rate_per_ip: env.parse("SAHIFA_COMMENT_RATE_PER_IP", "5", |v| {
                bounded(v, 1, 1_000_000)
            })?,
            metrics: env.parse("SAHIFA_METRICS", "off", |v| match v {
                "off" => Ok(MetricsAccess::Off),
                "public" => Ok(MetricsAccess::Public),
                "token" => get("SAHIFA_METRICS_TOKEN")
                    .filter(|t| t.len() >= 16)
                    .map(|t| MetricsAccess::Token(Secret::new(t)))
                    .ok_or_else(|| {
                        "`token` needs SAHIFA_METRICS_TOKEN (16 characters or more)".into()
                    }),
                _ => Err("expected `off`, `public` or `token`".into()),
            })?,
            request_timeout: env.parse("SAHIFA_REQUEST_TIMEOUT_MS", "5000", |v| {
                bounded(v, 100, 600_000).map(Duration::from_millis)
            })?,
            body_timeout: env.parse("SAHIFA_BODY_TIMEOUT_MS", "15000", |v| {
                bounded(v, 100, 3_600_000).map(Duration::from_millis)
            })?,
            slow_body_limit: env
                .parse("SAHIFA_SLOW_BODY_LIMIT", "32", |v| bounded(v, 1, 100_000))?,
            // `auto` is what earlier versions defaulted to (then: off with PostgreSQL, before
            // instances heard each other's writes); it is kept for existing configurations.
            response_cache: env.parse("SAHIFA_RESPONSE_CACHE", "on", |v| match v {
                "on" | "auto" => Ok(true),
                "off" => Ok(false),
                _ => Err("expected `on` or `off`".into()),
            })?,
            response_cache_bytes: env.parse("SAHIFA_RESPONSE_CACHE_MB", "24", |v| {
                bounded(v, 1u64, 4096).map(|mb| mb * 1024 * 1024)
            })?,
            job_workers: env.parse("SAHIFA_JOB_WORKERS", "2", |v| bounded(v, 0, 64))?,
            job_poll: env.parse("SAHIFA_JOB_POLL_MS", "1000", |v| {
                bounded(v, 10, 600_000).map(Duration::from_millis)
            })?,
            job_lease: env.parse("SAHIFA_JOB_LEASE_SECS", "60", |v| {
                bounded(v, 1, 86_400).map(Duration::from_secs)
            })?,
            media_store: env.parse(
                "SAHIFA_MEDIA_STORE",
                "file:./media",
                crate::media::storage::StoreUrl::parse,
            )?,
            media_s3: crate::media::storage::S3Options {
                endpoint: get("AWS_ENDPOINT_URL").map(|v| v.trim().to_owned()),
                region: get("AWS_REGION").map(|v| v.trim().to_owned()),
                access_key_id: get("AWS_ACCESS_KEY_ID").map(|v| v.trim().to_owned()),
                secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(Secret::new),
                allow_http: env.parse("AWS_ALLOW_HTTP", "false", |v| match v {
                    "true" | "1" => Ok(true),
                    "false" | "0" => Ok(false),
                    _ => Err("expected `true` or `false`".into()),
                })?,
            },
            media_public_url: match get("SAHIFA_MEDIA_PUBLIC_URL") {
                None => None,
                Some(raw) => Some(env.parse("SAHIFA_MEDIA_PUBLIC_URL", "", |_| {
                    parse_public_url(raw.trim())
                })?),
            },
            media_max_bytes: env.parse("SAHIFA_MEDIA_MAX_BYTES", "20971520", |v| {
                bounded(v, 1024, 1024 * 1024 * 1024)
            })?,
            media_max_pixels: env.parse("SAHIFA_MEDIA_MAX_PIXELS", "50000000", |v| {
                bounded(v, 1u64, 268_402_689)
            })?,
            media_inline_pixels: env.parse("SAHIFA_MEDIA_INLINE_PIXELS", "4000000", |v| {
                bounded(v, 0u64, 268_402_689)
            })?,
            media_body_timeout: env.parse("SAHIFA_MEDIA_BODY_TIMEOUT_MS", "120000", |v| {
                bounded(v, 100, 3_600_000).map(Duration::from_millis)
            })?,
            site: site(&env)?,
            webhooks: webhooks(&env)?,
            events_keep: env.parse("SAHIFA_EVENTS_KEEP_DAYS", "7", |v| {
                bounded(v, 1u64, 3650).map(|days| Duration::from_secs(days * 86_400))
            })?,
            api_key_rate_limit: env.parse("SAHIFA_API_KEY_RATE_LIMIT", "600", |v| {
                bounded(v, 1u32, 1_000_000)
            })?,
            audit_keep: env.parse("SAHIFA_AUDIT_KEEP_DAYS", "365", |v| {
                bounded(v, 0u64, 36_500)
                    .map(|days| (days > 0).then(|| Duration::from_secs(days * 86_400)))
            })?,
            revisions_keep: env.parse("SAHIFA_REVISIONS_KEEP", "0", |v| {
                bounded(v, 0u32, 1_000_000)
            })?,
            search_dir: match get("SAHIFA_SEARCH_DIR") {
                Some(dir) => PathBuf::from(dir.trim()),
                None => default_search_dir(&database_url),
            },
            database_url,
        })
    }
}

/// Webhook delivery (`webhooks::Settings`).
fn webhooks(env: &Env<'_>) -> Result<crate::webhooks::Settings, ConfigError> {
    let secs = |v: &str, min: u64, max: u64| bounded(v, min, max).map(Duration::from_secs);
    Ok(crate::webhooks::Settings {
        allow_private: env.parse("SAHIFA_WEBHOOKS_ALLOW_PRIVATE", "false", |v| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("expected `true` or `false`".into()),
        })?,
        timeout: env.parse("SAHIFA_WEBHOOKS_TIMEOUT_SECS", "10", |v| secs(v, 1, 60))?,
        backoff_base: env.parse("SAHIFA_WEBHOOKS_BACKOFF_BASE_SECS", "10", |v| {
            secs(v, 1, 3600)
        })?,
        backoff_cap: env.parse("SAHIFA_WEBHOOKS_BACKOFF_CAP_SECS", "3600", |v| {
            secs(v, 1, 86_400)
        })?,
        retry_for: env.parse("SAHIFA_WEBHOOKS_RETRY_FOR_SECS", "259200", |v| {
            secs(v, 1, 30 * 86_400)
        })?,
        disable_after: env.parse("SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS", "432000", |v| {
            secs(v, 1, 90 * 86_400)
        })?,
    })
}

/// The public site's settings (`links::Site`).
fn site(env: &Env<'_>) -> Result<crate::links::Site, ConfigError> {
    use crate::links::{self, Kind, Pattern};
    let defaults = links::Site::default();
    let public_url = match (env.get)("SAHIFA_PUBLIC_URL") {
        None => None,
        Some(_) => Some(env.parse("SAHIFA_PUBLIC_URL", "", parse_public_url)?),
    };
    let pattern = |var: &'static str, default: &str, kind: Kind| {
        env.parse(var, default, |v| Pattern::parse(v, kind))
    };
    Ok(links::Site {
        article: pattern("SAHIFA_URL_ARTICLE", links::DEFAULT_ARTICLE, Kind::Article)?,
        section: pattern("SAHIFA_URL_SECTION", links::DEFAULT_SECTION, Kind::Section)?,
        tag: pattern("SAHIFA_URL_TAG", links::DEFAULT_TAG, Kind::Tag)?,
        author: pattern("SAHIFA_URL_AUTHOR", links::DEFAULT_AUTHOR, Kind::Author)?,
        page: pattern("SAHIFA_URL_PAGE", links::DEFAULT_PAGE, Kind::Page)?,
        name: env.parse("SAHIFA_SITE_NAME", "", |v| {
            if v.chars().count() > 200 {
                return Err("at most 200 characters".into());
            }
            Ok(if v.is_empty() {
                // The host of the public URL reads better than a placeholder.
                public_url
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| defaults.name.clone())
            } else {
                v.to_owned()
            })
        })?,
        lang: env.parse("SAHIFA_SITE_LANG", &defaults.lang, |v| {
            if crate::text::lang::is_valid_language_tag(v) {
                Ok(crate::text::lang::canonical_language_tag(v))
            } else {
                Err("expected a BCP 47 language tag such as ar or en-GB".to_string())
            }
        })?,
        logo: match (env.get)("SAHIFA_SITE_LOGO") {
            None => None,
            Some(_) => Some(env.parse("SAHIFA_SITE_LOGO", "", parse_public_url)?),
        },
        feed_full_content: env.parse("SAHIFA_FEED_CONTENT", "full", |v| match v {
            "full" => Ok(true),
            "excerpt" => Ok(false),
            _ => Err("expected `full` or `excerpt`".into()),
        })?,
        feed_size: env.parse("SAHIFA_FEED_SIZE", "50", |v| bounded(v, 1, 500))?,
        public_url,
    })
}

/// Beside an SQLite file (`news.db` → `news.db.search`); for PostgreSQL, `search-index` in
/// the working directory.
pub fn default_search_dir(database_url: &DatabaseUrl) -> PathBuf {
    match database_url {
        DatabaseUrl::Sqlite(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".search");
            PathBuf::from(name)
        }
        DatabaseUrl::Postgres(_) => PathBuf::from("search-index"),
    }
}

struct Env<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    fn parse<T>(
        &self,
        var: &'static str,
        default: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let value = (self.get)(var).unwrap_or_else(|| default.to_owned());
        parse(value.trim()).map_err(|message| ConfigError {
            var,
            message: format!("invalid value `{value}`: {message}"),
        })
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn bounded<T>(raw: &str, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let value: T = raw
        .parse()
        .map_err(|_| format!("expected a whole number between {min} and {max}"))?;
    if value < min || value > max {
        return Err(format!("must be between {min} and {max}"));
    }
    Ok(value)
}

fn parse_bind(raw: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = raw.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // Allow `localhost:8080`, resolved once here.
    raw.to_socket_addrs()
        .map_err(|_| "expected HOST:PORT, e.g. 127.0.0.1:8080".to_string())?
        .next()
        .ok_or_else(|| "the host name resolves to no address".to_string())
}

/// An absolute http(s) URL without query or fragment, kept without its trailing slash.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(
            "expected an absolute http or https URL, as in https://cdn.example.com/media".into(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn parse_header_name(raw: &str) -> Result<String, String> {
    actix_web::http::header::HeaderName::from_bytes(raw.as_bytes())
        .map(|name| name.as_str().to_owned())
        .map_err(|_| "not a valid HTTP header name".to_string())
}

fn parse_origins(raw: &str) -> Result<CorsOrigins, String> {
    if raw == "*" {
        return Ok(CorsOrigins::Any);
    }
    let mut origins = Vec::new();
    for origin in raw.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let (scheme, host) = origin
            .split_once("://")
            .ok_or_else(|| format!("`{origin}` is not an origin like https://example.com"))?;
        if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains('/') {
            return Err(format!(
                "`{origin}` is not an origin like https://example.com (no path, no trailing slash)"
            ));
        }
        origins.push(origin.to_owned());
    }
    Ok(CorsOrigins::List(origins))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_api_contract() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("sahifa.db".into()));
        assert_eq!(s.bind, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(s.log_filter, "info");
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.cors_origins, CorsOrigins::List(vec![]));
        assert!(s.jwt_secret.is_none());
        assert!(s.response_cache);
        assert_eq!(s.response_cache_bytes, 24 * 1024 * 1024);
    }

    #[test]
    fn the_pool_is_larger_by_default_on_postgresql_and_as_configured_on_both() {
        assert_eq!(settings(&[]).unwrap().db_pool_size, 4);
        let pg = [("DATABASE_URL", "postgres://u@localhost/db")];
        assert_eq!(settings(&pg).unwrap().db_pool_size, 10);
        let pg_sized = [pg[0], ("SAHIFA_DB_POOL_SIZE", "3")];
        assert_eq!(settings(&pg_sized).unwrap().db_pool_size, 3);
        for cache in ["on", "auto"] {
            assert!(
                settings(&[("SAHIFA_RESPONSE_CACHE", cache)])
                    .unwrap()
                    .response_cache
            );
        }
        assert!(
            !settings(&[("SAHIFA_RESPONSE_CACHE", "off")])
                .unwrap()
                .response_cache
        );
    }

    #[test]
    fn database_urls_of_every_accepted_form_parse() {
        for (raw, want) in [
            ("sqlite:data/x.db", DatabaseUrl::Sqlite("data/x.db".into())),
            (
                "sqlite:///tmp/x.db",
                DatabaseUrl::Sqlite("/tmp/x.db".into()),
            ),
            ("x.db", DatabaseUrl::Sqlite("x.db".into())),
            (
                "postgres://u:p@localhost/db",
                DatabaseUrl::Postgres("postgres://u:p@localhost/db".into()),
            ),
        ] {
            assert_eq!(DatabaseUrl::parse(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://localhost/db"),
            ("DATABASE_URL", "sqlite::memory:"),
            ("SAHIFA_BIND", "not an address"),
            ("SAHIFA_BIND", "127.0.0.1:99999"),
            ("SAHIFA_LOG_FORMAT", "xml"),
            ("SAHIFA_CORS_ORIGINS", "example.com"),
            ("SAHIFA_CORS_ORIGINS", "https://example.com/"),
            ("SAHIFA_MAX_BODY_BYTES", "-1"),
            ("SAHIFA_DB_POOL_SIZE", "0"),
            ("SAHIFA_JWT_SECRET", "short"),
            ("SAHIFA_PUBLIC_URL", "almufeed.example"),
            ("SAHIFA_PUBLIC_URL", "ftp://almufeed.example"),
            ("SAHIFA_URL_ARTICLE", "/{yyyy}/{mm}"),
            ("SAHIFA_URL_ARTICLE", "{slug}"),
            ("SAHIFA_URL_SECTION", "/s/{nope}"),
            ("SAHIFA_URL_TAG", "/tag/{section_path}"),
            ("SAHIFA_URL_AUTHOR", "/author/{slug"),
            ("SAHIFA_URL_PAGE", "/a page/{slug}"),
            ("SAHIFA_SITE_LANG", "not a tag!"),
            ("SAHIFA_SITE_LOGO", "logo.png"),
            ("SAHIFA_FEED_CONTENT", "some"),
            ("SAHIFA_FEED_SIZE", "0"),
        ] {
            let err = settings(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }

    #[test]
    fn postgres_passwords_are_masked_in_logs() {
        let url = DatabaseUrl::parse("postgres://sahifa:hunter2@db:5432/news").unwrap();
        assert_eq!(url.redacted(), "postgres://sahifa:***@db:5432/news");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(!format!("{:?}", Secret::new("hunter2")).contains("hunter2"));
    }

    #[test]
    fn cors_origins_parse_as_a_list_or_any() {
        assert_eq!(
            settings(&[("SAHIFA_CORS_ORIGINS", "*")])
                .unwrap()
                .cors_origins,
            CorsOrigins::Any
        );
        assert_eq!(
            settings(&[(
                "SAHIFA_CORS_ORIGINS",
                "https://a.example, http://localhost:3000"
            )])
            .unwrap()
            .cors_origins,
            CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://localhost:3000".into()
            ])
        );
    }
}
