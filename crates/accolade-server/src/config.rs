//! Typed configuration: built-in defaults, then `accolade.toml` (or `--config FILE`), then
//! environment variables `ACCOLADE_*` (e.g. `ACCOLADE_DATABASE_URL`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Output format of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (default).
    Human,
    /// One JSON object per line.
    Json,
}

/// Every setting of the server. Field names are the TOML keys; the env variable is
/// `ACCOLADE_` + the upper-cased key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on (`ACCOLADE_BIND`), default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// Database URL (`ACCOLADE_DATABASE_URL`): `sqlite://accolade.db?mode=rwc` (default) or
    /// `postgres://user@host/db`.
    pub database_url: String,
    /// Maximum pooled database connections.
    pub database_max_connections: u32,
    /// External base URL (`ACCOLADE_PUBLIC_URL`), no trailing slash; badge ids and QR codes are
    /// built from it. Default `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Directory for generated state such as the signing key (`ACCOLADE_DATA_DIR`), default `.`.
    pub data_dir: PathBuf,
    /// Token signing secret (`ACCOLADE_SIGNING_KEY`), at least 32 bytes. Prefer a key file.
    pub signing_key: Option<String>,
    /// File holding the signing secret (`ACCOLADE_SIGNING_KEY_FILE`). On SQLite, when neither
    /// this nor `signing_key` is set, `{data_dir}/accolade-signing.key` is generated once.
    pub signing_key_file: Option<PathBuf>,
    /// Access token lifetime in seconds (default 900 = 15 min).
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime in days (default 30).
    pub refresh_token_ttl_days: u64,
    /// Clock-skew leeway in seconds when checking `exp`/`nbf` of access tokens (default 5).
    pub jwt_leeway_secs: u64,
    /// Sign-in card lifetime in days (default 14).
    pub signin_card_ttl_days: u64,
    /// Login attempts allowed per account per minute (default 10).
    pub login_per_account_per_minute: u32,
    /// Login attempts allowed per client IP per minute (default 60).
    pub login_per_ip_per_minute: u32,
    /// Concurrent password hashes (default: number of CPU cores).
    pub hash_concurrency: Option<usize>,
    /// Maximum JSON request body in bytes (default 64 KiB); uploads have their own limit.
    pub max_body_bytes: usize,
    /// Maximum roster upload in bytes (default 20 MiB).
    pub max_upload_bytes: usize,
    /// Log format (`human` or `json`).
    pub log_format: LogFormat,
    /// Trust `X-Forwarded-For` for the client IP (only behind a reverse proxy you control).
    pub trust_forwarded_for: bool,
    /// Outgoing mail server (`ACCOLADE_SMTP_URL`), e.g. `smtp://127.0.0.1:2525` (plain),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://host` (implicit TLS), as
    /// understood by lettre's `AsyncSmtpTransport::from_url`. Default none: e-mail is still
    /// queued in the outbox but not sent until a URL is configured.
    pub smtp_url: Option<String>,
    /// Default `From` of notification e-mails (`ACCOLADE_MAIL_FROM`), an RFC 5322 mailbox;
    /// default `Accolade <no-reply@accolade.invalid>`. A school's `email_sender` overrides it.
    pub mail_from: String,
    /// Seconds between two looks at the outbox by the background sender (default 5, ≥ 1).
    pub mail_poll_secs: u64,
    /// Local hour (0–23, in each school's time zone) from which daily and weekly (Mondays)
    /// digests of pending nominations go out (default 7).
    pub digest_hour: u32,
    /// iOS apps that open this server's `/c/`, `/o/` and `/signin/card/` links (Universal
    /// Links), as `TEAMID.bundle.id` (`ACCOLADE_IOS_APP_IDS='["ABCDE12345.org.example.app"]'`).
    /// Served in `/.well-known/apple-app-site-association`. Default none.
    pub ios_app_ids: Vec<String>,
    /// The Android app that opens those links (App Links), served in
    /// `/.well-known/assetlinks.json`. Default none.
    pub android_app: Option<AndroidApp>,
}

/// An Android app allowed to open this server's links (`android_app`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AndroidApp {
    /// Application id, e.g. `org.example.accolade`.
    pub package: String,
    /// SHA-256 fingerprints of the app's signing certificates, as 32 colon-separated upper-case
    /// hex pairs (`AB:CD:…`).
    pub sha256_cert_fingerprints: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://accolade.db?mode=rwc".to_owned(),
            database_max_connections: 16,
            public_url: "http://127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("."),
            signing_key: None,
            signing_key_file: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 30,
            jwt_leeway_secs: 5,
            signin_card_ttl_days: 14,
            login_per_account_per_minute: 10,
            login_per_ip_per_minute: 60,
            hash_concurrency: None,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            log_format: LogFormat::Human,
            trust_forwarded_for: false,
            smtp_url: None,
            mail_from: "Accolade <no-reply@accolade.invalid>".to_owned(),
            mail_poll_secs: 5,
            digest_hour: 7,
            ios_app_ids: Vec::new(),
            android_app: None,
        }
    }
}

/// Errors loading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or environment value has the wrong type or shape.
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    /// A value parsed but makes no sense.
    #[error("invalid configuration: {0}")]
    Value(String),
}

impl Config {
    /// Loads defaults, then `file` (or `./accolade.toml` when it exists), then `ACCOLADE_*` env.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file("accolade.toml")),
        }
        fig = fig.merge(Env::prefixed("ACCOLADE_"));
        let cfg: Config = fig.extract().map_err(Box::new)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values that parse but are unusable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Value(format!(
                "public_url must start with http:// or https://, got {:?}",
                self.public_url
            )));
        }
        if self.access_token_ttl_secs == 0 || self.access_token_ttl_secs > 24 * 3600 {
            return Err(ConfigError::Value(
                "access_token_ttl_secs must be between 1 and 86400".into(),
            ));
        }
        if self.login_per_account_per_minute == 0 || self.login_per_ip_per_minute == 0 {
            return Err(ConfigError::Value(
                "login rate limits must be at least 1".into(),
            ));
        }
        if let Some(url) = &self.smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError::Value(
                    "smtp_url must start with smtp:// or smtps://".into(),
                ));
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Value(format!(
                "mail_from is not an e-mail address (like `Name <a@b.example>`): {:?}",
                self.mail_from
            )));
        }
        if self.mail_poll_secs == 0 {
            return Err(ConfigError::Value(
                "mail_poll_secs must be at least 1".into(),
            ));
        }
        if self.digest_hour > 23 {
            return Err(ConfigError::Value(
                "digest_hour must be between 0 and 23".into(),
            ));
        }
        self.validate_app_links()?;
        Ok(())
    }

    /// Checks `ios_app_ids` (`TEAMID.bundle.id`, a 10-character team id) and `android_app`
    /// (a package name and `AB:CD:…` SHA-256 fingerprints).
    fn validate_app_links(&self) -> Result<(), ConfigError> {
        for id in &self.ios_app_ids {
            let ok = id.split_once('.').is_some_and(|(team, bundle)| {
                team.len() == 10
                    && team.bytes().all(|b| b.is_ascii_alphanumeric())
                    && !bundle.is_empty()
                    && bundle
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            });
            if !ok {
                return Err(ConfigError::Value(format!(
                    "ios_app_ids entries look like TEAMID.bundle.id (10-character team id), got {id:?}"
                )));
            }
        }
        if let Some(app) = &self.android_app {
            let package_ok = !app.package.is_empty()
                && app.package.contains('.')
                && app
                    .package
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
            if !package_ok {
                return Err(ConfigError::Value(format!(
                    "android_app.package is not an application id: {:?}",
                    app.package
                )));
            }
            if app.sha256_cert_fingerprints.is_empty() {
                return Err(ConfigError::Value(
                    "android_app.sha256_cert_fingerprints needs at least one fingerprint".into(),
                ));
            }
            for f in &app.sha256_cert_fingerprints {
                let pairs: Vec<&str> = f.split(':').collect();
                let ok = pairs.len() == 32
                    && pairs
                        .iter()
                        .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
                if !ok {
                    return Err(ConfigError::Value(format!(
                        "android_app.sha256_cert_fingerprints entries are 32 colon-separated hex pairs, got {f:?}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// `public_url` without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// True when the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}
