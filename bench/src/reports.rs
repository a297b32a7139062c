//! `ledger-bench --reports`: the accounting reports over 1,000,000 postings. Writes the
//! transactions straight into the log (posting them over HTTP would only measure posting),
//! lets the live projector build the read tables and the `ledger_daily` rollup, then times the
//! P&L by month × category and the balance sheet over HTTP, beside a baseline: the same
//! grouping as plain SQL over the postings.

use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{REPORT_SAMPLES, Server, Stats, report_latency, wait_sealed};

/// Two-leg transactions written, so postings = 2 × this.
const TRANSACTIONS: i64 = 500_000;
/// Days the ledger spans (from 2024-11-01).
const DAYS: i64 = 730;
/// Counterparties; each has one category and project, as a business's suppliers and
/// customers mostly do (this decides how many rows the rollup holds per day).
const COUNTERPARTIES: i64 = 40;
/// Baseline samples (each scans every posting of the year).
const BASELINE_SAMPLES: usize = 10;

async fn create(server: &Server, path: &str, body: Value) -> anyhow::Result<String> {
    let v = server.post(path, &body).await?;
    Ok(v["id"].as_str().context("id")?.to_string())
}

pub async fn run(server: &Server, pool: &PgPool) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    // Accounts: a USD and a EUR bank; income in USD; expenses in USD and in EUR (paid from
    // the EUR bank), so the P&L converts a quarter of its postings per day.
    let mut accounts = Vec::new();
    for (name, t, kind, cur) in [
        ("Bank USD", "asset", "bank", "USD"),
        ("Bank EUR", "asset", "bank", "EUR"),
        ("Revenue A", "income", "other", "USD"),
        ("Revenue B", "income", "other", "USD"),
        ("Traffic", "expense", "other", "USD"),
        ("Tools", "expense", "other", "USD"),
        ("EU traffic", "expense", "other", "EUR"),
        ("EU office", "expense", "other", "EUR"),
    ] {
        accounts.push(
            create(
                server,
                "/api/accounts",
                json!({"name": name, "type": t, "kind": kind, "currency": cur}),
            )
            .await?,
        );
    }
    let mut categories = Vec::new();
    for i in 0..12 {
        let kind = if i < 3 { "income" } else { "expense" };
        categories.push(
            create(
                server,
                "/api/categories",
                json!({"name": format!("Category {i}"), "kind": kind}),
            )
            .await?,
        );
    }
    let mut projects = Vec::new();
    for i in 0..4 {
        projects.push(
            create(
                server,
                "/api/projects",
                json!({"name": format!("Project {i}")}),
            )
            .await?,
        );
    }
    let mut counterparties = Vec::new();
    for i in 0..COUNTERPARTIES {
        counterparties.push(
            create(
                server,
                "/api/counterparties",
                json!({"name": format!("Counterparty {i}"), "kind": "vendor"}),
            )
            .await?,
        );
    }
    // A EUR/USD rate on weekdays (weekends take Friday's).
    let start = chrono::NaiveDate::from_ymd_opt(2024, 11, 1).context("date")?;
    let mut batch = Vec::new();
    for i in 0..DAYS {
        let day = start + chrono::Days::new(i as u64);
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            batch.push(
                json!({"date": day.to_string(), "base": "EUR", "quote": "USD",
                              "rate": format!("1.{:04}", 500 + i % 900)}),
            );
        }
    }
    for chunk in batch.chunks(200) {
        server
            .post("/api/rates/batch", &json!({"rates": chunk}))
            .await?;
    }
    wait_sealed(pool).await?;

    eprintln!("reports: bulk events...");
    let started = Instant::now();
    let chunk = 100_000;
    let mut done = 0;
    while done < TRANSACTIONS {
        let size = chunk.min(TRANSACTIONS - done);
        // Counterparty c: category c % 12 (0–2 income), project c % 4. Income goes to the USD
        // bank; expenses of even counterparties in USD, odd ones in EUR from the EUR bank.
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             SELECT 'transaction', gen_random_uuid()::text, 1, 'Posted', '1.0', \
               json_build_object('Posted', jsonb_build_object( \
                 'date', (date '2024-11-01' + (g % $6)::int)::text, 'kind', 'journal', 'description', 'bulk ' || g, \
                 'fingerprint', 'bulk', \
                 'category_id', ($3::text[])[1 + c % 12], 'project_id', ($4::text[])[1 + c % 4], \
                 'counterparty_id', ($5::text[])[1 + c], \
                 'legs', CASE WHEN c % 12 < 3 THEN jsonb_build_array( \
                     jsonb_build_object('account_id', ($1::text[])[1], 'amount', amt::text, 'currency', 'USD'), \
                     jsonb_build_object('account_id', ($1::text[])[3 + c % 2], 'amount', (-amt)::text, 'currency', 'USD')) \
                   WHEN c % 2 = 0 THEN jsonb_build_array( \
                     jsonb_build_object('account_id', ($1::text[])[5 + c % 4 / 2], 'amount', amt::text, 'currency', 'USD'), \
                     jsonb_build_object('account_id', ($1::text[])[1], 'amount', (-amt)::text, 'currency', 'USD')) \
                   ELSE jsonb_build_array( \
                     jsonb_build_object('account_id', ($1::text[])[7 + c % 4 / 2], 'amount', amt::text, 'currency', 'EUR'), \
                     jsonb_build_object('account_id', ($1::text[])[2], 'amount', (-amt)::text, 'currency', 'EUR')) END)), \
               jsonb_build_object('source', 'bench', 'time', now())::json \
             FROM (SELECT g, (g / $6) % $7 AS c, round(((g % 9000) + 100) / 100.0, 2) AS amt \
                   FROM generate_series($2::bigint, $8::bigint) g) x",
        )
        .bind(&accounts)
        .bind(done)
        .bind(&categories)
        .bind(&projects)
        .bind(&counterparties)
        .bind(DAYS)
        .bind(COUNTERPARTIES)
        .bind(done + size - 1)
        .execute(pool)
        .await?;
        done += size;
    }
    let write_seconds = started.elapsed().as_secs_f64();
    let seal_seconds = wait_sealed(pool).await?;
    let postings: i64 =
        sqlx::query_scalar("SELECT sum(cardinality(leg_accounts))::bigint FROM read.transactions")
            .fetch_one(pool)
            .await?;
    let rollup: i64 = sqlx::query_scalar("SELECT count(*) FROM read.ledger_daily")
        .fetch_one(pool)
        .await?;
    notes.push(format!(
        "Wrote {TRANSACTIONS} two-leg transactions into the log in {write_seconds:.1} s; the live projector sealed and projected them (with the rollup) in {seal_seconds:.1} s."
    ));
    notes.push(format!(
        "{postings} postings in the read tables; `read.ledger_daily` holds {rollup} rows ({COUNTERPARTIES} counterparties, each with one category and project; a quarter of the postings in EUR, converted per day)."
    ));

    eprintln!("reports: queries...");
    for (name, path) in [
        (
            "GET /api/reports/pnl, one year by month × category, USD",
            "/api/reports/pnl?from=2025-01-01&to=2025-12-31&group_by=month,category&currency=USD",
        ),
        (
            "GET /api/reports/pnl, one year by month × category, compare previous_year",
            "/api/reports/pnl?from=2025-11-01&to=2026-10-31&group_by=month,category&compare=previous_year",
        ),
        (
            "GET /api/reports/pnl, one month totals",
            "/api/reports/pnl?from=2026-03-01&to=2026-03-31",
        ),
        (
            "GET /api/reports/balance-sheet?as_of (mid-month), USD",
            "/api/reports/balance-sheet?as_of=2026-06-15",
        ),
    ] {
        rows.push(report_latency(server, name, path).await?.row());
    }

    // Where the P&L's time goes: its rate lookup and its summing query, called in-process.
    let books = projections::reports::accounts(pool).await?;
    let (from, to) = (
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).context("date")?,
        chrono::NaiveDate::from_ymd_opt(2025, 12, 31).context("date")?,
    );
    let dims = [
        projections::reports::Dim::Month,
        projections::reports::Dim::Category,
    ];
    let mut lat = Vec::with_capacity(BASELINE_SAMPLES);
    let started = Instant::now();
    for _ in 0..BASELINE_SAMPLES {
        let t = Instant::now();
        projections::reports::pnl(pool, &books, from, to, "USD", &dims).await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    rows.push(
        Stats::from_latencies(
            "in-process projections::reports::pnl (rates + sums), one year by month × category",
            lat,
            started.elapsed().as_secs_f64(),
        )
        .row(),
    );
    let pairs: std::collections::BTreeSet<(String, chrono::NaiveDate)> = (0..365)
        .map(|i| ("EUR".to_string(), from + chrono::Days::new(i)))
        .collect();
    let mut lat = Vec::with_capacity(BASELINE_SAMPLES);
    let started = Instant::now();
    for _ in 0..BASELINE_SAMPLES {
        let t = Instant::now();
        projections::reports::find_rates(pool, "USD", pairs.clone()).await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    rows.push(
        Stats::from_latencies(
            "in-process projections::reports::find_rates, 365 days of one currency",
            lat,
            started.elapsed().as_secs_f64(),
        )
        .row(),
    );

    // Baseline: the same month × category grouping as plain SQL over the postings (no
    // conversion at all, so it is the cheaper query of the two).
    let mut lat = Vec::with_capacity(BASELINE_SAMPLES);
    let started = Instant::now();
    for _ in 0..BASELINE_SAMPLES {
        let t = Instant::now();
        let _: Vec<(chrono::NaiveDate, Option<uuid::Uuid>, rust_decimal::Decimal)> = sqlx::query_as(
            "SELECT date_trunc('month', t.date)::date, t.category_id, sum(u.amount) \
             FROM read.transactions t CROSS JOIN LATERAL unnest(t.leg_accounts, t.leg_amounts) AS u(account_id, amount) \
             WHERE t.date BETWEEN '2025-01-01' AND '2025-12-31' AND u.account_id = ANY($1::uuid[]) \
             GROUP BY 1, 2",
        )
        .bind(accounts[2..].iter().map(|a| a.parse::<uuid::Uuid>()).collect::<Result<Vec<_>, _>>()?)
        .fetch_all(pool)
        .await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    rows.push(
        Stats::from_latencies(
            "baseline: plain SQL over the postings, one year by month × category",
            lat,
            started.elapsed().as_secs_f64(),
        )
        .row(),
    );
    notes.push(format!(
        "HTTP figures are {REPORT_SAMPLES} sequential requests after one warm-up; the baseline {BASELINE_SAMPLES} runs of its SQL from the bench process."
    ));
    Ok((rows, notes))
}
