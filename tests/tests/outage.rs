//! A PostgreSQL outage under load: the database is stopped for 10 s while four clients post
//! transactions. Every answer during the outage is 2xx or 503 (with `Retry-After`), none takes
//! longer than ~2.5 s, `/readyz` says 503 within a second, and once the database is back the
//! server recovers on its own: every acknowledged transaction is in the log exactly once,
//! retried 503s (same key) are not doubled, and the background workers (projector, import
//! worker) work again.
//!
//! This test runs its own PostgreSQL cluster (it stops it), not the shared one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use e2e::TestApp;
use embedded_pg::{EmbeddedPostgres, Options};
use serde_json::json;
use tokio::sync::Mutex;

const CLIENTS: usize = 4;
const OUTAGE: Duration = Duration::from_secs(10);
/// Longest any answer may take, outage or not.
const MAX_ANSWER: Duration = Duration::from_millis(2500);

/// One HTTP answer as a client saw it.
#[derive(Debug, Clone)]
struct Seen {
    status: u16,
    code: String,
    retry_after: bool,
    took: Duration,
    during_outage: bool,
}

/// Posts transactions with fresh keys until `stop`, retrying each key on 503 (and on 409
/// `idempotency_key_in_use`) until it is acknowledged. Returns the acknowledged keys.
async fn client(
    app: Arc<TestApp>,
    n: usize,
    accounts: (String, String),
    stop: Arc<AtomicBool>,
    outage: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Vec<String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let token = app.token.clone().unwrap();
    let mut acknowledged = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let key = format!("outage-{n}-{i}");
        let body = json!({"date": "2026-10-01", "description": format!("load {key}"),
            "idempotency_key": key,
            "entries": [{"account_id": accounts.0, "amount": "1.00"},
                        {"account_id": accounts.1, "amount": "-1.00"}]});
        loop {
            let during_outage = outage.load(Ordering::Relaxed);
            let started = Instant::now();
            let res = http
                .post(format!("{}/api/transactions", app.base))
                .bearer_auth(&token)
                .header("idempotency-key", &key)
                .json(&body)
                .send()
                .await;
            let took = started.elapsed();
            let (status, retry_after, code) = match res {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let retry_after = r.headers().contains_key("retry-after");
                    let v: serde_json::Value = r.json().await.unwrap_or_default();
                    (
                        status,
                        retry_after,
                        v["code"].as_str().unwrap_or("").to_string(),
                    )
                }
                // A hang past the client timeout or a dropped connection: recorded as 0.
                Err(_) => (0, false, String::new()),
            };
            seen.lock().await.push(Seen {
                status,
                code: code.clone(),
                retry_after,
                took,
                during_outage: during_outage || outage.load(Ordering::Relaxed),
            });
            if (200..300).contains(&status) {
                acknowledged.push(key.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    acknowledged
}

/// A small Moloco report, to check the import worker after the outage.
fn moloco_csv() -> Vec<u8> {
    b"Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n\
      2026-10-01,com.example,cmp-1,Game,US,12.5000,1000,10,2\n"
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_answers_503_fast_and_loses_or_doubles_nothing() {
    let dir = std::env::temp_dir().join(format!("ledger-outage-{}", uuid::Uuid::new_v4().simple()));
    let mut pg = EmbeddedPostgres::start(Options {
        data_dir: dir,
        port: None,
        ephemeral: true,
    })
    .await
    .expect("start a private cluster");
    pg.create_database("outage").await.unwrap();
    let url = pg.url("outage");
    api::db::migrate(&url).await.unwrap();
    let app = Arc::new(TestApp::spawn_on(url).await.admin().await);
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;

    let stop = Arc::new(AtomicBool::new(false));
    let outage = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client(
                app.clone(),
                n,
                (bank.clone(), sales.clone()),
                stop.clone(),
                outage.clone(),
                seen.clone(),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    outage.store(true, Ordering::Relaxed);
    pg.halt().await.expect("stop PostgreSQL");
    let down_since = Instant::now();
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut probes = 0;
    while down_since.elapsed() < OUTAGE {
        let started = Instant::now();
        let r = probe.get(format!("{}/readyz", app.base)).send().await;
        let took = started.elapsed();
        let r = r.expect("/readyz answers during the outage");
        assert_eq!(r.status(), 503, "/readyz during the outage");
        assert!(took < Duration::from_secs(1), "/readyz took {took:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "unavailable", "{body}");
        assert!(
            body["reason"].as_str().unwrap_or("").contains("database"),
            "{body}"
        );
        probes += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(probes >= 5);
    pg.resume().await.expect("start PostgreSQL again");
    outage.store(false, Ordering::Relaxed);
    let up_since = Instant::now();

    // The server recovers by itself.
    loop {
        let r = probe.get(format!("{}/readyz", app.base)).send().await;
        if r.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            up_since.elapsed() < Duration::from_secs(10),
            "the server did not become ready again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.unwrap());
    }

    let seen = seen.lock().await.clone();
    let during: Vec<&Seen> = seen.iter().filter(|s| s.during_outage).collect();
    assert!(
        during.iter().any(|s| s.status == 503),
        "some posts met the outage: {during:?}"
    );
    for s in &seen {
        let retryable_conflict = s.status == 409 && s.code == "idempotency_key_in_use";
        assert!(
            (200..300).contains(&s.status) || s.status == 503 || retryable_conflict,
            "an answer was neither 2xx nor 503: {s:?}"
        );
        if s.status == 503 {
            assert_eq!(s.code, "database_unavailable", "{s:?}");
            assert!(s.retry_after, "503 without Retry-After: {s:?}");
        }
        assert!(s.took <= MAX_ANSWER, "an answer took {:?}: {s:?}", s.took);
    }

    // Every acknowledged key is in the log exactly once, and nothing else is.
    app.wait_all_sealed().await;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT idempotency_key, count(*) FROM read.transactions \
         WHERE idempotency_key LIKE 'outage-%' GROUP BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), acknowledged.len(), "one transaction per key");
    assert!(rows.iter().all(|(_, n)| *n == 1), "doubled: {rows:?}");
    let mut logged: Vec<String> = rows.into_iter().map(|(k, _)| k).collect();
    logged.sort();
    acknowledged.sort();
    assert_eq!(logged, acknowledged);

    // The projector works again: a new posting is readable at its position.
    let t = app
        .post(
            "/api/transactions",
            json!({"date": "2026-10-02", "description": "after",
                "entries": [{"account_id": bank, "amount": "1.00"}, {"account_id": sales, "amount": "-1.00"}]}),
        )
        .await
        .expect(201);
    let p = t["position"].as_i64().unwrap();
    let b = app
        .get(&format!("/api/balances?account_id={bank}&min_position={p}"))
        .await
        .expect(200);
    assert_eq!(
        b["items"][0]["balance"],
        format!("{}.00", acknowledged.len() + 1)
    );

    // The import worker works again.
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap().to_string();
    let up = app
        .upload(
            "after.csv",
            moloco_csv(),
            &[("source_id", &source_id), ("format", "moloco")],
        )
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
}
