//! Configuration from environment variables, each with a matching command-line flag.
//!
//! Secrets (the settings whose value `--help` hides) can also come from files: `NAME_FILE` names
//! a file holding the value of `NAME` (Docker and compose secrets, systemd credentials), so the
//! value itself never sits in the environment, where `docker inspect`, `/proc/PID/environ` and
//! crash reports show it.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Who may create an account (`LEDGER_REGISTRATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegistrationMode {
    /// Only the first user of an empty ledger without an invitation; everyone else with one.
    Invite,
    /// Anyone; new accounts are `pending` (read nothing) until an admin gives them a role.
    Open,
    /// Only the first user of an empty ledger (and `ledger user create`).
    Closed,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// PostgreSQL URL. Absent: start a private cluster in the data folder.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to serve HTTP on.
    #[arg(long, env = "LEDGER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder for the embedded cluster and generated secrets.
    #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Secret for signing access tokens. Absent: generated once and kept in the data folder.
    #[arg(long, env = "LEDGER_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "LEDGER_ACCESS_TOKEN_SECONDS", default_value_t = 900)]
    pub access_token_seconds: u64,
    /// Lifetime of refresh tokens, in days.
    #[arg(long, env = "LEDGER_REFRESH_TOKEN_DAYS", default_value_t = 30)]
    pub refresh_token_days: u64,
    /// Public base URL used in links sent by mail.
    #[arg(
        long,
        env = "LEDGER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// SMTP server URL (e.g. smtps://user:pass@smtp.example.com). Absent: mails go to the log.
    #[arg(long, env = "LEDGER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of mails.
    #[arg(
        long,
        env = "LEDGER_MAIL_FROM",
        default_value = "Ledger <ledger@localhost>"
    )]
    pub mail_from: String,
    /// Without SMTP, also write each mail into this folder as a file (one `.eml` per mail), so
    /// local users and end-to-end tests can follow mailed links without reading the log. The
    /// files are never removed: not meant for production.
    #[arg(long, env = "LEDGER_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
    /// Folder with the built web UI (web/dist).
    #[arg(long, env = "LEDGER_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "LEDGER_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest traffic report file accepted for import, in bytes (streamed to disk, never held
    /// in memory).
    #[arg(long, env = "LEDGER_MAX_IMPORT_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_import_bytes: u64,
    /// Sync exchange rates on a schedule (ECB for fiat, CoinGecko for TRX and USDT).
    #[arg(long, env = "LEDGER_FX_SYNC", default_value_t = true, action = clap::ArgAction::Set)]
    pub fx_sync: bool,
    /// Record overdue invoices daily (the status is derived on read either way).
    #[arg(long, env = "LEDGER_OVERDUE_JOB", default_value_t = true, action = clap::ArgAction::Set)]
    pub overdue_job: bool,
    /// Base URL of the ECB's euro reference rates.
    #[arg(
        long,
        env = "LEDGER_ECB_URL",
        default_value = "https://www.ecb.europa.eu/stats/eurofxref/"
    )]
    pub ecb_url: String,
    /// Base URL of the CoinGecko API (crypto prices).
    #[arg(
        long,
        env = "LEDGER_COINGECKO_URL",
        default_value = "https://api.coingecko.com"
    )]
    pub coingecko_url: String,
    /// CoinGecko demo API key (optional).
    #[arg(long, env = "LEDGER_COINGECKO_API_KEY", hide_env_values = true)]
    pub coingecko_api_key: Option<String>,
    /// Base URL of the TronScan API (crypto verification and wallet sync).
    #[arg(
        long,
        env = "LEDGER_TRONSCAN_URL",
        default_value = "https://apilist.tronscanapi.com"
    )]
    pub tronscan_url: String,
    /// TronScan API key (`TRON-PRO-API-KEY`, optional; without it TronScan throttles harder).
    #[arg(long, env = "LEDGER_TRONSCAN_API_KEY", hide_env_values = true)]
    pub tronscan_api_key: Option<String>,
    /// Whole-request timeout of one TronScan call, in milliseconds.
    #[arg(long, env = "LEDGER_TRONSCAN_TIMEOUT_MS", default_value_t = 20_000)]
    pub tronscan_timeout_ms: u64,
    /// Retries of a TronScan call after 429, 5xx or a timeout (exponential backoff).
    #[arg(long, env = "LEDGER_TRONSCAN_RETRIES", default_value_t = 4)]
    pub tronscan_retries: u32,
    /// First backoff delay before a TronScan retry, in milliseconds (doubles each retry).
    #[arg(long, env = "LEDGER_TRONSCAN_BACKOFF_MS", default_value_t = 500)]
    pub tronscan_backoff_ms: u64,
    /// Post due recurring payments on a schedule (and once at start-up).
    #[arg(long, env = "LEDGER_RECURRING", default_value_t = true, action = clap::ArgAction::Set)]
    pub recurring: bool,
    /// When the recurring-payment runner runs: a cron expression with seconds, in UTC.
    #[arg(long, env = "LEDGER_RECURRING_CRON", default_value = "0 */5 * * * *")]
    pub recurring_cron: String,
    /// Most days back the recurring-payment runner posts without an explicit catch-up
    /// (`POST /api/recurring/run?catch_up=true`); older due days are reported as skipped.
    #[arg(long, env = "LEDGER_RECURRING_MAX_CATCHUP_DAYS", default_value_t = 92)]
    pub recurring_max_catchup_days: u32,
    /// Lets `POST /api/recurring/run?today=` pretend another day (tests and demos only).
    #[arg(long, env = "LEDGER_RECURRING_FAKE_CLOCK", default_value_t = false, action = clap::ArgAction::Set)]
    pub recurring_fake_clock: bool,
    /// Database connections in the pool.
    #[arg(long, env = "LEDGER_DB_POOL", default_value_t = 40)]
    pub db_pool_size: u32,
    /// Who may create an account: `invite` (first user, then by invitation), `open` (anyone,
    /// pending until an admin gives a role) or `closed` (first user only).
    #[arg(
        long,
        env = "LEDGER_REGISTRATION",
        value_enum,
        default_value = "invite"
    )]
    pub registration: RegistrationMode,
    /// Refuse sign-in until the email address is confirmed. Default: on when `LEDGER_SMTP_URL`
    /// is set.
    #[arg(long, env = "LEDGER_REQUIRE_EMAIL_CONFIRMATION", action = clap::ArgAction::Set)]
    pub require_email_confirmation: Option<bool>,
    /// Sign-in and registration requests allowed per client address per minute (burst: the
    /// same number).
    #[arg(long, env = "LEDGER_AUTH_RATE_PER_IP_PER_MINUTE", default_value_t = 60)]
    pub auth_rate_per_ip_per_minute: u32,
    /// Sign-in and registration requests allowed per second over all clients.
    #[arg(long, env = "LEDGER_AUTH_RATE_GLOBAL_PER_SECOND", default_value_t = 20)]
    pub auth_rate_global_per_second: u32,
    /// Threads hashing passwords (Argon2, ~19 MiB each). 0: the number of CPU cores.
    #[arg(long, env = "LEDGER_HASH_THREADS", default_value_t = 0)]
    pub hash_threads: usize,
    /// Password hashes that may wait for a hashing thread; beyond that, 429 at once.
    #[arg(long, env = "LEDGER_HASH_QUEUE", default_value_t = 16)]
    pub hash_queue: usize,
    /// Longest a request waits for a database connection before it answers 503
    /// `database_unavailable`, in milliseconds.
    #[arg(long, env = "LEDGER_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1500)]
    pub db_acquire_timeout_ms: u64,
    /// Days the file of a finished or failed traffic import is kept in the upload folder
    /// (0: deleted at once; a failed import can be retried only while its file is kept).
    #[arg(long, env = "LEDGER_UPLOAD_KEEP_DAYS", default_value_t = 7)]
    pub upload_keep_days: u32,
    /// Most bytes the upload folder may hold; an upload that would exceed it is refused.
    #[arg(long, env = "LEDGER_UPLOAD_QUOTA_BYTES", default_value_t = 10 * 1024 * 1024 * 1024)]
    pub upload_quota_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` gives the client's address, comma-separated
    /// addresses or ranges (e.g. `127.0.0.1,::1` or `10.0.0.0/8`). Empty: the client is the TCP
    /// peer and the header is ignored.
    #[arg(
        long,
        env = "LEDGER_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::client_ip::parse_trusted_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Scheduled backups: a cron expression with seconds, in UTC (e.g. `0 30 2 * * *`, daily
    /// at 02:30). Absent: no scheduled backups.
    #[arg(long, env = "LEDGER_BACKUP_CRON")]
    pub backup_cron: Option<String>,
    /// Folder of scheduled backups. Default: `<data dir>/backups`.
    #[arg(long, env = "LEDGER_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Scheduled backups kept (the newest); older ones are deleted. 0 keeps all.
    #[arg(long, env = "LEDGER_BACKUP_KEEP", default_value_t = 7)]
    pub backup_keep: usize,
    /// Serve `/metrics` on this address instead, without authentication (for a Prometheus on a
    /// private network); the main address then has no `/metrics`. Absent: `/metrics` is on the
    /// main address for admins and API tokens with the `metrics` scope.
    #[arg(long, env = "LEDGER_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Check for operator alerts (failed import or exchange-rate sync, stuck projector, overdue
    /// backups) and mail the admins when one starts.
    #[arg(long, env = "LEDGER_ALERTS", default_value_t = true, action = clap::ArgAction::Set)]
    pub alerts: bool,
    /// Seconds between two operator alert checks (at most 300: a condition unseen for 15
    /// minutes counts as ended).
    #[arg(long, env = "LEDGER_ALERTS_INTERVAL_SECONDS", default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=300))]
    pub alerts_interval_seconds: u64,
}

/// The environment variables of the secret settings: each also takes `NAME_FILE`. A setting is
/// secret when its `#[arg]` has `hide_env_values`; a test keeps this list and those equal.
pub const SECRET_VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "LEDGER_JWT_SECRET",
    "LEDGER_SMTP_URL",
    "LEDGER_COINGECKO_API_KEY",
    "LEDGER_TRONSCAN_API_KEY",
];

/// Why a `NAME_FILE` variable could not be used. Each names the variable, so the operator knows
/// which line of the configuration to fix.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error(
        "{name}_FILE is set, and so is {name} (or its command-line flag): give the secret one way only"
    )]
    Both { name: &'static str },
    // `reason`, not `source`: the message carries it, so a report printing the error's chain
    // does not print it twice.
    #[error("{name}_FILE: cannot read {}: {reason}", path.display())]
    Unreadable {
        name: &'static str,
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{name}_FILE: {} is empty", path.display())]
    Empty { name: &'static str, path: PathBuf },
    #[error("{name}_FILE: {} is not UTF-8 text", path.display())]
    NotText { name: &'static str, path: PathBuf },
}

/// The value of secret `name`: `value` as given (environment or flag), or else the contents of
/// the file that `file` (the value of `NAME_FILE`, if set) names, less one trailing newline (the
/// one `echo` and editors add). Both given is refused rather than one silently winning.
pub fn secret_from_file(
    name: &'static str,
    value: Option<String>,
    file: Option<OsString>,
) -> Result<Option<String>, SecretFileError> {
    // An empty `NAME_FILE=` counts as unset, like an empty `LEDGER_PG_BIN`.
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Ok(value);
    };
    if value.is_some() {
        return Err(SecretFileError::Both { name });
    }
    let path = PathBuf::from(file);
    let bytes = std::fs::read(&path).map_err(|reason| SecretFileError::Unreadable {
        name,
        path: path.clone(),
        reason,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| SecretFileError::NotText {
        name,
        path: path.clone(),
    })?;
    let text = match text.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => &text,
    };
    if text.is_empty() {
        return Err(SecretFileError::Empty { name, path });
    }
    Ok(Some(text.to_string()))
}

impl Settings {
    /// Fills each secret setting that was not given directly from its `NAME_FILE` variable.
    /// Call once, right after parsing.
    pub fn read_secret_files(&mut self) -> Result<(), SecretFileError> {
        self.read_secret_files_with(|var| std::env::var_os(var))
    }

    /// [`Self::read_secret_files`] with the environment passed in (tests).
    fn read_secret_files_with(
        &mut self,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<(), SecretFileError> {
        for (name, field) in self.secrets_mut() {
            *field = secret_from_file(name, field.take(), env(&format!("{name}_FILE")))?;
        }
        Ok(())
    }

    /// The secret settings by variable name, in the order of [`SECRET_VARIABLES`].
    fn secrets_mut(&mut self) -> [(&'static str, &mut Option<String>); 5] {
        let [database, jwt, smtp, coingecko, tronscan] = SECRET_VARIABLES;
        [
            (database, &mut self.database_url),
            (jwt, &mut self.jwt_secret),
            (smtp, &mut self.smtp_url),
            (coingecko, &mut self.coingecko_api_key),
            (tronscan, &mut self.tronscan_api_key),
        ]
    }

    /// Settings for tests and tools: everything default except the database URL.
    pub fn for_database(url: &str, data_dir: PathBuf) -> Self {
        Self {
            database_url: Some(url.to_string()),
            listen: "127.0.0.1:0".parse().expect("valid address"),
            data_dir,
            jwt_secret: Some("test-secret-test-secret-test-secret".into()),
            access_token_seconds: 900,
            refresh_token_days: 30,
            public_url: "http://127.0.0.1".into(),
            smtp_url: None,
            mail_from: "Ledger <ledger@localhost>".into(),
            mail_dir: None,
            web_dir: PathBuf::from("web/dist"),
            max_body_bytes: 16 * 1024 * 1024,
            max_import_bytes: 2 * 1024 * 1024 * 1024,
            fx_sync: false,
            overdue_job: false,
            ecb_url: "http://127.0.0.1:9/".into(),
            coingecko_url: "http://127.0.0.1:9/".into(),
            coingecko_api_key: None,
            tronscan_url: "http://127.0.0.1:9/".into(),
            tronscan_api_key: None,
            tronscan_timeout_ms: 20_000,
            tronscan_retries: 4,
            tronscan_backoff_ms: 500,
            db_pool_size: 20,
            db_acquire_timeout_ms: 1500,
            upload_keep_days: 7,
            upload_quota_bytes: 10 * 1024 * 1024 * 1024,
            recurring: false,
            recurring_cron: "0 */5 * * * *".into(),
            recurring_fake_clock: false,
            registration: RegistrationMode::Invite,
            require_email_confirmation: None,
            auth_rate_per_ip_per_minute: 60,
            auth_rate_global_per_second: 20,
            hash_threads: 0,
            hash_queue: 16,
            recurring_max_catchup_days: 92,
            backup_cron: None,
            backup_dir: None,
            backup_keep: 7,
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            alerts: false,
            alerts_interval_seconds: 60,
        }
    }

    /// Whether sign-in waits for a confirmed email address.
    /// What the access workflows (`app::access`) need of the settings.
    pub fn access(&self) -> app::access::AccessSettings {
        app::access::AccessSettings {
            public_url: self.public_url.clone(),
            registration: match self.registration {
                RegistrationMode::Invite => app::access::RegistrationMode::Invite,
                RegistrationMode::Open => app::access::RegistrationMode::Open,
                RegistrationMode::Closed => app::access::RegistrationMode::Closed,
            },
            email_confirmation_required: self.email_confirmation_required(),
            refresh_token_days: self.refresh_token_days,
            mail: app::access::mail::MailSettings {
                smtp_url: self.smtp_url.clone(),
                mail_from: self.mail_from.clone(),
                mail_dir: self.mail_dir.clone(),
            },
        }
    }

    /// Where the exchange-rate sources are.
    pub fn fx_sources(&self) -> app::fx::Sources {
        app::fx::Sources {
            ecb_url: self.ecb_url.clone(),
            coingecko_url: self.coingecko_url.clone(),
            coingecko_api_key: self.coingecko_api_key.clone(),
        }
    }

    pub fn email_confirmation_required(&self) -> bool {
        self.require_email_confirmation.unwrap_or_else(|| {
            self.smtp_url
                .as_deref()
                .is_some_and(|u| !u.trim().is_empty())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::{Args, Command};

    use super::*;

    fn temp_file(what: &str, contents: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ledger-config-{what}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret");
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn read(
        name: &'static str,
        value: Option<&str>,
        contents: &[u8],
    ) -> Result<Option<String>, SecretFileError> {
        let path = temp_file(name, contents);
        secret_from_file(name, value.map(String::from), Some(path.into_os_string()))
    }

    #[test]
    fn the_file_gives_the_value_less_one_trailing_newline() {
        assert_eq!(
            read("LEDGER_JWT_SECRET", None, b"s3cret\n")
                .unwrap()
                .as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            read("LEDGER_JWT_SECRET", None, b"s3cret\r\n")
                .unwrap()
                .as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            read("LEDGER_JWT_SECRET", None, b"s3cret")
                .unwrap()
                .as_deref(),
            Some("s3cret")
        );
        // Only one newline goes: anything else is part of the secret.
        assert_eq!(
            read("LEDGER_JWT_SECRET", None, b" s3cret \n\n")
                .unwrap()
                .as_deref(),
            Some(" s3cret \n")
        );
    }

    #[test]
    fn without_a_file_variable_the_value_stays_as_given() {
        assert_eq!(
            secret_from_file("DATABASE_URL", Some("postgres://x".into()), None)
                .unwrap()
                .as_deref(),
            Some("postgres://x")
        );
        assert_eq!(secret_from_file("DATABASE_URL", None, None).unwrap(), None);
        // `NAME_FILE=` (empty) counts as unset.
        assert_eq!(
            secret_from_file("DATABASE_URL", None, Some(OsString::new())).unwrap(),
            None
        );
    }

    #[test]
    fn both_ways_at_once_are_refused_naming_the_variable() {
        let err = read("LEDGER_SMTP_URL", Some("smtp://a"), b"smtp://b").unwrap_err();
        assert!(matches!(err, SecretFileError::Both { .. }));
        assert_eq!(
            err.to_string(),
            "LEDGER_SMTP_URL_FILE is set, and so is LEDGER_SMTP_URL (or its command-line flag): give the secret one way only"
        );
    }

    #[test]
    fn an_empty_missing_or_binary_file_is_refused_naming_the_variable() {
        let empty = read("LEDGER_JWT_SECRET", None, b"\n").unwrap_err();
        assert!(matches!(empty, SecretFileError::Empty { .. }), "{empty}");
        assert!(
            empty.to_string().starts_with("LEDGER_JWT_SECRET_FILE: "),
            "{empty}"
        );
        assert!(empty.to_string().ends_with(" is empty"), "{empty}");

        let missing = secret_from_file(
            "LEDGER_TRONSCAN_API_KEY",
            None,
            Some("/nonexistent/key".into()),
        )
        .unwrap_err();
        assert!(
            matches!(missing, SecretFileError::Unreadable { .. }),
            "{missing}"
        );
        assert!(
            missing
                .to_string()
                .starts_with("LEDGER_TRONSCAN_API_KEY_FILE: cannot read /nonexistent/key: "),
            "{missing}"
        );

        let binary = read("LEDGER_COINGECKO_API_KEY", None, &[0xff, 0xfe]).unwrap_err();
        assert!(
            matches!(binary, SecretFileError::NotText { .. }),
            "{binary}"
        );
    }

    #[test]
    fn each_secret_variable_fills_its_own_setting() {
        let files: Vec<(String, PathBuf)> = SECRET_VARIABLES
            .iter()
            .map(|name| {
                (
                    format!("{name}_FILE"),
                    temp_file(name, format!("value of {name}\n").as_bytes()),
                )
            })
            .collect();
        let mut settings = Settings::for_database("unused", PathBuf::from("data"));
        settings.database_url = None;
        settings.jwt_secret = None;
        settings
            .read_secret_files_with(|var| {
                files
                    .iter()
                    .find(|(v, _)| v == var)
                    .map(|(_, p)| p.clone().into_os_string())
            })
            .unwrap();
        assert_eq!(
            settings.database_url.as_deref(),
            Some("value of DATABASE_URL")
        );
        assert_eq!(
            settings.jwt_secret.as_deref(),
            Some("value of LEDGER_JWT_SECRET")
        );
        assert_eq!(
            settings.smtp_url.as_deref(),
            Some("value of LEDGER_SMTP_URL")
        );
        assert_eq!(
            settings.coingecko_api_key.as_deref(),
            Some("value of LEDGER_COINGECKO_API_KEY")
        );
        assert_eq!(
            settings.tronscan_api_key.as_deref(),
            Some("value of LEDGER_TRONSCAN_API_KEY")
        );
    }

    /// A setting added later with `hide_env_values` (a secret) must join `SECRET_VARIABLES`, and
    /// so get its `_FILE` variant; a listed one must stay hidden in `--help`.
    #[test]
    fn every_hidden_setting_is_a_secret_variable() {
        let command = Settings::augment_args(Command::new("ledger"));
        let hidden: BTreeSet<String> = command
            .get_arguments()
            .filter(|arg| arg.is_hide_env_values_set())
            .filter_map(|arg| arg.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .collect();
        let listed: BTreeSet<String> = SECRET_VARIABLES.iter().map(|s| s.to_string()).collect();
        assert_eq!(hidden, listed);
    }
}
