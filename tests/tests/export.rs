//! The Beancount export streams (a ledger of 20,000 transactions comes as a chunked answer,
//! not one buffered body) and only roles that may take the books away get it.

use e2e::TestApp;
use futures::StreamExt;
use serde_json::json;

#[tokio::test]
async fn a_large_export_is_streamed_in_chunks() {
    let app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    for batch in 0..2 {
        let transactions: Vec<_> = (0..10_000)
            .map(|i| {
                json!({"date": "2026-10-01", "description": format!("sale {batch}-{i}"),
                    "entries": [{"account_id": bank, "amount": "1.00"},
                                {"account_id": sales, "amount": "-1.00"}]})
            })
            .collect();
        app.post(
            "/api/transactions/batch",
            json!({"transactions": transactions}),
        )
        .await
        .expect(201);
    }
    app.wait_all_sealed().await;
    let res = app
        .client
        .get(format!("{}/api/export/beancount", app.base))
        .bearer_auth(app.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("content-length").is_none(),
        "a streamed answer has no length up front: {:?}",
        res.headers()
    );
    assert_eq!(
        res.headers()
            .get("transfer-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("chunked")
    );
    let mut body = res.bytes_stream();
    let (mut pieces, mut text) = (0, Vec::new());
    while let Some(piece) = body.next().await {
        pieces += 1;
        text.extend_from_slice(&piece.unwrap());
    }
    let text = String::from_utf8(text).unwrap();
    assert!(pieces > 10, "{pieces} pieces");
    assert_eq!(text.matches("\n  id: ").count(), 20_000);
    assert!(
        text.contains("balance Assets:Bank-"),
        "ends with the assertions"
    );
    assert!(text.trim_end().ends_with("USD"));
}

#[tokio::test]
async fn only_admins_accountants_and_auditors_export() {
    let mut app = TestApp::spawn().await.admin().await;
    app.get("/api/export/beancount").await.expect(200);
    let admin = app.token.clone();
    for (email, role, status) in [
        ("viewer@example.com", "viewer", 403),
        ("analyst@example.com", "analyst", 403),
        ("auditor@example.com", "auditor", 200),
        ("accountant@example.com", "accountant", 200),
    ] {
        app.token = admin.clone();
        app.sign_in_with_role(email, role).await;
        let a = app.get("/api/export/beancount").await;
        assert_eq!(a.status, status, "{role}: {:?}", a.body);
    }
}
