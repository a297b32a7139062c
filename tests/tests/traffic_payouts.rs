//! Conversions and payouts end to end over real HTTP: conversion logs with repeated
//! conversions and status changes, a payout computed from approved conversions and the offers'
//! terms (CPA and revenue share), approved into a receivable per project, paid in USDT with a
//! tx hash, and every posting linked to the payout and back.

use e2e::TestApp;
use serde_json::{Value, json};

const LOG_HEADER: &str = "conversion_id;sub_id;campaign_id;campaign;offer;status;revenue;click_datetime;postback_datetime;country\n";

fn log(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from(LOG_HEADER);
    for (id, campaign, status, revenue) in rows {
        s.push_str(&format!(
            "{id};s-{id};{campaign};Camp {campaign};Offer;{status};{revenue};2026-10-05 10:00:00;2026-10-05 12:00:00;DE\n"
        ));
    }
    s.into_bytes()
}

async fn id_of(app: &TestApp, path: &str, body: Value) -> String {
    app.post(path, body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
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
async fn conversions_become_a_payout_a_receivable_and_a_receipt() {
    let app = TestApp::spawn().await.admin().await;
    let cp = id_of(
        &app,
        "/api/counterparties",
        json!({"name": "AffNet Ltd", "kind": "affiliate_program"}),
    )
    .await;
    let program = id_of(
        &app,
        "/api/traffic/programs",
        json!({"name": "AffNet", "counterparty_id": cp, "currency": "USD"}),
    )
    .await;
    let cpa = id_of(
        &app,
        "/api/traffic/offers",
        json!({"name": "Casino CPA", "program_id": program, "payout_model": "cpa", "payout": "2.50", "currency": "USD"}),
    )
    .await;
    let share = id_of(
        &app,
        "/api/traffic/offers",
        json!({"name": "Casino share", "program_id": program, "payout_model": "rev_share", "payout": "40", "currency": "USD"}),
    )
    .await;
    let games = id_of(&app, "/api/projects", json!({"name": "Games"})).await;
    let source = id_of(
        &app,
        "/api/traffic/sources",
        json!({"name": "Push", "kind": "push", "currency": "USD"}),
    )
    .await;
    let camp_a = id_of(
        &app,
        "/api/traffic/campaigns",
        json!({"name": "A", "source_id": source, "offer_id": cpa, "project_id": games,
               "status": "active", "source_keys": ["push-a"], "tracker_keys": ["101"]}),
    )
    .await;
    id_of(
        &app,
        "/api/traffic/campaigns",
        json!({"name": "B", "source_id": source, "offer_id": share, "status": "active",
               "tracker_keys": ["102"]}),
    )
    .await;

    // A first log: five sales, a lead, a rejection on A; two sales on B (decimal commas).
    let first = log(&[
        ("c1", "101", "sale", "0"),
        ("c2", "101", "sale", "0"),
        ("c3", "101", "sale", "0"),
        ("c4", "101", "sale", "0"),
        ("c5", "101", "sale", "0"),
        ("c6", "101", "lead", "0"),
        ("c7", "101", "rejected", "0"),
        ("c8", "102", "sale", "10,00"),
        ("c9", "102", "sale", "15,00"),
    ]);
    let up = app
        .upload("keitaro.csv", first, &[("currency", "USD")])
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["kind"], "conversions");
    assert_eq!(done["detected_format"], "keitaro");
    // A later log: the lead turned into a sale, c1 again (not counted twice), c2 rejected.
    let second = log(&[
        ("c6", "101", "sale", "0"),
        ("c1", "101", "sale", "0"),
        ("c2", "101", "rejected", "0"),
    ]);
    let up = app
        .upload("keitaro-2.csv", second, &[("currency", "USD")])
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    app.wait_all_sealed().await;

    // A: 5 approved (c1, c3, c4, c5, c6) × 2.50 = 12.50; B: 25.00 revenue × 40 % = 10.00.
    let payout = app
        .post(
            "/api/traffic/payouts",
            json!({"program_id": program, "from": "2026-10-01", "to": "2026-10-31"}),
        )
        .await
        .expect(201);
    assert_eq!(payout["status"], "draft");
    assert_eq!(payout["total"], "22.50");
    assert_eq!(payout["conversions"], 7);
    let payout_id = payout["id"].as_str().unwrap().to_string();
    let lines = payout["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    let a_line = lines
        .iter()
        .find(|l| l["offer_id"] == cpa.as_str())
        .unwrap();
    assert_eq!(a_line["amount"], "12.50");
    assert_eq!(a_line["conversions"], 5);
    assert_eq!(a_line["project_id"], games.as_str());

    // The same program and an overlapping period: refused.
    app.post(
        "/api/traffic/payouts",
        json!({"program_id": program, "from": "2026-10-15", "to": "2026-11-15"}),
    )
    .await
    .expect(409);
    // A period without conversions: refused with a reason.
    let empty = app
        .post(
            "/api/traffic/payouts",
            json!({"program_id": program, "from": "2026-09-01", "to": "2026-09-30"}),
        )
        .await
        .expect(422);
    assert!(
        empty["detail"]
            .as_str()
            .unwrap()
            .contains("no approved conversions")
    );

    // Approval posts the receivable, one posting per project, linked to the payout.
    let receivable = app.account("Affiliate receivables", "asset", "USD").await;
    let revenue = app.account("Affiliate revenue", "income", "USD").await;
    let wallet = app.account("Tron wallet", "asset", "USDT").await;
    let category = id_of(
        &app,
        "/api/categories",
        json!({"name": "Affiliate revenue", "kind": "income"}),
    )
    .await;
    // Paying a draft is refused.
    app.post(
        &format!("/api/traffic/payouts/{payout_id}/pay"),
        json!({"date": "2026-11-10", "account_id": wallet, "amount": "22.45"}),
    )
    .await
    .expect(409);
    let approved = app
        .post(
            &format!("/api/traffic/payouts/{payout_id}/approve"),
            json!({"receivable_account_id": receivable, "revenue_account_id": revenue,
                   "category_id": category}),
        )
        .await
        .expect(200);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_on"], "2026-10-31");
    assert_eq!(approved["transaction_ids"].as_array().unwrap().len(), 2);
    let position = approved["position"].as_i64().unwrap();
    assert_eq!(balance(&app, &receivable, position).await, "22.50");
    let postings = app
        .get(&format!(
            "/api/transactions?origin_id={payout_id}&min_position={position}"
        ))
        .await
        .expect(200);
    assert_eq!(postings["total"], 2);
    for t in postings["items"].as_array().unwrap() {
        assert_eq!(t["origin"]["kind"], "payout");
        assert_eq!(t["origin"]["id"], payout_id.as_str());
        assert_eq!(t["counterparty_id"], cp.as_str());
        assert_eq!(t["category_id"], category.as_str());
    }
    let games_posting = postings["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["project_id"] == games.as_str())
        .unwrap();
    assert_eq!(games_posting["entries"][0]["amount"], "12.50");

    // Paid in USDT (what arrived, priced at the payout's total), with the on-chain hash.
    let bad_hash = app
        .post(
            &format!("/api/traffic/payouts/{payout_id}/pay"),
            json!({"date": "2026-11-10", "account_id": wallet, "amount": "22.45", "tx_hash": "abc"}),
        )
        .await
        .expect(422);
    assert_eq!(bad_hash["field"], "tx_hash");
    let hash = "4e9a".repeat(16);
    let paid = app
        .post(
            &format!("/api/traffic/payouts/{payout_id}/pay"),
            json!({"date": "2026-11-10", "account_id": wallet, "amount": "22.45", "tx_hash": hash}),
        )
        .await
        .expect(200);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["tx_hash"], hash.as_str());
    let position = paid["position"].as_i64().unwrap();
    assert_eq!(balance(&app, &receivable, position).await, "0.00");
    assert_eq!(balance(&app, &wallet, position).await, "22.450000");
    let receipt = app
        .get(&format!(
            "/api/transactions/{}",
            paid["payment_transaction_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(receipt["origin"]["id"], payout_id.as_str());
    // Paid twice: refused.
    app.post(
        &format!("/api/traffic/payouts/{payout_id}/pay"),
        json!({"date": "2026-11-11", "account_id": wallet, "amount": "22.45"}),
    )
    .await
    .expect(409);
    let list = app
        .get(&format!(
            "/api/traffic/payouts?program_id={program}&status=paid"
        ))
        .await
        .expect(200);
    assert_eq!(list["total"], 1);

    // Profitability: spend from the source's report, payouts from the books.
    let spend =
        "Date,Campaign_ID,Spend,Impressions,Clicks,Installs\n2026-10-05,push-a,8.00,1000,50,0\n";
    let up = app
        .upload(
            "push.csv",
            spend.as_bytes().to_vec(),
            &[("source_id", &source), ("format", "moloco")],
        )
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    let report = app
        .get(&format!(
            "/api/reports/profitability?from=2026-10-01&to=2026-10-31&min_position={}",
            done["position"]
        ))
        .await
        .expect(200);
    let a = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == camp_a.as_str())
        .unwrap();
    assert_eq!(a["name"], "A");
    assert_eq!(a["spend"], "8.00");
    assert_eq!(a["payouts_approved"], "12.50");
    assert_eq!(a["payouts_received"], "12.50");
    assert_eq!(a["profit"], "4.50");
    assert_eq!(a["roi"], "56.25");
    assert_eq!(report["totals"]["payouts_approved"], "22.50");
    assert_eq!(report["totals"]["profit"], "14.50");
    let b = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "B")
        .unwrap();
    assert!(b["roi"].is_null(), "no spend: ROI undefined");
    let by_program = app
        .get("/api/reports/profitability?from=2026-10-01&to=2026-10-31&group_by=program")
        .await
        .expect(200);
    assert_eq!(by_program["rows"][0]["id"], program.as_str());
    assert_eq!(by_program["rows"][0]["payouts_approved"], "22.50");
    app.get("/api/reports/profitability?from=2026-10-01&to=2026-10-31&group_by=os")
        .await
        .expect(422);

    // Everything rebuilds from the log to the same tables.
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

/// Two payouts of one program over overlapping days, computed at the same moment: exactly one
/// is recorded (the rule is enforced by the program's claim stream, not by the read table the
/// projector may not have filled yet), and cancelling it frees the days.
#[tokio::test]
async fn two_overlapping_payouts_at_once_record_exactly_one() {
    let app = TestApp::spawn().await.admin().await;
    let cp = id_of(
        &app,
        "/api/counterparties",
        json!({"name": "Racer Ltd", "kind": "affiliate_program"}),
    )
    .await;
    let program = id_of(
        &app,
        "/api/traffic/programs",
        json!({"name": "Racer", "counterparty_id": cp, "currency": "USD"}),
    )
    .await;
    let offer = id_of(
        &app,
        "/api/traffic/offers",
        json!({"name": "CPA", "program_id": program, "payout_model": "cpa", "payout": "2.00", "currency": "USD"}),
    )
    .await;
    let source = id_of(
        &app,
        "/api/traffic/sources",
        json!({"name": "Push", "kind": "push", "currency": "USD"}),
    )
    .await;
    id_of(
        &app,
        "/api/traffic/campaigns",
        json!({"name": "R", "source_id": source, "offer_id": offer, "status": "active",
               "tracker_keys": ["301"]}),
    )
    .await;
    let up = app
        .upload(
            "keitaro.csv",
            log(&[("r1", "301", "sale", "0"), ("r2", "301", "sale", "0")]),
            &[("currency", "USD")],
        )
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    app.wait_all_sealed().await;

    for round in 0..6 {
        let (a, b) = tokio::join!(
            app.post(
                "/api/traffic/payouts",
                json!({"program_id": program, "from": "2026-10-01", "to": "2026-10-31"}),
            ),
            app.post(
                "/api/traffic/payouts",
                json!({"program_id": program, "from": "2026-10-05", "to": "2026-10-20"}),
            ),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses,
            [201, 409],
            "round {round}: {} / {}",
            a.body,
            b.body
        );
        let (won, lost) = if a.status == 201 { (a, b) } else { (b, a) };
        assert_eq!(lost.body["code"], "payout_overlap", "{}", lost.body);
        // Cancelling the recorded one frees its days for the next round.
        let id = won.body["id"].as_str().unwrap();
        app.post(&format!("/api/traffic/payouts/{id}/cancel"), json!({}))
            .await
            .expect(200);
    }
}
