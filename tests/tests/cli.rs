//! The `ledger` binary's maintenance commands, run as a user would run them.

use std::process::Output;

use e2e::binary::{temp_dir, text};
use e2e::{TestApp, fresh_database};
use sqlx::{Connection, PgConnection};

/// Runs the `ledger` binary against `url` with a fresh data folder of its own.
fn ledger(url: &str, args: &[&str]) -> Output {
    e2e::binary::ledger(url, &temp_dir("cli"), args)
}

#[tokio::test]
async fn seed_replay_verify_and_a_tampered_log() {
    let url = fresh_database().await;
    let seeded = ledger(&url, &["seed-demo"]);
    assert!(seeded.status.success(), "{}", text(&seeded));

    // No server runs, so replay owns the read tables; it also seals what was never sealed.
    let replay = ledger(&url, &["replay"]);
    assert!(replay.status.success(), "{}", text(&replay));
    assert!(text(&replay).contains("events/s"), "{}", text(&replay));

    // While a server runs, replay refuses instead of fighting its projector.
    let app = TestApp::spawn_on(url.clone()).await;
    app.wait_projector_leader().await;
    let busy = ledger(&url, &["replay"]);
    assert!(!busy.status.success());
    assert!(
        text(&busy).contains("stop `ledger serve` first"),
        "{}",
        text(&busy)
    );
    app.wait_all_sealed().await;
    let verify = ledger(&url, &["verify"]);
    assert!(verify.status.success(), "{}", text(&verify));

    let mut su = PgConnection::connect(&url).await.unwrap();
    sqlx::query("ALTER TABLE events DISABLE TRIGGER events_append_only")
        .execute(&mut su)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE events SET metadata = jsonb_set(metadata::jsonb, '{source}', '\"forged\"')::json \
         WHERE position = (SELECT max(position) FROM events)",
    )
    .execute(&mut su)
    .await
    .unwrap();
    sqlx::query("ALTER TABLE events ENABLE TRIGGER events_append_only")
        .execute(&mut su)
        .await
        .unwrap();
    let tampered = ledger(&url, &["verify"]);
    assert_eq!(tampered.status.code(), Some(2), "{}", text(&tampered));
    assert!(
        text(&tampered).contains("\"chain_ok\": false"),
        "{}",
        text(&tampered)
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_anything_is_written() {
    let app = TestApp::spawn().await.admin().await;
    let huge = "x".repeat(17 * 1024 * 1024);
    let res = app
        .client
        .post(format!("{}/api/projects", app.base))
        .bearer_auth(app.token.as_ref().unwrap())
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let long_name = app
        .post(
            "/api/projects",
            serde_json::json!({"name": "n".repeat(201)}),
        )
        .await;
    assert_eq!(long_name.status, 422);
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'project'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn import_a_report_file_from_the_command_line() {
    let url = fresh_database().await;
    let app = TestApp::spawn_on(url.clone()).await.admin().await;
    let source = app
        .post(
            "/api/traffic/sources",
            serde_json::json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap();
    let dir = std::env::temp_dir().join(format!("ledger-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // Semicolons and decimal commas, as a spreadsheet in a European locale saves them.
    let good = dir.join("moloco.csv");
    std::fs::write(
        &good,
        "Date;Campaign_ID;Campaign_Country;Spend;Impressions;Clicks;Installs\n\
         2026-10-01;cmp-1;US;12,50;1000;10;2\n2026-10-02;cmp-1;US;7,25;800;8;1\n",
    )
    .unwrap();
    let out = ledger(
        &url,
        &[
            "import",
            good.to_str().unwrap(),
            "--format",
            "moloco",
            "--source",
            source_id,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("applied 2 rows"), "{}", text(&out));
    // The same file again is recognised.
    let again = ledger(
        &url,
        &["import", good.to_str().unwrap(), "--source", source_id],
    );
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("imported before"), "{}", text(&again));

    app.wait_all_sealed().await;
    let m = app
        .get("/api/traffic/metrics?from=2026-10-01&to=2026-10-31&granularity=month")
        .await
        .expect(200);
    assert_eq!(m["totals"]["spend"], "19.75");
    assert_eq!(m["totals"]["installs"], 3);

    // A bad file fails with the line, column and reason, and a non-zero exit.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "Date,Campaign_ID,Spend,Impressions,Clicks,Installs\n2026-10-03,cmp-1,abc,1,1,1\n",
    )
    .unwrap();
    let out = ledger(
        &url,
        &["import", bad.to_str().unwrap(), "--source", source_id],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("line 2"), "{}", text(&out));
}

#[tokio::test]
async fn user_create_bootstraps_and_recovers_an_admin_without_http() {
    let url = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("ledger-user-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("password");
    std::fs::write(&file, "first cli password\n").unwrap();
    let args = |email: &str, role: &str, file: &std::path::Path| {
        vec![
            "user".to_string(),
            "create".into(),
            "--email".into(),
            email.into(),
            "--role".into(),
            role.into(),
            "--password-file".into(),
            file.to_str().unwrap().into(),
        ]
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        ledger(&url, &refs)
    };
    let out = run(args("boss@example.com", "admin", &file));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("created"), "{}", text(&out));

    let app = TestApp::spawn_on(url.clone()).await;
    let login = app
        .login("boss@example.com", "first cli password")
        .await
        .expect(200);
    let old = login["access_token"].as_str().unwrap().to_string();
    let mut admin = TestApp::spawn_on(url.clone()).await;
    admin.token = Some(old.clone());
    let me = admin.get("/api/auth/me").await.expect(200);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["email_confirmed"], true);

    // Recovery: the account was disabled (by hand here); the command enables it, sets the new
    // password and ends every token issued before.
    sqlx::query("UPDATE users SET disabled_at = now(), role = 'viewer'")
        .execute(&app.pool)
        .await
        .unwrap();
    std::fs::write(&file, "second cli password").unwrap();
    let out = run(args("BOSS@example.com", "admin", &file));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("updated"), "{}", text(&out));
    assert_eq!(admin.get("/api/auth/me").await.status, 401);
    app.login("boss@example.com", "first cli password")
        .await
        .expect(401);
    app.login("boss@example.com", "second cli password")
        .await
        .expect(200);

    // Bad input: exit code non-zero, nothing changed.
    std::fs::write(&file, "short").unwrap();
    let out = run(args("x@example.com", "admin", &file));
    assert!(!out.status.success());
    assert!(text(&out).contains("at least 10"), "{}", text(&out));
    let out = run(args("x@example.com", "root", &file));
    assert!(!out.status.success());
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
    // Without a file and without a terminal there is nobody to ask.
    let out = ledger(
        &url,
        &[
            "user",
            "create",
            "--email",
            "y@example.com",
            "--role",
            "admin",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("--password-file"), "{}", text(&out));
}

/// Secrets from files (`NAME_FILE`, as compose secrets and systemd credentials hand them over):
/// the JWT secret read from `LEDGER_JWT_SECRET_FILE` is the one `backup --include-secrets`
/// carries, and a misconfigured file variable stops the command with its name.
#[tokio::test]
async fn secrets_are_read_from_the_files_their_file_variables_name() {
    let url = fresh_database().await;
    let dir = temp_dir("secret-files");
    let secret_file = dir.join("jwt_secret");
    let secret = "a-secret-from-a-file-a-secret-from-a-file";
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let archive = dir.join("ledger.tar");
    let out = e2e::binary::command(&url, &dir.join("data"))
        .args([
            "backup",
            "--to",
            archive.to_str().unwrap(),
            "--include-secrets",
        ])
        .env("LEDGER_JWT_SECRET_FILE", &secret_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let unpacked = std::process::Command::new("tar")
        .args(["-xOf", archive.to_str().unwrap(), "secrets/jwt-secret"])
        .output()
        .unwrap();
    assert!(unpacked.status.success(), "{}", text(&unpacked));
    assert_eq!(
        String::from_utf8(unpacked.stdout).unwrap().trim_end(),
        secret
    );

    // Given both ways: refused, naming the variable, before anything is done.
    let both = e2e::binary::command(&url, &dir.join("data"))
        .args(["verify"])
        .env("DATABASE_URL_FILE", &secret_file)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(1), "{}", text(&both));
    assert!(
        text(&both).contains("DATABASE_URL_FILE is set, and so is DATABASE_URL"),
        "{}",
        text(&both)
    );

    let missing = e2e::binary::command(&url, &dir.join("data"))
        .args(["verify"])
        .env("LEDGER_JWT_SECRET_FILE", dir.join("no-such-file"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    assert!(
        text(&missing).contains("LEDGER_JWT_SECRET_FILE: cannot read"),
        "{}",
        text(&missing)
    );
}
