//! Ageing benchmark (`ledger-bench --aging`): `GET /api/reports/aging` over 100,000 invoices
//! (1,000 counterparties, two currencies, due dates over 400 days, a third partly paid and a
//! third paid, a part of those payments dated after the report date), against a baseline of
//! the plain SQL sum of open amounts per currency over the same table, in the same run.
//!
//! The invoices are generated straight into the read tables with one `INSERT … SELECT FROM
//! generate_series` each (issuing 100,000 invoices through the API would take minutes and
//! measures the write side, not the report).

use std::time::Instant;

use anyhow::Context;
use sqlx::PgPool;

use super::{REPORT_SAMPLES, Server, Stats, report_latency};

/// Invoices generated.
const INVOICES: i64 = 100_000;
/// Counterparties they are spread over.
const COUNTERPARTIES: i64 = 1_000;

/// The generated rows follow the projection's rules: open = total − paid + overpaid, status
/// from paid vs total, settled_on on the paid ones, a payment row per paid invoice, and the
/// open spans of `domain::invoice::open_spans` (a payment dated before the issue counts from
/// the issue date). `run` checks the report against [`REFERENCE`] before timing it.
const GENERATE: [&str; 3] = [
    "INSERT INTO read.invoices (id, direction, status, series, number, counterparty_id, currency, \
       issue_date, due_date, total, paid, overpaid, open, payments, last_paid_on, settled_on, \
       transaction_ids, reversal_ids, created_at, updated_at, version) \
     SELECT id, 'receivable', \
       CASE WHEN paid = 0 THEN 'issued' WHEN paid >= total THEN 'paid' ELSE 'partially_paid' END, \
       'INV-BENCH', 'INV-BENCH-' || lpad(n::text, 6, '0'), cp, cur, due - 30, due, total, paid, 0, \
       total - paid, (paid > 0)::int, CASE WHEN paid > 0 THEN paid_on END, \
       CASE WHEN paid >= total THEN paid_on END, '{}', '{}', now(), now(), 2 + (paid > 0)::int \
     FROM ( \
       SELECT n, gen_random_uuid() AS id, \
         ('00000000-0000-0000-0000-' || lpad((n % $2)::text, 12, '0'))::uuid AS cp, \
         CASE WHEN n % 5 = 0 THEN 'EUR' ELSE 'USD' END AS cur, \
         DATE '2026-11-20' - (n % 400)::int + 60 AS due, \
         round((100 + (n * 7919) % 100000) / 100.0, 2) AS total, \
         CASE n % 3 WHEN 0 THEN 0 \
           WHEN 1 THEN round(((100 + (n * 7919) % 100000) / 100.0) / 2, 2) \
           ELSE round((100 + (n * 7919) % 100000) / 100.0, 2) END AS paid, \
         DATE '2026-11-20' - (n % 40)::int + 10 AS paid_on \
       FROM generate_series(1, $1) AS n) g",
    "INSERT INTO read.invoice_payments (invoice_id, n, date, transaction_id, account_id, amount, \
       currency, rate, applied, overpaid) \
     SELECT id, 1, last_paid_on, gen_random_uuid(), NULL, paid, currency, NULL, paid, 0 \
     FROM read.invoices WHERE number LIKE 'INV-BENCH-%' AND paid > 0",
    "INSERT INTO read.invoice_open (invoice_id, valid_from, valid_until, direction, \
       counterparty_id, currency, due_date, amount) \
     SELECT id, issue_date, CASE WHEN paid > 0 AND last_paid_on > issue_date THEN last_paid_on END, \
       direction, counterparty_id, currency, due_date, \
       CASE WHEN paid > 0 AND last_paid_on <= issue_date THEN total - paid ELSE total END \
     FROM read.invoices \
     WHERE number LIKE 'INV-BENCH-%' AND (paid = 0 OR last_paid_on > issue_date OR paid < total) \
     UNION ALL \
     SELECT id, last_paid_on, NULL, direction, counterparty_id, currency, due_date, total - paid \
     FROM read.invoices \
     WHERE number LIKE 'INV-BENCH-%' AND paid > 0 AND paid < total AND last_paid_on > issue_date",
];

/// The ageing rule straight from the invoices and their payments (what the report computed
/// before it had open spans): each currency's open total at `$1`.
const REFERENCE: &str = "\
WITH later AS (SELECT invoice_id, sum(applied) AS applied FROM read.invoice_payments \
  WHERE date > $1 GROUP BY invoice_id) \
SELECT i.currency, sum(greatest(i.total - i.paid + coalesce(l.applied, 0), 0))::text \
FROM read.invoices i LEFT JOIN later l ON l.invoice_id = i.id \
WHERE i.direction = 'receivable' AND i.status <> 'draft' AND i.issue_date <= $1 \
  AND (i.cancelled_on IS NULL OR i.cancelled_on > $1) \
GROUP BY i.currency ORDER BY i.currency";

/// The baseline: what any ageing must at least do, one pass summing open amounts.
const BASELINE: &str = "SELECT currency, sum(open) FROM read.invoices \
     WHERE direction = 'receivable' AND open > 0 GROUP BY currency";

pub async fn run(server: &Server, pool: &PgPool) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    eprintln!("aging: generating {INVOICES} invoices...");
    let started = Instant::now();
    for sql in GENERATE {
        sqlx::query(sql)
            .bind(INVOICES)
            .bind(COUNTERPARTIES)
            .execute(pool)
            .await?;
    }
    sqlx::query("ANALYZE read.invoices, read.invoice_payments")
        .execute(pool)
        .await?;
    notes.push(format!(
        "{INVOICES} invoices and their payments generated in {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    // Baseline, timed over the pool (no HTTP).
    sqlx::query(BASELINE).fetch_all(pool).await?;
    let started = Instant::now();
    let mut lat = Vec::with_capacity(REPORT_SAMPLES);
    for _ in 0..REPORT_SAMPLES {
        let t = Instant::now();
        sqlx::query(BASELINE).fetch_all(pool).await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    rows.push(
        Stats::from_latencies(
            "baseline: plain SQL sum of open amounts per currency (100k invoices)",
            lat,
            started.elapsed().as_secs_f64(),
        )
        .row(),
    );
    for as_of in ["2026-11-15", "2026-12-31"] {
        let day: chrono::NaiveDate = as_of.parse()?;
        let expected: Vec<(String, String)> =
            sqlx::query_as(REFERENCE).bind(day).fetch_all(pool).await?;
        let report = server
            .get(&format!(
                "/api/reports/aging?as_of={as_of}&direction=receivable&limit=1"
            ))
            .await?;
        let got: Vec<(String, String)> = report["totals"]
            .as_array()
            .context("totals")?
            .iter()
            .map(|t| {
                (
                    t["currency"].as_str().unwrap_or_default().to_string(),
                    t["total"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        anyhow::ensure!(
            got == expected,
            "ageing at {as_of} disagrees with the rule over invoices and payments: {got:?} vs {expected:?}"
        );
    }
    notes.push("The report's totals per currency equal the rule computed straight from the invoices and payments (checked at both dates before timing).".into());
    for (name, path) in [
        (
            "HTTP GET /api/reports/aging, as_of in the past (a quarter of the payments dated after it)",
            "/api/reports/aging?as_of=2026-11-15&direction=receivable&limit=50",
        ),
        (
            "HTTP GET /api/reports/aging, as_of after every payment",
            "/api/reports/aging?as_of=2026-12-31&direction=receivable&limit=50",
        ),
    ] {
        rows.push(report_latency(server, name, path).await?.row());
    }
    notes.push(format!(
        "{COUNTERPARTIES} counterparties × 2 currencies per report; target p95 < 100 ms"
    ));
    Ok((rows, notes))
}
