//! Issue 13, backup and restore: a ledger with transactions, an invoice, a traffic import and a
//! payout is backed up by `ledger backup` while postings continue, restored by `ledger restore`
//! into a fresh PostgreSQL cluster, and its reports and chain head equal the original's. A
//! non-empty target is refused; a manifest that lies about the head makes restore fail.
//! Scheduled backups rotate and report their last success.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use e2e::binary::{ledger, temp_dir, text};
use e2e::{TestApp, fresh_database};
use embedded_pg::{EmbeddedPostgres, Options};
use serde_json::{Value, json};

async fn id_of(app: &TestApp, path: &str, body: Value) -> String {
    app.post(path, body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Books: an income and an expense, an issued invoice paid in part, a Moloco spend import, a
/// conversions import and an approved payout.
async fn fill(app: &TestApp) {
    let bank = app.account("Bank USD", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    let ads = app.account("Ads", "expense", "USD").await;
    let ar = app.account("Accounts receivable", "asset", "USD").await;
    app.post(
        "/api/transactions",
        json!({"date": "2026-10-01", "description": "Sale",
        "income": {"account_id": bank, "income_account_id": sales, "amount": "1000.50"}}),
    )
    .await
    .expect(201);
    app.post(
        "/api/transactions",
        json!({"date": "2026-10-02", "description": "Moloco",
        "expense": {"account_id": bank, "expense_account_id": ads, "amount": "200.25"}}),
    )
    .await
    .expect(201);
    let cp = id_of(
        app,
        "/api/counterparties",
        json!({"name": "Acme", "kind": "customer"}),
    )
    .await;
    let draft = app
        .post(
            "/api/invoices",
            json!({"direction": "receivable", "counterparty_id": cp,
            "currency": "USD", "issue_date": "2026-10-05", "due_date": "2026-11-05",
            "lines": [{"description": "Work", "quantity": "3", "unit_price": "100"}]}),
        )
        .await
        .expect(201);
    let inv = draft["id"].as_str().unwrap();
    app.post(
        &format!("/api/invoices/{inv}/issue"),
        json!({"control_account_id": ar, "account_id": sales}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/invoices/{inv}/payments"),
        json!({"date": "2026-10-20", "amount": "120.00", "account_id": bank}),
    )
    .await
    .expect(200);
    traffic(app).await;
}

/// A spend import and a payout from a conversions import, approved into the books.
async fn traffic(app: &TestApp) {
    let source = id_of(
        app,
        "/api/traffic/sources",
        json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
    )
    .await;
    let cp = id_of(
        app,
        "/api/counterparties",
        json!({"name": "AffNet", "kind": "affiliate_program"}),
    )
    .await;
    let program = id_of(
        app,
        "/api/traffic/programs",
        json!({"name": "AffNet", "counterparty_id": cp, "currency": "USD"}),
    )
    .await;
    let offer = id_of(
        app,
        "/api/traffic/offers",
        json!({"name": "CPA", "program_id": program,
        "payout_model": "cpa", "payout": "2.50", "currency": "USD"}),
    )
    .await;
    id_of(
        app,
        "/api/traffic/campaigns",
        json!({"name": "A", "source_id": source,
        "offer_id": offer, "status": "active", "source_keys": ["cmp-1"], "tracker_keys": ["101"]}),
    )
    .await;
    let spend = "Date,Campaign_ID,Campaign_Country,Spend,Impressions,Clicks,Installs\n\
                 2026-10-01,cmp-1,US,12.50,1000,10,2\n2026-10-02,cmp-1,US,7.25,800,8,1\n";
    let source_field = [("source_id", source.as_str()), ("format", "moloco")];
    let up = app
        .upload("moloco.csv", spend.as_bytes().to_vec(), &source_field)
        .await
        .expect(202);
    assert_eq!(
        app.wait_import(up["id"].as_str().unwrap()).await["state"],
        "done"
    );
    let log = "conversion_id;sub_id;campaign_id;campaign;offer;status;revenue;click_datetime;postback_datetime;country\n\
               c1;s1;101;A;CPA;sale;0;2026-10-05 10:00:00;2026-10-05 12:00:00;DE\n\
               c2;s2;101;A;CPA;sale;0;2026-10-06 10:00:00;2026-10-06 12:00:00;DE\n";
    let up = app
        .upload(
            "keitaro.csv",
            log.as_bytes().to_vec(),
            &[("currency", "USD")],
        )
        .await
        .expect(202);
    assert_eq!(
        app.wait_import(up["id"].as_str().unwrap()).await["state"],
        "done"
    );
    app.wait_all_sealed().await;
    let payout = app
        .post(
            "/api/traffic/payouts",
            json!({"program_id": program, "from": "2026-10-01", "to": "2026-10-31"}),
        )
        .await
        .expect(201);
    let receivable = app.account("Affiliate receivables", "asset", "USD").await;
    let revenue = app.account("Affiliate revenue", "income", "USD").await;
    let category = id_of(
        app,
        "/api/categories",
        json!({"name": "Affiliate revenue", "kind": "income"}),
    )
    .await;
    app.post(
        &format!(
            "/api/traffic/payouts/{}/approve",
            payout["id"].as_str().unwrap()
        ),
        json!({"receivable_account_id": receivable, "revenue_account_id": revenue,
               "category_id": category}),
    )
    .await
    .expect(200);
}

/// Postings that go on while the backup runs, dated after everything the reports compare
/// (so the reports up to November are the same whichever of them the backup caught).
fn spawn_load(
    app: &TestApp,
    stop: Arc<AtomicBool>,
    posted: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<()> {
    let load = TestApp {
        base: app.base.clone(),
        url: app.url.clone(),
        client: app.client.clone(),
        pool: app.pool.clone(),
        token: app.token.clone(),
        admin_token: None,
    };
    tokio::spawn(async move {
        let bank = load.account("Load bank", "asset", "USD").await;
        let income = load.account("Load income", "income", "USD").await;
        while !stop.load(Ordering::Relaxed) {
            load.post(
                "/api/transactions",
                json!({"date": "2026-12-15", "description": "load",
                "income": {"account_id": bank, "income_account_id": income, "amount": "1.00"}}),
            )
            .await
            .expect(201);
            posted.fetch_add(1, Ordering::Relaxed);
        }
    })
}

/// The reports both ledgers must agree on (up to November: the load posts in December).
async fn reports(app: &TestApp) -> Value {
    json!({
        "trial_balance": app.get("/api/reports/trial-balance?as_of=2026-11-30").await.expect(200),
        "pnl": app.get("/api/reports/pnl?from=2026-10-01&to=2026-11-30").await.expect(200),
        "balance_sheet": app.get("/api/reports/balance-sheet?as_of=2026-11-30").await.expect(200),
        "aging": app.get("/api/reports/aging?as_of=2026-11-30").await.expect(200),
        "metrics": app.get("/api/traffic/metrics?from=2026-10-01&to=2026-10-31&granularity=day").await.expect(200),
    })
}

async fn chain_hash_at(pool: &sqlx::PgPool, seq: i64) -> String {
    sqlx::query_scalar("SELECT encode(hash, 'hex') FROM event_chain WHERE seq = $1")
        .bind(seq)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_under_load_restores_into_a_fresh_cluster_with_equal_reports_and_head() {
    let data = temp_dir("backup-data");
    let dir = data.clone();
    let mut app = TestApp::spawn_with(move |s| s.data_dir = dir).await;
    app.sign_in_as("admin@example.com").await;
    fill(&app).await;

    let (stop, posted) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let load = spawn_load(&app, stop.clone(), posted.clone());
    while posted.load(Ordering::Relaxed) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let archive = temp_dir("backup-out").join("ledger.tar");
    let (url, d, a) = (app.url.clone(), data.clone(), archive.clone());
    let out = tokio::task::spawn_blocking(move || {
        ledger(&url, &d, &["backup", "--to", a.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let during = posted.load(Ordering::Relaxed);
    while posted.load(Ordering::Relaxed) < during + 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    app.wait_all_sealed().await;

    // Never overwritten.
    let again = ledger(
        &app.url,
        &data,
        &["backup", "--to", archive.to_str().unwrap()],
    );
    assert!(!again.status.success());
    assert!(
        text(&again).contains("never overwrites"),
        "{}",
        text(&again)
    );

    // A fresh cluster of its own.
    let pg = EmbeddedPostgres::start(Options {
        data_dir: temp_dir("backup-pg"),
        port: None,
        ephemeral: true,
    })
    .await
    .unwrap();
    pg.create_database("ledger").await.unwrap();
    let target = pg.url("ledger");
    let restored_data = temp_dir("restored-data");
    let (t, rd, a) = (target.clone(), restored_data.clone(), archive.clone());
    let out =
        tokio::task::spawn_blocking(move || ledger(&t, &rd, &["restore", a.to_str().unwrap()]))
            .await
            .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .split("\nOK:")
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(report["uploads_restored"], 2, "{report}");
    assert_eq!(report["verify"]["chain_ok"], true);

    let mut copy = TestApp::spawn_on(target.clone()).await;
    copy.sign_in_as("admin@example.com").await;
    copy.wait_all_sealed().await;
    assert_eq!(reports(&copy).await, reports(&app).await);

    // The restored log is the original's up to where the backup caught it, load included (the
    // head right after the restore: signing in on the copy appends to its log since).
    let head_seq = report["verify"]["head_seq"].as_i64().unwrap();
    assert_eq!(
        report["verify"]["head_hash"],
        chain_hash_at(&app.pool, head_seq).await
    );
    let manifest = &report["manifest"]["log_head"];
    assert_eq!(
        manifest["hash"],
        chain_hash_at(&app.pool, manifest["seq"].as_i64().unwrap()).await
    );
    let loaded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM read.transactions WHERE description = 'load'")
            .fetch_one(&copy.pool)
            .await
            .unwrap();
    assert!(
        loaded >= 5 && (loaded as usize) < posted.load(Ordering::Relaxed),
        "{loaded}"
    );

    // The uploads came along, and the restored server writes and seals on the fresh cluster.
    let files = std::fs::read_dir(restored_data.join("imports"))
        .unwrap()
        .count();
    assert_eq!(files, 2);
    copy.post("/api/projects", json!({"name": "After restore"}))
        .await
        .expect(201);
    copy.wait_all_sealed().await;
    drop(pg);
}

#[tokio::test]
async fn restore_refuses_a_database_in_use_and_a_manifest_that_lies() {
    let data = temp_dir("backup-data");
    let dir = data.clone();
    let mut app = TestApp::spawn_with(move |s| s.data_dir = dir).await;
    app.sign_in_as("admin@example.com").await;
    app.account("Bank", "asset", "USD").await;
    app.wait_all_sealed().await;
    let archive = temp_dir("backup-out").join("ledger.tar");
    let out = ledger(
        &app.url,
        &data,
        &[
            "backup",
            "--to",
            archive.to_str().unwrap(),
            "--include-secrets",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));

    // Into the original: it holds a ledger, so no.
    let refused = ledger(
        &app.url,
        &temp_dir("r"),
        &["restore", archive.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("is not empty"),
        "{}",
        text(&refused)
    );
    assert!(text(&refused).contains("--force"), "{}", text(&refused));

    // A manifest whose head was edited: restored, but the difference is named and exit is 2.
    let unpacked = temp_dir("tamper");
    let status = Command::new("tar")
        .args([
            "-xf",
            archive.to_str().unwrap(),
            "-C",
            unpacked.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let manifest_path = unpacked.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["log_head"]["hash"] = json!("00".repeat(32));
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let tampered = temp_dir("backup-out").join("tampered.tar");
    let status = Command::new("tar")
        .args([
            "-cf",
            tampered.to_str().unwrap(),
            "-C",
            unpacked.to_str().unwrap(),
            "manifest.json",
            "database.dump",
            "secrets",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let target = fresh_database().await;
    let restored_data = temp_dir("r");
    let out = ledger(
        &target,
        &restored_data,
        &["restore", tampered.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("log head: the manifest says"),
        "{}",
        text(&out)
    );
    assert!(
        restored_data.join("jwt-secret").exists(),
        "--include-secrets restores the secret"
    );

    // --force replaces a ledger in use.
    let forced = ledger(
        &target,
        &restored_data,
        &["restore", archive.to_str().unwrap(), "--force"],
    );
    assert!(forced.status.success(), "{}", text(&forced));
}

#[tokio::test]
async fn scheduled_backups_rotate_and_report_their_last_success() {
    let data = temp_dir("backup-data");
    let backups = data.join("backups");
    let (dir, b) = (data.clone(), backups.clone());
    let mut app = TestApp::spawn_with(move |s| {
        s.data_dir = dir;
        s.backup_cron = Some("0 0 3 * * *".into());
        s.backup_dir = Some(b);
        s.backup_keep = 2;
    })
    .await;
    app.sign_in_as("admin@example.com").await;
    let before = app.get("/api/admin/backups").await.expect(200);
    assert_eq!(before["enabled"], true);
    assert!(before["last_success"].is_null());
    for _ in 0..3 {
        app.account(&format!("Bank {}", uuid::Uuid::new_v4()), "asset", "USD")
            .await;
        app.post("/api/admin/backups", json!({})).await.expect(201);
    }
    let status = app.get("/api/admin/backups").await.expect(200);
    assert_eq!(status["archives"].as_array().unwrap().len(), 2, "{status}");
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 2);
    let last = &status["last_success"];
    assert_eq!(last["file"], status["archives"][0]["file"]);
    let metrics = app.metrics_text().await;
    let created: chrono::DateTime<chrono::Utc> =
        last["created_at"].as_str().unwrap().parse().unwrap();
    let value: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("ledger_backup_last_success_timestamp_seconds "))
        .unwrap_or_else(|| panic!("no backup metric in\n{metrics}"))
        .trim()
        .parse()
        .unwrap();
    assert_eq!(value, created.timestamp() as f64);

    // Only admins see or start backups.
    app.sign_in_with_role("viewer@example.com", "viewer").await;
    app.get("/api/admin/backups").await.expect(403);
}
