//! Issue 13, point 3: monitoring over real HTTP. `/metrics` answers admins and `metrics` tokens
//! only, or everyone on `LEDGER_METRICS_LISTEN` (and then not on the main address); the metric
//! families appear after the work that feeds them (an import that fails, exchange-rate syncs and
//! TronScan calls against local stubs that fail and then succeed, a recurring run, a backup, a
//! stuck projector); the operator alerts list a failed import, a failed sync and a stuck
//! projector, and each admin is mailed once per condition; and the Prometheus rules and the
//! Grafana dashboard query only metrics a real scrape has, all of them documented.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use api::config::Settings;
use api::startup::{Server, build_state};
use e2e::TestApp;
use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";

/// A local stand-in for an outside service: answers 500 until `healthy` is set, then `body`.
async fn stub(body: Vec<u8>, content_type: &'static str) -> (String, Arc<AtomicBool>) {
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = healthy.clone();
    let app = axum::Router::new().fallback(move || {
        let (body, ok) = (body.clone(), flag.load(Ordering::SeqCst));
        async move {
            if ok {
                (
                    axum::http::StatusCode::OK,
                    [("content-type", content_type)],
                    body,
                )
            } else {
                let down = b"upstream is down".to_vec();
                (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    [("content-type", "text/plain")],
                    down,
                )
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), healthy)
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ledger-{what}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// GET `url` with an optional bearer token: status and body.
async fn scrape(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value of the sample `name` whose labels include every `labels` pair.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, label_text) = match series.split_once('{') {
                Some((m, rest)) => (m, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let wanted = labels.iter().all(|(k, v)| {
                label_text
                    .split(',')
                    .any(|pair| pair == format!("{k}=\"{v}\""))
            });
            (metric == name && wanted)
                .then(|| value.parse().ok())
                .flatten()
        })
}

/// Every sample name in a scrape (histograms give `_bucket`, `_sum` and `_count`).
fn sample_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(['{', ' ']).next().unwrap().to_string())
        .collect()
}

/// The names of our metrics a PromQL text queries (Prometheus's own `up` aside).
fn queried_names(promql: &str) -> BTreeSet<String> {
    promql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| {
            ["ledger_", "http_", "process_"]
                .iter()
                .any(|p| w.starts_with(p))
        })
        .map(str::to_string)
        .collect()
}

/// The mails in `dir` (written by the server without SMTP) whose subject starts with `prefix`,
/// as (recipient, subject).
fn mails(dir: &Path, prefix: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let to = text.lines().next()?.strip_prefix("To: ")?.to_string();
            let subject = text.lines().nth(1)?.strip_prefix("Subject: ")?.to_string();
            subject.starts_with(prefix).then_some((to, subject))
        })
        .collect();
    found.sort();
    found
}

/// Polls `check` every 100 ms until it answers Some, for at most `limit`.
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn metrics_need_an_admin_or_a_metrics_token() {
    let mut app = TestApp::spawn().await.admin().await;
    let url = format!("{}/metrics", app.base);
    let made = app
        .post(
            "/api/tokens",
            json!({"name": "prometheus", "scopes": ["metrics"]}),
        )
        .await
        .expect(201);
    let metrics_token = made["token"].as_str().unwrap().to_string();
    let read = app
        .post(
            "/api/tokens",
            json!({"name": "reports", "scopes": ["read"]}),
        )
        .await
        .expect(201);
    let read_token = read["token"].as_str().unwrap().to_string();

    assert_eq!(scrape(&url, None).await.0, 401, "no token");
    let stranger = format!("lgr_{}", "x".repeat(40));
    assert_eq!(
        scrape(&url, Some(&stranger)).await.0,
        401,
        "an unknown token"
    );
    assert_eq!(
        scrape(&url, Some("not-a-jwt")).await.0,
        401,
        "a forged session"
    );
    let (status, body) = scrape(&url, Some(&read_token)).await;
    assert_eq!(status, 403, "a token without the metrics scope: {body}");
    let (status, body) = scrape(&url, Some(&metrics_token)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("# TYPE ledger_projector_lag_seconds gauge"),
        "{body}"
    );
    let admin = app.admin_token.clone().unwrap();
    assert_eq!(
        scrape(&url, Some(&admin)).await.0,
        200,
        "an admin's session"
    );

    // Other roles may neither scrape nor make a metrics token.
    app.sign_in_with_role("viewer@example.com", "viewer").await;
    let viewer = app.token.clone().unwrap();
    assert_eq!(
        scrape(&url, Some(&viewer)).await.0,
        403,
        "a viewer's session"
    );
    app.sign_in_with_role("accountant@example.com", "accountant")
        .await;
    let refused = app
        .post(
            "/api/tokens",
            json!({"name": "prom", "scopes": ["metrics"]}),
        )
        .await
        .expect(422);
    assert_eq!(refused["field"], "scopes", "{refused}");

    // A revoked metrics token is refused at once.
    app.token = Some(admin);
    app.delete(&format!("/api/tokens/{}", made["id"].as_str().unwrap()))
        .await
        .expect(204);
    assert_eq!(scrape(&url, Some(&metrics_token)).await.0, 401);
}

#[tokio::test]
async fn a_metrics_address_serves_metrics_alone_and_without_authentication() {
    let url = e2e::fresh_database().await;
    let mut settings = Settings::for_database(&url, temp_dir("data"));
    settings.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let pool = api::db::pool(&url, 5).await.unwrap();
    let server = Server::bind(build_state(settings, pool).await.unwrap())
        .await
        .unwrap();
    let main = server.local_addr().unwrap();
    let metrics = server.metrics_addr().expect("a metrics address").unwrap();
    assert_ne!(main, metrics);
    tokio::spawn(server.run(std::future::pending()));

    let (status, body) = scrape(&format!("http://{metrics}/metrics"), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(sample(&body, "ledger_db_up", &[]) == Some(1.0), "{body}");
    // The metrics address serves nothing else, and the main one no metrics at all.
    assert_eq!(
        scrape(&format!("http://{metrics}/readyz"), None).await.0,
        404
    );
    assert_eq!(scrape(&format!("http://{main}/metrics"), None).await.0, 404);
    assert_eq!(scrape(&format!("http://{main}/healthz"), None).await.0, 200);
}

/// Everything that feeds metrics and alerts, against one server with fast alert checks.
struct Fed {
    app: TestApp,
    token: String,
    mail_dir: PathBuf,
    ecb_up: Arc<AtomicBool>,
    tronscan_up: Arc<AtomicBool>,
}

async fn fed_server() -> Fed {
    let (ecb_url, ecb_up) = stub(
        fixture("importers/fixtures/fx/eurofxref-hist-90d.xml"),
        "text/xml",
    )
    .await;
    let (tronscan_url, tronscan_up) = stub(
        fixture("importers/fixtures/tronscan/trc20_empty.json"),
        "application/json",
    )
    .await;
    let mail_dir = temp_dir("mail");
    let backups = temp_dir("backups");
    let (mails, tronscan) = (mail_dir.clone(), tronscan_url.clone());
    let mut app = TestApp::spawn_with(move |s| {
        s.ecb_url = ecb_url;
        s.tronscan_url = tronscan;
        s.tronscan_retries = 0;
        s.mail_dir = Some(mails);
        s.alerts = true;
        s.alerts_interval_seconds = 1;
        s.backup_cron = Some("0 0 3 1 1 *".into());
        s.backup_dir = Some(backups);
    })
    .await
    .admin()
    .await;
    // Two admins: each is mailed.
    let admin = app.token.clone();
    app.sign_in_with_role("second-admin@example.com", "admin")
        .await;
    app.token = admin;
    let made = app
        .post(
            "/api/tokens",
            json!({"name": "prometheus", "scopes": ["metrics"]}),
        )
        .await
        .expect(201);
    Fed {
        token: made["token"].as_str().unwrap().to_string(),
        app,
        mail_dir,
        ecb_up,
        tronscan_up,
    }
}

impl Fed {
    async fn metrics(&self) -> String {
        let (status, body) = scrape(&format!("{}/metrics", self.app.base), Some(&self.token)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Uploads a report whose only row is bad; answers the failed import.
    async fn failed_import(&self) -> Value {
        let source = self
            .app
            .post(
                "/api/traffic/sources",
                json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
            )
            .await
            .expect(201);
        let csv = "Date,Campaign_ID,Campaign_Country,Spend,Impressions,Clicks,Installs\n\
                   2026-10-01,cmp-1,US,twelve,1,1,1\n";
        let up = self
            .app
            .upload(
                "broken-moloco.csv",
                csv.as_bytes().to_vec(),
                &[("source_id", source["id"].as_str().unwrap())],
            )
            .await
            .expect(202);
        let done = self.app.wait_import(up["id"].as_str().unwrap()).await;
        assert_eq!(done["state"], "failed", "{done}");
        done
    }

    /// Waits until each admin got a mail whose subject starts with `prefix` and the alert
    /// checks have run at least twice after it (so a second mail would have been sent), then
    /// answers the mails.
    async fn mailed_once(&self, key: &str, prefix: &str) -> Vec<(String, String)> {
        let pool = self.app.pool.clone();
        eventually(
            &format!("checks after the mail of {key}"),
            Duration::from_secs(20),
            || {
                let pool = pool.clone();
                async move {
                    let checked: Option<bool> = sqlx::query_scalar(
                        "SELECT last_seen_at > mailed_at + interval '2 seconds' \
                     FROM operator_alerts WHERE key = $1",
                    )
                    .bind(key)
                    .fetch_optional(&pool)
                    .await
                    .unwrap()
                    .flatten();
                    checked.filter(|c| *c)
                }
            },
        )
        .await;
        mails(&self.mail_dir, prefix)
    }
}

/// The keys of `GET /api/admin/alerts`, sorted.
async fn alert_keys(app: &TestApp) -> Vec<String> {
    let alerts = app.get("/api/admin/alerts").await.expect(200);
    let mut keys: Vec<String> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

/// The alert of `key` in `GET /api/admin/alerts`.
async fn alert(app: &TestApp, key: &str) -> Value {
    let alerts = app.get("/api/admin/alerts").await.expect(200);
    let found = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key);
    found
        .cloned()
        .unwrap_or_else(|| panic!("no alert {key} in {alerts}"))
}

const ADMINS: [&str; 2] = ["admin@example.com", "second-admin@example.com"];

fn recipients(mails: Vec<(String, String)>) -> Vec<String> {
    mails.into_iter().map(|(to, _)| to).collect()
}

/// How much a counter grew between two scrapes (an absent counter counts 0).
fn grew(before: &str, after: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(after, name, labels).unwrap_or(0.0) - sample(before, name, labels).unwrap_or(0.0)
}

/// Seconds between a `_timestamp_seconds` sample and now.
fn age(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let at = sample(text, name, labels).unwrap_or_else(|| panic!("no {name}{labels:?}:\n{text}"));
    (chrono::Utc::now().timestamp() as f64 - at).abs()
}

impl Fed {
    /// A failed import, a failed exchange-rate sync and a failed TronScan wallet sync (both
    /// services answer 500), a recurring run and a backup. Answers the failed import's alert
    /// key and the wallet's sync path.
    async fn fail_and_run(&self) -> (String, String) {
        let import = self.failed_import().await;
        let failed_sync = self
            .app
            .post("/api/rates/sync", ECB_WEEK.clone())
            .await
            .expect(502);
        assert_eq!(failed_sync["code"], "rate_source_failed", "{failed_sync}");
        let wallet = json!({"name": "USDT wallet", "type": "asset", "kind": "crypto_wallet",
            "currency": "USDT", "tron_address": WALLET});
        let wallet = self.app.post("/api/accounts", wallet).await.expect(201);
        let sync_path = format!("/api/accounts/{}/tron/sync", wallet["id"].as_str().unwrap());
        let refused = self.app.post(&sync_path, json!({})).await;
        assert_eq!(refused.status, 502, "{:?}", refused.body);
        self.app
            .post("/api/recurring/run", json!({}))
            .await
            .expect(200);
        self.app
            .post("/api/admin/backups", json!({}))
            .await
            .expect(201);
        (
            format!("import_failed:{}", import["id"].as_str().unwrap()),
            sync_path,
        )
    }

    /// Each failure and run counted once, the import queue and the latency histogram.
    async fn check_counted(&self, before: &str) {
        let after = self.metrics().await;
        for (name, labels) in [
            (
                "ledger_import_jobs_finished_total",
                vec![("outcome", "failed")],
            ),
            (
                "ledger_import_job_duration_seconds_count",
                vec![("outcome", "failed")],
            ),
            (
                "ledger_fx_syncs_total",
                vec![("provider", "ecb"), ("outcome", "failure")],
            ),
            (
                "ledger_tronscan_calls_total",
                vec![("operation", "wallet_sync"), ("outcome", "failure")],
            ),
            ("ledger_recurring_runs_total", vec![("outcome", "success")]),
        ] {
            assert_eq!(
                grew(before, &after, name, &labels),
                1.0,
                "{name}{labels:?}:\n{after}"
            );
        }
        assert_eq!(
            sample(&after, "ledger_import_jobs", &[("state", "failed")]),
            Some(1.0)
        );
        assert_eq!(
            sample(&after, "ledger_import_jobs", &[("state", "running")]),
            Some(0.0)
        );
        let ecb = [("provider", "ecb")];
        assert_eq!(
            sample(
                &after,
                "ledger_fx_sync_last_success_timestamp_seconds",
                &ecb
            ),
            None
        );
        assert!(age(&after, "ledger_backup_last_success_timestamp_seconds", &[]) < 120.0);
        assert!(
            age(
                &after,
                "ledger_recurring_last_success_timestamp_seconds",
                &[]
            ) < 120.0
        );
        // Latency is a histogram by route (buckets, not a summary's quantiles).
        assert!(
            after.contains("# TYPE http_request_duration_seconds histogram"),
            "{after}"
        );
        let bucket = [("path", "/api/rates/sync"), ("le", "0.005")];
        assert!(
            sample(&after, "http_request_duration_seconds_bucket", &bucket).is_some(),
            "{after}"
        );
    }

    /// The figures read at scrape time: database, pool, memory, chain head, no lag.
    async fn check_measured(&self) {
        self.app.wait_all_sealed().await;
        let head = self.app.sealed().await as f64;
        let text = self.metrics().await;
        assert_eq!(sample(&text, "ledger_db_up", &[]), Some(1.0));
        assert_eq!(
            sample(&text, "ledger_db_pool_max_connections", &[]),
            Some(20.0)
        );
        assert!(sample(&text, "ledger_db_pool_connections", &[("state", "idle")]).is_some());
        assert!(sample(&text, "process_resident_memory_bytes", &[]).unwrap() > 1e6);
        assert_eq!(sample(&text, "ledger_sealed_events", &[]), Some(head));
        assert!(sample(&text, "ledger_chain_head_position", &[]).unwrap() >= head);
        assert_eq!(sample(&text, "ledger_projector_lag_events", &[]), Some(0.0));
        assert_eq!(
            sample(&text, "ledger_projector_lag_seconds", &[]),
            Some(0.0)
        );
    }

    /// The failed import and sync are alerts (TronScan is left to its metrics), each mailed
    /// once to each admin.
    async fn check_alerts_and_mails(&self, import_key: &str) {
        let keys = alert_keys(&self.app).await;
        assert_eq!(keys, ["fx_sync_failed:ecb", import_key]);
        let import = alert(&self.app, import_key).await;
        assert_eq!(import["kind"], "import_failed");
        assert_eq!(import["subject"], "broken-moloco.csv");
        assert!(
            import["detail"]
                .as_str()
                .unwrap()
                .contains("1 of 1 rows are invalid"),
            "{import}"
        );
        let prefix = "[Ledger] A traffic import failed: broken-moloco.csv";
        assert_eq!(
            recipients(self.mailed_once(import_key, prefix).await),
            ADMINS
        );
        let prefix = "[Ledger] An exchange-rate sync failed: ecb";
        assert_eq!(
            recipients(self.mailed_once("fx_sync_failed:ecb", prefix).await),
            ADMINS
        );
        let text = self.metrics().await;
        assert_eq!(
            sample(
                &text,
                "ledger_operator_alerts",
                &[("kind", "import_failed")]
            ),
            Some(1.0)
        );
    }

    /// The services answer again: the sync's alert ends and both last successes appear.
    async fn recover(&self, before: &str, sync_path: &str, import_key: &str) {
        self.ecb_up.store(true, Ordering::SeqCst);
        self.tronscan_up.store(true, Ordering::SeqCst);
        self.app
            .post("/api/rates/sync", ECB_WEEK.clone())
            .await
            .expect(200);
        self.app.post(sync_path, json!({})).await.expect(200);
        let text = self.metrics().await;
        let ecb = [("provider", "ecb")];
        assert!(age(&text, "ledger_fx_sync_last_success_timestamp_seconds", &ecb) < 120.0);
        assert!(age(&text, "ledger_tronscan_last_success_timestamp_seconds", &[]) < 120.0);
        let ok = [("operation", "wallet_sync"), ("outcome", "success")];
        assert_eq!(grew(before, &text, "ledger_tronscan_calls_total", &ok), 1.0);
        assert_eq!(alert_keys(&self.app).await, [import_key]);
    }

    /// An event the projector cannot apply, recorded two minutes ago: the projector is stuck,
    /// lags by it, and the admins are told.
    async fn stick_projector(&self) {
        let position: i64 = sqlx::query_scalar(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, \
               payload, metadata, recorded_at) \
             VALUES ('invoice_draft', $1, 1, 'Created', '1.0', '{\"Created\":{}}'::json, \
               '{\"source\":\"test\",\"time\":\"2026-12-03T00:00:00Z\"}'::json, \
               now() - interval '2 minutes') \
             RETURNING position",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .fetch_one(&self.app.pool)
        .await
        .unwrap();
        let text = eventually("a stuck projector", Duration::from_secs(10), || async {
            let text = self.metrics().await;
            (sample(&text, "ledger_projector_stuck", &[]) == Some(1.0)).then_some(text)
        })
        .await;
        assert!(
            sample(&text, "ledger_projector_lag_events", &[]).unwrap() >= 1.0,
            "{text}"
        );
        assert!(
            sample(&text, "ledger_projector_lag_seconds", &[]).unwrap() >= 120.0,
            "{text}"
        );
        let stuck = alert(&self.app, "projector_stuck").await;
        let subject = stuck["subject"].as_str().unwrap();
        assert!(subject.contains(&position.to_string()), "{stuck}");
        let prefix = "[Ledger] The projector is stuck";
        assert_eq!(
            recipients(self.mailed_once("projector_stuck", prefix).await),
            ADMINS
        );
    }
}

/// The ECB week the sync tests ask for.
static ECB_WEEK: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || json!({"provider": "ecb", "from": "2024-06-27", "to": "2024-07-03"}),
);

/// The alert rules and the dashboard query only what a real scrape has, and every family the
/// server exposes is documented in docs/operations.md.
fn check_names_and_docs(scraped: &str) {
    let exposed = sample_names(scraped);
    let rules = std::fs::read_to_string(format!("{ROOT}/deploy/prometheus/alerts.yml")).unwrap();
    let dashboard = std::fs::read_to_string(format!("{ROOT}/deploy/grafana/ledger.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    let mut queries = String::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            queries.push_str(target["expr"].as_str().unwrap());
            queries.push('\n');
        }
    }
    assert!(
        queried_names(&queries).len() > 20,
        "the dashboard covers the metrics"
    );
    for (what, text) in [("alerts.yml", &rules), ("ledger.json", &queries)] {
        let unknown: Vec<_> = queried_names(text).difference(&exposed).cloned().collect();
        assert!(
            unknown.is_empty(),
            "{what} queries metrics /metrics does not have: {unknown:?}"
        );
    }
    let docs = std::fs::read_to_string(format!("{ROOT}/docs/operations.md")).unwrap();
    let family = |n: &str| {
        let n = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| n.strip_suffix(s));
        n.map(str::to_string)
    };
    let undocumented: Vec<String> = exposed
        .iter()
        .map(|n| family(n).unwrap_or_else(|| n.clone()))
        .filter(|n| !docs.contains(&format!("`{n}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "not in docs/operations.md: {undocumented:?}"
    );
}

#[tokio::test]
async fn work_feeds_the_metrics_and_failures_become_alerts_mailed_once() {
    let mut fed = fed_server().await;
    let before = fed.metrics().await;
    assert_eq!(alert_keys(&fed.app).await, Vec::<String>::new());
    let (import_key, sync_path) = fed.fail_and_run().await;
    fed.check_counted(&before).await;
    fed.check_measured().await;
    fed.check_alerts_and_mails(&import_key).await;
    fed.recover(&before, &sync_path, &import_key).await;
    fed.stick_projector().await;
    check_names_and_docs(&fed.metrics().await);
    // Only admins see the alerts.
    fed.app
        .sign_in_with_role("viewer@example.com", "viewer")
        .await;
    fed.app.get("/api/admin/alerts").await.expect(403);
}
