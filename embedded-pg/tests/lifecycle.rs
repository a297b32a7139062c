//! Starts real PostgreSQL clusters from the machine's binaries.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use embedded_pg::{EmbeddedPostgres, Options};

fn unique_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "embedded-pg-test-{tag}-{}-{nanos}",
        std::process::id()
    ))
}

/// Runs `sql` through psql using the public URL; returns trimmed stdout.
async fn psql(pg: &EmbeddedPostgres, db: &str, sql: &str) -> String {
    let mut psql = pg.bin_dir().join("psql");
    if !psql.exists() {
        psql = PathBuf::from("psql");
    }
    let out = tokio::process::Command::new(psql)
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .arg(pg.url(db))
        .output()
        .await
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn postmaster_pid(pg: &EmbeddedPostgres) -> u32 {
    let text = std::fs::read_to_string(pg.cluster_dir().join("postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[tokio::test]
async fn ephemeral_cluster_lifecycle() {
    let dir = unique_dir("ephemeral");
    let pg = EmbeddedPostgres::start(Options {
        data_dir: dir.clone(),
        port: None,
        ephemeral: true,
    })
    .await
    .unwrap();

    assert!(pg.cluster_dir().join("PG_VERSION").exists());
    assert!(pg.url("app").starts_with("postgres://ledger@127.0.0.1:"));
    pg.create_database("app").await.unwrap();
    pg.create_database("app").await.unwrap(); // idempotent
    assert_eq!(psql(&pg, "app", "SELECT 1").await, "1");
    assert_eq!(psql(&pg, "app", "SHOW fsync").await, "on");
    assert_eq!(psql(&pg, "app", "SHOW listen_addresses").await, "127.0.0.1");
    tokio::net::TcpStream::connect(("127.0.0.1", pg.port()))
        .await
        .expect("tcp connect");

    let socket_dir = pg.socket_dir().to_path_buf();
    assert!(socket_dir.exists());
    pg.stop().await.unwrap();
    assert!(!dir.exists(), "ephemeral data dir must be removed on stop");
    assert!(!socket_dir.exists(), "socket dir must be removed on stop");
}

#[tokio::test]
async fn restart_reuses_cluster() {
    let dir = unique_dir("restart");
    let opts = Options {
        data_dir: dir.clone(),
        port: None,
        ephemeral: false,
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app-file.txt"), "kept").unwrap();

    let pg = EmbeddedPostgres::start(opts.clone()).await.unwrap();
    pg.create_database("keep").await.unwrap();
    psql(
        &pg,
        "keep",
        "CREATE TABLE t (v int); INSERT INTO t VALUES (42)",
    )
    .await;
    let system_id = psql(
        &pg,
        "keep",
        "SELECT system_identifier FROM pg_control_system()",
    )
    .await;
    pg.stop().await.unwrap();
    assert!(dir.join("pg").join("PG_VERSION").exists());

    // A crash can leave a stale postmaster.pid whose process is gone.
    let dead_pid = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    std::fs::write(
        dir.join("pg").join("postmaster.pid"),
        format!("{dead_pid}\n{}\n", dir.join("pg").display()),
    )
    .unwrap();

    let pg = EmbeddedPostgres::start(opts).await.unwrap();
    assert_eq!(
        psql(
            &pg,
            "keep",
            "SELECT system_identifier FROM pg_control_system()"
        )
        .await,
        system_id,
        "same cluster, not a fresh initdb"
    );
    assert_eq!(psql(&pg, "keep", "SELECT v FROM t").await, "42");
    pg.create_database("keep").await.unwrap();
    pg.stop().await.unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("app-file.txt")).unwrap(),
        "kept"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn drop_stops_server_and_leftover_server_is_replaced() {
    let dir = unique_dir("drop");
    let opts = Options {
        data_dir: dir.clone(),
        port: None,
        ephemeral: false,
    };

    // A server left running by an earlier run (its handle never dropped).
    let leaked = EmbeddedPostgres::start(opts.clone()).await.unwrap();
    let leaked_pid = postmaster_pid(&leaked);
    std::mem::forget(leaked);

    let pg = EmbeddedPostgres::start(opts.clone()).await.unwrap();
    assert!(wait_gone(leaked_pid), "leftover server must be stopped");
    let pid = postmaster_pid(&pg);
    assert_ne!(pid, leaked_pid);
    assert_eq!(psql(&pg, "postgres", "SELECT 1").await, "1");

    drop(pg);
    assert!(wait_gone(pid), "drop must stop the server");
    assert!(!dir.join("pg").join("postmaster.pid").exists());

    // Ephemeral + drop removes the dir too.
    let pg = EmbeddedPostgres::start(Options {
        ephemeral: true,
        ..opts
    })
    .await
    .unwrap();
    let pid = postmaster_pid(&pg);
    drop(pg);
    assert!(wait_gone(pid));
    assert!(!dir.exists());
}

#[tokio::test]
async fn fixed_port_and_invalid_names() {
    let dir = unique_dir("fixed");
    let port = {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        l.local_addr().unwrap().port()
    };
    let pg = EmbeddedPostgres::start(Options {
        data_dir: dir.clone(),
        port: Some(port),
        ephemeral: true,
    })
    .await
    .unwrap();
    assert_eq!(pg.port(), port);
    assert_eq!(pg.url("x"), format!("postgres://ledger@127.0.0.1:{port}/x"));
    assert!(pg.create_database("").await.is_err());
    pg.create_database("weird \"name\"").await.unwrap();
    assert_eq!(
        psql(
            &pg,
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname = 'weird \"name\"'"
        )
        .await,
        "1"
    );

    // The port is taken now: a second server on it fails with the log tail.
    let err = EmbeddedPostgres::start(Options {
        data_dir: unique_dir("fixed-clash"),
        port: Some(port),
        ephemeral: true,
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("failed to start"), "{err}");
    assert!(err.contains("pg.log"), "{err}");

    pg.stop().await.unwrap();
    assert!(!dir.exists());
}
