//! Exchange rates over real HTTP: entered by hand and in batches (all or nothing), conversion
//! with the nearest earlier rate said so, a sync from a local server serving the ECB's
//! recorded file (twice at once, written once), and metrics converted with the books' rates.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use e2e::TestApp;
use serde_json::json;

/// Serves the recorded ECB file under every name the client may ask for; counts requests.
async fn ecb_server() -> (String, Arc<AtomicUsize>) {
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../importers/fixtures/fx/eurofxref-hist-90d.xml"
    ))
    .unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        counter.fetch_add(1, Ordering::SeqCst);
        async move { ([("content-type", "text/xml")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), hits)
}

#[tokio::test]
async fn manual_rates_conversion_sync_and_converted_metrics() {
    let (ecb_url, hits) = ecb_server().await;
    let app = TestApp::spawn_with(|s| s.ecb_url = ecb_url)
        .await
        .admin()
        .await;

    let w = app
        .post(
            "/api/rates",
            json!({"date": "2026-10-01", "base": "EUR", "quote": "USD", "rate": "1.0800"}),
        )
        .await
        .expect(201);
    assert_eq!(w["written"], 1);
    let again = app
        .post(
            "/api/rates",
            json!({"date": "2026-10-01", "base": "EUR", "quote": "USD", "rate": "1.08"}),
        )
        .await
        .expect(201);
    assert_eq!(again["written"], 0, "the same rate again writes nothing");
    app.post(
        "/api/rates",
        json!({"date": "2099-01-01", "base": "EUR", "quote": "USD", "rate": "1.1"}),
    )
    .await
    .expect(422);
    // A batch with one bad rate writes none of them.
    let bad = app
        .post(
            "/api/rates/batch",
            json!({"rates": [
                {"date": "2026-10-02", "base": "EUR", "quote": "USD", "rate": "1.09"},
                {"date": "2026-10-02", "base": "USD", "quote": "USD", "rate": "1"}]}),
        )
        .await
        .expect(422);
    assert_eq!(bad["field"], "rates[1].quote");

    // Conversion with the nearest earlier rate, said so; the inverse pair works too.
    let c = app
        .get(&format!(
            "/api/rates/convert?amount=100&from=EUR&to=USD&date=2026-10-03&min_position={}",
            w["position"]
        ))
        .await
        .expect(200);
    assert_eq!(c["converted"], "108.00");
    assert_eq!(c["rate_date"], "2026-10-01");
    assert_eq!(c["earlier_rate"], true);
    let inv = app
        .get("/api/rates/convert?amount=108&from=USD&to=EUR&date=2026-10-01")
        .await
        .expect(200);
    assert_eq!(inv["converted"], "100.00");
    assert_eq!(inv["earlier_rate"], false);
    let none = app
        .get("/api/rates/convert?amount=1&from=EUR&to=USD&date=2020-01-01")
        .await
        .expect(404);
    assert_eq!(none["code"], "missing_rate");
    // A rate older than a month is stale, not used.
    app.get("/api/rates/convert?amount=1&from=EUR&to=USD&date=2026-11-15")
        .await
        .expect(404);

    // Two syncs at once (as two scheduler instances would run): every rate is written once.
    let body = json!({"provider": "ecb", "from": "2024-06-27", "to": "2024-07-03"});
    let (a, b) = tokio::join!(
        app.post("/api/rates/sync", body.clone()),
        app.post("/api/rates/sync", body.clone())
    );
    let (a, b) = (a.expect(200), b.expect(200));
    assert!(hits.load(Ordering::SeqCst) >= 2);
    let fetched = a["fetched"].as_u64().unwrap();
    // Five days of the file's currencies that the books know (the rest are skipped).
    assert!(fetched >= 5 * 5 && fetched % 5 == 0, "{a}");
    assert_eq!(
        a["written"].as_u64().unwrap() + b["written"].as_u64().unwrap(),
        fetched,
        "{a} {b}"
    );
    let position = a["position"]
        .as_i64()
        .unwrap()
        .max(b["position"].as_i64().unwrap());
    let usd = app
        .get(&format!(
            "/api/rates?base=EUR&quote=USD&from=2024-06-27&to=2024-07-03&min_position={position}"
        ))
        .await
        .expect(200);
    assert_eq!(usd["total"], 5);
    assert_eq!(usd["items"][0]["date"], "2024-07-03");
    assert_eq!(usd["items"][0]["rate"], "1.0785");
    assert_eq!(usd["items"][0]["source"], "ECB");

    // Spend in EUR reported in USD: refused without a rate for the day, converted with one.
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "EU network", "kind": "ad_network", "currency": "EUR"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap();
    let csv = "Date,Campaign_ID,Spend,Impressions,Clicks,Installs\n\
               2026-09-30,eu-1,10.00,100,10,1\n2026-10-02,eu-1,20.00,100,10,1\n";
    let up = app
        .upload(
            "eu.csv",
            csv.as_bytes().to_vec(),
            &[("source_id", source_id)],
        )
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    let q = format!(
        "/api/traffic/metrics?from=2026-09-01&to=2026-10-31&granularity=month&currency=USD&min_position={}",
        done["position"]
    );
    let missing = app.get(&q).await.expect(400);
    assert_eq!(missing["code"], "missing_rate");
    assert!(missing["detail"].as_str().unwrap().contains("2026-09-30"));
    app.post(
        "/api/rates",
        json!({"date": "2026-09-30", "base": "EUR", "quote": "USD", "rate": "1.05"}),
    )
    .await
    .expect(201);
    app.wait_all_sealed().await;
    let m = app.get(&q).await.expect(200);
    // 10 EUR at 1.05 (its own day) + 20 EUR at 1.08 (the rate of 2026-10-01, the nearest earlier).
    let spend: f64 = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["spend"].as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(format!("{spend:.2}"), "32.10");
    assert_eq!(m["totals"]["spend"], "32.10");
    assert_eq!(m["rates_used"].as_array().unwrap().len(), 2);
    // In EUR no conversion happens.
    let eur = app
        .get("/api/traffic/metrics?from=2026-09-01&to=2026-10-31&currency=EUR")
        .await
        .expect(200);
    assert_eq!(eur["totals"]["spend"], "30.00");
    assert!(eur["rates_used"].as_array().unwrap().is_empty());
}
