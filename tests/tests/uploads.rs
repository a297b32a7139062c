//! The upload folder: files of finished and failed imports are deleted after
//! `LEDGER_UPLOAD_KEEP_DAYS` (0: at once), and an upload that would exceed
//! `LEDGER_UPLOAD_QUOTA_BYTES` is refused with 507 before anything is written.

use std::path::{Path, PathBuf};
use std::time::Duration;

use app::traffic::uploads::{Cleanup, cleanup};
use e2e::TestApp;
use serde_json::json;

const HEADER: &str =
    "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n";

fn moloco(rows: usize, spend: &str) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for i in 0..rows {
        s.push_str(&format!(
            "2026-10-{:02},com.example,cmp-1,Game,US,{spend},1000,10,2\n",
            i % 28 + 1
        ));
    }
    s.into_bytes()
}

async fn source(app: &TestApp) -> String {
    app.post(
        "/api/traffic/sources",
        json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
    )
    .await
    .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn file_of(app: &TestApp, import: &str) -> PathBuf {
    let path: String =
        sqlx::query_scalar("SELECT file_path FROM traffic_imports WHERE id = $1::uuid")
            .bind(import)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    PathBuf::from(path)
}

async fn gone_soon(path: &Path) -> bool {
    for _ in 0..100 {
        if !path.exists() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn with_keep_days_zero_finished_and_failed_uploads_are_deleted_at_once() {
    let app = TestApp::spawn_with(|s| s.upload_keep_days = 0)
        .await
        .admin()
        .await;
    let source_id = source(&app).await;
    let fields = [("source_id", source_id.as_str()), ("format", "moloco")];
    let up = app
        .upload("ok.csv", moloco(3, "1.5"), &fields)
        .await
        .expect(202);
    let id = up["id"].as_str().unwrap().to_string();
    let file = file_of(&app, &id).await;
    assert_eq!(app.wait_import(&id).await["state"], "done");
    assert!(gone_soon(&file).await, "{} is still there", file.display());

    let bad = app
        .upload("bad.csv", moloco(3, "-1"), &fields)
        .await
        .expect(202);
    let bad_id = bad["id"].as_str().unwrap().to_string();
    let bad_file = file_of(&app, &bad_id).await;
    assert_eq!(app.wait_import(&bad_id).await["state"], "failed");
    assert!(
        gone_soon(&bad_file).await,
        "{} is still there",
        bad_file.display()
    );
    let retry = app
        .post(&format!("/api/traffic/imports/{bad_id}/retry"), json!({}))
        .await;
    assert_eq!(retry.status, 409, "{}", retry.body);
    assert_eq!(retry.body["code"], "upload_deleted");
}

#[tokio::test]
async fn uploads_are_kept_for_the_configured_days_then_deleted() {
    let app = TestApp::spawn().await.admin().await;
    let source_id = source(&app).await;
    let fields = [("source_id", source_id.as_str()), ("format", "moloco")];
    let up = app
        .upload("ok.csv", moloco(3, "2.5"), &fields)
        .await
        .expect(202);
    let id = up["id"].as_str().unwrap().to_string();
    let file = file_of(&app, &id).await;
    assert_eq!(app.wait_import(&id).await["state"], "done");
    let c = Cleanup {
        dir: file.parent().unwrap().to_path_buf(),
        keep_days: 7,
    };
    let now = chrono::Utc::now();
    assert_eq!(cleanup(&app.pool, &c, now).await.unwrap(), 0);
    assert!(file.exists(), "kept for 7 days");
    let later = now + chrono::Duration::days(8);
    assert_eq!(cleanup(&app.pool, &c, later).await.unwrap(), 1);
    assert!(!file.exists());
}

#[tokio::test]
async fn an_upload_beyond_the_quota_is_refused_before_it_is_written() {
    let app = TestApp::spawn_with(|s| s.upload_quota_bytes = 2_000)
        .await
        .admin()
        .await;
    let source_id = source(&app).await;
    let fields = [("source_id", source_id.as_str()), ("format", "moloco")];
    let big = moloco(60, "1.0");
    assert!(big.len() > 2_000);
    let refused = app.upload("big.csv", big, &fields).await;
    assert_eq!(refused.status, 507, "{}", refused.body);
    assert_eq!(refused.body["code"], "upload_quota_exceeded");
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM traffic_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imports, 0);
    // A small one still fits, and the folder holds only it.
    let up = app
        .upload("small.csv", moloco(2, "1.0"), &fields)
        .await
        .expect(202);
    let file = file_of(&app, up["id"].as_str().unwrap()).await;
    let dir = file.parent().unwrap();
    let files: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert_eq!(
        files.len(),
        1,
        "nothing of the refused upload remains: {files:?}"
    );
}
