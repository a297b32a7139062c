//! Issue 12: the invoice status rules (overdue, owed, ageing buckets) are domain functions
//! (`domain::invoice::ageing`); the read side's SQL is generated from their constants. These
//! tests compute each status in Rust for a set of invoices around every boundary and compare
//! it with what the queries answer over the real PostgreSQL.

use chrono::{Days, NaiveDate};
use domain::Currency;
use domain::invoice::ageing::{self, Bucket};
use domain::invoice::{Direction, InvoiceStatus};
use e2e::TestApp;
use projections::invoices::{aging, queries};
use rust_decimal::Decimal;
use uuid::Uuid;

const STATUSES: [InvoiceStatus; 5] = [
    InvoiceStatus::Draft,
    InvoiceStatus::Issued,
    InvoiceStatus::PartiallyPaid,
    InvoiceStatus::Paid,
    InvoiceStatus::Cancelled,
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// Days from `today()` to the due date: each side of every bucket bound.
const DUE_OFFSETS: [i64; 12] = [5, 1, 0, -1, -30, -31, -60, -61, -90, -91, -400, 30];

fn day(offset: i64) -> NaiveDate {
    if offset >= 0 {
        today().checked_add_days(Days::new(offset as u64)).unwrap()
    } else {
        today().checked_sub_days(Days::new(-offset as u64)).unwrap()
    }
}

struct Row {
    id: Uuid,
    status: InvoiceStatus,
    open: Decimal,
    due: NaiveDate,
    issued: NaiveDate,
}

/// Writes an invoice row into `read.invoices` behind the projector's back (it never touches
/// rows of invoices the log does not hold).
async fn insert(app: &TestApp, r: &Row) {
    sqlx::query(
        "INSERT INTO read.invoices (id, direction, status, counterparty_id, currency, issue_date, \
           due_date, total, paid, overpaid, open, payments, transaction_ids, reversal_ids, \
           created_at, updated_at, version) \
         VALUES ($1, 'receivable', $2, $3, 'USD', $4, $5, 100, 100 - $6, 0, $6, 0, '{}', '{}', \
           now(), now(), 1)",
    )
    .bind(r.id)
    .bind(r.status.as_str())
    .bind(Uuid::now_v7())
    .bind(r.issued)
    .bind(r.due)
    .bind(r.open)
    .execute(&app.pool)
    .await
    .expect("insert an invoice row");
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for status in STATUSES {
        for open in [Decimal::ZERO, Decimal::new(2500, 2)] {
            for due in DUE_OFFSETS {
                for issued in [-100, 1] {
                    rows.push(Row {
                        id: Uuid::now_v7(),
                        status,
                        open,
                        due: day(due),
                        issued: day(issued),
                    });
                }
            }
        }
    }
    rows
}

#[tokio::test]
async fn shown_status_and_owed_invoices_follow_the_domain_rules() {
    let app = TestApp::spawn().await;
    let rows = rows();
    for r in &rows {
        insert(&app, r).await;
    }
    let (mut owed, mut overdue) = (0, 0);
    for r in &rows {
        let got = queries::get(&app.pool, r.id, today()).await.unwrap();
        let expected = ageing::shown_status(r.status, r.open, r.due, today());
        assert_eq!(
            got.invoice.status, expected,
            "{:?} open {} due {}",
            r.status, r.open, r.due
        );
        if ageing::is_owed(r.status, r.open) && r.issued <= today() {
            owed += 1;
            if ageing::is_past_due(r.due, today()) {
                overdue += 1;
            }
        }
    }
    let usd = Currency::parse("USD").unwrap();
    let dashboard = projections::reports::dashboard::dashboard(&app.pool, usd, today())
        .await
        .unwrap();
    assert_eq!(dashboard.receivables.invoices, owed);
    assert_eq!(dashboard.receivables.overdue_invoices, overdue);
    assert!(owed > 0 && overdue > 0 && overdue < owed);
    // The list's status filter uses the same rule.
    let filter = queries::InvoiceFilter {
        today: today(),
        status: Some(ageing::OVERDUE.into()),
        ..Default::default()
    };
    let (_, listed) = queries::list(&app.pool, &filter, "id", 1, 0).await.unwrap();
    let expected = rows
        .iter()
        .filter(|r| ageing::is_overdue(r.status, r.open, r.due, today()))
        .count() as i64;
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn ageing_buckets_follow_the_domain_rules() {
    let app = TestApp::spawn().await;
    let mut expected = Vec::new();
    for (i, due) in DUE_OFFSETS.into_iter().enumerate() {
        // One counterparty per invoice, so each report row holds one invoice.
        let counterparty = Uuid::now_v7();
        let amount = Decimal::new(100 + i as i64, 0);
        sqlx::query(
            "INSERT INTO read.invoice_open (invoice_id, valid_from, valid_until, direction, \
               counterparty_id, currency, due_date, amount) \
             VALUES ($1, $2, NULL, 'receivable', $3, 'USD', $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(day(-500))
        .bind(counterparty)
        .bind(day(due))
        .bind(amount)
        .execute(&app.pool)
        .await
        .unwrap();
        expected.push((counterparty, amount, Bucket::of(day(due), today())));
    }
    let query = aging::AgingQuery {
        as_of: today(),
        direction: Direction::Receivable,
        report_currency: None,
        only: None,
    };
    let rows = aging::rows(&app.pool, &query).await.unwrap();
    assert_eq!(rows.len(), expected.len());
    let all = [
        Bucket::Current,
        Bucket::Days1To30,
        Bucket::Days31To60,
        Bucket::Days61To90,
        Bucket::Over90,
    ];
    for (counterparty, amount, bucket) in expected {
        let row = rows
            .iter()
            .find(|r| r.counterparty_id == counterparty)
            .unwrap();
        for b in all {
            let want = if b == bucket { amount } else { Decimal::ZERO };
            assert_eq!(row.buckets.get(b), want, "{bucket:?} vs {b:?}");
        }
        assert_eq!(row.buckets.total, amount);
    }
}
