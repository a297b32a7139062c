//! `Idempotency-Key` on POSTs that write (Stripe's semantics) and over-payment of invoices:
//! a retried payment is booked once and answers the same body; two identical requests at once
//! write once; the same key with another body is refused; keys are checked and scoped per
//! user; the transactions' body field `idempotency_key` behaves the same; an over-payment is
//! refused unless asked for.

use e2e::{Answer, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// POST with an `Idempotency-Key` header; also answers whether it was a replay.
async fn post_keyed(app: &TestApp, path: &str, key: &str, body: &Value) -> (Answer, bool) {
    let res = app
        .client
        .request(Method::POST, format!("{}{path}", app.base))
        .bearer_auth(app.token.as_deref().unwrap())
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = res.text().await.unwrap();
    let answer = Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        content_type,
    };
    (answer, replayed)
}

async fn id_of(app: &TestApp, path: &str, body: Value) -> String {
    app.post(path, body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An issued receivable invoice of 100 USD and a USD bank account; answers (invoice id, bank).
async fn issued_invoice(app: &TestApp) -> (String, String) {
    let cp = id_of(
        app,
        "/api/counterparties",
        json!({"name": "Acme", "kind": "customer"}),
    )
    .await;
    let ar = app.account("Receivable", "asset", "USD").await;
    let income = app.account("Income", "income", "USD").await;
    let bank = app.account("Bank", "asset", "USD").await;
    let draft = app
        .post(
            "/api/invoices",
            json!({"direction": "receivable", "counterparty_id": cp, "currency": "USD",
                "issue_date": "2026-11-01", "due_date": "2026-11-30",
                "lines": [{"description": "Work", "quantity": "1", "unit_price": "100"}]}),
        )
        .await
        .expect(201);
    let id = draft["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/invoices/{id}/issue"),
        json!({"control_account_id": ar, "account_id": income}),
    )
    .await
    .expect(200);
    (id, bank)
}

async fn payment_events(app: &TestApp, invoice: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'invoice' AND aggregate_id = $1 \
         AND event_type = 'PaymentRecorded'",
    )
    .bind(invoice)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_retried_payment_with_the_same_key_is_booked_once_and_answers_the_same_body() {
    let app = TestApp::spawn().await.admin().await;
    let (invoice, bank) = issued_invoice(&app).await;
    let path = format!("/api/invoices/{invoice}/payments");
    let body = json!({"date": "2026-11-05", "account_id": bank, "amount": "40"});
    let (first, replayed) = post_keyed(&app, &path, "pay-1", &body).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(!replayed);
    let (again, replayed) = post_keyed(&app, &path, "pay-1", &body).await;
    assert!(replayed, "the second answer is the stored first one");
    assert_eq!(again.status, first.status);
    assert_eq!(again.body, first.body);
    assert_eq!(payment_events(&app, &invoice).await, 1);
    assert_eq!(first.body["open"], "60.00");

    // Another key is another payment.
    let (second, _) = post_keyed(&app, &path, "pay-2", &body).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["open"], "20.00");
    assert_eq!(payment_events(&app, &invoice).await, 2);

    // The same key with another body: refused, nothing written.
    let other = json!({"date": "2026-11-05", "account_id": bank, "amount": "10"});
    let (reused, _) = post_keyed(&app, &path, "pay-1", &other).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.body["code"], "idempotency_key_reused");
    // ... and on another endpoint.
    let (elsewhere, _) =
        post_keyed(&app, "/api/counterparties", "pay-1", &json!({"name": "X"})).await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    assert_eq!(elsewhere.body["code"], "idempotency_key_reused");
    assert_eq!(payment_events(&app, &invoice).await, 2);
}

#[tokio::test]
async fn two_identical_requests_at_once_write_once() {
    let app = std::sync::Arc::new(TestApp::spawn().await.admin().await);
    let (invoice, bank) = issued_invoice(&app).await;
    let path = format!("/api/invoices/{invoice}/payments");
    let body = json!({"date": "2026-11-05", "account_id": bank, "amount": "30"});
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (app, path, body) = (app.clone(), path.clone(), body.clone());
            tokio::spawn(async move { post_keyed(&app, &path, "same-time", &body).await })
        })
        .collect();
    let mut ok = Vec::new();
    for t in tasks {
        let (a, _) = t.await.unwrap();
        match a.status.as_u16() {
            200 => ok.push(a.body),
            409 => assert_eq!(a.body["code"], "idempotency_key_in_use", "{}", a.body),
            s => panic!("unexpected {s}: {}", a.body),
        }
    }
    assert!(!ok.is_empty());
    assert!(
        ok.iter().all(|b| b == &ok[0]),
        "every success is the same answer"
    );
    assert_eq!(payment_events(&app, &invoice).await, 1, "one write");
}

#[tokio::test]
async fn keys_are_checked_and_scoped_per_user_on_every_post() {
    let mut app = TestApp::spawn().await.admin().await;
    let body = json!({"name": "Acme", "kind": "customer"});
    for bad in ["k".repeat(256), "tab\tkey".to_string()] {
        let (a, _) = post_keyed(&app, "/api/counterparties", &bad, &body).await;
        assert_eq!(a.status, 422, "{bad:?}: {}", a.body);
        assert_eq!(a.body["code"], "idempotency_key_invalid");
    }
    let (first, _) = post_keyed(&app, "/api/counterparties", "cp-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let (again, replayed) = post_keyed(&app, "/api/counterparties", "cp-1", &body).await;
    assert!(replayed);
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    // A refusal is stored too: the retry gets the same 422 without running.
    let bad_body = json!({"name": "", "kind": "customer"});
    let (refused, _) = post_keyed(&app, "/api/counterparties", "cp-bad", &bad_body).await;
    assert_eq!(refused.status, 422);
    let (refused_again, replayed) =
        post_keyed(&app, "/api/counterparties", "cp-bad", &bad_body).await;
    assert!(replayed);
    assert_eq!(refused_again.body, refused.body);

    // Another user's identical key is theirs: it runs, it is not the first user's answer.
    app.sign_in_with_role("accountant@example.com", "accountant")
        .await;
    let (theirs, replayed) = post_keyed(&app, "/api/counterparties", "cp-1", &body).await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    assert!(!replayed);
    assert_ne!(theirs.body["id"], first.body["id"]);
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'counterparty' AND event_type = 'Created'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(n, 2, "one counterparty per user's key");
}

#[tokio::test]
async fn the_transaction_body_key_is_an_alias_with_the_same_semantics() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "EUR").await;
    let sales = app.account("Sales", "income", "EUR").await;
    let body = json!({"date": "2026-10-01", "description": "once", "idempotency_key": "body-1",
        "income": {"account_id": bank, "income_account_id": sales, "amount": "5"}});
    let first = app.post("/api/transactions", body.clone()).await;
    assert_eq!(first.status, 201);
    let again = app.post("/api/transactions", body).await;
    assert_eq!(again.status, 201, "the first answer again");
    assert_eq!(again.body, first.body);
    let other = json!({"date": "2026-10-01", "description": "other", "idempotency_key": "body-1",
        "income": {"account_id": bank, "income_account_id": sales, "amount": "6"}});
    let reused = app.post("/api/transactions", other).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.body["code"], "idempotency_key_reused");

    // A header key on a transaction without a body key: once.
    let plain = json!({"date": "2026-10-02", "description": "by header",
        "income": {"account_id": bank, "income_account_id": sales, "amount": "7"}});
    let (a, _) = post_keyed(&app, "/api/transactions", "hdr-1", &plain).await;
    let (b, replayed) = post_keyed(&app, "/api/transactions", "hdr-1", &plain).await;
    assert_eq!(a.status, 201);
    assert!(replayed);
    assert_eq!(a.body, b.body);
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'transaction'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn an_overpayment_is_refused_unless_allowed() {
    let app = TestApp::spawn().await.admin().await;
    let (invoice, bank) = issued_invoice(&app).await;
    let path = format!("/api/invoices/{invoice}/payments");
    app.post(
        &path,
        json!({"date": "2026-11-05", "account_id": bank, "amount": "60"}),
    )
    .await
    .expect(200);
    let refused = app
        .post(
            &path,
            json!({"date": "2026-11-06", "account_id": bank, "amount": "50"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["code"], "invoice_overpayment");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("40.00 USD is open"),
        "{}",
        refused.body
    );
    assert_eq!(payment_events(&app, &invoice).await, 1, "nothing written");
    let paid = app
        .post(
            &path,
            json!({"date": "2026-11-06", "account_id": bank, "amount": "50", "allow_overpayment": true}),
        )
        .await
        .expect(200);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["overpaid"], "10.00");
}
