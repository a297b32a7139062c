//! `ledger-bench`: the benchmarks, each against a baseline measured in the same run.
//! Starts a private PostgreSQL cluster (fsync and synchronous_commit on) and the release
//! `ledger` binary as a separate process, drives it over HTTP, and prints a Markdown report
//! (appended to bench/RESULTS.md by bench/run).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use embedded_pg::{EmbeddedPostgres, Options};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::process::{Child, Command};

mod aging;
mod projector;
mod reports;
mod traffic;

/// Concurrent HTTP clients for the posting benchmark (the figure).
const CLIENTS: usize = 32;
/// Length of each timed phase.
const PHASE: Duration = Duration::from_secs(15);
/// Transactions generated directly in the log for the replay and report benchmarks.
const BULK_TRANSACTIONS: i64 = 1_000_000;
/// Requests timed per report query.
const REPORT_SAMPLES: usize = 200;

struct Stats {
    name: String,
    count: usize,
    seconds: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
}

impl Stats {
    fn from_latencies(name: &str, mut micros: Vec<u64>, seconds: f64) -> Stats {
        micros.sort_unstable();
        let pick = |p: f64| {
            if micros.is_empty() {
                0.0
            } else {
                micros[((micros.len() as f64 * p).ceil() as usize).clamp(1, micros.len()) - 1]
                    as f64
                    / 1000.0
            }
        };
        Stats {
            name: name.into(),
            count: micros.len(),
            seconds,
            p50_ms: pick(0.50),
            p95_ms: pick(0.95),
            p99_ms: pick(0.99),
        }
    }

    fn rate(&self) -> f64 {
        self.count as f64 / self.seconds
    }

    fn row(&self) -> String {
        format!(
            "| {} | {} | {:.1} | {:.0}/s | {:.2} | {:.2} | {:.2} |",
            self.name,
            self.count,
            self.seconds,
            self.rate(),
            self.p50_ms,
            self.p95_ms,
            self.p99_ms
        )
    }
}

/// CPU seconds used so far by the server, by PostgreSQL and by this load generator, read from
/// /proc (so a report can say where each posting's time goes).
#[derive(Clone, Copy, Default)]
struct Cpu {
    server: f64,
    postgres: f64,
    client: f64,
}

fn cpu_now() -> Cpu {
    let ticks = 100.0; // USER_HZ on Linux
    let mut cpu = Cpu::default();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return cpu;
    };
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let (Some(u), Some(s)) = (fields.get(11), fields.get(12)) else {
            continue;
        };
        let secs = (u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0)) / ticks;
        match name {
            "ledger" => cpu.server += secs,
            "postgres" => cpu.postgres += secs,
            "ledger-bench" => cpu.client += secs,
            _ => {}
        }
    }
    cpu
}

impl Cpu {
    /// CPU milliseconds per item between two snapshots, by component.
    fn per_item(self, before: Cpu, items: usize) -> String {
        let n = items.max(1) as f64;
        format!(
            "server {:.2} ms, PostgreSQL {:.2} ms, load generator {:.2} ms",
            (self.server - before.server) * 1000.0 / n,
            (self.postgres - before.postgres) * 1000.0 / n,
            (self.client - before.client) * 1000.0 / n
        )
    }
}

struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
    token: String,
}

async fn start_server(url: &str, data_dir: &PathBuf) -> anyhow::Result<Server> {
    let exe = std::env::current_exe()?.with_file_name("ledger");
    anyhow::ensure!(
        exe.exists(),
        "build the server first: cargo build --release --bin ledger ({})",
        exe.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(&exe)
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LEDGER_LISTEN", format!("127.0.0.1:{port}"))
        .env("LEDGER_DATA_DIR", data_dir)
        .env(
            "LEDGER_JWT_SECRET",
            "bench-secret-bench-secret-bench-secret",
        )
        .env("LEDGER_ACCESS_TOKEN_SECONDS", "86400")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS * 2)
        .build()?;
    for _ in 0..600 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let creds = json!({"email": "bench@example.com", "password": "benchmark password"});
    let _ = client
        .post(format!("{base}/api/auth/register"))
        .json(&creds)
        .send()
        .await?;
    let login: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&creds)
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("login")?.to_string();
    Ok(Server {
        child,
        base,
        client,
        token,
    })
}

impl Server {
    /// Sends `req` with the token and answers its JSON, refusing an unsuccessful status.
    async fn json(&self, req: reqwest::RequestBuilder, path: &str) -> anyhow::Result<Value> {
        let res = req.bearer_auth(&self.token).send().await?;
        let status = res.status();
        let v: Value = res.json().await?;
        anyhow::ensure!(status.is_success(), "{path}: {status} {v}");
        Ok(v)
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let req = self.client.post(format!("{}{path}", self.base)).json(body);
        self.json(req, path).await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.json(self.client.get(format!("{}{path}", self.base)), path)
            .await
    }

    async fn get_ms(&self, path: &str) -> anyhow::Result<u64> {
        let t = Instant::now();
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "{path}: {}", res.status());
        res.bytes().await?;
        Ok(t.elapsed().as_micros() as u64)
    }
}

fn entries(accounts: &[String], legs: usize, i: usize) -> Value {
    let cents = (i % 9_000 + 100) as i64;
    let amount = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    if legs == 2 {
        json!([{"account_id": accounts[i % 4], "amount": amount(cents)},
               {"account_id": accounts[4 + i % 4], "amount": format!("-{}", amount(cents))}])
    } else {
        json!([{"account_id": accounts[0], "amount": amount(cents)}, {"account_id": accounts[1], "amount": amount(cents)},
               {"account_id": accounts[4], "amount": format!("-{}", amount(cents))},
               {"account_id": accounts[5], "amount": format!("-{}", amount(cents))}])
    }
}

async fn http_postings(
    server: Arc<Server>,
    accounts: Arc<Vec<String>>,
    legs: usize,
) -> anyhow::Result<Stats> {
    let started = Instant::now();
    let deadline = started + PHASE;
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (server, accounts) = (server.clone(), accounts.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = c * 1_000_000;
            while Instant::now() < deadline {
                let body = json!({"date": "2026-10-01", "description": "bench", "entries": entries(&accounts, legs, i),
                                  "idempotency_key": uuid::Uuid::new_v4().to_string()});
                let t = Instant::now();
                server.post("/api/transactions", &body).await?;
                lat.push(t.elapsed().as_micros() as u64);
                i += 1;
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::from_latencies(
        &format!("HTTP POST /api/transactions, {legs}-leg, {CLIENTS} clients"),
        all,
        started.elapsed().as_secs_f64(),
    ))
}

async fn http_batches(server: &Server, accounts: &[String]) -> anyhow::Result<Stats> {
    let per_call = 2_000;
    let calls = 10;
    let started = Instant::now();
    let mut lat = Vec::new();
    for call in 0..calls {
        let txs: Vec<Value> = (0..per_call)
            .map(|i| json!({"date": "2026-10-02", "description": "batch", "entries": entries(accounts, 2, call * per_call + i)}))
            .collect();
        let t = Instant::now();
        server
            .post("/api/transactions/batch", &json!({"transactions": txs}))
            .await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut s = Stats::from_latencies(
        &format!("HTTP POST /api/transactions/batch ({per_call} per call), postings"),
        lat,
        seconds,
    );
    s.count *= per_call;
    Ok(s)
}

/// Baseline for postings: the same rows inserted straight into a table of the events' shape,
/// one row per transaction and commit, from the same number of connections.
async fn raw_inserts(pool: &PgPool) -> anyhow::Result<Stats> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_raw (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY)",
    )
    .execute(pool)
    .await?;
    sqlx::query("ALTER TABLE bench_raw ADD PRIMARY KEY (aggregate_type, aggregate_id, sequence)")
        .execute(pool)
        .await
        .ok();
    let started = Instant::now();
    let deadline = started + PHASE;
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                sqlx::query(
                    "INSERT INTO bench_raw (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                     VALUES ('transaction', $1, 1, 'Posted', '1.0', $2, '{\"source\":\"bench\"}')",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(json!({"Posted": {"date": "2026-10-01", "legs": [{"amount": "1.00"}, {"amount": "-1.00"}]}}))
                .execute(&pool)
                .await?;
                lat.push(t.elapsed().as_micros() as u64);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::from_latencies(
        &format!("baseline: raw single-row INSERT+commit, {CLIENTS} connections"),
        all,
        started.elapsed().as_secs_f64(),
    ))
}

/// Writes `n` two-leg Posted events straight into the log (the replay and report benchmarks
/// need a million of them; posting them over HTTP would only measure posting again).
async fn bulk_events(pool: &PgPool, accounts: &[String], n: i64) -> anyhow::Result<()> {
    let chunk = 100_000;
    let mut done = 0;
    while done < n {
        let size = chunk.min(n - done);
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             SELECT 'transaction', gen_random_uuid()::text, 1, 'Posted', '1.0', \
               json_build_object('Posted', jsonb_build_object( \
                 'date', (date '2024-11-01' + (g % 730)::int)::text, 'kind', 'journal', 'description', 'bulk ' || g, \
                 'fingerprint', 'bulk', 'legs', jsonb_build_array( \
                   jsonb_build_object('account_id', ($1::text[])[1 + g % 4], 'amount', round(((g % 9000) + 100) / 100.0, 2)::text, 'currency', 'USD'), \
                   jsonb_build_object('account_id', ($1::text[])[5 + g % 4], 'amount', (-round(((g % 9000) + 100) / 100.0, 2))::text, 'currency', 'USD')))), \
               jsonb_build_object('source', 'bench', 'time', now())::json \
             FROM generate_series($2::bigint, $3::bigint) g",
        )
        .bind(accounts)
        .bind(done)
        .bind(done + size - 1)
        .execute(pool)
        .await?;
        done += size;
    }
    Ok(())
}

async fn wait_sealed(pool: &PgPool) -> anyhow::Result<f64> {
    let started = Instant::now();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    loop {
        let sealed: i64 = sqlx::query_scalar("SELECT last_seq FROM chain_head")
            .fetch_one(pool)
            .await?;
        if sealed >= total {
            return Ok(started.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn report_latency(server: &Server, name: &str, path: &str) -> anyhow::Result<Stats> {
    server.get_ms(path).await?;
    let started = Instant::now();
    let mut lat = Vec::new();
    for _ in 0..REPORT_SAMPLES {
        lat.push(server.get_ms(path).await?);
    }
    Ok(Stats::from_latencies(
        name,
        lat,
        started.elapsed().as_secs_f64(),
    ))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
                    / 1024
            })
        })
        .unwrap_or(0);
    format!("{cores} cores ({cpu}), {mem} GiB RAM")
}

/// The heading of a results section: date, commit, machine and the table's header.
fn print_header(title: &str) {
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("## {now} — {title} — commit {commit}\n");
    println!(
        "Machine: {}. PostgreSQL with fsync and synchronous_commit on; server = release `ledger` in its own process.\n",
        machine()
    );
    println!(
        "| benchmark | count | seconds | rate | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|"
    );
}

/// With `--statements`: the statements that took the most time since the last reset (or the
/// start), on stderr.
async fn print_statements(url: &str) -> anyhow::Result<()> {
    // As the cluster's owner: the pool runs as the unprivileged application role.
    let mut owner = PgConnection::connect(url).await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&mut owner)
        .await?;
    let rows: Vec<(String, i64, f64)> = sqlx::query_as(
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110), calls, total_exec_time \
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25",
    )
    .fetch_all(&mut owner)
    .await?;
    for (q, calls, ms) in rows {
        eprintln!("{ms:>10.0} ms {calls:>8} calls  {q}");
    }
    Ok(())
}

/// With `--statements`: starts counting statements afresh.
async fn reset_statements(url: &str) -> anyhow::Result<()> {
    let mut owner = PgConnection::connect(url).await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&mut owner)
        .await?;
    sqlx::query("SELECT pg_stat_statements_reset()")
        .execute(&mut owner)
        .await?;
    Ok(())
}

/// With `LEDGER_BENCH_HOLD_SECS` set, keeps the benchmark's database up that long after the
/// run, so its queries can be examined (EXPLAIN) on the same data.
async fn hold(url: &str) {
    if let Some(secs) = std::env::var("LEDGER_BENCH_HOLD_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        eprintln!("holding the database for {secs} s: {url}");
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("ledger-bench-{}", uuid::Uuid::new_v4().simple()));
    let statements = std::env::args().any(|a| a == "--statements");
    let mut pg = EmbeddedPostgres::start(Options {
        data_dir: dir.clone(),
        port: None,
        ephemeral: true,
    })
    .await?;
    if statements {
        // pg_stat_statements must be preloaded: set it and restart the cluster on the same folder.
        let mut c = PgConnection::connect(&pg.url("postgres")).await?;
        sqlx::query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            .execute(&mut c)
            .await?;
        c.close().await?;
        let port = pg.port();
        std::mem::forget(pg);
        pg = EmbeddedPostgres::start(Options {
            data_dir: dir.clone(),
            port: Some(port),
            ephemeral: true,
        })
        .await?;
    }
    pg.create_database("bench").await?;
    let url = pg.url("bench");
    api::db::migrate(&url).await?;
    let pool = api::db::pool(&url, (CLIENTS + 4) as u32).await?;
    let data_dir = dir.join("app");
    std::fs::create_dir_all(&data_dir)?;
    let server = Arc::new(start_server(&url, &data_dir).await?);
    let suite = if std::env::args().any(|a| a == "--reports") {
        Some((
            "Accounting report benchmarks",
            reports::run(&server, &pool).await?,
        ))
    } else if std::env::args().any(|a| a == "--aging") {
        Some((
            "Invoice ageing benchmark",
            aging::run(&server, &pool).await?,
        ))
    } else {
        None
    };
    if let Some((title, (rows, notes))) = suite {
        print_header(title);
        for r in &rows {
            println!("{r}");
        }
        println!();
        for n in &notes {
            println!("- {n}");
        }
        println!();
        hold(&url).await;
        drop(server);
        pg.stop().await?;
        return Ok(());
    }
    if std::env::args().any(|a| a == "--traffic") {
        let (rows, notes) =
            traffic::run(&server, &pool, &dir, statements.then_some(url.as_str())).await?;
        print_header("Traffic benchmarks");
        for r in &rows {
            println!("{r}");
        }
        println!();
        for n in &notes {
            println!("- {n}");
        }
        println!();
        hold(&url).await;
        drop(server);
        pg.stop().await?;
        return Ok(());
    }

    let mut accounts = Vec::new();
    for (i, t) in [
        "asset", "asset", "asset", "asset", "income", "income", "expense", "expense",
    ]
    .iter()
    .enumerate()
    {
        let a = server
            .post(
                "/api/accounts",
                &json!({"name": format!("A{i}"), "type": t, "kind": "other", "currency": "USD"}),
            )
            .await?;
        accounts.push(a["id"].as_str().context("id")?.to_string());
    }
    let accounts = Arc::new(accounts);
    if std::env::args().any(|a| a == "--projector") {
        // The server's projector must not drain the backlog: stop it before writing one.
        let Server { mut child, .. } =
            Arc::try_unwrap(server).map_err(|_| anyhow::anyhow!("server still shared"))?;
        child.kill().await?;
        child.wait().await?;
        eprintln!("bulk events (no projector running)...");
        bulk_events(&pool, &accounts, BULK_TRANSACTIONS).await?;
        if statements {
            reset_statements(&url).await?;
        }
        eprintln!("draining...");
        let notes = projector::run(&pool).await?;
        if statements {
            print_statements(&url).await?;
        }
        print_header("Live projector benchmark");
        for n in &notes {
            println!("- {n}");
        }
        println!();
        hold(&url).await;
        pg.stop().await?;
        return Ok(());
    }
    let mut rows = Vec::new();

    let mut cpu_notes = Vec::new();
    eprintln!("raw inserts baseline...");
    let c0 = cpu_now();
    let raw = raw_inserts(&pool).await?;
    cpu_notes.push(format!("raw insert: {}", cpu_now().per_item(c0, raw.count)));
    eprintln!("HTTP 2-leg...");
    wait_sealed(&pool).await?;
    let c0 = cpu_now();
    let two = http_postings(server.clone(), accounts.clone(), 2).await?;
    wait_sealed(&pool).await?;
    cpu_notes.push(format!(
        "2-leg posting (incl. projection): {}",
        cpu_now().per_item(c0, two.count)
    ));
    eprintln!("HTTP 4-leg...");
    let c0 = cpu_now();
    let four = http_postings(server.clone(), accounts.clone(), 4).await?;
    wait_sealed(&pool).await?;
    cpu_notes.push(format!(
        "4-leg posting (incl. projection): {}",
        cpu_now().per_item(c0, four.count)
    ));
    eprintln!("batches...");
    let c0 = cpu_now();
    let batch = http_batches(&server, &accounts).await?;
    wait_sealed(&pool).await?;
    cpu_notes.push(format!(
        "batched posting (incl. projection): {}",
        cpu_now().per_item(c0, batch.count)
    ));
    for n in &cpu_notes {
        eprintln!("cpu per item: {n}");
    }
    for s in [&raw, &two, &four, &batch] {
        eprintln!("{}", s.row());
    }
    let projected_http = wait_sealed(&pool).await?;
    if statements {
        print_statements(&url).await?;
    }
    if std::env::args().any(|a| a == "--postings-only") {
        return Ok(());
    }
    rows.extend([raw.row(), two.row(), four.row(), batch.row()]);

    eprintln!("bulk events...");
    let bulk_started = Instant::now();
    bulk_events(&pool, &accounts, BULK_TRANSACTIONS).await?;
    let bulk_seconds = bulk_started.elapsed().as_secs_f64();
    let seal_seconds = wait_sealed(&pool).await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await?;
    let postings: i64 =
        sqlx::query_scalar("SELECT sum(cardinality(leg_accounts))::bigint FROM read.transactions")
            .fetch_one(&pool)
            .await?;

    eprintln!("reports...");
    for (name, path) in [
        (
            "GET /api/reports/trial-balance",
            "/api/reports/trial-balance".to_string(),
        ),
        (
            "GET /api/reports/trial-balance?as_of (mid-month)",
            "/api/reports/trial-balance?as_of=2025-06-15".to_string(),
        ),
        ("GET /api/balances", "/api/balances".to_string()),
        (
            "GET /api/balances?account_id&as_of",
            format!("/api/balances?account_id={}&as_of=2025-06-15", accounts[0]),
        ),
    ] {
        rows.push(report_latency(&server, name, &path).await?.row());
    }

    // Replay: stop the server so its projector releases the read tables.
    let Server { mut child, .. } =
        Arc::try_unwrap(server).map_err(|_| anyhow::anyhow!("server still shared"))?;
    child.kill().await?;
    // From the pool, so the rebuilt schema belongs to the role its other connections use.
    let mut conn = pool.acquire().await?.detach();
    projections::rebuild::wait_for_lock(&mut conn, Duration::from_secs(30)).await?;
    let head = eventstore::log::chain_head(&mut conn, false).await?;
    // Baseline: the same events read with a plain SELECT in the same order, nothing done with them.
    let select_started = Instant::now();
    let mut after = (0i64, 0i64);
    let mut selected = 0u64;
    loop {
        let batch = eventstore::log::fetch_range(
            &mut conn,
            after,
            (head.last_tx_id, head.last_position),
            projections::rebuild::REBUILD_BATCH_EVENTS,
        )
        .await?;
        let Some(last) = batch.last() else { break };
        after = (last.tx_id, last.position);
        selected += batch.len() as u64;
    }
    let select_seconds = select_started.elapsed().as_secs_f64();
    let replay = projections::rebuild::replace_live(&pool, &mut conn).await?;
    conn.close().await?;
    pg.stop().await?;

    let select_rate = selected as f64 / select_seconds;
    print_header("Ledger benchmarks");
    for r in &rows {
        println!("{r}");
    }
    println!();
    println!(
        "- HTTP 2-leg vs raw insert baseline: {:.0}/s vs {:.0}/s ({:.0}%).",
        two.rate(),
        raw.rate(),
        100.0 * two.rate() / raw.rate()
    );
    println!("- Projector caught up with the HTTP phase {projected_http:.1} s after it ended.");
    for n in &cpu_notes {
        println!("- CPU per item, {n}.");
    }
    println!(
        "- Bulk-wrote {BULK_TRANSACTIONS} events in {bulk_seconds:.1} s; the live projector sealed and projected them in {seal_seconds:.1} s ({:.0} events/s).",
        BULK_TRANSACTIONS as f64 / seal_seconds
    );
    println!("- Log: {events} events, {postings} postings in the read tables.");
    println!(
        "- Replay of {} events: {:.1} s ({:.1} s reading, decoding and COPYing; {:.1} s indexes and ordered changes), {:.0} events/s; plain SELECT of the same events: {:.1} s, {:.0} events/s; ratio {:.2}.",
        replay.events,
        replay.seconds,
        replay.load_seconds,
        replay.finish_seconds,
        replay.events_per_second,
        select_seconds,
        select_rate,
        replay.events_per_second / select_rate
    );
    Ok(())
}
