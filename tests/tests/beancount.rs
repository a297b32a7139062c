//! The Beancount export: `bean-check` accepts it, and its balance assertions (checked by
//! Beancount against the exported postings) equal the API's balances account by account.

use std::process::Command;

use e2e::TestApp;
use serde_json::json;

/// bean-check from $BEAN_CHECK, PATH, or the venv scripts/test creates.
fn bean_check() -> String {
    if let Ok(p) = std::env::var("BEAN_CHECK") {
        return p;
    }
    if Command::new("bean-check").arg("--help").output().is_ok() {
        return "bean-check".into();
    }
    let venv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bean-venv/bin/bean-check"
    );
    assert!(
        std::path::Path::new(venv).exists(),
        "bean-check not found: run ./scripts/test (it installs beancount) or `pip install beancount`"
    );
    venv.into()
}

fn check(text: &str) -> (bool, String) {
    let path = std::env::temp_dir().join(format!(
        "ledger-{}.beancount",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, text).unwrap();
    let out = Command::new(bean_check())
        .arg(&path)
        .output()
        .expect("run bean-check");
    let _ = std::fs::remove_file(&path);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn bean_check_accepts_the_export_and_its_balances_match() {
    let app = TestApp::spawn().await.admin().await;
    let usd = app.account("Bank of \"America\"", "asset", "USD").await;
    let eur = app.account("Sparkasse EUR", "asset", "EUR").await;
    let usdt = app.account("Tron wallet", "asset", "USDT").await;
    let trx = app.account("TRX fees wallet", "asset", "TRX").await;
    let sales = app.account("Affiliate revenue", "income", "USD").await;
    let ads = app.account("Ad spend", "expense", "USD").await;
    let partner = app
        .post(
            "/api/counterparties",
            json!({"name": "Adv \"Net\"", "kind": "affiliate_program"}),
        )
        .await
        .expect(201);

    let posts = [
        json!({"date": "2026-08-01", "description": "Payout", "counterparty_id": partner["id"], "tags": ["q3", "net/1"],
               "income": {"account_id": usd, "income_account_id": sales, "amount": "1234.56"}}),
        json!({"date": "2026-08-02", "description": "Moloco", "expense": {"account_id": usd, "expense_account_id": ads, "amount": "300"}}),
        json!({"date": "2026-08-03", "description": "USD to EUR", "transfer": {"from_account_id": usd, "to_account_id": eur, "amount": "100", "rate": "0.92345"}}),
        json!({"date": "2026-08-04", "description": "Buy USDT", "transfer": {"from_account_id": usd, "to_account_id": usdt, "amount": "500", "to_amount": "499.123456"}}),
        json!({"date": "2026-08-05", "description": "Swap", "entries": [
            {"account_id": usdt, "amount": "-10.5", "price": {"currency": "TRX", "total": "35.123456"}},
            {"account_id": trx, "amount": "35.123456"}]}),
    ];
    let mut last = 0;
    let mut first_id = String::new();
    for p in posts {
        let r = app.post("/api/transactions", p).await.expect(201);
        if first_id.is_empty() {
            first_id = r["id"].as_str().unwrap().to_string();
        }
        last = r["position"].as_i64().unwrap();
    }
    let r = app
        .post(
            &format!("/api/transactions/{first_id}/reverse"),
            json!({"date": "2026-08-06"}),
        )
        .await
        .expect(201);
    last = last.max(r["position"].as_i64().unwrap());

    let res = app
        .client
        .get(format!(
            "{}/api/export/beancount?min_position={last}",
            app.base
        ))
        .bearer_auth(app.token.as_ref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let (ok, output) = check(&text);
    assert!(ok, "bean-check refused the export:\n{output}\n---\n{text}");

    // Each asserted balance equals the API's balance of that account.
    let balances = app
        .get(&format!("/api/balances?min_position={last}"))
        .await
        .expect(200);
    for item in balances["items"].as_array().unwrap() {
        let simple = item["account_id"].as_str().unwrap().replace('-', "");
        let suffix = &simple[simple.len() - 8..];
        let line = text
            .lines()
            .find(|l| l.contains(" balance ") && l.contains(&format!("-{suffix} ")))
            .unwrap_or_else(|| panic!("no balance assertion for {item}"));
        let expected = format!(
            "{} {}",
            item["balance"].as_str().unwrap(),
            item["currency"].as_str().unwrap()
        );
        assert!(line.ends_with(&expected), "{line} vs {expected}");
    }

    // The check can fail: a changed amount breaks the file's assertions.
    let broken = text.replacen("1234.56 USD", "1234.57 USD", 1);
    assert_ne!(broken, text);
    let (ok, _) = check(&broken);
    assert!(
        !ok,
        "bean-check must refuse a file whose postings disagree with its assertions"
    );
}
