//! Crypto on Tron end to end over real HTTP, with TronScan played by a local server answering
//! with the importers' recorded responses: postings with crypto details (and bad ones
//! refused), verification (confirmed USDT, a failed transfer, a wrong amount, a TRX transfer
//! after a 429, a timeout and an exhausted rate limit that write nothing), then a wallet sync
//! into pending items, posting one with its network fee, a second sync that offers nothing new,
//! a dismissal, and a rebuild compared with the live tables.

#[path = "../../importers/tests/tronscan_mock/mod.rs"]
mod tronscan_mock;

use std::time::Duration;

use e2e::TestApp;
use serde_json::{Value, json};
use tronscan_mock::{MockServer, Reply};

const USDT_TX: &str = "66836886a260cd0b7b45145c1a81682c64e50cad66237a0465e7e4236472f1a3";
const REVERTED_TX: &str = "1c2442f9298cb3a570ccec313571810afc132d0d113db17d30cbc97d0fef7928";
const TRX_TX: &str = "895fd7b326b94c7f9118bb16000f49c81a358ca00d75985d99c94309570dc195";
const OUT_TX: &str = "9a2ef80f58ee8571f4998d7c4093f6dea268aa872607679d6050914a9d33a01c";
const IN_TX: &str = "a49636a2fa7f0eab4c4f9b0687322e25c215a82a06ec41adea0575438b0d590b";
const SWAP_TX: &str = "842e7fc229540a6eb12aa1f6d42fddbb7a86f7a243c71b9abd87a86557b6fb7e";
const SELF_TX: &str = "b0a844e52587be6b5c9bcf35873be078f3b7a50df373ca533488f87605e999f3";
const SLOW_TX: &str = "00000000000000000000000000000000000000000000000000000000000000aa";
const LIMITED_TX: &str = "00000000000000000000000000000000000000000000000000000000000000bb";
const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";
const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
const SUPPLIER: &str = "TYgxPujNVp45tzUWTyaQqZ2wpJdjcx5xfK";
const TX_PATH: &str = "/api/transaction-info";
const TRC20_PATH: &str = "/api/token_trc20/transfers";

/// A recorded TronScan answer from the importers' fixtures.
fn recorded(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../importers/fixtures/tronscan/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json_reply(status: u16, body: Vec<u8>) -> Reply {
    Reply::new(status, body).header("content-type", "application/json")
}

/// The wallet's recorded TRC20 history (three pages) as one page, as TronScan lists it when
/// the page size covers it all.
fn whole_history() -> Vec<u8> {
    let mut all: Vec<Value> = Vec::new();
    for page in ["trc20_page1.json", "trc20_page2.json", "trc20_page3.json"] {
        let v: Value = serde_json::from_slice(&recorded(page)).unwrap();
        all.extend(v["token_transfers"].as_array().unwrap().iter().cloned());
    }
    serde_json::to_vec(
        &json!({"total": all.len(), "rangeTotal": all.len(), "token_transfers": all}),
    )
    .unwrap()
}

async fn create(app: &TestApp, body: Value) -> String {
    app.post("/api/accounts", body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn crypto(token: &str, hash: &str, from: &str, to: &str, amount: &str, fee: &str) -> Value {
    json!({"network": "tron", "token": token, "tx_hash": hash, "from": from, "to": to,
           "amount": amount, "fee_trx": fee})
}

async fn balance(app: &TestApp, account: &str, position: i64) -> String {
    let b = app
        .get(&format!(
            "/api/balances?account_id={account}&min_position={position}"
        ))
        .await
        .expect(200);
    b["items"][0]["balance"].as_str().unwrap_or("0").to_string()
}

#[tokio::test]
async fn tron_postings_verify_sync_and_post_pending_items() {
    let tronscan = MockServer::start().await;
    let base = tronscan.base_url.clone();
    let mut app = TestApp::spawn_with(move |s| {
        s.tronscan_url = base;
        s.tronscan_api_key = Some("test-key".into());
        s.tronscan_timeout_ms = 300;
        s.tronscan_retries = 2;
        s.tronscan_backoff_ms = 10;
    })
    .await
    .admin()
    .await;

    // Recorded answers by hash; a 429 before the TRX transfer; one that never answers in time;
    // one that is rate limited for ever.
    tronscan.on_query(
        TX_PATH,
        &[("hash", USDT_TX)],
        vec![json_reply(200, recorded("tx_usdt_confirmed.json"))],
    );
    tronscan.on_query(
        TX_PATH,
        &[("hash", REVERTED_TX)],
        vec![json_reply(200, recorded("tx_usdt_reverted.json"))],
    );
    tronscan.on_query(
        TX_PATH,
        &[("hash", TRX_TX)],
        vec![
            json_reply(429, recorded("rate_limited.json")),
            json_reply(200, recorded("tx_trx_transfer.json")),
        ],
    );
    tronscan.on_query(
        TX_PATH,
        &[("hash", SLOW_TX)],
        vec![json_reply(200, recorded("tx_trx_transfer.json")).delay(Duration::from_secs(3))],
    );
    tronscan.on_query(
        TX_PATH,
        &[("hash", LIMITED_TX)],
        vec![json_reply(429, recorded("rate_limited.json"))],
    );
    tronscan.on_query(
        TX_PATH,
        &[("hash", OUT_TX)],
        vec![json_reply(200, recorded("tx_unknown.json"))],
    );
    tronscan.on(TRC20_PATH, vec![json_reply(200, whole_history())]);

    let wallet = create(
        &app,
        json!({"name": "USDT wallet", "type": "asset", "kind": "crypto_wallet", "currency": "USDT", "tron_address": WALLET}),
    )
    .await;
    let trx_wallet = create(
        &app,
        json!({"name": "TRX wallet", "type": "asset", "kind": "crypto_wallet", "currency": "TRX", "tron_address": WALLET}),
    )
    .await;
    let revenue = app.account("Affiliate revenue", "income", "USDT").await;
    let supplier_costs = app.account("Suppliers", "expense", "USDT").await;
    let trx_costs = app.account("TRX costs", "expense", "TRX").await;
    let fees = app.account("Network fees", "expense", "USD").await;
    let bank = app.account("Bank", "asset", "USDT").await;

    // Postings with crypto details; bad details are refused and write nothing.
    let income = |amount: &str, crypto: Value| {
        json!({"date": "2024-07-03", "description": "USDT in",
               "income": {"account_id": wallet, "income_account_id": revenue, "amount": amount},
               "crypto": crypto})
    };
    let before = app.event_count().await;
    let bad_address = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nk";
    for (body, field) in [
        (
            income(
                "1500.25",
                crypto("USDT", USDT_TX, PAYER, bad_address, "1500.25", "0"),
            ),
            "crypto.to",
        ),
        (
            income(
                "1500.25",
                crypto("USDT", &USDT_TX[1..], PAYER, WALLET, "1500.25", "0"),
            ),
            "crypto.tx_hash",
        ),
        (
            income(
                "1500.25",
                crypto("USDT", USDT_TX, PAYER, WALLET, "1500.25", "0.0000001"),
            ),
            "crypto.fee_trx",
        ),
        (
            income(
                "1500.25",
                crypto("USDT", USDT_TX, PAYER, WALLET, "1500.2500001", "0"),
            ),
            "crypto.amount",
        ),
        (
            income(
                "1500.25",
                crypto("TRX", USDT_TX, PAYER, WALLET, "1500.25", "0"),
            ),
            "crypto.amount",
        ),
        (
            json!({"date": "2024-07-03", "description": "bank, not a wallet",
                   "income": {"account_id": bank, "income_account_id": revenue, "amount": "1500.25"},
                   "crypto": crypto("USDT", USDT_TX, PAYER, WALLET, "1500.25", "0")}),
            "crypto",
        ),
    ] {
        let p = app.post("/api/transactions", body).await.expect(422);
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(app.event_count().await, before, "refusals write nothing");

    let ok = app
        .post(
            "/api/transactions",
            income(
                "1500.25",
                crypto("USDT", USDT_TX, PAYER, WALLET, "1500.25", "0"),
            ),
        )
        .await
        .expect(201);
    assert_eq!(ok["crypto"]["amount"], "1500.250000");
    assert_eq!(
        ok["crypto"]["contract"],
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    );
    let ok_id = ok["id"].as_str().unwrap().to_string();
    let wrong_amount = app
        .post(
            "/api/transactions",
            income("1500", crypto("USDT", USDT_TX, PAYER, WALLET, "1500", "0")),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = app
        .post(
            "/api/transactions",
            income(
                "980",
                crypto("USDT", REVERTED_TX, PAYER, WALLET, "980", "13.71024"),
            ),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let trx_out = |hash: &str| {
        json!({"date": "2024-07-03", "description": "TRX out",
               "expense": {"account_id": trx_wallet, "expense_account_id": trx_costs, "amount": "250"},
               "crypto": crypto("TRX", hash, WALLET, SUPPLIER, "250", "0")})
    };
    let trx = app
        .post("/api/transactions", trx_out(TRX_TX))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let slow = app
        .post("/api/transactions", trx_out(SLOW_TX))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let limited = app
        .post("/api/transactions", trx_out(LIMITED_TX))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Confirmed USDT transfer: verified, recorded, shown on the transaction and in the list.
    let v = app
        .post(
            &format!("/api/transactions/{ok_id}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(v["verification"]["result"]["status"], "verified", "{v}");
    assert_eq!(v["verification"]["confirmations"], 1843);
    let t = app
        .get(&format!("/api/transactions/{ok_id}"))
        .await
        .expect(200);
    assert_eq!(t["crypto_verification"]["result"]["status"], "verified");
    let listed = app
        .get(&format!(
            "/api/transactions?account_id={wallet}&min_position={}",
            v["position"]
        ))
        .await
        .expect(200);
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ok_id.as_str())
        .unwrap();
    assert_eq!(row["crypto"]["tx_hash"], USDT_TX);
    assert_eq!(row["crypto_verification"]["result"]["status"], "verified");

    // Wrong amount and a failed (reverted) transfer: mismatches with their reasons.
    let v = app
        .post(
            &format!("/api/transactions/{wrong_amount}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(v["verification"]["result"]["status"], "mismatch", "{v}");
    let reasons = v["verification"]["result"]["reasons"].to_string();
    assert!(reasons.contains("wrong amount"), "{reasons}");
    let v = app
        .post(
            &format!("/api/transactions/{failed}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(200);
    let reasons = v["verification"]["result"]["reasons"].to_string();
    assert!(reasons.contains("failed (REVERT)"), "{reasons}");

    // TRX transfer: a 429 first, retried, then verified.
    let v = app
        .post(&format!("/api/transactions/{trx}/verify-crypto"), json!({}))
        .await
        .expect(200);
    assert_eq!(v["verification"]["result"]["status"], "verified", "{v}");
    let trx_calls = tronscan
        .requests()
        .iter()
        .filter(|r| r.param("hash") == Some(TRX_TX))
        .count();
    assert_eq!(trx_calls, 2, "one 429, one success");
    assert!(
        tronscan
            .requests()
            .iter()
            .all(|r| r.header("TRON-PRO-API-KEY") == Some("test-key"))
    );

    // Timeout and an exhausted rate limit: clear problems, nothing written.
    let before = app.event_count().await;
    let p = app
        .post(
            &format!("/api/transactions/{slow}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(502);
    assert_eq!(p["code"], "tronscan_timeout", "{p}");
    let p = app
        .post(
            &format!("/api/transactions/{limited}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(503);
    assert_eq!(p["code"], "tronscan_rate_limited", "{p}");
    assert_eq!(app.event_count().await, before);

    // A reversed transaction is not verified.
    app.post(&format!("/api/transactions/{failed}/reverse"), json!({}))
        .await
        .expect(201);
    let p = app
        .post(
            &format!("/api/transactions/{failed}/verify-crypto"),
            json!({}),
        )
        .await
        .expect(409);
    assert_eq!(p["code"], "conflict");

    // Wallet sync: the postings' hashes are known, the rest of the confirmed, successful USDT
    // history is offered (the unconfirmed, the reverted and the fake-USDT transfers are not).
    app.wait_all_sealed().await;
    let s = app
        .post(&format!("/api/accounts/{wallet}/tron/sync"), json!({}))
        .await
        .expect(200);
    assert_eq!(s["found"], 4, "{s}");
    let pending = app
        .get(&format!(
            "/api/accounts/{wallet}/tron/pending?min_position={}&sort=-time&limit=2",
            s["position"]
        ))
        .await
        .expect(200);
    assert_eq!(pending["total"], 4);
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);
    assert_eq!(pending["items"][0]["tx_hash"], OUT_TX);
    assert_eq!(pending["items"][0]["direction"], "out");
    assert_eq!(pending["items"][0]["amount"], "730.500000");
    app.get(&format!("/api/accounts/{wallet}/tron/pending?status=maybe"))
        .await
        .expect(422);

    // Post the outgoing one: wallet credited, supplier expense debited, the network fee paid
    // from the TRX wallet and booked to the fee expense account at the day's rate.
    app.post(
        "/api/rates",
        json!({"date": "2024-07-04", "base": "TRX", "quote": "USD", "rate": "0.12"}),
    )
    .await
    .expect(201);
    // Rates are read from the read side (like every conversion): wait for it.
    app.wait_all_sealed().await;
    let body = json!({"counter_account_id": supplier_costs, "fee_expense_account_id": fees,
                      "fee_account_id": trx_wallet, "fee_trx": "13.7"});
    let no_fee_account = json!({"counter_account_id": supplier_costs, "fee_trx": "13.7"});
    let p = app
        .post(
            &format!("/api/accounts/{wallet}/tron/pending/{OUT_TX}/post"),
            no_fee_account,
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "fee_expense_account_id");
    // Without `fee_trx` the fee is read from TronScan, which does not know this one.
    let p = app
        .post(
            &format!("/api/accounts/{wallet}/tron/pending/{OUT_TX}/post"),
            json!({"counter_account_id": supplier_costs, "fee_expense_account_id": fees,
                   "fee_account_id": trx_wallet}),
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "fee_trx", "{p}");
    let posted = app
        .post(
            &format!("/api/accounts/{wallet}/tron/pending/{OUT_TX}/post"),
            body.clone(),
        )
        .await
        .expect(201);
    let position = posted["position"].as_i64().unwrap();
    app.post(
        &format!("/api/accounts/{wallet}/tron/pending/{OUT_TX}/post"),
        body,
    )
    .await
    .expect(409);
    assert_eq!(balance(&app, &supplier_costs, position).await, "730.500000");
    assert_eq!(balance(&app, &fees, position).await, "1.64");
    assert_eq!(balance(&app, &trx_costs, position).await, "750.000000");
    let tx = app
        .get(&format!(
            "/api/transactions/{}",
            posted["transaction_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(tx["crypto"]["fee_trx"], "13.700000");
    assert_eq!(tx["crypto"]["to"], SUPPLIER);
    assert_eq!(tx["origin"]["kind"], "tron_wallet");
    assert_eq!(tx["entries"].as_array().unwrap().len(), 4);

    // Dismiss the self-transfer; posting it is refused (it moves nothing).
    app.post(
        &format!("/api/accounts/{wallet}/tron/pending/{SELF_TX}/post"),
        json!({"counter_account_id": revenue}),
    )
    .await
    .expect(422);
    app.post(
        &format!("/api/accounts/{wallet}/tron/pending/{SELF_TX}/dismiss"),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/accounts/{wallet}/tron/pending/{SELF_TX}/dismiss"),
        json!({}),
    )
    .await
    .expect(409);
    // Post an incoming one to revenue.
    app.post(
        &format!("/api/accounts/{wallet}/tron/pending/{IN_TX}/post"),
        json!({"counter_account_id": revenue, "description": "Affiliate payout"}),
    )
    .await
    .expect(201);

    // A swap shape: the incoming USDT booked against the TRX wallet at the day's rate (the
    // inverse of TRX/USDT 0.125 is 8 TRX per USDT).
    app.post(
        "/api/rates",
        json!({"date": "2024-07-04", "base": "TRX", "quote": "USDT", "rate": "0.125"}),
    )
    .await
    .expect(201);
    app.wait_all_sealed().await;
    let swap = app
        .post(
            &format!("/api/accounts/{wallet}/tron/pending/{SWAP_TX}/post"),
            json!({"counter_account_id": trx_wallet}),
        )
        .await
        .expect(201);
    let tx = app
        .get(&format!(
            "/api/transactions/{}",
            swap["transaction_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(tx["kind"], "transfer");
    assert_eq!(tx["entries"][1]["account_id"], trx_wallet.as_str());
    assert_eq!(tx["entries"][1]["amount"], "-98.765424");
    assert_eq!(tx["entries"][1]["price"]["total"], "12.345678");

    // A second sync offers nothing new.
    let before = app.event_count().await;
    let s = app
        .post(&format!("/api/accounts/{wallet}/tron/sync"), json!({}))
        .await
        .expect(200);
    assert_eq!(s["found"], 0, "{s}");
    assert_eq!(app.event_count().await, before);
    let left = app
        .get(&format!(
            "/api/accounts/{wallet}/tron/pending?min_position={}",
            swap["position"]
        ))
        .await
        .expect(200);
    assert_eq!(left["total"], 0, "{left}");
    let all = app
        .get(&format!("/api/accounts/{wallet}/tron/pending?status=all"))
        .await
        .expect(200);
    assert_eq!(all["total"], 4);

    // Verify the posted item at the end: TronScan does not know it (recorded empty answer).
    let v = app
        .post(
            &format!(
                "/api/transactions/{}/verify-crypto",
                posted["transaction_id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(v["verification"]["result"]["status"], "not_found", "{v}");

    // Roles: an analyst reads books but neither syncs nor verifies.
    app.sign_in_with_role("analyst@example.com", "analyst")
        .await;
    app.post(&format!("/api/accounts/{wallet}/tron/sync"), json!({}))
        .await
        .expect(403);
    app.post(
        &format!("/api/transactions/{ok_id}/verify-crypto"),
        json!({}),
    )
    .await
    .expect(403);

    // Everything rebuilds from the log to the same tables.
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}
