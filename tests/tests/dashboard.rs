//! The dashboard over real HTTP against a real PostgreSQL: cash per account valued at today's
//! rate, this month against last month (per-day conversion, invoices' income included), open
//! and overdue receivables, the overdue list and the month's projects by profit — each checked
//! against figures computed by hand from the postings below.

use e2e::TestApp;
use serde_json::{Value, json};

async fn id_of(app: &TestApp, path: &str, body: Value) -> String {
    app.post(path, body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn dashboard_figures_match_the_books() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank USD", "asset", "USD").await;
    let bank_eur = app.account("Bank EUR", "asset", "EUR").await;
    let ar = id_of(
        &app,
        "/api/accounts",
        json!({"name": "Receivables", "type": "asset", "kind": "other", "currency": "USD"}),
    )
    .await;
    let sales = app.account("Sales", "income", "USD").await;
    let sales_eur = app.account("Sales EUR", "income", "EUR").await;
    let costs = app.account("Costs", "expense", "USD").await;
    let p1 = id_of(&app, "/api/projects", json!({"name": "Apps"})).await;
    let p2 = id_of(&app, "/api/projects", json!({"name": "Games"})).await;
    let customer = id_of(
        &app,
        "/api/counterparties",
        json!({"name": "Acme", "kind": "customer"}),
    )
    .await;
    for (date, rate) in [("2026-11-01", "1.05"), ("2026-11-20", "1.10")] {
        app.post(
            "/api/rates",
            json!({"date": date, "base": "EUR", "quote": "USD", "rate": rate}),
        )
        .await
        .expect(201);
    }
    let income = |date: &str, account: &str, to: &str, amount: &str, project: Option<&str>| {
        json!({"date": date, "description": "income", "project_id": project,
               "income": {"account_id": account, "income_account_id": to, "amount": amount}})
    };
    let expense = |date: &str, amount: &str, project: Option<&str>| {
        json!({"date": date, "description": "expense", "project_id": project,
               "expense": {"account_id": bank, "expense_account_id": costs, "amount": amount}})
    };
    for body in [
        income("2026-10-10", &bank, &sales, "1000", Some(&p1)),
        expense("2026-10-12", "300", None),
        income("2026-11-05", &bank, &sales, "500", Some(&p1)),
        expense("2026-11-06", "200", Some(&p2)),
        income("2026-11-07", &bank_eur, &sales_eur, "100", None),
    ] {
        app.post("/api/transactions", body).await.expect(201);
    }
    // Two receivable invoices: one overdue on the dashboard's day, one not yet due.
    for (issue, due, amount) in [
        ("2026-10-01", "2026-10-31", "400"),
        ("2026-11-10", "2026-12-10", "250"),
    ] {
        let d = app
            .post(
                "/api/invoices",
                json!({"direction": "receivable", "counterparty_id": customer, "currency": "USD",
                       "issue_date": issue, "due_date": due,
                       "lines": [{"description": "Work", "quantity": "1", "unit_price": amount}]}),
            )
            .await
            .expect(201);
        app.post(
            &format!("/api/invoices/{}/issue", d["id"].as_str().unwrap()),
            json!({"control_account_id": ar, "account_id": sales}),
        )
        .await
        .expect(200);
    }
    app.wait_all_sealed().await;

    let d = app
        .get("/api/reports/dashboard?currency=USD&today=2026-11-20")
        .await
        .expect(200);
    // Cash: the two bank accounts (not the receivables account), EUR at today's 1.10.
    let cash = d["cash"].as_array().unwrap();
    assert_eq!(cash.len(), 2, "{d}");
    let of = |id: &str| cash.iter().find(|c| c["account_id"] == id).unwrap().clone();
    assert_eq!(of(&bank)["balance"], "1000.00");
    assert_eq!(of(&bank_eur)["balance"], "100.00");
    assert_eq!(of(&bank_eur)["value"], "110.00");
    assert_eq!(d["cash_total"], "1110.00");
    // November: 500 + 100 EUR at the 1st's 1.05 + the 250 invoice; October: 1000 + 400.
    assert_eq!(d["this_month"]["from"], "2026-11-01");
    assert_eq!(d["this_month"]["income"], "855.00");
    assert_eq!(d["this_month"]["expenses"], "200.00");
    assert_eq!(d["this_month"]["profit"], "655.00");
    assert_eq!(d["last_month"]["income"], "1400.00");
    assert_eq!(d["last_month"]["expenses"], "300.00");
    assert_eq!(d["last_month"]["profit"], "1100.00");
    assert_eq!(d["receivables"]["open"], "650.00");
    assert_eq!(d["receivables"]["overdue"], "400.00");
    assert_eq!(d["receivables"]["invoices"], 2);
    assert_eq!(d["receivables"]["overdue_invoices"], 1);
    assert_eq!(d["payables"]["open"], "0.00");
    let overdue = d["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["days_overdue"], 20);
    assert_eq!(overdue[0]["counterparty"], "Acme");
    assert_eq!(overdue[0]["open"], "400.00");
    // Projects by profit: Apps 500, no project 355 (EUR income and the invoice), Games −200.
    let top: Vec<(Value, Value)> = d["top_projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].clone(), p["profit"].clone()))
        .collect();
    assert_eq!(
        top,
        vec![
            (json!("Apps"), json!("500.00")),
            (Value::Null, json!("355.00")),
            (json!("Games"), json!("-200.00")),
        ]
    );
    assert!(
        d["rates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["pair"] == "EUR/USD" && r["rate"] == "1.1"),
        "{d}"
    );

    // A report currency without a rate is refused, not guessed.
    let missing = app
        .get("/api/reports/dashboard?currency=JPY&today=2026-11-20")
        .await;
    assert_eq!(missing.status, 400, "{:?}", missing.body);
    assert_eq!(missing.body["code"], "missing_rate");
    let bad = app.get("/api/reports/dashboard?currency=XXX").await;
    assert_eq!(bad.status, 422);
    // Every role that reads the books may see it.
    let mut viewer = app;
    viewer
        .sign_in_with_role("viewer@example.com", "viewer")
        .await;
    viewer
        .get("/api/reports/dashboard?currency=USD&today=2026-11-20")
        .await
        .expect(200);
}
