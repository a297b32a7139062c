//! End to end over real HTTP against a real PostgreSQL: reference data, postings, balances,
//! idempotency, reversal, period close and input validation.

use e2e::TestApp;
use serde_json::{Value, json};

fn amount(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string amount: {v}"))
        .to_string()
}

async fn balance_of(app: &TestApp, id: &str, position: i64) -> String {
    let b = app
        .get(&format!(
            "/api/balances?account_id={id}&min_position={position}"
        ))
        .await
        .expect(200);
    amount(&b["items"][0]["balance"])
}

#[tokio::test]
async fn income_expense_transfer_journal_and_balances() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank USD", "asset", "USD").await;
    let wallet = app.account("Tron wallet", "asset", "USDT").await;
    let sales = app.account("Affiliate revenue", "income", "USD").await;
    let ads = app.account("Ad spend", "expense", "USD").await;

    let inc = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": "Payout", "idempotency_key": "inc-1",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1000.50"}}),
        )
        .await
        .expect(201);
    assert_eq!(inc["kind"], "income");
    app.post(
        "/api/transactions",
        json!({"date": "2026-10-02", "description": "Moloco", "tags": ["Moloco", "UA"],
        "expense": {"account_id": bank, "expense_account_id": ads, "amount": "200.25"}}),
    )
    .await
    .expect(201);
    // 100 USD to the wallet at 1 USD = 0.999 USDT.
    let tr = app
        .post("/api/transactions", json!({"date": "2026-10-03", "description": "To wallet",
            "transfer": {"from_account_id": bank, "to_account_id": wallet, "amount": "100", "rate": "0.999"}}))
        .await
        .expect(201);
    assert_eq!(tr["entries"][1]["amount"], "99.900000");
    let journal = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-04", "description": "Split", "entries": [
            {"account_id": ads, "amount": "10.00"}, {"account_id": ads, "amount": "5"},
            {"account_id": bank, "amount": "-15"}]}),
        )
        .await
        .expect(201);
    let position = journal["position"].as_i64().unwrap();

    assert_eq!(balance_of(&app, &bank, position).await, "685.25");
    assert_eq!(balance_of(&app, &wallet, position).await, "99.900000");
    assert_eq!(balance_of(&app, &sales, position).await, "-1000.50");
    assert_eq!(balance_of(&app, &ads, position).await, "215.25");

    // As of a date, only earlier postings count.
    let b = app
        .get(&format!("/api/balances?account_id={bank}&as_of=2026-10-01"))
        .await
        .expect(200);
    assert_eq!(b["items"][0]["balance"], "1000.50");

    let tb = app
        .get(&format!(
            "/api/reports/trial-balance?min_position={position}"
        ))
        .await
        .expect(200);
    for total in tb["totals"].as_array().unwrap() {
        assert_eq!(total["balanced"], true, "{tb}");
    }

    let list = app.get("/api/transactions?tag=moloco").await.expect(200);
    assert_eq!(list["total"], 1);
    let list = app
        .get(&format!("/api/transactions?account_id={wallet}"))
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    let list = app
        .get("/api/transactions?q=payout&from=2026-10-01&to=2026-10-01")
        .await
        .expect(200);
    assert_eq!(list["items"][0]["id"], inc["id"]);
    let list = app.get("/api/transactions?limit=2").await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["total"], 4);
}

#[tokio::test]
async fn unbalanced_and_overprecise_postings_change_nothing() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    let unbalanced = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": "x", "entries": [
            {"account_id": bank, "amount": "10.00"}, {"account_id": sales, "amount": "-9.99"}]}),
        )
        .await;
    assert_eq!(unbalanced.status, 422);
    assert_eq!(unbalanced.body["code"], "transaction_unbalanced");
    assert!(
        unbalanced
            .content_type
            .starts_with("application/problem+json")
    );
    let precise = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": "x", "entries": [
            {"account_id": bank, "amount": "10.001"}, {"account_id": sales, "amount": "-10.001"}]}),
        )
        .await;
    assert_eq!(precise.body["code"], "amount_too_precise");
    let unknown = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": "x", "amout": "1", "entries": [
            {"account_id": bank, "amount": "1"}, {"account_id": sales, "amount": "-1"}]}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["code"], "unknown_field");
    let wrong_type = app
        .post(
            "/api/transactions",
            json!({"date": "yesterday", "description": "x"}),
        )
        .await;
    assert_eq!(wrong_type.status, 422);
    let typo = app.post("/api/accounts", json!({"name": "X", "type": "asset", "kind": "bank", "currency": "USD", "curency": "EUR"})).await;
    assert_eq!(typo.status, 422, "{:?}", typo.body);
    assert_eq!(typo.body["code"], "unknown_field");
    let opening = app
        .post("/api/accounts", json!({"name": "Cash", "type": "asset", "kind": "cash", "currency": "USD", "opening_balance": "50"}))
        .await
        .expect(201);
    let path = format!(
        "/api/balances?account_id={}&min_position={}",
        opening["id"].as_str().unwrap(),
        opening["position"]
    );
    assert_eq!(
        app.get(&path).await.expect(200)["items"][0]["balance"],
        "50.00"
    );
    let typo = app
        .post("/api/projects", json!({"name": "X", "colour": "red"}))
        .await;
    assert_eq!(typo.body["code"], "unknown_field");
    let bad_id = app.get("/api/transactions/not-a-uuid").await;
    assert_eq!(bad_id.status, 400);
    assert_eq!(bad_id.body["code"], "invalid_path");
    let bad_currency = app
        .post(
            "/api/accounts",
            json!({"name": "X", "type": "asset", "kind": "bank", "currency": "ABC"}),
        )
        .await;
    assert_eq!(bad_currency.status, 422);
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'transaction'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        events, 1,
        "refused postings must write nothing (the one event is the opening balance)"
    );
}

#[tokio::test]
async fn idempotency_key_returns_the_first_result() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "EUR").await;
    let sales = app.account("Sales", "income", "EUR").await;
    let body = json!({"date": "2026-10-01", "description": "once", "idempotency_key": "k-1",
        "income": {"account_id": bank, "income_account_id": sales, "amount": "5"}});
    let first = app
        .post("/api/transactions", body.clone())
        .await
        .expect(201);
    // The first answer again (Stripe's semantics, as with the Idempotency-Key header).
    let again = app.post("/api/transactions", body).await.expect(201);
    assert_eq!(first, again);
    let different = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": "other", "idempotency_key": "k-1",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "6"}}),
        )
        .await;
    assert_eq!(different.status, 422);
    assert_eq!(different.body["code"], "idempotency_key_reused");
    let p = first["position"].as_i64().unwrap();
    assert_eq!(balance_of(&app, &bank, p).await, "5.00");
}

#[tokio::test]
async fn reversal_edit_archive_and_closed_periods() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    let t = app
        .post(
            "/api/transactions",
            json!({"date": "2026-09-10", "description": "sale",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "40"}}),
        )
        .await
        .expect(201);
    let id = t["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/transactions/{id}/reverse"),
            json!({"date": "2026-09-11"}),
        )
        .await
        .expect(201);
    assert_eq!(r["reversal"]["entries"][0]["amount"], "-40.00");
    assert_eq!(
        balance_of(&app, &bank, r["position"].as_i64().unwrap()).await,
        "0.00"
    );
    let twice = app
        .post(&format!("/api/transactions/{id}/reverse"), json!({}))
        .await;
    assert_eq!(twice.status, 409);
    let original = app
        .get(&format!("/api/transactions/{id}"))
        .await
        .expect(200);
    assert_eq!(original["reversed_by"], r["reversal"]["id"]);

    // An edit is a reversal plus a new posting, linked.
    let t2 = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-10", "description": "sale 2",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "10"}}),
        )
        .await
        .expect(201);
    let id2 = t2["id"].as_str().unwrap();
    let edit = app
        .put(
            &format!("/api/transactions/{id2}"),
            json!({"date": "2026-10-10", "description": "sale 2 fixed",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "12"}}),
        )
        .await
        .expect(201);
    assert_eq!(edit["replacement"]["replaces"], id2);
    assert_eq!(
        balance_of(&app, &bank, edit["position"].as_i64().unwrap()).await,
        "12.00"
    );

    // Closing September refuses postings dated in it.
    app.post("/api/periods/close", json!({"through": "2026-09-01"}))
        .await
        .expect(200);
    let late = app
        .post(
            "/api/transactions",
            json!({"date": "2026-09-30", "description": "late",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1"}}),
        )
        .await;
    assert_eq!(late.body["code"], "period_closed");
    assert!(late.body["detail"].as_str().unwrap().contains("adjusts"));

    // The correction goes in an open period as an adjustment of the closed month.
    let adjustment = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-02", "description": "September commission, booked late",
            "adjusts": "2026-09-15",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1"}}),
        )
        .await
        .expect(201);
    assert_eq!(adjustment["adjusts"], "2026-09-01");
    // Only a closed month can be adjusted.
    let open_month = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-03", "description": "not a correction",
            "adjusts": "2026-10-01",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1"}}),
        )
        .await
        .expect(422);
    assert_eq!(open_month["field"], "adjusts", "{open_month}");
    let pos = adjustment["position"].as_i64().unwrap();
    let adjustments = app
        .get(&format!(
            "/api/transactions?adjustments=true&min_position={pos}"
        ))
        .await
        .expect(200);
    assert_eq!(adjustments["total"], 1, "{adjustments}");
    assert_eq!(adjustments["items"][0]["adjusts"], "2026-09-01");
    // The P&L of October shows what the adjustment contributes, with its postings behind it.
    let pnl = app
        .get(&format!(
            "/api/reports/pnl?from=2026-10-01&to=2026-10-31&min_position={pos}"
        ))
        .await
        .expect(200);
    assert_eq!(pnl["totals"]["income"], "13.00", "{pnl}");
    assert_eq!(pnl["adjustments"]["income"], "1.00", "{pnl}");
    assert_eq!(pnl["adjustments"]["expenses"], "0.00", "{pnl}");
    assert_eq!(pnl["adjustments"]["profit"], "1.00", "{pnl}");
    let behind = app
        .get(&format!(
            "/api/reports/postings?{}&account_type=income",
            pnl["adjustments"]["drill"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(behind["total"], 1, "{behind}");
    assert_eq!(behind["sum"], "-1.00", "{behind}");
    assert_eq!(behind["items"][0]["transaction_id"], adjustment["id"]);
    // Its reversal corrects the same month.
    let adjustment_id = adjustment["id"].as_str().unwrap();
    let undone = app
        .post(
            &format!("/api/transactions/{adjustment_id}/reverse"),
            json!({"date": "2026-10-04"}),
        )
        .await
        .expect(201);
    assert_eq!(undone["reversal"]["adjusts"], "2026-09-01", "{undone}");

    // Archived accounts take no postings.
    app.post(&format!("/api/accounts/{sales}/archive"), json!({}))
        .await
        .expect(200);
    let archived = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-30", "description": "x",
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1"}}),
        )
        .await;
    assert_eq!(archived.body["code"], "archived");

    // Reversals, edits, archiving and the period lock rebuild to the same tables.
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn reference_data_lists_filter_sort_and_page() {
    let app = TestApp::spawn().await.admin().await;
    for name in ["Zeta", "Alpha", "Mid"] {
        app.post("/api/projects", json!({"name": name}))
            .await
            .expect(201);
    }
    let p = app
        .post("/api/projects", json!({"name": "Old"}))
        .await
        .expect(201);
    let archived = app
        .post(
            &format!("/api/projects/{}/archive", p["id"].as_str().unwrap()),
            json!({}),
        )
        .await
        .expect(200);
    let pos = archived["position"].as_i64().unwrap();
    let page = app
        .get(&format!(
            "/api/projects?sort=name&limit=2&archived=false&min_position={pos}"
        ))
        .await
        .expect(200);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["name"], "Alpha");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let bad_sort = app.get("/api/projects?sort=bogus").await;
    assert_eq!(bad_sort.status, 422);

    let parent = app
        .post(
            "/api/categories",
            json!({"name": "Marketing", "kind": "expense"}),
        )
        .await
        .expect(201);
    let pid = parent["id"].as_str().unwrap();
    let child = app
        .post(
            "/api/categories",
            json!({"name": "Ads", "kind": "expense", "parent_id": pid}),
        )
        .await
        .expect(201);
    let wrong_kind = app
        .post(
            "/api/categories",
            json!({"name": "Bad", "kind": "income", "parent_id": pid}),
        )
        .await;
    assert_eq!(wrong_kind.status, 422);
    let cycle = app
        .put(
            &format!("/api/categories/{pid}"),
            json!({"name": "Marketing", "kind": "expense", "parent_id": child["id"]}),
        )
        .await;
    assert_eq!(cycle.status, 422);

    let cp = app
        .post("/api/counterparties", json!({"name": "Advertiser Inc", "kind": "affiliate_program", "email": "pay@adv.example"}))
        .await
        .expect(201);
    let list = app
        .get(&format!(
            "/api/counterparties?kind=affiliate_program&min_position={}",
            cp["position"]
        ))
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    let bad_email = app
        .post(
            "/api/counterparties",
            json!({"name": "X", "kind": "vendor", "email": "nope"}),
        )
        .await;
    assert_eq!(bad_email.status, 422);
}

#[tokio::test]
async fn roles_are_enforced() {
    let mut app = TestApp::spawn().await;
    let anonymous = app.get("/api/accounts").await;
    assert_eq!(anonymous.status, 401);
    app.sign_in_as("boss@example.com").await;
    app.account("Bank", "asset", "USD").await;
    app.sign_in_as("viewer@example.com").await;
    let me = app.get("/api/auth/me").await.expect(200);
    assert_eq!(me["role"], "viewer");
    app.get("/api/accounts").await.expect(200);
    let denied = app
        .post(
            "/api/accounts",
            json!({"name": "X", "type": "asset", "kind": "bank", "currency": "USD"}),
        )
        .await;
    assert_eq!(denied.status, 403);
    assert_eq!(app.get("/api/audit/head").await.status, 403);
}

#[tokio::test]
async fn api_surface_health_docs_metrics() {
    let app = TestApp::spawn().await.admin().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);
    let doc = app.get("/api/openapi.json").await.expect(200);
    assert!(doc["paths"]["/api/transactions"].is_object());
    assert!(doc["paths"]["/api/auth/login"].is_object());
    // The web client's types are keyed by operation id: two routes sharing one would silently
    // give one of them the other's types.
    let mut seen = std::collections::BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str() {
                let route = format!("{method} {path}");
                if let Some(other) = seen.insert(id.to_string(), route.clone()) {
                    panic!("operation id `{id}` is used by {other} and {route}");
                }
            }
        }
    }
    let docs = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    // Metrics need an admin (or a `metrics` token: tests/tests/monitoring.rs).
    let open = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), 401);
    let metrics = app.metrics_text().await;
    assert!(metrics.contains("http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn concurrent_requests_are_grouped_but_answered_one_by_one() {
    let app = std::sync::Arc::new(TestApp::spawn().await.admin().await);
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (app, bank, sales) = (app.clone(), bank.clone(), sales.clone());
        tasks.push(tokio::spawn(async move {
            // Every 4th is unbalanced; every 5th repeats one shared idempotency key.
            let credit = if i % 4 == 0 { "-0.99" } else { "-1.00" };
            let mut body = json!({"date": "2026-10-01", "description": format!("t{i}"), "entries": [
                {"account_id": bank, "amount": "1.00"}, {"account_id": sales, "amount": credit}]});
            if i % 5 == 0 && i % 4 != 0 {
                body = json!({"date": "2026-10-01", "description": "shared", "idempotency_key": "same-key",
                    "entries": [{"account_id": bank, "amount": "1.00"}, {"account_id": sales, "amount": "-1.00"}]});
            }
            (i, app.post("/api/transactions", body).await)
        }));
    }
    let mut shared_ids = std::collections::HashSet::new();
    let mut posted = 0;
    let mut last = 0;
    for t in tasks {
        let (i, answer) = t.await.unwrap();
        if i % 4 == 0 {
            assert_eq!(answer.status, 422, "{i}: {:?}", answer.body);
            assert_eq!(answer.body["code"], "transaction_unbalanced");
        } else {
            assert!(
                answer.status == 201 || answer.status == 200,
                "{i}: {:?}",
                answer.body
            );
            last = last.max(answer.body["position"].as_i64().unwrap());
            if i % 5 == 0 {
                shared_ids.insert(answer.body["id"].as_str().unwrap().to_string());
            } else {
                posted += 1;
            }
        }
    }
    assert_eq!(shared_ids.len(), 1, "one idempotency key, one transaction");
    let b = app
        .get(&format!(
            "/api/balances?account_id={bank}&min_position={last}"
        ))
        .await
        .expect(200);
    assert_eq!(b["items"][0]["balance"], format!("{}.00", posted + 1));
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'transaction'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(count, posted + 1);
}
