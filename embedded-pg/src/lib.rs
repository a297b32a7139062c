//! A private PostgreSQL cluster started from the machine's own PostgreSQL
//! binaries (nothing is downloaded). Used by `ledger serve` as its embedded
//! default and by the test harness.
//!
//! Layout under [`Options::data_dir`] (which may hold other files of the app):
//! - `pg/`     the cluster (created by `initdb` on first start, reused afterwards)
//! - `pg.log`  server log (appended to on every start)
//!
//! The unix socket lives in a private `0700` folder under the system temp dir
//! (socket paths are limited to ~100 bytes, so it cannot live in an arbitrary data dir).
//!
//! Lifetime: call [`EmbeddedPostgres::stop`] for a clean shutdown. If the handle
//! is dropped instead (panic, early return) the server is stopped with
//! `pg_ctl stop -m immediate`. If the whole process dies (SIGKILL, Ctrl-C without
//! a handler), a small watchdog shell process notices within a second and does
//! the same, so no server is leaked. `-m immediate` is crash-safe: WAL recovery
//! runs on the next start.

mod discovery;

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

pub use discovery::BIN_ENV;

/// Database superuser created by `initdb`; also the user in [`EmbeddedPostgres::url`].
pub const SUPERUSER: &str = "ledger";
/// OS user the server runs as when this process is root (initdb/postgres refuse root).
pub const OS_USER: &str = "postgres";
const CLUSTER_SUBDIR: &str = "pg";
const LOG_FILE: &str = "pg.log";

const INITDB_TIMEOUT: Duration = Duration::from_secs(180);
const START_TIMEOUT_SECS: u64 = 60;
const STOP_TIMEOUT_SECS: u64 = 60;
const DROP_STOP_TIMEOUT: Duration = Duration::from_secs(15);
const PSQL_TIMEOUT: Duration = Duration::from_secs(60);
const AUTO_PORT_ATTEMPTS: usize = 5;

/// Exact message shown when no server binaries can be found.
pub const INSTALL_HINT: &str = "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: `sudo apt-get install -y postgresql`), set LEDGER_PG_BIN to the folder holding initdb and pg_ctl, or set DATABASE_URL to use an existing server.";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedPgError {
    #[error("{INSTALL_HINT}")]
    BinariesNotFound,
    #[error(
        "LEDGER_PG_BIN={} is missing {missing}; point it at the folder holding initdb, pg_ctl and postgres (e.g. /usr/lib/postgresql/15/bin)",
        .dir.display()
    )]
    InvalidBinDir { dir: PathBuf, missing: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}):\n{output}")]
    CommandFailed {
        command: String,
        status: String,
        output: String,
    },
    #[error("`{command}` did not finish within {seconds}s")]
    Timeout { command: String, seconds: u64 },
    #[error(
        "PostgreSQL failed to start on 127.0.0.1:{port}: {reason}\n--- last lines of {log} ---\n{log_tail}"
    )]
    StartFailed {
        port: u16,
        reason: String,
        log: String,
        log_tail: String,
    },
    #[error(
        "this process runs as root, so PostgreSQL must run as the `postgres` OS user, but {} is not reachable by that user ({detail}). Use a data dir outside it (e.g. /var/lib/ledger or /tmp/...), or make every parent folder traversable (chmod o+x <dir>)",
        .path.display()
    )]
    NotAccessible { path: PathBuf, detail: String },
    #[error(
        "this process runs as root, so PostgreSQL must run as the `postgres` OS user, which does not exist and could not be created ({0}). Create it: `useradd --system --user-group --no-create-home postgres`, or run as a non-root user"
    )]
    PostgresUser(String),
    #[error(
        "the cluster in {} was created by PostgreSQL {cluster}, but the binaries in {} are PostgreSQL {binaries}. Point LEDGER_PG_BIN at PostgreSQL {cluster} binaries, or dump and restore the data into a new data dir",
        .dir.display(), .bin_dir.display()
    )]
    VersionMismatch {
        dir: PathBuf,
        cluster: String,
        bin_dir: PathBuf,
        binaries: String,
    },
    #[error("invalid database name {0:?}: must be 1-63 bytes and contain no NUL")]
    InvalidDatabaseName(String),
    #[error("path {} is not valid UTF-8", .0.display())]
    NonUtf8Path(PathBuf),
}

/// How to start the cluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// App data folder; the cluster lives in `<data_dir>/pg`, the log in `<data_dir>/pg.log`.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Remove `data_dir` entirely when the server is stopped (tests).
    pub ephemeral: bool,
}

/// A running private PostgreSQL server.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    cluster_dir: PathBuf,
    log_file: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    bin_dir: PathBuf,
    runner: Runner,
    ephemeral: bool,
    /// Watchdog that stops the server if this process dies without dropping us.
    watchdog: Option<std::process::Child>,
    stopped: bool,
}

impl EmbeddedPostgres {
    /// Folder holding `initdb`, `pg_ctl` and `postgres`.
    ///
    /// Order: `LEDGER_PG_BIN`, `pg_config --bindir`, highest `/usr/lib/postgresql/*/bin`,
    /// `initdb` on `PATH`.
    pub fn find_binaries() -> Result<PathBuf, EmbeddedPgError> {
        discovery::find_binaries()
    }

    /// Initialise the cluster if needed and start the server; returns once it accepts connections.
    pub async fn start(opts: Options) -> Result<Self, EmbeddedPgError> {
        let bin_dir = Self::find_binaries()?;
        let runner = Runner::detect().await?;

        std::fs::create_dir_all(&opts.data_dir).map_err(io_err(format!(
            "creating data dir {}",
            opts.data_dir.display()
        )))?;
        let data_dir = std::fs::canonicalize(&opts.data_dir).map_err(io_err(format!(
            "resolving data dir {}",
            opts.data_dir.display()
        )))?;
        utf8(&data_dir)?;
        let cluster_dir = data_dir.join(CLUSTER_SUBDIR);
        let log_file = data_dir.join(LOG_FILE);

        let mut pg = EmbeddedPostgres {
            data_dir,
            cluster_dir,
            log_file,
            socket_dir: PathBuf::new(),
            port: 0,
            bin_dir,
            runner,
            ephemeral: opts.ephemeral,
            watchdog: None,
            // Nothing to stop until the server is up; Drop still cleans an ephemeral dir.
            stopped: true,
        };

        pg.init_cluster_if_needed().await?;
        pg.prepare_log_file()?;
        pg.check_access_as_server_user().await?;
        pg.stop_leftover_server().await?;
        pg.socket_dir = make_socket_dir(&pg.runner).await?;
        // From here on Drop must try to stop a server (pg_ctl -w may time out
        // while the postmaster keeps starting).
        pg.stopped = false;
        pg.start_server(opts.port).await?;
        pg.watchdog = spawn_watchdog(&pg);
        tracing::info!(
            port = pg.port,
            data_dir = %pg.data_dir.display(),
            bin_dir = %pg.bin_dir.display(),
            "embedded PostgreSQL started"
        );
        Ok(pg)
    }

    /// The URL of a server already running on the cluster in `data_dir` (started by a
    /// `ledger serve` of the same data folder), read from its `postmaster.pid`; `None` when no
    /// live server owns it. Tools that must work while the server runs (backup) attach to it
    /// instead of starting the cluster, which would stop that server.
    pub fn running_url(data_dir: &Path, database: &str) -> Option<String> {
        let pid_file = data_dir.join(CLUSTER_SUBDIR).join("postmaster.pid");
        let contents = std::fs::read_to_string(pid_file).ok()?;
        let mut lines = contents.lines();
        let pid: u32 = lines.next()?.trim().parse().ok()?;
        // Line 4 of postmaster.pid is the port.
        let port: u16 = lines.nth(2)?.trim().parse().ok()?;
        is_postgres_process(pid).then(|| {
            format!(
                "postgres://{SUPERUSER}@127.0.0.1:{port}/{}",
                percent_encode(database)
            )
        })
    }

    /// `postgres://ledger@127.0.0.1:PORT/DB`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@127.0.0.1:{}/{}",
            self.port,
            percent_encode(database)
        )
    }

    /// `CREATE DATABASE`, ignoring "already exists".
    pub async fn create_database(&self, name: &str) -> Result<(), EmbeddedPgError> {
        if name.is_empty() || name.len() > 63 || name.contains('\0') {
            return Err(EmbeddedPgError::InvalidDatabaseName(name.to_string()));
        }
        let sql = format!("CREATE DATABASE {}", quote_ident(name));
        let out = self.psql("postgres", &sql).await?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The second form is what a concurrent CREATE DATABASE of the same name reports.
        if stderr.contains("already exists") || stderr.contains("pg_database_datname_index") {
            return Ok(());
        }
        Err(EmbeddedPgError::CommandFailed {
            command: format!("psql -c '{sql}'"),
            status: out.status.to_string(),
            output: stderr.into_owned(),
        })
    }

    /// Clean shutdown (`pg_ctl stop -m fast`); removes the data dir if ephemeral.
    pub async fn stop(mut self) -> Result<(), EmbeddedPgError> {
        let args = self.pg_ctl_stop_args("fast", STOP_TIMEOUT_SECS);
        // On error `self` is dropped and Drop falls back to `-m immediate`.
        self.run_checked(
            &self.tool("pg_ctl"),
            &args,
            Duration::from_secs(STOP_TIMEOUT_SECS + 15),
        )
        .await?;
        self.stopped = true;
        self.cleanup_after_stop();
        if self.ephemeral {
            remove_dir_all_if_exists(&self.data_dir)
                .map_err(io_err(format!("removing {}", self.data_dir.display())))?;
        }
        tracing::info!(data_dir = %self.data_dir.display(), "embedded PostgreSQL stopped");
        Ok(())
    }

    /// Stops the server (`pg_ctl stop -m fast`) but keeps the cluster, its port and this
    /// handle, so [`resume`](Self::resume) can start it again: fault tests take the database
    /// away under a running application.
    pub async fn halt(&mut self) -> Result<(), EmbeddedPgError> {
        let args = self.pg_ctl_stop_args("fast", STOP_TIMEOUT_SECS);
        self.run_checked(
            &self.tool("pg_ctl"),
            &args,
            Duration::from_secs(STOP_TIMEOUT_SECS + 15),
        )
        .await?;
        tracing::info!(port = self.port, "embedded PostgreSQL halted");
        Ok(())
    }

    /// Starts a [`halt`](Self::halt)ed server again on the same port.
    pub async fn resume(&mut self) -> Result<(), EmbeddedPgError> {
        let port = self.port;
        self.start_server(Some(port)).await?;
        tracing::info!(port, "embedded PostgreSQL resumed");
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The app data dir passed in [`Options::data_dir`] (canonicalised).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The cluster itself: `<data_dir>/pg`.
    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Folder holding the server's unix socket (usable as `host=` in libpq).
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    // ---- internals -------------------------------------------------------

    fn tool(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// `psql` from the bin dir, else from `PATH` (a custom LEDGER_PG_BIN may lack it).
    fn psql_path(&self) -> PathBuf {
        let local = self.tool("psql");
        if discovery::is_executable(&local) {
            local
        } else {
            PathBuf::from("psql")
        }
    }

    async fn psql(&self, database: &str, sql: &str) -> Result<Output, EmbeddedPgError> {
        let conninfo = format!(
            "host=127.0.0.1 port={} user={SUPERUSER} dbname={} sslmode=disable connect_timeout=10",
            self.port,
            quote_conninfo(database)
        );
        let args = [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &conninfo,
            "-c",
            sql,
        ]
        .map(String::from)
        .to_vec();
        // psql is a client: it runs as the current user, even root.
        run(&Runner::direct(), &self.psql_path(), &args, PSQL_TIMEOUT).await
    }

    fn pg_ctl_stop_args(&self, mode: &str, timeout_secs: u64) -> Vec<String> {
        vec![
            "-D".into(),
            path_str(&self.cluster_dir),
            "stop".into(),
            "-m".into(),
            mode.into(),
            "-w".into(),
            "-t".into(),
            timeout_secs.to_string(),
        ]
    }

    async fn run_checked(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
    ) -> Result<Output, EmbeddedPgError> {
        let out = run(&self.runner, program, args, timeout).await?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(EmbeddedPgError::CommandFailed {
                command: display_command(program, args),
                status: out.status.to_string(),
                output: combined_output(&out),
            })
        }
    }

    async fn init_cluster_if_needed(&self) -> Result<(), EmbeddedPgError> {
        let version_file = self.cluster_dir.join("PG_VERSION");
        if version_file.exists() {
            self.check_version(&version_file).await?;
            self.runner.ensure_owned(&self.cluster_dir).await?;
            return Ok(());
        }
        if self.cluster_dir.exists() {
            // initdb removes its output on failure; a folder without PG_VERSION can
            // only be the remains of an initdb that was killed, never a usable cluster.
            tracing::warn!(dir = %self.cluster_dir.display(), "removing incomplete cluster (no PG_VERSION)");
            remove_dir_all_if_exists(&self.cluster_dir)
                .map_err(io_err(format!("removing {}", self.cluster_dir.display())))?;
        }
        std::fs::create_dir(&self.cluster_dir)
            .map_err(io_err(format!("creating {}", self.cluster_dir.display())))?;
        std::fs::set_permissions(&self.cluster_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(format!("chmod {}", self.cluster_dir.display())))?;
        self.runner.ensure_owned(&self.cluster_dir).await?;
        self.check_access_as_server_user().await?;

        tracing::info!(dir = %self.cluster_dir.display(), "initialising PostgreSQL cluster");
        // Authentication is `trust`: the server listens only on 127.0.0.1 and on a
        // unix socket inside a private 0700 folder, so only local processes can
        // reach it at all; the embedded server is a per-user/per-app private
        // database, not a shared one. (Use DATABASE_URL for a real server.)
        let args = [
            "-D",
            &path_str(&self.cluster_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ]
        .map(String::from)
        .to_vec();
        self.run_checked(&self.tool("initdb"), &args, INITDB_TIMEOUT)
            .await?;

        let conf = self.cluster_dir.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf)
            .map_err(io_err(format!("reading {}", conf.display())))?;
        text.push_str(
            "\n# ---- added by ledger embedded-pg ----\n\
             # Durability is never traded for speed: these stay on.\n\
             fsync = on\n\
             synchronous_commit = on\n\
             full_page_writes = on\n\
             max_connections = 200\n\
             shared_buffers = 128MB\n\
             # The socket folder is private already; be strict anyway.\n\
             unix_socket_permissions = 0700\n\
             # listen_addresses, port and unix_socket_directories are passed on the\n\
             # command line at every start (127.0.0.1 only).\n",
        );
        std::fs::write(&conf, text).map_err(io_err(format!("writing {}", conf.display())))?;
        Ok(())
    }

    async fn check_version(&self, version_file: &Path) -> Result<(), EmbeddedPgError> {
        let cluster = std::fs::read_to_string(version_file)
            .map_err(io_err(format!("reading {}", version_file.display())))?
            .trim()
            .to_string();
        // `postgres -V` is allowed as root.
        let Ok(out) = run(
            &Runner::direct(),
            &self.tool("postgres"),
            &["-V".to_string()],
            Duration::from_secs(30),
        )
        .await
        else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(&out.stdout);
        // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
        let Some(full) = text
            .split(") ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
        else {
            return Ok(());
        };
        let parts: Vec<&str> = full.split('.').collect();
        let binaries = if parts.first().and_then(|p| p.parse::<u32>().ok()) < Some(10) {
            parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
        } else {
            parts[0].to_string()
        };
        if binaries != cluster {
            return Err(EmbeddedPgError::VersionMismatch {
                dir: self.cluster_dir.clone(),
                cluster,
                bin_dir: self.bin_dir.clone(),
                binaries,
            });
        }
        Ok(())
    }

    fn prepare_log_file(&self) -> Result<(), EmbeddedPgError> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_file)
            .map_err(io_err(format!("creating {}", self.log_file.display())))?;
        if let Some(ids) = &self.runner.server_ids {
            std::os::unix::fs::chown(&self.log_file, Some(ids.uid), Some(ids.gid))
                .map_err(io_err(format!("chown {}", self.log_file.display())))?;
        }
        Ok(())
    }

    /// As root, make sure the `postgres` user can reach and write the cluster
    /// and the log (a parent like /root with mode 0700 would block it).
    async fn check_access_as_server_user(&self) -> Result<(), EmbeddedPgError> {
        let Some(ids) = &self.runner.server_ids else {
            return Ok(());
        };
        let mut args = vec!["-w".to_string(), path_str(&self.cluster_dir)];
        if self.log_file.exists() {
            args.extend(["-a", "-w"].map(String::from));
            args.push(path_str(&self.log_file));
        }
        let out = run(
            &self.runner,
            Path::new("test"),
            &args,
            Duration::from_secs(30),
        )
        .await?;
        if out.status.success() {
            return Ok(());
        }
        let detail = first_blocking_ancestor(&self.cluster_dir, ids)
            .map(|(dir, mode)| format!("{} has mode {:04o}", dir.display(), mode & 0o7777))
            .unwrap_or_else(|| "permission denied".to_string());
        Err(EmbeddedPgError::NotAccessible {
            path: self.cluster_dir.clone(),
            detail,
        })
    }

    /// A server from an earlier run of this data dir may still be running (the
    /// previous process was killed before its watchdog fired), or a crash may have
    /// left a stale `postmaster.pid`. Stop the former (so the port is ours),
    /// remove the latter.
    async fn stop_leftover_server(&self) -> Result<(), EmbeddedPgError> {
        let pid_file = self.cluster_dir.join("postmaster.pid");
        let Ok(contents) = std::fs::read_to_string(&pid_file) else {
            return Ok(());
        };
        let pid: Option<u32> = contents.lines().next().and_then(|l| l.trim().parse().ok());
        let alive_postgres = match pid {
            Some(pid) if Path::new("/proc/self").exists() => is_postgres_process(pid),
            // No /proc: let pg_ctl decide (exit code 0 = running).
            _ => {
                let args = vec![
                    "-D".to_string(),
                    path_str(&self.cluster_dir),
                    "status".to_string(),
                ];
                run(
                    &self.runner,
                    &self.tool("pg_ctl"),
                    &args,
                    Duration::from_secs(30),
                )
                .await
                .map(|o| o.status.success())
                .unwrap_or(false)
            }
        };
        if alive_postgres {
            tracing::warn!(?pid, dir = %self.cluster_dir.display(), "stopping a server left running by an earlier run");
            let fast = self.pg_ctl_stop_args("fast", STOP_TIMEOUT_SECS);
            let timeout = Duration::from_secs(STOP_TIMEOUT_SECS + 15);
            if self
                .run_checked(&self.tool("pg_ctl"), &fast, timeout)
                .await
                .is_err()
            {
                let immediate = self.pg_ctl_stop_args("immediate", STOP_TIMEOUT_SECS);
                self.run_checked(&self.tool("pg_ctl"), &immediate, timeout)
                    .await?;
            }
        } else {
            tracing::warn!(?pid, "removing stale postmaster.pid (process is gone)");
            remove_file_if_exists(&pid_file)
                .map_err(io_err(format!("removing {}", pid_file.display())))?;
        }
        Ok(())
    }

    async fn start_server(&mut self, requested_port: Option<u16>) -> Result<(), EmbeddedPgError> {
        let attempts = if requested_port.is_some() {
            1
        } else {
            AUTO_PORT_ATTEMPTS
        };
        let mut last_err = None;
        for _ in 0..attempts {
            let port = match requested_port {
                Some(p) => p,
                None => free_port()?,
            };
            let log_offset = std::fs::metadata(&self.log_file)
                .map(|m| m.len())
                .unwrap_or(0);
            let server_opts = format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {}",
                shell_quote(&path_str(&self.socket_dir))
            );
            let args = vec![
                "-D".to_string(),
                path_str(&self.cluster_dir),
                "-l".to_string(),
                path_str(&self.log_file),
                "-w".to_string(),
                "-t".to_string(),
                START_TIMEOUT_SECS.to_string(),
                "start".to_string(),
                "-o".to_string(),
                server_opts,
            ];
            let result = run(
                &self.runner,
                &self.tool("pg_ctl"),
                &args,
                Duration::from_secs(START_TIMEOUT_SECS + 30),
            )
            .await;
            let reason = match result {
                Ok(out) if out.status.success() => {
                    self.port = port;
                    return Ok(());
                }
                Ok(out) => format!(
                    "pg_ctl start failed ({}): {}",
                    out.status,
                    combined_output(&out).trim()
                ),
                Err(e) => e.to_string(),
            };
            let new_log = read_from(&self.log_file, log_offset);
            let port_taken =
                new_log.contains("could not bind") || new_log.contains("Address already in use");
            last_err = Some(EmbeddedPgError::StartFailed {
                port,
                reason,
                log: path_str(&self.log_file),
                log_tail: tail(&read_from(&self.log_file, 0), 40),
            });
            if !port_taken {
                break;
            }
            tracing::warn!(port, "port was taken before the server bound it; retrying");
        }
        Err(last_err.expect("at least one attempt"))
    }

    fn cleanup_after_stop(&mut self) {
        if let Some(mut child) = self.watchdog.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !self.socket_dir.as_os_str().is_empty() {
            let _ = remove_dir_all_if_exists(&self.socket_dir);
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let args = self.pg_ctl_stop_args("immediate", 10);
            let program = self.tool("pg_ctl");
            let mut cmd = self.runner.std_command(&program, &args);
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .current_dir("/");
            match cmd.spawn() {
                Ok(mut child) => {
                    let deadline = Instant::now() + DROP_STOP_TIMEOUT;
                    loop {
                        match child.try_wait() {
                            Ok(Some(_)) => break,
                            Ok(None) if Instant::now() < deadline => {
                                std::thread::sleep(Duration::from_millis(50))
                            }
                            _ => {
                                let _ = child.kill();
                                let _ = child.wait();
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not run pg_ctl stop on drop"),
            }
        }
        self.cleanup_after_stop();
        if self.ephemeral {
            let _ = remove_dir_all_if_exists(&self.data_dir);
        }
    }
}

// ---- running commands (as `postgres` when we are root) ----------------------

#[derive(Debug, Clone, Copy)]
struct ServerIds {
    uid: u32,
    gid: u32,
}

#[derive(Debug, Clone)]
enum Switch {
    Runuser(PathBuf),
    Su(PathBuf),
}

#[derive(Debug, Clone)]
struct Runner {
    switch: Option<Switch>,
    /// Set when running as root: ids of the `postgres` user that owns the cluster.
    server_ids: Option<ServerIds>,
}

impl Runner {
    fn direct() -> Self {
        Runner {
            switch: None,
            server_ids: None,
        }
    }

    /// initdb and postgres refuse to run as root; when we are root, run the
    /// server tools as the `postgres` user (created if missing).
    async fn detect() -> Result<Self, EmbeddedPgError> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Self::direct());
        }
        let ids = match lookup_user_ids(OS_USER).await {
            Some(ids) => ids,
            None => {
                tracing::warn!("running as root and no `postgres` user exists; creating it");
                let useradd = discovery::which("useradd".as_ref())
                    .or_else(|| Some(PathBuf::from("/usr/sbin/useradd")).filter(|p| p.exists()))
                    .ok_or_else(|| EmbeddedPgError::PostgresUser("useradd not found".into()))?;
                let args = [
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--shell",
                    "/bin/sh",
                    OS_USER,
                ]
                .map(String::from)
                .to_vec();
                let out = run(&Self::direct(), &useradd, &args, Duration::from_secs(30))
                    .await
                    .map_err(|e| EmbeddedPgError::PostgresUser(e.to_string()))?;
                // Exit code 9: created concurrently by someone else.
                if !out.status.success() && out.status.code() != Some(9) {
                    return Err(EmbeddedPgError::PostgresUser(combined_output(&out)));
                }
                lookup_user_ids(OS_USER).await.ok_or_else(|| {
                    EmbeddedPgError::PostgresUser("user still missing after useradd".into())
                })?
            }
        };
        let switch = if let Some(runuser) = discovery::which("runuser".as_ref())
            .or_else(|| Some(PathBuf::from("/usr/sbin/runuser")).filter(|p| p.exists()))
        {
            Switch::Runuser(runuser)
        } else if let Some(su) = discovery::which("su".as_ref()) {
            Switch::Su(su)
        } else {
            return Err(EmbeddedPgError::PostgresUser(
                "neither runuser nor su is available to switch to it".into(),
            ));
        };
        Ok(Runner {
            switch: Some(switch),
            server_ids: Some(ids),
        })
    }

    /// The argv (program first) that runs `program args` as the server user.
    fn argv(&self, program: &Path, args: &[String]) -> Vec<String> {
        let mut inner = vec![path_str(program)];
        inner.extend(args.iter().cloned());
        match &self.switch {
            None => inner,
            Some(Switch::Runuser(runuser)) => {
                let mut v = vec![path_str(runuser), "-u".into(), OS_USER.into(), "--".into()];
                v.extend(inner);
                v
            }
            Some(Switch::Su(su)) => vec![
                path_str(su),
                OS_USER.into(),
                "-s".into(),
                "/bin/sh".into(),
                "-c".into(),
                shell_join(&inner),
            ],
        }
    }

    fn std_command(&self, program: &Path, args: &[String]) -> std::process::Command {
        let argv = self.argv(program, args);
        let mut cmd = std::process::Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        cmd
    }

    /// chown -R the path to `postgres` (root only) unless it already belongs to it.
    async fn ensure_owned(&self, path: &Path) -> Result<(), EmbeddedPgError> {
        let Some(ids) = self.server_ids else {
            return Ok(());
        };
        let meta = std::fs::metadata(path).map_err(io_err(format!("stat {}", path.display())))?;
        if meta.uid() == ids.uid && meta.gid() == ids.gid {
            return Ok(());
        }
        let args = vec![
            "-R".to_string(),
            format!("{}:{}", ids.uid, ids.gid),
            path_str(path),
        ];
        let out = run(
            &Self::direct(),
            Path::new("chown"),
            &args,
            Duration::from_secs(300),
        )
        .await?;
        if !out.status.success() {
            return Err(EmbeddedPgError::CommandFailed {
                command: display_command(Path::new("chown"), &args),
                status: out.status.to_string(),
                output: combined_output(&out),
            });
        }
        Ok(())
    }
}

async fn lookup_user_ids(user: &str) -> Option<ServerIds> {
    let id = |flag: &'static str| async move {
        let out = tokio::process::Command::new("id")
            .args([flag, user])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .await
            .ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8(out.stdout)
            .ok()?
            .trim()
            .parse::<u32>()
            .ok()
    };
    Some(ServerIds {
        uid: id("-u").await?,
        gid: id("-g").await?,
    })
}

/// Run to completion with a timeout (the child is killed on timeout).
async fn run(
    runner: &Runner,
    program: &Path,
    args: &[String],
    timeout: Duration,
) -> Result<Output, EmbeddedPgError> {
    let argv = runner.argv(program, args);
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The server user may not be able to enter our cwd (e.g. /root).
        .current_dir("/")
        .kill_on_drop(true);
    tracing::debug!(command = %argv.join(" "), "running");
    match tokio::time::timeout(timeout, cmd.output()).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(EmbeddedPgError::Io {
            context: format!("running {}", display_command(program, args)),
            source: e,
        }),
        Err(_) => Err(EmbeddedPgError::Timeout {
            command: display_command(program, args),
            seconds: timeout.as_secs(),
        }),
    }
}

/// Private socket folder (0700, owned by the server user).
async fn make_socket_dir(runner: &Runner) -> Result<PathBuf, EmbeddedPgError> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = base.join(format!(
            "ledger-pg-{}-{}-{:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                utf8(&dir)?;
                runner.ensure_owned(&dir).await?;
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(EmbeddedPgError::Io {
                    context: format!("creating socket dir {}", dir.display()),
                    source: e,
                });
            }
        }
    }
    Err(EmbeddedPgError::Io {
        context: "creating socket dir".into(),
        source: std::io::Error::other("too many name collisions"),
    })
}

/// A detached shell that waits for this process to disappear, then stops the
/// server (and removes an ephemeral data dir). Own process group, so a
/// terminal Ctrl-C that kills us does not kill it too.
fn spawn_watchdog(pg: &EmbeddedPostgres) -> Option<std::process::Child> {
    let stop = shell_join(
        &pg.runner
            .argv(&pg.tool("pg_ctl"), &pg.pg_ctl_stop_args("immediate", 30)),
    );
    let mut script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done\n{stop} >/dev/null 2>&1\nrm -rf -- {sock}\n",
        pid = std::process::id(),
        sock = shell_quote(&path_str(&pg.socket_dir)),
    );
    if pg.ephemeral {
        script.push_str(&format!(
            "rm -rf -- {}\n",
            shell_quote(&path_str(&pg.data_dir))
        ));
    }
    let result = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .current_dir("/")
        .process_group(0)
        .spawn();
    match result {
        Ok(child) => Some(child),
        Err(e) => {
            tracing::warn!(error = %e, "could not start the embedded PostgreSQL watchdog");
            None
        }
    }
}

// ---- small helpers ----------------------------------------------------------

fn io_err(context: String) -> impl FnOnce(std::io::Error) -> EmbeddedPgError {
    move |source| EmbeddedPgError::Io { context, source }
}

fn utf8(path: &Path) -> Result<&str, EmbeddedPgError> {
    path.to_str()
        .ok_or_else(|| EmbeddedPgError::NonUtf8Path(path.to_path_buf()))
}

/// Paths handled here were checked with [`utf8`] (or are bin dir paths).
fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn remove_dir_all_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn remove_file_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn is_postgres_process(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|comm| comm.trim().starts_with("postgres") || comm.trim() == "postmaster")
        .unwrap_or(false)
}

/// The deepest existing ancestor of `path` (inclusive) that `ids` cannot traverse.
fn first_blocking_ancestor(path: &Path, ids: &ServerIds) -> Option<(PathBuf, u32)> {
    path.ancestors()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|dir| {
            let meta = std::fs::metadata(dir).ok()?;
            let mode = meta.mode();
            let ok = if meta.uid() == ids.uid {
                mode & 0o100 != 0
            } else if meta.gid() == ids.gid {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            };
            (!ok).then(|| (dir.to_path_buf(), mode))
        })
}

fn free_port() -> Result<u16, EmbeddedPgError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(io_err("binding 127.0.0.1:0 to pick a free port".into()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(io_err("reading picked port".into()))
}

fn read_from(path: &Path, offset: u64) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn combined_output(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.trim().is_empty() {
        if !s.trim().is_empty() {
            s.push('\n');
        }
        s.push_str(&err);
    }
    s
}

fn display_command(program: &Path, args: &[String]) -> String {
    let mut v = vec![path_str(program)];
    v.extend(args.iter().cloned());
    shell_join(&v)
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-=:,+@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn shell_join(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_conninfo(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            shell_quote("/usr/lib/postgresql/15/bin/pg_ctl"),
            "/usr/lib/postgresql/15/bin/pg_ctl"
        );
        assert_eq!(quote_ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(percent_encode("ledger_test-1"), "ledger_test-1");
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn tail_keeps_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }

    #[test]
    fn missing_binaries_message_is_exact() {
        assert_eq!(
            EmbeddedPgError::BinariesNotFound.to_string(),
            "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: `sudo apt-get install -y postgresql`), set LEDGER_PG_BIN to the folder holding initdb and pg_ctl, or set DATABASE_URL to use an existing server."
        );
    }
}
