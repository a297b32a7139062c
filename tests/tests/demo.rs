//! `ledger seed-demo`'s company: its books balance, replay to the same tables, and export to a
//! Beancount file (checked in beancount.rs) — here the ledger-level checks.

use e2e::{TestApp, fresh_database};

#[tokio::test]
async fn the_demo_company_balances_and_verifies() {
    let url = fresh_database().await;
    let pool = api::db::pool(&url, 4).await.unwrap();
    let n = app::demo::seed(&pool).await.unwrap();
    assert!(n > 100, "six months of books, got {n} transactions");
    assert!(
        app::demo::seed(&pool).await.is_err(),
        "seeding twice must be refused"
    );

    let app = TestApp::spawn_on(url).await.admin().await;
    app.wait_all_sealed().await;
    let tb = app.get("/api/reports/trial-balance").await.expect(200);
    let currencies: Vec<&str> = tb["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["currency"].as_str().unwrap())
        .collect();
    for c in ["EUR", "TRX", "USD", "USDT"] {
        assert!(currencies.contains(&c), "{currencies:?}");
    }
    for t in tb["totals"].as_array().unwrap() {
        assert_eq!(t["balanced"], true, "{t}");
    }
    let list = app
        .get("/api/transactions?tag=payout&limit=1")
        .await
        .expect(200);
    assert!(list["total"].as_i64().unwrap() > 5);
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}
