//! Traffic benchmarks (`ledger-bench --traffic`):
//! - a 1,000,000-row Moloco file imported end to end (upload until its metrics are queryable),
//!   against PostgreSQL COPY of the same rows into the same facts table, in the same run; and
//!   the server's peak memory;
//! - metrics queries over ~19 M daily fact rows (2 years, 5,000 campaigns, 5 countries).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{Server, Stats};

/// Campaigns per source and sources: 10 × 500 = 5,000 campaigns.
const SOURCES: usize = 10;
const CAMPAIGNS_PER_SOURCE: usize = 500;
const COUNTRIES: [&str; 5] = ["US", "DE", "BR", "IN", "JP"];
/// The dataset's days: two years, ending before today (future days are refused).
const FIRST_DAY: &str = "2024-11-01";
const DAYS: i64 = 730;
/// The import benchmark's file: 400 campaigns × 5 countries × 500 days.
const IMPORT_CAMPAIGNS: usize = 400;
const IMPORT_DAYS: i64 = 500;
const QUERY_SAMPLES: usize = 100;

fn first_day() -> chrono::NaiveDate {
    FIRST_DAY.parse().expect("valid date")
}

/// Deterministic figures of one row.
fn figures(n: u64) -> (u64, u64, u64, String) {
    let x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let impressions = 1_000 + (x >> 40) % 50_000;
    let clicks = impressions / (20 + (x >> 20) % 50);
    let installs = clicks / (3 + (x >> 10) % 10);
    let spend_cents = impressions * (5 + (x >> 5) % 20) / 100;
    (
        impressions,
        clicks,
        installs,
        format!("{}.{:02}", spend_cents / 100, spend_cents % 100),
    )
}

/// Writes a Moloco report of `campaigns` keys `{prefix}{i}` over `days` days from `from`.
fn write_moloco(
    path: &Path,
    prefix: &str,
    campaigns: usize,
    from: chrono::NaiveDate,
    days: i64,
) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs"
    )?;
    let mut n = 0u64;
    for d in 0..days {
        let date = from + chrono::Days::new(d as u64);
        for c in 0..campaigns {
            for country in COUNTRIES {
                n += 1;
                let (i, cl, ins, spend) = figures(n);
                writeln!(
                    out,
                    "{date},com.example.app,{prefix}{c},Campaign {prefix}{c},{country},{spend},{i},{cl},{ins}"
                )?;
            }
        }
    }
    out.flush()?;
    Ok(n)
}

/// The same rows as the facts table's own COPY input (CSV in its column order).
fn write_facts_csv(moloco: &Path, path: &Path, import_id: uuid::Uuid) -> anyhow::Result<()> {
    use std::io::BufRead;
    let input = std::io::BufReader::new(std::fs::File::open(moloco)?);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for (i, line) in input.lines().enumerate().skip(1) {
        let line = line?;
        let f: Vec<&str> = line.split(',').collect();
        // import_id, line, date, key, name, ad_group, creative, country, os, impressions,
        // clicks, installs, tracker_clicks, conversions, spend, revenue, tracker_cost, currency
        writeln!(
            out,
            "{import_id},{},{},{},{},,,{},,{},{},{},0,0,{},0,0,USD",
            i + 1,
            f[0],
            f[2],
            f[3],
            f[4],
            f[6],
            f[7],
            f[8],
            f[5]
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn upload(server: &Server, path: &Path, source_id: &str) -> anyhow::Result<Value> {
    let file = tokio::fs::File::open(path).await?;
    let len = file.metadata().await?.len();
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
    let form = reqwest::multipart::Form::new()
        .text("source_id", source_id.to_string())
        .text("format", "moloco")
        .part(
            "file",
            reqwest::multipart::Part::stream_with_length(body, len).file_name("moloco.csv"),
        );
    let res = server
        .client
        .post(format!("{}/api/traffic/imports", server.base))
        .bearer_auth(&server.token)
        .multipart(form)
        .send()
        .await?;
    let status = res.status();
    let v: Value = res.json().await?;
    anyhow::ensure!(status.is_success(), "upload: {status} {v}");
    Ok(v)
}

/// Uploads `path` and waits until its metrics answer (the import done and projected); also
/// answers the seconds until the upload was answered and until the import was done.
async fn import_until_queryable(
    server: &Server,
    path: &Path,
    source_id: &str,
) -> anyhow::Result<(Value, f64, f64)> {
    let started = Instant::now();
    let queued = upload(server, path, source_id).await?;
    let uploaded = started.elapsed().as_secs_f64();
    let id = queued["id"].as_str().context("import id")?.to_string();
    loop {
        let i = server.get(&format!("/api/traffic/imports/{id}")).await?;
        match i["state"].as_str() {
            Some("done") => {
                let done = started.elapsed().as_secs_f64();
                let position = i["position"].as_i64().context("position")?;
                let path = format!(
                    "/api/traffic/metrics?from={}&to={}&granularity=month&min_position={position}",
                    i["date_from"].as_str().context("from")?,
                    i["date_to"].as_str().context("to")?
                );
                // A query waits up to 10 s for the projector, then answers 503: ask again.
                let mut answer = server.get(&path).await;
                for _ in 0..30 {
                    if answer.is_ok() {
                        break;
                    }
                    answer = server.get(&path).await;
                }
                answer?;
                return Ok((i, uploaded, done));
            }
            Some("queued" | "running") => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            _ => anyhow::bail!("import failed: {i}"),
        }
    }
}

/// Raw COPY of the facts-table CSV, in a transaction that is rolled back (the facts table
/// refuses deletes), timed up to the end of the COPY.
async fn raw_copy(pool: &PgPool, path: &Path) -> anyhow::Result<f64> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let started = Instant::now();
    let mut copy = tx
        .copy_in_raw(
            "COPY traffic_facts (import_id, line, date, campaign_key, campaign_name, ad_group, creative, \
             country, os, impressions, clicks, installs, tracker_clicks, conversions, spend, revenue, \
             tracker_cost, currency) FROM STDIN WITH (FORMAT csv)",
        )
        .await?;
    let file = tokio::fs::File::open(path).await?;
    copy.read_from(file).await?;
    copy.finish().await?;
    let seconds = started.elapsed().as_secs_f64();
    tx.rollback().await?;
    Ok(seconds)
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

async fn latency(server: &Server, name: &str, path: &str) -> anyhow::Result<Stats> {
    let started = Instant::now();
    let mut micros = Vec::with_capacity(QUERY_SAMPLES);
    for _ in 0..QUERY_SAMPLES {
        micros.push(server.get_ms(path).await?);
    }
    Ok(Stats::from_latencies(
        name,
        micros,
        started.elapsed().as_secs_f64(),
    ))
}

/// Runs the traffic benchmarks against `server`; returns table rows and notes.
pub async fn run(
    server: &Server,
    pool: &PgPool,
    dir: &Path,
    statements: Option<&str>,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    eprintln!("traffic: sources and campaigns...");
    let mut sources = Vec::new();
    for s in 0..=SOURCES {
        let v = server
            .post(
                "/api/traffic/sources",
                &json!({"name": format!("Source {s}"), "kind": "mobile_dsp", "currency": "USD"}),
            )
            .await?;
        sources.push(v["id"].as_str().context("id")?.to_string());
    }
    let mut jobs = Vec::new();
    for (s, source) in sources.iter().enumerate().take(SOURCES) {
        for c in 0..CAMPAIGNS_PER_SOURCE {
            jobs.push((source.clone(), format!("s{s}c{c}")));
        }
    }
    let server_ref = &server;
    let positions = futures::future::try_join_all(jobs.chunks(250).map(|chunk| async move {
        let mut last = 0;
        for (source, key) in chunk {
            let c = server_ref
                .post(
                    "/api/traffic/campaigns",
                    &json!({"name": key, "source_id": source, "status": "active", "source_keys": [key]}),
                )
                .await?;
            last = c["position"].as_i64().unwrap_or(last);
        }
        anyhow::Ok(last)
    }))
    .await?;
    // The import is measured on a projector that has caught up with the set-up.
    let caught_up = positions.into_iter().max().unwrap_or(0);
    while server
        .get(&format!(
            "/api/traffic/campaigns?limit=1&min_position={caught_up}"
        ))
        .await
        .is_err()
    {}

    // The import benchmark, on the extra source, before the big dataset.
    eprintln!("traffic: 1M-row import and its COPY baseline...");
    let moloco: PathBuf = dir.join("import-1m.csv");
    let import_from = first_day();
    let n = write_moloco(&moloco, "imp", IMPORT_CAMPAIGNS, import_from, IMPORT_DAYS)?;
    anyhow::ensure!(n == 1_000_000, "the import file has {n} rows");
    let facts_csv = dir.join("import-1m.facts.csv");
    write_facts_csv(&moloco, &facts_csv, uuid::Uuid::now_v7())?;
    // Both get the partitions they need beforehand.
    for m in 0..18 {
        let month = import_from + chrono::Months::new(m);
        sqlx::query("SELECT traffic_facts_partition($1)")
            .bind(month)
            .execute(pool)
            .await?;
    }
    let copy_seconds = raw_copy(pool, &facts_csv).await?;
    if let Some(url) = statements {
        super::reset_statements(url).await?;
    }
    let started = Instant::now();
    let (done, uploaded, applied) =
        import_until_queryable(server, &moloco, &sources[SOURCES]).await?;
    let import_seconds = started.elapsed().as_secs_f64();
    if let Some(url) = statements {
        eprintln!("statements of the 1M-row import:");
        super::print_statements(url).await?;
    }
    let peak = peak_rss_mb(server.child.id().unwrap_or(0));
    anyhow::ensure!(done["rows_ok"] == 1_000_000, "imported {}", done["rows_ok"]);
    rows.push(format!(
        "| baseline: COPY of the same 1,000,000 rows into the facts table | 1000000 | {copy_seconds:.1} | {:.0}/s | | | |",
        1e6 / copy_seconds
    ));
    rows.push(format!(
        "| import of a 1,000,000-row Moloco file, upload to queryable metrics | 1000000 | {import_seconds:.1} | {:.0}/s | | | |",
        1e6 / import_seconds
    ));
    notes.push(format!(
        "Import vs raw COPY: {:.0} vs {:.0} rows/s (ratio {:.2}; target ≥ 0.5): upload answered after {uploaded:.1} s, import applied after {applied:.1} s, metrics queryable after {import_seconds:.1} s. Server peak RSS (VmHWM, whole run so far): {peak:.0} MB (target < 300 MB).",
        1e6 / import_seconds,
        1e6 / copy_seconds,
        copy_seconds / import_seconds
    ));
    eprintln!("  {}", notes.last().expect("just pushed"));
    std::fs::remove_file(&facts_csv)?;

    eprintln!("traffic: loading the metrics dataset...");
    let load_started = Instant::now();
    let mut loaded = 0u64;
    for (s, source) in sources.iter().enumerate().take(SOURCES) {
        for year in 0..2 {
            let from = first_day() + chrono::Days::new(365 * year);
            let days = if year == 0 { 365 } else { DAYS - 365 };
            let path = dir.join(format!("s{s}-{year}.csv"));
            loaded += write_moloco(&path, &format!("s{s}c"), CAMPAIGNS_PER_SOURCE, from, days)?;
            import_until_queryable(server, &path, source).await?;
            std::fs::remove_file(&path)?;
        }
        eprintln!("  source {s} loaded");
    }
    let facts: i64 = sqlx::query_scalar("SELECT count(*) FROM traffic_facts")
        .fetch_one(pool)
        .await?;
    notes.push(format!(
        "Metrics dataset: {loaded} rows imported in {:.0} s ({:.0} rows/s incl. projection); {facts} fact rows in all.",
        load_started.elapsed().as_secs_f64(),
        loaded as f64 / load_started.elapsed().as_secs_f64()
    ));

    let last = first_day() + chrono::Days::new(DAYS as u64 - 1);
    let monthly = format!(
        "/api/traffic/metrics?from={FIRST_DAY}&to={last}&granularity=month&group_by=campaign&sort=-spend&limit=100"
    );
    let daily_source = format!(
        "/api/traffic/metrics?from={FIRST_DAY}&to={last}&granularity=day&source_id={}",
        sources[3]
    );
    let month_one = "/api/traffic/metrics?from=2026-06-01&to=2026-06-30&granularity=month&group_by=campaign&limit=5000";
    // Let the database settle as it would after such a load (autovacuum would otherwise be
    // vacuuming the 19 M new fact rows while the queries are timed).
    eprintln!("traffic: vacuum...");
    let settle = Instant::now();
    sqlx::query(
        "VACUUM (ANALYZE) traffic_facts, traffic_import_days, read.traffic_daily, \
         read.traffic_monthly, read.traffic_campaign_monthly, read.traffic_source_daily",
    )
    .execute(pool)
    .await?;
    notes.push(format!(
        "Before the queries the tables were vacuumed and analysed ({:.0} s), as autovacuum would after such a load.",
        settle.elapsed().as_secs_f64()
    ));
    eprintln!("traffic: metrics queries...");
    for (name, path) in [
        (
            "GET /api/traffic/metrics monthly by campaign, 2 years (top 100 by spend)",
            monthly.as_str(),
        ),
        (
            "GET /api/traffic/metrics daily totals of one source, 2 years",
            daily_source.as_str(),
        ),
        (
            "GET /api/traffic/metrics one month by campaign (5,000 rows)",
            month_one,
        ),
    ] {
        latency(server, name, path).await?; // warm-up pass
        rows.push(latency(server, name, path).await?.row());
    }
    Ok((rows, notes))
}
